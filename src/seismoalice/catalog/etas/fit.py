"""ETAS maximum-likelihood fitting (etas.md §5): direct L-BFGS-B on log-transformed parameters
with torch autograd gradients, standard errors from the inverse Hessian of −ln L at the optimum
(autograd, natural parameters), and background probabilities φ_j = μ·u(x_j, y_j)/λ_j
(Zhuang, Ogata & Vere-Jones 2002)."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import torch
from scipy import optimize

from seismoalice.catalog.catalog import Catalog
from seismoalice.catalog.etas.background import BackgroundDensity, adaptive_bandwidths
from seismoalice.catalog.etas.likelihood import (
    DTYPE,
    spacetime_data,
    spacetime_intensity,
    spacetime_loglik,
    temporal_data,
    temporal_intensity,
    temporal_loglik,
)
from seismoalice.catalog.etas.params import LN10, ETASParams, SpaceTimeETASParams, branching_ratio
from seismoalice.catalog.stats import b_value_mle, hessian_stderr
from seismoalice.errors import DataError

TEMPORAL_NAMES = ("mu", "k", "alpha", "c", "p")
SPACETIME_NAMES = (*TEMPORAL_NAMES, "d", "q", "gamma")
#: how each natural parameter maps to the optimiser's variable (log, log(x − 1) or identity)
#: and the optimiser's bounds on that variable; p is log(p − 1) for the untapered kernel
#: (p > 1) and log p with the taper (any p > 0)
_FREE = {
    "mu": ("log", (-30.0, 30.0)),
    "k": ("log", (-15.0, 5.0)),
    "alpha": ("id", (0.0, 6.0)),
    "c": ("log", (np.log(1e-7), np.log(10.0))),
    "p": ("log1", (np.log(1e-3), np.log(4.0))),
    "p_tapered": ("log", (np.log(0.05), np.log(5.0))),
    "tau": ("log", (np.log(1e-2), np.log(1e6))),
    "d": ("log", (np.log(1e-6), np.log(1e4))),
    "q": ("log1", (np.log(1e-2), np.log(5.0))),
    "gamma": ("id", (0.0, 6.0)),
}
Kernel = Literal["omori", "tapered", "auto"]


@dataclass
class ETASFit:
    """Result of :func:`fit_etas`.

    ``params``: fitted :class:`ETASParams` / :class:`SpaceTimeETASParams` (b from the Aki–Utsu
    MLE); ``stderr``: inverse-Hessian standard errors of the fitted parameters (and of b, Shi &
    Bolt); ``loglik``: ln L at the optimum; ``background_prob`` (J,): φ_j of the target events,
    whose row indices in the input catalog are ``event_index`` (J,); ``branching_ratio`` n;
    ``background``: the declustered background density u(x, y) of a space–time fit (None:
    uniform over the region, or a temporal fit).
    """

    params: ETASParams
    stderr: dict[str, float]
    loglik: float
    background_prob: np.ndarray
    branching_ratio: float
    event_index: np.ndarray
    model: str
    n_events: int
    converged: bool
    message: str
    seconds: float
    background: BackgroundDensity | None = None
    info: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary (per-event background probabilities included)."""
        return {
            "model": self.model,
            "params": self.params.to_dict(),
            "stderr": self.stderr,
            "loglik": self.loglik,
            "branching_ratio": self.branching_ratio,
            "n_events": self.n_events,
            "expected_background_events": float(self.background_prob.sum()),
            "converged": self.converged,
            "message": self.message,
            "seconds": self.seconds,
            "info": self.info,
            "background": None if self.background is None else self.background.to_dict(),
            "event_index": self.event_index,
            "background_prob": self.background_prob,
        }


def _free_spec(names: tuple[str, ...]) -> list[tuple[str, tuple[float, float]]]:
    tapered = "tau" in names
    return [_FREE["p_tapered" if n == "p" and tapered else n] for n in names]


def _to_natural(z: torch.Tensor, names: tuple[str, ...]) -> torch.Tensor:
    parts = []
    for k, (kind, _) in enumerate(_free_spec(names)):
        parts.append(
            torch.exp(z[k]) if kind == "log" else 1 + torch.exp(z[k]) if kind == "log1" else z[k]
        )
    return torch.stack(parts)


