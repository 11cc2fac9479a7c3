"""Time–frequency envelopes of accelerograms and the network that predicts the HF one from LF.

Design of this package (not in Gatti & Clouteau 2020). What a low-frequency signal tells about
the high frequencies it lacks is their level and timing — magnitude, distance and duration set
them (Boore 2003) — not their phase, which the stochastic method draws at random. This module
therefore splits the problem:

- :func:`log_band_power`: ln of the mean power per frequency band (analytic signals of a
  partition-of-unity filter bank, triangular in ln f) and time frame, ``(N, C, K, J)``;
- :class:`EnvelopePredictor` (stage ``env``): LF signal [m/s²] → ln band power of its missing
  HF part, trained by least squares on the training split;
- :func:`shape_to_envelope`: gives any "texture" signal (the ALICE decoder's output in the
  ``hb`` model) that time–frequency envelope, frame by frame and band by band.

The ALICE networks thus learn the waveform (phase, within-band structure, realisation to
realisation variability) and the predictor its level, which the adversarial chain alone learned
poorly (ln-amplitude error ≈ 0.9, see the README).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seismoalice.data.filters import log_triangles
from seismoalice.metrics.psa import response_spectrum

POWER_FLOOR = 1e-6  # band power floor relative to the band's maximum over frames (−60 dB)


class EnvelopeBands(NamedTuple):
    """Filter bank and frames: sampling rate ``fs`` [Hz], band centres [Hz] of the LF input
    (``lf_centres``) and of the predicted HF envelope (``hf_centres``), frame length [samples]."""

    fs: float
    lf_centres: tuple[float, ...]
    hf_centres: tuple[float, ...]
    frame: int

    @classmethod
    def default(cls, fs: float, fc: float, n_hf: int = 12, frame_s: float = 0.32) -> EnvelopeBands:
        """LF bands fc/10 … fc (5, log-spaced); HF bands fc/2 … 0.4 fs (``n_hf``, log-spaced:
        the crossover region around fc, where the HF part fades in, gets its own bands)."""
        if not 0 < fc < 0.4 * fs:
            raise ValueError(f"fc={fc} Hz must lie in (0, 0.4·fs = {0.4 * fs} Hz)")
        lf = torch.logspace(math.log10(fc / 10), math.log10(fc), 5, dtype=torch.float64)
        hf = torch.logspace(math.log10(fc / 2), math.log10(0.4 * fs), n_hf, dtype=torch.float64)
        return cls(fs, tuple(lf.tolist()), tuple(hf.tolist()), max(1, round(frame_s * fs)))


def band_masks(n: int, fs: float, centres: tuple[float, ...], device=None) -> torch.Tensor:
    """``(K, n // 2 + 1)`` gains on the rfft frequencies of ``n`` samples: the partition-of-unity
    triangles in ln f of :func:`seismoalice.data.filters.log_triangles`."""
    f = np.fft.rfftfreq(n, d=1.0 / fs)
    return torch.from_numpy(log_triangles(f, np.asarray(centres))).to(device)


def analytic_bands(x: torch.Tensor, fs: float, centres: tuple[float, ...]) -> torch.Tensor:
    """Analytic signals ``(N, C, K, T)`` (complex) of the K bands of ``x`` ``(N, C, T)``.

    Their real parts sum to ``x`` (circular filtering over T samples: the records are tapered).
    """
    t = x.shape[-1]
    masks = band_masks(t, fs, centres, x.device).to(torch.float32)
    one_sided = torch.ones(t // 2 + 1, device=x.device)
    one_sided[1 : (t + 1) // 2] = 2.0  # analytic signal: double the positive frequencies
    spec = torch.fft.rfft(x.float(), dim=-1).unsqueeze(-2) * (masks * one_sided)
    full = torch.zeros(*spec.shape[:-1], t, dtype=spec.dtype, device=x.device)
    full[..., : t // 2 + 1] = spec
    return torch.fft.ifft(full, dim=-1)


def _frame_mean(p: torch.Tensor, frame: int) -> torch.Tensor:
    """Mean of ``(..., T)`` over consecutive frames of ``frame`` samples → ``(..., ⌈T/frame⌉)``."""
    lead, t = p.shape[:-1], p.shape[-1]
    pooled = F.avg_pool1d(p.reshape(-1, 1, t), frame, frame, ceil_mode=True)
    return pooled.reshape(*lead, -1)


def log_band_power(
    x: torch.Tensor, fs: float, centres: tuple[float, ...], frame: int
) -> torch.Tensor:
    """ln of the mean analytic-signal power per band and frame, ``(N, C, K, J)``.

    Unit: ln of (unit of x)², e.g. ln(m²/s⁴). Each band is floored at ``POWER_FLOOR`` times its
    maximum over frames, so silent frames have a finite, record-relative level.
    """
    return _log_frame_power(analytic_bands(x, fs, centres), frame)


def _log_frame_power(bands: torch.Tensor, frame: int) -> torch.Tensor:
    """:func:`log_band_power` of analytic band signals ``(N, C, K, T)``."""
    power = _frame_mean(bands.abs().pow(2), frame)
    floor = power.amax(dim=-1, keepdim=True) * POWER_FLOOR + torch.finfo(power.dtype).tiny
    return torch.log(power + floor)


def shape_to_envelope(
    texture: torch.Tensor, log_target: torch.Tensor, bands: EnvelopeBands
) -> torch.Tensor:
    """``texture`` ``(N, C, T)`` with its HF band–frame power set to ``exp(log_target)``.

    Every band of the texture is multiplied by the gain sqrt(target / own power), interpolated
    linearly between frame centres, and the bands are summed. Differentiable. ``log_target``
    ``(N, C, K, J)`` as from :func:`log_band_power` with ``bands.hf_centres``.
    """
    analytic = analytic_bands(texture, bands.fs, bands.hf_centres)
    own = _log_frame_power(analytic, bands.frame)
    parts = analytic.real
    n, c, k, t = parts.shape
    gain = torch.exp(0.5 * (log_target.float() - own)).reshape(n, c * k, -1)
    gain = F.interpolate(gain, size=t, mode="linear", align_corners=False).reshape(n, c, k, t)
    return (parts * gain).sum(dim=2)


class EnvelopePredictor(nn.Module):
    """LF accelerograms ``(N, C, T)`` [m/s²] → ln HF band power ``(N, C, K_hf, J)`` [ln m²/s⁴].

    Inputs: the LF band–frame log powers ``(C·K_lf, J)``, standardised. A global branch (MLP on
    each channel's total log energy and the frame fractions before 5, 50 and 95 % of the LF
    energy — level, spectral shape and timing, i.e. magnitude, distance and duration) adds a
    vector to every frame and a level per output band; a residual stack of dilated k=3
    convolutions (receptive field > 128 frames) places the HF energy in time. A per-band
    ``correction`` [ln amplitude] set by :meth:`calibrate` is added last.
    """

    def __init__(
        self,
        bands: EnvelopeBands,
        channels: int = 3,
        width: int = 64,
        negative_slope: float = 0.2,
        dilations: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 1),
    ) -> None:
        super().__init__()
        self.bands = bands
        self.channels = channels
        self.slope = negative_slope
        c_in, c_out = channels * len(bands.lf_centres), channels * len(bands.hf_centres)
        self.inp = nn.Conv1d(c_in, width, 3, padding=1)
        self.blocks = nn.ModuleList(
            nn.Conv1d(width, width, 3, padding=d, dilation=d) for d in dilations
        )
        self.mlp = nn.Sequential(
            nn.Linear(c_in + 3, width),
            nn.LeakyReLU(negative_slope),
            nn.Linear(width, width),
            nn.LeakyReLU(negative_slope),
        )
        self.level = nn.Linear(width, c_out)
        self.out = nn.Conv1d(width, c_out, 1)
        # standardisation of inputs and outputs, set from training data (init_normalisation)
        self.register_buffer("norm", torch.tensor([0.0, 1.0, 0.0, 1.0]))
        self.register_buffer("correction", torch.zeros(len(bands.hf_centres)))

    @torch.no_grad()
    def init_normalisation(self, lf_log: torch.Tensor, hf_log: torch.Tensor) -> None:
        """Set mean and std of inputs (LF log powers) and targets (HF log powers)."""
        self.norm.copy_(
            torch.stack([lf_log.mean(), lf_log.std(), hf_log.mean(), hf_log.std()]).to(self.norm)
        )

    def lf_features(self, lf: torch.Tensor) -> torch.Tensor:
        """ln band–frame power of the LF input, ``(N, C, K_lf, J)``."""
        return log_band_power(lf, self.bands.fs, self.bands.lf_centres, self.bands.frame)

    def forward(self, lf: torch.Tensor) -> torch.Tensor:
        logp = self.lf_features(lf)
        n, _, _, j = logp.shape
        logp = logp.reshape(n, -1, j)
        x = (logp - self.norm[0]) / self.norm[1]
        energy = (torch.logsumexp(logp, dim=-1) - self.norm[0]) / self.norm[1]
        share = torch.softmax(torch.logsumexp(logp, dim=1), dim=-1).cumsum(dim=-1)
        timing = torch.stack([(share < q).float().mean(dim=-1) for q in (0.05, 0.5, 0.95)], 1)
        v = self.mlp(torch.cat([energy, timing], dim=1))
        h = F.leaky_relu(self.inp(x), self.slope) + v.unsqueeze(-1)
        for block in self.blocks:
            h = h + F.leaky_relu(block(h), self.slope)
        y = self.out(h) + self.level(v).unsqueeze(-1)
        y = y * self.norm[3] + self.norm[2]
        y = y.reshape(n, self.channels, len(self.bands.hf_centres), j)
        return y + 2 * self.correction.reshape(1, 1, -1, 1)

    @torch.no_grad()
    def calibrate(self, bb: torch.Tensor, generated: torch.Tensor, dt: float) -> torch.Tensor:
        """Add to ``correction`` the mean ln PSA(5 %) residual ln(bb / generated) of the
        horizontals at the band centres' periods (records ``(N, 3, T)`` [m/s²], ZNE).

        The predictor is fitted to ln band power; response spectra follow the peaks, which a
        smooth predicted envelope spreads over more frames than the true record has (regression
        to the mean in time), so their mean ln level comes out low. Calibrated on training
        records, this restores it (the residual mean is the least-squares level shift).
        Returns the added ``(K_hf,)`` correction.
        """
        periods = 1.0 / torch.tensor(self.bands.hf_centres, dtype=torch.float64)
        true = response_spectrum(bb[:, 1:].double().cpu().numpy(), dt, periods.numpy())
        sim = response_spectrum(generated[:, 1:].double().cpu().numpy(), dt, periods.numpy())
        delta = torch.from_numpy(np.log(true / sim).mean(axis=(0, 1)))
        self.correction += delta.to(self.correction)
        return delta
