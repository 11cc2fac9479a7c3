"""Windows, normalisation, chronological split and validity fixes of the catalog VAE."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seismoalice.catalog.vae.generate import make_valid
from seismoalice.catalog.vae.windows import (
    DMAG,
    LOG_DT,
    Normaliser,
    events_from_windows,
    extract_windows,
    magnitude_bin_width,
    time_split,
)
from seismoalice.errors import DataError


def _events(rng: np.random.Generator, n: int, mc: float):
    t = np.cumsum(rng.exponential(0.5, n) + 1e-4)
    m = mc + rng.exponential(0.43, n)
    xy = rng.normal(0.0, 10.0, (n, 2))
    return t, m, xy


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**31 - 1),
    window=st.integers(2, 20),
    n_windows=st.integers(1, 6),
    extra=st.integers(0, 5),
    with_xy=st.booleans(),
)
def test_windows_invert_exactly(seed, window, n_windows, extra, with_xy):
    """Non-overlapping windows stitched back give the original events 1..W·L."""
    rng = np.random.default_rng(seed)
    n = 1 + window * n_windows + extra
    t, m, xy = _events(rng, n, 1.5)
    w = extract_windows(t, m, xy if with_xy else None, 1.5, window, window, 1e-9)
    n_expected = (n - 1) // window
    assert w.features.shape == (n_expected, window, 4 if with_xy else 2)
    t2, m2, xy2 = events_from_windows(w.features, 1.5, t[0], w.centroid)
    k = n_expected * window
    np.testing.assert_allclose(t2, t[1 : 1 + k], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(m2, m[1 : 1 + k], atol=1e-12)
    if with_xy:
        np.testing.assert_allclose(xy2, xy[1 : 1 + k], atol=1e-9)
        np.testing.assert_allclose(w.features[..., 2:4].mean(axis=1), 0.0, atol=1e-9)
    else:
        assert xy2 is None


def test_window_features_are_log_dt_and_magnitude_above_mc():
    t = np.array([0.0, 1.0, 1.1, 3.1, 3.2])
    m = np.array([2.0, 2.5, 2.1, 3.0, 2.2])
    w = extract_windows(t, m, None, 2.0, 2, 2, 1e-9)
    np.testing.assert_allclose(w.features[..., LOG_DT], np.log10([[1.0, 0.1], [2.0, 0.1]]))
    np.testing.assert_allclose(w.features[..., DMAG], [[0.5, 0.1], [1.0, 0.2]])
    np.testing.assert_allclose(w.t_prev, [0.0, 1.1])


def test_windowing_rejects_unsorted_and_subcomplete():
    with pytest.raises(DataError, match="sorted"):
        extract_windows(np.array([0.0, 2.0, 1.0]), np.ones(3) * 2, None, 2.0, 2, 1, 1e-9)
    with pytest.raises(DataError, match="below Mc"):
        extract_windows(np.arange(4.0), np.array([2, 1, 2, 2.0]), None, 2.0, 2, 1, 1e-9)
    with pytest.raises(DataError, match="too few"):
        extract_windows(np.arange(3.0), np.ones(3) * 2, None, 2.0, 5, 1, 1e-9)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31 - 1))
def test_normaliser_roundtrip_and_training_statistics(seed):
    rng = np.random.default_rng(seed)
    train = rng.normal([1.0, -3.0, 0.0], [2.0, 0.5, 4.0], (20, 8, 3))
    other = rng.normal(5.0, 3.0, (7, 8, 3))
    norm = Normaliser.fit(train)
    flat = train.reshape(-1, 3)
    np.testing.assert_allclose(norm.shift, flat.mean(axis=0))
    np.testing.assert_allclose(norm.scale, flat.std(axis=0))
    np.testing.assert_allclose(norm.inverse(norm.transform(other)), other, atol=1e-12)
    z = norm.transform(train).reshape(-1, 3)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), 1.0, atol=1e-12)


def test_time_split_is_chronological_and_disjoint():
    rng = np.random.default_rng(3)
    t = np.sort(rng.uniform(0, 100, 5000))
    labels = time_split(t, 0.7, 0.15)
    assert np.all(np.diff(labels) >= 0)
    assert t[labels == 0].max() <= 70.0 + 1e-9 < t[labels == 1].min()
    assert t[labels == 1].max() <= 85.0 + 1e-9 < t[labels == 2].min()


def test_magnitude_bin_width():
    rng = np.random.default_rng(0)
    assert magnitude_bin_width(np.round(rng.uniform(1, 4, 500), 1)) == pytest.approx(0.1)
    assert magnitude_bin_width(np.round(rng.uniform(1, 4, 5000), 2)) == pytest.approx(0.01)
    assert magnitude_bin_width(rng.uniform(1, 4, 500)) == 0.0


def test_make_valid_puts_magnitudes_on_grid_and_clips_tau():
    feats = np.zeros((1, 6, 2))
    feats[0, :, LOG_DT] = [-9.0, -3.0, 0.5, -7.5, 400.0, np.nan]
    feats[0, :, DMAG] = [-0.3, -0.04, 0.26, 1.04, 0.0, 0.0]
    valid, counts = make_valid(feats, 0.1, 1e-7, log10_tau_max=2.0)
    np.testing.assert_allclose(valid[0, :, LOG_DT], [-7.0, -3.0, 0.5, -7.0, 2.0, 2.0])
    np.testing.assert_allclose(valid[0, :, DMAG], [0.0, 0.0, 0.3, 1.0, 0.0, 0.0])
    assert counts == {"tau_floored": 2, "tau_capped": 2, "mag_raised_to_mc": 1}
