"""ETAS benchmark: simulation rate (catalog events/s, simulated from an empty history, no
burn-in) and maximum-likelihood fit time (temporal and space–time; 1000-day trigger-only lead-in,
4000-day burn-in) against catalog size, plus the restricted pair sum against the brute-force O(N²)
pair sum (the reference: no ETAS package installs from the registry) at the same size.

Run: .venv/bin/python benchmarks/bench_etas.py [--sizes 5000 10000 20000 40000] [--no-spacetime]
Writes benchmarks/results/etas.json.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

from seismoalice import __version__
from seismoalice.catalog import ETASParams, SpaceTimeETASParams, fit_etas, simulate_etas
from seismoalice.catalog.etas.likelihood import temporal_data, temporal_intensity
from seismoalice.io_utils import write_json

TRUTH = {"mu": 2.0, "k": 0.25, "alpha": 1.5, "c": 0.01, "p": 1.2, "m0": 2.5, "b": 1.0}
SPACE = {"d": 0.5, "q": 1.8, "gamma": 1.0, "region": (0.0, 100.0, 0.0, 100.0)}


def span_for(n_events: int, burn_in_days: float, seed: int) -> float:
    """Window length (days) giving ≈ n_events, from a pilot simulation's event rate."""
    pilot = simulate_etas(ETASParams(**TRUTH), 0.0, 3000.0, burn_in_days, seed=seed + 100)
    return n_events / (len(pilot) / 3000.0)


def brute_force_intensity(t: np.ndarray, dm: np.ndarray, theta: tuple, block: int = 512) -> float:
    """Seconds for λ at every event by the all-pairs sum (numpy, blocks of targets)."""
    mu, k, alpha, c, p = theta
    w = np.exp(alpha * dm)
    began = time.perf_counter()
    for lo in range(0, t.size, block):
        tj = t[lo : lo + block, None]
        dt = tj - t[None, : lo + block]
        h = np.where(dt > 0, (p - 1) * c ** (p - 1) * np.abs(dt + c) ** (-p), 0.0)
        _ = mu + k * (h * w[None, : lo + block]).sum(1)
    return time.perf_counter() - began


def one_size(n_target: int, spacetime: bool, seed: int) -> dict[str, object]:
    """Simulate ≈ n_target events in the window, fit them, time both."""
    burn = 1000.0
    row: dict[str, object] = {"target_events": n_target}
    params = ETASParams(**TRUTH)
    span = span_for(n_target, 0.0, seed)
    times = []
    for repeat in range(3):
        began = time.perf_counter()
        rate_cat = simulate_etas(params, 0.0, span, burn_in_days=0.0, seed=seed + repeat)
        times.append(time.perf_counter() - began)
    row |= {
        "simulated_events": len(rate_cat),
        "simulate_s": min(times),
        "events_per_s": len(rate_cat) / min(times),
    }
    span = span_for(n_target, 4000.0 + burn, seed)
    cat = simulate_etas(params, 0.0, span + burn, burn_in_days=4000.0, seed=seed)
    fit = fit_etas(cat, 2.5, burn, span + burn, t0="2000-01-01", torch_threads=None)
    row |= {
        "fit_events": fit.n_events,
        "temporal_fit_s": fit.seconds,
        "temporal_pair_terms": fit.info["n_pair_terms"],
        "temporal_iterations": fit.info["iterations"],
        "temporal_estimates": {k: getattr(fit.params, k) for k in ("mu", "k", "alpha", "c", "p")},
    }
    t = cat.times_days("2000-01-01")
    dm = cat.magnitudes - 2.5
    theta = tuple(TRUTH[k] for k in ("mu", "k", "alpha", "c", "p"))
    began = time.perf_counter()
    with torch.no_grad():
        temporal_intensity(torch.tensor(theta, dtype=torch.float64), temporal_data(t, dm, 0, t[-1]))
    ours = time.perf_counter() - began
    brute = brute_force_intensity(t, dm, theta)
    row |= {
        "intensity_restricted_s": ours,
        "intensity_bruteforce_s": brute,
        "intensity_speedup": brute / ours,
    }
    if spacetime:
        st_params = SpaceTimeETASParams(**TRUTH, **SPACE)
        began = time.perf_counter()
        st_cat = simulate_etas(st_params, 0.0, span + burn, burn_in_days=4000.0, seed=seed)
        st_sim = time.perf_counter() - began
        st_fit = fit_etas(
            st_cat,
            2.5,
            burn,
            span + burn,
            model="spacetime",
            t0="2000-01-01",
            region=SPACE["region"],
        )
        row |= {
            "spacetime_simulated_events": len(st_cat),
            "spacetime_simulate_s": st_sim,
            "spacetime_fit_events": st_fit.n_events,
            "spacetime_fit_s": st_fit.seconds,
            "spacetime_pair_terms": st_fit.info["n_pair_terms"],
            "spacetime_iterations": st_fit.info["iterations"],
        }
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000, 40000])
    parser.add_argument("--spacetime-sizes", type=int, nargs="+", default=[5000, 10000, 20000])
    parser.add_argument("--no-spacetime", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "etas.json"))
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for n in args.sizes:
        st = not args.no_spacetime and n in args.spacetime_sizes
        row = one_size(n, st, args.seed)
        rows.append(row)
        line = (
            f"N≈{n:>6}: simulate {row['simulated_events']} ev at {row['events_per_s']:,.0f} ev/s"
            f" | temporal fit {row['fit_events']} ev {row['temporal_fit_s']:.1f} s"
            f" | λ restricted {row['intensity_restricted_s']:.2f} s"
            f" vs brute {row['intensity_bruteforce_s']:.2f} s (×{row['intensity_speedup']:.1f})"
        )
        if st:
            line += (
                f" | space–time fit {row['spacetime_fit_events']} ev {row['spacetime_fit_s']:.1f} s"
            )
        print(line, flush=True)
    write_json(
        args.out,
        {
            "benchmark": "etas",
            "version": __version__,
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "cores": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "machine": platform.platform(),
            "load_average_at_end": os.getloadavg(),
            "truth": TRUTH | {"space": SPACE},
            "reference": "brute-force all-pairs numpy intensity (no ETAS package on the registry)",
            "rows": rows,
        },
    )
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
