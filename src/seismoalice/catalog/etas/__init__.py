"""ETAS: parameters, branching simulation, likelihoods and maximum-likelihood fitting."""

from seismoalice.catalog.etas.fit import ETASFit, fit_etas
from seismoalice.catalog.etas.params import (
    ETASParams,
    SpaceTimeETASParams,
    branching_ratio,
    sample_gr,
)
from seismoalice.catalog.etas.simulate import simulate_etas

__all__ = [
    "ETASFit",
    "ETASParams",
    "SpaceTimeETASParams",
    "branching_ratio",
    "fit_etas",
    "sample_gr",
    "simulate_etas",
]
