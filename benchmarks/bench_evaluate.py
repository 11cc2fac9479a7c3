"""Benchmark: the whole evaluation (``evaluate_pairs``) now vs the previous implementation.

Workload: record pairs of 3 components × 4,096 samples, dt = 0.01 s (enveloped band-limited
noise, pred = ref + noise), the default evaluation (100 PSA periods per component and RotD50,
FAS/EAS at 100 smoothing frequencies, PGA…CAV, EG/PG over 0.1–30 Hz with 100 frequencies,
Anderson over the SCEC BBP bands in 0.1–30 Hz; now also the waveform measures: coherence, H/V,
P-window energy share, FAS fine structure, texture features and the classifier two-sample test).

Side by side in one run, on the same records, each in a fresh Python process:

* ``previous``: the package as of ``--previous`` (default: the commit before the fused RotD
  kernel, see ``PREVIOUS``), unpacked from git into a temporary folder (``git archive``);
* ``current``: this working tree's package.

Each process compiles (or loads) its numba kernels on two pairs first, untimed, then times
``evaluate_pairs`` on all pairs (wall and CPU time).  Figures are reported per 1,000 pairs.
Also: the figures + report time (current), each waveform measure's share, and the classic
reference loop (pyrotd + ObsPy) on a few pairs, as before.

Usage::

    python benchmarks/bench_evaluate.py                 # 1,000 pairs
    python benchmarks/bench_evaluate.py --pairs 100     # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from seismoalice import __version__
from seismoalice.data.filters import bandpass
from seismoalice.evaluation.config import EvaluationConfig
from seismoalice.io_utils import write_json

RESULT = Path(__file__).parent / "results" / "evaluate.json"
REPO = Path(__file__).resolve().parents[1]
DT = 0.01
TARGET_S_PER_1000 = 60.0
#: The last commit before the fused RotD kernel and the waveform measures (branch point).
PREVIOUS = "2bb6eba"

CHILD = """
import json, sys, time
import numpy as np
import seismoalice
from seismoalice.evaluation.compute import evaluate_pairs
pred, ref = np.load(sys.argv[1]), np.load(sys.argv[2])
evaluate_pairs(pred[:2], ref[:2], {dt})
wall, cpu = time.perf_counter(), time.process_time()
result = evaluate_pairs(pred, ref, {dt})
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({{"wall_s": wall, "cpu_s": cpu, "package": seismoalice.__file__,
                  "rotd50_first": float(result.pred["psa_rotd50"][0, 50])}}))
