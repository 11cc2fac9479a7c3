"""Golden reference of training and generation, written by the pre-redesign implementation.

``python tests/golden_training.py`` trains the four ALICE stages (bb, fl, env, hb) for two tiny
configurations (``demo``: BCE, spectral and PSD-envelope terms, hb fine-tuning, upsampling
decoder; ``full``: WGAN-GP with n_critic 2, cycle/latent/signal/spectral-convergence terms,
transposed-convolution decoder) on twelve in-memory records, then generates two realisations
from each hb checkpoint, and writes to ``tests/data/golden_training.json``:

- SHA-256 digests of every tensor of every checkpoint file (weights, optimiser and RNG state)
  of ``<stage>/best`` and ``<stage>/last``, one digest per network (names and bytes);
- the validation metrics stored with each checkpoint;

and the generated samples ``(K, N, 3, T)`` [m/s²] to ``tests/data/golden_generated.npz``.

The file in the repository was produced by this procedure on the code of commit 2bb6eba (the
monolithic ``training/trainer.py``, before issue 11's redesign), so it is an independent
reference for the redesigned code (tests/test_training_golden.py): same seed and config must
give bit-identical checkpoints. One intra-op thread makes the float reductions independent of
the machine's core count. The script runs on both implementations (``train_stage`` moved from
``training.trainer`` to ``training.loop``); to regenerate the reference from the old code::

    git archive 2bb6eba src | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old/src .venv/bin/python tests/golden_training.py

(``python tests/golden_training.py DIR`` writes the two files into DIR instead.)
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from array_dataset import ArrayWaveformDataset
from safetensors.torch import load_file
from tiny_model import TINY

from seismoalice.generation import BroadbandGenerator
from seismoalice.metrics.psa import response_spectrum
from seismoalice.training.config import config_from_dict

try:
    from seismoalice.training.loop import train_stage
except ImportError:  # the implementation before the redesign, which wrote the reference
    from seismoalice.training.trainer import train_stage

GOLDEN = Path(__file__).parent / "data" / "golden_training.json"
GOLDEN_SAMPLES = GOLDEN.with_name("golden_generated.npz")
FS, NT, FC = 100.0, 256, 1.0
PRE = {"sampling_rate": FS, "nt": NT, "fc": FC, "filter_order": 4}
STAGES = ("bb", "fl", "env", "hb")
ENV = {"epochs": 2, "batch_size": 4, "max_batches": 1, "lr_g": 2e-3, "scheduler": "cosine"}
MODEL = {**TINY, "merge_lf": True, "hf_envelope": True, "envelope_width": 8}


def _stage(**extra: Any) -> dict[str, Any]:
    return {"epochs": 2, "batch_size": 4, "max_batches": 1, "lr_g": 1e-3, "lr_d": 1e-3, **extra}


CONFIGS: dict[str, dict[str, Any]] = {
    "demo": {
        "seed": 626,
        "model": {**MODEL, "decoder": "upsample"},
        "stages": {
            "bb": _stage(loss={"spectral": 1.0}),
            "fl": _stage(loss={"spectral": 1.0}),
            "env": ENV,
            "hb": _stage(
                finetune=True,
                finetune_lr_factor=1.0,
                loss={
                    "cycle_x": 0.0,
                    "cycle_z": 0.0,
                    "latent": 1.0,
                    "spectral": 10.0,
                    "psd_envelope": 10.0,
                },
            ),
        },
    },
    "full": {
        "seed": 7,
        "model": {**MODEL, "decoder": "transpose"},
        "stages": {
            "bb": _stage(
                n_critic=2,
                betas=[0.5, 0.9999],
                loss={"adversarial": "wgan-gp", "cycle_z": 100.0},
            ),
            "fl": _stage(weight_decay=1e-5, loss={"spectral_convergence": 1.0}),
            "env": ENV,
            "hb": _stage(
                n_critic=2,
                loss={
                    "adversarial": "wgan-gp",
                    "cycle_x": 1.0,
                    "latent": 1.0,
                    "signal": 1.0,
                    "spectral_convergence": 1.0,
                },
            ),
        },
    },
}
COMMON = {
    "train": {"progress": False, "device": "cpu"},
    "validation": {"n_records": 3, "tf_gof": True, "periods": [0.1, 0.5, 1.0]},
}


def records(n: int = 12, seed: int = 0) -> np.ndarray:
    """Enveloped Gaussian noise ``(n, 3, NT)`` with log-normal levels (any unit)."""
    rng = np.random.default_rng(seed)
    t = np.arange(NT) / FS
    env = (t / 0.5) ** 2 * np.exp(-t / 0.5)
    return rng.standard_normal((n, 3, NT)) * env * rng.lognormal(-3, 1, (n, 1, 1))


def _digest(array: np.ndarray | torch.Tensor) -> str:
    t = torch.as_tensor(array).detach().cpu().contiguous()
    return hashlib.sha256(t.reshape(-1).view(torch.uint8).numpy().tobytes()).hexdigest()


def _group_digests(tensors: dict[str, torch.Tensor]) -> dict[str, str]:
    """SHA-256 per network (key prefix before the first dot, e.g. ``d_joint``, ``optim``, ``rng``)
    over its tensors' names and bytes in name order."""
    groups: dict[str, Any] = {}
    for key in sorted(tensors):
        h = groups.setdefault(key.split(".", 1)[0], hashlib.sha256())
        h.update(key.encode())
        h.update(_digest(tensors[key]).encode())
    return {k: h.hexdigest() for k, h in groups.items()}


def _checkpoint_digests(directory: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("model.safetensors", "state.safetensors"):
        if (directory / name).exists():
            out[name] = _group_digests(load_file(str(directory / name)))
    out["validation"] = json.loads((directory / "config.json").read_text())["validation"]
    return out


def run(root: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Train every configuration under ``root``; return the checkpoint digests and the generated
    samples of each configuration (see the module docstring)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    # numba's first parallel call (the PSA of validation) changes the OpenMP state that torch's
    # CPU kernels run under: make it happen before training, so that the results do not depend
    # on whether something else in the process computed a PSA first
    response_spectrum(np.zeros((1, 3, 64)), 1.0 / FS, [0.1])
    try:
        data = ArrayWaveformDataset(records(), FS, FC)
        result: dict[str, Any] = {}
        samples: dict[str, np.ndarray] = {}
        for name, raw in CONFIGS.items():
            cfg = config_from_dict({**raw, **COMMON})
            for stage in STAGES:
                train_stage(stage, cfg, data, data, root / name, preprocessing=PRE)
            digests = {
                f"{stage}/{kind}": _checkpoint_digests(root / name / stage / kind)
                for stage in STAGES
                for kind in ("best", "last")
            }
            gen = BroadbandGenerator.from_checkpoint(root / name / "hb" / "best")
            lf = records(2, seed=1)
            samples[name] = gen.generate(lf, FS, realizations=2, seed=3)
            result[name] = digests
        return result, samples
    finally:
        torch.set_num_threads(threads)


def main(out: Path) -> None:
    """Run the procedure and write the two reference files into ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        digests, generated = run(Path(tmp))
    (out / GOLDEN.name).write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    np.savez_compressed(out / GOLDEN_SAMPLES.name, **generated)
    sys.stdout.write(f"wrote {out / GOLDEN.name} and {out / GOLDEN_SAMPLES.name}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else GOLDEN.parent)
