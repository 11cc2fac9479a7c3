"""Benchmark: response spectra and RotD50 of many records, ours vs pyrotd (and an lfilter design).

Full run (the issue's target, ≥ 50× pyrotd):
    .venv/bin/python benchmarks/bench_psa.py
Quick run while developing:
    .venv/bin/python benchmarks/bench_psa.py --records 100

Workload: N records × 3 components × 4,096 samples (Δt = 0.01 s, enveloped band-limited
noise), 100 log-spaced periods 0.01–10 s, 5 % damping.  pyrotd (``calc_spec_accels``, one
process on 2 cores) is timed on a subset of components and scaled linearly to the whole set
(its cost is per component).  Our numba kernel is compiled (or loaded from its on-disk cache)
by one untimed warm-up call on one record before the timed runs; that first call's time is
reported separately.  RotD50 (the two horizontals, 180 angles): ours on every record, pyrotd's
``calc_rotated_spec_accels`` on ``--pyrotd-rotd-records`` records, scaled.  Writes
benchmarks/results/psa.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy import signal

from seismoalice import __version__
from seismoalice.io_utils import write_json
from seismoalice.metrics.oscillator import nigam_jennings
from seismoalice.metrics.psa import DEFAULT_PERIODS, response_spectrum
from seismoalice.metrics.rotd import rotd

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pyrotd

RESULTS = Path(__file__).parent / "results" / "psa.json"


def make_records(n: int, n_t: int, dt: float, seed: int = 0) -> np.ndarray:
    """``(n, 3, n_t)`` enveloped Gaussian noise low-passed at 30 Hz [g]."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_t) * dt
    envelope = (t / t[-1]) ** 2 * np.exp(-8 * t / t[-1])
    sos = signal.butter(4, 30.0, fs=1 / dt, output="sos")
    acc = signal.sosfilt(sos, rng.standard_normal((n, 3, n_t)), axis=-1) * envelope
    return acc / np.abs(acc).max(axis=-1, keepdims=True)


def best_time(func, repeats: int = 1) -> float:
    """Best wall-clock time [s] of ``repeats`` calls."""
    return min(timed(func)[0] for _ in range(repeats))


