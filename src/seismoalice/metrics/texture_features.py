"""Amplitude-invariant features of a record's waveform texture, for the two-sample classifier.

Every record is split into ``B`` log-spaced bands by the partition-of-unity filter bank of
:func:`~seismoalice.data.filters.log_triangles` applied to its analytic signal (one FFT, one
inverse FFT per band), taken at every other sample: the analytic signal has no negative
frequencies, so its even samples are exactly the inverse FFT of the first half of the spectrum
(records of odd length lose their last sample). With ``z_{c,b}(t)`` the analytic signal of
component ``c`` in band ``b``, ``ℓ = ln|z|`` its log envelope and ``ℓ̄`` that log envelope
averaged over ``frame_s`` (0.32 s: the frame of the envelope that the ``hb`` generator imposes;
a centred running mean over the odd number of samples nearest to ``frame_s``, edge values
repeated), and the weights the band power averaged the same way, normalised to sum 1 (so the
strong motion counts, not the pre-event noise), the features are

* ``rough_b``: the energy-weighted standard deviation of ``ℓ − ℓ̄`` (how the envelope
  fluctuates *within* a frame: Rayleigh-like for Gaussian noise);
* ``band_corr_b``: the energy-weighted correlation of ``ℓ − ℓ̄`` between bands ``b`` and
  ``b + 1`` (broadband arrivals make neighbouring bands fluctuate together; independent noise
  per band does not);
* ``comp_corr_b``: the same correlation between components (mean over the pairs);
* ``coherence_b``: zero-lag complex coherence ``|Σ z_c z̄_d|² / (Σ|z_c|² Σ|z_d|²)`` between
  components (mean over the pairs);
* ``share_b``: ``ln`` of the band's share of the horizontal energy (spectral shape);
* ``v_over_h_b``: ``ln`` of the vertical over the mean horizontal band energy;
* ``ln_d5_95`` and ``d5_75_over_d5_95``: significant durations (Trifunac & Brady 1975) of the
  horizontals (mean), in seconds and as a ratio.

None depends on the record's amplitude.  Features of a missing component (all zeros, or masked)
are NaN; the classifier imputes them.
"""

from __future__ import annotations

import warnings
from typing import Any

import numba
import numpy as np
from scipy import fft

from seismoalice.data.filters import log_triangles
from seismoalice.errors import DataError
from seismoalice.metrics._arrays import (
    as_component_mask,
    as_lengths,
    as_signal,
    check_dt,
    length_groups,
)
from seismoalice.metrics.coherence import component_pairs
from seismoalice.metrics.intensity import significant_duration

#: Number of feature bands.
N_BANDS = 6
_CHUNK = 32  # records transformed at once (bounds the band signals' memory)
_TINY = 1e-30


def band_centres(
    fs: float, n_bands: int = N_BANDS, fmin: float = 0.5, fmax: float = 30.0
) -> np.ndarray:
    """Centres [Hz] of the feature bands, ``n_bands`` log-spaced in [fmin, min(fmax, 0.4 fs)]."""
    return np.geomspace(fmin, min(fmax, 0.4 * fs), n_bands)


def feature_names(n_bands: int) -> list[str]:
    """Names of the columns of :func:`texture_features` (band index ``b`` from low to high)."""
    per_band = ("rough", "comp_corr", "coherence", "share", "v_over_h")
    names = [f"{kind}_{b}" for kind in per_band for b in range(n_bands)]
    names += [f"band_corr_{b}" for b in range(n_bands - 1)]
    return [*names, "ln_d5_95", "d5_75_over_d5_95"]


@numba.njit(cache=True)
def _running_mean(x: np.ndarray, half: int, out: np.ndarray) -> None:
    """Centred mean of ``x`` over ``2·half + 1`` samples, edge values repeated beyond the ends."""
    n = x.size
    csum = np.empty(n + 1)
    csum[0] = 0.0
    for t in range(n):
        csum[t + 1] = csum[t] + x[t]
    for t in range(n):
        lo, hi = t - half, t + half
        total = csum[min(hi, n - 1) + 1] - csum[max(lo, 0)]
        total += max(0, -lo) * x[0] + max(0, hi - n + 1) * x[n - 1]
        out[t] = total / (2 * half + 1)


