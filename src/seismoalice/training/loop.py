"""The training loop of every stage; everything stage-specific is behind
:class:`~seismoalice.training.stages.Stage`.

Each optimisation step is the stage's ``critic_steps`` discriminator updates, then one generator
update on the same minibatch (original SeismoALICE schedule, src/trainer_bbfl.py). Each epoch
ends with validation on the dev split every ``validation.every`` epochs, the ``best`` checkpoint
(lowest validation score) and, every ``train.checkpoint_every`` epochs, the resumable ``last``
checkpoint (weights, optimisers, schedulers, RNG states, counters). Data parallelism: one
process per device under ``torchrun`` (:mod:`seismoalice.training.distributed`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, DistributedSampler
from torch.utils.tensorboard import SummaryWriter
from tqdm.auto import tqdm

from seismoalice.devices import select_device, to_device
from seismoalice.errors import ConfigError, SeismoAliceError
from seismoalice.seeding import seed_everything
from seismoalice.training.config import RunConfig
from seismoalice.training.distributed import (
    DistInfo,
    all_reduce_mean,
    barrier,
    broadcast_module,
    sync_gradients,
)
from seismoalice.training.run import Run, claim_stage_dir, resume_run, save
from seismoalice.training.stages import STAGES


class NonFiniteLossError(SeismoAliceError, FloatingPointError):
    """A loss became NaN/inf; the run stopped and the last good checkpoint is kept."""


def train_stage(
    stage: str,
    cfg: RunConfig,
    train_set: Dataset,
    dev_set: Dataset | None,
    out_dir: str | Path,
    *,
    preprocessing: dict[str, Any],
    data_summary: dict[str, Any] | None = None,
    resume: bool = False,
    overwrite: bool = False,
    pretrained: dict[str, Path] | None = None,
    info: DistInfo | None = None,
    stop_after_epoch: int | None = None,
) -> Run:
    """Train one stage; checkpoints go to ``out_dir/<stage>/{last,best}``; returns the run.

    ``preprocessing`` is the data set's preprocessing.json (``sampling_rate``, ``nt``, ``fc``).
    ``pretrained`` gives the checkpoint directories of the stages this one loads (default
    ``out_dir/<stage>/best``). A stage folder that already holds checkpoints is continued with
    ``resume`` or replaced with ``overwrite`` (only what a run writes there), else refused.
    ``stop_after_epoch`` ends the run early, as a kill would.
    """
    info = info or DistInfo()
    stage_dir = Path(out_dir) / stage
    source = (data_summary or {}).get("path", "the data set")
    try:
        STAGES[stage].check_preprocessing(cfg, preprocessing)
    except ValueError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    claim_stage_dir(stage_dir, resume, overwrite, info)
    if pretrained is None:
        pretrained = {s: Path(out_dir) / s / "best" for s in STAGES[stage].needs}
    run = setup_run(stage, cfg, stage_dir, preprocessing, pretrained, info)
    meta = {
        "preprocessing": preprocessing,
        "data": data_summary or {"n_train": len(train_set)},
        "pretrained": {k: str(v) for k, v in pretrained.items()},
    }
    train_set = run.stage.training_data(train_set)
    if resume:
        resume_run(run, stage_dir / "last", meta)
    else:
        run.stage.prepare(train_set)
    run.writer = SummaryWriter(str(stage_dir / "tensorboard")) if info.is_main else None
    try:
        while run.epoch < run.stage.settings.epochs:
            means = train_epoch(run, train_set)
            metrics = None
            if dev_set is not None and len(dev_set) > 0 and run.epoch % cfg.validation.every == 0:
                metrics = run.stage.validate(dev_set, run.device)
            if info.is_main:
                end_of_epoch(run, meta, means, metrics)
            barrier(info)
            if stop_after_epoch is not None and run.epoch >= stop_after_epoch:
                break
    finally:
        if run.writer is not None:
            run.writer.close()
    return run


def train_epoch(run: Run, train_set: Dataset) -> dict[str, float]:
    """One pass over (at most ``max_batches`` of) the training set; mean of every loss term."""
    settings, tcfg = run.stage.settings, run.cfg.train
    for mod in [*run.stage.nets.gen.values(), *run.stage.nets.disc.values()]:
        mod.train()
    loader = make_loader(train_set, settings.batch_size, run)
    n_batches = min(len(loader), settings.max_batches or len(loader))
    sums: dict[str, float] = {}
    bar = tqdm(
        total=n_batches,
        desc=f"{run.stage.name} epoch {run.epoch + 1}/{settings.epochs}",
        disable=not (tcfg.progress and run.info.is_main),
        leave=False,
    )
    for i, batch in enumerate(loader):
        if i >= n_batches:
            break
        values = train_step(run, to_device(batch, run.device))
        for k, v in values.items():
            sums[k] = sums.get(k, 0.0) + v
        if run.writer is not None and run.step % tcfg.log_every == 0:
            for k, v in values.items():
                run.writer.add_scalar(k, v, run.step)
        bar.set_postfix(g=f"{values['loss_g/total']:.3f}")
        bar.update()
    bar.close()
    for sched in run.schedulers.values():
        sched.step()
    run.epoch += 1
    return all_reduce_mean({k: v / max(n_batches, 1) for k, v in sums.items()}, run.info)


def train_step(run: Run, batch: dict[str, torch.Tensor]) -> dict[str, float]:
    """``critic_steps`` discriminator updates then one generator update; every loss term."""
    stage, nets = run.stage, run.stage.nets
    amp = run.device.type == "cuda" and run.cfg.train.amp
    logged: dict[str, float] = {}
    nets_requires_grad(nets.disc, True)
    for _ in range(stage.critic_steps):
        with torch.autocast(run.device.type, dtype=torch.bfloat16, enabled=amp):
            d_terms = stage.discriminator_losses(batch)
            d_total = sum(d_terms.values())
        logged.update({f"loss_d/{k}": float(v.detach()) for k, v in d_terms.items()})
        check_finite(logged, run)
        optimizer_step(run.optimizers["d"], d_total, nets.disc, run.info)
    nets_requires_grad(nets.disc, False)
    with torch.autocast(run.device.type, dtype=torch.bfloat16, enabled=amp):
        terms = stage.generator_losses(batch)
        if not terms:
            raise ConfigError(f"stage {stage.name}: every loss weight is 0")
        g_total = sum(t.weight * t.value for t in terms)
    logged.update({f"loss_g/{t.name}": float(t.value.detach()) for t in terms})
    logged["loss_g/total"] = float(g_total.detach())
    check_finite(logged, run)
    optimizer_step(run.optimizers["g"], g_total, nets.gen, run.info)
    for mod in nets.gen.values():
        broadcast_module(mod, run.info)
    run.step += 1
    return logged


def end_of_epoch(run: Run, meta: dict, means: dict, metrics: dict | None) -> None:
    """Log the epoch; write ``best`` if validation improved and ``last`` when due."""
    for k, v in means.items():
        run.writer.add_scalar(f"epoch/{k}", v, run.epoch)
    if metrics is not None:
        for k, v in metrics.items():
            if isinstance(v, float):
                run.writer.add_scalar(f"validation/{k}", v, run.epoch)
        current = run.stage.score(metrics)
        if current < run.best:
            run.best = current
            save(run, "best", meta, metrics, state=False)
    elif not math.isfinite(run.best):
        save(run, "best", meta, None, state=False)
    if run.epoch % run.cfg.train.checkpoint_every == 0 or run.epoch == run.stage.settings.epochs:
        save(run, "last", meta, metrics, state=True)
    run.writer.flush()


def setup_run(
    stage: str,
    cfg: RunConfig,
    stage_dir: Path,
    preprocessing: dict[str, Any],
    pretrained: dict[str, Path] | None = None,
    info: DistInfo | None = None,
) -> Run:
    """Seed, pick the device, build the stage's networks and optimisers (no training)."""
    info = info or DistInfo()
    seed_everything(cfg.seed + info.rank)
    device = select_device(cfg.train.device)
    current = STAGES[stage](cfg, preprocessing, pretrained)
    torch.manual_seed(cfg.seed)  # identical initial weights on every rank
    nets = current.build()
    torch.manual_seed(cfg.seed + info.rank)
    for mod in nets.all().values():
        mod.to(device)
    for mod in nets.frozen.values():
        mod.eval().requires_grad_(False)
    optimizers = current.optimizers()
    schedulers: dict[str, Any] = {}
    if current.settings.scheduler == "cosine":
        epochs = current.settings.epochs
        schedulers = {
            k: torch.optim.lr_scheduler.CosineAnnealingLR(o, epochs) for k, o in optimizers.items()
        }
    return Run(current, cfg, optimizers, schedulers, device, info, stage_dir)


