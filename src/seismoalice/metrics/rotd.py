"""Orientation-independent response spectra RotDnn (Boore 2010), one fused kernel.

For each period the oscillator displacements ``u1, u2`` of the two horizontals are combined as
``u_θ = u1 cos θ + u2 sin θ`` (the oscillator is linear, so this is the response to the motion
rotated by θ), ``PSA_θ = ω² max_t |u_θ|``, and RotDnn is the ``nn``-th percentile over θ.

Speed: one compiled kernel (numba) does everything for one record at a time, in parallel over
records: for each period it runs the exact Nigam & Jennings (1969) recurrence of both
horizontals (:mod:`seismoalice.metrics.oscillator`, with the same oversampling of short
periods as :func:`~seismoalice.metrics.psa.response_spectrum`) into a buffer of one period's
trajectory ``(u1, u2)``, finds the peak at every angle exactly (pruned, see
:func:`_series_rotated_peaks`), sorts the angles' peaks and interpolates the percentiles.  No
array of the size of all responses is ever stored.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from seismoalice.errors import DataError
from seismoalice.metrics._arrays import as_positive_vector, as_signal, check_dt, check_pair
from seismoalice.metrics.oscillator import (
    check_damping,
    interval_coefficients,
    numba_threads,
    oversampling,
)
from seismoalice.metrics.psa import DEFAULT_PERIODS

_DIRECTIONS = 4  # reference directions 0°, 45°, 90°, 135° of the pruning bound


@numba.njit(cache=True, inline="always")
def _track(x: float, y: float, t: int, best: np.ndarray, where: np.ndarray) -> None:
    """Keep in ``where`` the index of the largest ``|x|``, ``|x + y|``, ``|y|``, ``|x − y|`` so far
    (projections on 0°, 45°, 90°, 135° up to a factor √2), their values in ``best``."""
    for k, v in enumerate((abs(x), abs(x + y), abs(y), abs(x - y))):
        if v > best[k]:
            best[k] = v
            where[k] = t


@numba.njit(cache=True)
def _series_rotated_peaks(
    x: np.ndarray,
    y: np.ndarray,
    m: int,
    where: np.ndarray,
    cos_a: np.ndarray,
    sin_a: np.ndarray,
    out: np.ndarray,
) -> None:
    """``out[a] = max_{t < m} |x_t cos θ_a + y_t sin θ_a|`` for one 2-D trajectory, exactly.

    Pruned: the points ``where`` (those that maximise the projection on the reference
    directions, :func:`_track`) give a lower bound ``lb(θ)`` of every angle's peak, and a point
    whose radius is below ``min_θ lb(θ)`` cannot be the peak at any angle, so only the few
    points outside that circle are projected on all angles.
    """
    bound = np.inf
    for a in range(cos_a.size):
        lb = 0.0
        for k in range(where.size):
            lb = max(lb, abs(x[where[k]] * cos_a[a] + y[where[k]] * sin_a[a]))
        out[a] = lb
        bound = min(bound, lb)
    bound2 = bound * bound
    for t in range(m):
        if x[t] * x[t] + y[t] * y[t] >= bound2:
            for a in range(cos_a.size):
                v = abs(x[t] * cos_a[a] + y[t] * sin_a[a])
                if v > out[a]:
                    out[a] = v


@numba.njit(cache=True)
def _percentiles(sorted_values: np.ndarray, positions: np.ndarray, out: np.ndarray) -> None:
    """Linear-interpolation percentiles of ascending ``sorted_values`` at fractional
    ``positions`` ``q/100·(n − 1)``, with NumPy's ``method="linear"`` arithmetic."""
    last = sorted_values.size - 1
    for i in range(positions.size):
        low = min(int(np.floor(positions[i])), last)
        high = min(low + 1, last)
        frac = positions[i] - low
        a, b = sorted_values[low], sorted_values[high]
        out[i] = a + (b - a) * frac if frac < 0.5 else b - (b - a) * (1.0 - frac)


