"""One seed for every random number generator (python, numpy, torch)."""

from __future__ import annotations

import random

import numpy as np


def seed_everything(seed: int, deterministic: bool = False) -> np.random.Generator:
    """Seed ``random``, numpy's legacy global RNG and torch (CPU and CUDA) with ``seed``.

    Returns a fresh ``numpy.random.Generator`` seeded with ``seed`` for code that takes an
    explicit generator. With ``deterministic=True`` torch is asked for deterministic kernels.
    """
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - libraries that use the legacy global RNG
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False
    return np.random.default_rng(seed)