"""


def record_pairs(n_pairs: int, n_samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Enveloped band-limited noise pairs (n_pairs, 3, n_samples) [m/s²]: pred = ref + noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_samples) * DT
    envelope = (t / 5.0) ** 2 * np.exp(-t / 5.0)
    ref = bandpass(rng.standard_normal((n_pairs, 3, n_samples)) * envelope, 1 / DT, 0.1, 30.0)
    noise = bandpass(rng.standard_normal(ref.shape) * envelope, 1 / DT, 0.1, 30.0)
    return (ref + 0.5 * noise).astype(np.float32), ref.astype(np.float32)


def run_package(src: Path, files: tuple[Path, Path]) -> dict:
    """Time ``evaluate_pairs`` of the package under ``src`` in a fresh process."""
    env = os.environ | {"PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(dt=DT), *map(str, files)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    timing = json.loads(out.stdout.strip().splitlines()[-1])
    if not timing["package"].startswith(str(src)):
        raise RuntimeError(f"imported {timing['package']} instead of the package in {src}")
    return timing


def previous_source(rev: str, folder: Path) -> Path:
    """Unpack ``src/`` of git revision ``rev`` into ``folder``; returns the package root."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def waveform_breakdown(pred: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    """Wall seconds of each waveform measure on ``ref`` (and the pair σ, the classifier)."""
    from seismoalice.metrics import (
        component_coherence,
        fas_fine_structure,
        fine_structure_residual_sigma,
        hv_ratio,
        p_window_energy_fraction,
    )
    from seismoalice.metrics.texture_features import texture_features
    from seismoalice.metrics.two_sample import feature_two_sample_test

    acc, other = ref.astype(np.float64), pred.astype(np.float64)
    freqs = np.geomspace(0.4, 30.0, 40)
    picks = np.full(len(acc), 500.0)
    steps = {
        "coherence": lambda: component_coherence(acc, DT, freqs),
        "hv": lambda: hv_ratio(acc, DT, freqs),
        "p_energy_fraction": lambda: p_window_energy_fraction(acc, DT, picks),
        "fas_fine_sigma": lambda: fas_fine_structure(acc, DT, 0.1, 30.0),
        "fine_structure_residual_sigma": lambda: fine_structure_residual_sigma(
            other, acc, DT, 0.1, 30.0
        ),
    }
    times = {}
    for name, step in steps.items():
        start = time.perf_counter()
        step()
        times[name] = time.perf_counter() - start
    start = time.perf_counter()
    features = [texture_features(x, DT) for x in (acc, other)]
    times["texture_features"] = time.perf_counter() - start
    half = len(acc) // 2
    start = time.perf_counter()
    feature_two_sample_test(features[0][:half], features[1][:half], features[0][half:],
                            features[1][half:])  # fmt: skip
    times["classifier_fit_and_score"] = time.perf_counter() - start
    return times


def reference_seconds_per_pair(pred: np.ndarray, ref: np.ndarray, cfg: EvaluationConfig) -> float:
    """Wall seconds per pair of the pyrotd + ObsPy reference loop on ``pred``, ``ref``."""
    import pyrotd
    from obspy.signal import tf_misfit
    from obspy.signal.konnoohmachismoothing import konno_ohmachi_smoothing

    from seismoalice.metrics.psa import DEFAULT_PERIODS

    osc_freqs = 1.0 / np.asarray(DEFAULT_PERIODS)
    centres = np.geomspace(cfg.fmin, cfg.fmax, cfg.n_frequencies)
    band = {"dt": DT, "fmin": cfg.fmin, "fmax": cfg.fmax, "nf": cfg.tf_nf, "w0": cfg.tf_w0}
    start = time.perf_counter()
    for p, r in zip(pred.astype(float), ref.astype(float), strict=True):
        for acc in (p, r):
            for component in acc:
                pyrotd.calc_spec_accels(DT, component, osc_freqs)
            pyrotd.calc_rotated_spec_accels(DT, acc[1], acc[2], osc_freqs, percentiles=[50])
            freqs = np.fft.rfftfreq(acc.shape[-1], DT)
            fas = DT * np.abs(np.fft.rfft(acc, axis=-1))
            smoothed = konno_ohmachi_smoothing(fas, freqs, cfg.ko_bandwidth, normalize=True)
            np.array([np.interp(centres, freqs, s) for s in smoothed])
        tf_misfit.eg(p, r, norm="global", st2_isref=True, **band)
        tf_misfit.pg(p, r, norm="global", st2_isref=True, **band)
    return (time.perf_counter() - start) / len(pred)


def outputs_seconds(pred: np.ndarray, ref: np.ndarray) -> tuple[float, dict[str, int]]:
    """Seconds to write metrics, arrays, figures and the report of an evaluation of the pairs."""
    from seismoalice.evaluation.compute import evaluate_pairs
    from seismoalice.evaluation.outputs import write_outputs

    result = evaluate_pairs(pred, ref, DT)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        written = write_outputs({"bench": result}, out)
        seconds = time.perf_counter() - start
        sizes = {name: path.stat().st_size for name, path in written.files.items()}
    return seconds, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000, help="record pairs evaluated")
    parser.add_argument("--previous", default=PREVIOUS, help="git revision of the previous code")
    parser.add_argument("--reference-pairs", type=int, default=3, help="pyrotd + ObsPy loop")
    args = parser.parse_args()
    pred, ref = record_pairs(args.pairs, 4096)
    per_1000 = 1000.0 / args.pairs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = (folder / "pred.npy", folder / "ref.npy")
        np.save(files[0], pred)
        np.save(files[1], ref)
        runs = {
            "previous": run_package(previous_source(args.previous, folder), files),
            "current": run_package(REPO / "src", files),
        }
    for run in runs.values():
        run["s_per_1000_pairs"] = run["wall_s"] * per_1000
        run["cpu_s_per_1000_pairs"] = run["cpu_s"] * per_1000
        run.pop("package")
    ratio = runs["previous"]["wall_s"] / runs["current"]["wall_s"]
    cpu_ratio = runs["previous"]["cpu_s"] / runs["current"]["cpu_s"]
    breakdown = waveform_breakdown(pred[: min(200, args.pairs)], ref[: min(200, args.pairs)])
    outputs, sizes = outputs_seconds(pred[:100], ref[:100])
    reference = reference_seconds_per_pair(
        pred[: args.reference_pairs], ref[: args.reference_pairs], EvaluationConfig()
    )
    current = runs["current"]
    load = os.getloadavg()
    print(f"workload: {args.pairs} pairs of 3 × 4096 samples (dt {DT} s); load {load[0]:.1f}")
    for name, run in runs.items():
        print(
            f"{name:>8}: {run['s_per_1000_pairs']:.1f} s per 1,000 pairs "
            f"(CPU {run['cpu_s_per_1000_pairs']:.1f} s)"
        )
    print(f"ratio previous / current: {ratio:.2f} (wall), {cpu_ratio:.2f} (CPU)")
    print(f"target ≤ {TARGET_S_PER_1000:.0f} s per 1,000 pairs: "
          f"{'met' if current['s_per_1000_pairs'] <= TARGET_S_PER_1000 else 'missed'}")  # fmt: skip
    n_breakdown = min(200, args.pairs)
    print(f"waveform measures on {n_breakdown} records [s]:",
          {k: round(v, 2) for k, v in breakdown.items()})  # fmt: skip
    print(f"figures + report + metrics files (100 pairs): {outputs:.1f} s")
    print(f"reference loop (pyrotd + ObsPy): {reference:.2f} s per pair, "
          f"{reference / (current['wall_s'] / args.pairs):.0f}× current")  # fmt: skip
    write_json(
        RESULT,
        {
            "benchmark": "evaluate",
            "package_version": __version__,
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
            "load_average_at_end": load,
            "note": "machine shared with other engineers during the run: wall times are noisy; "
            "both implementations ran in the same run on the same records",
            "workload": {"pairs": args.pairs, "components": 3, "samples": 4096, "dt_s": DT},
            "previous_revision": args.previous,
            "previous": runs["previous"],
            "current": current,
            "current_includes": "every metric of previous plus coherence, H/V, P-window energy "
            "share, FAS fine structure, texture features and the classifier two-sample test",
            "ratio_previous_over_current": ratio,
            "cpu_ratio_previous_over_current": cpu_ratio,
            "target_s_per_1000_pairs": TARGET_S_PER_1000,
            "target_met": current["s_per_1000_pairs"] <= TARGET_S_PER_1000,
            "waveform_breakdown_records": n_breakdown,
            "waveform_breakdown_s": breakdown,
            "outputs_s_100_pairs": outputs,
            "output_bytes_100_pairs": sizes,
            "reference_pairs_timed": args.reference_pairs,
            "reference_s_per_pair": reference,
            "reference_note": "pyrotd PSA (3 comps) + RotD50 and ObsPy KO smoothing per record "
            "side, ObsPy eg + pg per pair; no Anderson or intensity measures (lower bound)",
            "ratio_reference_over_current": reference / (current["wall_s"] / args.pairs),
        },
    )


if __name__ == "__main__":
    main()
