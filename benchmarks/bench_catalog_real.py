"""The catalog part on real catalogs, through the command line as a user runs it (issue 14).

Catalogs: the QTM San Jacinto catalog (the shared catalogs folder; 21,291 events, the largest
real catalog available here, so it also stands in for the large regional catalog of the issue),
pyCSEP's ComCat Ridgecrest sample (829 events) and SeismoStats' Swiss catalog (1,924 events, of
which the earthquakes are kept), both read from the installed packages (``pip install -e
.[bench]``; nothing is downloaded). Per catalog:

- ``catalog stats`` (b against b-positive);
- ``catalog fit`` temporal and space–time (times, branching ratio, parameters at a bound,
  standard errors) and a simulation from the space–time fit against the catalog (event count,
  inter-event-time CV, dispersion of daily counts);
- ``catalog vae train / generate / evaluate / explore`` and the bar of issue 14;
- ``catalog forecast-eval`` (Poisson, temporal and space–time ETAS, VAE bound).

Speed (part 4 of the issue): temporal and space–time fits of all San Jacinto events (M ≥ 1.0,
21,291) with the CPU time of the process beside the wall time (the machine is shared).

    .venv/bin/python benchmarks/bench_catalog_real.py [--only sanjacinto] [--quick]

Writes benchmarks/results/catalog_real.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from seismoalice import __version__
from seismoalice.catalog.catalog import Catalog
from seismoalice.catalog.etas.background import BackgroundDensity
from seismoalice.catalog.etas.params import SpaceTimeETASParams
from seismoalice.catalog.etas.simulate import simulate_etas
from seismoalice.catalog.stats import interevent_times
from seismoalice.io_utils import write_json

ROOT = Path(__file__).resolve().parents[1]
#: the shared data folder sits beside the repository (main checkout) or two levels up (worktree)
QTM_CANDIDATES = [
    base / "shared" / "data" / "catalogs" / "sanjacinto_qtm.csv"
    for base in (ROOT.parent, ROOT.parent.parent)
]
CLI = str(Path(sys.executable).parent / "seismoalice")


def package_file(package: str, relative: str) -> Path | None:
    """A data file shipped inside an installed package, located without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.is_file() else None


def prepare_catalogs(work: Path, only: list[str] | None) -> dict[str, dict]:
    """CSV files of the real catalogs (native layout where converted) and their settings."""
    found: dict[str, dict] = {}
    qtm = next((p for p in QTM_CANDIDATES if p.is_file()), None)
    if "SEISMOALICE_QTM" in os.environ:
        qtm = Path(os.environ["SEISMOALICE_QTM"])
    if qtm is not None and qtm.is_file():
        found["sanjacinto"] = {"path": qtm, "mag_bin": 0.01, "source": "QTM (EarthquakeNPP)"}
    ridgecrest = package_file("csep", "artifacts/ObservedCatalogs/sample_comcat_catalog.csv")
    if ridgecrest is not None:
        found["ridgecrest"] = {"path": ridgecrest, "mag_bin": 0.01, "source": "pyCSEP sample"}
    swiss = package_file("seismostats", "analysis/tests/data/catalog_sed.csv")
    if swiss is not None:
        raw = pd.read_csv(swiss)
        quakes = raw[raw["event_type"] == "earthquake"]
        native = pd.DataFrame(
            {
                "time": quakes["time"],
                "latitude": quakes["latitude"],
                "longitude": quakes["longitude"],
                "depth": quakes["depth"] / 1000.0,  # SeismoStats stores metres
                "magnitude": quakes["magnitude"],
            }
        ).iloc[::-1]  # newest first in the file
        path = work / "swiss_sed_2023.csv"
        native.to_csv(path, index=False)
        found["swiss"] = {
            "path": path,
            "mag_bin": 0.0,
            "source": f"SeismoStats test catalog: {len(quakes)} earthquakes of {len(raw)} events",
        }
    return {k: v for k, v in found.items() if only is None or k in only}


