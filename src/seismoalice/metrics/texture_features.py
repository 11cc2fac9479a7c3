"""Amplitude-invariant features of a record's waveform texture, for the two-sample classifier.

Every record is split into ``B`` log-spaced bands by the partition-of-unity filter bank of
:func:`~seismoalice.data.filters.log_triangles` applied to its analytic signal (one FFT, one
inverse FFT per band).  With ``z_{c,b}(t)`` the analytic signal of component ``c`` in band
``b``, ``ℓ = ln|z|`` its log envelope and ``ℓ̄`` that log envelope averaged over ``frame_s``
(0.32 s: the frame of the envelope that the ``hb`` generator imposes), the features are

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

import numpy as np
from scipy import fft
from scipy.ndimage import uniform_filter1d

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


def _weighted_moments(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[Any, Any, Any]:
    """Variances of ``x`` and ``y`` and their covariance over the last axis, with weights ``w``
    that sum to 1 (moments about the weighted means)."""
    wx, wy = w * x, w * y
    mx, my = wx.sum(axis=-1), wy.sum(axis=-1)
    vx = np.einsum("...t,...t->...", wx, x) - mx * mx
    vy = np.einsum("...t,...t->...", wy, y) - my * my
    return vx, vy, np.einsum("...t,...t->...", wx, y) - mx * my


def _correlation(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    vx, vy, cxy = _weighted_moments(x, y, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cxy / np.sqrt(vx * vy)


def _chunk_features(
    acc: np.ndarray, present: np.ndarray, dt: float, centres: np.ndarray, frame_s: float
) -> np.ndarray:
    """Features ``(n, K)`` of records ``(n, C, L)`` of one length (no padding); components
    where ``present`` ``(n, C)`` is False are left out."""
    n_comp, n_t = acc.shape[1:]
    freqs = fft.fftfreq(n_t, dt)
    gains = 2.0 * log_triangles(np.abs(freqs), centres) * (freqs > 0)  # analytic signal
    spectrum = fft.fft(acc, axis=-1)
    z = fft.ifft(spectrum[:, :, None, :] * gains, axis=-1)  # (n, C, B, L)
    power = z.real**2 + z.imag**2
    frame = max(1, round(frame_s / dt))
    smooth_power = uniform_filter1d(power, frame, axis=-1, mode="nearest")
    weight = smooth_power / np.maximum(smooth_power.sum(axis=-1, keepdims=True), _TINY)
    log_env = 0.5 * np.log(power + _TINY * smooth_power.max(axis=-1, keepdims=True) + _TINY)
    fine = log_env - uniform_filter1d(log_env, frame, axis=-1, mode="nearest")
    wf = weight * fine
    rough = np.sqrt(np.maximum(np.einsum("...t,...t->...", wf, fine) - wf.sum(-1) ** 2, 0))
    rough[~present] = np.nan
    pairs = component_pairs(n_comp)
    comp_corr, coherence = [], []
    for c, d in pairs:
        w_cd = 0.5 * (weight[:, c] + weight[:, d])
        comp_corr.append(_correlation(fine[:, c], fine[:, d], w_cd))
        zc, zd = z[:, c], z[:, d]
        real = np.einsum("...t,...t->...", zc.real, zd.real) + np.einsum(
            "...t,...t->...", zc.imag, zd.imag
        )
        imag = np.einsum("...t,...t->...", zc.imag, zd.real) - np.einsum(
            "...t,...t->...", zc.real, zd.imag
        )
        cross = real**2 + imag**2
        with np.errstate(invalid="ignore", divide="ignore"):
            coherence.append(cross / (power[:, c].sum(-1) * power[:, d].sum(-1)))
    w_bands = 0.5 * (weight[:, :, :-1] + weight[:, :, 1:])
    band_corr = _correlation(fine[:, :, :-1], fine[:, :, 1:], w_bands)  # (n, C, B-1)
    energy = np.where(present[..., None], power.sum(axis=-1), np.nan)  # (n, C, B)
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
            np.nanmean(np.stack(comp_corr), axis=0),
            np.nanmean(np.stack(coherence), axis=0),
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
