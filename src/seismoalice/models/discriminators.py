"""Discriminators of ALICE: joint D(x, z), pair critics D(x, x̂) and D(z, ẑ) (Li et al. 2017).

One parameterised network covers all of them: a signal trunk (five Conv1d k=4 s=2 layers,
``(N, cx, T)`` → ``(N, w, T/32)``, no normalisation on the first layer as in DCGAN) and/or a
latent trunk (1×1 convolutions on ``(N, cz, T/32)``), concatenated along channels and reduced by
1×1 convolutions to one logit per latent position, ``(N, 1, T/32)`` (as the original's Ddxz).
Outputs are logits: use them with BCE-with-logits or as Wasserstein critic values.
Pair critics take the channel concatenation of the two members, e.g. ``cx = 6`` for (x, x̂).
"""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import nn

from seismoalice.models.blocks import conv_block, init_weights


class Discriminator(nn.Module):
    """D(x, z) with ``x_channels`` signal and ``z_channels`` latent channels (either may be 0).

    Args:
        x_channels: channels of the signal input (3 for x, 6 for a pair (x, x̂); 0: none).
        z_channels: channels of the latent input (nz, or 2·nz for a pair; 0: none).
        ndf: base width of the signal trunk (widths ndf·(1, 2, 4, 8, 8)).
        width: width of the latent trunk and of the joint head.
        norm: BatchNorm in the trunks (must be False for WGAN-GP, whose penalty is per sample).
        dropout: dropout after each layer (0.25 in the original).
    """

    def __init__(
        self,
        x_channels: int,
        z_channels: int,
        ndf: int = 32,
        width: int = 128,
        norm: bool = True,
        dropout: float = 0.25,
        negative_slope: float = 0.2,
    ) -> None:
        super().__init__()
        if x_channels <= 0 and z_channels <= 0:
            raise ValueError("a discriminator needs a signal or a latent input")
        kw = {"negative_slope": negative_slope, "dropout": dropout}
        head_in = 0
        self.x_trunk: nn.Module | None = None
        self.z_trunk: nn.Module | None = None
        if x_channels > 0:
            widths = [x_channels] + [ndf * min(2**i, 8) for i in range(5)]
            self.x_trunk = nn.Sequential(
                *[
                    conv_block(c_in, c_out, norm=norm and i > 0, **kw)
                    for i, (c_in, c_out) in enumerate(pairwise(widths))
                ]
            )
            head_in += widths[-1]
        if z_channels > 0:
            self.z_trunk = nn.Sequential(
                conv_block(z_channels, width, 1, 1, 0, norm=False, **kw),
                conv_block(width, width, 1, 1, 0, norm=norm, **kw),
            )
            head_in += width
        self.head = nn.Sequential(
            conv_block(head_in, width, 1, 1, 0, norm=False, bias=True, **kw),
            nn.Conv1d(width, 1, 1),
        )
        init_weights(self)

    def forward(self, x: torch.Tensor | None = None, z: torch.Tensor | None = None) -> torch.Tensor:
        """Logits ``(N, 1, T/32)`` for a signal ``(N, cx, T)`` and/or a latent ``(N, cz, T/32)``."""
        feats = []
        if self.x_trunk is not None:
            feats.append(self.x_trunk(x))
        if self.z_trunk is not None:
            feats.append(self.z_trunk(z))
        return self.head(torch.cat(feats, dim=1))
