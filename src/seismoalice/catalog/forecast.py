"""Forecast evaluation with the EarthquakeNPP protocol (Stockman, Lawson & Werner, arXiv
2410.08226; etas.md §10): a chronological split of the catalog above m0 into training,
validation and test periods; every model is fitted on training + validation (the VAE uses the
validation period for early stopping) and scored by its log-likelihood per event over the test
period, with every earlier event as history.

Scores (nats per test event; time in days, distance in km):

- ``temporal``: Σ ln λ*(t_i) − ∫ λ* dt over the test period (homogeneous Poisson: μ̂ = the
  training + validation rate; temporal ETAS);
- ``time_magnitude``: the temporal score plus the Gutenberg–Richter log-density of the
  magnitudes (b from the training + validation events, u = m − m0 + Δm/2), so that models of
  times and magnitudes (the VAE) can stand beside them;
- ``spacetime``: Σ ln λ(t_i, x_i, y_i) − ∫∫∫ λ over the test period and the region of the fit
  (Poisson: uniform in space; space–time ETAS with its declustered background).

The VAE has no conditional intensity: its score is an importance-weighted lower bound of
ln p(τ, m) of non-overlapping test windows (:mod:`.vae.likelihood`), each window conditioned on
nothing before it, per windowed event.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from seismoalice.catalog.catalog import Catalog
from seismoalice.catalog.etas.params import LN10
from seismoalice.catalog.stats import b_value_mle
from seismoalice.errors import DataError


def split_times(
    t_days: np.ndarray, train_fraction: float, val_fraction: float, by: str = "time"
) -> tuple[float, float, float, float]:
    """(start, validation start, test start, end) in days: fractions of the catalog's span or
    event count, as the VAE splits (:func:`.vae.windows.split_edges`)."""
    from seismoalice.catalog.vae.windows import split_edges

    val_start, test_start = split_edges(t_days, train_fraction, val_fraction, by)
    return float(t_days[0]), val_start, test_start, float(t_days[-1])


def _gr_loglik(mags: np.ndarray, m0: float, b: float, dm: float) -> float:
    """Σ ln(β e^{−β u}), u = m − m0 + Δm/2: the GR density of the magnitudes [nats]."""
    beta = b * LN10
    u = np.maximum(mags - m0 + dm / 2, 0.0)
    return float(np.sum(np.log(beta) - beta * u))


def _poisson(
    n_fit: int, fit_days: float, mags: np.ndarray, test_days: float, area: float | None
) -> float:
    """ln L of a homogeneous Poisson process (rate n_fit/fit_days, uniform over ``area`` km²
    when given) for the test events of magnitudes ``mags``."""
    rate = n_fit / fit_days
    density = rate if area is None else rate / area
    return float(mags.size * math.log(density) - rate * test_days)


def evaluate_forecasts(
    catalog: Catalog,
    m0: float,
    dm: float = 0.0,
    train_fraction: float = 0.7,
    val_fraction: float = 0.15,
    split_by: str = "time",
    models: tuple[str, ...] = ("poisson", "temporal", "spacetime"),
    vae_dir: str | Path | None = None,
    vae_samples: int = 64,
    seed: int = 0,
) -> dict[str, Any]:
    """Fit on training + validation, score the test period; returns a JSON-ready table.

    ``models``: any of ``poisson``, ``temporal`` (ETAS), ``spacetime`` (ETAS; needs
    locations). ``split_by``: fractions of the time span or of the event count.
    ``vae_dir``: a trained catalog-VAE model directory (its own chronological test split, above
    its Mc, is scored; use the same fractions, split and m0 to compare).
    """
    from seismoalice.catalog.etas.fit import fit_etas, score_window

    complete = catalog.select(catalog.magnitudes >= m0 - dm / 2 - 1e-9)
    if len(complete) < 50:
        raise DataError(f"{catalog.source}: {len(complete)} events ≥ m0 = {m0}; need ≥ 50")
    origin = complete.df["time"].iloc[0]
    t = complete.times_days(origin)
    start, val_start, test_start, end = split_times(t, train_fraction, val_fraction, split_by)
    fitting = t < test_start
    test = ~fitting
    if test.sum() < 10:
        raise DataError(f"{catalog.source}: only {int(test.sum())} events in the test period")
    fit_days, test_days = test_start - start, end - test_start
    mags = complete.magnitudes
    b, _ = b_value_mle(mags[fitting], m0, dm)
    gr_test = _gr_loglik(mags[test], m0, b, dm)
    n_test = int(test.sum())
    rows: dict[str, dict[str, Any]] = {}
    if "poisson" in models:
        ll = _poisson(int(fitting.sum()), fit_days, mags[test], test_days, None)
        rows["poisson"] = {
            "temporal": ll / n_test,
            "time_magnitude": (ll + gr_test) / n_test,
            "n_events": n_test,
        }
    fit_catalog = complete.select(fitting)
    fits: dict[str, Any] = {}
    for model in ("temporal", "spacetime"):
        if model not in models:
            continue
        began = time.perf_counter()
        fit = fit_etas(fit_catalog, m0, model=model, dm=dm, t0=origin)
        score = score_window(fit, complete, test_start, end, origin)
        fits[model] = {
            "params": fit.params.to_dict(),
            "stderr": fit.stderr,
            "branching_ratio": fit.branching_ratio,
            "at_bounds": fit.info["at_bounds"],
            "fit_seconds": time.perf_counter() - began,
        }
        if model == "temporal":
            rows["etas_temporal"] = {
                "temporal": score["loglik_per_event"],
                "time_magnitude": (score["loglik"] + gr_test) / n_test,
                "n_events": score["n_events"],
            }
        else:
            rows["etas_spacetime"] = {"spacetime": score["loglik_per_event"], **score}
            area = float(np.prod(np.diff(np.reshape(fit.params.region, (2, 2)), axis=1)))
            test_sel = _inside(complete.select(test), fit.params.region)
            ll = _poisson(
                int(_inside(fit_catalog, fit.params.region).sum()),
                fit_days,
                mags[test][test_sel],
                test_days,
                area,
            )
            rows.setdefault("poisson", {})["spacetime"] = ll / max(int(test_sel.sum()), 1)
    if vae_dir is not None:
        rows["vae"] = _vae_row(Path(vae_dir), vae_samples, seed)
    return {
        "catalog": catalog.source,
        "m0": m0,
        "dm": dm,
        "b": b,
        "split_days": {
            "start": start,
            "validation_start": val_start,
            "test_start": test_start,
            "end": end,
        },
        "origin": origin.isoformat(),
        "n_events": {"fit": int(fitting.sum()), "test": n_test},
        "scores": rows,
        "fits": fits,
        "units": "nats per test event; time in days, distance in km",
    }


def _inside(catalog: Catalog, region: tuple[float, float, float, float]) -> np.ndarray:
    x, y = catalog.xy_km()
    xmin, xmax, ymin, ymax = region
    return (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)


def _vae_row(model_dir: Path, n_samples: int, seed: int) -> dict[str, Any]:
    """IWAE bound per windowed event of the model's own test split."""
    from seismoalice.catalog.vae.explore import catalog_windows
    from seismoalice.catalog.vae.generate import load_vae
    from seismoalice.catalog.vae.likelihood import iwae_log_likelihood, likelihood_defined

    vae = load_vae(model_dir)
    ok, why = likelihood_defined(vae)
    if not ok:
        return {"undefined": why}
    test = Catalog.read_csv(model_dir / "split_test.csv")
    _, windows = catalog_windows(vae, test)
    bound = iwae_log_likelihood(vae, windows.features, n_samples=n_samples, seed=seed)
    n_events = int(windows.features.shape[0] * windows.features.shape[1])
    return {
        "time_magnitude": float(bound.sum() / n_events),
        "n_events": n_events,
        "bound": f"importance-weighted (K = {n_samples}), windows of {windows.features.shape[1]}",
        "mc": vae.meta["mc"],
    }


def markdown_table(result: dict[str, Any]) -> str:
    """The score table as markdown (one row per model, '—' where a score is not defined)."""
    cols = ("temporal", "time_magnitude", "spacetime")
    lines = [
        "| model | temporal | time + magnitude | space–time | events scored |",
        "|---|---|---|---|---|",
    ]
    for name, row in result["scores"].items():
        cells = [f"{row[c]:.3f}" if c in row else "—" for c in cols]
        lines.append(f"| {name} | {' | '.join(cells)} | {row.get('n_events', '—')} |")
    return "\n".join(lines) + "\n"
