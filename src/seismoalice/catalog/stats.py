"""Statistical seismology on magnitude and time arrays.

Completeness by maximum curvature (Woessner & Wiemer 2005), Aki–Utsu b-value (Aki 1965; Utsu
binning correction) with the Shi & Bolt (1982) error, b-positive (van der Elst 2021), Omori–Utsu
MLE (Ogata 1983), Båth's ΔM (Båth 1965) and inter-event times (Corral 2004; Hainzl et al. 2006).
Magnitudes on one scale; times in days; distances in km.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from seismoalice.errors import DataError

LOG10_E = np.log10(np.e)


def magnitude_bins(mags: np.ndarray, dm: float) -> np.ndarray:
    """Integer bin index of each magnitude for bins of width ``dm`` centred on multiples of dm."""
    return np.floor(np.asarray(mags, float) / dm + 0.5 + 1e-9).astype(np.int64)


def frequency_magnitude(
    mags: np.ndarray, dm: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frequency–magnitude distribution: (bin centres (B,), incremental counts (B,), cumulative
    counts N(≥ m) (B,)) for bins of width ``dm``."""
    idx = magnitude_bins(mags, dm)
    if idx.size == 0:
        raise DataError("frequency–magnitude distribution of an empty magnitude array")
    k = np.arange(idx.min(), idx.max() + 1)
    counts = np.bincount(idx - idx.min(), minlength=k.size)
    return k * dm, counts, counts[::-1].cumsum()[::-1]


def completeness_maxc(mags: np.ndarray, bin: float = 0.1, correction: float = 0.2) -> float:
    """Completeness magnitude Mc by maximum curvature: centre of the modal bin of the
    incremental frequency–magnitude distribution plus ``correction`` (Woessner & Wiemer 2005)."""
    centres, counts, _ = frequency_magnitude(mags, bin)
    return float(np.round(centres[np.argmax(counts)] + correction, 10))


def completeness_bstability(
    mags: np.ndarray, dm: float = 0.1, step: float = 0.1, width: float = 0.5, min_events: int = 50
) -> float:
    """Completeness Mc by b-value stability (Cao & Gao 2002; Woessner & Wiemer 2005, MBS): the
    lowest Mc, searched upward in ``step`` from the maximum-curvature mode, for which the mean
    of the Aki–Utsu b at Mc, Mc + step, …, Mc + ``width`` differs from b(Mc) by at most the
    Shi–Bolt error of b(Mc). Maximum curvature underestimates Mc where completeness varies in
    time (aftershock sequences); this criterion does not. DataError when fewer than
    ``min_events`` remain before the criterion holds."""
    mags = np.asarray(mags, float)
    mc = completeness_maxc(mags, max(dm, step), correction=0.0)
    while True:
        if _above(mags, mc, dm).size < min_events:
            raise DataError(
                f"b-stability Mc: fewer than {min_events} magnitudes above {mc:g} before b is "
                "stable; set Mc explicitly"
            )
        b, err = b_value_mle(mags, mc, dm)
        upper = [
            b_value_mle(mags, mc + k * step, dm)[0]
            for k in range(1, round(width / step) + 1)
            if _above(mags, mc + k * step, dm).size >= 10
        ]
        if abs(np.mean([b, *upper]) - b) <= err:
            return float(np.round(mc, 10))
        mc += step


def completeness(
    mags: np.ndarray, dm: float = 0.1, method: str = "bstability"
) -> tuple[float, str]:
    """Mc by ``method`` and the method that gave it: ``bstability``
    (:func:`completeness_bstability`; maximum curvature when too few magnitudes decide it) or
    ``maxc`` (maximum curvature + 0.2, :func:`completeness_maxc`; bins of max(Δm, 0.1))."""
    if method not in ("bstability", "maxc"):
        raise DataError(f"unknown Mc method {method!r}; use 'bstability' or 'maxc'")
    if method == "bstability":
        try:
            return completeness_bstability(mags, dm), "bstability"
        except DataError:
            method = "maxc (too few events for b-stability)"
    return completeness_maxc(mags, max(dm, 0.1)), method


def _above(mags: np.ndarray, mc: float, dm: float) -> np.ndarray:
    mags = np.asarray(mags, float)
    return mags[mags >= mc - dm / 2 - 1e-9]


def b_value_mle(mags: np.ndarray, mc: float, dm: float = 0.1) -> tuple[float, float]:
    """Aki–Utsu maximum-likelihood b-value above ``mc`` and its Shi & Bolt (1982) error.

    b = log10(e)/(m̄ − (Mc − Δm/2)) (Aki 1965 with Utsu's binning correction; Δm = 0 for
    continuous magnitudes); σ_b = 2.3·b²·√(Σ(m − m̄)²/(N(N − 1))). Returns (b, σ_b).
    """
    m = _above(mags, mc, dm)
    if m.size < 2:
        raise DataError(f"b-value needs at least 2 magnitudes ≥ Mc = {mc}, got {m.size}")
    excess = m.mean() - (mc - dm / 2)
    if excess <= 0:
        raise DataError(f"b-value undefined: mean magnitude {m.mean():.3f} not above Mc − Δm/2")
    b = LOG10_E / excess
    stderr = 2.3 * b**2 * np.sqrt(np.sum((m - m.mean()) ** 2) / (m.size * (m.size - 1)))
    return float(b), float(stderr)


