"""The torch device to run on, and moving batches there."""

from __future__ import annotations

import torch

from seismoalice.errors import ConfigError


def select_device(kind: str = "auto") -> torch.device:
    """The current CUDA device if available (``auto``) or asked for (``cuda``), else the CPU."""
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device 'cuda' was asked for but no CUDA device is available")
    if kind != "cpu" and torch.cuda.is_available():
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def to_device(batch: dict, device: torch.device) -> dict[str, torch.Tensor]:
    """The batch's tensors on ``device`` (other items are dropped)."""
    return {k: v.to(device, non_blocking=True) for k, v in batch.items() if torch.is_tensor(v)}
