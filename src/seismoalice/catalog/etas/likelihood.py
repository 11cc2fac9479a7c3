"""ETAS log-likelihoods in torch (float64, differentiable in the parameters).

Temporal (etas.md §1): ln L = Σ_{targets} ln λ(t_j) − Λ with the exact compensator
Λ = μ(T_e − T_s) + Σ_i κ(m_i)[H(T_e − t_i) − H(max(0, T_s − t_i))]. The pair sum in λ(t_j) is
split on a grid of time bins of width w: pairs at most ``near_bins`` bins apart are summed
exactly; older source bins enter through their κ-weighted moments (mass, centroid, variance),
and their field is expanded to second order about each target bin's midpoint (a one-dimensional
fast-multipole scheme; relative error O((2·near_bins)^{−3}) on the nearest far bin).
Cost O(N·pairs per event + bins²) instead of O(N²). The exact near sum and its derivatives in
(α, c, p, 1/τ) are one compiled pass over the pairs (:func:`_near_sums`, numba) that allocates
nothing per pair: on real catalogs (millions of near pairs) the per-pair tensors of a torch
autograd graph cost more in page faults (mmap/munmap of large buffers: system time) than in
arithmetic.

Space–time (etas.md §2, Ogata 1998):
λ(t, x, y) = μ·u(x, y) + Σ κ(m_i)·g(t − t_i)·f(x − x_i, y − y_i | m_i), u the background density
(uniform 1/|R|, or by stochastic declustering, :mod:`.background`),
with the triggering kernel restricted to 0 < Δt ≤ max_dt and r ≤ max_dist (per source event),
consistently in the pair sum and in Λ (spatial integral of f over the rectangle ∩ disk by angular
quadrature of the radial CDF). Offspring beyond the cut-offs are absorbed by the background; the
cut should scale with the parent's kernel scale √σ(m) (see :func:`..fit.fit_etas`).

Both kernels of :func:`omori_density` (untapered, tapered) are differentiable in c, p and τ;
the upper incomplete gamma function's derivative in s is a central difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import torch
from scipy.spatial import cKDTree

from seismoalice.catalog.etas.params import upper_gamma_np

Tensor = torch.Tensor
DTYPE = torch.float64
#: cost of one far (target bin, source bin) pair relative to one near event pair, measured
#: (forward + backward) on the San Jacinto catalog: ≈ 300 ns vs ≈ 20 ns
FAR_COST = 16


def ragged_arange(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of arange(starts[k], starts[k] + counts[k]) for all k (int64)."""
    counts = np.asarray(counts, np.int64)
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    return np.repeat(np.asarray(starts, np.int64) - offsets, counts) + np.arange(total)


@dataclass
class TemporalData:
    """Pre-computed pair structure of a temporal ETAS likelihood.

    ``t``, ``dm`` (m − m0): all events (N,) incl. pre-window triggers; ``targets`` (J,) indices
    of events in [t_s, t_e]; near sources of target j are the events ``near_lo[j]`` ..
    ``targets[j] − 1`` (those with Δt > 0 count); far bin pairs (``far_tb`` target bin,
    ``far_sb`` source bin);
    ``bin_of`` (N,) bin of each event, ``mid`` (n_bins,) bin midpoints, ``delta`` (J,) target
    time minus its bin midpoint.
    """

    t: Tensor
    dm: Tensor
    targets: Tensor
    t_s: float
    t_e: float
    near_lo: np.ndarray
    n_near: int
    far_tb: Tensor
    far_sb: Tensor
    bin_of: Tensor
    mid: Tensor
    delta: Tensor
    n_bins: int

    @property
    def n_pairs(self) -> int:
        """Number of exact event pairs plus aggregated bin pairs evaluated per call."""
        return int(self.n_near + self.far_tb.numel())


def _bins(t: np.ndarray, n_bins: int) -> tuple[np.ndarray, float]:
    width = (t[-1] - t[0]) / n_bins if t[-1] > t[0] else 1.0
    return np.minimum(((t - t[0]) / width).astype(np.int64), n_bins - 1), width


