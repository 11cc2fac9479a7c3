"""Generated vs held-out sequences, side by side with an ETAS and a Poisson reference.

Statistics per catalog (etas.md §7–9; computed with :mod:`seismoalice.catalog.stats`):
b-value (Aki–Utsu at the model's Mc and Δm), Mc (maximum curvature + 0.2), the distribution of
log10 inter-event times, events per fixed time window of length T_w = L/λ̄ (L the VAE window,
λ̄ the held-out rate: a Poisson catalog has L events per window on average), the largest
magnitude per window, Omori p of the stacked sequences after mainshocks (M ≥ Mc + ``main_dm``,
``seq_days`` after them, no larger event ``seq_days`` before or after; temporal definition for
every catalog), and Båth's ΔM of the same sequences.

Distances to the held-out catalog: |difference| for b, Mc, p and ΔM; two-sample KS statistic
for the three distributions. The training split's own distances show how far two stretches of
the same process lie apart (the noise floor of every comparison). Written as one JSON and one
HTML page with embedded plots.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import ks_2samp

from seismoalice.catalog import stats
from seismoalice.catalog.catalog import Catalog
from seismoalice.errors import DataError

SCALARS = ("b_value", "mc", "omori_p", "bath_delta_m")
DISTRIBUTIONS = ("log10_interevent_days", "events_per_window", "max_magnitude_per_window")


@dataclass(frozen=True)
class EvalSettings:
    """Definitions shared by every catalog of one evaluation (see module doc)."""

    mc: float
    dm: float
    window_days: float
    main_dm: float = 2.0
    seq_days: float = 1.0
    omori_start_days: float = 1e-3
    tau_min_days: float = 1e-7


def catalog_statistics(cat: Catalog, s: EvalSettings) -> dict[str, Any]:
    """Scalar statistics and the samples of the distributions for one catalog (events ≥ Mc)."""
    cat = cat.select(cat.magnitudes >= s.mc - 1e-9)
    t, m = cat.times_days(), cat.magnitudes
    if t.size < 10:
        raise DataError(f"{cat.source}: only {t.size} events ≥ Mc = {s.mc}; cannot evaluate")
    b, b_err = stats.b_value_mle(m, s.mc, s.dm)
    edges = np.arange(t[0], t[-1] + s.window_days, s.window_days)
    which = np.searchsorted(edges, t, side="right") - 1
    counts = np.bincount(which, minlength=edges.size - 1)[: edges.size - 1]
    max_mag = np.full(edges.size - 1, -np.inf)
    np.maximum.at(max_mag, np.clip(which, 0, edges.size - 2), m)
    seq = _sequences(cat, s)
    out: dict[str, Any] = {
        "n_events": int(t.size),
        "duration_days": float(t[-1] - t[0]),
        "rate_per_day": float(t.size / max(t[-1] - t[0], 1e-12)),
        "b_value": b,
        "b_stderr": b_err,
        "mc": stats.completeness_maxc(m, max(s.dm, 0.1)),
        "cv_interevent": stats.interevent_times(t).cv,
        "dispersion_index": float(counts.var() / max(counts.mean(), 1e-12)),
        "n_mainshocks": seq["n_mainshocks"],
        "omori_p": seq["p"],
        "omori_p_stderr": seq["p_stderr"],
        "bath_delta_m": seq["bath"],
        "samples": {
            "log10_interevent_days": np.log10(np.maximum(np.diff(t), s.tau_min_days)),
            "events_per_window": counts.astype(float),
            "max_magnitude_per_window": max_mag[np.isfinite(max_mag)],
            "magnitudes": m,
            "times_days": t - t[0],
            "stacked_days": seq["stacked"],
        },
    }
    return out


def _sequences(cat: Catalog, s: EvalSettings) -> dict[str, Any]:
    """Stacked aftershock times after isolated mainshocks, Omori p of the stack, Båth's ΔM."""
    bath = stats.bath_delta_m(cat, s.mc + s.main_dm, window_days=s.seq_days, radius_km=None)
    t = cat.times_days()
    stacked = [t[(t > t[i]) & (t <= t[i] + s.seq_days)] - t[i] for i in bath.mainshock_index]
    times = np.concatenate(stacked) if stacked else np.empty(0)
    p = p_err = math.nan
    try:
        fit = stats.omori_fit(times, t_start=s.omori_start_days, t_end=s.seq_days)
        p, p_err = fit.p, fit.errors["p"]
    except (DataError, np.linalg.LinAlgError):
        pass  # too few events or a degenerate fit: p stays NaN and is reported as such
    return {
        "n_mainshocks": len(stacked),
        "p": p,
        "p_stderr": p_err,
        "bath": bath.mean,
        "stacked": times,
    }


