"""Anderson (2004) goodness of fit of two acceleration records, SCEC Broadband Platform style.

References:
    Anderson (2004), "Quantitative measure of the goodness-of-fit of synthetic seismograms",
    13th WCEE, paper 243 (score S, criteria C1–C10, verbal quality bands).
    SCEC BBP ``bbp/comps/anderson_gof.py`` (frequency bands B1–B10, 2nd-order zero-phase
    Butterworth band-pass, C8 on the unfiltered response spectrum, C9 on the unfiltered |FFT|).

Conventions (metrics.md §6): every criterion is evaluated per frequency band [f1, f2] on
band-passed records; a band is used only when f1 ≥ f_low, f2 ≤ f_high (the usable band) and
f2 ≤ f_Nyquist. Peaks are absolute maxima (Anderson's definition; BBP's code takes the signed
maximum). Velocity and displacement are cumulative trapezoids of the band-passed acceleration
without further baseline correction, as in BBP. C8 compares each component's PSA (BBP
compares RotD50 spectra); C9 uses the untapered FFT amplitude (BBP), on the record's own FFT
grid (BBP zero-pads to a power of two first).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numba
import numpy as np

from seismoalice.data.filters import bandpass
from seismoalice.errors import DataError
from seismoalice.metrics._arrays import as_positive_vector, as_signal, check_dt, check_pair
from seismoalice.metrics.fourier import fourier_amplitude_spectrum
from seismoalice.metrics.intensity import husid
from seismoalice.metrics.psa import DEFAULT_PERIODS, response_spectrum

#: SCEC BBP frequency bands B1–B10 [Hz].
BBP_BANDS: tuple[tuple[float, float], ...] = (
    (0.1, 0.2),
    (0.2, 0.5),
    (0.5, 1.0),
    (1.0, 2.0),
    (2.0, 5.0),
    (5.0, 10.0),
    (10.0, 20.0),
    (20.0, 50.0),
    (50.0, 100.0),
    (0.1, 100.0),
)

#: Names of criteria C1–C10 (Anderson 2004, Table 1).
CRITERIA: tuple[str, ...] = (
    "Arias duration",
    "energy duration",
    "Arias intensity",
    "energy integral",
    "peak acceleration",
    "peak velocity",
    "peak displacement",
    "response spectrum",
    "Fourier spectrum",
    "cross correlation",
)

#: Lower score bounds of the verbal quality bands (Anderson 2004; Kristeková et al. 2009).
QUALITY_BANDS: tuple[tuple[float, str], ...] = (
    (8.0, "excellent"),
    (6.0, "good"),
    (4.0, "fair"),
    (-np.inf, "poor"),
)

_ALIGN_FRACTION = 0.05


def anderson_score(p1: Any, p2: Any) -> np.ndarray:
    """Anderson's similarity score S(p1, p2) = 10·exp(−((p1 − p2)/min(p1, p2))²) ∈ [0, 10].

    Elementwise on non-negative values; S = 10 when both are 0 and 0 when only one is.
    """
    a = np.asarray(p1, dtype=np.float64)
    b = np.asarray(p2, dtype=np.float64)
    low = np.minimum(a, b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        score = 10.0 * np.exp(-(((a - b) / low) ** 2))
    return np.where(low > 0, score, np.where(a == b, 10.0, 0.0))


def quality_label(score: Any) -> np.ndarray:
    """Verbal quality of 0–10 scores: ≥ 8 excellent, 6–8 good, 4–6 fair, < 4 poor; NaN → ''."""
    values = np.asarray(score, dtype=np.float64)
    labels = np.full(values.shape, "", dtype=object)
    for low, name in reversed(QUALITY_BANDS):
        labels[values >= low] = name
    return labels


@numba.njit(parallel=True, cache=True)
def _time_sums(a1: np.ndarray, a2: np.ndarray, dt: float) -> np.ndarray:
    """What criteria C1–C7 and C10 need of band-passed trace pairs ``a1, a2`` ``(R, T)``.

    Velocity and displacement are cumulative trapezoids from 0 (as
    :func:`~seismoalice.metrics.intensity.velocity` and ``displacement`` with
    ``baseline="none"``); energies ∫x² dt are trapezoids; the Husid
    curves are the cumulative energies over their totals.  Returns ``(R, 15)``: energies of
    a1, a2, v1, v2; peaks |a1|, |a2|, |v1|, |v2|, |d1|, |d2|; max_t |H_a1 − H_a2| and
    max_t |H_v1 − H_v2| (NaN if a total is 0); Σa1a2, Σa1², Σa2² (rectangle sums, for C10).
    """
    n_rec, n_t = a1.shape
    out = np.empty((n_rec, 15))
    for i in numba.prange(n_rec):
        v = np.zeros((2, n_t))
        energy = np.zeros(4)
        peak = np.zeros(6)
        cross = s11 = s22 = 0.0
        for side in range(2):
            x = a1[i] if side == 0 else a2[i]
            d = 0.0
            peak[side] = abs(x[0])
            for t in range(1, n_t):
                v[side, t] = v[side, t - 1] + 0.5 * dt * (x[t - 1] + x[t])
                d += 0.5 * dt * (v[side, t - 1] + v[side, t])
                energy[side] += 0.5 * dt * (x[t - 1] ** 2 + x[t] ** 2)
                energy[2 + side] += 0.5 * dt * (v[side, t - 1] ** 2 + v[side, t] ** 2)
                peak[side] = max(peak[side], abs(x[t]))
                peak[2 + side] = max(peak[2 + side], abs(v[side, t]))
                peak[4 + side] = max(peak[4 + side], abs(d))
        for t in range(n_t):
            cross += a1[i, t] * a2[i, t]
            s11 += a1[i, t] * a1[i, t]
            s22 += a2[i, t] * a2[i, t]
        gaps = np.zeros(2)
        cumulative = np.zeros(4)
        for t in range(1, n_t):
            cumulative[0] += 0.5 * dt * (a1[i, t - 1] ** 2 + a1[i, t] ** 2)
            cumulative[1] += 0.5 * dt * (a2[i, t - 1] ** 2 + a2[i, t] ** 2)
            cumulative[2] += 0.5 * dt * (v[0, t - 1] ** 2 + v[0, t] ** 2)
            cumulative[3] += 0.5 * dt * (v[1, t - 1] ** 2 + v[1, t] ** 2)
            for k in range(2):
                gap = abs(
                    cumulative[2 * k] / energy[2 * k] - cumulative[2 * k + 1] / energy[2 * k + 1]
                )
                gaps[k] = max(gaps[k], gap)
        for k in range(2):
            if energy[2 * k] <= 0 or energy[2 * k + 1] <= 0:
                gaps[k] = np.nan
        out[i, :4] = energy
        out[i, 4:10] = peak
        out[i, 10:12] = gaps
        out[i, 12] = cross
        out[i, 13] = s11
        out[i, 14] = s22
    return out


def _correlation_score(cross: np.ndarray, s11: np.ndarray, s22: np.ndarray) -> np.ndarray:
    """C10: 10·max(0, Σa1a2 / √(Σa1²·Σa2²)) at zero lag; 10 when both are zero, 0 when one is."""
    norm = np.sqrt(s11 * s22)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = 10.0 * np.maximum(0.0, cross / norm)
    return np.where(norm > 0, score, np.where((s11 == 0) & (s22 == 0), 10.0, 0.0))


def _mean_score(s1: np.ndarray, s2: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of S over the columns selected by ``mask`` (spectral ordinates in a band)."""
    return anderson_score(s1[..., mask], s2[..., mask]).mean(axis=-1)