def _far_bin_pairs(
    bin_of: np.ndarray, targets: np.ndarray, n_bins: int, near_bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """(target bin, source bin) pairs with the source bin nonempty and ≥ near_bins + 1 earlier."""
    target_bins = np.unique(bin_of[targets])
    nonempty = np.flatnonzero(np.bincount(bin_of, minlength=n_bins))
    n_far = np.searchsorted(nonempty, target_bins - near_bins - 1, side="right")
    return np.repeat(target_bins, n_far), nonempty[ragged_arange(np.zeros_like(n_far), n_far)]


def temporal_data(
    t: np.ndarray,
    dm: np.ndarray,
    t_s: float,
    t_e: float,
    near_bins: int = 8,
    n_bins: int | None = None,
) -> TemporalData:
    """Pair structure for sorted times ``t`` (days, (N,)) and ``dm`` = m − m0 (N,).

    ``n_bins`` defaults to the count among 2^k that minimises the work per evaluation.
    """
    t = np.asarray(t, float)
    targets = np.flatnonzero((t >= t_s) & (t <= t_e))

    def near_starts(bin_of: np.ndarray) -> np.ndarray:
        return np.searchsorted(bin_of, bin_of[targets] - near_bins, side="left")

    if n_bins is None:

        def cost(nb: int) -> int:
            bin_of = _bins(t, nb)[0]
            nonempty = np.flatnonzero(np.bincount(bin_of, minlength=nb))
            target_bins = np.unique(bin_of[targets])
            n_far = np.searchsorted(nonempty, target_bins - near_bins - 1, side="right")
            return int((targets - near_starts(bin_of)).sum() + FAR_COST * n_far.sum())

        n_bins = min((2**k for k in range(3, 15) if 2**k <= max(8, t.size)), key=cost)
    bin_of, width = _bins(t, n_bins)
    lo = near_starts(bin_of)
    far_tb, far_sb = _far_bin_pairs(bin_of, targets, n_bins, near_bins)
    mid = t[0] + (np.arange(n_bins) + 0.5) * width
    as_long = lambda a: torch.as_tensor(a, dtype=torch.int64)  # noqa: E731
    as_float = lambda a: torch.as_tensor(np.asarray(a, float), dtype=DTYPE)  # noqa: E731
    return TemporalData(
        t=as_float(t),
        dm=as_float(dm),
        targets=as_long(targets),
        t_s=float(t_s),
        t_e=float(t_e),
        near_lo=lo.astype(np.int64),
        n_near=int((targets - lo).sum()),
        far_tb=as_long(far_tb),
        far_sb=as_long(far_sb),
        bin_of=as_long(bin_of),
        mid=as_float(mid),
        delta=as_float(t[targets] - mid[bin_of[targets]]),
        n_bins=int(n_bins),
    )


class _UpperGamma(torch.autograd.Function):
    """Γ(s, x) with gradients: ∂/∂x = −x^{s−1}e^{−x}; ∂/∂s by a central difference."""

    @staticmethod
    def forward(ctx, s: Tensor, x: Tensor) -> Tensor:
        ctx.save_for_backward(s, x)
        return torch.as_tensor(upper_gamma_np(float(s), x.detach().numpy()), dtype=DTYPE)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, Tensor]:
        s, x = ctx.saved_tensors
        sv, xn = float(s), x.numpy()
        step = 1e-6 * max(1.0, abs(sv))
        d_s = (upper_gamma_np(sv + step, xn) - upper_gamma_np(sv - step, xn)) / (2 * step)
        d_x = -np.exp((sv - 1) * np.log(xn) - xn)
        return (grad * torch.as_tensor(d_s)).sum().reshape(s.shape), grad * torch.as_tensor(d_x)


def upper_gamma(s: Tensor, x: Tensor) -> Tensor:
    """Differentiable Γ(s, x) (scalar s, tensor x > 0)."""
    return _UpperGamma.apply(s, x)