def distances(cat_stats: dict[str, Any], heldout: dict[str, Any]) -> dict[str, float]:
    """|Δ| of the scalar statistics and KS distances of the distributions to the held-out data."""
    out = {k: abs(cat_stats[k] - heldout[k]) for k in SCALARS}
    for k in DISTRIBUTIONS:
        a, b = cat_stats["samples"][k], heldout["samples"][k]
        out[k] = float(ks_2samp(a, b).statistic) if a.size and b.size else math.nan
    return out


def poisson_reference(
    rate_per_day: float,
    b: float,
    mc: float,
    dm: float,
    duration_days: float,
    seed: int,
    origin: Any,
) -> Catalog:
    """Homogeneous Poisson catalog: N ~ Poisson(rate·T), uniform times, GR magnitudes ≥ Mc with
    the given b (continuous exponential from Mc − Δm/2, put on the Δm grid)."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(rate_per_day * duration_days)
    t = np.sort(rng.uniform(0.0, duration_days, n))
    u = rng.exponential(1.0 / (b * np.log(10.0)), n)
    m = mc + (dm * np.floor(u / dm) if dm > 0 else u)
    return Catalog.from_days(t, np.round(m, 6), origin=origin)


def etas_reference(
    train: Catalog, mc: float, dm: float, duration_days: float, seed: int, origin: Any
) -> tuple[Catalog | None, dict[str, Any]]:
    """Temporal ETAS fitted on the training split (m0 = Mc), simulated for ``duration_days``
    after a burn-in; magnitudes put on the training Δm grid like the Poisson reference.

    A supercritical fit (branching ratio ≥ 1) cannot be simulated: the catalog is then None
    and the reason is reported.
    """
    from seismoalice.catalog.etas.fit import fit_etas
    from seismoalice.catalog.etas.simulate import simulate_etas

    fit = fit_etas(train, m0=mc, model="temporal", dm=dm)
    info = {"params": fit.params.to_dict(), "branching_ratio": fit.branching_ratio}
    if not fit.branching_ratio < 1:
        return None, {**info, "skipped": "supercritical fit (branching ratio ≥ 1)"}
    sim = simulate_etas(
        fit.params,
        t_start=0.0,
        t_end=duration_days,
        burn_in_days=max(duration_days, 3650.0),
        seed=seed,
        origin=origin,
    )
    m = sim.magnitudes
    if dm > 0:
        m = np.round(mc + dm * np.floor((m - mc) / dm), 6)
    return Catalog.from_days(sim.times_days(t0=origin), m, origin=origin), info


def _verdict(d_generated: float, d_poisson: float) -> str:
    """'closer', 'tie', 'farther' (generated vs Poisson distance to held-out) or 'undefined'."""
    if not (math.isfinite(d_generated) and math.isfinite(d_poisson)):
        return "undefined"
    if abs(d_generated - d_poisson) < 1e-9:
        return "tie"
    return "closer" if d_generated < d_poisson else "farther"


def evaluate(
    heldout: Catalog,
    train: Catalog,
    generated: Catalog,
    settings: EvalSettings,
    seed: int = 0,
    size_factor: float = 4.0,
    b_true: float | None = None,
    etas: Callable[..., tuple[Catalog, dict[str, Any]]] | None = etas_reference,
) -> dict[str, Any]:
    """Compare the generated catalog and the references with the held-out catalog.

    The references cover ``size_factor`` × the held-out duration (the generated catalog should
    hold about ``size_factor`` × the held-out events). ``b_true`` (e.g. the simulation truth)
    is the target of the b-value bar; without it the held-out b is used. ``etas=None`` skips
    the ETAS reference. Returns the JSON-ready result (samples are dropped).
    """
    ho = catalog_statistics(heldout, settings)
    tr = catalog_statistics(train, settings)
    origin = heldout.df["time"].iloc[0]
    duration = size_factor * ho["duration_days"]
    catalogs = {"generated": generated}
    info: dict[str, Any] = {}
    if etas is not None:
        reference, info["etas"] = etas(train, settings.mc, settings.dm, duration, seed, origin)
        if reference is not None:
            catalogs["etas"] = reference
    catalogs["poisson"] = poisson_reference(
        tr["rate_per_day"], tr["b_value"], settings.mc, settings.dm, duration, seed + 1, origin
    )
    all_stats = {"heldout": ho, "train": tr}
    all_stats.update({k: catalog_statistics(c, settings) for k, c in catalogs.items()})
    dist = {k: distances(all_stats[k], ho) for k in ("train", *catalogs)}
    target_b = ho["b_value"] if b_true is None else b_true
    verdict = {
        k: _verdict(dist["generated"][k], dist["poisson"][k]) for k in (*SCALARS, *DISTRIBUTIONS)
    }
    bar = {
        "b_target": target_b,
        "b_within_0.05": bool(abs(all_stats["generated"]["b_value"] - target_b) <= 0.05),
        "ks_interevent_le_0.05": bool(dist["generated"]["log10_interevent_days"] <= 0.05),
        "vs_poisson": verdict,
        "closer_than_poisson_all": all(v in ("closer", "tie") for v in verdict.values()),
    }
    return {
        "settings": settings.__dict__,
        "seed": seed,
        "size_factor": size_factor,
        "statistics": {
            k: {kk: v for kk, v in st.items() if kk != "samples"} for k, st in all_stats.items()
        },
        "distance_to_heldout": dist,
        "bar": bar,
        "references": info,
        "_samples": {k: st["samples"] for k, st in all_stats.items()},
    }


def _figures(samples: dict[str, dict[str, np.ndarray]], settings: EvalSettings) -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"heldout": "k", "train": "0.6", "generated": "C0", "etas": "C1", "poisson": "C2"}
    panels = [
        ("magnitudes", "magnitude", "N(≥ m)", "fmd"),
        ("log10_interevent_days", "log10 inter-event time [days]", "CDF", "cdf"),
        ("events_per_window", f"events per {settings.window_days:.3g}-day window", "CDF", "cdf"),
        ("max_magnitude_per_window", "largest magnitude per window", "CDF", "cdf"),
        ("stacked_days", "time after mainshock [days]", "stacked density [1/day]", "omori"),
        ("times_days", "days since start", "fraction of events", "cumulative"),
    ]
    out = {}
    for key, xlabel, ylabel, kind in panels:
        fig, ax = plt.subplots(figsize=(5.5, 4.0), layout="constrained")
        for name, smp in samples.items():
            x = np.sort(smp[key])
            if x.size == 0:
                continue
            style = {"color": colours.get(name), "label": name, "lw": 1.4}
            if kind == "fmd":
                ax.semilogy(x, np.arange(x.size, 0, -1) / x.size, **style)
            elif kind == "cdf":
                ax.step(x, np.arange(1, x.size + 1) / x.size, where="post", **style)
            elif kind == "cumulative":
                ax.plot(x / max(x[-1], 1e-12), np.arange(1, x.size + 1) / x.size, **style)
            else:
                bins = np.logspace(
                    np.log10(settings.omori_start_days), np.log10(settings.seq_days), 25
                )
                h, e = np.histogram(x, bins)
                ax.loglog(
                    np.sqrt(e[1:] * e[:-1]), h / np.diff(e) / max(1, x.size), "o-", ms=3, **style
                )
        if kind == "fmd":
            ylabel = "fraction with magnitude ≥ m"
        if kind == "cumulative":
            xlabel = "fraction of the catalog's duration"
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        out[key] = buf.getvalue()
    return out


def write_report(result: dict[str, Any], out_dir: str | Path, title: str) -> dict[str, Path]:
    """Write ``evaluation.json``, one PNG per plot and ``evaluation.html`` into ``out_dir``."""
    from seismoalice.io_utils import atomic_path, atomic_write_text, write_json

    out = Path(out_dir)
    settings = EvalSettings(**result["settings"])
    samples = result["_samples"]
    public = {k: v for k, v in result.items() if k != "_samples"}
    write_json(out / "evaluation.json", public)
    figs = _figures(samples, settings)
    for name, png in figs.items():
        with atomic_path(out / f"evaluation_{name}.png") as tmp:
            tmp.write_bytes(png)
    atomic_write_text(out / "evaluation.html", _html(public, figs, title))
    return {"json": out / "evaluation.json", "html": out / "evaluation.html"}


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "nan" if not math.isfinite(v) else f"{v:.4g}"
    return html.escape(str(v))


def _header(names: list[str]) -> str:
    return "".join(f"<th>{html.escape(n)}</th>" for n in names)


def _html(result: dict[str, Any], figs: dict[str, bytes], title: str) -> str:
    st, dist = result["statistics"], result["distance_to_heldout"]
    names = list(st)
    rows = sorted({k for s in st.values() for k in s})
    stat_table = "".join(
        f"<tr><th>{k}</th>" + "".join(f"<td>{_fmt(st[n].get(k))}</td>" for n in names) + "</tr>"
        for k in rows
    )
    dnames = list(dist)
    dist_table = "".join(
        f"<tr><th>{k}</th>" + "".join(f"<td>{_fmt(dist[n][k])}</td>" for n in dnames) + "</tr>"
        for k in (*SCALARS, *DISTRIBUTIONS)
    )
    bar = result["bar"]
    verdicts = html.escape(", ".join(f"{k}: {v}" for k, v in bar["vs_poisson"].items()))
    imgs = "".join(
        f'<figure><img src="data:image/png;base64,{base64.b64encode(png).decode()}" '
        f'alt="{k}"><figcaption>{k}</figcaption></figure>'
        for k, png in figs.items()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}
figure{{display:inline-block;margin:4px}}</style></head><body>
<h1>{html.escape(title)}</h1>
<h2>Bar</h2><ul>
<li>b target {_fmt(bar["b_target"])}: generated within ±0.05: <b>{bar["b_within_0.05"]}</b></li>
<li>KS distance of log10 inter-event times ≤ 0.05: <b>{bar["ks_interevent_le_0.05"]}</b></li>
<li>closer to held-out than Poisson (or tied) on every statistic:
<b>{bar["closer_than_poisson_all"]}</b> ({verdicts})</li></ul>
<h2>Statistics</h2>
<table><tr><th></th>{_header(names)}</tr>{stat_table}</table>
<h2>Distance to held-out</h2>
<table><tr><th></th>{_header(dnames)}</tr>{dist_table}</table>
<h2>Plots</h2>{imgs}
</body></html>
"""


