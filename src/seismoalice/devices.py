"""The torch device to run on."""

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
