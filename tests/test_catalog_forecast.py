"""Forecast evaluation (EarthquakeNPP protocol) and the VAE's importance-weighted likelihood."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats
from typer.testing import CliRunner

from seismoalice.catalog.etas.params import ETASParams
from seismoalice.catalog.etas.simulate import simulate_etas
from seismoalice.catalog.forecast import evaluate_forecasts
from seismoalice.catalog.vae.config import VAEConfig
from seismoalice.catalog.vae.generate import LoadedVAE
from seismoalice.catalog.vae.likelihood import iwae_log_likelihood
from seismoalice.catalog.vae.model import build_model
from seismoalice.cli import app


def test_etas_beats_poisson_on_etas_data_and_cli_writes_table(tmp_path):
    params = ETASParams(mu=1.0, k=0.3, alpha=1.5, c=0.01, p=1.2, m0=2.0, b=1.0, mmax=7.0)
    cat = simulate_etas(params, 0.0, 2000.0, burn_in_days=500.0, seed=3)
    result = evaluate_forecasts(cat, 2.0, models=("poisson", "temporal"))
    scores = result["scores"]
    assert scores["etas_temporal"]["temporal"] > scores["poisson"]["temporal"] + 0.1
    # Poisson score: N ln μ̂ − μ̂ T written out
    t = cat.times_days()
    split = result["split_days"]
    fit_n = int(np.sum(t < split["test_start"]))
    rate = fit_n / (split["test_start"] - split["start"])
    n_test = len(t) - fit_n
    expected = n_test * math.log(rate) - rate * (split["end"] - split["test_start"])
    assert scores["poisson"]["temporal"] == pytest.approx(expected / n_test, rel=1e-9)
    cat.to_csv(tmp_path / "cat.csv")
    args = ["catalog", "forecast-eval", str(tmp_path / "cat.csv"), "--out", str(tmp_path / "f")]
    res = CliRunner().invoke(app, [*args, "--m0", "2.0", "--models", "poisson,temporal"])
    assert res.exit_code == 0, f"{res.output}\n{res.exception!r}"
    assert "etas_temporal" in (tmp_path / "f" / "forecast.md").read_text()
    assert json.loads((tmp_path / "f" / "forecast.json").read_text())["n_events"]["test"] > 0


def _tiny_vae(seed: int) -> LoadedVAE:
    cfg = VAEConfig.model_validate(
        {
            "data": {"window": 3},
            "model": {"latent_dim": 1, "hidden": [4], "reconstruction": "gr_weibull_nll"},
        }
    )
    torch.manual_seed(seed)
    model = build_model(cfg, 2).eval()
    return LoadedVAE(
        model, cfg, {"dm": 0.1}, np.array([-1.0, 0.5]), np.array([0.8, 0.4]), None, None
    )


def _exact_log_likelihood(vae: LoadedVAE, window: np.ndarray) -> float:
    """ln ∫ p(τ, m | z) N(z; 0, 1) dz by quadrature, with scipy's Weibull and exponential."""
    mags = torch.as_tensor((window[:, 1] - vae.shift[1]) / vae.scale[1], dtype=torch.float32)

    def joint(z: float) -> float:
        with torch.no_grad():
            par = vae.model.decode(torch.tensor([[z]], dtype=torch.float32), mags[None])[0]
        par = par.double().numpy()
        tau = 10.0 ** window[:, 0]
        shape = np.exp(np.clip(par[:, 0, 1], -3, 3))
        scale = np.exp(par[:, 0, 0])
        log_tau = stats.weibull_min.logpdf(tau, shape, scale=scale).sum()
        rate = np.exp(par[:, 1, 0])
        log_mag = stats.expon.logpdf(window[:, 1] + 0.05, scale=1 / rate).sum()
        return math.exp(log_tau + log_mag + stats.norm.logpdf(z))

    value, _ = integrate.quad(joint, -9, 9, limit=200)
    return math.log(value)


@pytest.mark.parametrize("seed", [0, 1])
def test_iwae_bound_approaches_exact_likelihood(seed):
    vae = _tiny_vae(seed)
    window = np.array([[-1.2, 0.3], [-0.4, 0.0], [-2.0, 1.1]])
    exact = _exact_log_likelihood(vae, window)
    tight = iwae_log_likelihood(vae, window[None], n_samples=20_000, seed=3)[0]
    assert tight == pytest.approx(exact, abs=0.02)
    # K = 1 is the ELBO: on average below the exact value
    elbo = iwae_log_likelihood(vae, np.repeat(window[None], 4000, 0), n_samples=1, seed=3)
    assert elbo.mean() < exact