def evaluate_model(
    model_dir: str | Path,
    generated: Catalog | None = None,
    size_factor: float = 4.0,
    seed: int = 0,
    b_true: float | None = None,
    with_etas: bool = True,
    main_dm: float = 2.0,
    seq_days: float = 1.0,
) -> dict[str, Any]:
    """Evaluate a trained model directory against its held-out (test) split.

    Without ``generated``, ⌈size_factor·N_test/L⌉ windows are generated with ``seed``.
    """
    from seismoalice.catalog.vae.files import read_json_object
    from seismoalice.catalog.vae.generate import generate_catalog

    model_dir = Path(model_dir)
    meta = read_json_object(model_dir / "config.json")
    heldout = Catalog.read_csv(model_dir / "split_test.csv")
    train = Catalog.read_csv(model_dir / "split_train.csv")
    window = meta["config"]["data"]["window"]
    info: dict[str, Any] = {}
    if generated is None:
        n_windows = math.ceil(size_factor * len(heldout) / window)
        generated, info = generate_catalog(model_dir, n_windows, seed=seed)
    t = heldout.times_days()
    settings = EvalSettings(
        mc=meta["mc"],
        dm=meta["dm"],
        window_days=window * (t[-1] - t[0]) / len(t),
        main_dm=main_dm,
        seq_days=seq_days,
        tau_min_days=meta["config"]["data"]["tau_min_days"],
    )
    result = evaluate(
        heldout,
        train,
        generated,
        settings,
        seed=seed,
        size_factor=size_factor,
        b_true=b_true,
        etas=etas_reference if with_etas else None,
    )
    result["generation"] = info
    result["model_dir"] = str(model_dir)
    return result
