"""A training run's state and its folder: checkpoints written, resumed, claimed.

A run of stage S writes ``<out>/S/last`` (resumable: weights, optimisers, schedulers, RNG
states, counters), ``<out>/S/best`` (weights of the best validation score) and
``<out>/S/tensorboard``; nothing else in that folder is touched.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch.utils.tensorboard import SummaryWriter

from seismoalice import __version__
from seismoalice.checkpoint import (
    check_compatible,
    load_modules,
    read_checkpoint,
    restore_state,
    save_checkpoint,
)
from seismoalice.errors import CheckpointError, ConfigError
from seismoalice.training.config import RunConfig
from seismoalice.training.distributed import DistInfo, barrier
from seismoalice.training.stages import Stage

RUN_OUTPUTS = ("last", "best", "tensorboard")  # what a run writes in its stage folder


@dataclass
class Run:
    """A stage with its optimisers, schedulers, device and counters."""

    stage: Stage
    cfg: RunConfig
    optimizers: dict[str, torch.optim.Optimizer]
    schedulers: dict[str, Any]
    device: torch.device
    info: DistInfo
    stage_dir: Path
    epoch: int = 0
    step: int = 0
    best: float = math.inf
    writer: SummaryWriter | None = None


def claim_stage_dir(stage_dir: Path, resume: bool, overwrite: bool, info: DistInfo) -> None:
    """Refuse to train afresh over a stage folder's checkpoints unless ``overwrite``, which
    deletes what a run writes there (:data:`RUN_OUTPUTS` and the checkpoints' staging twins)."""
    if resume:
        return
    twins = [f".{name}.{kind}" for name in RUN_OUTPUTS[:2] for kind in ("old", "staging")]
    present = [p for p in (stage_dir / n for n in (*RUN_OUTPUTS, *twins)) if p.exists()]
    checkpoints = sorted(p.name for p in present if p.name != "tensorboard")
    if checkpoints and not overwrite:
        raise ConfigError(
            f"{stage_dir}: already holds checkpoints ({', '.join(checkpoints)}); pass --resume "
            "to continue that run or --overwrite to replace it"
        )
    if overwrite and info.is_main:
        for path in present:
            shutil.rmtree(path)
    barrier(info)


def save(run: Run, kind: str, meta: dict, metrics: dict | None, state: bool) -> None:
    """Write checkpoint ``kind`` (``best``, or ``last`` with the training ``state``)."""
    config = {
        "stage": run.stage.name,
        "package_version": __version__,
        "epoch": run.epoch,
        "step": run.step,
        "model": run.cfg.model.model_dump(mode="json"),
        "run_config": run.cfg.model_dump(mode="json"),
        "normalisation": "networks see x / max|x| over components and time; the hb generator "
        "returns physical units (LF input + shaped HF)",
        "validation": metrics,
        **meta,
        **run.stage.checkpoint_config(),
    }
    save_checkpoint(
        run.stage_dir / kind,
        run.stage.nets.all(),
        config,
        optimizers=run.optimizers if state else None,
        schedulers=run.schedulers if state else None,
        counters={"epoch": run.epoch, "step": run.step, "best": run.best} if state else None,
    )


def resume_run(run: Run, directory: Path, meta: dict) -> None:
    """Load networks, optimisers, schedulers, RNG states and counters of ``directory``."""
    tensors, config = read_checkpoint(directory)
    if config.get("stage") != run.stage.name:
        raise CheckpointError(f"{directory}: is a '{config.get('stage')}' checkpoint")
    model = run.cfg.model.model_dump(mode="json")
    check_compatible(config, str(directory), model=model, preprocessing=meta["preprocessing"])
    load_modules(tensors, run.stage.nets.all(), str(directory))
    counters = restore_state(directory, run.optimizers, run.schedulers)
    run.epoch, run.step = int(counters["epoch"]), int(counters["step"])
    run.best = math.inf if counters["best"] is None else float(counters["best"])
