"""Inter-component coherence of multi-component records as a function of frequency.

Magnitude-squared coherence of components ``c`` and ``d`` (Welch 1967; Bendat & Piersol 2010,
*Random Data*, §9.2.3):

    γ²_cd(f) = |S_cd(f)|² / (S_cc(f)·S_dd(f)),  0 ≤ γ² ≤ 1,

where ``S`` are Welch averages over segments of ``segment_s`` seconds overlapping by half, each
mean-removed and Hann-windowed (the defaults of ``scipy.signal.coherence``).  With centre
frequencies, the three averaged spectra are also averaged over frequency with the
Konno & Ohmachi (1998) window (normalised, bandwidth ``b``) before the ratio is formed: a
frequency-smoothed Welch estimate, whose bias for incoherent signals (about one over the number
of independent averages) is smaller than that of the raw estimate.

Recorded components of one earthquake share their arrivals, so their coherence is well above
that of independent noise at low and intermediate frequencies; a generator that draws each
component's high frequencies independently loses it.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import fft, signal

from seismoalice.errors import DataError
from seismoalice.metrics._arrays import as_component_mask, as_lengths, as_records, check_dt
from seismoalice.metrics.fourier import konno_ohmachi


def component_pairs(n_components: int) -> list[tuple[int, int]]:
    """Index pairs ``(c, d)``, ``c < d``, in the order of the coherence output (ZN, ZE, NE for
    three components in ZNE order)."""
    return list(combinations(range(n_components), 2))


def component_coherence(
    acc: Any,
    dt: float,
    center_freqs: Any = None,
    segment_s: float = 5.12,
    bandwidth: float = 40.0,
    mask: Any = None,
    lengths: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Magnitude-squared coherence between every pair of components, per record.

    Args:
        acc: records ``(N, C, T)`` or ``(C, T)`` (any unit), C ≥ 2.
        dt: time step [s].
        center_freqs: frequencies ``(F,)`` [Hz] at which to return the Konno–Ohmachi-smoothed
            coherence; ``None`` returns the raw Welch estimate on the segment's FFT grid (equal
            to ``scipy.signal.coherence`` with ``nperseg = round(segment_s/dt)``).
        segment_s: Welch segment length [s] (frequency resolution ``1/segment_s``).
        bandwidth: Konno–Ohmachi bandwidth ``b`` of the frequency smoothing.
        mask: components to use, ``(N, C)`` bool; default: those not all zero.  A pair with a
            missing component is NaN.
        lengths: samples of each record ``(N,)`` when records of different lengths are stacked
            with trailing zero padding; only segments inside a record are averaged, so the
            padding does not enter.  A record shorter than one segment gives NaN.

    Returns:
        ``(freqs (F,) [Hz], coherence (N, P, F))`` with the ``P`` pairs of
        :func:`component_pairs`; ``(P, F)`` for ``(C, T)`` input.  NaN where undefined (a
        missing component, no segment, or no energy at that frequency).
    """
    arr, single = as_records(acc, "acc", min_components=2)
    dt = check_dt(dt)
    n_rec, n_comp, n_t = arr.shape
    present = as_component_mask(mask, arr)
    size = as_lengths(lengths, (n_rec,), n_t)
    nperseg = round(segment_s / dt)
    if not 2 <= nperseg <= n_t:
        raise DataError(
            f"segment_s={segment_s} s is {nperseg} samples; it must lie in 2…{n_t} (record)"
        )
    step = nperseg - nperseg // 2
    starts = np.arange(0, n_t - nperseg + 1, step)
    segments = sliding_window_view(arr, nperseg, axis=-1)[:, :, starts]
    segments = segments - segments.mean(axis=-1, keepdims=True)
    spectra = fft.rfft(segments * signal.get_window("hann", nperseg), axis=-1)
    inside = (starts[None, :] + nperseg <= size[:, None])[:, None, :, None]
    spectra = np.where(inside, spectra, 0.0)
    auto = np.sum(spectra.real**2 + spectra.imag**2, axis=2)
    pairs = component_pairs(n_comp)
    first, second = (np.array(index) for index in zip(*pairs, strict=True))
    cross = np.sum(spectra[:, first] * np.conj(spectra[:, second]), axis=2)
    freqs = fft.rfftfreq(nperseg, dt)
    if center_freqs is not None:
        freqs, (auto, cross_re, cross_im) = (
            np.asarray(center_freqs, dtype=np.float64),
            (konno_ohmachi(x, fft.rfftfreq(nperseg, dt), center_freqs, bandwidth)
             for x in (auto, cross.real, cross.imag)),
        )  # fmt: skip
        cross = cross_re + 1j * cross_im
    with np.errstate(invalid="ignore", divide="ignore"):
        coherence = np.abs(cross) ** 2 / (auto[:, first] * auto[:, second])
    valid = present[:, first] & present[:, second] & (size >= nperseg)[:, None]
    coherence = np.where(valid[..., None], coherence, np.nan)
    return freqs, coherence[0] if single else coherence