@numba.njit(parallel=True, cache=True)
def _rotated_peaks(u1: np.ndarray, u2: np.ndarray, cos_a: np.ndarray, sin_a: np.ndarray) -> Any:
    """``max_t |u1 cos θ + u2 sin θ|`` for every series pair ``(S, T)`` and angle ``(A,)``."""
    out = np.empty((u1.shape[0], cos_a.size))
    for i in numba.prange(u1.shape[0]):
        best = np.zeros(_DIRECTIONS)
        where = np.zeros(_DIRECTIONS, dtype=np.int64)
        for t in range(u1.shape[1]):
            _track(u1[i, t], u2[i, t], t, best, where)
        _series_rotated_peaks(u1[i], u2[i], u1.shape[1], where, cos_a, sin_a, out[i])
    return out


@numba.njit(cache=True, fastmath={"contract"})
def _trajectory(
    x1: np.ndarray,
    x2: np.ndarray,
    coef: np.ndarray,
    r: int,
    u1: np.ndarray,
    u2: np.ndarray,
    where: np.ndarray,
) -> int:
    """Displacements of one oscillator under two records ``x1, x2`` ``(T,)`` (numba kernel).

    Both states start at rest and are advanced one sampling interval at a time by
    ``coef`` ``(max r, 2, 4)`` (one oscillator of :func:`interval_coefficients`), storing ``u``
    at ``t = i Δt / r`` into ``u1, u2`` and the pruning points of :func:`_track` into
    ``where``; returns the number of points ``r (T − 1) + 1``.
    """
    best = np.zeros(where.size)
    where[:] = 0
    step = coef[r - 1]
    a00, a01, b00, b01 = step[0, 0], step[0, 1], step[0, 2], step[0, 3]
    a10, a11, b10, b11 = step[1, 0], step[1, 1], step[1, 2], step[1, 3]
    d1 = 0.0
    v1 = 0.0
    d2 = 0.0
    v2 = 0.0
    u1[0] = 0.0
    u2[0] = 0.0
    for n in range(x1.size - 1):
        f0, f1, g0, g1 = x1[n], x1[n + 1], x2[n], x2[n + 1]
        for q in range(r - 1):
            c = coef[q, 0]
            inner1 = c[0] * d1 + c[1] * v1 + c[2] * f0 + c[3] * f1
            inner2 = c[0] * d2 + c[1] * v2 + c[2] * g0 + c[3] * g1
            u1[n * r + q + 1] = inner1
            u2[n * r + q + 1] = inner2
            _track(inner1, inner2, n * r + q + 1, best, where)
        e1 = a00 * d1 + a01 * v1 + b00 * f0 + b01 * f1
        v1 = a10 * d1 + a11 * v1 + b10 * f0 + b11 * f1
        d1 = e1
        e2 = a00 * d2 + a01 * v2 + b00 * g0 + b01 * g1
        v2 = a10 * d2 + a11 * v2 + b10 * g0 + b11 * g1
        d2 = e2
        u1[(n + 1) * r] = d1
        u2[(n + 1) * r] = d2
        _track(d1, d2, (n + 1) * r, best, where)
    return r * (x1.size - 1) + 1


@numba.njit(parallel=True, cache=True)
def _rotd_kernel(
    h1: np.ndarray,
    h2: np.ndarray,
    coef: np.ndarray,
    ratios: np.ndarray,
    cos_a: np.ndarray,
    sin_a: np.ndarray,
    positions: np.ndarray,
    out: np.ndarray,
) -> None:
    """RotD percentiles of ``max |u_θ|`` for record pairs ``h1, h2`` ``(R, T)`` (numba kernel).

    For each record (in parallel) and oscillator ``p``: the trajectory ``(u1, u2)`` of
    :func:`_trajectory`, the peak at every angle (:func:`_series_rotated_peaks`), sorted, gives
    the percentiles at ``positions`` into ``out`` ``(R, P, Q)``.
    """
    n_rec, n_t = h1.shape
    size = ratios.max() * (n_t - 1) + 1
    for i in numba.prange(n_rec):
        u1 = np.empty(size)
        u2 = np.empty(size)
        peaks = np.empty(cos_a.size)
        where = np.empty(_DIRECTIONS, dtype=np.int64)
        for p in range(coef.shape[0]):
            m = _trajectory(h1[i], h2[i], coef[p], ratios[p], u1, u2, where)
            _series_rotated_peaks(u1, u2, m, where, cos_a, sin_a, peaks)
            _percentiles(np.sort(peaks), positions, out[i, p])


