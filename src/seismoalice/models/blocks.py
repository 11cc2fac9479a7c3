"""Convolution blocks shared by every ALICE network (layout of SeismoALICE's ``cnn1d``/``cnn1dt``).

All tensors are ``(N, C, T)``. Every block is conv (no bias) → optional BatchNorm → activation →
optional dropout, as in the original (src/common_nn.py), but with a real LeakyReLU slope (0.2,
Radford et al. 2016) instead of the original's slope 1.0 (identity).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

Activation = Literal["leaky_relu", "relu", "tanh", "none"]
UpsampleMode = Literal["transpose", "upsample"]


def activation(kind: Activation, negative_slope: float = 0.2) -> nn.Module:
    """The activation module called ``kind`` (``"none"`` is the identity)."""
    if kind == "leaky_relu":
        return nn.LeakyReLU(negative_slope)
    if kind == "relu":
        return nn.ReLU()
    if kind == "tanh":
        return nn.Tanh()
    return nn.Identity()


def conv_block(
    c_in: int,
    c_out: int,
    kernel: int = 4,
    stride: int = 2,
    padding: int = 1,
    *,
    norm: bool = True,
    act: Activation = "leaky_relu",
    negative_slope: float = 0.2,
    dropout: float = 0.0,
    bias: bool = False,
) -> nn.Sequential:
    """Conv1d → [BatchNorm1d] → activation → [Dropout]; length T → ⌊(T + 2p − k)/s⌋ + 1."""
    layers: list[nn.Module] = [nn.Conv1d(c_in, c_out, kernel, stride, padding, bias=bias)]
    if norm:
        layers.append(nn.BatchNorm1d(c_out))
    layers.append(activation(act, negative_slope))
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def up_block(
    c_in: int,
    c_out: int,
    mode: UpsampleMode = "transpose",
    *,
    norm: bool = True,
    act: Activation = "relu",
) -> nn.Sequential:
    """Double the length: ConvTranspose1d(k=4, s=2, p=1) (original) or upsampling + Conv1d(k=5).

    The upsample+conv variant avoids the periodic spectral spikes of stride-2 transposed
    convolutions (checkerboard artefacts; Odena et al. 2016, Distill).
    """
    if mode == "transpose":
        first: list[nn.Module] = [nn.ConvTranspose1d(c_in, c_out, 4, 2, 1, bias=False)]
    else:
        first = [
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv1d(c_in, c_out, 5, 1, 2, bias=False),
        ]
    layers = first + ([nn.BatchNorm1d(c_out)] if norm else []) + [activation(act)]
    return nn.Sequential(*layers)


def with_noise(x: torch.Tensor, enabled: bool = True) -> torch.Tensor:
    """``[x; ε]``: concatenate fresh N(0, 1) noise with the shape of ``x`` along channels.

    This is how the original injects randomness (one input → many realisations); with
    ``enabled=False`` the noise channels are zeros (deterministic mapping, same layer sizes).
    """
    eps = torch.randn_like(x) if enabled else torch.zeros_like(x)
    return torch.cat([x, eps], dim=1)


def init_weights(module: nn.Module) -> None:
    """Original init (src/common_nn.py:300): Xavier-uniform convs, BN weight ~ N(1, 0.02)."""
    for m in module.modules():
        if isinstance(m, nn.Conv1d | nn.ConvTranspose1d):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm1d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
