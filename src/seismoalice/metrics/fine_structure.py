"""Fine structure of Fourier amplitude spectra: what is left after a smooth trend is removed.

For a record, ``d(f) = ln FAS(f) − trend(f)`` on the FFT grid in ``[fmin, fmax]``, where the
trend is the Konno & Ohmachi (1998) average of ``ln FAS`` (bandwidth ``b``; a geometric-mean
smoothing, evaluated at 200 log-spaced centres and interpolated in ``ln f``).  Its standard
deviation over frequency, ``σ_fine``, measures the within-band spectral structure: the
interference of arrivals, resonances and spectral holes of recorded motion, against the
Rayleigh-distributed scatter (``σ = π/√24 ≈ 0.64`` for the amplitude of a Gaussian spectrum)
of noise shaped to a smooth spectrum.

For a pair, the **fine-structure residual σ** is the standard deviation over frequency of
``ln(FAS_ref/FAS_pred)`` after removing its Konno–Ohmachi trend; the smoothing is linear, so
this is ``std_f(d_ref − d_pred)``: 0 when the prediction reproduces the reference's spectral
detail (at any level), about ``√2·σ_fine`` when the two are independent.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seismoalice.errors import DataError
from seismoalice.metrics._arrays import (
    as_component_mask,
    as_lengths,
    as_records,
    check_dt,
    check_pair,
    length_groups,
)
from seismoalice.metrics.fourier import fourier_amplitude_spectrum, konno_ohmachi

_TREND_CENTRES = 200
_FLOOR = 1e-12  # FAS below this fraction of a trace's peak is raised to it (no log of zero)


def _check_band(fmin: float, fmax: float, dt: float) -> None:
    if not 0 < fmin < fmax <= 0.5 / dt:
        raise DataError(
            f"need 0 < fmin < fmax ≤ Nyquist ({0.5 / dt:g} Hz), got fmin={fmin}, fmax={fmax}"
        )


def detrended_log_fas(
    acc: np.ndarray,
    dt: float,
    fmin: float,
    fmax: float,
    bandwidth: float = 40.0,
    nfft: int | None = None,
    taper: float = 0.05,
    lengths: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``d(f) = ln FAS − KO-trend(ln FAS)`` of traces ``(..., T)`` on the FFT grid.

    Args:
        acc: traces ``(..., T)`` (any unit).
        dt: time step [s].
        fmin, fmax: band [Hz] of the returned frequencies.
        bandwidth: Konno–Ohmachi bandwidth of the trend.
        nfft: FFT length (default ``T``).
        taper: cosine taper fraction at each end.
        lengths: samples of each trace (``acc.shape[:-1]`` or ``(N,)``) for zero-padded
            records (see :func:`~seismoalice.metrics.fourier.fourier_amplitude_spectrum`).

    Returns:
        ``(freqs (K,) [Hz], d (..., K))``, the bins with ``fmin ≤ f ≤ fmax``.
    """
    dt = check_dt(dt)
    _check_band(fmin, fmax, dt)
    freqs, fas = fourier_amplitude_spectrum(acc, dt, nfft, taper, lengths)
    positive = freqs > 0
    freqs, fas = freqs[positive], fas[..., positive]
    floor = _FLOOR * fas.max(axis=-1, keepdims=True)
    log_fas = np.log(np.maximum(fas, np.where(floor > 0, floor, 1.0)))
    centres = np.geomspace(freqs[0], freqs[-1], _TREND_CENTRES)
    smooth = konno_ohmachi(log_fas, freqs, centres, bandwidth)
    band = (freqs >= fmin) & (freqs <= fmax)
    if not band.any():
        raise DataError(f"no FFT frequency in {fmin}–{fmax} Hz: the record is too short")
    trend = np.stack([np.interp(np.log(freqs[band]), np.log(centres), row) for row in
                      smooth.reshape(-1, centres.size)])  # fmt: skip
    return freqs[band], log_fas[..., band] - trend.reshape(*log_fas.shape[:-1], -1)


