"""The stochastic model's target spectrum and the random parameters of each record
(Boore 2003; module docstring of :mod:`seismoalice.data.synthetic`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from seismoalice.data.stochastic.path import (
    anelastic_attenuation,
    geometric_spreading,
    quality_factor,
)
from seismoalice.data.stochastic.site import kappa_filter, quarter_wavelength_amplification
from seismoalice.data.stochastic.source import (
    brune_shape,
    corner_frequency,
    seismic_moment,
    source_constant,
)
from seismoalice.data.synthetic.config import CrustModel, Range, SynthConfig, shaking_duration
from seismoalice.errors import ConfigError

CM_TO_M = 0.01


def target_fas(
    mw: Any,
    distance_km: Any,
    f: Any,
    stress_drop_bar: Any = 100.0,
    kappa0_s: Any = 0.035,
    vs30_mps: Any = 760.0,
    crust: CrustModel | None = None,
) -> np.ndarray:
    """Theoretical horizontal S-wave Fourier amplitude spectrum of acceleration Y(f) [m/s].

    All array arguments broadcast together (e.g. ``mw[:, None]`` with ``f[None, :]`` gives
    ``(N, F)``). Boore (2003), eqs. 2–18; see the module docstring.

    Args:
        mw: moment magnitude.
        distance_km: hypocentral distance R [km].
        f: frequency [Hz].
        stress_drop_bar: Brune stress drop Δσ [bar].
        kappa0_s: site κ0 [s].
        vs30_mps: Vs30 [m/s] of the generic site amplification.
        crust: crustal/path/site constants (defaults of :class:`CrustModel`).
    """
    crust = crust or CrustModel()
    f = np.asarray(f, dtype=float)
    beta = crust.beta_s_kms
    c = source_constant(beta, crust.rho_s_gcc, crust.radiation, crust.partition, crust.free_surface)
    displacement_cm_s = (
        c
        * seismic_moment(mw)
        * brune_shape(f, corner_frequency(mw, stress_drop_bar, beta))
        * geometric_spreading(distance_km, crust.spreading_crossover_km)
        * anelastic_attenuation(
            f, distance_km, quality_factor(f, crust.q0, crust.q_eta, crust.q_min), beta
        )
        * quarter_wavelength_amplification(f, vs30_mps, beta, crust.site_profile_exponent)
        * kappa_filter(f, kappa0_s)
    )
    return displacement_cm_s * (2.0 * np.pi * f) ** 2 * CM_TO_M


def _draw_magnitudes(cfg: SynthConfig, n: int, rng: np.random.Generator) -> np.ndarray:
    lo, hi = cfg.mw_range
    u = rng.random(n)
    if cfg.mw_distribution == "uniform":
        return lo + (hi - lo) * u
    # truncated exponential (Gutenberg–Richter) by inversion of its CDF
    return lo - np.log10(1.0 - u * (1.0 - 10.0 ** (-cfg.b_value * (hi - lo)))) / cfg.b_value


def _log_uniform(bounds: Range, n: int, rng: np.random.Generator) -> np.ndarray:
    return np.exp(rng.uniform(np.log(bounds[0]), np.log(bounds[1]), n))


def draw_parameters(cfg: SynthConfig, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw the source, path and site parameters of ``n`` records (one event per record).

    Returns:
        DataFrame with SeisBench columns: ``source_magnitude``, ``source_magnitude_type``,
        ``source_depth_km``, ``source_stress_drop_bar``, ``source_corner_frequency_hz``,
        ``path_hyp_distance_km``, ``path_ep_distance_km``, ``path_p_travel_s``,
        ``path_s_travel_s``, ``station_vs30_mps``, ``station_kappa0_s``, ``trace_p_to_s_ratio``,
        ``trace_snr_db``, ``trace_duration_s`` (T), ``trace_sampling_rate_hz``, ``trace_npts``,
        ``trace_p_arrival_sample``, ``trace_s_arrival_sample`` (float sample positions).
    """
    if n < 0:
        raise ConfigError(f"number of records must be ≥ 0, got {n}")
    crust = cfg.crust
    mw = _draw_magnitudes(cfg, n, rng)
    r_hyp = _log_uniform(cfg.distance_km_range, n, rng)
    depth_lo, depth_hi = cfg.depth_km_range
    depth = depth_lo + rng.random(n) * (np.minimum(depth_hi, r_hyp) - depth_lo)
    depth = np.minimum(depth, r_hyp)
    vs30 = _log_uniform(cfg.vs30_mps_range, n, rng)
    kappa0 = cfg.kappa0_median_s * np.exp(cfg.kappa0_sigma_ln * rng.standard_normal(n))
    stress = cfg.stress_drop_median_bar * np.exp(cfg.stress_drop_sigma_ln * rng.standard_normal(n))
    p_to_s = rng.uniform(*cfg.p_to_s_range, n)
    snr_db = rng.uniform(*cfg.snr_db_range, n)
    t_p = r_hyp / (crust.vp_vs * crust.beta_s_kms)
    t_s = r_hyp / crust.beta_s_kms
    fs = cfg.sampling_rate
    return pd.DataFrame(
        {
            "source_magnitude": mw,
            "source_magnitude_type": "mw",
            "source_depth_km": depth,
            "source_stress_drop_bar": stress,
            "source_corner_frequency_hz": corner_frequency(mw, stress, crust.beta_s_kms),
            "path_hyp_distance_km": r_hyp,
            "path_ep_distance_km": np.sqrt(np.maximum(r_hyp**2 - depth**2, 0.0)),
            "path_p_travel_s": t_p,
            "path_s_travel_s": t_s,
            "station_vs30_mps": vs30,
            "station_kappa0_s": kappa0,
            "trace_p_to_s_ratio": p_to_s,
            "trace_snr_db": snr_db,
            "trace_duration_s": shaking_duration(mw, r_hyp, stress, crust.beta_s_kms),
            "trace_sampling_rate_hz": fs,
            "trace_npts": cfg.nt,
            "trace_p_arrival_sample": np.full(n, cfg.pre_event_s * fs),
            "trace_s_arrival_sample": (cfg.pre_event_s + t_s - t_p) * fs,
        }
    )
