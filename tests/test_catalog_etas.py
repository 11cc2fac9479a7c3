"""ETAS: simulation statistics against theory, likelihood against direct numerical integrals,
the restricted pair sum against the brute-force O(N²) sum, and parameter recovery by MLE."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from seismoalice.catalog import (
    ETASParams,
    SpaceTimeETASParams,
    b_value_mle,
    branching_ratio,
    fit_etas,
    simulate_etas,
)
from seismoalice.catalog.etas.likelihood import (
    neighbour_pairs,
    spacetime_data,
    spacetime_loglik,
    temporal_data,
    temporal_intensity,
    temporal_loglik,
)
from seismoalice.catalog.etas.params import omori_delays, sample_gr
from seismoalice.catalog.stats import hessian_stderr
from seismoalice.errors import ConfigError

LN10 = np.log(10)


def _h(dt, c, p, tau=None):
    """Normalised Omori–Utsu density (etas.md §1), written out independently; with a taper τ
    normalised by numerical quadrature (etas.md §3)."""
    if tau is None:
        return (p - 1) * c ** (p - 1) * (dt + c) ** (-p)
    return np.exp(-dt / tau) * (dt + c) ** (-p) / _taper_norm(c, p, tau)


@functools.cache
def _taper_norm(c, p, tau):
    """∫₀^∞ e^{−s/τ}(s + c)^{−p} ds by quadrature."""
    return sum(
        integrate.quad(lambda s: np.exp(-s / tau) * (s + c) ** (-p), a, b, limit=200)[0]
        for a, b in [(0, 1), (1, 100 * tau)]
    )


def _brute_lambda(t, m, theta, m0, at):
    """λ(at) by the direct sum over all earlier events; θ = (μ, K, α, c, p[, τ])."""
    mu, k, alpha, c, p = theta[:5]
    tau = theta[5] if len(theta) > 5 else None
    earlier = t < at
    return mu + k * np.sum(np.exp(alpha * (m[earlier] - m0)) * _h(at - t[earlier], c, p, tau))


@pytest.mark.parametrize("mmax", [None, 4.5])
def test_branching_ratio_matches_numerical_expectation(mmax):
    k, alpha, beta, m0 = 0.3, 1.4, LN10, 2.0
    upper = np.inf if mmax is None else mmax
    norm = 1.0 if mmax is None else 1 - np.exp(-beta * (mmax - m0))
    expected, _ = integrate.quad(
        lambda m: k * beta * np.exp((alpha - beta) * (m - m0)) / norm, m0, upper
    )
    assert branching_ratio(k, alpha, beta, m0, mmax) == pytest.approx(expected, rel=1e-8)


def test_gr_sampler_truncated_ks():
    rng = np.random.default_rng(0)
    beta, m0, mmax = 1.1 * LN10, 2.0, 4.0
    m = sample_gr(rng, 20_000, m0, beta, mmax)
    cdf = lambda x: (1 - np.exp(-beta * (x - m0))) / (1 - np.exp(-beta * (mmax - m0)))  # noqa: E731
    assert stats.kstest(m, cdf).pvalue > 1e-3
    assert m.max() <= mmax


def test_simulation_statistics_match_theory():
    params = ETASParams(mu=1.0, k=0.3, alpha=1.2, c=0.01, p=1.5, m0=2.0, b=1.0)
    n = params.branching_ratio
    t_end = 20_000.0
    cat = simulate_etas(params, 0.0, t_end, burn_in_days=5_000.0, seed=11)
    # total count ≈ μT/(1 − n) (etas.md §1); ETAS counts are over-dispersed, allow 6 %
    assert len(cat) == pytest.approx(params.mu * t_end / (1 - n), rel=0.06)
    # background count is Poisson(μT)
    n_bg = int((cat.df["generation"] == 0).sum())
    assert abs(n_bg - params.mu * t_end) < 4 * np.sqrt(params.mu * t_end)
    # Gutenberg–Richter b of the simulated magnitudes
    b_hat, b_err = b_value_mle(cat.magnitudes, params.m0, 0.0)
    assert abs(b_hat - params.b) < 3 * b_err
    # Omori decay of offspring delays: conditional CDF H(Δt)/H(W) for parents ≥ W before the end
    t = cat.times_days("2000-01-01")
    parent = cat.df["parent"].to_numpy()
    child = np.flatnonzero(parent >= 0)
    window = 100.0
    child = child[t[parent[child]] < t_end - window]
    delay = t[child] - t[parent[child]]
    delay = delay[delay <= window]
    cdf_h = lambda x: 1 - (1 + x / params.c) ** (1 - params.p)  # noqa: E731
    assert stats.kstest(delay, lambda x: cdf_h(x) / cdf_h(window)).pvalue > 1e-3
    # direct offspring count per parent has mean κ(m) = K e^{α(m − m0)}: Poisson regression check
    counts = np.bincount(parent[child], minlength=len(cat))
    expected = params.k * np.exp(params.alpha * (cat.magnitudes - params.m0)) * cdf_h(window)
    early = t < t_end - window
    assert counts[early].sum() == pytest.approx(expected[early].sum(), rel=0.05)


def test_spacetime_offsets_follow_kernel():
    params = SpaceTimeETASParams(
        mu=1.0,
        k=0.3,
        alpha=1.0,
        c=0.01,
        p=1.5,
        m0=2.0,
        d=0.8,
        q=1.7,
        gamma=0.8,
        region=(0.0, 200.0, 0.0, 200.0),
    )
    cat = simulate_etas(params, 0.0, 3000.0, burn_in_days=500.0, seed=5)
    x, y = cat.xy_km()
    assert x.min() >= 0 and x.max() <= 200 and y.min() >= 0 and y.max() <= 200
    parent = cat.df["parent"].to_numpy()
    child = np.flatnonzero(parent >= 0)
    inner = (np.abs(x[parent[child]] - 100) < 60) & (np.abs(y[parent[child]] - 100) < 60)
    child = child[inner]
    r2 = (x[child] - x[parent[child]]) ** 2 + (y[child] - y[parent[child]]) ** 2
    sigma = params.d * np.exp(params.gamma * (cat.magnitudes[parent[child]] - params.m0))
    pit = 1 - (1 + r2 / sigma) ** (1 - params.q)  # radial CDF F(r | σ) → U(0, 1)
    pit = pit[r2 < 40.0**2]
    assert (
        stats.kstest(
            pit / (1 - (1 + 40.0**2 / sigma[r2 < 40.0**2]) ** (1 - params.q)), "uniform"
        ).pvalue
        > 1e-3
    )


def test_supercritical_simulation_is_rejected():
    with pytest.raises(ConfigError, match="branching ratio"):
        simulate_etas(ETASParams(mu=1, k=0.9, alpha=2.0, c=0.01, p=1.2, m0=2.0), 0, 10, 0, seed=1)


@pytest.mark.parametrize(
    "theta", [(0.5, 0.4, 1.1, 0.02, 1.3), (0.5, 0.4, 1.1, 0.02, 0.8, 30.0)], ids=["omori", "taper"]
)
def test_temporal_loglik_matches_direct_integral(theta):
    params = ETASParams(*theta[:5], m0=2.0, b=1.0, tau=theta[5] if len(theta) > 5 else None)
    cat = simulate_etas(params, 0.0, 400.0, burn_in_days=100.0, seed=2)
    t, m = cat.times_days("2000-01-01"), cat.magnitudes
    t_s, t_e = 50.0, 400.0  # earlier events only trigger
    assert 100 < len(cat) < 2000
    lam = lambda s: _brute_lambda(t, m, theta, 2.0, s)  # noqa: E731
    inside = t[(t >= t_s) & (t <= t_e)]
    pieces = np.concatenate([[t_s], inside, [t_e]])
    integral = sum(
        integrate.quad(lam, a, b, limit=200, epsabs=1e-10, epsrel=1e-10)[0]
        for a, b in itertools.pairwise(pieces)
        if b > a
    )
    direct = np.sum(np.log([lam(s) for s in inside])) - integral
    theta_t = torch.tensor(theta, dtype=torch.float64)
    exact = float(temporal_loglik(theta_t, temporal_data(t, m - 2.0, t_s, t_e, n_bins=1)))
    assert exact == pytest.approx(direct, rel=1e-8, abs=1e-6)
    # default: far sources aggregated per time bin (multipole), still far below ΔlnL = 0.5
    approx = float(temporal_loglik(theta_t, temporal_data(t, m - 2.0, t_s, t_e)))
    assert approx == pytest.approx(direct, abs=1e-3)


def test_tapered_simulation_matches_kernel():
    """p < 1 with a taper: delays follow F(Δt) = ∫h (quadrature), counts follow μT/(1 − n)."""
    c, p, tau = 0.01, 0.8, 50.0
    rng = np.random.default_rng(1)
    delays = omori_delays(rng, 4000, c, p, tau)
    cdf = np.vectorize(lambda x: integrate.quad(lambda s: _h(s, c, p, tau), 0, x, limit=200)[0])
    assert stats.kstest(delays, cdf).pvalue > 1e-3
    params = ETASParams(mu=1.0, k=0.3, alpha=1.2, c=c, p=p, m0=2.0, tau=tau)
    cat = simulate_etas(params, 0.0, 20_000.0, burn_in_days=2_000.0, seed=2)
    assert len(cat) == pytest.approx(20_000.0 / (1 - params.branching_ratio), rel=0.06)


def test_untapered_kernel_needs_p_above_one():
    with pytest.raises(ConfigError, match="tau"):
        ETASParams(mu=1.0, k=0.3, alpha=1.2, c=0.01, p=0.9, m0=2.0)


def test_neighbour_pairs_with_per_source_radius_match_brute_force():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 50, 400), rng.uniform(0, 50, 400)
    radius = rng.uniform(1.0, 15.0, 400)
    i, j = neighbour_pairs(x, y, radius)
    dist = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    ii, jj = np.nonzero(
        (dist <= radius[:, None]) & (np.arange(400)[None, :] > np.arange(400)[:, None])
    )
    assert i.size == ii.size
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == set(
        zip(ii.tolist(), jj.tolist(), strict=True)
    )


def test_hessian_stderr_nan_instead_of_error():
    assert np.isnan(hessian_stderr(np.array([[np.nan, 0.0], [0.0, 1.0]]))).all()
    assert np.isnan(hessian_stderr(np.zeros((2, 2)))).all()
    assert hessian_stderr(np.diag([4.0, 0.25])) == pytest.approx([0.5, 2.0])


def test_restricted_pair_sum_matches_brute_force():
    theta = (2.0, 0.25, 1.5, 0.01, 1.2)
    cat = simulate_etas(ETASParams(*theta, m0=2.5), 0.0, 2000.0, 1000.0, seed=3)
    t, m = cat.times_days("2000-01-01"), cat.magnitudes
    data = temporal_data(t, m - 2.5, 0.0, 2000.0)
    assert data.n_pairs < 0.2 * len(t) ** 2 / 2
    lam = temporal_intensity(torch.tensor(theta, dtype=torch.float64), data).numpy()
    rng = np.random.default_rng(0)
    for j in rng.choice(len(t), 200, replace=False):
        assert lam[j] == pytest.approx(_brute_lambda(t, m, theta, 2.5, t[j]), rel=1e-3)


def test_spacetime_loglik_matches_direct_integral():
    theta = (0.3, 0.3, 1.0, 0.05, 1.4, 2.0, 1.6, 0.5)
    region = (0.0, 20.0, 0.0, 20.0)
    mu, k, alpha, c, p, d, q, gamma = theta
    params = SpaceTimeETASParams(*theta[:5], m0=2.0, d=d, q=q, gamma=gamma, region=region)
    cat = simulate_etas(params, 0.0, 150.0, burn_in_days=0.0, seed=4)
    t, m = cat.times_days("2000-01-01"), cat.magnitudes
    x, y = cat.xy_km()
    assert 20 < len(cat) < 300
    t_s, t_e, area = 10.0, 150.0, 400.0

    def f(dx, dy, sig):
        return (q - 1) / (np.pi * sig) * (1 + (dx**2 + dy**2) / sig) ** (-q)

    def lam(j):
        e = np.arange(len(t))[t < t[j]]
        sig = d * np.exp(gamma * (m[e] - 2.0))
        g = (p - 1) / c * (1 + (t[j] - t[e]) / c) ** (-p)
        kernel = g * f(x[j] - x[e], y[j] - y[e], sig)
        return mu / area + k * np.sum(np.exp(alpha * (m[e] - 2.0)) * kernel)

    targets = np.flatnonzero((t >= t_s) & (t <= t_e))
    compensator = mu * (t_e - t_s)
    for i in range(len(t)):
        sig = d * np.exp(gamma * (m[i] - 2.0))
        space, _ = integrate.dblquad(
            lambda yy, xx, i=i, sig=sig: f(xx - x[i], yy - y[i], sig),
            0,
            20,
            0,
            20,
            epsabs=1e-9,
        )
        lo = max(t_s, t[i])
        time_int, _ = integrate.quad(
            lambda s, i=i: (p - 1) / c * (1 + (s - t[i]) / c) ** (-p), lo, t_e, points=[lo + 1e-3]
        )
        compensator += k * np.exp(alpha * (m[i] - 2.0)) * time_int * space
    direct = np.sum(np.log([lam(j) for j in targets])) - compensator
    data = spacetime_data(
        t, x, y, m - 2.0, t_s, t_e, region, max_dist=1e6, max_dt=np.inf, n_angles=720
    )
    ours = float(spacetime_loglik(torch.tensor(theta, dtype=torch.float64), data))
    assert ours == pytest.approx(direct, rel=1e-5, abs=1e-3)


def _check_recovery(fit, truth: dict[str, float], names=("mu", "k", "alpha", "c", "p")):
    """Every parameter within 2σ and within 10 % (p within ±0.05); reports all failures."""
    failures = []
    for name in names:
        est, err, true = getattr(fit.params, name), fit.stderr[name], truth[name]
        tol = 0.05 if name == "p" else 0.10 * abs(true)
        if not (np.isfinite(err) and err > 0 and abs(est - true) < 2 * err):
            failures.append(f"{name}: {est:.4g} ± {err:.2g} vs {true} (outside 2σ)")
        if not abs(est - true) < tol:
            failures.append(f"{name}: {est:.4g} vs {true} (outside tolerance {tol:g})")
    assert not failures, "; ".join(failures)


def _temporal_recovery(t_end: float, seed: int, min_events: int):
    """Simulate from an empty history at t = 0 (the likelihood of [0, t_end] is exact), fit."""
    truth = {"mu": 2.0, "k": 0.25, "alpha": 1.5, "c": 0.01, "p": 1.2}
    params = ETASParams(**truth, m0=2.5, b=1.0)
    cat = simulate_etas(params, 0.0, t_end, burn_in_days=0.0, seed=seed)
    fit = fit_etas(cat, 2.5, t_start=0.0, t_end=t_end, t0="2000-01-01")
    assert fit.n_events >= min_events
    assert fit.converged
    return truth, params, cat, fit


def test_temporal_fit_small_catalog_within_errors():
    truth, _params, cat, fit = _temporal_recovery(800.0, seed=5, min_events=3000)
    for name, true in truth.items():
        assert abs(getattr(fit.params, name) - true) < 3 * fit.stderr[name], name
    # expected number of background events Σφ_j = μ̂·T (E-step identity, etas.md §5)
    assert fit.background_prob.sum() == pytest.approx(fit.params.mu * 800.0, rel=0.02)
    generation = cat.df["generation"].to_numpy()[fit.event_index]
    assert fit.background_prob[generation == 0].mean() > fit.background_prob[generation > 0].mean()


def test_temporal_fit_recovers_parameters():
    truth, params, _cat, fit = _temporal_recovery(4000.0, seed=3, min_events=20_000)
    _check_recovery(fit, truth)
    assert fit.branching_ratio == pytest.approx(params.branching_ratio, rel=0.1)
    assert fit.background_prob.shape == (fit.n_events,)


@pytest.mark.slow
def test_spacetime_fit_recovers_parameters():
    truth = {"mu": 2.0, "k": 0.25, "alpha": 1.5, "c": 0.01, "p": 1.2}
    params = SpaceTimeETASParams(
        **truth, m0=2.5, b=1.0, d=0.5, q=1.8, gamma=1.0, region=(0.0, 100.0, 0.0, 100.0)
    )
    cat = simulate_etas(params, 0.0, 4000.0, burn_in_days=0.0, seed=3)
    fit = fit_etas(cat, 2.5, 0.0, 4000.0, model="spacetime", t0="2000-01-01", region=params.region)
    assert fit.n_events >= 20_000
    _check_recovery(fit, truth)
    for name, true in (("d", 0.5), ("q", 1.8), ("gamma", 1.0)):
        assert abs(getattr(fit.params, name) - true) < 0.15 * true, name


def _assert_gradient_matches_differences(loglik, theta: tuple, data) -> None:
    """Autograd gradient of ln L (compiled pair sums) against central differences."""
    th = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(loglik(th, data), th)
    for i in range(len(theta)):
        step = 1e-6 * max(abs(theta[i]), 1e-3)
        up, down = list(theta), list(theta)
        up[i] += step
        down[i] -= step
        fd = (
            float(loglik(torch.tensor(up, dtype=torch.float64), data))
            - float(loglik(torch.tensor(down, dtype=torch.float64), data))
        ) / (2 * step)
        assert float(grad[i]) == pytest.approx(fd, rel=1e-5, abs=1e-4), i


@pytest.mark.parametrize(
    "theta",
    [(0.5, 0.4, 1.1, 0.02, 1.3), (0.5, 0.4, 1.1, 0.02, 0.8, 30.0)],
    ids=["omori", "taper"],
)
def test_temporal_gradient_matches_finite_differences(theta):
    """The compiled pair sum's analytic derivatives against central differences of ln L."""
    params = ETASParams(*theta[:5], m0=2.0, b=1.0, tau=theta[5] if len(theta) > 5 else None)
    cat = simulate_etas(params, 0.0, 300.0, burn_in_days=50.0, seed=6)
    data = temporal_data(cat.times_days("2000-01-01"), cat.magnitudes - 2.0, 20.0, 300.0)
    _assert_gradient_matches_differences(temporal_loglik, theta, data)