def omori_density(dt: Tensor, c: Tensor, p: Tensor, tau: Tensor | None = None) -> Tensor:
    """Normalised Omori–Utsu kernel h(Δt) [1/day], ∫₀^∞ h = 1 (etas.md §1, §3).

    ``tau`` None: h = (p − 1)·c^{p−1}·(Δt + c)^{−p} (needs p > 1). Finite ``tau`` [day]
    (Mizrahi et al. 2021 taper, any p): h = e^{−Δt/τ}·(Δt + c)^{−p}/Z with
    Z = τ^{1−p}·e^{c/τ}·Γ(1 − p, c/τ).
    """
    if tau is None:
        return (p - 1) * torch.exp((p - 1) * torch.log(c) - p * torch.log(dt + c))
    log_z = (1 - p) * torch.log(tau) + c / tau + torch.log(upper_gamma(1 - p, c / tau))
    return torch.exp(-dt / tau - p * torch.log(dt + c) - log_z)


def omori_cdf(dt: Tensor, c: Tensor, p: Tensor, tau: Tensor | None = None) -> Tensor:
    """H(Δt) = ∫₀^Δt h: 1 − (1 + Δt/c)^{1−p}, or with the taper
    1 − Γ(1 − p, (Δt + c)/τ)/Γ(1 − p, c/τ) (etas.md §4)."""
    if tau is None:
        return -torch.expm1((1 - p) * torch.log1p(dt / c))
    return 1 - upper_gamma(1 - p, (dt + c) / tau) / upper_gamma(1 - p, c / tau)


@numba.njit(cache=True)
def _near_sums(
    t: np.ndarray,
    weight: np.ndarray,
    dm: np.ndarray,
    targets: np.ndarray,
    lo: np.ndarray,
    c: float,
    p: float,
    inv_tau: float,
) -> np.ndarray:
    """S_j = Σ_i w_i·u(t_j − t_i) over the near sources of each target with the unnormalised
    kernel u(Δt) = e^{−Δt/τ}(Δt + c)^{−p}, and its derivatives in α (w_i = e^{α·dm_i}), c, p
    and 1/τ: rows of the (5, J) result."""
    out = np.zeros((5, targets.size))
    for jj in range(targets.size):
        j = targets[jj]
        s0 = s_alpha = s_c = s_p = s_tau = 0.0
        for i in range(lo[jj], j):
            dt = t[j] - t[i]
            if dt <= 0.0:
                continue
            log_x = np.log(dt + c)
            u = weight[i] * np.exp(-p * log_x - dt * inv_tau)
            s0 += u
            s_alpha += dm[i] * u
            s_c += u / (dt + c)
            s_p += u * log_x
            s_tau += u * dt
        out[0, jj] = s0
        out[1, jj] = s_alpha
        out[2, jj] = -p * s_c
        out[3, jj] = -s_p
        out[4, jj] = -s_tau
    return out


class _NearSum(torch.autograd.Function):
    """Σ_i e^{α·dm_i}·e^{−Δt/τ}(Δt + c)^{−p} per target over the near pairs, differentiable in
    (α, c, p, 1/τ) (:func:`_near_sums`)."""

    @staticmethod
    def forward(ctx, alpha: Tensor, c: Tensor, p: Tensor, inv_tau: Tensor, data) -> Tensor:
        dm = data.dm.numpy()
        sums = _near_sums(
            data.t.numpy(),
            np.exp(float(alpha) * dm),
            dm,
            data.targets.numpy(),
            data.near_lo,
            float(c),
            float(p),
            float(inv_tau),
        )
        ctx.save_for_backward(torch.as_tensor(sums[1:]))
        return torch.as_tensor(sums[0])

    @staticmethod
    def backward(ctx, grad: Tensor):
        (derivs,) = ctx.saved_tensors
        parts = (derivs @ grad).unbind()
        return (*parts, None)


def split_theta(theta: Tensor, n_base: int) -> tuple[Tensor, Tensor | None]:
    """(base parameters, τ or None): θ carries a trailing taper τ when it has n_base + 1 entries."""
    return theta[:n_base], (theta[n_base] if theta.numel() > n_base else None)


