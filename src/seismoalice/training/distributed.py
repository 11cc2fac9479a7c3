"""Data-parallel helpers for ``torchrun`` (one process per device; gloo on CPU, NCCL on CUDA).

GAN training calls each discriminator several times per step and back-propagates the generator
loss through it, which ``DistributedDataParallel``'s one-forward-one-backward bookkeeping handles
badly; instead, as in StyleGAN2-ADA (Karras et al. 2020), gradients are averaged explicitly with
one all-reduce per optimiser step and parameters/buffers are broadcast from rank 0. The arithmetic
is that of DDP (synchronous SGD on the global batch). Batches are split with
``DistributedSampler``; rank 0 alone logs and writes checkpoints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn


@dataclass(frozen=True)
class DistInfo:
    """Rank and world size of this process (rank 0 of 1 when not distributed)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1


def init_distributed(device_type: str) -> DistInfo:
    """Join the process group described by torchrun's environment (no-op without it)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device_type == "cuda":
        torch.cuda.set_device(local_rank)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device_type == "cuda" else "gloo")
    return DistInfo(dist.get_rank(), dist.get_world_size(), local_rank)


def broadcast_module(module: nn.Module, info: DistInfo, src: int = 0) -> None:
    """Copy parameters and buffers of ``module`` from rank ``src`` to every rank."""
    if not info.enabled:
        return
    with torch.no_grad():
        for t in list(module.parameters()) + list(module.buffers()):
            dist.broadcast(t.data, src)


def sync_gradients(params: Iterable[nn.Parameter], info: DistInfo) -> None:
    """Average the gradients of ``params`` over all ranks (one flattened all-reduce)."""
    if not info.enabled:
        return
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= info.world_size
    offset = 0
    for g in grads:
        g.copy_(flat[offset : offset + g.numel()].view_as(g))
        offset += g.numel()


def all_reduce_mean(values: dict[str, float], info: DistInfo) -> dict[str, float]:
    """Mean of scalar values over ranks (for logging)."""
    if not info.enabled or not values:
        return values
    keys = sorted(values)
    t = torch.tensor([values[k] for k in keys], dtype=torch.float64)
    dist.all_reduce(t)
    return {k: float(v) / info.world_size for k, v in zip(keys, t.tolist(), strict=True)}


def barrier(info: DistInfo) -> None:
    if info.enabled:
        dist.barrier()