def _angles(angles: int) -> np.ndarray:
    if int(angles) < 1:
        raise DataError(f"angles must be a positive integer, got {angles!r}")
    return np.radians(np.arange(int(angles)) * 180.0 / int(angles))


def rotd(
    h1: Any,
    h2: Any,
    dt: float,
    periods: Any = DEFAULT_PERIODS,
    percentiles: Any = (50, 100),
    angles: int = 180,
    damping: float = 0.05,
    points_per_period: float | None = 10.0,
    workers: int | None = None,
) -> dict[str, Any]:
    """Orientation-independent RotDnn spectra (Boore 2010) of two horizontal components.

    For each period the oscillator displacements ``u1, u2`` of ``h1, h2`` are combined as
    ``u_θ = u1 cos θ + u2 sin θ`` for ``θ = 0, 180/angles, … < 180°`` and ``PSA_θ = ω² max|u_θ|``;
    RotDnn is the ``nn``-th percentile over θ with linear interpolation (NumPy's default, as in
    pyrotd; RotD50 is the mean of the two middle values for 180 angles). The same on the
    accelerations gives PGA RotDnn.

    Args:
        h1, h2: horizontal accelerations of equal shape ``(..., T)``.
        dt: time step [s].
        periods: oscillator periods [s] ``(P,)``, all > 0.
        percentiles: percentiles in [0, 100], e.g. ``(50, 100)``; 0 gives RotD00.
        angles: number of equally spaced angles in [0°, 180°).
        damping: fraction of critical damping ξ.
        points_per_period: oversampling rule of
            :func:`~seismoalice.metrics.psa.response_spectrum`.
        workers: threads (default: all of numba's threads, i.e. all cores).

    Returns:
        ``{"periods": (P,), "percentiles": (Q,), "psa": (..., Q, P), "pga": (..., Q)}`` in
        the units of the input; arrays of the input's type.
    """
    a1, kind = as_signal(h1, "h1")
    a2, _ = as_signal(h2, "h2")
    check_pair(a1, a2)
    dt = check_dt(dt)
    periods = as_positive_vector(periods, "periods")
    damping = check_damping(damping)
    pct = np.atleast_1d(np.asarray(percentiles, dtype=np.float64))
    if ((pct < 0) | (pct > 100)).any():
        raise DataError(f"percentiles must lie in [0, 100], got {pct}")
    theta = _angles(angles)
    positions = pct / 100.0 * (theta.size - 1)
    omega = 2 * np.pi / periods
    ratios = oversampling(periods, dt, points_per_period)
    flat1 = np.ascontiguousarray(a1.reshape(-1, a1.shape[-1]))
    flat2 = np.ascontiguousarray(a2.reshape(-1, a2.shape[-1]))
    coef = interval_coefficients(omega, damping, dt, ratios)
    peaks = np.empty((flat1.shape[0], periods.size, pct.size))
    with numba_threads(workers):
        _rotd_kernel(flat1, flat2, coef, ratios, np.cos(theta), np.sin(theta), positions, peaks)
        pga = _rotated_peaks(flat1, flat2, np.cos(theta), np.sin(theta))
    psa = (peaks * omega[:, None] ** 2).swapaxes(-1, -2)
    pga = np.moveaxis(np.percentile(pga, pct, axis=-1, method="linear"), 0, -1)
    return {
        "periods": periods,
        "percentiles": pct,
        "psa": kind.wrap(psa.reshape(*a1.shape[:-1], pct.size, periods.size)),
        "pga": kind.wrap(pga.reshape(*a1.shape[:-1], pct.size)),
    }
