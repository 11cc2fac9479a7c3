"""Feed-forward VAE over event windows: encoder, decoder, losses and decoder sampling.

Kingma & Welling (2014), "Auto-encoding variational Bayes": q(z|x) = N(μ, diag σ²), prior
N(0, I), loss = reconstruction + β·KL (Higgins et al. 2017 for β). Windows enter as (B, L, F)
normalised features (see :mod:`.windows`); the decoder returns (B, L, F, P) parameters, and each
feature has a likelihood "head" chosen by the ``reconstruction`` kind (:data:`HEADS`):

- ``mse`` (P = 1): squared error Σ (x − x̂)² on the normalised feature (plain VAE);
- ``gaussian`` (P = 2: mean, log-variance): ½[log σ² + (x − μ)²/σ²];
- ``exponential`` (magnitudes; channel 0 = log β_i): Gutenberg–Richter density
  β_i e^{−β_i u} of u = m − Mc + Δm/2 ≥ 0 (Utsu's binning offset), NLL −log β_i + β_i u;
- ``weibull`` (inter-event times; channels = log scale λ_i [days], log shape k_i): Weibull τ,
  a local Poisson process for k = 1 (RECAST, Dascher-Cousineau et al. 2023, uses a Weibull
  mixture); for y = ln τ with s = k(y − ln λ) the NLL is −ln k − s + e^s (log-Weibull).

Losses are summed over events and features per window.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn

from seismoalice.catalog.vae.config import VAEConfig
from seismoalice.catalog.vae.windows import DMAG, LOG_DT

LOGVAR_MIN, LOGVAR_MAX = -12.0, 8.0
LN10 = math.log(10.0)
CAUSAL_KERNEL = 16


def n_params(reconstruction: str) -> int:
    """Decoder parameters per feature for a reconstruction kind."""
    return 1 if reconstruction == "mse" else 2


def _mlp(sizes: list[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for a, b in itertools.pairwise(sizes):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers)


class CatalogVAE(nn.Module):
    """Fully connected + ReLU encoder/decoder for windows of shape (B, L, F).

    With ``times_given_magnitudes`` the inter-event-time parameters come from a second MLP of
    z and the window's (normalised) magnitudes plus a causal convolution over the
    ``CAUSAL_KERNEL`` preceding magnitudes (the same response at every position), so that times
    react to large events as in ETAS, where magnitudes are independent and times depend on past
    magnitudes. Training feeds the observed magnitudes; generation first samples the magnitudes,
    then the times.
    """

    def __init__(
        self,
        window: int,
        n_features: int,
        latent_dim: int,
        hidden: list[int],
        reconstruction: str,
        times_given_magnitudes: bool = False,
    ) -> None:
        super().__init__()
        self.window, self.n_features, self.latent_dim = window, n_features, latent_dim
        self.reconstruction = reconstruction
        self.times_given_magnitudes = times_given_magnitudes
        self.n_params = n_params(reconstruction)
        d_in = window * n_features
        self.encoder = _mlp([d_in, *hidden])
        self.to_mu = nn.Linear(hidden[-1] if hidden else d_in, latent_dim)
        self.to_logvar = nn.Linear(hidden[-1] if hidden else d_in, latent_dim)
        rev = list(reversed(hidden))
        self.decoder = _mlp([latent_dim, *rev])
        self.to_params = nn.Linear(rev[-1] if rev else latent_dim, d_in * self.n_params)
        if times_given_magnitudes:
            d_cond = latent_dim + window
            self.time_decoder = nn.Sequential(
                _mlp([d_cond, *rev]), nn.Linear(rev[-1] if rev else d_cond, window * self.n_params)
            )
            self.causal = nn.Conv1d(1, self.n_params, CAUSAL_KERNEL)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, L, F) -> latent mean and log-variance, each (B, latent_dim)."""
        h = self.encoder(x.flatten(1))
        return self.to_mu(h), self.to_logvar(h)

    def decode(self, z: torch.Tensor, magnitudes: torch.Tensor | None = None) -> torch.Tensor:
        """(B, latent_dim) -> decoder parameters (B, L, F, P).

        ``magnitudes`` (B, L), normalised, are required with ``times_given_magnitudes``; the
        parameters of the other features do not depend on them.
        """
        shape = (z.shape[0], self.window, self.n_features, self.n_params)
        out = self.to_params(self.decoder(z)).view(shape)
        if not self.times_given_magnitudes:
            return out
        if magnitudes is None:
            raise ValueError("this decoder needs the window's magnitudes to decode times")
        times = self.time_decoder(torch.cat([z, magnitudes], dim=1))
        past = self.causal(nn.functional.pad(magnitudes[:, None, :], (CAUSAL_KERNEL, 0)))
        times = times.view(z.shape[0], self.window, self.n_params)
        times = (times + past[..., : self.window].transpose(1, 2))[:, :, None, :]
        return torch.cat([out[:, :, :LOG_DT], times, out[:, :, LOG_DT + 1 :]], dim=2)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Reparameterised pass: returns decoder parameters, μ and log σ² of q(z|x)."""
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decode(z, x[..., DMAG]), mu, logvar


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, σ²) || N(0, I)) per sample (B,): ½ Σ (μ² + σ² − 1 − log σ²).

    Closed form of Kingma & Welling (2014), appendix B.
    """
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=1)