def _to_free(theta: dict[str, float], names: tuple[str, ...]) -> np.ndarray:
    spec = _free_spec(names)
    out = []
    for name, (kind, _) in zip(names, spec, strict=True):
        value = float(theta[name])
        out.append(
            np.log(value) if kind == "log" else np.log(value - 1) if kind == "log1" else value
        )
    lo, hi = np.array([b[0] for _, b in spec]), np.array([b[1] for _, b in spec])
    return np.clip(np.array(out), lo, hi)


def _hessian(f, theta: torch.Tensor, rel_step: float = 1e-5) -> np.ndarray:
    """Hessian (P, P) of scalar f at θ by forward differences of its autograd gradient,
    symmetrised (P + 1 gradient evaluations)."""

    def grad(th: torch.Tensor) -> np.ndarray:
        th = th.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(th), th)
        return g.numpy()

    g0 = grad(theta)
    steps = rel_step * torch.clamp(theta.abs(), min=1e-3)
    eye = torch.eye(theta.numel(), dtype=DTYPE)
    rows = [(grad(theta + steps[i] * eye[i]) - g0) / float(steps[i]) for i in range(theta.numel())]
    hess = np.array(rows)
    return 0.5 * (hess + hess.T)


def _window(times: np.ndarray, t_start: float | None, t_end: float | None) -> tuple[float, float]:
    t_s = float(times[0]) if t_start is None else float(t_start)
    t_e = float(times[-1]) if t_end is None else float(t_end)
    if not t_e > t_s:
        raise DataError(f"ETAS fit window is empty: t_start = {t_s} ≥ t_end = {t_e} days")
    return t_s, t_e


def fit_etas(
    catalog: Catalog,
    m0: float,
    t_start: float | None = None,
    t_end: float | None = None,
    model: Literal["temporal", "spacetime"] = "temporal",
    *,
    t0: str | pd.Timestamp | None = None,
    dm: float = 0.0,
    mmax: float | None = None,
    region: tuple[float, float, float, float] | None = None,
    max_dist_km: float = 10.0,
    max_dt_days: float | None = None,
    adaptive_radius: bool = True,
    kernel: Kernel = "auto",
    start: dict[str, float] | None = None,
    maxiter: int = 500,
    torch_threads: int | None = 1,
    decluster_iterations: int = 6,
) -> ETASFit:
    """Fit temporal or space–time ETAS by maximum likelihood.

    Events with magnitude ≥ m0 − dm/2 are used (``dm``: magnitude bin width, 0 for continuous
    magnitudes); times in days since ``t0`` (default: first event). Target window
    [t_start, t_end] (days; default first–last event); earlier events act only as triggers.

    ``kernel``: "omori" (normalised Omori–Utsu, p > 1), "tapered" (Omori with an exponential
    taper τ ≤ the window length, Mizrahi et al. 2021: any p > 0 and a finite branching
    ratio) or "auto" (tapered; when the fitted p > 1, also without the taper, kept unless the
    taper improves ln L by more than 1, Akaike's criterion for one parameter).
    ``info["phase_seconds"]``: time per stage.

    Space–time: ``region`` (xmin, xmax, ymin, ymax) km, default the bounding box of the
    events; triggering pairs are restricted to r ≤ ``max_dist_km`` and Δt ≤ ``max_dt_days``
    (default: no limit), consistently in λ and Λ (see :mod:`.likelihood`). With
    ``adaptive_radius`` the distance cut grows with the parent's kernel scale,
    r_i = max_dist_km·e^{γ̂(m_i − m0)/2} (γ̂ from a pilot fit at the fixed cut), so that every
    parent loses the same small share of its offspring mass beyond its cut; a fixed cut lets
    the far offspring of large events, clustered in time, pose as triggering among themselves
    and biases K up. ``start`` overrides starting values by name. b is the Aki–Utsu MLE above
    m0. ``torch_threads``: intra-op threads during the fit (restored afterwards; 1 avoids
    thread contention on a busy machine, None keeps torch's setting). Space–time:
    ``decluster_iterations`` rounds of stochastic declustering (Zhuang et al. 2002) replace the
    uniform background by a kernel estimate weighted by the background probabilities and refit
    θ (0: uniform background; stops early when ln L changes by < 0.5). A supercritical fit
    (n ≥ 1) triggers a warning and ``info["supercritical"]``. ``info["window_offspring_per_event"]``
    is the expected number of direct offspring per target event that fall inside the window
    (and the region and distance cut): (Λ − μ·(t_e − t_s))/N, finite whatever the kernel.
    """
    if kernel not in ("omori", "tapered", "auto"):
        raise DataError(f"unknown ETAS kernel {kernel!r}; use 'omori', 'tapered' or 'auto'")
    previous = torch.get_num_threads()
    if torch_threads is not None:
        torch.set_num_threads(torch_threads)
    try:
        return _fit(
            catalog,
            m0,
            t_start,
            t_end,
            model,
            t0,
            dm,
            mmax,
            region,
            max_dist_km,
            max_dt_days,
            adaptive_radius,
            kernel,
            start,
            maxiter,
            decluster_iterations,
        )
    finally:
        torch.set_num_threads(previous)


