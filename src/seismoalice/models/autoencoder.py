"""Encoder F_x and decoder G_z of the ``bb`` and ``fl`` ALICE autoencoders, and the latent maps.

Architecture of SeismoALICE's Fed/Gdd (bb, nz = 32) and Fef/Gdf (fl, nz = 8), Gatti & Clouteau
(2020): five Conv1d(k=4, s=2) layers with BatchNorm down to a latent of shape ``(nz, T/32)``
(128 for T = 4096) and five transposed convolutions back to ``(3, T)`` with a Tanh output
(signals are peak-normalised to [−1, 1]). Widths are ``ndf·(1, 2, 4, 8)``; padding is 1 in every
layer so that any T divisible by 32 works (the original's paddings 0/2 only fit T = 4096;
parameter counts are unchanged). Fixes: LeakyReLU(0.2) instead of the original identity.

Latent maps (Gatti & Clouteau 2020): Ghz maps the LF latent ``(N, nzf, L)`` to the BB latent
``(N, nzd, L)`` and Fhz maps back; both see ``[z; ε]`` and keep the length L (k=3, s=1, p=1
convolutions, as the original Ghz). Inference: x̂_BB = G_bb(Ghz(F_fl(x_LF))).
"""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import nn

from seismoalice.models.blocks import UpsampleMode, conv_block, init_weights, up_block, with_noise

N_DOWN = 5


class Encoder(nn.Module):
    """F_x: ``(N, C, T)`` signal → ``(N, nz, T/32)`` latent; input ``[x; ε]`` (2C channels)."""

    def __init__(
        self,
        nz: int,
        ndf: int = 32,
        channels: int = 3,
        noise: bool = True,
        negative_slope: float = 0.2,
    ) -> None:
        super().__init__()
        self.noise = noise
        widths = [2 * channels] + [ndf * 2**i for i in range(N_DOWN - 1)]
        layers = [
            conv_block(c_in, c_out, negative_slope=negative_slope)
            for c_in, c_out in pairwise(widths)
        ]
        layers.append(conv_block(widths[-1], nz, norm=False, act="none"))
        self.net = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(with_noise(x, self.noise))


class Decoder(nn.Module):
    """G_z: ``(N, nz, T/32)`` latent → ``(N, C, T)`` signal in [−1, 1]; the input is ``[z; ε]``."""

    def __init__(
        self,
        nz: int,
        ndf: int = 32,
        channels: int = 3,
        noise: bool = True,
        upsample: UpsampleMode = "transpose",
    ) -> None:
        super().__init__()
        self.noise = noise
        widths = [2 * nz] + [ndf * 2**i for i in reversed(range(N_DOWN - 1))]
        layers = [up_block(c_in, c_out, upsample) for c_in, c_out in pairwise(widths)]
        layers.append(up_block(widths[-1], channels, upsample, norm=False, act="tanh"))
        self.net = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(with_noise(z, self.noise))


class LatentMap(nn.Module):
    """``(N, nz_in, L)`` → ``(N, nz_out, L)``: k=3 convolutions 2·nz_in → w → 2w → nz_out.

    BN + ReLU between layers; with nz_in = 8, nz_out = 32, w = 32 this is the original Ghz.
    """

    def __init__(self, nz_in: int, nz_out: int, width: int = 32, noise: bool = True) -> None:
        super().__init__()
        self.noise = noise
        self.net = nn.Sequential(
            conv_block(2 * nz_in, width, 3, 1, 1, act="relu"),
            conv_block(width, 2 * width, 3, 1, 1, act="relu"),
            conv_block(2 * width, nz_out, 3, 1, 1, norm=False, act="none"),
        )
        init_weights(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(with_noise(z, self.noise))


def renormalise(x: torch.Tensor) -> torch.Tensor:
    """Divide each record ``(N, C, T)`` by its peak |x| over components and time (peak → 1)."""
    return x / x.abs().amax(dim=(1, 2), keepdim=True).clamp_min(1e-12)