def temporal_intensity(theta: Tensor, data: TemporalData) -> Tensor:
    """λ(t_j) [1/day] at the target events (J,) for θ = (μ, K, α, c, p[, τ]).

    Far sources enter through the per-bin moments (mass M0, centroid τ_b, second central moment
    M2): Σ_b [M0·h(t − τ_b) + ½·M2·h''(t − τ_b)], expanded to second order about the target's
    bin midpoint (etas.md §5: restricted, vectorised pair sum).
    """
    (mu, k, alpha, c, p), tau = split_theta(theta, 5)
    weight = torch.exp(alpha * data.dm)
    inv_tau = torch.zeros((), dtype=DTYPE) if tau is None else 1 / tau
    norm = omori_density(torch.zeros((), dtype=DTYPE), c, p, tau) * c**p  # h(0)/u(0)
    rate = _NearSum.apply(alpha, c, p, inv_tau, data) * norm
    if data.far_tb.numel():
        zeros = torch.zeros(data.n_bins, dtype=DTYPE)
        mass = zeros.index_add(0, data.bin_of, weight)
        centre = zeros.index_add(0, data.bin_of, weight * data.t) / torch.clamp(mass, min=1e-300)
        spread = zeros.index_add(0, data.bin_of, weight * (data.t - centre[data.bin_of]) ** 2)
        lag = data.mid[data.far_tb] - centre[data.far_sb]
        inv = 1 / (lag + c)
        slope = p * inv + (0.0 if tau is None else 1 / tau)  # −d ln h/dt
        h0 = omori_density(lag, c, p, tau)
        h1 = -slope * h0
        h2 = (slope**2 + p * inv**2) * h0
        m0, m2 = mass[data.far_sb], spread[data.far_sb]
        f0 = zeros.index_add(0, data.far_tb, m0 * h0 + 0.5 * m2 * h2)
        f1 = zeros.index_add(0, data.far_tb, m0 * h1)
        f2 = zeros.index_add(0, data.far_tb, m0 * h2)
        tb = data.bin_of[data.targets]
        rate = rate + f0[tb] + data.delta * (f1[tb] + 0.5 * data.delta * f2[tb])
    return mu + k * rate


def temporal_loglik(theta: Tensor, data: TemporalData) -> Tensor:
    """Temporal ETAS ln L(θ) on [t_s, t_e] (etas.md §1), θ = (μ, K, α, c, p[, τ])."""
    (mu, k, alpha, c, p), tau = split_theta(theta, 5)
    weight = torch.exp(alpha * data.dm)
    after_end = torch.clamp(data.t_e - data.t, min=0.0)
    before_start = torch.clamp(data.t_s - data.t, min=0.0)
    compensator = mu * (data.t_e - data.t_s) + k * torch.sum(
        weight * (omori_cdf(after_end, c, p, tau) - omori_cdf(before_start, c, p, tau))
    )
    return torch.sum(torch.log(temporal_intensity(theta, data))) - compensator


@dataclass
class SpaceTimeData:
    """Pair structure of a space–time ETAS likelihood (see :func:`spacetime_data`)."""

    t: Tensor
    dm: Tensor
    targets: Tensor
    t_s: float
    t_e: float
    area: float
    max_dt: float
    pair_i: np.ndarray
    pair_start: np.ndarray
    pair_dt: np.ndarray
    pair_r2: np.ndarray
    boundary_r2: Tensor
    background: Tensor

    @property
    def n_pairs(self) -> int:
        """Number of pair terms evaluated per likelihood call."""
        return int(self.pair_i.size)


def boundary_distances(
    x: np.ndarray, y: np.ndarray, region: tuple[float, float, float, float], n_angles: int
) -> np.ndarray:
    """Distance (km) from each point to the rectangle's boundary along ``n_angles`` equally
    spaced directions, shape (N, n_angles); 0 for points outside the region."""
    xmin, xmax, ymin, ymax = region
    phi = (np.arange(n_angles) + 0.5) * 2 * np.pi / n_angles
    cos, sin = np.cos(phi)[None, :], np.sin(phi)[None, :]
    with np.errstate(divide="ignore"):
        rx = np.where(cos > 0, (xmax - x[:, None]) / cos, (xmin - x[:, None]) / cos)
        ry = np.where(sin > 0, (ymax - y[:, None]) / sin, (ymin - y[:, None]) / sin)
    return np.clip(np.minimum(rx, ry), 0.0, None)