@numba.njit(cache=True)
def _weighted_correlation(x: np.ndarray, y: np.ndarray, wx: np.ndarray, wy: np.ndarray) -> float:
    """Correlation of ``x`` and ``y`` with weights ``(wx + wy)/2`` (each set sums to 1)."""
    sx = sy = sxx = syy = sxy = 0.0
    for t in range(x.size):
        w = 0.5 * (wx[t] + wy[t])
        sx += w * x[t]
        sy += w * y[t]
        sxx += w * x[t] * x[t]
        syy += w * y[t] * y[t]
        sxy += w * x[t] * y[t]
    var = (sxx - sx * sx) * (syy - sy * sy)
    return (sxy - sx * sy) / np.sqrt(var) if var > 0 else np.nan


@numba.njit(parallel=True, cache=True)
def _band_statistics(
    z: np.ndarray,
    half: int,
    rough: np.ndarray,
    comp_corr: np.ndarray,
    coherence: np.ndarray,
    band_corr: np.ndarray,
    energy: np.ndarray,
) -> None:
    """Envelope statistics of analytic band signals ``z`` ``(n, C, B, L)`` (numba kernel).

    Per record (in parallel), component and band: power ``|z|²``, its running mean over
    ``2·half + 1`` samples normalised to weights, and the fine log envelope ``ℓ − ℓ̄``; then
    the outputs of the module docstring: ``rough`` and ``energy`` ``(n, C, B)``, ``comp_corr``
    and ``coherence`` ``(n, P, B)`` over the component pairs, ``band_corr`` ``(n, C, B − 1)``.
    """
    n_rec, n_comp, n_band, n_t = z.shape
    for i in numba.prange(n_rec):
        weight = np.empty((n_comp, n_band, n_t))
        fine = np.empty((n_comp, n_band, n_t))
        power = np.empty(n_t)
        smooth = np.empty(n_t)
        for c in range(n_comp):
            for b in range(n_band):
                for t in range(n_t):
                    power[t] = z[i, c, b, t].real ** 2 + z[i, c, b, t].imag ** 2
                _running_mean(power, half, smooth)
                total = smooth.sum()
                energy[i, c, b] = power.sum()
                floor = _TINY * smooth.max() + _TINY
                for t in range(n_t):
                    weight[c, b, t] = smooth[t] / max(total, _TINY)
                    power[t] = 0.5 * np.log(power[t] + floor)
                _running_mean(power, half, smooth)
                mean = square = 0.0
                for t in range(n_t):
                    fine[c, b, t] = power[t] - smooth[t]
                    mean += weight[c, b, t] * fine[c, b, t]
                    square += weight[c, b, t] * fine[c, b, t] ** 2
                rough[i, c, b] = np.sqrt(max(square - mean * mean, 0.0))
            for b in range(n_band - 1):
                band_corr[i, c, b] = _weighted_correlation(
                    fine[c, b], fine[c, b + 1], weight[c, b], weight[c, b + 1]
                )
        k = 0
        for c in range(n_comp):
            for d in range(c + 1, n_comp):
                for b in range(n_band):
                    comp_corr[i, k, b] = _weighted_correlation(
                        fine[c, b], fine[d, b], weight[c, b], weight[d, b]
                    )
                    cross = 0j
                    for t in range(n_t):
                        cross += z[i, c, b, t] * np.conj(z[i, d, b, t])
                    norm = energy[i, c, b] * energy[i, d, b]
                    coherence[i, k, b] = abs(cross) ** 2 / norm if norm > 0 else np.nan
                k += 1


