"""Importance-weighted lower bound of the catalog VAE's log-likelihood of held-out windows.

Burda, Grosse & Salakhutdinov (2016), "Importance weighted autoencoders": with z_k ~ q(z|x),
ln p(x) ≥ E[ln (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x)], tighter as K grows (K = 1 is the ELBO).
Here x is the part of a window a forecast is scored on: the inter-event times τ [days] and the
magnitudes m of its L events. The decoder heads give their densities: Weibull for τ
(ln p(τ) = ln p(y) − y for y = ln τ) and exponential (Gutenberg–Richter) for
u = m − Mc + Δm/2; the location heads are left out (q(z|x) may still use the locations: any
proposal gives a valid bound). Defined for ``reconstruction: gr_weibull_nll`` only; the other
kinds have no density of τ in days (``mse``) or none of the magnitudes.
"""

from __future__ import annotations

import math

import numpy as np

from seismoalice.catalog.vae.generate import LoadedVAE
from seismoalice.catalog.vae.model import LN10, LOG_SHAPE_MAX, LOG_SHAPE_MIN
from seismoalice.catalog.vae.windows import DMAG, LOG_DT


def likelihood_defined(vae: LoadedVAE) -> tuple[bool, str]:
    """Whether :func:`iwae_log_likelihood` is defined for this model, and why not."""
    kind = vae.cfg.model.reconstruction
    if kind != "gr_weibull_nll":
        return False, f"reconstruction {kind!r} has no density of inter-event times and magnitudes"
    return True, ""


def iwae_log_likelihood(
    vae: LoadedVAE, features: np.ndarray, n_samples: int = 64, seed: int = 0
) -> np.ndarray:
    """Lower bound of ln p(τ_1..L, m_1..L) [nats] per window (W,), τ in days, for windows
    (W, L, F) in physical units (as :func:`..windows.extract_windows` returns them)."""
    import torch

    ok, why = likelihood_defined(vae)
    if not ok:
        raise ValueError(why)
    gen = torch.Generator().manual_seed(seed)
    shift = torch.as_tensor(vae.shift, dtype=torch.float64)
    scale = torch.as_tensor(vae.scale, dtype=torch.float64)
    phys = torch.as_tensor(features, dtype=torch.float64)
    x = ((phys - shift) / scale).float()
    n_windows = x.shape[0]
    with torch.no_grad():
        mu, logvar = vae.model.encode(x)
        std = torch.exp(0.5 * logvar)
        eps = torch.randn((n_samples, *mu.shape), generator=gen)
        z = mu + std * eps  # (K, W, D)
        mags = x[..., DMAG].repeat(n_samples, 1)
        params = vae.model.decode(z.reshape(-1, mu.shape[1]), mags).double()
        params = params.view(n_samples, n_windows, *params.shape[1:])
        y = phys[..., LOG_DT] * LN10  # ln τ
        log_k = params[..., LOG_DT, 1].clamp(LOG_SHAPE_MIN, LOG_SHAPE_MAX)
        s = log_k.exp() * (y - params[..., LOG_DT, 0])
        log_p_tau = log_k + s - s.exp() - y
        u = (phys[..., DMAG] + 0.5 * vae.meta["dm"]).clamp_min(0.0)
        log_rate = params[..., DMAG, 0]
        log_p_mag = log_rate - log_rate.exp() * u
        log_px_z = (log_p_tau + log_p_mag).sum(-1)  # (K, W)
        zd = z.double()
        half_log_2pi = 0.5 * math.log(2 * math.pi)
        log_prior = (-0.5 * zd.pow(2) - half_log_2pi).sum(-1)
        log_q = (-0.5 * eps.double().pow(2) - half_log_2pi - 0.5 * logvar.double()).sum(-1)
        log_w = log_px_z + log_prior - log_q
        bound = torch.logsumexp(log_w, dim=0) - math.log(n_samples)
    return bound.numpy()