def timed(func) -> tuple[float, float]:
    """Wall-clock and process CPU time [s] of one call (CPU time sums all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def psa_lfilter(acc: np.ndarray, dt: float, periods: np.ndarray) -> np.ndarray:
    """Alternative design: the same exact recurrence as one 2nd-order IIR per period
    (scipy.signal.lfilter over all records at once), peaks on the sample grid only."""
    flat = acc.reshape(-1, acc.shape[-1])
    omega = 2 * np.pi / periods
    a_mat, b_mat = nigam_jennings(omega, 0.05, dt)
    out = np.empty((flat.shape[0], periods.size))
    for k in range(periods.size):
        a, b = a_mat[k], b_mat[k]
        # u_{n+1} − tr·u_n + det·u_{n−1} = b11 a_{n+1} + (b10 − a11 b11 + a01 b21) a_n + …
        den = [1.0, -np.trace(a), np.linalg.det(a)]
        num = [
            b[0, 1],
            b[0, 0] - a[1, 1] * b[0, 1] + a[0, 1] * b[1, 1],
            -a[1, 1] * b[0, 0] + a[0, 1] * b[1, 0],
        ]
        u = signal.lfilter(num, den, flat, axis=-1)
        out[:, k] = omega[k] ** 2 * np.abs(u).max(axis=-1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000, help="three-component records")
    parser.add_argument("--pyrotd-components", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--pyrotd-rotd-records", type=int, default=10)
    args = parser.parse_args()
    dt = 0.01
    periods = DEFAULT_PERIODS
    acc = make_records(args.records, 4096, dt)
    n_comp = acc.shape[0] * 3
    flat = acc.reshape(-1, 4096)

    first_call = best_time(lambda: response_spectrum(acc[0, 0], dt, periods))  # JIT warm-up
    runs = [timed(lambda: response_spectrum(acc, dt, periods)) for _ in range(args.repeats)]
    ours, ours_cpu = min(runs)
    one_thread = best_time(lambda: response_spectrum(acc, dt, periods, workers=1), 1)
    grid_only = best_time(lambda: response_spectrum(acc, dt, periods, points_per_period=None), 1)

    subset = flat[: args.pyrotd_components]
    freqs = 1 / periods
    t_pyrotd, cpu_pyrotd = timed(lambda: [pyrotd.calc_spec_accels(dt, a, freqs) for a in subset])
    pyrotd_full = t_pyrotd * n_comp / subset.shape[0]
    pyrotd_cpu_full = cpu_pyrotd * n_comp / subset.shape[0]

    rotd_first = best_time(lambda: rotd(acc[0, 1], acc[0, 2], dt, periods, (50,)))  # JIT warm-up
    ours_rotd = best_time(lambda: rotd(acc[:, 1], acc[:, 2], dt, periods, (50,)))
    rotd_subset = acc[: min(args.pyrotd_rotd_records, acc.shape[0])]
    t_pyrotd_rotd = best_time(
        lambda: [
            pyrotd.calc_rotated_spec_accels(dt, a[1], a[2], freqs, percentiles=[50])
            for a in rotd_subset
        ]
    )
    pyrotd_rotd_full = t_pyrotd_rotd * acc.shape[0] / rotd_subset.shape[0]

    lf_subset = flat[: min(300, n_comp)]
    t_lfilter = best_time(lambda: psa_lfilter(lf_subset, dt, periods))
    lfilter_full = t_lfilter * n_comp / lf_subset.shape[0]
    # check the designs agree where they compute the same thing (no oversampling)
    check = response_spectrum(lf_subset[:20], dt, periods, points_per_period=None)
    lf_err = float(np.abs(psa_lfilter(lf_subset[:20], dt, periods) / check - 1).max())

    scaling_length = {}
    small = make_records(max(args.records // 10, 10), 16384, dt, seed=1)
    for n_t in (1024, 2048, 4096, 8192, 16384):
        part = small[..., :n_t]
        scaling_length[n_t] = best_time(lambda p=part: response_spectrum(p, dt, periods))
    scaling_periods = {}
    part = acc[: max(args.records // 10, 10)]
    for n_p in (10, 25, 50, 100, 200, 400):
        per = np.logspace(-2, 1, n_p)
        scaling_periods[n_p] = best_time(lambda p=per: response_spectrum(part, dt, p))

    updates = n_comp * periods.size * 4096
    result = {
        "benchmark": "psa",
        "package_version": __version__,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine_cores": os.cpu_count(),
        "note": (
            "machine shared with other engineers during the run (load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end); wall times are "
            "noisy and inflated, CPU times (summed over threads) less so"
        ),
        "workload": {
            "records": acc.shape[0],
            "components": n_comp,
            "samples": 4096,
            "dt_s": dt,
            "periods": int(periods.size),
            "damping": 0.05,
        },
        "ours_first_call_s": first_call,
        "ours_s": ours,
        "ours_one_thread_s": one_thread,
        "ours_no_oversampling_s": grid_only,
        "ours_oscillator_sample_updates_per_s": updates / ours,
        "pyrotd_s_scaled": pyrotd_full,
        "pyrotd_components_timed": int(subset.shape[0]),
        "pyrotd_s_per_component": t_pyrotd / subset.shape[0],
        "ratio_pyrotd_over_ours": pyrotd_full / ours,
        "ours_cpu_s": ours_cpu,
        "pyrotd_cpu_s_scaled": pyrotd_cpu_full,
        "cpu_ratio_pyrotd_over_ours": pyrotd_cpu_full / ours_cpu,
        "lfilter_design_s_scaled": lfilter_full,
        "lfilter_components_timed": int(lf_subset.shape[0]),
        "lfilter_max_rel_diff_vs_ours_no_oversampling": lf_err,
        "scaling_record_length_s": {
            "records": small.shape[0],
            "periods": int(periods.size),
            "times": scaling_length,
        },
        "scaling_periods_s": {"records": part.shape[0], "samples": 4096, "times": scaling_periods},
        "rotd50": {
            "records": acc.shape[0],
            "ours_first_call_s": rotd_first,
            "ours_s": ours_rotd,
            "pyrotd_records_timed": int(rotd_subset.shape[0]),
            "pyrotd_s_scaled": pyrotd_rotd_full,
            "ratio_pyrotd_over_ours": pyrotd_rotd_full / ours_rotd,
            "note": "RotD50 of the two horizontals at the same periods, 180 angles; pyrotd's "
            "default (optimized) method",
        },
    }
    print(f"workload: {n_comp} components × 4096 samples × {periods.size} periods")
    print(
        f"first call (numba compile or cache load, one record, untimed below): {first_call:.2f} s"
    )
    print(f"ours (numba float64, oversampled short periods): {ours:.2f} s")
    print(f"ours on 1 thread: {one_thread:.2f} s; ours without oversampling: {grid_only:.2f} s")
    print(
        f"pyrotd: {t_pyrotd / subset.shape[0] * 1e3:.1f} ms/component, timed on "
        f"{subset.shape[0]} components, scaled to {n_comp}: {pyrotd_full:.1f} s"
    )
    print(f"ratio pyrotd / ours: {pyrotd_full / ours:.1f}× (wall clock)")
    print(
        f"CPU time: ours {ours_cpu:.2f} s (all threads), pyrotd {pyrotd_cpu_full:.1f} s; "
        f"ratio {pyrotd_cpu_full / ours_cpu:.1f}×"
    )
    print(
        f"lfilter design (no oversampling), scaled from {lf_subset.shape[0]} components: "
        f"{lfilter_full:.1f} s (max rel diff {lf_err:.1e})"
    )
    print("record length scaling [s]:", {k: round(v, 3) for k, v in scaling_length.items()})
    print("period count scaling [s]:", {k: round(v, 3) for k, v in scaling_periods.items()})
    print(
        f"RotD50 of {acc.shape[0]} records: ours {ours_rotd:.2f} s; pyrotd scaled from "
        f"{rotd_subset.shape[0]} records {pyrotd_rotd_full:.1f} s "
        f"({pyrotd_rotd_full / ours_rotd:.0f}×)"
    )
    write_json(RESULTS, result)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
