"""The SDOF oscillator kernel: exact Nigam & Jennings (1969) recurrence, batched over records.

The oscillator ``ü + 2ξω u̇ + ω² u = −a(t)`` is integrated with the exact piecewise-linear
recurrence of Nigam & Jennings (1969): if ``a`` is linear between samples, the state
``x_n = [u_n, u̇_n]`` obeys ``x_{n+1} = A x_n + B [a_n, a_{n+1}]ᵀ`` exactly.

Speed: one compiled kernel (numba) runs the 2-state recurrence in float64 for a block of up to
64 records at once (the records are the vector lanes, so the loop over them vectorises),
period after period, keeping only the running ``max |u|`` per record and period (or, on
request, the whole displacement series).  Blocks of records run in parallel on all cores
(``workers`` threads if given).  The first call in a fresh environment compiles the kernel
(a few seconds); the machine code is cached in ``__pycache__`` for later processes.

Oversampling: the recurrence is exact, but ``max |u|`` is only looked at on the time grid.
For ``T < points_per_period · Δt`` the response is also evaluated at ``r − 1`` equally spaced
times inside every sampling interval, ``r = ceil(points_per_period · Δt / T)``, for the same
piecewise-linear input (identical to linearly interpolating the record to ``Δt / r``), each
from the state at the interval's start by the exact recurrence over the partial step
(:func:`interval_coefficients`).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import numba
import numpy as np

from seismoalice.errors import DataError

_LANES = 64  # records per kernel block (vector lanes); 64 measured fastest on 2 EPYC cores
_LANE_STEP = 8  # block widths are multiples of one AVX-512 register of float64


def check_damping(damping: float) -> float:
    value = float(damping)
    if not 0 <= value < 1:
        raise DataError(f"damping must lie in [0, 1) (fraction of critical), got {damping!r}")
    return value


def nigam_jennings(omega: np.ndarray, damping: float, dt: Any) -> tuple[np.ndarray, np.ndarray]:
    """Exact first-order-hold discretisation of the SDOF oscillator (Nigam & Jennings 1969).

    Args:
        omega: natural angular frequencies ω = 2π/T [rad/s], shape ``(P,)`` (any shape).
        damping: fraction of critical damping ξ, ``0 ≤ ξ < 1``.
        dt: time step [s], a scalar or an array of the shape of ``omega``.

    Returns:
        ``A`` of shape ``(P, 2, 2)`` and ``B`` of shape ``(P, 2, 2)`` such that
        ``[u, u̇]_{n+1} = A [u, u̇]_n + B [a_n, a_{n+1}]`` for ``ü + 2ξωu̇ + ω²u = −a``.
    """
    w = np.asarray(omega, dtype=np.float64)
    xi = damping
    s = math.sqrt(1.0 - xi * xi)
    wd = w * s
    e = np.exp(-xi * w * dt)
    sn = np.sin(wd * dt)
    cs = np.cos(wd * dt)
    k1 = (2 * xi * xi - 1) / (w * w * dt)
    k2 = 2 * xi / (w**3 * dt)
    c_minus = cs - xi / s * sn
    c_plus = wd * sn + xi * w * cs
    a = np.empty((*w.shape, 2, 2))
    a[..., 0, 0] = e * (xi / s * sn + cs)
    a[..., 0, 1] = e * sn / wd
    a[..., 1, 0] = -(w / s) * e * sn
    a[..., 1, 1] = e * c_minus
    b = np.empty((*w.shape, 2, 2))
    b[..., 0, 0] = e * ((k1 + xi / w) * sn / wd + (k2 + 1 / (w * w)) * cs) - k2
    b[..., 0, 1] = -e * (k1 * sn / wd + k2 * cs) - 1 / (w * w) + k2
    b[..., 1, 0] = e * ((k1 + xi / w) * c_minus - (k2 + 1 / (w * w)) * c_plus) + 1 / (w * w * dt)
    b[..., 1, 1] = -e * (k1 * c_minus - k2 * c_plus) - 1 / (w * w * dt)
    return a, b


def interval_coefficients(
    omega: np.ndarray, damping: float, dt: float, ratios: np.ndarray
) -> np.ndarray:
    """State at the ``r`` points ``t_n + q Δt / r``, ``q = 1 … r``, of each sampling interval.

    Over ``[t_n, t_n + s]``, ``s = q Δt / r``, the input is linear from ``a_n`` to
    ``(1 − q/r) a_n + (q/r) a_{n+1}``, so the Nigam–Jennings step of length ``s`` gives
    ``x(t_n + s) = A(s) x_n + (B₀(s) + (1 − q/r) B₁(s)) a_n + (q/r) B₁(s) a_{n+1}`` exactly.

    Args:
        omega: angular frequencies [rad/s] ``(P,)``, all > 0.
        damping: fraction of critical damping ξ.
        dt: time step [s].
        ratios: oversampling factor ``r ≥ 1`` of each oscillator ``(P,)``.

    Returns:
        ``(P, max r, 2, 4)``: entry ``[p, q − 1]`` maps ``[u_n, u̇_n, a_n, a_{n+1}]`` to
        ``[u, u̇]`` at ``t_n + q Δt / r_p`` (rows ``q > r_p`` unused); row ``r_p − 1`` is
        ``[A | B]`` of the full step.
    """
    q = np.arange(1, int(ratios.max()) + 1)
    frac = np.minimum(q[None, :], ratios[:, None]) / ratios[:, None]
    a, b = nigam_jennings(np.broadcast_to(omega[:, None], frac.shape), damping, frac * dt)
    coef = np.empty((*frac.shape, 2, 4))
    coef[..., :2] = a
    coef[..., 2] = b[..., 0] + (1 - frac[..., None]) * b[..., 1]
    coef[..., 3] = frac[..., None] * b[..., 1]
    return coef


@numba.njit(parallel=True, cache=True, fastmath={"contract"})
def _oscillate(
    acc: np.ndarray,
    coef: np.ndarray,
    ratios: np.ndarray,
    lanes: int,
    peaks: np.ndarray,
    series: np.ndarray | None,
) -> None:
    """Run the interval recurrence of every oscillator over every record (numba kernel).

    Records are taken ``lanes`` at a time (a parallel loop over these blocks); for each
    oscillator the state of all records of a block is advanced one sampling interval at a
    time, first evaluating ``u`` at the ``r − 1`` inner points from the state at the interval's
    start, then stepping the state to the interval's end.  Zero initial state.

    Args:
        acc: records ``(R, T)``, float64, C-contiguous.
        coef: :func:`interval_coefficients` ``(P, max r, 2, 4)``.
        ratios: oversampling factors ``(P,)``, int64.
        lanes: records per block.
        peaks: output ``max |u|`` over all evaluated times, ``(R, P)``.
        series: output ``u`` at ``t = i Δt / r`` (one ``r`` for all oscillators),
            ``(P, r (T − 1) + 1, R_pad)`` with ``R_pad ≥`` blocks × ``lanes`` (records last, so
            that the stores are contiguous), index 0 of the time axis left as given; or None
            to keep the peaks only (numba then compiles a variant without the stores).
    """
    n_rec, n_t = acc.shape
    for block in numba.prange((n_rec + lanes - 1) // lanes):
        first = block * lanes
        width = min(lanes, n_rec - first)
        x = np.zeros((n_t, lanes))
        for j in range(width):
            for n in range(n_t):
                x[n, j] = acc[first + j, n]
        u = np.empty(lanes)
        v = np.empty(lanes)
        top = np.empty(lanes)
        for p in range(coef.shape[0]):
            r = ratios[p]
            step = coef[p, r - 1]
            a00, a01, b00, b01 = step[0, 0], step[0, 1], step[0, 2], step[0, 3]
            a10, a11, b10, b11 = step[1, 0], step[1, 1], step[1, 2], step[1, 3]
            u[:] = 0.0
            v[:] = 0.0
            top[:] = 0.0
            for n in range(n_t - 1):
                x0 = x[n]
                x1 = x[n + 1]
                for q in range(r - 1):
                    g0, g1, g2, g3 = (
                        coef[p, q, 0, 0],
                        coef[p, q, 0, 1],
                        coef[p, q, 0, 2],
                        coef[p, q, 0, 3],
                    )
                    for j in range(lanes):
                        inner = g0 * u[j] + g1 * v[j] + g2 * x0[j] + g3 * x1[j]
                        top[j] = max(top[j], abs(inner))
                        if series is not None:
                            series[p, n * r + q + 1, first + j] = inner
                for j in range(lanes):
                    end = a00 * u[j] + a01 * v[j] + b00 * x0[j] + b01 * x1[j]
                    v[j] = a10 * u[j] + a11 * v[j] + b10 * x0[j] + b11 * x1[j]
                    u[j] = end
                    top[j] = max(top[j], abs(end))
                    if series is not None:
                        series[p, (n + 1) * r, first + j] = end
            for j in range(width):
                peaks[first + j, p] = top[j]


def oversampling(periods: np.ndarray, dt: float, points_per_period: float | None) -> np.ndarray:
    """Oversampling factor per period, ``max(1, ceil(points_per_period·Δt/T))``.

    The cost of a period grows with its factor: very short periods (``T ≪ Δt``) are costly and
    need none (their response follows the input quasi-statically); use ``T = 0`` for PGA.
    """
    if points_per_period is None:
        return np.ones(periods.shape, dtype=np.int64)
    return np.maximum(1, np.ceil(points_per_period * dt / periods - 1e-9)).astype(np.int64)


def _blocks(n_rec: int, threads: int) -> tuple[int, int]:
    """Number of record blocks and records per block (a multiple of ``_LANE_STEP``).

    At most ``_LANES`` records a block, and at least one block per thread while each still
    fills a vector register.
    """
    n_blocks = max(-(-n_rec // _LANES), min(threads, -(-n_rec // _LANE_STEP)))
    per_block = -(-n_rec // n_blocks)
    return n_blocks, -(-per_block // _LANE_STEP) * _LANE_STEP


@contextlib.contextmanager
def numba_threads(workers: int | None) -> Iterator[int]:
    """Run numba's parallel kernels on ``workers`` threads (None: all of numba's threads).

    Yields the thread count; restores the previous count on exit.

    Raises:
        DataError: ``workers`` is not a positive integer.
    """
    threads = numba.get_num_threads()
    if workers is not None:
        if int(workers) < 1:
            raise DataError(f"workers must be a positive integer, got {workers!r}")
        threads = min(int(workers), numba.config.NUMBA_NUM_THREADS)
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield threads
    finally:
        numba.set_num_threads(previous)


def run_oscillators(
    acc: np.ndarray,
    omega: np.ndarray,
    damping: float,
    dt: float,
    ratios: np.ndarray,
    workers: int | None,
    keep_series: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Peaks ``max |u|`` ``(R, P)`` of records ``(R, T)`` and, if ``keep_series`` (all ``ratios``
    equal to ``r``), ``u`` at ``t = i Δt / r``, ``(R, P, r (T − 1) + 1)``."""
    n_rec, n_t = acc.shape
    coef = interval_coefficients(omega, damping, dt, ratios)
    peaks = np.empty((n_rec, omega.size))
    r = int(ratios.max())
    with numba_threads(workers) as threads:
        n_blocks, lanes = _blocks(n_rec, threads)
        shape = (omega.size, r * (n_t - 1) + 1, n_blocks * lanes)
        series = np.zeros(shape) if keep_series else None
        _oscillate(np.ascontiguousarray(acc), coef, ratios, lanes, peaks, series)
    if series is None:
        return peaks, None
    return peaks, np.ascontiguousarray(series[..., :n_rec].transpose(2, 0, 1))