@dataclass
class _Optimum:
    """One maximum-likelihood optimum: natural parameters, inverse-Hessian errors, diagnostics."""

    names: tuple[str, ...]
    theta: torch.Tensor
    values: dict[str, float]
    errors: np.ndarray
    loglik: float
    converged: bool
    message: str
    iterations: int
    at_bounds: list[str]


def _optimise(loglik, data, names: tuple[str, ...], guess: dict[str, float], maxiter: int):
    """L-BFGS-B on the free variables with autograd gradients, then inverse-Hessian errors."""
    spec = _free_spec(names)
    bounds = [b for _, b in spec]
    if "tau" in names:  # a taper longer than the fitted window cannot be resolved
        k = names.index("tau")
        bounds[k] = (bounds[k][0], float(np.log(data.t_e - data.t_s)))

    def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        zt = torch.tensor(z, dtype=DTYPE, requires_grad=True)
        value = -loglik(_to_natural(zt, names), data)
        (grad,) = torch.autograd.grad(value, zt)
        v = float(value.detach())
        if not np.isfinite(v):
            return 1e300, np.zeros_like(z)
        return v, grad.numpy()

    result = optimize.minimize(
        objective,
        _to_free(guess, names),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": maxiter, "ftol": 1e-10, "gtol": 1e-6},
    )
    theta = _to_natural(torch.tensor(result.x, dtype=DTYPE), names).detach()
    errors = hessian_stderr(_hessian(lambda th: -loglik(th, data), theta))
    return _Optimum(
        names=names,
        theta=theta,
        values=dict(zip(names, theta.numpy().tolist(), strict=True)),
        errors=errors,
        loglik=float(-result.fun),
        converged=bool(result.success),
        message=str(result.message),
        iterations=int(result.nit),
        at_bounds=[
            n
            for n, z, (lo, hi) in zip(names, result.x, bounds, strict=True)
            if min(abs(z - lo), abs(z - hi)) < 1e-6
        ],
    )


def _decluster(
    best: _Optimum,
    data,
    x: np.ndarray,
    y: np.ndarray,
    region: tuple[float, float, float, float],
    guess: dict[str, float],
    maxiter: int,
    iterations: int,
) -> tuple[_Optimum, BackgroundDensity, list[dict[str, float]]]:
    """Alternate background estimation by stochastic declustering and refits of θ
    (Zhuang, Ogata & Vere-Jones 2002); ``data.background`` is updated in place."""
    targets = data.targets.numpy()
    tx, ty = x[targets], y[targets]
    bandwidth = adaptive_bandwidths(tx, ty)
    history = []
    background = None
    for _ in range(iterations):
        with torch.no_grad():
            lam = spacetime_intensity(best.theta, data).numpy()
        phi = best.values["mu"] * data.background.numpy() / lam
        background = BackgroundDensity(tx, ty, phi, bandwidth, tuple(region))
        data.background = torch.as_tensor(background.density(tx, ty), dtype=DTYPE)
        previous = best.loglik
        best = _optimise(spacetime_loglik, data, best.names, guess | best.values, maxiter)
        history.append({"loglik": best.loglik, "mu": best.values["mu"], "k": best.values["k"]})
        if abs(best.loglik - previous) < 0.5:
            break
    return best, background, history


