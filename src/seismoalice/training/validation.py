"""Validation metrics on physical-unit predictions: PSA residuals, TF goodness-of-fit, LF misfit.

Residuals follow the SCEC Broadband Platform convention (Goulet et al. 2015): r = ln(obs/sim) of
5%-damped PSA per record, component and period; bias = mean r, σ = standard deviation.
EG/PG are Kristeková et al. (2009) envelope/phase goodness-of-fit (0–10, higher is better).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seismoalice.data.filters import lowpass
from seismoalice.metrics.residuals import psa_residuals
from seismoalice.metrics.tf_misfit import tf_gof as _tf_gof


def lf_misfit(
    x_hat: np.ndarray, x_lf: np.ndarray, fs: float, fc: float, order: int = 4
) -> np.ndarray:
    """Relative L2 misfit below fc, ‖LP(x̂) − LP(x_lf)‖ / ‖LP(x_lf)‖ per record, shape ``(N,)``.

    ``x_hat``, ``x_lf``: ``(N, C, T)`` in the same units; LP is the zero-phase Butterworth
    low-pass at ``fc`` [Hz]. 0 means the output keeps the LF input exactly. Both sides are
    filtered once: comparing LP(x̂) with an LF input that is itself already LP(x) would count
    the difference between filtering once and twice (large near fc) as a misfit. Use an ``fc``
    below the LF input's own cut-off (e.g. half of it) to measure the band the input fully keeps.
    """
    lo_hat = lowpass(x_hat, fs, fc, order)
    lo_ref = lowpass(x_lf, fs, fc, order)
    num = np.sqrt(((lo_hat - lo_ref) ** 2).sum(axis=(-2, -1)))
    den = np.sqrt((lo_ref**2).sum(axis=(-2, -1)))
    return num / np.maximum(den, np.finfo(float).tiny)


def validation_metrics(
    obs: np.ndarray,
    sim: np.ndarray,
    dt: float,
    periods: Sequence[float],
    damping: float = 0.05,
    tf_gof: bool = True,
    fmin: float = 0.1,
    fmax: float = 30.0,
    lf: np.ndarray | None = None,
    fc: float | None = None,
) -> dict[str, float | list[float]]:
    """PSA bias/σ per period (and their means), PGA residual bias, and median EG/PG.

    ``obs`` (recorded) and ``sim`` (generated): ``(N, C, T)`` accelerograms in the same unit.
    With the LF input ``lf`` ``(N, C, T)`` (same unit) and its cut-off ``fc`` [Hz], also the
    median LF-consistency misfit :func:`lf_misfit` below fc/2 (``lf_misfit_median``).
    """
    res = psa_residuals(obs, sim, dt, periods, damping).reshape(-1, len(periods))
    bias, sigma = res.mean(axis=0), res.std(axis=0)
    pga = np.log(np.abs(obs).max(axis=-1)) - np.log(np.maximum(np.abs(sim).max(axis=-1), 1e-30))
    out: dict[str, float | list[float]] = {
        "psa_bias": bias.tolist(),
        "psa_sigma": sigma.tolist(),
        "psa_abs_bias_mean": float(np.abs(bias).mean()),
        "psa_sigma_mean": float(sigma.mean()),
        "pga_bias": float(pga.mean()),
    }
    if lf is not None and fc is not None:
        out["lf_misfit_median"] = float(np.median(lf_misfit(sim, lf, 1.0 / dt, fc / 2)))
    if tf_gof:
        fmax = min(fmax, 0.5 / dt * 0.99)
        gof = _tf_gof(sim, obs, dt, fmin, fmax, 50)
        out["eg_median"] = float(np.median(gof["eg"]))
        out["pg_median"] = float(np.median(gof["pg"]))
    return out


def score(metrics: dict[str, float | list[float]]) -> float:
    """Scalar to minimise for the "best" checkpoint: mean |PSA bias| + mean PSA σ."""
    return float(metrics["psa_abs_bias_mean"]) + float(metrics["psa_sigma_mean"])
