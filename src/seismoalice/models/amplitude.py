"""Amplitude head: ln(bb_peak / lf_peak) from the LF latent code.

The networks see peak-normalised signals (x_n = x / peak); to return accelerograms in the input's
units the pipeline multiplies the generated, re-peak-normalised BB signal by
``lf_peak · exp(head(F_fl(x_LF)))``. Design of this package (not in the original, which discarded
the scale factors).
"""

from __future__ import annotations

import torch
from torch import nn


class AmplitudeHead(nn.Module):
    """``(N, nz, L)`` latent → ``(N,)`` predicted ln(bb_peak / lf_peak) (natural log, no unit)."""

    def __init__(self, nz: int, width: int = 64, negative_slope: float = 0.2) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(nz, width, 3, 1, 1),
            nn.LeakyReLU(negative_slope),
            nn.Conv1d(width, width, 3, 1, 1),
            nn.LeakyReLU(negative_slope),
        )
        self.out = nn.Linear(2 * width, 1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.features(z)
        pooled = torch.cat([h.mean(dim=-1), h.amax(dim=-1)], dim=1)
        return self.out(pooled).squeeze(-1)
