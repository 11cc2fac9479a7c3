"""Latent maps between the ``fl`` and ``bb`` autoencoders and the LF → BB generator.

Gatti & Clouteau (2020): Ghz maps the LF latent ``(N, nzf, L)`` to the BB latent ``(N, nzd, L)``
and Fhz maps back; both see ``[z; ε]`` and keep the length L (k=3, s=1, p=1 convolutions, as the
original Ghz). Inference: x̂_BB = G_bb(Ghz(F_fl(x_LF))).
"""

from __future__ import annotations

import torch
from torch import nn

from seismoalice.models.amplitude import AmplitudeHead
from seismoalice.models.autoencoder import Decoder, Encoder
from seismoalice.models.blocks import conv_block, init_weights, with_noise


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


class HybridGenerator(nn.Module):
    """LF → BB on peak-normalised signals, with the predicted amplitude ratio.

    ``forward(x_lf)`` with ``x_lf`` ``(N, 3, T)`` normalised by its peak returns
    ``(x̂_bb (N, 3, T) in [−1, 1], ln_ratio (N,))`` where ``exp(ln_ratio)`` estimates
    bb_peak / lf_peak. Fresh noise at every call gives a new realisation.
    """

    def __init__(
        self,
        encoder_fl: Encoder,
        fl_to_bb: LatentMap,
        decoder_bb: Decoder,
        amplitude: AmplitudeHead,
    ) -> None:
        super().__init__()
        self.encoder_fl = encoder_fl
        self.fl_to_bb = fl_to_bb
        self.decoder_bb = decoder_bb
        self.amplitude = amplitude

    def forward(self, x_lf: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z_f = self.encoder_fl(x_lf)
        return self.decoder_bb(self.fl_to_bb(z_f)), self.amplitude(z_f)
