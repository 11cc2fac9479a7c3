"""Catalog VAE: the bar on simulated ETAS data, the real San Jacinto catalog, and speed.

Trains the VAE of ``configs/catalog_vae.yaml`` (and the plain MSE VAE for comparison) on a
temporal ETAS catalog with known b, evaluates generated vs held-out sequences beside the ETAS
and Poisson references, repeats on the QTM San Jacinto catalog, and times training and
generation (events/s) beside the project's ETAS simulator (events/s) as the reference.

    .venv/bin/python benchmarks/bench_catalog_vae.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from bench_catalog_real import QTM_CANDIDATES

from seismoalice import __version__
from seismoalice.catalog.catalog import Catalog
from seismoalice.catalog.etas.params import ETASParams
from seismoalice.catalog.etas.simulate import simulate_etas
from seismoalice.catalog.vae.config import load_config
from seismoalice.catalog.vae.evaluate import evaluate_model, write_report
from seismoalice.catalog.vae.generate import generate_catalog
from seismoalice.catalog.vae.train import train_vae
from seismoalice.io_utils import write_json

ROOT = Path(__file__).resolve().parents[1]
QTM = next((p for p in QTM_CANDIDATES if p.is_file()), QTM_CANDIDATES[0])
TRUTH = ETASParams(mu=2.0, k=0.14, alpha=0.8 * np.log(10), c=0.01, p=1.2, m0=2.0, b=1.0, mmax=7.0)


def _summary(result: dict) -> dict:
    st, dist = result["statistics"], result["distance_to_heldout"]
    return {
        "statistics": st,
        "distance_to_heldout": dist,
        "bar": result["bar"],
        "references": result["references"],
    }


def _run(name: str, catalog: Catalog, cfg, out: Path, b_true: float | None, seed: int) -> dict:
    t0 = time.perf_counter()
    meta = train_vae(catalog, cfg, out / name, resume=False, progress=False)
    train_s = time.perf_counter() - t0
    n_windows = 2000
    t0 = time.perf_counter()
    gen, _ = generate_catalog(out / name, n_windows, seed=seed)
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = evaluate_model(out / name, seed=seed, b_true=b_true)
    eval_s = time.perf_counter() - t0
    write_report(result, out / name / "evaluation", f"Catalog VAE evaluation: {name}")
    bar = result["bar"]
    print(
        f"{name}: train {train_s:.0f} s ({meta['best_epoch'] + 1} epochs to best), "
        f"generate {len(gen) / gen_s:,.0f} events/s, evaluate {eval_s:.0f} s\n"
        f"  b gen {result['statistics']['generated']['b_value']:.3f} "
        f"(target {bar['b_target']:.3f}) within ±0.05: {bar['b_within_0.05']}; "
        f"KS(log τ) {result['distance_to_heldout']['generated']['log10_interevent_days']:.3f}; "
        f"vs Poisson {bar['vs_poisson']}",
        flush=True,
    )
    return {
        "train_seconds": train_s,
        "best_epoch": meta["best_epoch"],
        "n_events": meta["n_events"],
        "mc": meta["mc"],
        "dm": meta["dm"],
        "generate_events_per_s": len(gen) / gen_s,
        "evaluate_seconds": eval_s,
        "config": meta["config"],
        **_summary(result),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes while developing")
    parser.add_argument("--out", type=Path, default=Path("/tmp/seismoalice_bench_catalog_vae"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    years = 10.0 if args.quick else 40.0

    t0 = time.perf_counter()
    etas = simulate_etas(TRUTH, 0.0, 365.25 * years, burn_in_days=3650.0, seed=1)
    sim_s = time.perf_counter() - t0
    print(f"ETAS truth: {len(etas)} events in {years:g} years, n = {TRUTH.branching_ratio:.2f}")
    results: dict = {"etas_truth": TRUTH.to_dict(), "etas_events": len(etas)}

    cfg = load_config(ROOT / "configs" / "catalog_vae.yaml")
    cfg.data.mc = TRUTH.m0
    if args.quick:
        cfg.train.epochs = 30
    results["etas_gr_weibull"] = _run("etas_gr_weibull", etas, cfg, args.out, TRUTH.b, args.seed)
    plain = cfg.model_copy(deep=True)
    plain.model.reconstruction = "mse"
    plain.train.beta, plain.train.warmup_epochs = 1.0, 0
    results["etas_plain_mse"] = _run("etas_plain_mse", etas, plain, args.out, TRUTH.b, args.seed)
    if QTM.is_file():
        real = load_config(ROOT / "configs" / "catalog_vae.yaml")
        if args.quick:
            real.train.epochs = 30
        results["sanjacinto"] = _run(
            "sanjacinto", Catalog.read_csv(QTM), real, args.out, None, args.seed
        )

    ref_rate = len(etas) / sim_s
    vae_rate = results["etas_gr_weibull"]["generate_events_per_s"]
    print(
        f"speed: VAE generation {vae_rate:,.0f} events/s, "
        f"ETAS simulation {ref_rate:,.0f} events/s (ratio {vae_rate / ref_rate:.2f})"
    )
    results["speed"] = {
        "vae_generate_events_per_s": vae_rate,
        "etas_simulate_events_per_s": ref_rate,
        "ratio_vae_over_etas": vae_rate / ref_rate,
    }
    results.update(
        version=__version__,
        cores=os.cpu_count(),
        command=" ".join([sys.executable, *sys.argv]),
        quick=args.quick,
        reports=str(args.out),
        note="shared 2-core machine, other engineers running: timings are noisy",
    )
    write_json(ROOT / "benchmarks" / "results" / "catalog_vae.json", results)


if __name__ == "__main__":
    main()
