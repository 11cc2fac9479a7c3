"""Peak, energy and duration measures of acceleration records (metrics.md §4–§5).

All functions take acceleration ``(..., T)`` (``(T,)``, ``(C, T)`` or ``(N, C, T)``; NumPy or
torch) and reduce or integrate along the last axis.  Integration rules:

* velocity and displacement: cumulative trapezoid, ``v_0 = 0``,
  ``v_n = Δt Σ_{k<n} (a_k + a_{k+1}) / 2`` (exact for piecewise-linear acceleration);
* Arias intensity and the Husid curve: cumulative trapezoid of ``a²``;
* CAV: rectangle rule ``Δt Σ |a_n|`` over the samples with ``|a_n| ≥ threshold``.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from seismoalice.data.filters import highpass
from seismoalice.errors import DataError
from seismoalice.metrics._arrays import G, as_signal, check_dt

Baseline = Literal["none", "mean", "highpass"]


def _cumtrapz(y: np.ndarray, dt: float) -> np.ndarray:
    """Cumulative trapezoid along the last axis, starting at 0; same shape as ``y``."""
    out = np.zeros_like(y)
    np.cumsum(0.5 * dt * (y[..., 1:] + y[..., :-1]), axis=-1, out=out[..., 1:])
    return out


def _corrected(arr: np.ndarray, dt: float, baseline: Baseline, corner: float) -> np.ndarray:
    if baseline == "none":
        return arr
    centred = arr - arr.mean(axis=-1, keepdims=True)
    if baseline == "mean":
        return centred
    if baseline == "highpass":
        return highpass(centred, 1.0 / dt, corner)
    raise DataError(f"baseline must be 'none', 'mean' or 'highpass', got {baseline!r}")


def pga(acc: Any) -> Any:
    """Peak ground acceleration ``max_t |a|``, shape ``(...)``, units of ``acc``."""
    arr, kind = as_signal(acc)
    return kind.wrap(np.abs(arr).max(axis=-1))


def velocity(acc: Any, dt: float, baseline: Baseline = "mean", highpass_hz: float = 0.05) -> Any:
    """Ground velocity ``(..., T)`` [units of ``acc``·s] by cumulative trapezoid, ``v(0) = 0``.

    Baseline correction of the acceleration before integrating: ``"none"``; ``"mean"`` removes
    the record's mean; ``"highpass"`` removes the mean, then applies a zero-phase 4th-order
    Butterworth high-pass at ``highpass_hz`` [Hz] (0.05–0.1 Hz are common). Apply the same
    choice to records that are compared.
    """
    arr, kind = as_signal(acc)
    dt = check_dt(dt)
    return kind.wrap(_cumtrapz(_corrected(arr, dt, baseline, highpass_hz), dt))


def displacement(
    acc: Any, dt: float, baseline: Baseline = "mean", highpass_hz: float = 0.05
) -> Any:
    """Ground displacement ``(..., T)`` [units of ``acc``·s²]: the velocity of
    :func:`velocity` (same baseline option) integrated again by cumulative trapezoid."""
    arr, kind = as_signal(acc)
    dt = check_dt(dt)
    return kind.wrap(_cumtrapz(_cumtrapz(_corrected(arr, dt, baseline, highpass_hz), dt), dt))


def pgv(acc: Any, dt: float, baseline: Baseline = "mean", highpass_hz: float = 0.05) -> Any:
    """Peak ground velocity ``max_t |v|``, shape ``(...)`` (see :func:`velocity`)."""
    arr, kind = as_signal(acc)
    v = velocity(arr, dt, baseline, highpass_hz)
    return kind.wrap(np.abs(v).max(axis=-1))


def pgd(acc: Any, dt: float, baseline: Baseline = "mean", highpass_hz: float = 0.05) -> Any:
    """Peak ground displacement ``max_t |d|``, shape ``(...)`` (see :func:`displacement`)."""
    arr, kind = as_signal(acc)
    d = displacement(arr, dt, baseline, highpass_hz)
    return kind.wrap(np.abs(d).max(axis=-1))


def arias_intensity(acc: Any, dt: float, g: float = G) -> Any:
    """Arias (1970) intensity ``I_A = π/(2g) ∫ a² dt`` [m/s] for ``acc`` in m/s².

    Trapezoid rule on the samples; shape ``(...)``.  ``g`` [m/s²] defaults to 9.80665.
    """
    arr, kind = as_signal(acc)
    dt = check_dt(dt)
    return kind.wrap(np.pi / (2 * g) * _cumtrapz(arr * arr, dt)[..., -1])


def husid(acc: Any, dt: float) -> Any:
    """Husid curve ``H(t) = ∫₀ᵗ a² / ∫₀^{T_d} a²`` (trapezoid), ``(..., T)``, from 0 to 1.

    Raises:
        DataError: a record has no energy (all samples zero).
    """
    arr, kind = as_signal(acc)
    dt = check_dt(dt)
    energy = _cumtrapz(arr * arr, dt)
    total = energy[..., -1:]
    if (total <= 0).any():
        bad = tuple(int(i) for i in np.argwhere(total[..., 0] <= 0)[0])
        raise DataError(f"acc: record {bad} has zero energy; its Husid curve is undefined")
    return kind.wrap(energy / total)


def _crossing_times(curve: np.ndarray, level: float, dt: float) -> np.ndarray:
    """First time [s] at which a non-decreasing ``curve (..., T)`` reaches ``level``.

    Linear interpolation between the samples that bracket the crossing.
    """
    idx = np.argmax(curve >= level, axis=-1)
    upper = np.take_along_axis(curve, idx[..., None], -1)[..., 0]
    lower = np.take_along_axis(curve, np.maximum(idx - 1, 0)[..., None], -1)[..., 0]
    step = upper - lower
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(step > 0, (level - lower) / step, 1.0)
    return (np.maximum(idx - 1, 0) + np.where(idx > 0, frac, 0.0)) * dt


def husid_time(acc: Any, dt: float, level: float) -> Any:
    """Time [s] at which the Husid curve (:func:`husid`) reaches ``level`` (0–1), interpolated
    linearly between samples; shape ``(...)``."""
    if not 0 <= level <= 1:
        raise DataError(f"need 0 ≤ level ≤ 1, got {level}")
    arr, kind = as_signal(acc)
    dt = check_dt(dt)
    return kind.wrap(_crossing_times(np.asarray(husid(arr, dt)), level, dt))


def significant_duration(acc: Any, dt: float, start: float = 0.05, end: float = 0.95) -> Any:
    """Significant duration (Trifunac & Brady 1975) ``t(H = end) − t(H = start)`` [s].

    ``H`` is the Husid curve (:func:`husid`), interpolated linearly between samples:
    ``(0.05, 0.95)`` gives D5-95, ``(0.05, 0.75)`` D5-75.  Shape ``(...)``.
    """
    if not 0 <= start < end <= 1:
        raise DataError(f"need 0 ≤ start < end ≤ 1, got start={start}, end={end}")
    arr, kind = as_signal(acc)
    dt = check_dt(dt)
    curve = np.asarray(husid(arr, dt))
    return kind.wrap(_crossing_times(curve, end, dt) - _crossing_times(curve, start, dt))


def cav(acc: Any, dt: float, threshold: float = 0.0) -> Any:
    """Cumulative absolute velocity (EPRI 1988) ``Δt Σ |a_n|`` over ``|a_n| ≥ threshold``.

    Units of ``acc``·s (m/s for m/s²); shape ``(...)``.  ``threshold = 0.05`` m/s² gives
    CAV5 of Kramer & Mitchell (2006) for ``acc`` in m/s² (rectangle rule).
    """
    arr, kind = as_signal(acc)
    dt = check_dt(dt)
    magnitude = np.abs(arr)
    return kind.wrap(dt * np.where(magnitude >= threshold, magnitude, 0.0).sum(axis=-1))
