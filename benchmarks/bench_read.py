"""Throughput of the streaming dataset: shuffled DataLoader (batch 64) vs a naive h5py loop.

Writes a prepared data set of N records of 3×NT float32 (random data; BB in data/, LF in
data_lf/) with WaveformWriter to a temp dir, then measures traces/s for
WaveformWindowDataset with 0 and 2 workers and for a naive loop that opens each trace's
slice with h5py (one read per trace and group, shuffled order). Target ≥ 5,000 traces/s.

Usage: python benchmarks/bench_read.py [--n 5120] [--nt 4096] [--epochs 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import torch
from torch.utils.data import DataLoader

from seismoalice import __version__
from seismoalice.data.dataset import WaveformWindowDataset
from seismoalice.data.seisbench_format import WaveformDataset, WaveformWriter
from seismoalice.io_utils import write_json


def build(path: Path, n: int, nt: int) -> None:
    rng = np.random.default_rng(0)
    fmt = {"dimension_order": "CW", "component_order": "ZNE", "sampling_rate": 100.0}
    with WaveformWriter(path, fmt) as writer:
        for k in range(n):
            bb = rng.standard_normal((3, nt), dtype=np.float32)
            writer.add_trace({"trace_name": f"t{k}"}, bb, extra={"lf": 0.5 * bb})


def loader_rate(path: Path, workers: int, epochs: int) -> float:
    ds = WaveformWindowDataset(path)
    loader = DataLoader(
        ds,
        batch_size=64,
        shuffle=True,
        num_workers=workers,
        persistent_workers=workers > 0,
        generator=torch.Generator().manual_seed(0),
    )
    next(iter(loader))  # start workers, open files
    start, count = time.perf_counter(), 0
    for _ in range(epochs):
        for batch in loader:
            count += batch["bb"].shape[0]
    return count / (time.perf_counter() - start)


def naive_rate(path: Path, limit: int) -> float:
    meta = WaveformDataset(path)
    order = np.random.default_rng(0).permutation(len(meta))[:limit]
    start = time.perf_counter()
    with h5py.File(path / "waveforms.hdf5", "r") as f:
        for i in order:
            block, loc = meta.metadata["trace_name"][i].split("$")
            element = int(loc.split(",")[0])
            bb = f["data"][block][element]
            lf = f["data_lf"][block][element]
            torch.from_numpy(bb / np.abs(bb).max()), torch.from_numpy(lf / np.abs(lf).max())
    return len(order) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5120)
    parser.add_argument("--nt", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "prepared"
        build(path, args.n, args.nt)
        naive = naive_rate(path, min(args.n, 2000))
        rates = {w: loader_rate(path, w, args.epochs) for w in (0, 2)}
    result = {
        "benchmark": "read",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "seismoalice_version": __version__,
        "torch_version": torch.__version__,
        "cpu_cores": os.cpu_count(),
        "n_records": args.n,
        "shape": [3, args.nt],
        "batch_size": 64,
        "traces_per_s_workers0": rates[0],
        "traces_per_s_workers2": rates[2],
        "traces_per_s_naive_h5py": naive,
        "ratio_workers0_vs_naive": rates[0] / naive,
        "ratio_workers2_vs_naive": rates[2] / naive,
        "target_traces_per_s": 5000,
    }
    for key, value in result.items():
        print(f"{key}: {value:.1f}" if isinstance(value, float) else f"{key}: {value}")
    write_json(Path(__file__).parent / "results" / "read.json", result)


if __name__ == "__main__":
    main()
