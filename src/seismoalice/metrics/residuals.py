"""SCEC Broadband Platform residual statistics: ln(observed/simulated) bias, σ and confidence band.

References:
    Goulet, Abrahamson, Somerville & Wooddell (2015), "The SCEC Broadband Platform validation
    exercise: methodology for code validation in the context of seismic-hazard analyses",
    SRL 86(1), 17–26 (residuals r = ln(obs/sim), bias and its 90% confidence interval).
    SCEC BBP ``resid2uncer_varN.c`` (statistics over the records available at each period).

Sign convention: r > 0 means the simulation under-predicts the observation. Values outside a
record's usable band are NaN and are skipped by :func:`residual_stats`.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from scipy import stats

from seismoalice.errors import DataError
from seismoalice.metrics._arrays import as_positive_vector, as_signal, check_dt, check_pair
from seismoalice.metrics.fourier import smoothed_fas
from seismoalice.metrics.psa import DEFAULT_PERIODS, response_spectrum

AxisKind = Literal["period", "frequency"]


def ln_residuals(observed: Any, simulated: Any) -> np.ndarray:
    """Natural-log residuals r = ln(observed / simulated) (SCEC BBP sign: r > 0 under-predicts).

    Args:
        observed: positive intensity measures (PSA [any unit], smoothed FAS, PGA, ...), any shape;
            NaN marks values to skip.
        simulated: same shape and unit as ``observed``.

    Returns:
        Residuals, float64, same shape; NaN where either input is NaN.

    Raises:
        DataError: shapes differ, or a finite value is zero or negative (the log is undefined).
    """
    obs = np.asarray(observed, dtype=np.float64)
    sim = np.asarray(simulated, dtype=np.float64)
    if obs.shape != sim.shape:
        raise DataError(
            f"observed and simulated must have the same shape: {obs.shape} vs {sim.shape}"
        )
    for name, values in (("observed", obs), ("simulated", sim)):
        bad = ~np.isnan(values) & ~(values > 0)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise DataError(
                f"{name} value at index {index} is {values[index]!r}: "
                "residuals need positive values"
            )
    return np.log(obs / sim)


def usable_mask(x: Any, usable_band: Any, kind: AxisKind) -> np.ndarray:
    """Which periods/frequencies lie inside each record's usable band (SCEC BBP rule).

    Args:
        x: periods [s] or frequencies [Hz], shape (P,).
        usable_band: ``(f_low, f_high)`` [Hz] for all records, or shape (n_records, 2).
        kind: ``"period"`` (keep 1/f_high ≤ T ≤ 1/f_low) or ``"frequency"``
            (keep f_low ≤ f ≤ f_high).

    Returns:
        Boolean mask of shape (P,) or (n_records, P).
    """
    values = as_positive_vector(x, kind + "s", allow_zero=kind == "period")
    band = np.asarray(usable_band, dtype=np.float64)
    if band.shape[-1:] != (2,) or band.ndim > 2 or not np.all(band[..., 0] < band[..., 1]):
        raise DataError(
            f"usable_band must be (f_low, f_high) with f_low < f_high, or shape (n, 2); got {band}"
        )
    low, high = band[..., :1], band[..., 1:]
    if kind == "period":
        with np.errstate(divide="ignore"):
            freqs = np.where(values > 0, 1.0 / np.where(values > 0, values, 1.0), np.inf)
    else:
        freqs = values
    return ((freqs >= low) & (freqs <= high)).reshape(*band.shape[:-1], values.size)


def _apply_usable_band(
    resid: np.ndarray, x: np.ndarray, usable_band: Any, kind: AxisKind
) -> np.ndarray:
    """Set residuals (..., X) outside the usable band to NaN; a (N, 2) band needs (N, C, X)."""
    if usable_band is None:
        return resid
    mask = usable_mask(x, usable_band, kind)
    if mask.ndim == 2:
        if resid.ndim != 3 or mask.shape[0] != resid.shape[0]:
            raise DataError(
                f"usable_band has {mask.shape[0]} rows but the residuals have shape "
                f"{resid.shape}: give one (f_low, f_high) per record of (N, C, T) input"
            )
        mask = mask[:, None, :]
    return np.where(mask, resid, np.nan)


def _record_pair(observed_acc: Any, simulated_acc: Any, dt: float) -> tuple[np.ndarray, ...]:
    obs, _ = as_signal(observed_acc, "observed_acc")
    sim, _ = as_signal(simulated_acc, "simulated_acc")
    check_pair(obs, sim, ("observed_acc", "simulated_acc"))
    return obs, sim, check_dt(dt)


def psa_residuals(
    observed_acc: Any,
    simulated_acc: Any,
    dt: float,
    periods: Any = DEFAULT_PERIODS,
    damping: float = 0.05,
    usable_band: Any = None,
) -> np.ndarray:
    """ln(PSA_obs/PSA_sim) per record, component and period, NaN outside the usable band.

    Args:
        observed_acc: recorded acceleration (N, C, T), (C, T) or (T,); any unit.
        simulated_acc: simulated acceleration, same shape, unit and ``dt``.
        dt: time step [s].
        periods: oscillator periods [s], shape (P,); T = 0 (PGA) counts as an infinite
            frequency, so it is dropped when a usable band is given.
        damping: fraction of critical damping.
        usable_band: ``(f_low, f_high)`` [Hz], or (N, 2) per record; None keeps every period
            (SCEC BBP keeps 1/f_high ≤ T ≤ 1/f_low).

    Returns:
        Residuals of shape (..., P) (leading shape of the inputs).
    """
    obs, sim, dt = _record_pair(observed_acc, simulated_acc, dt)
    periods = as_positive_vector(periods, "periods", allow_zero=True)
    resid = ln_residuals(
        response_spectrum(obs, dt, periods, damping), response_spectrum(sim, dt, periods, damping)
    )
    return _apply_usable_band(resid, periods, usable_band, "period")


def fas_residuals(
    observed_acc: Any,
    simulated_acc: Any,
    dt: float,
    frequencies: Any = None,
    bandwidth: float = 188.5,
    usable_band: Any = None,
    taper: float = 0.05,
) -> tuple[np.ndarray, np.ndarray]:
    """ln(FAS_obs/FAS_sim) of Konno–Ohmachi-smoothed Fourier amplitude spectra (SCEC BBP).

    Args:
        observed_acc: recorded acceleration (N, C, T), (C, T) or (T,); any unit.
        simulated_acc: simulated acceleration, same shape, unit and ``dt``.
        dt: time step [s].
        frequencies: centre frequencies [Hz] of the smoothed spectra, shape (F,); default 200
            log-spaced from the first FFT bin to Nyquist.
        bandwidth: Konno–Ohmachi b (188.5 as SCEC BBP's ``fas_gof``).
        usable_band: ``(f_low, f_high)`` [Hz], or (N, 2) per record; None keeps every frequency.
        taper: cosine taper fraction at each end before the FFT.

    Returns:
        ``(frequencies (F,), residuals (..., F))``.
    """
    obs, sim, dt = _record_pair(observed_acc, simulated_acc, dt)
    freqs, fas_obs = smoothed_fas(obs, dt, frequencies, bandwidth, taper=taper)
    _, fas_sim = smoothed_fas(sim, dt, freqs, bandwidth, taper=taper)
    resid = ln_residuals(fas_obs, fas_sim)
    return freqs, _apply_usable_band(resid, freqs, usable_band, "frequency")


def residual_stats(residuals: Any, confidence: float = 0.90) -> dict[str, np.ndarray]:
    """Bias, standard deviations and confidence band of residuals over records (SCEC BBP).

    For each column (period or frequency), over the n records with a finite residual:
    bias B = (1/n)·Σ r_i; σ = √(Σ(r_i − B)²/(n − 1)); σ0 = √((1/n)·Σ r_i²) (misfit including
    bias); confidence band B ± t_{(1+confidence)/2, n−1}·σ/√n (Student t; 90% → t_{0.95}).

    Args:
        residuals: ln residuals of shape (n_records, n_x) (or (n_records,)), NaN = not available.
        confidence: two-sided confidence level of the band on the bias.

    Returns:
        Dict of arrays of shape (n_x,): ``bias``, ``sigma``, ``sigma0``, ``ci_low``, ``ci_high``,
        ``n`` (count of records used). Columns with n = 0 give NaN; n = 1 gives NaN σ and band.
    """
    r = np.asarray(residuals, dtype=np.float64)
    if r.ndim not in (1, 2) or r.shape[0] == 0:
        raise DataError(
            f"residuals must have shape (n_records, n_x) with n_records >= 1, got {r.shape}"
        )
    if not 0 < confidence < 1:
        raise DataError(f"confidence must lie in (0, 1), got {confidence!r}")
    if np.isinf(r).any():
        raise DataError("residuals contain inf: an observed or simulated value was 0 or inf")
    finite = ~np.isnan(r)
    n = finite.sum(axis=0)
    filled = np.where(finite, r, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        bias = filled.sum(axis=0) / n
        dev = np.where(finite, r - bias, 0.0)
        sigma = np.sqrt((dev * dev).sum(axis=0) / (n - 1))
        sigma0 = np.sqrt((filled * filled).sum(axis=0) / n)
        dof = np.where(n > 1, n - 1, 1)
        half = np.where(n > 1, stats.t.ppf(0.5 + confidence / 2, dof), np.nan) * sigma / np.sqrt(n)
    sigma = np.where(n > 1, sigma, np.nan)
    return {
        "bias": bias,
        "sigma": sigma,
        "sigma0": sigma0,
        "ci_low": bias - half,
        "ci_high": bias + half,
        "n": n,
    }