def b_positive(mags: np.ndarray, dm: float = 0.1, dmc: float | None = None) -> tuple[float, float]:
    """b-positive (van der Elst 2021): the Aki–Utsu estimator applied to the positive
    differences m_i − m_{i−1} ≥ M'c of time-ordered magnitudes, with Mc := M'c (default Δm).

    Robust to short-term aftershock incompleteness. Returns (b+, Shi–Bolt error).
    """
    diffs = np.diff(np.asarray(mags, float))
    mc_diff = dm if dmc is None else dmc
    return b_value_mle(diffs, mc_diff, dm)


def compare_b_estimates(
    b: float, b_err: float, b_plus: float, b_plus_err: float, n_sigma: float = 2.0
) -> dict[str, object]:
    """Whether the Aki–Utsu b and b-positive disagree by more than ``n_sigma`` combined
    standard errors, |b − b+| > n_sigma·√(σ_b² + σ_b+²), and which to trust.

    b-positive uses only positive magnitude differences between consecutive events, so it is
    insensitive to the short-term incompleteness after large events that biases the Aki–Utsu
    estimate (van der Elst 2021); when they disagree, b-positive is the one to trust and the
    catalog is not complete above Mc at all times. When they agree, the Aki–Utsu b has the
    smaller error.
    """
    combined = float(np.hypot(b_err, b_plus_err))
    z = abs(b - b_plus) / combined if combined > 0 else float("inf")
    disagree = bool(z > n_sigma)
    if disagree:
        advice = (
            f"Aki–Utsu b = {b:.3f} ± {b_err:.3f} and b-positive = {b_plus:.3f} ± "
            f"{b_plus_err:.3f} differ by {z:.1f} combined standard errors: the catalog is "
            "probably incomplete after large events (or Mc is wrong); trust b-positive"
        )
    else:
        advice = "Aki–Utsu b and b-positive agree within their errors; Aki–Utsu is more precise"
    return {
        "disagree": disagree,
        "z": z,
        "trust": "b_positive" if disagree else "b",
        "advice": advice,
    }


@dataclass(frozen=True)
class OmoriFit:
    """Omori–Utsu fit n(t) = K/(t + c)^p (t in days): estimates and inverse-Hessian errors."""

    K: float
    c: float
    p: float
    errors: dict[str, float]
    loglik: float
    n_events: int


def _omori_loglik(theta: np.ndarray, t: np.ndarray, s: float, T: float) -> float:
    """Ogata (1983) ln L of θ = (K, c, p) for event times t in [S, T] after the mainshock."""
    K, c, p = theta
    if K <= 0 or c <= 0:
        return -np.inf
    if abs(p - 1) < 1e-9:
        area = np.log((T + c) / (s + c))
    else:
        area = ((T + c) ** (1 - p) - (s + c) ** (1 - p)) / (1 - p)
    return t.size * np.log(K) - p * np.sum(np.log(t + c)) - K * area


def hessian_stderr(hessian: np.ndarray) -> np.ndarray:
    """Standard errors √diag(H⁻¹) from the Hessian (P, P) of −ln L at the optimum; NaN where the
    Hessian has NaN/inf entries, is singular, or its inverse has a negative diagonal."""
    hessian = np.asarray(hessian, float)
    if not np.all(np.isfinite(hessian)):
        return np.full(hessian.shape[0], np.nan)
    try:
        cov = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return np.full(hessian.shape[0], np.nan)
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.diag(cov))


