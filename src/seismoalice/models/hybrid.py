"""Latent maps between the ``fl`` and ``bb`` autoencoders and the LF → BB generator.

Gatti & Clouteau (2020): Ghz maps the LF latent ``(N, nzf, L)`` to the BB latent ``(N, nzd, L)``
and Fhz maps back; both see ``[z; ε]`` and keep the length L (k=3, s=1, p=1 convolutions, as the
original Ghz). Inference: x̂_BB = G_bb(Ghz(F_fl(x_LF))).

Design of this package (not in the original): with ``merge`` set, the generator keeps its LF
input below fc and adds only the part of G_bb's output above fc, through the exact complement
of the zero-phase Butterworth low-pass that made the LF signals (the matched-filter merge of
hybrid broadband methods, Graves & Pitarka 2010). The network then only has to predict the
high frequencies, and the LF band is the input's by construction. Optionally (``envelope``)
G_bb's output is first modulated by the smoothed envelope of the LF input, so that the
generated high frequencies arrive and decay with the LF energy (in stochastic ground-motion
models every band shares the source-duration window, Boore 2003); the network then only
learns the spectral content and the departures from that envelope.

With an :class:`~seismoalice.models.envelope.EnvelopePredictor` (``hf_envelope``) the decoder's
output is instead a texture: high-passed, given the band–frame power that the predictor expects
for the record's missing high frequencies, and merged with the LF input in physical units
(:func:`shaped_merge`); the amplitude head is then not needed.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from seismoalice.models.amplitude import AmplitudeHead
from seismoalice.models.autoencoder import Decoder, Encoder
from seismoalice.models.blocks import conv_block, init_weights, with_noise
from seismoalice.models.envelope import EnvelopePredictor, shape_to_envelope


class MergeBand(NamedTuple):
    """Sampling rate ``fs`` [Hz], cut-off ``fc`` [Hz] and order of the LF Butterworth filter;
    ``taper``: Tukey fraction applied to the generated signal before its high-pass (as the
    preprocessing tapers the records), so that an offset of the decoder output at the window
    ends does not become a step whose high-pass rings at the ends."""

    fs: float
    fc: float
    order: int = 4
    taper: float = 0.05


def tukey(n: int, alpha: float, device: torch.device | None = None) -> torch.Tensor:
    """Tukey window of ``n`` samples (cosine tapers over ``alpha·n/2`` samples at each end);
    equal to ``scipy.signal.windows.tukey(n, alpha)``."""
    x = torch.linspace(0.0, 1.0, n, device=device, dtype=torch.float64)
    w = torch.ones_like(x)
    if alpha <= 0:
        return w
    edge = alpha / 2
    lo, hi = x < edge, x > 1 - edge
    w[lo] = 0.5 * (1 + torch.cos(math.pi * (x[lo] / edge - 1)))
    w[hi] = 0.5 * (1 + torch.cos(math.pi * ((x[hi] - 1) / edge + 1)))
    return w


def lowpass_gain(n: int, band: MergeBand, device: torch.device | None = None) -> torch.Tensor:
    """``|H(f)|²`` of the zero-phase (forward-backward) digital Butterworth low-pass on the
    ``n // 2 + 1`` rfft frequencies of ``n`` samples: ``1 / (1 + (tan(πf/fs)/tan(πfc/fs))^2N)``.

    This is the response of ``scipy.signal.sosfiltfilt`` with ``butter(N, fc, fs=fs)``
    (bilinear transform), away from the signal's ends.
    """
    f = torch.fft.rfftfreq(n, d=1.0 / band.fs, device=device, dtype=torch.float64)
    ratio = torch.tan(math.pi * f / band.fs) / math.tan(math.pi * band.fc / band.fs)
    return 1.0 / (1.0 + ratio.pow(2 * band.order))


def matched_highpass(x: torch.Tensor, band: MergeBand, power: bool = False) -> torch.Tensor:
    """``x − lowpass(x)`` for ``(..., T)`` signals, applied in the frequency domain
    (zero-padded to 2T against wrap-around); differentiable. Same unit as ``x``.

    With ``power``, the gain is sqrt(1 − L²) instead of 1 − L (L = :func:`lowpass_gain`): the
    high-pass whose power adds up with the low-pass's, L² + HP² = 1, which is what an incoherent
    (random-phase) HF part needs to complete an LF signal; with 1 − L the sum of two incoherent
    parts would lack half the power at fc.
    """
    t = x.shape[-1]
    low = lowpass_gain(2 * t, band, x.device)
    gain = (1.0 - low.pow(2)).clamp_min(0).sqrt() if power else 1.0 - low
    spec = torch.fft.rfft(x.float(), n=2 * t)
    return torch.fft.irfft(spec * gain.to(spec.real.dtype), n=2 * t)[..., :t].to(x.dtype)


def renormalise(x: torch.Tensor) -> torch.Tensor:
    """Divide each record ``(N, C, T)`` by its peak |x| over components and time (peak → 1)."""
    return x / x.abs().amax(dim=(1, 2), keepdim=True).clamp_min(1e-12)


def lf_envelope(x: torch.Tensor, width: int) -> torch.Tensor:
    """Smoothed envelope ``(N, 1, T)`` of ``(N, C, T)`` signals, peak 1 per record.

    Root of the component-summed power averaged twice over ``width`` samples (a triangular
    window of 2·width), e.g. two periods of fc so that it does not follow the LF oscillations.
    """
    power = x.float().pow(2).sum(dim=1, keepdim=True)
    for _ in range(2):
        power = F.avg_pool1d(power, width, 1, width // 2, count_include_pad=False)
    env = power[..., : x.shape[-1]].clamp_min(0).sqrt()
    return (env / env.amax(dim=-1, keepdim=True).clamp_min(1e-12)).to(x.dtype)


def merge_lf(
    x_lf: torch.Tensor,
    raw: torch.Tensor,
    ln_ratio: torch.Tensor,
    band: MergeBand,
    envelope: int | None = None,
) -> torch.Tensor:
    """BB signal in units of the BB peak: ``x_lf · exp(−ln_ratio) + HP(tukey · e · raw)``.

    ``x_lf`` ``(N, C, T)`` is divided by the LF peak, ``raw`` (decoder output) by the BB peak,
    ``ln_ratio`` ``(N,)`` is ln(bb_peak / lf_peak); ``e`` is :func:`lf_envelope` of ``x_lf``
    over ``envelope`` samples (1 when None).
    """
    window = tukey(raw.shape[-1], band.taper, raw.device).to(raw.dtype)
    if envelope is not None:
        window = window * lf_envelope(x_lf, envelope)
    return x_lf * torch.exp(-ln_ratio).reshape(-1, 1, 1) + matched_highpass(raw * window, band)


def shaped_merge(
    lf: torch.Tensor, raw: torch.Tensor, predictor: EnvelopePredictor, band: MergeBand
) -> torch.Tensor:
    """BB ``(N, C, T)`` [m/s²] = ``lf + HP_fc/2(tukey · shape(HPp(tukey · raw), predictor(lf)))``.

    ``lf`` is the LF input [m/s²], ``raw`` the decoder output (any scale). HPp is the
    power-complementary high-pass at fc (:func:`matched_highpass` with ``power``): the generated
    HF part is incoherent with the LF input, so around fc their powers, not amplitudes, must add
    up; the predictor's target is the same high-pass of the true record. The texture gets the
    predicted band–frame power (:func:`shape_to_envelope`, circular over T, so it is tapered
    again) and a guard high-pass an octave below fc against what the time-varying gains spread
    there; a second high-pass at fc would weaken 0.7–1.5 Hz twice. Below fc/4 the output is the
    input's (combined gain of the two high-passes 2e-5 there); between fc/4 and fc the generated
    part adds back power that the LF filter removed (at fc/2 about 4 % of the record amplitude).
    """
    window = tukey(raw.shape[-1], band.taper, raw.device).to(raw.dtype)
    texture = matched_highpass(raw * window, band, power=True)
    shaped = shape_to_envelope(texture, predictor(lf), predictor.bands)
    guard = band._replace(fc=band.fc / 2)
    return lf + matched_highpass(shaped * window, guard).to(lf.dtype)


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
    ``(x̂_bb (N, 3, T), ln_ratio (N,))`` where ``exp(ln_ratio)`` estimates bb_peak / lf_peak and
    ``x̂_bb · lf_peak · exp(ln_ratio)`` is the BB signal in the input's units. Without ``merge``
    x̂_bb is G_bb's output renormalised to peak 1; with ``merge`` it is :func:`merge_lf` (the LF
    input below fc, G_bb's output above, modulated by the LF envelope over ``envelope`` samples
    if given). With ``hf_envelope`` (needs ``merge`` and ``ln_peak``) x̂_bb is
    :func:`shaped_merge` renormalised to peak 1 and ln_ratio its peak over the LF peak; the
    amplitude head is unused (None). Fresh noise at every call gives a new realisation.
    """

    def __init__(
        self,
        encoder_fl: Encoder,
        fl_to_bb: LatentMap,
        decoder_bb: Decoder,
        amplitude: AmplitudeHead | None,
        merge: MergeBand | None = None,
        envelope: int | None = None,
        hf_envelope: EnvelopePredictor | None = None,
    ) -> None:
        super().__init__()
        self.encoder_fl = encoder_fl
        self.fl_to_bb = fl_to_bb
        self.decoder_bb = decoder_bb
        self.amplitude = amplitude
        self.merge = merge
        self.envelope = envelope
        self.hf_envelope = hf_envelope
        if hf_envelope is not None and merge is None:
            raise ValueError("hf_envelope shapes the band above fc: it needs merge")
        if hf_envelope is None and amplitude is None:
            raise ValueError("without hf_envelope the generator needs an amplitude head")

    def forward(
        self, x_lf: torch.Tensor, ln_peak: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``ln_peak`` ``(N,)``: ln of the LF peak in the training unit (for heads that use it)."""
        z_f = self.encoder_fl(x_lf)
        raw = self.decoder_bb(self.fl_to_bb(z_f))
        if self.hf_envelope is not None:
            if ln_peak is None:
                raise ValueError("hf_envelope needs ln(lf_peak) [ln m/s²]")
            ln_peak = ln_peak.reshape(-1).to(raw.dtype)
            bb = shaped_merge(
                x_lf * torch.exp(ln_peak).reshape(-1, 1, 1), raw, self.hf_envelope, self.merge
            )
            peak = bb.abs().amax(dim=(1, 2)).clamp_min(1e-30)
            return bb / peak.reshape(-1, 1, 1), torch.log(peak) - ln_peak
        ln_ratio = self.amplitude(z_f, ln_peak)
        if self.merge is None:
            return renormalise(raw), ln_ratio
        return merge_lf(x_lf, raw, ln_ratio, self.merge, self.envelope), ln_ratio