def _fit(
    catalog: Catalog,
    m0: float,
    t_start: float | None,
    t_end: float | None,
    model: str,
    t0: str | pd.Timestamp | None,
    dm: float,
    mmax: float | None,
    region: tuple[float, float, float, float] | None,
    max_dist_km: float,
    max_dt_days: float | None,
    adaptive_radius: bool,
    kernel: str,
    start: dict[str, float] | None,
    maxiter: int,
    decluster_iterations: int,
) -> ETASFit:
    began = time.perf_counter()
    if model not in ("temporal", "spacetime"):
        raise DataError(f"unknown ETAS model {model!r}; use 'temporal' or 'spacetime'")
    keep = catalog.magnitudes >= m0 - dm / 2 - 1e-9
    sub = catalog.select(keep)
    if len(sub) < 20:
        raise DataError(f"{catalog.source}: only {len(sub)} events ≥ m0 = {m0}; ETAS needs ≥ 20")
    times = sub.times_days(t0 if t0 is not None else catalog.df["time"].iloc[0])
    t_s, t_e = _window(times, t_start, t_end)
    mags = sub.magnitudes
    b, b_err = b_value_mle(mags, m0, dm)
    beta = b * LN10
    delta_m = mags - m0
    n_target = int(np.sum((times >= t_s) & (times <= t_e)))

    base = SPACETIME_NAMES if model == "spacetime" else TEMPORAL_NAMES
    if model == "spacetime":
        x, y = sub.xy_km()
        if region is None:
            region = (float(x.min()), float(x.max()), float(y.min()), float(y.max()))

        def build(radius: float | np.ndarray, max_dt: float):
            return spacetime_data(times, x, y, delta_m, t_s, t_e, region, radius, max_dt)

        full_dt = max_dt_days or np.inf
        # the pilot (kernel choice, γ of the distance cut, starting values) sees pairs up to a
        # tenth of the window apart when the adaptive refit follows: it is cheaper and close
        data = build(max_dist_km, min(full_dt, 0.1 * (t_e - t_s)) if adaptive_radius else full_dt)
        loglik, intensity = spacetime_loglik, spacetime_intensity
        n_target = int(data.targets.numel())
    else:
        data = temporal_data(times, delta_m, t_s, t_e)
        loglik, intensity = temporal_loglik, temporal_intensity

    alpha0 = min(1.0, 0.5 * beta)
    guess = {
        "mu": 0.5 * n_target / (t_e - t_s),
        "k": 0.5 * (beta - alpha0) / beta,
        "alpha": alpha0,
        "c": 0.01,
        "p": 1.2,
        "tau": 0.5 * (t_e - t_s),
        "d": 1.0,
        "q": 1.5,
        "gamma": 0.5,
    }
    guess.update(start or {})

    def n_of(values: dict[str, float]) -> float:
        return branching_ratio(values["k"], values["alpha"], beta, m0, mmax)

    info: dict[str, object] = {"phase_seconds": {}}

    def phase(name: str, since: float) -> float:
        now = time.perf_counter()
        info["phase_seconds"][name] = info["phase_seconds"].get(name, 0.0) + now - since
        return now

    clock = time.perf_counter()
    tapered = kernel != "omori"
    best = _optimise(loglik, data, (*base, "tau") if tapered else base, guess, maxiter)
    if kernel == "auto" and best.values["p"] > 1:
        # the taper may be superfluous: refit without it and keep the better by AIC
        # (the taper is one parameter more)
        plain = _optimise(loglik, data, base, guess | best.values, maxiter)
        info["alternative_kernel"] = {"omori": plain.loglik, "tapered": best.loglik}
        if plain.loglik > best.loglik - 1.0 and "p" not in plain.at_bounds:
            best, tapered = plain, False
    clock = phase("kernel", clock)
    background = None
    if model == "spacetime" and adaptive_radius:
        radius = np.minimum(
            max_dist_km * np.exp(0.5 * best.values["gamma"] * delta_m),
            np.hypot(region[1] - region[0], region[3] - region[2]),
        )
        info["pilot"] = {"loglik": best.loglik, "params": best.values, "radius_km": max_dist_km}
        data = build(radius, full_dt)
        clock = phase("pairs", clock)
        if not decluster_iterations:
            best = _optimise(loglik, data, best.names, guess | best.values, maxiter)
        info["max_radius_km"] = float(radius.max())
        info["radius_gamma"] = info["pilot"]["params"]["gamma"]
        clock = phase("adaptive_radius", clock)
    if model == "spacetime" and decluster_iterations:
        best, background, info["declustering"] = _decluster(
            best, data, x, y, region, guess, maxiter, decluster_iterations
        )
        clock = phase("declustering", clock)

    with torch.no_grad():
        lam = intensity(best.theta, data).numpy()
    triggered = float(np.sum(np.log(lam))) - best.loglik - best.values["mu"] * (t_e - t_s)
    values = best.values
    mu_density = data.background.numpy() if model == "spacetime" else 1.0
    background_prob = values["mu"] * mu_density / lam
    common = {"m0": m0, "b": b, "mmax": mmax, "tau": values.pop("tau", None)}
    params: ETASParams = (
        SpaceTimeETASParams(**values, **common, region=tuple(region))
        if model == "spacetime"
        else ETASParams(**values, **common)
    )
    stderr = {n: float(e) for n, e in zip(best.names, best.errors, strict=True)} | {"b": b_err}
    n_branch = n_of(values)
    if not n_branch < 1:
        warnings.warn(
            f"{catalog.source}: supercritical ETAS fit, branching ratio n = {n_branch:.3f} ≥ 1 "
            "(the fitted process cannot be simulated)",
            stacklevel=2,
        )
    row_index = np.flatnonzero(keep)[data.targets.numpy()]
    return ETASFit(
        params=params,
        stderr=stderr,
        loglik=best.loglik,
        background_prob=background_prob,
        branching_ratio=n_branch,
        event_index=row_index,
        model=model,
        n_events=n_target,
        converged=best.converged,
        message=best.message,
        seconds=time.perf_counter() - began,
        background=background,
        info=info
        | {
            "kernel": "tapered" if tapered else "omori",
            "supercritical": not n_branch < 1,
            "window_offspring_per_event": triggered / max(n_target, 1),
            "n_pair_terms": data.n_pairs,
            "iterations": best.iterations,
            "t_start_days": t_s,
            "t_end_days": t_e,
            "dm": dm,
            "max_dist_km": max_dist_km,
            "max_dt_days": max_dt_days,
            "at_bounds": best.at_bounds,
        },
    )


