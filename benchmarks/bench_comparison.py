"""ALICE ``hb`` against the baselines on the demo's test split, checked against the issue-5 bar.

Runs (unless ``--skip-run``), after ``make demo`` (run first when its hb checkpoint is missing)::

    seismoalice train --stage ann2bb --data DEMO/data/prepared --out DEMO/runs --overwrite
    seismoalice compare --data DEMO/data/prepared --split test --seed 0 --out DEMO/compare \\
        --methods hb=DEMO/runs/hb/best,ann2bb=DEMO/runs/ann2bb,stochastic,stochastic_oracle,\\
stochastic_estimated,lf

then checks the bar on ``DEMO/compare/comparison.json``: hb has a lower PSA σ than ``lf`` and
``ann2bb`` in each band of 0.02–1 s and a higher median EG, and a PSA σ within 1.2× that of the
informed ``stochastic`` bound (true M and R) in each band; writes
``benchmarks/results/comparison.json``.

    .venv/bin/python benchmarks/bench_comparison.py [--demo-dir demo_out] [--skip-run]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from seismoalice import __version__
from seismoalice.io_utils import write_json

ROOT = Path(__file__).resolve().parents[1]
RESULT = ROOT / "benchmarks" / "results" / "comparison.json"
METHODS = "stochastic,stochastic_oracle,stochastic_estimated,lf"
SHORT_BANDS = 3  # the PSA bands 0.02–0.1, 0.1–0.3 and 0.3–1 s


def sigmas(method: dict[str, Any]) -> list[float]:
    return [band["sigma"] for band in method["psa_bands"][:SHORT_BANDS]]


def bar_checks(methods: dict[str, Any]) -> dict[str, bool]:
    """The issue-5 bar for ``hb`` on a comparison's per-method summaries."""
    hb = methods["hb"]
    checks = {}
    for other in ("lf", "ann2bb"):
        checks[f"psa_sigma_below_{other}"] = all(
            a < b for a, b in zip(sigmas(hb), sigmas(methods[other]), strict=True)
        )
        checks[f"eg_above_{other}"] = hb["eg_median"] > methods[other]["eg_median"]
    checks["psa_sigma_within_1.2x_informed_stochastic"] = all(
        a <= 1.2 * b for a, b in zip(sigmas(hb), sigmas(methods["stochastic"]), strict=True)
    )
    return checks


def run(cli: Path, *args: str) -> None:
    print("$ seismoalice", " ".join(args), flush=True)
    subprocess.run([str(cli), *args], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", type=Path, default=ROOT / "demo_out")
    parser.add_argument("--skip-run", action="store_true", help="only re-check comparison.json")
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    demo, cli = args.demo_dir, Path(sys.executable).with_name("seismoalice")
    prepared, runs, compare = demo / "data" / "prepared", demo / "runs", demo / "compare"
    commands = [
        ["train", "--stage", "ann2bb", "--data", str(prepared), "--out", str(runs), "--overwrite"],
        [
            "compare",
            "--data",
            str(prepared),
            "--split",
            "test",
            "--seed",
            "0",
            "--out",
            str(compare),
            "--methods",
            f"hb={runs / 'hb' / 'best'},ann2bb={runs / 'ann2bb'},{METHODS}",
        ],
    ]
    if not args.skip_run:
        if not (runs / "hb" / "best").exists():
            run(cli, "demo", "--out", str(demo))
        for command in commands:
            run(cli, *command)
    comparison = json.loads((compare / "comparison.json").read_text())
    checks = bar_checks(comparison["methods"])
    result = {
        "benchmark": "comparison",
        "command": " ".join(["python", *sys.argv]),
        "runs": ["seismoalice " + " ".join(c) for c in commands],
        "seismoalice_version": __version__,
        "cores": os.cpu_count(),
        "bar": checks,
        "bar_met": all(checks.values()),
        "comparison": comparison,
    }
    write_json(args.out, result)
    for name, method in comparison["methods"].items():
        bands = " ".join(f"{b['bias']:+.2f}/{b['sigma']:.2f}" for b in method["psa_bands"])
        print(f"{name:22s} PSA {bands}  EG {method['eg_median']:.2f}")
    for key, ok in checks.items():
        print(f"{key:45s} {'pass' if ok else 'FAIL'}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
