"""Amplitude head: ln(bb_peak / lf_peak) from the LF latent code.

The networks see peak-normalised signals (x_n = x / peak); to return accelerograms in the input's
units the pipeline multiplies the generated, re-peak-normalised BB signal by
``lf_peak · exp(head(F_fl(x_LF)))``. Design of this package (not in the original, which discarded
the scale factors). With ``use_peak`` the head also sees ln(lf_peak) (the LF peak in the
training unit, m/s²): the normalised waveform alone hides the absolute level, which together
with the duration tells the magnitude and distance that set the HF/LF ratio.
"""

from __future__ import annotations

import torch
from torch import nn


class AmplitudeHead(nn.Module):
    """``(N, nz, L)`` latent [and ``(N,)`` ln lf_peak] → ``(N,)`` ln(bb_peak / lf_peak)."""

    def __init__(
        self, nz: int, width: int = 64, negative_slope: float = 0.2, use_peak: bool = False
    ) -> None:
        super().__init__()
        self.use_peak = use_peak
        self.features = nn.Sequential(
            nn.Conv1d(nz, width, 3, 1, 1),
            nn.LeakyReLU(negative_slope),
            nn.Conv1d(width, width, 3, 1, 1),
            nn.LeakyReLU(negative_slope),
        )
        self.out = nn.Linear(2 * width + int(use_peak), 1)

    def forward(self, z: torch.Tensor, ln_peak: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(z)
        feats = [h.mean(dim=-1), h.amax(dim=-1)]
        if self.use_peak:
            if ln_peak is None:
                raise ValueError("this amplitude head needs ln(lf_peak)")
            feats.append(ln_peak.reshape(-1, 1).to(h.dtype))
        return self.out(torch.cat(feats, dim=1)).squeeze(-1)