def run(args: list[str], log: Path) -> tuple[float, str]:
    """Run a seismoalice command; wall seconds and output (raises on failure)."""
    began = time.perf_counter()
    proc = subprocess.run([CLI, *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"$ seismoalice {' '.join(args)}\n{proc.stdout}{proc.stderr}\n")
    if proc.returncode != 0:
        raise RuntimeError(f"seismoalice {' '.join(args)} failed: {proc.stderr.strip()[-500:]}")
    return seconds, proc.stdout + proc.stderr


def cpu_seconds() -> float:
    """CPU time (user + system) of finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_fit(path: Path, model: str, m0: float, mag_bin: float, out: Path, log: Path) -> dict:
    before = cpu_seconds()
    wall, _ = run(
        ["catalog", "fit", str(path), "--model", model, "--m0", str(m0), "--mag-bin",
         str(mag_bin), "--out", str(out), "--sort"],
        log,
    )  # fmt: skip
    fit = json.loads(out.read_text())
    params = fit["params"]
    stderr = {k: v for k, v in fit["stderr"].items() if k in params}
    return {
        "n_events": fit["n_events"],
        "wall_seconds": wall,
        "cpu_seconds": cpu_seconds() - before,
        "fit_seconds_reported": fit["seconds"],
        "branching_ratio": fit["branching_ratio"],
        "subcritical": fit["branching_ratio"] is not None and fit["branching_ratio"] < 1,
        "at_bounds": fit["info"]["at_bounds"],
        "kernel": fit["info"]["kernel"],
        "params": {k: v for k, v in params.items() if k != "region"},
        "stderr": stderr,
        "stderr_finite": all(v is not None and np.isfinite(v) for v in stderr.values()),
    }


def clustering(t: np.ndarray) -> dict:
    """Event count, inter-event-time CV and index of dispersion of daily counts."""
    counts = np.bincount(np.floor(t - t[0]).astype(np.int64))
    return {
        "n_events": int(t.size),
        "interevent_cv": interevent_times(t).cv,
        "daily_dispersion": float(counts.var() / counts.mean()),
    }


def simulate_from_fit(fit_json: Path, catalog: Catalog, seed: int) -> dict:
    """Simulate the fitted space–time model over the fit window; compare with the catalog."""
    fit = json.loads(fit_json.read_text())
    if not (fit["branching_ratio"] is not None and fit["branching_ratio"] < 1):
        return {"skipped": f"supercritical fit (n = {fit['branching_ratio']})"}
    p = fit["params"]
    params = SpaceTimeETASParams(**{**p, "region": tuple(p["region"])})
    bg = fit["background"]
    background = None
    if bg is not None:
        background = BackgroundDensity(
            *(np.asarray(bg[k], float) for k in ("x", "y", "weight", "h")), tuple(bg["region"])
        )
    t0 = catalog.df["time"].iloc[0]
    t_s, t_e = fit["info"]["t_start_days"], fit["info"]["t_end_days"]
    observed = catalog.select(catalog.magnitudes >= params.m0 - fit["info"]["dm"] / 2 - 1e-9)
    rows = []
    for k in range(5):
        sim = simulate_etas(
            params, t_s, t_e, burn_in_days=max(t_e - t_s, 3650.0), seed=seed + k,
            origin=t0, background=background,
        )  # fmt: skip
        rows.append(clustering(sim.times_days(t0)))
    summary = {key: [r[key] for r in rows] for key in rows[0]}
    return {
        "catalog": clustering(observed.times_days(t0)),
        "simulations": summary,
        "count_within_simulated_range": bool(
            min(summary["n_events"]) <= len(observed) <= max(summary["n_events"])
        ),
    }


def vae_config(work: Path, name: str, n_events: int, quick: bool) -> Path:
    """The shipped VAE config, split by event count (the Ridgecrest sample is one aftershock
    sequence: its last 15 % of time holds 11 events above Mc); for catalogs of a few thousand
    events or fewer, windows of 16 events (every split needs at least one window)."""
    cfg = yaml.safe_load((ROOT / "configs" / "catalog_vae.yaml").read_text())
    if n_events < 5000:
        cfg["data"].update(window=16, stride=4)
    cfg["data"]["split_by"] = "events"
    if quick:
        cfg["train"]["epochs"] = 20
    path = work / f"{name}_vae.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def one_catalog(name: str, spec: dict, work: Path, quick: bool, seed: int) -> dict:
    out = work / name
    out.mkdir(parents=True, exist_ok=True)
    log = out / "commands.log"
    log.write_text("")
    path, mag_bin = spec["path"], spec["mag_bin"]
    catalog = Catalog.read_csv(path, sort=True)
    row: dict = {"source": spec["source"], "n_events": len(catalog), "mag_bin": mag_bin}
    run(["catalog", "stats", str(path), "--out", str(out / "stats"), "--sort",
         "--mag-bin", str(mag_bin or 0.01)], log)  # fmt: skip
    stats = json.loads((out / "stats" / "stats.json").read_text())
    row["stats"] = {k: stats[k] for k in ("mc", "b", "b_stderr", "b_positive", "b_positive_stderr")}
    row["stats"]["b_comparison"] = stats["b_comparison"]

    cfg = vae_config(work, name, len(catalog), quick)
    wall, _ = run(["catalog", "vae", "train", str(path), "--out", str(out / "vae"),
                   "--config", str(cfg), "--overwrite", "--sort"], log)  # fmt: skip
    meta = json.loads((out / "vae" / "config.json").read_text())
    mc, window = meta["mc"], meta["config"]["data"]["window"]
    row["vae"] = {"train_seconds": wall, "mc": mc, "window": window, "n_events": meta["n_events"]}
    n_windows = int(np.ceil(4 * meta["n_events"]["test"] / window))
    wall, text = run(["catalog", "vae", "generate", str(out / "vae"), "--windows",
                      str(n_windows), "--out", str(out / "generated.csv"), "--seed", str(seed)],
                     log)  # fmt: skip
    generated = Catalog.read_csv(out / "generated.csv")
    row["vae"]["generate"] = {
        "seconds": wall,
        "events": len(generated),
        "all_times_finite": bool(generated.df["time"].notna().all()),
        "output": text.strip().splitlines()[-1],
    }
    wall, _ = run(["catalog", "vae", "evaluate", str(out / "vae"), "--out", str(out / "eval"),
                   "--generated", str(out / "generated.csv"), "--seed", str(seed)],
                  log)  # fmt: skip
    evaluation = json.loads((out / "eval" / "evaluation.json").read_text())
    row["vae"]["evaluate_seconds"] = wall
    row["vae"]["bar"] = evaluation["bar"]
    row["vae"]["statistics"] = evaluation["statistics"]
    row["vae"]["distance_to_heldout"] = evaluation["distance_to_heldout"]
    wall, _ = run(["catalog", "vae", "explore", str(out / "vae"), "--out",
                   str(out / "explore.png")], log)  # fmt: skip
    row["vae"]["explore_seconds"] = wall

    for model in ("temporal", "spacetime"):
        row[f"fit_{model}"] = timed_fit(path, model, mc, mag_bin, out / f"fit_{model}.json", log)
    row["simulation_from_spacetime_fit"] = simulate_from_fit(
        out / "fit_spacetime.json", catalog, seed
    )
    wall, _ = run(["catalog", "forecast-eval", str(path), "--out", str(out / "forecast"),
                   "--vae", str(out / "vae"), "--mag-bin", str(mag_bin), "--sort"],
                  log)  # fmt: skip
    forecast = json.loads((out / "forecast" / "forecast.json").read_text())
    scores = forecast["scores"]
    row["forecast"] = {
        "seconds": wall,
        "m0": forecast["m0"],
        "n_events": forecast["n_events"],
        "scores": scores,
        "table": (out / "forecast" / "forecast.md").read_text(),
        "etas_beats_poisson_temporal": scores["etas_temporal"]["temporal"]
        > scores["poisson"]["temporal"],
        "etas_beats_poisson_spacetime": scores["etas_spacetime"]["spacetime"]
        > scores["poisson"]["spacetime"],
        "fits": {
            k: {kk: v[kk] for kk in ("branching_ratio", "at_bounds", "fit_seconds")}
            for k, v in forecast["fits"].items()
        },
    }
    bar = row["vae"]["bar"]
    row["bar"] = {
        "vae_commands_complete": True,
        "vae_b_within_0.05": bar["b_within_0.05"],
        "vae_ks_log_tau_le_0.05": bar["ks_interevent_le_0.05"],
        "vae_closer_than_poisson_all": bar["closer_than_poisson_all"],
        "spacetime_subcritical": row["fit_spacetime"]["subcritical"],
        "spacetime_no_parameter_at_bound": not row["fit_spacetime"]["at_bounds"],
        "etas_beats_poisson_forecast": row["forecast"]["etas_beats_poisson_temporal"]
        and row["forecast"]["etas_beats_poisson_spacetime"],
    }
    print(f"{name}: {json.dumps(row['bar'])}", flush=True)
    print(row["forecast"]["table"], flush=True)
    return row


def speed(spec: dict, work: Path) -> dict:
    """Fit times on all events of the largest catalog (part 4: temporal ≤ 30 s, space–time
    ≤ 5 min on 2 cores for 20,000 real events)."""
    log = work / "speed.log"
    log.write_text("")
    out = {}
    for model in ("temporal", "spacetime"):
        out[model] = timed_fit(
            spec["path"], model, 1.0, spec["mag_bin"], work / f"speed_{model}.json", log
        )
        print(
            f"speed {model}: {out[model]['n_events']} events, wall "
            f"{out[model]['wall_seconds']:.1f} s, CPU {out[model]['cpu_seconds']:.1f} s",
            flush=True,
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="catalog names to run")
    parser.add_argument("--quick", action="store_true", help="20 VAE epochs (development)")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--work", type=Path, default=Path("/tmp/seismoalice_bench_catalog_real"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    catalogs = prepare_catalogs(args.work, args.only)
    missing = set(args.only or ("sanjacinto", "ridgecrest", "swiss")) - set(catalogs)
    results: dict = {"catalogs": {}, "missing": sorted(missing)}
    if missing:
        print(f"not available (install the bench extra / shared data): {sorted(missing)}")
    results.update(
        version=__version__,
        command=" ".join([Path(sys.executable).name, *sys.argv]),
        cores=os.cpu_count(),
        machine=platform.platform(),
        quick=args.quick,
        note="shared 2-core machine with other jobs running: wall times are pessimistic; "
        "cpu_seconds is the CPU time of the command (the fits run on one thread)",
    )
    target = ROOT / "benchmarks" / "results" / "catalog_real.json"
    # smallest first; written after every catalog: a partial run keeps its results
    for name, spec in sorted(catalogs.items(), key=lambda kv: kv[0] == "sanjacinto"):
        results["catalogs"][name] = one_catalog(name, spec, args.work, args.quick, args.seed)
        write_json(target, results | {"load_average": os.getloadavg()})
    if "sanjacinto" in catalogs and not args.no_speed:
        results["speed_all_sanjacinto_events"] = speed(catalogs["sanjacinto"], args.work)
        write_json(target, results | {"load_average": os.getloadavg()})


if __name__ == "__main__":
    main()
