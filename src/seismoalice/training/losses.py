"""Loss functions of ALICE training (pure functions on tensors).

- Adversarial: BCE on logits (Goodfellow et al. 2014, non-saturating generator form) or the
  Wasserstein critic loss with gradient penalty (Gulrajani et al. 2017, WGAN-GP).
- ALI/BiGAN/ALICE generator losses are the discriminator loss with the labels swapped
  (Dumoulin et al. 2017; Li et al. 2017).
- Multi-resolution log-spectral distance on STFT magnitudes (against the HF "floor" and
  transposed-convolution spikes of the original; cf. Yamamoto et al. 2020, Parallel WaveGAN).
- Least squares of ln band–frame power for the HF envelope predictor (this package's design).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

AdversarialKind = Literal["bce", "wgan-gp"]


def discriminator_loss(
    real: torch.Tensor, fake: torch.Tensor, kind: AdversarialKind = "bce"
) -> torch.Tensor:
    """Loss of a discriminator/critic given logits on real and fake inputs (any shape).

    bce: −E[ln σ(real)] − E[ln(1 − σ(fake))]; wgan-gp: E[fake] − E[real] (add the penalty).
    The generator loss is the same call with ``real`` and ``fake`` swapped.
    """
    if kind == "bce":
        return F.softplus(-real).mean() + F.softplus(fake).mean()
    return fake.mean() - real.mean()


def critic_loss(
    d: nn.Module,
    real: dict[str, torch.Tensor],
    fake: dict[str, torch.Tensor],
    kind: AdversarialKind = "bce",
    gp_weight: float = 0.0,
) -> torch.Tensor:
    """Loss of discriminator ``d`` on keyword inputs ``real`` and ``fake`` (e.g. ``{"x": x,
    "z": z}``): :func:`discriminator_loss`, plus ``gp_weight`` × :func:`gradient_penalty` for
    WGAN-GP."""
    out = discriminator_loss(d(**real), d(**fake), kind)
    if kind == "wgan-gp" and gp_weight > 0:
        keys = sorted(real)
        pen = gradient_penalty(
            lambda *a: d(**dict(zip(keys, a, strict=True))),
            [real[k] for k in keys],
            [fake[k] for k in keys],
        )
        out = out + gp_weight * pen
    return out


def generator_loss(
    d: nn.Module,
    real: dict[str, torch.Tensor],
    fake: dict[str, torch.Tensor],
    kind: AdversarialKind = "bce",
) -> torch.Tensor:
    """The generator's adversarial loss against ``d``: the discriminator loss with real and fake
    swapped (ALI/ALICE; non-saturating for BCE)."""
    return discriminator_loss(d(**fake), d(**real), kind)


def gradient_penalty(
    critic: Callable[..., torch.Tensor],
    real: Sequence[torch.Tensor],
    fake: Sequence[torch.Tensor],
) -> torch.Tensor:
    """WGAN-GP penalty E[(‖∇ critic(u)‖₂ − 1)²], u = α·real + (1 − α)·fake, α ~ U(0, 1) per sample.

    ``real`` and ``fake`` are tuples of the critic's inputs (e.g. (x, z) for a joint critic); the
    gradient norm is taken over all inputs together. Gulrajani et al. (2017), eq. 3.
    """
    n = real[0].shape[0]
    alpha = torch.rand(n, device=real[0].device, dtype=real[0].dtype)
    mixed = []
    for r, f in zip(real, fake, strict=True):
        a = alpha.view(n, *([1] * (r.dim() - 1)))
        mixed.append((a * r.detach() + (1 - a) * f.detach()).requires_grad_(True))
    out = critic(*mixed)
    grads = torch.autograd.grad(out.sum(), mixed, create_graph=True)
    sq = sum(g.reshape(n, -1).pow(2).sum(dim=1) for g in grads)
    return ((sq + 1e-12).sqrt() - 1).pow(2).mean()


def stft_magnitude(x: torch.Tensor, n_fft: int) -> torch.Tensor:
    """|STFT| of ``(..., T)`` signals, Hann window, hop n_fft/4: ``(..., n_fft/2 + 1, frames)``."""
    flat = x.reshape(-1, x.shape[-1]).float()
    window = torch.hann_window(n_fft, device=x.device)
    spec = torch.stft(flat, n_fft, n_fft // 4, window=window, return_complex=True)
    return spec.abs().reshape(*x.shape[:-1], *spec.shape[-2:])


def log_spectral_loss(
    x: torch.Tensor,
    y: torch.Tensor,
    n_ffts: Sequence[int] = (64, 256, 1024),
    eps: float = 1e-7,
) -> torch.Tensor:
    """Mean over resolutions of E|ln(|STFT x| + eps) − ln(|STFT y| + eps)|, x, y ``(..., T)``.

    Resolutions longer than the signal are replaced by its length. For y = c·x (c > 0) it
    equals |ln c| up to the eps floor.
    """
    sizes = sorted({min(n, x.shape[-1]) for n in n_ffts})
    total = x.new_zeros(())
    for n_fft in sizes:
        sx, sy = stft_magnitude(x, n_fft), stft_magnitude(y, n_fft)
        total = total + (torch.log(sx + eps) - torch.log(sy + eps)).abs().mean()
    return total / len(sizes)


def spectral_convergence(
    x: torch.Tensor, y: torch.Tensor, n_ffts: Sequence[int] = (64, 256, 1024)
) -> torch.Tensor:
    """Mean over resolutions of ‖|STFT x| − |STFT y|‖_F / ‖|STFT y|‖_F, x, y ``(..., T)``.

    Weights time–frequency cells by their energy, unlike the log-spectral distance, which weighs
    the quiet pre-event and coda cells as much as the strong motion (Arik et al. 2019;
    Yamamoto et al. 2020). For y = c·x (c > 0) it equals |c − 1|.
    """
    sizes = sorted({min(n, x.shape[-1]) for n in n_ffts})
    total = x.new_zeros(())
    for n_fft in sizes:
        sx, sy = stft_magnitude(x, n_fft), stft_magnitude(y, n_fft)
        num = (sx - sy).pow(2).sum(dim=(-2, -1)).sqrt()
        den = sy.pow(2).sum(dim=(-2, -1)).sqrt().clamp_min(1e-12)
        total = total + (num / den).mean()
    return total / len(sizes)


def log_psd_envelope_loss(
    x: torch.Tensor,
    y: torch.Tensor,
    n_ffts: Sequence[int] = (64, 256, 1024),
    eps: float = 1e-10,
) -> torch.Tensor:
    """Distance between smoothed spectra and envelopes of ``(..., T)`` signals x and y.

    Per resolution, with P = |STFT|² ``(..., F, frames)``: E|ln(mean_t P_x + eps) − ln(mean_t
    P_y + eps)| (a Welch power spectrum) + E|ln(mean_f P_x + eps) − ln(mean_f P_y + eps)| (a
    time envelope), averaged over resolutions. Unlike cell-wise spectral distances, which
    reward a lower level when the generated phases are independent of the target's (stochastic
    high frequencies), these averages are nearly deterministic, so the level is unbiased.
    For y = c·x (c > 0) it equals 4|ln c| up to the eps floor.
    """
    sizes = sorted({min(n, x.shape[-1]) for n in n_ffts})
    total = x.new_zeros(())
    for n_fft in sizes:
        px, py = stft_magnitude(x, n_fft).pow(2), stft_magnitude(y, n_fft).pow(2)
        for dim in (-1, -2):
            lx, ly = torch.log(px.mean(dim=dim) + eps), torch.log(py.mean(dim=dim) + eps)
            total = total + (lx - ly).abs().mean()
    return total / len(sizes)


def l1(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference."""
    return (x - y).abs().mean()


def envelope_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Squared error of ln band–frame power, inputs ``(N, C, K, J)`` [ln m²/s⁴]."""
    return F.mse_loss(pred, target)


def band_energy_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Squared error of ln band energy (ln power summed over the J frames; it sets the
    response-spectrum level), inputs ``(N, C, K, J)``."""
    return F.mse_loss(torch.logsumexp(pred, -1), torch.logsumexp(target, -1))