def _chunk_features(
    acc: np.ndarray, present: np.ndarray, dt: float, centres: np.ndarray, frame_s: float
) -> np.ndarray:
    """Features ``(n, K)`` of records ``(n, C, L)`` of one length (no padding); components
    where ``present`` ``(n, C)`` is False are left out."""
    n_rec, n_comp, n_t = acc.shape
    n_band = centres.size
    half_t = n_t // 2  # analytic signals at every other sample: the first half_t FFT bins
    freqs = fft.rfftfreq(2 * half_t, dt)[:half_t]
    gains = log_triangles(freqs, centres) * (freqs > 0)
    spectrum = fft.rfft(acc[..., : 2 * half_t], axis=-1, workers=-1)[:, :, None, :half_t]
    z = fft.ifft(spectrum * gains, axis=-1, workers=-1)  # (n, C, B, L/2): z(2m·dt)
    n_pairs = len(component_pairs(n_comp))
    rough, energy = np.empty((2, n_rec, n_comp, n_band))
    comp_corr, coherence = np.empty((2, n_rec, n_pairs, n_band))
    band_corr = np.empty((n_rec, n_comp, n_band - 1))
    half = max(0, round(0.25 * frame_s / dt))  # samples every 2 dt
    _band_statistics(z, half, rough, comp_corr, coherence, band_corr, energy)
    missing = ~present
    rough[missing] = np.nan
    band_corr[missing] = np.nan
    energy[missing] = np.nan
    pair_missing = np.stack([missing[:, c] | missing[:, d] for c, d in component_pairs(n_comp)], 1)
    comp_corr[pair_missing] = np.nan
    coherence[pair_missing] = np.nan
    horizontal = np.nanmean(energy[:, 1:], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.log(horizontal / horizontal.sum(axis=-1, keepdims=True))
        v_over_h = np.log(energy[:, 0] / horizontal)
    horizontals = np.where(present[:, 1:, None], acc[:, 1:], 1.0)  # no energy: no duration
    d95 = np.where(present[:, 1:], significant_duration(horizontals, dt), np.nan)
    d75 = np.where(present[:, 1:], significant_duration(horizontals, dt, 0.05, 0.75), np.nan)
    return np.column_stack(
        [
            np.nanmean(rough, axis=1),
            np.nanmean(comp_corr, axis=1),
            np.nanmean(coherence, axis=1),
            share,
            v_over_h,
            np.nanmean(band_corr, axis=1),
            np.log(np.nanmean(d95, axis=1)),
            np.nanmean(d75 / d95, axis=1),
        ]
    )


def texture_features(
    acc: Any,
    dt: float,
    n_bands: int = N_BANDS,
    frame_s: float = 0.32,
    mask: Any = None,
    lengths: Any = None,
) -> np.ndarray:
    """Waveform-texture features of three-component records (module docstring).

    Args:
        acc: records ``(N, 3, T)`` in ZNE order (any unit).
        dt: time step [s].
        n_bands: number of log-spaced bands (:func:`band_centres`).
        frame_s: averaging length [s] separating the envelope trend from its fine structure.
        mask: components to use ``(N, 3)``; missing ones are treated as absent (NaN features).
        lengths: samples of each record ``(N,)`` when stacked with trailing zero padding.

    Returns:
        ``(N, K)`` float64 in the column order of :func:`feature_names`; NaN where a feature
        is undefined (e.g. a missing component).
    """
    arr, _ = as_signal(acc, "acc")
    dt = check_dt(dt)
    if arr.ndim != 3 or arr.shape[1] != 3:
        raise DataError(f"acc: expected three-component records (N, 3, T), got {arr.shape}")
    present = as_component_mask(mask, arr)
    arr = np.where(present[..., None], arr, 0.0)
    size = as_lengths(lengths, arr.shape[:1], arr.shape[-1])
    centres = band_centres(1.0 / dt, n_bands)
    out = np.full((arr.shape[0], len(feature_names(n_bands))), np.nan)
    for n, rows in length_groups(size):
        for start in range(0, rows.size, _CHUNK):
            part = rows[start : start + _CHUNK]
            with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # means over missing parts
                out[part] = _chunk_features(arr[part, :, :n], present[part], dt, centres, frame_s)
    out[~np.isfinite(out)] = np.nan
    return out
