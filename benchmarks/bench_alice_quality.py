"""ALICE ``hb`` quality on the demo's held-out test split against the issue-4 bar, LF alone beside.

Reads ``DEMO/report/metrics.json`` (ALICE hb) and ``DEMO/report_lf/metrics.json`` (the LF input
alone), both written by ``make demo`` (which is run first when they are missing), checks every
criterion of the bar on the RotD50 ln residuals ln(reference / prediction), generates K
realisations of each test LF record with ``DEMO/runs/hb/best`` for the realisation spread of
ln PSA(0.1 s) and the LF consistency below fc/4 and fc/2, and writes
``benchmarks/results/alice_demo.json``.

    .venv/bin/python benchmarks/bench_alice_quality.py [--demo-dir demo_out] [--realizations 10]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from seismoalice import __version__
from seismoalice.io_utils import write_json

ROOT = Path(__file__).resolve().parents[1]
RESULT = ROOT / "benchmarks" / "results" / "alice_demo.json"
SHORT, LONG = (0.02, 1.0), 1.5
EG_REALISATIONS = 3  # realisations whose median EG is also reported (EG varies with the draw)


def bar_checks(metrics: dict[str, Any]) -> dict[str, Any]:
    """Every criterion of the bar that the evaluation's metrics.json decides, with its value."""
    summary, periods = metrics["summary"], np.asarray(metrics["periods_s"])
    rotd = summary["psa"]["rotd50"]
    bias, sigma = np.asarray(rotd["bias"], float), np.asarray(rotd["sigma"], float)
    short = (periods >= SHORT[0] - 1e-9) & (periods <= SHORT[1] + 1e-9)
    long = periods >= LONG
    pga = summary["scalars"]["pga"]["horizontal"]
    values = {
        "psa_max_abs_bias_0.02_1s": float(np.abs(bias[short]).max()),
        "psa_max_sigma_0.02_1s": float(sigma[short].max()),
        "psa_max_abs_bias_ge_1.5s": float(np.abs(bias[long]).max()),
        "pga_bias": float(pga["bias"]),
        "pga_sigma": float(pga["sigma"]),
        "d5_95_ratio_median": float(summary["duration_ratio"]["d5_95"]),
        "eg_median": float(summary["tf_gof"]["eg"]["median"]),
        "pg_median": float(summary["tf_gof"]["pg"]["median"]),
        "anderson_median": float(summary["anderson"]["median_score"]),
    }
    passed = {
        "psa_bias_0.02_1s": values["psa_max_abs_bias_0.02_1s"] <= 0.15,
        "psa_sigma_0.02_1s": values["psa_max_sigma_0.02_1s"] <= 0.6,
        "psa_bias_ge_1.5s": values["psa_max_abs_bias_ge_1.5s"] <= 0.05,
        "pga_bias": abs(values["pga_bias"]) <= 0.15,
        "d5_95_ratio": 0.8 <= values["d5_95_ratio_median"] <= 1.25,
        "eg_median": values["eg_median"] >= 6.0,
    }
    return {"values": values, "passed": passed, "psa_bands": summary["psa_bands"]}


def realisations(demo: Path, k: int, seed: int = 0) -> dict[str, float]:
    """From K realisations of every test LF record: the median over records of the std of
    ln PSA(0.1 s) (horizontals) across realisations, and the median LF-consistency misfit
    ‖LP(x̂) − LP(x_lf)‖ / ‖LP(x_lf)‖ below fc/4 and fc/2 (first realisation), and the median
    EG of the first ``EG_REALISATIONS`` realisations against the true BB records."""
    from seismoalice.evaluation.compute import evaluate_pairs, summarise
    from seismoalice.evaluation.inputs import read_records
    from seismoalice.generation import BroadbandGenerator
    from seismoalice.metrics.psa import response_spectrum
    from seismoalice.training.validation import lf_misfit

    lf = read_records(demo / "data" / "lf_test")
    gen = BroadbandGenerator.from_checkpoint(demo / "runs" / "hb" / "best")
    fs = 1.0 / lf.dt
    out = gen.generate(lf.data, fs, realizations=k, seed=seed, lowpass_input=False)
    k_n = out.shape[:2]
    psa = response_spectrum(
        out[:, :, 1:].reshape(-1, 2, out.shape[-1]), 1 / gen.sampling_rate, [0.1]
    )
    ln_psa = np.log(psa).reshape(*k_n, 2)  # (K, N, 2 horizontals)
    values = {"psa_0.1s_realisation_spread": float(np.median(ln_psa.std(axis=0, ddof=1)))}
    for name, divisor in (("fc/4", 4), ("fc/2", 2)):
        misfit = lf_misfit(out[0], lf.data.astype(np.float64), fs, gen.fc / divisor)
        values[f"lf_misfit_median_below_{name}"] = float(np.median(misfit))
    bb = read_records(demo / "data" / "bb_test")
    if bb.names != lf.names:
        raise SystemExit("bb_test and lf_test hold different records")
    egs = [
        summarise(evaluate_pairs(out[i], bb.data.astype(np.float64), bb.dt))["tf_gof"]["eg"]
        for i in range(min(k, EG_REALISATIONS))
    ]
    values["eg_median_per_realisation"] = [float(e["median"]) for e in egs]
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", type=Path, default=ROOT / "demo_out")
    parser.add_argument("--realizations", type=int, default=10)
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    demo = args.demo_dir
    reports = {"alice_hb": demo / "report", "lf_input_only": demo / "report_lf"}
    if not all((p / "metrics.json").exists() for p in reports.values()):
        cli = Path(sys.executable).with_name("seismoalice")
        subprocess.run([str(cli), "demo", "--out", str(demo)], check=True)
    result: dict[str, Any] = {
        "benchmark": "alice_demo",
        "command": " ".join(["python", *sys.argv]),
        "demo": "make demo (seismoalice demo: 2000 synthetic records, configs/demo.yaml)",
        "split": "test",
        "seismoalice_version": __version__,
        "cores": os.cpu_count(),
    }
    for name, path in reports.items():
        metrics = json.loads((path / "metrics.json").read_text())
        result[name] = {"n_records": metrics["n_records"], **bar_checks(metrics)}
    result["alice_hb"]["values"].update(realisations(demo, args.realizations))
    spread = result["alice_hb"]["values"]["psa_0.1s_realisation_spread"]
    result["alice_hb"]["passed"]["realisation_spread"] = spread > 0.1
    result["realizations"] = args.realizations
    result["bar_met"] = all(result["alice_hb"]["passed"].values())
    write_json(args.out, result)
    for name in reports:
        print(f"{name}:")
        for key, value in result[name]["values"].items():
            shown = " ".join(f"{v:.3f}" for v in np.atleast_1d(value))
            print(f"  {key:32s} {shown}")
        failed = [k for k, ok in result[name]["passed"].items() if not ok]
        print(f"  failed: {', '.join(failed) or 'none'}")
    print(f"bar met by ALICE hb: {result['bar_met']}; wrote {args.out}")


if __name__ == "__main__":
    main()
