"""ETAS maximum-likelihood fitting (etas.md §5): direct L-BFGS-B on log-transformed parameters
with torch autograd gradients, standard errors from the inverse Hessian of −ln L at the optimum
(autograd, natural parameters), and background probabilities φ_j = μ·u(x_j, y_j)/λ_j
(Zhuang, Ogata & Vere-Jones 2002)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import torch
from scipy import optimize

from seismoalice.catalog.catalog import Catalog
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
from seismoalice.catalog.stats import b_value_mle
from seismoalice.errors import DataError

TEMPORAL_NAMES = ("mu", "k", "alpha", "c", "p")
SPACETIME_NAMES = (*TEMPORAL_NAMES, "d", "q", "gamma")
#: how each natural parameter maps to the optimiser's variable: log, log(x − 1) or identity
_TRANSFORM = {
    "mu": "log",
    "k": "log",
    "alpha": "id",
    "c": "log",
    "p": "log1",
    "d": "log",
    "q": "log1",
    "gamma": "id",
}
_BOUNDS = {
    "mu": (-30.0, 30.0),
    "k": (-15.0, 5.0),
    "alpha": (0.0, 6.0),
    "c": (np.log(1e-7), np.log(10.0)),
    "p": (np.log(1e-3), np.log(4.0)),
    "d": (np.log(1e-6), np.log(1e4)),
    "q": (np.log(1e-2), np.log(5.0)),
    "gamma": (0.0, 6.0),
}


@dataclass
class ETASFit:
    """Result of :func:`fit_etas`.

    ``params``: fitted :class:`ETASParams` / :class:`SpaceTimeETASParams` (b from the Aki–Utsu
    MLE); ``stderr``: inverse-Hessian standard errors of the fitted parameters (and of b, Shi &
    Bolt); ``loglik``: ln L at the optimum; ``background_prob`` (J,): φ_j of the target events,
    whose row indices in the input catalog are ``event_index`` (J,); ``branching_ratio`` n.
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
            "event_index": self.event_index,
            "background_prob": self.background_prob,
        }


def _to_natural(z: torch.Tensor, names: tuple[str, ...]) -> torch.Tensor:
    parts = []
    for k, name in enumerate(names):
        kind = _TRANSFORM[name]
        parts.append(
            torch.exp(z[k]) if kind == "log" else 1 + torch.exp(z[k]) if kind == "log1" else z[k]
        )
    return torch.stack(parts)


def _to_free(theta: dict[str, float], names: tuple[str, ...]) -> np.ndarray:
    out = []
    for name in names:
        kind, value = _TRANSFORM[name], float(theta[name])
        out.append(
            np.log(value) if kind == "log" else np.log(value - 1) if kind == "log1" else value
        )
    lo = np.array([_BOUNDS[n][0] for n in names])
    hi = np.array([_BOUNDS[n][1] for n in names])
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
    start: dict[str, float] | None = None,
    maxiter: int = 500,
    torch_threads: int | None = 1,
) -> ETASFit:
    """Fit temporal or space–time ETAS by maximum likelihood.

    Events with magnitude ≥ m0 − dm/2 are used (``dm``: magnitude bin width, 0 for continuous
    magnitudes); times in days since ``t0`` (default: first event). Target window
    [t_start, t_end] (days; default first–last event); earlier events act only as triggers.
    Space–time: ``region`` (xmin, xmax, ymin, ymax) km, default the bounding box of the
    events; the triggering kernel is cut at ``max_dist_km`` and ``max_dt_days`` (default: no
    limit), consistently in λ and Λ (see :mod:`.likelihood`). ``start`` overrides starting
    values by name. b is the Aki–Utsu MLE above m0. ``torch_threads``: intra-op threads during
    the fit (restored afterwards; 1 avoids thread contention on a busy machine, None keeps
    torch's setting).
    """
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
            start,
            maxiter,
        )
    finally:
        torch.set_num_threads(previous)


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
    start: dict[str, float] | None,
    maxiter: int,
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

    names = SPACETIME_NAMES if model == "spacetime" else TEMPORAL_NAMES
    if model == "spacetime":
        x, y = sub.xy_km()
        if region is None:
            region = (float(x.min()), float(x.max()), float(y.min()), float(y.max()))
        data = spacetime_data(
            times, x, y, delta_m, t_s, t_e, region, max_dist_km, max_dt_days or np.inf
        )
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
        "d": 1.0,
        "q": 1.5,
        "gamma": 0.5,
    }
    guess.update(start or {})
    z0 = _to_free(guess, names)

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
        z0,
        jac=True,
        method="L-BFGS-B",
        bounds=[_BOUNDS[n] for n in names],
        options={"maxiter": maxiter, "ftol": 1e-11, "gtol": 1e-6},
    )
    theta = _to_natural(torch.tensor(result.x, dtype=DTYPE), names).detach()
    hessian = _hessian(lambda th: -loglik(th, data), theta)
    with np.errstate(invalid="ignore"):
        cov = (
            np.linalg.inv(hessian)
            if np.all(np.isfinite(hessian))
            else np.full_like(hessian, np.nan)
        )
        errors = np.sqrt(np.diag(cov))
    with torch.no_grad():
        lam = intensity(theta, data).numpy()
    values = dict(zip(names, theta.numpy().tolist(), strict=True))
    background = values["mu"] / (data.area if model == "spacetime" else 1.0) / lam
    common = {"m0": m0, "b": b, "mmax": mmax}
    params: ETASParams = (
        SpaceTimeETASParams(**values, **common, region=tuple(region))
        if model == "spacetime"
        else ETASParams(**values, **common)
    )
    stderr = {n: float(e) for n, e in zip(names, errors, strict=True)} | {"b": b_err}
    row_index = np.flatnonzero(keep)[data.targets.numpy()]
    return ETASFit(
        params=params,
        stderr=stderr,
        loglik=float(-result.fun),
        background_prob=background,
        branching_ratio=branching_ratio(values["k"], values["alpha"], beta, m0, mmax),
        event_index=row_index,
        model=model,
        n_events=n_target,
        converged=bool(result.success),
        message=str(result.message),
        seconds=time.perf_counter() - began,
        info={
            "n_pair_terms": data.n_pairs,
            "iterations": int(result.nit),
            "t_start_days": t_s,
            "t_end_days": t_e,
            "dm": dm,
            "at_bounds": [
                n
                for n, z in zip(names, result.x, strict=True)
                if min(abs(z - _BOUNDS[n][0]), abs(z - _BOUNDS[n][1])) < 1e-6
            ],
        },
    )