def test_spacetime_gradient_matches_finite_differences():
    theta = (0.3, 0.3, 1.0, 0.05, 1.4, 2.0, 1.6, 0.5, 40.0)
    params = SpaceTimeETASParams(
        *theta[:5], m0=2.0, d=2.0, q=1.6, gamma=0.5, region=(0.0, 20.0, 0.0, 20.0)
    )
    cat = simulate_etas(params, 0.0, 200.0, burn_in_days=0.0, seed=4)
    x, y = cat.xy_km()
    data = spacetime_data(
        cat.times_days("2000-01-01"), x, y, cat.magnitudes - 2.0, 10.0, 200.0,
        params.region, max_dist=8.0, max_dt=np.inf,
    )  # fmt: skip
    _assert_gradient_matches_differences(spacetime_loglik, theta, data)


def test_background_density_is_normalised_and_sampled():
    from seismoalice.catalog.etas.background import BackgroundDensity, adaptive_bandwidths

    rng = np.random.default_rng(0)
    region = (0.0, 30.0, 0.0, 20.0)
    x = np.concatenate([rng.normal(5, 1, 200), rng.uniform(0, 30, 100)])
    y = np.concatenate([rng.normal(15, 1, 200), rng.uniform(0, 20, 100)])
    inside = (x > 0) & (x < 30) & (y > 0) & (y < 20)
    x, y = x[inside], y[inside]
    h = adaptive_bandwidths(x, y, n_neighbours=5, h_min=0.3)
    bg = BackgroundDensity(x, y, rng.uniform(0.2, 1.0, x.size), h, region)
    total, _ = integrate.dblquad(lambda yy, xx: bg.density(np.array([xx]), np.array([yy]))[0],
                                 0, 30, 0, 20, epsabs=1e-4)  # fmt: skip
    assert total == pytest.approx(1.0, abs=2e-3)
    sx, sy = bg.sample(rng, 20_000)
    assert np.all((sx >= 0) & (sx <= 30) & (sy >= 0) & (sy <= 20))
    # the share of draws in the cluster's box matches the density's integral there
    share, _ = integrate.dblquad(lambda yy, xx: bg.density(np.array([xx]), np.array([yy]))[0],
                                 3, 7, 13, 17, epsabs=1e-5)  # fmt: skip
    drawn = np.mean((sx > 3) & (sx < 7) & (sy > 13) & (sy < 17))
    assert drawn == pytest.approx(share, abs=4 * np.sqrt(share * (1 - share) / 20_000))
