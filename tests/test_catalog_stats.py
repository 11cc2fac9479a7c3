"""Statistical seismology: Mc, b-value, b-positive, Omori–Utsu MLE, inter-event times, Båth's ΔM.

References are analytic: synthetic Gutenberg–Richter magnitudes with known b and Mc, an
inhomogeneous Poisson process with a known Omori–Utsu rate, a homogeneous Poisson process
(CV = 1), and a hand-built catalog with known Båth ΔM.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seismoalice.catalog import (
    Catalog,
    b_positive,
    b_value_mle,
    bath_delta_m,
    completeness_maxc,
    frequency_magnitude,
    interevent_times,
    omori_fit,
)

LN10 = np.log(10)


def _gr(rng: np.random.Generator, n: int, b: float, mmin: float) -> np.ndarray:
    return mmin + rng.exponential(1 / (b * LN10), n)


def _binned(m: np.ndarray, dm: float) -> np.ndarray:
    return np.round(np.round(m / dm) * dm, 10)


@settings(max_examples=10, deadline=None, derandomize=True)
@given(b=st.floats(0.7, 1.5), seed=st.integers(0, 10_000))
def test_b_value_recovers_truth_within_error(b, seed):
    rng = np.random.default_rng(seed)
    dm, mc = 0.1, 2.0
    mags = _binned(_gr(rng, 20_000, b, mc - dm / 2), dm)
    b_hat, err = b_value_mle(mags, mc, dm)
    # Exact estimator for binned GR (Tinti & Mulargia 1987) as an independent reference
    beta_exact = np.log(1 + dm / (mags.mean() - mc)) / dm
    assert abs(b_hat - b) < 4 * err
    # Utsu's Δm/2 correction matches the exact estimator up to O((βΔm)²/12)
    assert abs(b_hat / (beta_exact / LN10) - 1) < 1.5 * (b * LN10 * dm) ** 2 / 12 + 2e-3
    assert err == np.float64(err) and 0 < err < 0.05


def test_b_value_continuous_aki():
    rng = np.random.default_rng(1)
    mags = _gr(rng, 50_000, 1.1, 3.0)
    b_hat, err = b_value_mle(mags, 3.0, 0.0)
    assert abs(b_hat - 1.1) < 3 * err
    # Shi & Bolt error ≈ Aki b/√N for exponential magnitudes
    assert abs(err - b_hat / np.sqrt(mags.size)) < 0.1 * err


def test_b_positive_recovers_b_and_resists_incompleteness():
    rng = np.random.default_rng(2)
    b, dm = 1.0, 0.1
    mags = _binned(_gr(rng, 30_000, b, 1.0 - dm / 2), dm)
    bp, err = b_positive(mags, dm, dmc=0.2)
    assert abs(bp - b) < 4 * err
    # time-varying completeness: the second half is complete only above M 2 (as after a large
    # mainshock): Aki–Utsu at Mc = 1.0 is biased, b-positive is not (van der Elst 2021)
    lost = (mags < 2.0) & (np.arange(mags.size) > mags.size // 2)
    b_aki, _ = b_value_mle(mags[~lost], 1.0, dm)
    bp2, err2 = b_positive(mags[~lost], dm, dmc=0.2)
    assert abs(b_aki - b) > 0.1
    assert abs(bp2 - b) < 4 * err2 + 0.03


@settings(max_examples=10, deadline=None, derandomize=True)
@given(mc=st.sampled_from([1.0, 1.5, 2.3, 3.0]), seed=st.integers(0, 10_000))
def test_maxc_on_catalog_with_known_completeness(mc, seed):
    rng = np.random.default_rng(seed)
    dm = 0.1
    full = _binned(_gr(rng, 20_000, 1.0, mc - 1.0 - dm / 2), dm)
    # detection probability 1 above Mc, decaying below it
    detect = np.clip(np.exp(-4.0 * (mc - full)), 0, 1)
    mags = full[rng.random(full.size) < detect]
    assert completeness_maxc(mags, 0.1, correction=0.0) == mc
    assert completeness_maxc(mags, 0.1) == round(mc + 0.2, 10)


def test_frequency_magnitude_counts():
    mags = np.array([1.0, 1.0, 1.1, 1.3, 1.3, 1.3])
    centres, inc, cum = frequency_magnitude(mags, 0.1)
    np.testing.assert_allclose(centres, [1.0, 1.1, 1.2, 1.3])
    np.testing.assert_array_equal(inc, [2, 1, 0, 3])
    np.testing.assert_array_equal(cum, [(mags >= c - 0.05).sum() for c in centres])


def _omori_times(rng, K, c, p, s, T):
    """Inhomogeneous Poisson process with rate K/(t + c)^p on [S, T] (etas.md §4, §8)."""
    a = ((T + c) ** (1 - p) - (s + c) ** (1 - p)) / (1 - p)
    n = rng.poisson(K * a)
    u = rng.random(n)
    lo, hi = (s + c) ** (1 - p), (T + c) ** (1 - p)
    return np.sort((lo + u * (hi - lo)) ** (1 / (1 - p)) - c)


def test_omori_fit_recovers_parameters():
    rng = np.random.default_rng(3)
    K, c, p = 200.0, 0.05, 1.15
    t = _omori_times(rng, K, c, p, 0.0, 1000.0)
    fit = omori_fit(t, 0.0, 1000.0)
    assert fit.n_events == t.size
    assert abs(fit.p - p) < max(2.5 * fit.errors["p"], 0.01) and abs(fit.p - p) < 0.05
    assert abs(fit.c - c) < 3 * fit.errors["c"]
    assert abs(fit.K - K) < 3 * fit.errors["K"]


def test_interevent_poisson_cv_one():
    rng = np.random.default_rng(4)
    t = np.cumsum(rng.exponential(0.5, 20_000))
    stats = interevent_times(t)
    assert abs(stats.cv - 1) < 4 / np.sqrt(t.size)
    assert abs(stats.rescaled.mean() - 1) < 0.01
    assert abs(stats.background_fraction - 1) < 0.05


def test_bath_delta_m_on_known_sequences():
    # two isolated sequences: M 5.0 (largest aftershock 3.8) and M 4.6 (largest aftershock 3.1)
    t_days = np.array([0.0, 0.1, 0.5, 2.0, 1000.0, 1000.01, 1001.0, 1003.0])
    mags = np.array([5.0, 3.8, 3.0, 2.5, 4.6, 3.1, 2.9, 2.0])
    x = np.array([0, 1, 2, 0, 300, 301, 300, 299.0])
    cat = Catalog.from_days(t_days, mags, x=x, y=np.zeros(8))
    res = bath_delta_m(cat, min_main_magnitude=4.0, window_days=100.0, radius_km=20.0)
    np.testing.assert_array_equal(res.mainshock_index, [0, 4])
    np.testing.assert_allclose(res.delta_m, [1.2, 1.5])
    assert res.mean == pytest.approx(1.35)
    # a larger foreshock within the window disqualifies the later event as a mainshock
    cat2 = Catalog.from_days(
        np.array([0.0, 1.0, 2.0]), np.array([5.5, 5.0, 3.0]), x=np.zeros(3), y=np.zeros(3)
    )
    res2 = bath_delta_m(cat2, 4.0, window_days=100.0, radius_km=20.0)
    np.testing.assert_array_equal(res2.mainshock_index, [0])
    np.testing.assert_allclose(res2.delta_m, [0.5])
    assert isinstance(cat.df["time"].iloc[0], pd.Timestamp)


def test_b_comparison_flags_short_term_incompleteness():
    """Small events missing for a while after each large one bias the Aki–Utsu b low;
    b-positive keeps the truth and the comparison says to trust it."""
    from seismoalice.catalog.stats import compare_b_estimates

    rng = np.random.default_rng(4)
    mags = 1.0 + rng.exponential(1 / np.log(10), 60_000)  # b = 1, continuous
    keep = np.ones(mags.size, bool)
    for big in np.flatnonzero(mags > 3.0):
        after = slice(big + 1, big + 1 + int(40 * (mags[big] - 2.5)))
        keep[after] &= mags[after] > 2.0  # events below M 2 lost after large shocks
    observed = mags[keep]
    b, b_err = b_value_mle(observed, 1.0, 0.0)
    b_plus, b_plus_err = b_positive(observed, 0.0, dmc=0.1)
    verdict = compare_b_estimates(b, b_err, b_plus, b_plus_err)
    assert verdict["disagree"] and verdict["trust"] == "b_positive"
    assert abs(b_plus - 1.0) < 2 * b_plus_err
    complete = compare_b_estimates(*b_value_mle(mags, 1.0, 0.0), *b_positive(mags, 0.0, 0.1))
    assert not complete["disagree"]


def test_bstability_mc_sees_time_varying_completeness():
    """Most events come from a busy period (after a mainshock) whose detection probability
    rises from 0 at M 1 to 1 at M 2: maximum curvature gives a biased b; b-stability moves Mc
    up to where b is right."""
    from seismoalice.catalog.stats import completeness, completeness_bstability

    rng = np.random.default_rng(9)
    quiet = _gr(rng, 5_000, 1.0, 0.95)
    busy = _gr(rng, 60_000, 1.0, 0.95)
    detected = rng.random(busy.size) < np.clip(busy - 1.0, 0.0, 1.0)
    mags = _binned(np.concatenate([quiet, busy[detected]]), 0.1)
    b_maxc, _ = b_value_mle(mags, completeness(mags, 0.1, "maxc")[0], 0.1)
    mc = completeness_bstability(mags, 0.1)
    b_stable, err = b_value_mle(mags, mc, 0.1)
    assert abs(b_maxc - 1.0) > 0.1
    assert 1.8 <= mc <= 2.4
    assert abs(b_stable - 1.0) < 3 * err
    complete = _binned(_gr(rng, 20_000, 1.0, 0.95), 0.1)
    assert completeness_bstability(complete, 0.1) <= 1.2
