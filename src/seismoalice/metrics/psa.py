"""Response spectra of linear SDOF oscillators (PSA, PSV, SD) and RotD (Boore 2010).

The oscillator ``ü + 2ξω u̇ + ω² u = −a(t)`` is integrated with the exact piecewise-linear
recurrence of Nigam & Jennings (1969): if ``a`` is linear between samples, the state
``x_n = [u_n, u̇_n]`` obeys ``x_{n+1} = A x_n + B [a_n, a_{n+1}]ᵀ`` exactly.

Speed: one compiled kernel (numba) runs the 2-state recurrence in float64 for a block of up to
64 records at once (the records are the vector lanes, so the loop over them vectorises),
period after period, keeping only the running ``max |u|`` per record and period: nothing of
the size of the whole response is stored.  Blocks of records run in parallel on all cores
(``workers`` threads if given).  The first call in a fresh environment compiles the kernel
(a few seconds); the machine code is cached in ``__pycache__`` for later processes.

Oversampling: the recurrence is exact, but ``max |u|`` is only looked at on the time grid.
For ``T < points_per_period · Δt`` (``T < 10 Δt`` by default) the response is also evaluated
at ``r − 1`` equally spaced times inside every sampling interval,
``r = ceil(points_per_period · Δt / T)``, for the same piecewise-linear input (identical to
linearly interpolating the record to ``Δt / r``), each from the state at the interval's start
by the exact recurrence over the partial step.  The record is thus treated as piecewise
linear, as in Nigam & Jennings; a band-limited (sinc) reading of the record, as in
frequency-domain codes such as pyrotd, drives an oscillator at frequency ``f`` harder by up to
``1 / sinc²(fΔt)`` (3 % at ``T = 10 Δt``); resample the record (e.g.
``scipy.signal.resample``) before calling for that convention.

The peak is taken over the record's duration ``[0, (T−1)Δt]``; append zeros to include the
free vibration after the record ends.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numba
import numpy as np

from seismoalice.errors import DataError
from seismoalice.metrics._arrays import as_positive_vector, as_signal, check_dt, check_pair

#: 100 log-spaced oscillator periods from 0.01 s to 10 s (PGA is reported separately as T = 0).
DEFAULT_PERIODS = np.logspace(-2, 1, 100)

SpectrumKind = Literal["psa", "psv", "sd"]

_LANES = 64  # records per kernel block (vector lanes); 64 measured fastest on 2 EPYC cores
_LANE_STEP = 8  # block widths are multiples of one AVX-512 register of float64
_CHUNK_SAMPLES = 1 << 18  # rotd: samples per record chunk (bounds the displacement memory)


def _check_damping(damping: float) -> float:
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


def _interval_coefficients(
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
        coef: :func:`_interval_coefficients` ``(P, max r, 2, 4)``.
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


def _oversampling(periods: np.ndarray, dt: float, points_per_period: float | None) -> np.ndarray:
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


def _run_oscillators(
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
    threads = numba.get_num_threads()
    if workers is not None:
        if int(workers) < 1:
            raise DataError(f"workers must be a positive integer, got {workers!r}")
        threads = min(int(workers), numba.config.NUMBA_NUM_THREADS)
    n_blocks, lanes = _blocks(n_rec, threads)
    coef = _interval_coefficients(omega, damping, dt, ratios)
    peaks = np.empty((n_rec, omega.size))
    r = int(ratios.max())
    series = np.zeros((omega.size, r * (n_t - 1) + 1, n_blocks * lanes)) if keep_series else None
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        _oscillate(np.ascontiguousarray(acc), coef, ratios, lanes, peaks, series)
    finally:
        numba.set_num_threads(previous)
    if series is None:
        return peaks, None
    return peaks, np.ascontiguousarray(series[..., :n_rec].transpose(2, 0, 1))


def _prepare(
    acc: Any, dt: float, periods: Any, damping: float
) -> tuple[np.ndarray, Any, float, np.ndarray, float]:
    arr, kind = as_signal(acc)
    return (
        arr,
        kind,
        check_dt(dt),
        as_positive_vector(periods, "periods", True),
        _check_damping(damping),
    )


def response_spectrum(
    acc: Any,
    dt: float,
    periods: Any = DEFAULT_PERIODS,
    damping: float = 0.05,
    kind: SpectrumKind = "psa",
    points_per_period: float | None = 10.0,
    workers: int | None = None,
) -> Any:
    """Response spectrum of acceleration records by the exact recurrence (Nigam & Jennings 1969).

    Args:
        acc: ground acceleration, shape ``(T,)``, ``(C, T)`` or ``(N, C, T)`` (any unit, e.g.
            m/s² or g); NumPy array or torch tensor.
        dt: time step [s].
        periods: oscillator periods [s], shape ``(P,)``; ``T = 0`` gives PGA.
        damping: fraction of critical damping ξ (0.05 = 5 %).
        kind: ``"psa"`` (ω²·SD, units of ``acc``), ``"psv"`` (ω·SD, units of ``acc``·s) or
            ``"sd"`` (max |u|, units of ``acc``·s²).
        points_per_period: oversample periods shorter than this many time steps (see module
            docstring); ``None`` looks at the response on the record's time grid only.  The
            peak sampled ``k`` times per period can be low by up to ``1 − cos(π/k)``; on a
            real 200 Hz record the default 10 is within 1.5 % of the continuous peak at all
            periods (largest just above ``10 Δt``), 20 within 0.6 %, at more cost.
        workers: threads (default: all of numba's threads, i.e. all cores).

    Returns:
        Spectrum of shape ``(..., P)`` (leading shape of ``acc``), same array type as ``acc``.
    """
    arr, akind, dt, periods, damping = _prepare(acc, dt, periods, damping)
    if kind not in ("psa", "psv", "sd"):
        raise DataError(f"kind must be 'psa', 'psv' or 'sd', got {kind!r}")
    flat = arr.reshape(-1, arr.shape[-1])
    result = np.empty((flat.shape[0], periods.size))
    zero = periods == 0
    result[:, zero] = np.abs(flat).max(axis=1, keepdims=True) if kind == "psa" else 0.0
    if not zero.all():
        omega = 2 * np.pi / periods[~zero]
        ratios = _oversampling(periods[~zero], dt, points_per_period)
        peaks, _ = _run_oscillators(flat, omega, damping, dt, ratios, workers)
        result[:, ~zero] = peaks * omega ** {"sd": 0, "psv": 1, "psa": 2}[kind]
    return akind.wrap(result.reshape(*arr.shape[:-1], periods.size))


def sdof_displacement(
    acc: Any,
    dt: float,
    periods: Any,
    damping: float = 0.05,
    oversample: int = 1,
    workers: int | None = None,
) -> Any:
    """Relative displacement time series ``u(t)`` of SDOF oscillators (Nigam & Jennings 1969).

    Args:
        acc: ground acceleration ``(..., T)`` [any unit; u is in that unit × s²].
        dt: time step [s].
        periods: oscillator periods [s], shape ``(P,)``, all > 0.
        damping: fraction of critical damping ξ.
        oversample: evaluate ``u`` at ``Δt / oversample`` for the piecewise-linear input.
        workers: threads (default: all cores).

    Returns:
        ``u`` of shape ``(..., P, oversample·(T−1) + 1)`` at ``t = i Δt / oversample``,
        ``u(0) = u̇(0) = 0``.
    """
    arr, akind, dt, periods, damping = _prepare(acc, dt, periods, damping)
    if (periods == 0).any():
        raise DataError("periods: sdof_displacement needs periods > 0")
    if int(oversample) < 1:
        raise DataError(f"oversample must be a positive integer, got {oversample!r}")
    flat = arr.reshape(-1, arr.shape[-1])
    ratios = np.full(periods.size, int(oversample), dtype=np.int64)
    _, series = _run_oscillators(flat, 2 * np.pi / periods, damping, dt, ratios, workers, True)
    return akind.wrap(series.reshape(*arr.shape[:-1], *series.shape[1:]))


_REFERENCE_ANGLES = np.radians(np.arange(8) * 22.5)


@numba.njit(parallel=True, cache=True)
def _rotated_peaks(u1: np.ndarray, u2: np.ndarray, cos_a: np.ndarray, sin_a: np.ndarray) -> Any:
    """``max_t |u1 cos θ + u2 sin θ|`` for every series ``(S, T)`` and angle ``(A,)``.

    Exact, with pruning: the points that maximise the projection on 8 reference directions give
    a lower bound ``lb(θ)`` of every angle's peak, and a point whose radius is below
    ``min_θ lb(θ)`` cannot be the peak at any angle, so only the few points outside that circle
    are projected on all angles.
    """
    n_series, n_t = u1.shape
    n_ang = cos_a.size
    ref_c, ref_s = np.cos(_REFERENCE_ANGLES), np.sin(_REFERENCE_ANGLES)
    out = np.empty((n_series, n_ang))
    for i in numba.prange(n_series):
        best = np.zeros(8)
        where = np.zeros(8, dtype=np.int64)
        for t in range(n_t):
            for k in range(8):
                v = abs(u1[i, t] * ref_c[k] + u2[i, t] * ref_s[k])
                if v > best[k]:
                    best[k] = v
                    where[k] = t
        bound = np.inf
        for a in range(n_ang):
            lb = 0.0
            for k in range(8):
                lb = max(lb, abs(u1[i, where[k]] * cos_a[a] + u2[i, where[k]] * sin_a[a]))
            out[i, a] = lb
            bound = min(bound, lb)
        bound2 = bound * bound
        for t in range(n_t):
            x, y = u1[i, t], u2[i, t]
            if x * x + y * y >= bound2:
                for a in range(n_ang):
                    v = abs(x * cos_a[a] + y * sin_a[a])
                    if v > out[i, a]:
                        out[i, a] = v
    return out


def _rotated_percentiles(
    h1: np.ndarray, h2: np.ndarray, percentiles: np.ndarray, angles: np.ndarray
) -> np.ndarray:
    """Percentiles over angles of ``max_t |h1 cos θ + h2 sin θ|``; inputs ``(..., T)``.

    Returns shape ``(..., Q)``.
    """
    rad = np.radians(angles)
    flat1 = np.ascontiguousarray(h1.reshape(-1, h1.shape[-1]), dtype=np.float64)
    flat2 = np.ascontiguousarray(h2.reshape(-1, h2.shape[-1]), dtype=np.float64)
    peaks = _rotated_peaks(flat1, flat2, np.cos(rad), np.sin(rad))
    result = np.percentile(peaks, percentiles, axis=-1, method="linear")
    return np.moveaxis(result, 0, -1).reshape(*h1.shape[:-1], percentiles.size)


def rotd(
    h1: Any,
    h2: Any,
    dt: float,
    periods: Any = DEFAULT_PERIODS,
    percentiles: Any = (50, 100),
    angles: int = 180,
    damping: float = 0.05,
    points_per_period: float | None = 10.0,
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
        points_per_period: oversampling rule of :func:`response_spectrum`.

    Returns:
        ``{"periods": (P,), "percentiles": (Q,), "psa": (..., Q, P), "pga": (..., Q)}`` in
        the units of the input; arrays of the input's type.
    """
    a1, kind = as_signal(h1, "h1")
    a2, _ = as_signal(h2, "h2")
    check_pair(a1, a2)
    dt = check_dt(dt)
    periods = as_positive_vector(periods, "periods")
    damping = _check_damping(damping)
    pct = np.atleast_1d(np.asarray(percentiles, dtype=np.float64))
    if ((pct < 0) | (pct > 100)).any():
        raise DataError(f"percentiles must lie in [0, 100], got {pct}")
    if int(angles) < 1:
        raise DataError(f"angles must be a positive integer, got {angles!r}")
    theta = np.arange(int(angles)) * 180.0 / int(angles)
    omega = 2 * np.pi / periods
    ratios = _oversampling(periods, dt, points_per_period)
    flat1, flat2 = a1.reshape(-1, a1.shape[-1]), a2.reshape(-1, a2.shape[-1])
    psa = np.empty((flat1.shape[0], pct.size, periods.size))
    chunk = max(1, _CHUNK_SAMPLES // (8 * a1.shape[-1]))
    for r in np.unique(ratios):
        idx = np.flatnonzero(ratios == r)
        for start in range(0, flat1.shape[0], chunk):
            part = slice(start, start + chunk)
            u1 = sdof_displacement(flat1[part], dt, periods[idx], damping, int(r))
            u2 = sdof_displacement(flat2[part], dt, periods[idx], damping, int(r))
            rotated = _rotated_percentiles(u1, u2, pct, theta).swapaxes(-1, -2)
            psa[part, :, idx] = rotated * omega[idx] ** 2
    psa = psa.reshape(*a1.shape[:-1], pct.size, periods.size)
    pga = _rotated_percentiles(a1, a2, pct, theta)
    return {
        "periods": periods,
        "percentiles": pct,
        "psa": kind.wrap(psa),
        "pga": kind.wrap(pga),
    }
