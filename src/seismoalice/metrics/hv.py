"""Horizontal-to-vertical (H/V) spectral ratio of three-component records (Nakamura 1989).

``H/V(f) = H(f) / V(f)`` with ``V`` the Konno & Ohmachi (1998)-smoothed FAS of the vertical
and ``H`` the **quadratic mean** of the smoothed FAS of the horizontals,
``H = √(½(S_1² + S_2²))`` (the effective amplitude spectrum's combination, orientation
independent); each component is smoothed before the components are combined, as in the SESAME
(2004) H/V guidelines.  The ratio carries the site response and the P/S partition of the
motion, both of which a realistic generator must reproduce.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from seismoalice.errors import DataError
from seismoalice.metrics._arrays import (
    as_component_mask,
    as_lengths,
    as_positive_vector,
    as_records,
    check_dt,
    length_groups,
)
from seismoalice.metrics.fourier import default_center_frequencies, smoothed_fas


def hv_ratio(
    acc: Any,
    dt: float,
    center_freqs: Any = None,
    bandwidth: float = 40.0,
    vertical: int = 0,
    horizontals: Sequence[int] = (1, 2),
    mask: Any = None,
    lengths: Any = None,
    taper: float = 0.05,
) -> tuple[np.ndarray, np.ndarray]:
    """H/V spectral ratio (quadratic mean of the horizontals over the vertical) per record.

    Args:
        acc: three-component records ``(N, C, T)`` or ``(C, T)`` (any unit; the ratio is
            dimensionless).
        dt: time step [s].
        center_freqs: frequencies ``(F,)`` [Hz] of the smoothed spectra (default: 200
            log-spaced from the first FFT bin to Nyquist).
        bandwidth: Konno–Ohmachi bandwidth ``b``.
        vertical, horizontals: component indices (ZNE order: 0 and (1, 2)).
        mask: components to use, ``(N, C)`` bool; default: those not all zero.  A missing
            horizontal leaves the other as ``H``; a missing vertical, or both horizontals
            missing, gives NaN.
        lengths: samples of each record ``(N,)`` when records of different lengths are stacked
            with trailing zero padding: each record is transformed on its own length (its own
            FFT grid), so the padding does not enter.
        taper: cosine taper fraction at each end before the FFT.

    Returns:
        ``(freqs (F,) [Hz], hv (N, F))``; ``(F,)`` for ``(C, T)`` input.
    """
    arr, single = as_records(acc, "acc")
    used = [vertical, *horizontals]
    if not all(-arr.shape[1] <= c < arr.shape[1] for c in used):
        raise DataError(
            f"acc: expected records (N, C, T) holding components {used}, got {arr.shape}"
        )
    present = as_component_mask(mask, arr)
    size = as_lengths(lengths, arr.shape[:1], arr.shape[-1])
    dt = check_dt(dt)
    if center_freqs is None:
        center_freqs = default_center_frequencies(np.fft.rfftfreq(arr.shape[-1], dt))
    freqs = as_positive_vector(center_freqs, "center_freqs")
    spectra = np.empty((*arr.shape[:2], freqs.size))
    for n, rows in length_groups(size):  # each record on its own FFT grid: no padding enters
        spectra[rows] = smoothed_fas(arr[rows, :, :n], dt, freqs, bandwidth, taper=taper)[1]
    horizontal = np.where(
        present[:, list(horizontals), None], spectra[:, list(horizontals)], np.nan
    )
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all horizontals missing: NaN
        h = np.sqrt(np.nanmean(horizontal**2, axis=1))
        hv = h / spectra[:, vertical]
    hv = np.where(present[:, vertical, None], hv, np.nan)
    return freqs, hv[0] if single else hv
