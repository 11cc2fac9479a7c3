"""Training and generation throughput of the ALICE stages, against a matmul peak.

For each stage (bb, fl, env with model.hf_envelope, hb) and device (CPU; CUDA when present) it
times full training steps (n_critic discriminator updates + one generator update) on random
peak-normalised batches of shape (B, 3, nt), counts their floating-point operations with torch's
FlopCounterMode and reports samples/s and achieved FLOP/s as a fraction of the fp32 matmul peak
measured in the same run (the reference). Generation throughput is LF records (3 × nt) per
second with K = 1.

    .venv/bin/python benchmarks/bench_training.py                # demo config, full size
    .venv/bin/python benchmarks/bench_training.py --quick        # fewer steps
    .venv/bin/python benchmarks/bench_training.py --config configs/full.yaml
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from seismoalice import __version__
from seismoalice.checkpoint import save_checkpoint
from seismoalice.generation import BroadbandGenerator
from seismoalice.io_utils import write_json
from seismoalice.models import Decoder, HybridGenerator, build_network
from seismoalice.models.factory import autoencoder_names
from seismoalice.training.config import STAGES, load_config
from seismoalice.training.loop import setup_run, train_step

ROOT = Path(__file__).resolve().parents[1]


def matmul_peak(device: torch.device, n: int = 2048, reps: int = 10) -> float:
    """Achieved fp32 FLOP/s of an n×n matmul (2n³ operations), best of ``reps``."""
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    best = np.inf
    for _ in range(reps):
        _sync(device)
        t0 = time.perf_counter()
        a @ b
        _sync(device)
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def random_batch(batch: int, nt: int, device: torch.device) -> dict[str, torch.Tensor]:
    x = torch.randn(batch, 3, nt, device=device)
    x = x / x.abs().amax(dim=(1, 2), keepdim=True)
    lf = torch.nn.functional.avg_pool1d(x, 33, 1, 16)
    lf = lf / lf.abs().amax(dim=(1, 2), keepdim=True)
    ones = torch.ones(batch, 1, 1, device=device)
    return {"bb": x, "lf": lf, "bb_scale": 3 * ones, "lf_scale": ones}


def bench_stage(stage, cfg, pre, pretrained, device, steps):
    run = setup_run(stage, cfg, Path(tempfile.mkdtemp()) / stage, pre, pretrained)
    batch = run.stage.settings.batch_size
    run.device = device
    for m in run.stage.nets.all().values():
        m.to(device)
    data = random_batch(batch, pre["nt"], device)
    with FlopCounterMode(display=False) as counter:
        train_step(run, data)
    flops = counter.get_total_flops()
    _sync(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        train_step(run, data)
    _sync(device)
    dt = (time.perf_counter() - t0) / steps
    return {
        "batch": batch,
        "samples_per_s": batch / dt,
        "s_per_step": dt,
        "flops_per_step": flops,
        "achieved_flops": flops / dt,
    }


def save_pretrained(cfg, pre, directory: Path) -> dict[str, Path]:
    out = {}
    names = {
        "bb": autoencoder_names("bb"),
        "fl": autoencoder_names("fl"),
        "env": {"hf_envelope": "hf_envelope"},
    }
    for stage, stage_names in names.items():
        nets = {key: build_network(name, cfg.model, pre) for key, name in stage_names.items()}
        meta = {"stage": stage, "model": cfg.model.model_dump(mode="json"), "preprocessing": pre}
        out[stage] = save_checkpoint(directory / stage, nets, meta)
    return out


def bench_generation(cfg, pre, device, n_records: int) -> float:
    model = HybridGenerator.from_config(cfg.model, pre)
    gen = BroadbandGenerator(model, pre, device)
    x = np.random.default_rng(0).standard_normal((n_records, 3, pre["nt"]))
    gen.generate(x[:2], pre["sampling_rate"])
    _sync(device)
    t0 = time.perf_counter()
    gen.generate(x, pre["sampling_rate"])
    _sync(device)
    return n_records / (time.perf_counter() - t0)


def decoder_artefacts_db(cfg, mode: str, nt: int = 4096, n: int = 32) -> dict[str, float]:
    """Spectral spikes of a decoder at initialisation: FAS at fs/4, fs/8, fs/16, fs/32 over the
    median FAS of the neighbouring ±2 Hz (dB). Stride-2 transposed convolutions put periodic
    patterns, hence peaks, there (checkerboard artefacts); upsample+conv should not."""
    from scipy.ndimage import median_filter

    torch.manual_seed(0)
    dec = Decoder(cfg.model.nzd, cfg.model.ndf, upsample=mode).eval()
    with torch.no_grad():
        y = dec(torch.randn(n, cfg.model.nzd, nt // 32)).double().numpy()
    fas = np.abs(np.fft.rfft(y, axis=-1)).mean(axis=(0, 1))
    freqs = np.fft.rfftfreq(nt, 0.01)
    background = median_filter(fas, size=int(4 / (freqs[1] - freqs[0])) | 1)
    out = {}
    for div in (4, 8, 16, 32):
        i = int(np.argmin(np.abs(freqs - 100.0 / div)))
        out[f"{100.0 / div:g}Hz"] = float(20 * np.log10(fas[i] / background[i]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "configs" / "demo.yaml"))
    parser.add_argument("--quick", action="store_true", help="fewer steps (development)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "training.json"))
    args = parser.parse_args()
    cfg = load_config(args.config)
    pre = {"sampling_rate": 100.0, "nt": 4096, "fc": 1.0}
    steps = 2 if args.quick else 5
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    results = {
        "package_version": __version__,
        "command": " ".join([sys.executable, *sys.argv]),
        "config": args.config,
        "cpu_cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "nt": pre["nt"],
        "devices": {},
    }
    results["decoder_spikes_db"] = {
        m: decoder_artefacts_db(cfg, m) for m in ("transpose", "upsample")
    }
    for mode, spikes in results["decoder_spikes_db"].items():
        print(f"decoder {mode}: spectral spikes (dB over local median) {spikes}")
    pretrained = save_pretrained(cfg, pre, Path(tempfile.mkdtemp()))
    for device in devices:
        peak = matmul_peak(device, 1024 if device.type == "cpu" else 8192)
        entry = {"matmul_peak_flops": peak, "stages": {}}
        print(f"[{device}] fp32 matmul peak: {peak / 1e9:.1f} GFLOP/s")
        for stage in STAGES:
            r = bench_stage(stage, cfg, pre, pretrained, device, steps)
            r["fraction_of_matmul_peak"] = r["achieved_flops"] / peak
            entry["stages"][stage] = r
            print(
                f"[{device}] {stage}: {r['samples_per_s']:.1f} samples/s (batch {r['batch']}), "
                f"{r['achieved_flops'] / 1e9:.2f} GFLOP/s = {r['fraction_of_matmul_peak']:.1%} "
                "of matmul peak"
            )
        n_gen = 32 if args.quick else 128
        entry["generation_records_per_s"] = bench_generation(cfg, pre, device, n_gen)
        print(f"[{device}] generation: {entry['generation_records_per_s']:.1f} records/s (K=1)")
        results["devices"][str(device)] = entry
    write_json(args.out, results)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