def align_onsets(acc1: np.ndarray, acc2: np.ndarray, dt: float) -> np.ndarray:
    """Shift each trace of ``acc1`` so that its Husid curve reaches 5% when that of ``acc2`` does.

    SCEC BBP aligns the simulation on the observation this way before scoring. The shift is
    an integer number of samples; samples shifted in are zero. Shapes (..., T); returns the
    shifted ``acc1``.
    """
    onset1 = np.argmax(husid(acc1, dt) >= _ALIGN_FRACTION, axis=-1)
    onset2 = np.argmax(husid(acc2, dt) >= _ALIGN_FRACTION, axis=-1)
    source = np.arange(acc1.shape[-1]) - (onset2 - onset1)[..., None]
    inside = (source >= 0) & (source < acc1.shape[-1])
    shifted = np.take_along_axis(acc1, np.clip(source, 0, acc1.shape[-1] - 1), axis=-1)
    return np.where(inside, shifted, 0.0)


def _valid_bands(bands: np.ndarray, usable: np.ndarray, nyquist: float) -> np.ndarray:
    """(R, B) mask: f1 ≥ f_low, f2 ≤ f_high and f2 ≤ f_Nyquist (SCEC BBP rule)."""
    return (
        (bands[None, :, 0] >= usable[:, None, 0])
        & (bands[None, :, 1] <= usable[:, None, 1])
        & (bands[None, :, 1] <= nyquist)
    )


