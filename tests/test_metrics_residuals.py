"""SCEC BBP residual statistics against numpy/scipy on hand data and analytic cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from seismoalice.errors import DataError
from seismoalice.metrics.residuals import (
    fas_residuals,
    ln_residuals,
    psa_residuals,
    residual_stats,
    usable_mask,
)


def test_stats_on_hand_data():
    r = np.array([[0.1, -0.2], [0.3, np.nan], [-0.1, 0.4], [0.5, 0.0]])
    res = residual_stats(r)
    col0 = r[:, 0]
    col1 = np.array([-0.2, 0.4, 0.0])
    for j, col in enumerate((col0, col1)):
        n = col.size
        assert res["n"][j] == n
        assert res["bias"][j] == pytest.approx(np.mean(col))
        assert res["sigma"][j] == pytest.approx(np.std(col, ddof=1))
        assert res["sigma0"][j] == pytest.approx(np.sqrt(np.mean(col**2)))
        low, high = stats.t.interval(0.90, n - 1, loc=np.mean(col), scale=stats.sem(col))
        assert res["ci_low"][j] == pytest.approx(low)
        assert res["ci_high"][j] == pytest.approx(high)


def test_stats_by_hand_numbers():
    """Bias 0.2, σ = √(0.08/2) = 0.2, t_{0.95,2} = 2.919986 → band half-width 0.337170."""
    res = residual_stats(np.array([0.0, 0.2, 0.4]))
    assert res["bias"] == pytest.approx(0.2)
    assert res["sigma"] == pytest.approx(0.2)
    assert res["sigma0"] == pytest.approx(np.sqrt(0.2 / 3))
    assert res["ci_high"] - res["bias"] == pytest.approx(2.919986 * 0.2 / np.sqrt(3), rel=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    factor=st.floats(0.1, 10.0),
    n=st.integers(2, 30),
    seed=st.integers(0, 2**31 - 1),
)
def test_constant_factor_simulation(factor, n, seed):
    """sim = obs/factor for every record → bias = ln(factor), σ = 0, σ0 = |ln factor|."""
    obs = np.exp(np.random.default_rng(seed).normal(size=(n, 7)))
    res = residual_stats(ln_residuals(obs, obs / factor))
    assert np.allclose(res["bias"], np.log(factor))
    assert np.allclose(res["sigma"], 0.0, atol=1e-12)
    assert np.allclose(res["sigma0"], abs(np.log(factor)))
    assert np.allclose(res["ci_low"], res["ci_high"])


def test_sign_convention():
    assert ln_residuals(2.0, 1.0) == pytest.approx(np.log(2.0))  # under-prediction → positive


def test_nan_columns_and_single_record():
    res = residual_stats(np.array([[np.nan, 0.3], [np.nan, np.nan]]))
    assert res["n"].tolist() == [0, 1]
    assert np.isnan(res["bias"][0]) and res["bias"][1] == pytest.approx(0.3)
    assert np.isnan(res["sigma"][1]) and np.isnan(res["ci_low"][1])


def test_large_sample_band_uses_t():
    rng = np.random.default_rng(0)
    r = rng.normal(0.2, 0.6, size=(400, 1))
    res = residual_stats(r)
    half = res["ci_high"] - res["bias"]
    assert half[0] == pytest.approx(stats.t.ppf(0.95, 399) * np.std(r, ddof=1) / np.sqrt(400))
    assert stats.t.ppf(0.95, 399) == pytest.approx(1.649, abs=1e-3)


def test_usable_mask_periods_and_frequencies():
    periods = np.array([0.0, 0.02, 0.05, 1.0, 10.0, 20.0])
    mask = usable_mask(periods, (0.1, 30.0), "period")
    assert mask.tolist() == [False, False, True, True, True, False]
    per_record = usable_mask(periods, [(0.1, 30.0), (0.5, 50.0)], "period")
    assert per_record.shape == (2, 6)
    assert per_record[1].tolist() == [False, True, True, True, False, False]
    freqs = np.array([0.05, 0.1, 1.0, 30.0, 31.0])
    assert usable_mask(freqs, (0.1, 30.0), "frequency").tolist() == [False, True, True, True, False]


def test_psa_residuals_of_scaled_record():
    rng = np.random.default_rng(2)
    t = np.arange(2000) * 0.01
    obs = rng.standard_normal((3, 2, 2000)) * np.exp(-(((t - 8) / 3) ** 2))
    periods = np.array([0.05, 0.2, 1.0, 4.0])
    resid = psa_residuals(obs, 0.5 * obs, 0.01, periods, usable_band=[(0.1, 30)] * 2 + [(0.5, 30)])
    assert resid.shape == (3, 2, 4)
    assert np.allclose(resid[:2], np.log(2.0))
    assert np.allclose(resid[2, :, :3], np.log(2.0)) and np.isnan(resid[2, :, 3]).all()


def test_fas_residuals_of_scaled_record():
    rng = np.random.default_rng(3)
    t = np.arange(2048) * 0.01
    obs = rng.standard_normal((2, 3, 2048)) * np.exp(-(((t - 8) / 3) ** 2))
    centres = np.array([0.05, 0.5, 5.0, 40.0])
    freqs, resid = fas_residuals(obs, obs / 3.0, 0.01, centres, usable_band=(0.1, 30.0))
    assert np.allclose(freqs, centres) and resid.shape == (2, 3, 4)
    assert np.allclose(resid[..., 1:3], np.log(3.0))
    assert np.isnan(resid[..., [0, 3]]).all()


def test_bad_input():
    with pytest.raises(DataError, match="positive"):
        ln_residuals(np.array([1.0, 0.0]), np.array([1.0, 1.0]))
    with pytest.raises(DataError, match="same shape"):
        ln_residuals(np.ones(3), np.ones(4))
    with pytest.raises(DataError, match="usable_band"):
        usable_mask([1.0], (30.0, 0.1), "period")
    with pytest.raises(DataError, match="confidence"):
        residual_stats(np.zeros((3, 2)), confidence=1.5)
