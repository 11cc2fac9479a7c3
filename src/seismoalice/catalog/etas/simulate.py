"""ETAS simulation by the branching (cluster) algorithm, vectorised per generation (etas.md §4).

Background events over [t_start − burn_in, t_end] (uniform times; in space uniform over the
region, or drawn from a declustered background density, :mod:`.background`), then each
generation's offspring in one numpy pass: Poisson counts with mean
κ(m) = K·e^{α(m − m0)}, Omori delays (tapered: tabulated inverse CDF), GR magnitudes,
power-law spatial offsets. Offspring after t_end are dropped; offspring outside the region keep
triggering; the catalog is clipped to [t_start, t_end] and the region at the end. Cost O(N).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seismoalice.catalog.catalog import Catalog
from seismoalice.catalog.etas.background import BackgroundDensity
from seismoalice.catalog.etas.params import (
    ETASParams,
    SpaceTimeETASParams,
    omori_delays,
    sample_gr,
    spatial_offsets,
)
from seismoalice.errors import ConfigError


def simulate_etas(
    params: ETASParams,
    t_start: float = 0.0,
    t_end: float = 3650.0,
    burn_in_days: float = 3650.0,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    origin: str | pd.Timestamp = "2000-01-01T00:00:00Z",
    max_events: int = 50_000_000,
    background: BackgroundDensity | None = None,
) -> Catalog:
    """Simulate an ETAS catalog on [t_start, t_end] days after ``origin``.

    ``params``: :class:`ETASParams` (temporal; locations NaN) or :class:`SpaceTimeETASParams`
    (adds ``x``, ``y`` in km inside ``params.region``; background epicentres uniform there, or
    from ``background``, e.g. :attr:`ETASFit.background`). Randomness from ``rng`` or ``seed``.
    The catalog carries ``parent`` (−1 background, row index, −2 parent outside the catalog) and
    ``generation``. Raises ConfigError for a supercritical process (n ≥ 1) or when more than
    ``max_events`` events would be simulated.
    """
    n = params.branching_ratio
    if not n < 1:
        raise ConfigError(f"ETAS branching ratio n = {n:.3f} ≥ 1: the process explodes")
    if not t_end > t_start or burn_in_days < 0:
        raise ConfigError(f"need t_end > t_start and burn_in_days ≥ 0 (got {t_start}, {t_end})")
    gen_rng = rng if rng is not None else np.random.default_rng(seed)
    spatial = isinstance(params, SpaceTimeETASParams)
    t_first = t_start - burn_in_days

    n0 = gen_rng.poisson(params.mu * (t_end - t_first))
    t = [gen_rng.uniform(t_first, t_end, n0)]
    m = [sample_gr(gen_rng, n0, params.m0, params.beta, params.mmax)]
    parent = [np.full(n0, -1, dtype=np.int64)]
    generation = [np.zeros(n0, dtype=np.int64)]
    if spatial:
        xmin, xmax, ymin, ymax = params.region
        if background is None:
            x = [gen_rng.uniform(xmin, xmax, n0)]
            y = [gen_rng.uniform(ymin, ymax, n0)]
        else:
            bx, by = background.sample(gen_rng, n0)
            x, y = [bx], [by]
    offset, total, level = 0, n0, 0
    while t[-1].size:
        cur_t, cur_m = t[-1], m[-1]
        counts = gen_rng.poisson(params.k * np.exp(params.alpha * (cur_m - params.m0)))
        par = np.repeat(np.arange(offset, offset + cur_t.size), counts)
        local = par - offset
        child_t = cur_t[local] + omori_delays(gen_rng, par.size, params.c, params.p, params.tau)
        keep = child_t <= t_end
        par, local, child_t = par[keep], local[keep], child_t[keep]
        offset += cur_t.size
        total += par.size
        level += 1
        if total > max_events:
            raise ConfigError(f"ETAS simulation exceeds max_events = {max_events}")
        if spatial:
            sigma = params.d * np.exp(params.gamma * (cur_m[local] - params.m0))
            dx, dy = spatial_offsets(gen_rng, sigma, params.q)
            x.append(x[-1][local] + dx)
            y.append(y[-1][local] + dy)
        t.append(child_t)
        m.append(sample_gr(gen_rng, par.size, params.m0, params.beta, params.mmax))
        parent.append(par)
        generation.append(np.full(par.size, level, dtype=np.int64))

    t_all = np.concatenate(t)
    order = np.argsort(t_all, kind="stable")
    keep = (t_all[order] >= t_start) & (t_all[order] <= t_end)
    columns: dict[str, np.ndarray] = {}
    if spatial:
        x_all, y_all = np.concatenate(x), np.concatenate(y)
        keep &= (x_all[order] >= xmin) & (x_all[order] <= xmax)
        keep &= (y_all[order] >= ymin) & (y_all[order] <= ymax)
        columns["x"], columns["y"] = x_all[order][keep], y_all[order][keep]
    rows = order[keep]
    new_pos = np.full(t_all.size, -2, dtype=np.int64)
    new_pos[rows] = np.arange(rows.size)
    par_all = np.concatenate(parent)[rows]
    columns["parent"] = np.where(par_all >= 0, new_pos[np.clip(par_all, 0, None)], -1)
    columns["generation"] = np.concatenate(generation)[rows]
    return Catalog.from_days(t_all[rows], np.concatenate(m)[rows], origin=origin, **columns)