def make_loader(dataset: Dataset, batch_size: int, run: Run) -> DataLoader:
    """Shuffled batches of this rank's share of ``dataset`` (reshuffled every epoch)."""
    info = run.info
    sampler = DistributedSampler(
        dataset, num_replicas=info.world_size, rank=info.rank, shuffle=True, seed=run.cfg.seed
    )
    sampler.set_epoch(run.epoch)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=sampler,
        num_workers=run.cfg.train.num_workers,
        drop_last=len(dataset) // info.world_size >= batch_size,
        pin_memory=run.device.type == "cuda",
    )


def optimizer_step(
    opt: torch.optim.Optimizer, total: torch.Tensor, modules: dict[str, nn.Module], info: DistInfo
) -> None:
    opt.zero_grad(set_to_none=True)
    total.backward()
    sync_gradients([p for m in modules.values() for p in m.parameters()], info)
    opt.step()


def nets_requires_grad(modules: dict[str, nn.Module], flag: bool) -> None:
    for mod in modules.values():
        mod.requires_grad_(flag)


def check_finite(values: dict[str, float], run: Run) -> None:
    bad = {k: v for k, v in values.items() if not math.isfinite(v)}
    if bad:
        raise NonFiniteLossError(
            f"stage {run.stage.name}, epoch {run.epoch + 1}, step {run.step}: non-finite loss "
            f"{bad}; the run stopped and the last good checkpoint is kept (lower the learning "
            "rates or try loss.adversarial: wgan-gp)"
        )
