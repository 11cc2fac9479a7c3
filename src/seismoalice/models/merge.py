"""Merge of generated high frequencies with the LF input: matched zero-phase Butterworth filters.

Design of this package (not in Gatti & Clouteau 2020): the generator keeps its LF input below fc
and adds only the part of G_bb's output above fc, through high-passes that complement the
zero-phase Butterworth low-pass that made the LF signals (the matched-filter merge of hybrid
broadband methods, Graves & Pitarka 2010). The decoder's output is a texture: it is high-passed,
given the band–frame power that the :class:`~seismoalice.models.envelope.EnvelopePredictor`
expects for the record's missing high frequencies, and added to the LF input in physical units
(:func:`shaped_merge`).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import torch

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


def merge_band(preprocessing: dict[str, Any]) -> MergeBand:
    """The LF filter of a data set's preprocessing (``sampling_rate``, ``fc``, ``filter_order``)."""
    return MergeBand(
        float(preprocessing["sampling_rate"]),
        float(preprocessing["fc"]),
        int(preprocessing.get("filter_order", 4)),
    )