def _band_criteria(
    acc1: np.ndarray,
    acc2: np.ndarray,
    dt: float,
    band: tuple[float, float],
    spectra: tuple[np.ndarray, np.ndarray, np.ndarray],
    fourier: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Criteria C1–C10 in one band for records (R, C, T); returns (R, C, 10)."""
    f1, f2 = band
    fs = 1.0 / dt
    a1 = bandpass(acc1, fs, f1, min(f2, 0.9999 * fs / 2), order=2)
    a2 = bandpass(acc2, fs, f1, min(f2, 0.9999 * fs / 2), order=2)
    periods, psa1, psa2 = spectra
    freqs, fas1, fas2 = fourier
    in_periods = (periods >= 1.0 / f2) & (periods <= 1.0 / f1)
    in_freqs = (freqs >= f1) & (freqs <= f2)
    if not in_periods.any() or not in_freqs.any():
        raise DataError(
            f"band {f1}–{f2} Hz holds no response-spectrum period or no FFT frequency: "
            "use longer records or a denser period grid"
        )
    n_t = a1.shape[-1]
    sums = _time_sums(a1.reshape(-1, n_t), a2.reshape(-1, n_t), dt).reshape(*a1.shape[:-1], 15)
    if np.isnan(sums[..., 10]).any():
        record, component = (int(i) for i in np.argwhere(np.isnan(sums[..., 10]))[0])
        raise DataError(
            f"record {record}, component {component}: no energy in {f1}–{f2} Hz, the Husid "
            "curve (C1, C2) is undefined"
        )
    duration = 10.0 * np.maximum(0.0, 1.0 - sums[..., 10:12])
    return np.concatenate(
        [
            duration,
            np.stack([anderson_score(sums[..., k], sums[..., k + 1]) for k in range(0, 10, 2)], -1),
            np.stack([_mean_score(psa1, psa2, in_periods), _mean_score(fas1, fas2, in_freqs)], -1),
            _correlation_score(sums[..., 12], sums[..., 13], sums[..., 14])[..., None],
        ],
        axis=-1,
    )


def anderson_gof(
    acc1: Any,
    acc2: Any,
    dt: float,
    bands: Sequence[tuple[float, float]] = BBP_BANDS,
    usable_band: Any = (0.1, 30.0),
    periods: Any = DEFAULT_PERIODS,
    damping: float = 0.05,
    horizontal: Sequence[int] | None = None,
    align: bool = False,
    psa: tuple[Any, Any] | None = None,
) -> dict[str, np.ndarray]:
    """Anderson (2004) goodness of fit of ``acc1`` (e.g. synthetic) against ``acc2`` (recorded).

    Args:
        acc1: acceleration (N, C, T), (C, T) or (T,), any unit; numpy array or torch tensor.
        acc2: acceleration with the same shape, unit and ``dt``.
        dt: time step [s].
        bands: frequency bands [Hz] ``(f1, f2)``; default SCEC BBP B1–B10.
        usable_band: ``(f_low, f_high)`` [Hz] of all records, or (N, 2) per record.
        periods: periods [s] of the 5%-damped response spectrum used by C8.
        damping: damping ratio of the response spectrum.
        horizontal: component indices averaged into the record score (default: all).
        align: shift each ``acc1`` trace so its 5% Arias time matches ``acc2``'s (SCEC BBP).
        psa: the response spectra of ``acc1`` and ``acc2`` at ``periods`` with ``damping``,
            each of shape ``acc.shape[:-1] + (P,)``, when the caller has them already (not
            with ``align``); computed here otherwise.

    Returns:
        Dict with ``band_scores`` (N, C, 10, B): C1–C10 per band, NaN where a band is not
        used; ``criteria`` (N, C, 10): mean over the valid bands; ``component_score`` (N, C):
        mean of the 10 criteria; ``score`` (N,): mean over the ``horizontal`` components;
        ``label`` (N,): quality band of ``score``; ``valid_bands`` (N, B). For (C, T) or (T,)
        input the leading N (and C) axes are dropped.

    Raises:
        DataError: mismatched shapes, or a record with no valid band.
    """
    x1, _ = as_signal(acc1, "acc1")
    x2, _ = as_signal(acc2, "acc2")
    check_pair(x1, x2, ("acc1", "acc2"))
    dt = check_dt(dt)
    ndim = x1.ndim
    x1 = x1.reshape((-1, *x1.shape[-2:])) if ndim > 1 else x1[None, None]
    x2 = x2.reshape(x1.shape)
    n_rec = x1.shape[0]
    band_array = np.asarray(bands, dtype=np.float64).reshape(-1, 2)
    if not np.all((band_array[:, 0] > 0) & (band_array[:, 0] < band_array[:, 1])):
        raise DataError(f"bands must be (f1, f2) pairs with 0 < f1 < f2 [Hz], got {bands}")
    usable = np.broadcast_to(np.asarray(usable_band, dtype=np.float64), (n_rec, 2))
    valid = _valid_bands(band_array, usable, 0.5 / dt)
    if not valid.any(axis=1).all():
        record = int(np.argmin(valid.any(axis=1)))
        raise DataError(
            f"record {record}: no frequency band lies inside its usable band "
            f"{usable[record].tolist()} Hz and below Nyquist {0.5 / dt} Hz"
        )
    comps = list(range(x1.shape[1])) if horizontal is None else list(horizontal)
    if not comps or not all(-x1.shape[1] <= c < x1.shape[1] for c in comps):
        raise DataError(
            f"horizontal={horizontal!r}: indices must select among {x1.shape[1]} components"
        )
    if align:
        x1 = align_onsets(x1, x2, dt)

    periods = as_positive_vector(periods, "periods")
    if psa is None or align:
        psa = tuple(response_spectrum(x, dt, periods, damping) for x in (x1, x2))
    psa1, psa2 = (np.asarray(s, dtype=np.float64) for s in psa)
    if psa1.size != psa2.size or psa1.size != x1.shape[0] * x1.shape[1] * periods.size:
        raise DataError(
            f"psa: expected two spectra of {x1.shape[0] * x1.shape[1]} traces × "
            f"{periods.size} periods, got shapes {psa1.shape} and {psa2.shape}"
        )
    spectra = (periods, psa1.reshape(*x1.shape[:2], -1), psa2.reshape(*x1.shape[:2], -1))
    freqs, fas1 = fourier_amplitude_spectrum(x1, dt, taper=0.0)
    _, fas2 = fourier_amplitude_spectrum(x2, dt, taper=0.0)
    fourier = (freqs, fas1, fas2)

    band_scores = np.full((*x1.shape[:2], len(CRITERIA), len(band_array)), np.nan)
    for b, band in enumerate(band_array):
        if valid[:, b].any():
            band_scores[..., b] = _band_criteria(x1, x2, dt, tuple(band), spectra, fourier)
    band_scores = np.where(valid[:, None, None, :], band_scores, np.nan)
    criteria = np.nanmean(band_scores, axis=-1)
    component_score = criteria.mean(axis=-1)
    score = component_score[:, comps].mean(axis=-1)
    result = {
        "band_scores": band_scores,
        "criteria": criteria,
        "component_score": component_score,
        "score": score,
        "label": quality_label(score),
        "valid_bands": valid,
    }
    if ndim == 3:
        return result
    drop = 2 if ndim == 1 else 1
    return {
        key: value[(0,) * drop]
        if key in ("band_scores", "criteria", "component_score")
        else value[0]
        for key, value in result.items()
    }