def _numerical_hessian(f, x: np.ndarray, rel_step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of scalar f at x, shape (P, P)."""
    n = x.size
    h = rel_step * np.where(x != 0, np.abs(x), 1.0)
    hess = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            ei, ej = np.eye(n)[i] * h[i], np.eye(n)[j] * h[j]
            val = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * h[i] * h[j]
            )
            hess[i, j] = hess[j, i] = val
    return hess


def omori_fit(
    times_days: np.ndarray, t_start: float | None = None, t_end: float | None = None
) -> OmoriFit:
    """Omori–Utsu K, c, p of an aftershock sequence by maximum likelihood (Ogata 1983).

    ``times_days``: times since the mainshock (days, > 0), events above the sequence's Mc.
    The window [S, T] defaults to [0, max time]. K̂ = N/A(c, p) is profiled out; (ln c, p) are
    maximised numerically; errors are the square roots of the diagonal of the inverse Hessian
    of −ln L in (K, c, p).
    """
    t = np.sort(np.asarray(times_days, float))
    s = 0.0 if t_start is None else float(t_start)
    T = float(t.max()) if t_end is None else float(t_end)
    t = t[(t >= s) & (t <= T)]
    if t.size < 10:
        raise DataError(f"Omori fit needs at least 10 events in [{s}, {T}] days, got {t.size}")

    def k_hat(c: float, p: float) -> float:
        area = (
            np.log((T + c) / (s + c))
            if abs(p - 1) < 1e-9
            else ((T + c) ** (1 - p) - (s + c) ** (1 - p)) / (1 - p)
        )
        return t.size / area

    def neg_profile(z: np.ndarray) -> float:
        c, p = np.exp(np.clip(z[0], -14.0, 3.0)), z[1]
        return -_omori_loglik(np.array([k_hat(c, p), c, p]), t, s, T)

    best = min(
        (
            optimize.minimize(
                neg_profile,
                [np.log(c0), 1.1],
                method="Nelder-Mead",
                options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000},
            )
            for c0 in (1e-3, 1e-2, 1e-1)
        ),
        key=lambda r: r.fun,
    )
    c, p = float(np.exp(np.clip(best.x[0], -14.0, 3.0))), float(best.x[1])
    theta = np.array([k_hat(c, p), c, p])
    hess = _numerical_hessian(lambda x: -_omori_loglik(x, t, s, T), theta)
    errs = hessian_stderr(hess)
    return OmoriFit(
        K=float(theta[0]),
        c=c,
        p=p,
        errors={"K": float(errs[0]), "c": float(errs[1]), "p": float(errs[2])},
        loglik=float(-best.fun),
        n_events=int(t.size),
    )


@dataclass(frozen=True)
class InterEventStats:
    """Inter-event times τ (days, (N−1,)), rescaled θ = τ·N/T, CV = σ_τ/τ̄ and the
    background fraction 1/CV² (Hainzl et al. 2006)."""

    tau: np.ndarray
    rescaled: np.ndarray
    cv: float
    background_fraction: float


def interevent_times(times_days: np.ndarray) -> InterEventStats:
    """Inter-event time distribution of sorted event times (days)."""
    t = np.asarray(times_days, float)
    if t.size < 3:
        raise DataError(f"inter-event statistics need at least 3 events, got {t.size}")
    if np.any(np.diff(t) < 0):
        raise DataError("inter-event times need time-sorted events")
    if not t[-1] > t[0]:
        raise DataError(
            f"all {t.size} events have the same time: inter-event statistics are undefined"
        )
    tau = np.diff(t)
    cv = float(tau.std() / tau.mean())
    return InterEventStats(
        tau=tau, rescaled=tau * t.size / (t[-1] - t[0]), cv=cv, background_fraction=1 / cv**2
    )


@dataclass(frozen=True)
class BathResult:
    """Båth's law per sequence: mainshock row indices (S,), ΔM = M_main − M_largest aftershock
    (S,), and their mean (NaN when no sequence qualifies)."""

    mainshock_index: np.ndarray
    delta_m: np.ndarray
    mean: float


def bath_delta_m(
    catalog,
    min_main_magnitude: float,
    window_days: float = 365.0,
    radius_km: float | None = 50.0,
    foreshock_days: float | None = None,
) -> BathResult:
    """Båth's ΔM for every mainshock ≥ ``min_main_magnitude`` (Båth 1965).

    A mainshock is an event with no larger event within ``radius_km`` in the ``foreshock_days``
    before (default ``window_days``) or the ``window_days`` after it; its aftershocks are the
    events within ``radius_km`` in the ``window_days`` after it. ``radius_km=None`` ignores space
    (temporal catalogs). Mainshocks without aftershocks are skipped. Use the same definition for
    catalogs you compare (etas.md §9).
    """
    t = catalog.times_days()
    m = catalog.magnitudes
    before = window_days if foreshock_days is None else foreshock_days
    if radius_km is not None:
        x, y = catalog.xy_km()
    mains, deltas = [], []
    for i in np.flatnonzero(m >= min_main_magnitude):
        lo = np.searchsorted(t, t[i] - before, side="left")
        hi = np.searchsorted(t, t[i] + window_days, side="right")
        idx = np.arange(lo, hi)
        if radius_km is not None:
            idx = idx[np.hypot(x[idx] - x[i], y[idx] - y[i]) <= radius_km]
        others = idx[idx != i]
        if np.any(m[others] > m[i]) or np.any((m[others] == m[i]) & (others < i)):
            continue
        after = others[t[others] >= t[i]]
        after = after[after > i]
        if after.size:
            mains.append(i)
            deltas.append(m[i] - m[after].max())
    delta = np.asarray(deltas, float)
    return BathResult(
        mainshock_index=np.asarray(mains, np.int64),
        delta_m=delta,
        mean=float(delta.mean()) if delta.size else float("nan"),
    )