HEADS: dict[str, dict[int, str]] = {
    "mse": {},
    "gaussian_nll": {},
    "gr_gaussian_nll": {DMAG: "exponential"},
    "gr_weibull_nll": {LOG_DT: "weibull", DMAG: "exponential"},
}
LOG_SHAPE_MIN, LOG_SHAPE_MAX = -3.0, 3.0


def _heads(reconstruction: str, n_features: int) -> list[str]:
    default = "mse" if reconstruction == "mse" else "gaussian"
    special = HEADS[reconstruction]
    return [special.get(f, default) for f in range(n_features)]


def reconstruction_loss(
    params: torch.Tensor,
    x: torch.Tensor,
    reconstruction: str,
    shift: torch.Tensor,
    scale: torch.Tensor,
    dm: float,
) -> torch.Tensor:
    """Reconstruction term per window (B,), summed over events and features.

    params: (B, L, F, P) decoder output; x: (B, L, F) normalised targets; shift, scale: (F,)
    normalisation (the exponential and Weibull heads work in physical units); dm: magnitude bin
    width [magnitude units].
    """
    phys = x * scale + shift
    terms = []
    for f, head in enumerate(_heads(reconstruction, x.shape[-1])):
        a = params[..., f, 0]
        if head == "mse":
            terms.append((x[..., f] - a).pow(2))
        elif head == "gaussian":
            logvar = params[..., f, 1].clamp(LOGVAR_MIN, LOGVAR_MAX)
            terms.append(0.5 * (logvar + (x[..., f] - a).pow(2) / logvar.exp()))
        elif head == "exponential":
            u = (phys[..., f] + 0.5 * dm).clamp_min(0.0)
            terms.append(-a + a.exp() * u)
        else:
            log_k = params[..., f, 1].clamp(LOG_SHAPE_MIN, LOG_SHAPE_MAX)
            s = log_k.exp() * (phys[..., f] * LN10 - a)
            terms.append(-log_k - s + s.exp())
    return torch.stack(terms, dim=-1).sum(dim=(1, 2))


def decode_features(
    params: torch.Tensor,
    reconstruction: str,
    shift: torch.Tensor,
    scale: torch.Tensor,
    dm: float,
    sample: bool,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Decoder parameters (B, L, F, P) -> features in physical units (B, L, F).

    With ``sample`` (ignored by ``mse`` heads: decoder mean) a draw from each feature's head,
    else its mean (Gaussian mean, exponential mean 1/β_i, Weibull scale λ_i). Exponential
    magnitudes are returned as u − Δm/2 (continuous m − Mc).
    """
    out = []
    for f, head in enumerate(_heads(reconstruction, params.shape[2])):
        a = params[..., f, 0]
        if head in ("mse", "gaussian"):
            value = a
            if head == "gaussian" and sample:
                std = torch.exp(0.5 * params[..., f, 1].clamp(LOGVAR_MIN, LOGVAR_MAX))
                value = a + std * torch.randn(a.shape, generator=generator, dtype=a.dtype)
            out.append(value * scale[f] + shift[f])
            continue
        e = torch.empty_like(a).exponential_(1.0, generator=generator) if sample else None
        if head == "exponential":
            out.append((1.0 if e is None else e) / a.exp() - 0.5 * dm)
        else:
            log_k = params[..., f, 1].clamp(LOG_SHAPE_MIN, LOG_SHAPE_MAX)
            y = a if e is None else a + torch.log(e) / log_k.exp()
            out.append(y / LN10)
    return torch.stack(out, dim=-1)


def build_model(cfg: VAEConfig, n_features: int) -> CatalogVAE:
    """The CatalogVAE described by ``cfg`` (float32)."""
    m = cfg.model
    return CatalogVAE(
        cfg.data.window,
        n_features,
        m.latent_dim,
        m.hidden,
        m.reconstruction,
        m.times_given_magnitudes,
    )
