"""Benchmark: the whole evaluation (``evaluate_pairs`` + figures + report) vs a reference loop.

Workload: record pairs of 3 components × 4,096 samples, dt = 0.01 s, the default evaluation
(100 PSA periods per component and RotD50, FAS/EAS at 100 smoothing frequencies, PGA…CAV,
EG/PG over 0.1–30 Hz with 100 frequencies, Anderson over the SCEC BBP bands in 0.1–30 Hz).

Reference, per record pair, with the field's libraries: pyrotd PSA of each component and RotD50
of the horizontals (the same 100 periods), ObsPy's Konno–Ohmachi smoothing (normalised) of
the FAS, ObsPy's ``eg`` and ``pg``; timed on a subset and scaled linearly. It covers less than
the evaluation does (no Anderson, no intensity measures), so the ratio is a lower bound.

Usage::

    python benchmarks/bench_evaluate.py            # full run (100 pairs)
    python benchmarks/bench_evaluate.py --quick    # reduced sizes while developing
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from seismoalice import __version__
from seismoalice.data.filters import bandpass
from seismoalice.evaluation.compute import EvaluationConfig, evaluate_pairs
from seismoalice.evaluation.outputs import write_outputs
from seismoalice.io_utils import write_json

RESULT = Path(__file__).parent / "results" / "evaluate.json"
DT = 0.01


def record_pairs(n_pairs: int, n_samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Enveloped band-limited noise pairs (n_pairs, 3, n_samples) [m/s²]: pred = ref + noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_samples) * DT
    envelope = (t / 5.0) ** 2 * np.exp(-t / 5.0)
    ref = bandpass(rng.standard_normal((n_pairs, 3, n_samples)) * envelope, 1 / DT, 0.1, 30.0)
    noise = bandpass(rng.standard_normal(ref.shape) * envelope, 1 / DT, 0.1, 30.0)
    return (ref + 0.5 * noise).astype(np.float32), ref.astype(np.float32)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes while developing")
    args = parser.parse_args()
    n_pairs, n_samples, n_reference = (20, 2048, 1) if args.quick else (100, 4096, 3)
    cfg = EvaluationConfig()
    pred, ref = record_pairs(n_pairs, n_samples)

    cpu0, start = time.process_time(), time.perf_counter()
    result = evaluate_pairs(pred, ref, DT, config=cfg)
    ours = time.perf_counter() - start
    ours_cpu = time.process_time() - cpu0
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        written = write_outputs({"bench": result}, out)
        outputs = time.perf_counter() - start
        sizes = {name: path.stat().st_size for name, path in written.items()}
    reference = reference_seconds_per_pair(pred[:n_reference], ref[:n_reference], cfg)
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"evaluate_pairs: {n_pairs} pairs of 3 × {n_samples} samples in {ours:.1f} s")
    print(f"  {ours / n_pairs * 1e3:.0f} ms per pair (CPU {ours_cpu / n_pairs * 1e3:.0f} ms)")
    print(f"  figures + report + metrics files: {outputs:.1f} s")
    print(f"reference loop (pyrotd + ObsPy, subset of {n_reference}): {reference:.2f} s per pair")
    print(f"ratio reference / ours: {reference / (ours / n_pairs):.1f}")
    print(f"peak RSS: {peak_rss_mib:.0f} MiB; metrics.json {sizes['metrics bench'] / 1e6:.2f} MB")
    write_json(
        RESULT,
        {
            "benchmark": "evaluate",
            "package_version": __version__,
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
            "load_average_at_end": os.getloadavg(),
            "note": "machine shared with other engineers during the run: wall times are noisy",
            "workload": {"pairs": n_pairs, "components": 3, "samples": n_samples, "dt_s": DT},
            "ours_s": ours,
            "ours_cpu_s": ours_cpu,
            "ours_s_per_pair": ours / n_pairs,
            "outputs_s": outputs,
            "output_bytes": sizes,
            "peak_rss_mib": peak_rss_mib,
            "reference_pairs_timed": n_reference,
            "reference_s_per_pair": reference,
            "reference_note": "pyrotd PSA (3 comps) + RotD50 and ObsPy KO smoothing per record "
            "side, ObsPy eg + pg per pair; no Anderson or intensity measures (lower bound)",
            "ratio_reference_over_ours": reference / (ours / n_pairs),
        },
    )


if __name__ == "__main__":
    main()