def _theta(params: ETASParams, model: str) -> torch.Tensor:
    names = SPACETIME_NAMES if model == "spacetime" else TEMPORAL_NAMES
    values = [getattr(params, n) for n in names] + ([] if params.tau is None else [params.tau])
    return torch.tensor(values, dtype=DTYPE)


def score_window(
    fit: ETASFit, catalog: Catalog, t_start: float, t_end: float, t0: str | pd.Timestamp
) -> dict[str, float]:
    """ln L of the fitted model on the window [t_start, t_end] (days since ``t0``), every
    earlier event of ``catalog`` above m0 acting as a trigger (forecast scoring: the parameters
    stay those of ``fit``). Space–time: the fit's region, distance cut and background density;
    events outside the region are not scored. Returns ln L, the number of scored events and
    ln L per event."""
    params, info = fit.params, fit.info
    keep = catalog.magnitudes >= params.m0 - float(info["dm"]) / 2 - 1e-9
    sub = catalog.select(keep)
    times = sub.times_days(t0)
    sub_t = times <= t_end
    times, delta_m = times[sub_t], sub.magnitudes[sub_t] - params.m0
    if fit.model == "spacetime":
        x, y = (a[sub_t] for a in sub.xy_km())
        rule = float(info.get("radius_gamma", 0.0))
        region = params.region
        radius = np.minimum(
            float(info["max_dist_km"]) * np.exp(0.5 * rule * delta_m),
            np.hypot(region[1] - region[0], region[3] - region[2]),
        )
        max_dt = info["max_dt_days"] or np.inf
        data = spacetime_data(times, x, y, delta_m, t_start, t_end, region, radius, max_dt)
        if fit.background is not None:
            targets = data.targets.numpy()
            density = fit.background.density(x[targets], y[targets])
            data.background = torch.as_tensor(density, dtype=DTYPE)
        loglik = spacetime_loglik
    else:
        data = temporal_data(times, delta_m, t_start, t_end)
        loglik = temporal_loglik
    n = int(data.targets.numel())
    if n == 0:
        raise DataError(f"{catalog.source}: no events above m0 = {params.m0} to score")
    with torch.no_grad():
        value = float(loglik(_theta(params, fit.model), data))
    return {"loglik": value, "n_events": n, "loglik_per_event": value / n}
