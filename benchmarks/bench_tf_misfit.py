"""Benchmark: Kristeková EG + PG of many record pairs, seismoalice vs an ObsPy loop.

Workload (the SeismoALICE evaluation): 1,000 record pairs of 3 components × 4,096 samples,
dt = 0.01 s, 0.1–30 Hz, 100 frequencies, w0 = 6, global norm, st2 as reference. ObsPy's
``eg`` and ``pg`` are called per pair (each recomputes the CWTs); they are timed on a subset and
scaled linearly to the full count. Also reports the cost of ``tf_gof`` vs record length and nf,
and the largest relative difference from ObsPy on the subset.

Usage::

    python benchmarks/bench_tf_misfit.py            # full run
    python benchmarks/bench_tf_misfit.py --quick    # reduced sizes while developing
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
from obspy.signal import tf_misfit as obspy_tf

from seismoalice.io_utils import write_json
from seismoalice.metrics.tf_misfit import tf_gof

RESULT = Path(__file__).parent / "results" / "tf_misfit.json"
BAND = dict(dt=0.01, fmin=0.1, fmax=30.0, w0=6, norm="global", st2_isref=True)


def records(n_pairs: int, n_samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random enveloped noise pairs (n_pairs, 3, n_samples), a stand-in for accelerograms."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_samples) * BAND["dt"]
    envelope = t * np.exp(-t / (0.15 * t[-1]))
    shape = (n_pairs, 3, n_samples)
    return rng.standard_normal(shape) * envelope, rng.standard_normal(shape) * envelope


def best_of(func, repeats: int) -> float:
    """Smallest wall time [s] of ``repeats`` calls (least disturbed by other load)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def time_obspy(st1: np.ndarray, st2: np.ndarray, nf: int) -> tuple[float, np.ndarray]:
    """Seconds per pair of ObsPy eg + pg, and the (pairs, 2, C) EG/PG values."""
    start = time.perf_counter()
    values = [
        (obspy_tf.eg(a, b, nf=nf, **BAND), obspy_tf.pg(a, b, nf=nf, **BAND))
        for a, b in zip(st1, st2, strict=True)
    ]
    return (time.perf_counter() - start) / len(st1), np.asarray(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes for development")
    parser.add_argument("--pairs", type=int, default=None, help="record pairs for seismoalice")
    parser.add_argument("--obspy-pairs", type=int, default=None, help="pairs timed with ObsPy")
    args = parser.parse_args()
    n_pairs = args.pairs or (50 if args.quick else 1000)
    n_obspy = args.obspy_pairs or (2 if args.quick else 10)
    n_samples, nf = 4096, 100

    st1, st2 = records(n_pairs, n_samples)
    obspy_per_pair, obspy_values = time_obspy(st1[:n_obspy], st2[:n_obspy], nf)
    print(f"ObsPy eg+pg: {obspy_per_pair * 1e3:.0f} ms/pair (timed on {n_obspy} pairs)")

    main_runs = {}
    for precision in ("double", "single"):
        for workers in (1, os.cpu_count() or 1):
            key = f"{precision}_workers{workers}"
            if key in main_runs:
                continue
            tf_gof(st1[:2], st2[:2], nf=nf, precision=precision, **BAND)  # warm the cache
            seconds = best_of(
                lambda p=precision, w=workers: tf_gof(
                    st1, st2, nf=nf, precision=p, workers=w, **BAND
                ),
                1,
            )
            ours = tf_gof(st1[:n_obspy], st2[:n_obspy], nf=nf, precision=precision, **BAND)
            ours_values = np.stack([ours["eg"], ours["pg"]], axis=1)
            max_rel = float(np.max(np.abs(ours_values - obspy_values) / np.abs(obspy_values)))
            per_pair = seconds / n_pairs
            main_runs[key] = {
                "seconds_total": seconds,
                "ms_per_pair": per_pair * 1e3,
                "speedup_vs_obspy": obspy_per_pair / per_pair,
                "max_rel_diff_vs_obspy": max_rel,
            }
            print(
                f"seismoalice {key}: {seconds:.1f} s for {n_pairs} pairs = "
                f"{per_pair * 1e3:.1f} ms/pair, {obspy_per_pair / per_pair:.1f}x ObsPy, "
                f"max rel diff {max_rel:.1e}"
            )

    scaling = []
    lengths = (1024, 4096) if args.quick else (1024, 2048, 4096, 8192, 16384)
    for n in lengths:
        for n_freq in (25, 100):
            a, b = records(4 if args.quick else 8, n, seed=1)
            tf_gof(a[:1], b[:1], nf=n_freq, **BAND)
            ours = best_of(lambda a=a, b=b, f=n_freq: tf_gof(a, b, nf=f, **BAND), 2) / len(a)
            ref, _ = time_obspy(a[:1], b[:1], n_freq)
            scaling.append(
                {
                    "samples": n,
                    "nf": n_freq,
                    "ours_ms_per_pair": ours * 1e3,
                    "obspy_ms_per_pair": ref * 1e3,
                    "speedup": ref / ours,
                }
            )
            print(
                f"T={n:6d} nf={n_freq:3d}: ours {ours * 1e3:8.1f} ms/pair (double, 1 thread), "
                f"ObsPy {ref * 1e3:8.0f} ms/pair, {ref / ours:.1f}x"
            )

    write_json(
        RESULT,
        {
            "benchmark": "tf_misfit",
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "seismoalice_version": version("seismoalice"),
            "obspy_version": version("obspy"),
            "numpy_version": np.__version__,
            "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
            "load_average_at_end": os.getloadavg(),
            "workload": {"pairs": n_pairs, "components": 3, "samples": n_samples, "nf": nf, **BAND},
            "obspy_timed_pairs": n_obspy,
            "obspy_ms_per_pair": obspy_per_pair * 1e3,
            "obspy_note": "ObsPy eg + pg per pair, timed on a subset and scaled linearly",
            "seismoalice": main_runs,
            "scaling": scaling,
        },
    )
    print(f"wrote {RESULT}")


if __name__ == "__main__":
    main()
