"""Encoder/decoder, KL and likelihood heads of the catalog VAE against independent references."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from seismoalice.catalog.vae.model import (
    CatalogVAE,
    decode_features,
    kl_divergence,
    reconstruction_loss,
)
from seismoalice.catalog.vae.windows import DMAG, LOG_DT

LN10 = math.log(10.0)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31 - 1), dim=st.integers(1, 12))
def test_kl_matches_closed_form_of_torch_distributions(seed, dim):
    g = torch.Generator().manual_seed(seed)
    mu = torch.randn(5, dim, generator=g, dtype=torch.float64) * 2
    logvar = torch.randn(5, dim, generator=g, dtype=torch.float64) * 2
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    expected = torch.distributions.kl_divergence(q, p).sum(dim=1)
    torch.testing.assert_close(kl_divergence(mu, logvar), expected)


def _params_and_targets(seed: int, n_features: int = 4):
    rng = np.random.default_rng(seed)
    shift = np.array([-1.5, 0.4, 0.0, 0.0][:n_features])
    scale = np.array([0.9, 0.45, 3.0, 3.0][:n_features])
    tau = rng.weibull(0.7, (3, 5)) * 0.05
    dmag = rng.exponential(0.43, (3, 5))
    phys = np.stack([np.log10(tau), dmag, *rng.normal(0, 3, (2, 3, 5))], axis=-1)[..., :n_features]
    params = rng.normal(0, 0.7, (3, 5, n_features, 2))
    return (
        torch.as_tensor(params),
        torch.as_tensor((phys - shift) / scale),
        torch.as_tensor(shift),
        torch.as_tensor(scale),
        params,
        phys,
        tau,
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gr_weibull_likelihood_matches_scipy(seed):
    """Per-window NLL = −Σ log densities (scipy) of the normalised Gaussian features, the
    exponential u = m − Mc + Δm/2 and y = ln τ (Weibull log-density + ln τ)."""
    dm = 0.1
    params_t, x, shift, scale, params, phys, tau = _params_and_targets(seed)
    got = reconstruction_loss(params_t, x, "gr_weibull_nll", shift, scale, dm).numpy()
    k = np.exp(params[..., LOG_DT, 1])
    lam = np.exp(params[..., LOG_DT, 0])
    nll_tau = -(sps.weibull_min.logpdf(tau, k, scale=lam) + np.log(tau))
    rate = np.exp(params[..., DMAG, 0])
    nll_mag = -sps.expon.logpdf(phys[..., DMAG] + dm / 2, scale=1 / rate)
    xn = x.numpy()
    mean, std = params[..., 2:, 0], np.exp(0.5 * params[..., 2:, 1])
    nll_loc = -(sps.norm.logpdf(xn[..., 2:], mean, std) + 0.5 * np.log(2 * np.pi))
    expected = (nll_tau + nll_mag + nll_loc.sum(axis=-1)).sum(axis=1)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_mse_loss_is_sum_of_squares():
    params_t, x, shift, scale, params, _, _ = _params_and_targets(4)
    got = reconstruction_loss(params_t[..., :1], x, "mse", shift, scale, 0.1).numpy()
    expected = ((x.numpy() - params[..., 0]) ** 2).sum(axis=(1, 2))
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_decoder_samples_follow_weibull_and_exponential():
    n = 20000
    k, lam, rate, dm = 0.6, 0.02, 2.3, 0.1
    params = torch.zeros(1, n, 2, 2, dtype=torch.float64)
    params[0, :, LOG_DT, 0] = math.log(lam)
    params[0, :, LOG_DT, 1] = math.log(k)
    params[0, :, DMAG, 0] = math.log(rate)
    shift, scale = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    gen = torch.Generator().manual_seed(0)
    out = decode_features(params, "gr_weibull_nll", shift, scale, dm, True, gen)[0].numpy()
    tau = 10.0 ** out[:, LOG_DT]
    assert sps.kstest(tau, sps.weibull_min(k, scale=lam).cdf).pvalue > 1e-3
    u = out[:, DMAG] + dm / 2
    assert sps.kstest(u, sps.expon(scale=1 / rate).cdf).pvalue > 1e-3


def test_training_recovers_known_latent_factor():
    """Windows whose inter-event times share one log-rate per window: the VAE loss falls and
    its first latent direction recovers that rate (parameter recovery)."""
    from seismoalice.catalog.vae.model import n_params

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    n, window = 600, 16
    log_rate = rng.uniform(-2, 2, n)
    log_tau = -log_rate[:, None] + rng.normal(0, 0.1, (n, window))
    dmag = rng.exponential(0.43, (n, window))
    feats = np.stack([log_tau, dmag], axis=-1)
    shift, scale = feats.reshape(-1, 2).mean(0), feats.reshape(-1, 2).std(0)
    x = torch.as_tensor((feats - shift) / scale, dtype=torch.float32)
    sh = torch.as_tensor(shift, dtype=torch.float32)
    sc = torch.as_tensor(scale, dtype=torch.float32)
    model = CatalogVAE(window, 2, 2, [64, 32], "gr_weibull_nll")
    assert model.n_params == n_params("gr_weibull_nll") == 2
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)

    def loss() -> torch.Tensor:
        params, mu, logvar = model(x)
        rec = reconstruction_loss(params, x, "gr_weibull_nll", sh, sc, 0.0)
        return (rec + kl_divergence(mu, logvar)).mean()

    first = loss().item()
    for _ in range(300):
        opt.zero_grad()
        value = loss()
        value.backward()
        opt.step()
    assert value.item() < first - 0.5 * abs(first)
    with torch.no_grad():
        mu, _ = model.encode(x)
    corr = max(abs(np.corrcoef(mu[:, j].numpy(), log_rate)[0, 1]) for j in range(2))
    assert corr > 0.95


def test_magnitude_conditioned_decoder_changes_only_time_parameters():
    """Generation relies on the mark parameters not depending on the magnitudes argument."""
    torch.manual_seed(1)
    model = CatalogVAE(8, 4, 3, [16], "gr_weibull_nll", times_given_magnitudes=True)
    z = torch.randn(5, 3)
    a = model.decode(z, torch.zeros(5, 8))
    b = model.decode(z, torch.randn(5, 8))
    assert a.shape == (5, 8, 4, 2)
    others = [f for f in range(4) if f != LOG_DT]
    torch.testing.assert_close(a[:, :, others], b[:, :, others])
    assert not torch.allclose(a[:, :, LOG_DT], b[:, :, LOG_DT])
    with pytest.raises(ValueError, match="magnitudes"):
        model.decode(z)
