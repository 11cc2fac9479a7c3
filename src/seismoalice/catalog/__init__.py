"""Earthquake catalogs: the Catalog type and I/O, statistical seismology, ETAS, plots."""

from seismoalice.catalog.catalog import Catalog
from seismoalice.catalog.etas import (
    ETASFit,
    ETASParams,
    SpaceTimeETASParams,
    branching_ratio,
    fit_etas,
    simulate_etas,
)
from seismoalice.catalog.stats import (
    b_positive,
    b_value_mle,
    bath_delta_m,
    completeness_maxc,
    frequency_magnitude,
    interevent_times,
    omori_fit,
)

__all__ = [
    "Catalog",
    "ETASFit",
    "ETASParams",
    "SpaceTimeETASParams",
    "b_positive",
    "b_value_mle",
    "bath_delta_m",
    "branching_ratio",
    "completeness_maxc",
    "fit_etas",
    "frequency_magnitude",
    "interevent_times",
    "omori_fit",
    "simulate_etas",
]
