"""Butterworth filters used everywhere in the pipeline (preprocessing, metrics, baselines).

All filters act along the last axis of arrays of any leading shape, e.g. ``(N, C, T)``.
Zero-phase filtering (``sosfiltfilt``, forward + backward) doubles the effective order and
squares the amplitude response, so ``lowpass(x, fs, fc)`` has gain 1/2 (−6 dB) at ``fc`` and
``lowpass + highpass`` at the same corner and order sum to the input only approximately; use
:func:`complementary_split` for an exact split.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import signal

from seismoalice.errors import DataError

FilterKind = Literal["lowpass", "highpass", "bandpass"]


def log_triangles(f: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Partition-of-unity filter bank ``(K, F)`` on frequencies ``f`` ``(F,)`` [Hz]: triangles in
    ln f between neighbouring ``centres`` ``(K,)`` [Hz, increasing], the first flat below its
    centre and the last flat above its, so the K gains sum to 1 at every frequency (f = 0 is
    taken as the lowest positive frequency of ``f``)."""
    f = np.asarray(f, dtype=float)
    x = np.log(np.maximum(f, f[f > 0].min()))
    lc = np.log(np.asarray(centres, dtype=float))
    return np.stack([np.interp(x, lc, row) for row in np.eye(lc.size)])


def _check(x: np.ndarray, fs: float, corners: tuple[float, ...]) -> None:
    if fs <= 0 or not np.isfinite(fs):
        raise DataError(f"sampling rate must be a positive number, got {fs!r}")
    nyquist = fs / 2
    for fc in corners:
        if not 0 < fc < nyquist:
            raise DataError(f"corner frequency {fc} Hz must lie in (0, {nyquist}) Hz (Nyquist)")
    if x.shape[-1] == 0:
        raise DataError("cannot filter an empty signal")


def butterworth(
    x: np.ndarray,
    fs: float,
    kind: FilterKind,
    corners: float | tuple[float, float],
    order: int = 4,
    zero_phase: bool = True,
) -> np.ndarray:
    """Butterworth filter along the last axis.

    Args:
        x: signal, shape ``(..., T)``.
        fs: sampling rate [Hz].
        kind: ``"lowpass"``, ``"highpass"`` or ``"bandpass"``.
        corners: corner frequency [Hz], or ``(f1, f2)`` for a band-pass.
        order: filter order of one pass.
        zero_phase: forward-backward filtering (no phase shift, squared amplitude response);
            otherwise a single causal pass.

    Returns:
        Filtered signal, same shape, float64.
    """
    x = np.asarray(x, dtype=np.float64)
    corner_tuple = tuple(np.atleast_1d(corners).astype(float))
    _check(x, fs, corner_tuple)
    wn = corner_tuple[0] if len(corner_tuple) == 1 else corner_tuple
    sos = signal.butter(order, wn, btype=kind, fs=fs, output="sos")
    if zero_phase:
        padlen = min(3 * (2 * len(sos) + 1), x.shape[-1] - 1)
        return signal.sosfiltfilt(sos, x, axis=-1, padlen=padlen)
    return signal.sosfilt(sos, x, axis=-1)


def lowpass(
    x: np.ndarray, fs: float, fc: float, order: int = 4, zero_phase: bool = True
) -> np.ndarray:
    """Butterworth low-pass at ``fc`` [Hz] along the last axis (see :func:`butterworth`)."""
    return butterworth(x, fs, "lowpass", fc, order, zero_phase)


def highpass(
    x: np.ndarray, fs: float, fc: float, order: int = 4, zero_phase: bool = True
) -> np.ndarray:
    """Butterworth high-pass at ``fc`` [Hz] along the last axis (see :func:`butterworth`)."""
    return butterworth(x, fs, "highpass", fc, order, zero_phase)


def bandpass(
    x: np.ndarray, fs: float, f1: float, f2: float, order: int = 4, zero_phase: bool = True
) -> np.ndarray:
    """Butterworth band-pass ``f1``–``f2`` [Hz] along the last axis (see :func:`butterworth`)."""
    return butterworth(x, fs, "bandpass", (f1, f2), order, zero_phase)


def complementary_split(
    x: np.ndarray, fs: float, fc: float, order: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Split ``x`` into a low band and a high band that sum exactly to ``x``.

    The low band is the zero-phase Butterworth low-pass at ``fc``; the high band is the rest,
    ``x − low``, i.e. the matched complementary filter used to merge LF and HF signals
    (Graves & Pitarka 2010 hybrids). Both have shape ``(..., T)``.
    """
    low = lowpass(x, fs, fc, order)
    return low, np.asarray(x, dtype=np.float64) - low