def neighbour_pairs(
    x: np.ndarray, y: np.ndarray, radius: np.ndarray, growth: float = 1.25
) -> tuple[np.ndarray, np.ndarray]:
    """All index pairs (i, j), i < j, with distance ≤ radius[i] (km, (N,) per source event).

    Sources are grouped in geometric radius classes (ratio ``growth``); each class is matched
    against all events with one vectorised k-d tree query at the class's largest radius, then
    filtered by the per-source radius."""
    xy = np.column_stack([x, y])
    tree = cKDTree(xy)
    classes = np.floor(np.log(radius / radius.min()) / np.log(growth)).astype(np.int64)
    out_i, out_j = [], []
    for cls in np.unique(classes):
        src = np.flatnonzero(classes == cls)
        found = cKDTree(xy[src]).sparse_distance_matrix(
            tree, float(radius[src].max()), output_type="ndarray"
        )
        i, j = src[found["i"]], found["j"].astype(np.int64)
        keep = (j > i) & (found["v"] <= radius[i])
        out_i.append(i[keep])
        out_j.append(j[keep])
    return np.concatenate(out_i), np.concatenate(out_j)


def spacetime_data(
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    dm: np.ndarray,
    t_s: float,
    t_e: float,
    region: tuple[float, float, float, float],
    max_dist: float | np.ndarray,
    max_dt: float,
    n_angles: int = 32,
) -> SpaceTimeData:
    """Pairs (i earlier than target j, both sorted by time) with 0 < Δt ≤ max_dt [day] and
    r ≤ max_dist [km] (a scalar, or (N,) radii per source event i); targets are events in
    [t_s, t_e] inside ``region``. The background density at the targets starts uniform
    (1/|R|); :func:`..fit.fit_etas` replaces it by the declustered estimate."""
    t = np.asarray(t, float)
    radius = np.broadcast_to(np.asarray(max_dist, float), t.shape)
    xmin, xmax, ymin, ymax = region
    inside = (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
    targets = np.flatnonzero((t >= t_s) & (t <= t_e) & inside)
    target_pos = np.full(t.size, -1, np.int64)
    target_pos[targets] = np.arange(targets.size)
    i, j = neighbour_pairs(x, y, radius)
    dt = t[j] - t[i]
    keep = (dt > 0) & (dt <= max_dt) & (target_pos[j] >= 0)
    i, j, dt = i[keep], j[keep], dt[keep]
    order = np.argsort(j, kind="stable")
    i, j, dt = i[order], j[order], dt[order]
    r2 = (x[j] - x[i]) ** 2 + (y[j] - y[i]) ** 2
    reach = np.minimum(boundary_distances(x, y, region, n_angles), radius[:, None])
    area = (xmax - xmin) * (ymax - ymin)
    start = np.searchsorted(target_pos[j], np.arange(targets.size + 1))
    return SpaceTimeData(
        t=torch.as_tensor(t, dtype=DTYPE),
        dm=torch.as_tensor(np.asarray(dm, float), dtype=DTYPE),
        targets=torch.as_tensor(targets, dtype=torch.int64),
        t_s=float(t_s),
        t_e=float(t_e),
        area=area,
        max_dt=float(max_dt),
        pair_i=i.astype(np.int64),
        pair_start=start.astype(np.int64),
        pair_dt=dt,
        pair_r2=r2,
        boundary_r2=torch.as_tensor(reach**2, dtype=DTYPE),
        background=torch.full((targets.size,), 1.0 / area, dtype=DTYPE),
    )


@numba.njit(cache=True)
def _spacetime_sums(
    pair_i: np.ndarray,
    start: np.ndarray,
    pair_dt: np.ndarray,
    pair_r2: np.ndarray,
    dm: np.ndarray,
    weight: np.ndarray,
    sigma: np.ndarray,
    c: float,
    p: float,
    inv_tau: float,
    d: float,
    q: float,
) -> np.ndarray:
    """Per target (pairs ``start[j]`` .. ``start[j + 1] − 1``): S = Σ w_i·u(Δt)·f(r² | σ_i)
    with w_i = e^{α·dm_i}, u(Δt) = e^{−Δt/τ}(Δt + c)^{−p} and the Ogata kernel f of scale
    σ_i = D·e^{γ·dm_i}, and its derivatives in (α, c, p, 1/τ, D, q, γ): rows of the (8, J)
    result."""
    n_targets = start.size - 1
    out = np.zeros((8, n_targets))
    norm_q = (q - 1.0) / np.pi
    for jj in range(n_targets):
        s0 = s_alpha = s_c = s_p = s_tau = s_d = s_q = s_gamma = 0.0
        for k in range(start[jj], start[jj + 1]):
            i = pair_i[k]
            dt = pair_dt[k]
            s = pair_r2[k] / sigma[i]
            log_x = np.log(dt + c)
            log_s = np.log1p(s)
            term = weight[i] * norm_q / sigma[i] * np.exp(-p * log_x - dt * inv_tau - q * log_s)
            dlog_sigma = (q * s / (1.0 + s) - 1.0) * term  # ∂/∂ ln σ
            s0 += term
            s_alpha += dm[i] * term
            s_c += term / (dt + c)
            s_p += log_x * term
            s_tau += dt * term
            s_d += dlog_sigma
            s_q += (1.0 / (q - 1.0) - log_s) * term
            s_gamma += dm[i] * dlog_sigma
        out[0, jj] = s0
        out[1, jj] = s_alpha
        out[2, jj] = -p * s_c
        out[3, jj] = -s_p
        out[4, jj] = -s_tau
        out[5, jj] = s_d / d
        out[6, jj] = s_q
        out[7, jj] = s_gamma
    return out


class _PairSum(torch.autograd.Function):
    """Σ over the pairs of each target of e^{α·dm_i}·u(Δt)·f(r² | m_i), differentiable in
    (α, c, p, 1/τ, D, q, γ) (:func:`_spacetime_sums`)."""

    @staticmethod
    def forward(ctx, params: Tensor, data) -> Tensor:
        alpha, c, p, inv_tau, d, q, gamma = params.detach().numpy().tolist()
        dm = data.dm.numpy()
        sums = _spacetime_sums(
            data.pair_i,
            data.pair_start,
            data.pair_dt,
            data.pair_r2,
            dm,
            np.exp(alpha * dm),
            d * np.exp(gamma * dm),
            c,
            p,
            inv_tau,
            d,
            q,
        )
        ctx.save_for_backward(torch.as_tensor(sums[1:]))
        return torch.as_tensor(sums[0])

    @staticmethod
    def backward(ctx, grad: Tensor):
        (derivs,) = ctx.saved_tensors
        return derivs @ grad, None


def spacetime_intensity(theta: Tensor, data: SpaceTimeData) -> Tensor:
    """λ(t_j, x_j, y_j) [1/(day·km²)] at the targets (J,), θ = (μ, K, α, c, p, D, q, γ[, τ])."""
    (mu, k, alpha, c, p, d, q, gamma), tau = split_theta(theta, 8)
    inv_tau = torch.zeros((), dtype=DTYPE) if tau is None else 1 / tau
    norm = omori_density(torch.zeros((), dtype=DTYPE), c, p, tau) * c**p  # h(0)/u(0)
    params = torch.stack([alpha, c, p, inv_tau, d, q, gamma])
    return mu * data.background + k * norm * _PairSum.apply(params, data)


def spacetime_loglik(theta: Tensor, data: SpaceTimeData) -> Tensor:
    """Space–time ETAS ln L(θ) = Σ ln λ(t_j, x_j, y_j) − ∫∫∫ λ (etas.md §2, §5)."""
    (mu, k, alpha, c, p, d, q, gamma), tau = split_theta(theta, 8)
    sigma = d * torch.exp(gamma * data.dm)
    inside = torch.mean(-torch.expm1((1 - q) * torch.log1p(data.boundary_r2 / sigma[:, None])), 1)
    after_end = torch.clamp(data.t_e - data.t, min=0.0, max=data.max_dt)
    before_start = torch.clamp(data.t_s - data.t, min=0.0, max=data.max_dt)
    temporal = omori_cdf(after_end, c, p, tau) - omori_cdf(before_start, c, p, tau)
    compensator = mu * (data.t_e - data.t_s) + k * torch.sum(
        torch.exp(alpha * data.dm) * temporal * inside
    )
    return torch.sum(torch.log(spacetime_intensity(theta, data))) - compensator
