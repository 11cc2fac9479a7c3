"""Fourier amplitude spectra, Konno–Ohmachi smoothing and the effective amplitude spectrum.

Conventions (metrics.md §3): ``FAS(f_k) = Δt·|Σ_n a_n e^{−2πi kn/N'}|`` at ``f_k = k/(N'Δt)``,
``k = 0 … ⌊N'/2⌋``, for a record tapered at both ends and zero padded to ``N'`` samples; for
``a`` in m/s² the FAS is in m/s.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from scipy import fft, signal

from seismoalice.errors import DataError
from seismoalice.metrics._arrays import (
    as_lengths,
    as_positive_vector,
    as_signal,
    check_dt,
    check_pair,
    length_groups,
)

#: Row blocks of centre frequencies used when forming smoothing weights (bounds memory).
_WEIGHT_ELEMENTS = 1 << 22


def fourier_amplitude_spectrum(
    acc: Any, dt: float, nfft: int | None = None, taper: float = 0.05, lengths: Any = None
) -> tuple[np.ndarray, Any]:
    """Fourier amplitude spectrum ``Δt·|FFT|`` of records along the last axis.

    Args:
        acc: acceleration ``(..., T)`` (e.g. m/s²), NumPy array or torch tensor.
        dt: time step [s].
        nfft: FFT length ``N' ≥ T`` (zero padding refines the grid, not the scale);
            default ``T``.
        taper: fraction of the record tapered by a half cosine at *each* end (Tukey window
            with ``alpha = 2·taper``); 0 disables.
        lengths: samples of each record (``(N,)``) or trace (``acc.shape[:-1]``) when records
            of different lengths are stacked with trailing zero padding: each is tapered on
            its own length, so the padding only refines the frequency grid; default ``T``.

    Returns:
        ``(freqs, fas)``: frequencies ``(F,)`` [Hz] with ``F = ⌊N'/2⌋ + 1``, and the spectrum
        ``(..., F)`` in units of ``acc``·s, of the input's array type.
    """
    arr, kind = as_signal(acc)
    dt = check_dt(dt)
    n_t = arr.shape[-1]
    n_fft = n_t if nfft is None else int(nfft)
    if n_fft < n_t:
        raise DataError(f"nfft={nfft} is shorter than the record ({n_t} samples)")
    if not 0 <= taper <= 0.5:
        raise DataError(f"taper must lie in [0, 0.5] (fraction at each end), got {taper}")
    arr = _tapered(arr, as_lengths(lengths, arr.shape[:-1], n_t), taper)
    spectrum = dt * np.abs(fft.rfft(arr, n=n_fft, axis=-1, workers=-1))
    return fft.rfftfreq(n_fft, dt), kind.wrap(spectrum)


def _tapered(arr: np.ndarray, lengths: np.ndarray, taper: float) -> np.ndarray:
    """Traces ``(..., T)`` times a Tukey window over each one's first ``lengths`` samples, zero
    after them."""
    n_t = arr.shape[-1]
    if (lengths == n_t).all():
        return arr * signal.windows.tukey(n_t, alpha=2 * taper) if taper > 0 else arr
    flat = arr.reshape(-1, n_t)
    out = np.zeros_like(flat)
    for n, rows in length_groups(lengths):
        out[rows, :n] = flat[rows, :n] * signal.windows.tukey(n, alpha=2 * taper)
    return out.reshape(arr.shape)


def _ko_weights(freqs: np.ndarray, centers: np.ndarray, bandwidth: float) -> np.ndarray:
    """Konno–Ohmachi (1998) window ``[sin(b·log10(f/fc)) / (b·log10(f/fc))]⁴``, ``(Fc, F)``.

    ``W = 1`` at ``f = fc`` and ``W = 0`` at ``f = 0``; a centre frequency of 0 weighs only
    ``f = 0`` (ObsPy's convention).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        arg = bandwidth * np.log10(freqs[None, :] / centers[:, None])
        weights = (np.sin(arg) / arg) ** 4
    weights[arg == 0] = 1.0
    weights[:, freqs == 0] = 0.0
    zero_centre = centers == 0
    weights[zero_centre] = (freqs == 0).astype(float)
    return weights


def konno_ohmachi(
    spectra: Any, freqs: Any, center_freqs: Any = None, bandwidth: float = 40.0
) -> Any:
    """Konno–Ohmachi (1998) smoothing: normalised weighted average in log frequency.

    ``A_s(fc) = Σ_j W_b(f_j, fc) A(f_j) / Σ_j W_b(f_j, fc)`` with the window of
    :func:`_ko_weights`; this equals ObsPy's ``konno_ohmachi_smoothing(..., normalize=True)``.
    Smaller ``bandwidth`` smooths more (40 is common; SCEC BBP's EAS uses 188.5).

    Args:
        spectra: amplitude spectra ``(..., F)`` on ``freqs``.
        freqs: frequencies ``(F,)`` [Hz], ≥ 0.
        center_freqs: frequencies ``(Fc,)`` [Hz] at which to evaluate the smoothed spectrum
            (e.g. 100–300 log-spaced values, much cheaper than all ``F``); default ``freqs``.
        bandwidth: ``b``.

    Returns:
        Smoothed spectra ``(..., Fc)``, of the input's array type.  The weights are a dense
        ``(Fc, F)`` matrix built in row blocks (kept for the next call on the same grids),
        applied by one matrix product per block.
    """
    arr, kind = as_signal(spectra, "spectra")
    f = as_positive_vector(freqs, "freqs", allow_zero=True)
    if f.size != arr.shape[-1]:
        raise DataError(
            f"freqs has {f.size} values but spectra have {arr.shape[-1]} on the last axis"
        )
    centers = f if center_freqs is None else as_positive_vector(center_freqs, "center_freqs", True)
    if not bandwidth > 0:
        raise DataError(f"bandwidth must be positive, got {bandwidth}")
    b = float(bandwidth)
    flat = arr.reshape(-1, f.size)
    out = np.empty((flat.shape[0], centers.size))
    rows = max(1, _WEIGHT_ELEMENTS // f.size)
    for start in range(0, centers.size, rows):
        block = centers[start : start + rows]
        out[:, start : start + rows] = flat @ _averaging_weights(f.tobytes(), block.tobytes(), b)
    return kind.wrap(out.reshape(*arr.shape[:-1], centers.size))


@functools.lru_cache(maxsize=16)
def _averaging_weights(freqs: bytes, centers: bytes, bandwidth: float) -> np.ndarray:
    """Konno–Ohmachi weights divided by their sum, ``(F, Fc)`` (cached: evaluations smooth many
    batches on the same grids). Arguments are the float64 bytes of the two grids."""
    weights = _ko_weights(np.frombuffer(freqs), np.frombuffer(centers), bandwidth)
    with np.errstate(invalid="ignore", divide="ignore"):
        normalised = (weights / weights.sum(axis=1, keepdims=True)).T
    normalised.setflags(write=False)
    return normalised


def default_center_frequencies(freqs: np.ndarray, count: int = 200) -> np.ndarray:
    """``count`` log-spaced frequencies [Hz] from the first non-zero bin of ``freqs`` to its end."""
    if freqs.size < 2:
        raise DataError("a spectrum needs at least 2 frequencies to be smoothed")
    return np.logspace(np.log10(freqs[1]), np.log10(freqs[-1]), count)


def smoothed_fas(
    acc: Any,
    dt: float,
    center_freqs: Any = None,
    bandwidth: float = 40.0,
    nfft: int | None = None,
    taper: float = 0.05,
    lengths: Any = None,
) -> tuple[np.ndarray, Any]:
    """Konno–Ohmachi-smoothed FAS of records ``(..., T)``.

    Returns ``(center_freqs (Fc,), smoothed FAS (..., Fc))``; default centres from
    :func:`default_center_frequencies`; ``lengths`` as in :func:`fourier_amplitude_spectrum`.
    """
    arr, kind = as_signal(acc)
    freqs, fas = fourier_amplitude_spectrum(arr, dt, nfft, taper, lengths)
    if center_freqs is None:
        center_freqs = default_center_frequencies(freqs)
    centers = as_positive_vector(center_freqs, "center_freqs")
    return centers, kind.wrap(konno_ohmachi(fas, freqs, centers, bandwidth))


def effective_amplitude_spectrum(
    h1: Any,
    h2: Any,
    dt: float,
    center_freqs: Any = None,
    bandwidth: float | None = 188.5,
    nfft: int | None = None,
    taper: float = 0.05,
) -> tuple[np.ndarray, Any]:
    """Effective amplitude spectrum (NGA-East; SCEC BBP ``fas.py``) of two horizontals.

    ``EAS(f) = √(½(FAS_h1(f)² + FAS_h2(f)²))``, orientation independent, then Konno–Ohmachi
    smoothed with ``bandwidth`` (188.5 in SCEC BBP; ``None`` returns the unsmoothed EAS on the
    FFT grid and ignores ``center_freqs``).

    Returns:
        ``(freqs (F,), eas (..., F))`` in units of ``acc``·s, of the input's array type.
    """
    a1, kind = as_signal(h1, "h1")
    a2, _ = as_signal(h2, "h2")
    check_pair(a1, a2)
    freqs, fas1 = fourier_amplitude_spectrum(a1, dt, nfft, taper)
    _, fas2 = fourier_amplitude_spectrum(a2, dt, nfft, taper)
    eas = np.sqrt(0.5 * (fas1**2 + fas2**2))
    if bandwidth is None:
        return freqs, kind.wrap(eas)
    if center_freqs is None:
        center_freqs = default_center_frequencies(freqs)
    centers = as_positive_vector(center_freqs, "center_freqs")
    return centers, kind.wrap(konno_ohmachi(eas, freqs, centers, bandwidth))