def fas_fine_structure(
    acc: Any,
    dt: float,
    fmin: float,
    fmax: float,
    bandwidth: float = 40.0,
    mask: Any = None,
    lengths: Any = None,
    taper: float = 0.05,
) -> np.ndarray:
    """``σ_fine``: standard deviation over ``fmin ≤ f ≤ fmax`` of ``d(f)`` (module docstring).

    Each record is transformed on its own length (its own frequency grid), so zero padding of
    stacked records of different lengths does not smooth its spectrum.

    Args:
        acc: records ``(N, C, T)`` or ``(C, T)``.
        dt: time step [s].
        fmin, fmax: band [Hz].
        bandwidth: Konno–Ohmachi bandwidth of the trend.
        mask: components to use ``(N, C)``; default: those not all zero (NaN otherwise).
        lengths: samples of each record ``(N,)`` (default ``T``).
        taper: cosine taper fraction at each end.

    Returns:
        ``σ_fine`` [ln units] ``(N, C)`` (``(C,)`` for ``(C, T)`` input).
    """
    arr, single = as_records(acc, "acc")
    present = as_component_mask(mask, arr)
    size = as_lengths(lengths, arr.shape[:1], arr.shape[-1])
    sigma = np.full(arr.shape[:2], np.nan)
    for n, rows in length_groups(size):
        _, d = detrended_log_fas(arr[rows, :, :n], dt, fmin, fmax, bandwidth, taper=taper)
        sigma[rows] = d.std(axis=-1)
    sigma = np.where(present, sigma, np.nan)
    return sigma[0] if single else sigma


def fine_structure_residual_sigma(
    pred: Any,
    ref: Any,
    dt: float,
    fmin: float,
    fmax: float,
    bandwidth: float = 40.0,
    mask: Any = None,
    lengths: Any = None,
    taper: float = 0.05,
) -> np.ndarray:
    """Standard deviation over ``fmin ≤ f ≤ fmax`` of ``ln(FAS_ref/FAS_pred)`` minus its
    Konno–Ohmachi trend, per record pair and component (module docstring).

    Args:
        pred, ref: records ``(N, C, T)`` or ``(C, T)`` of the same shape and unit.
        dt: time step [s].
        fmin, fmax: band [Hz].
        bandwidth: Konno–Ohmachi bandwidth of the trend.
        mask: components present in both ``(N, C)``; default: not all zero in either.
        lengths: ``(pred_lengths, ref_lengths)``, each ``(N,)`` samples, for zero-padded
            records; each record is tapered on its own length and the pair is compared on the
            frequency grid of the longer one.
        taper: cosine taper fraction at each end.

    Returns:
        σ [ln units] ``(N, C)`` (``(C,)`` for ``(C, T)`` input); NaN for a missing component.
    """
    p, single = as_records(pred, "pred")
    r, _ = as_records(ref, "ref")
    check_pair(p, r, ("pred", "ref"))
    shape = p.shape[:2]
    present = as_component_mask(mask, p) & as_component_mask(mask, r)
    n_p, n_r = (
        as_lengths(None if lengths is None else lengths[k], shape[:1], p.shape[-1]) for k in (0, 1)
    )
    span = np.maximum(n_p, n_r)
    sigma = np.full(shape, np.nan)
    for n, rows in length_groups(span):
        both = np.concatenate([p[rows, :, :n], r[rows, :, :n]])
        own = np.concatenate([n_p[rows], n_r[rows]])
        _, d = detrended_log_fas(both, dt, fmin, fmax, bandwidth, taper=taper, lengths=own)
        sigma[rows] = (d[rows.size :] - d[: rows.size]).std(axis=-1)
    sigma = np.where(present, sigma, np.nan)
    return sigma[0] if single else sigma
