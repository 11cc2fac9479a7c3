"""Classifier two-sample test (seismoalice.metrics.two_sample, Lopez-Paz & Oquab 2017).

References: two samples of one distribution (stochastic-method records, Boore 2003, from the
package's simulator with different seeds) give a held-out accuracy of ½ within its binomial
interval; stochastic-method records against white noise are told apart; the interval is the
Clopper–Pearson interval computed here from beta quantiles.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from seismoalice.data.synthetic import SynthConfig, draw_parameters, simulate_records
from seismoalice.errors import DataError
from seismoalice.metrics.texture_features import feature_names, texture_features
from seismoalice.metrics.two_sample import binomial_interval, two_sample_accuracy

FS = 100.0
CONFIG = SynthConfig(nt=2048, mw_range=(4.0, 6.0), distance_km_range=(10.0, 50.0))


def stochastic(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return simulate_records(draw_parameters(CONFIG, n, rng), CONFIG, rng).astype(np.float64)


@pytest.fixture(scope="module")
def samples() -> dict[str, np.ndarray]:
    return {
        "a_train": stochastic(80, 1),
        "b_train": stochastic(80, 2),
        "a_test": stochastic(60, 3),
        "b_test": stochastic(60, 4),
    }


def test_same_distribution_is_indistinguishable(samples) -> None:
    result = two_sample_accuracy(
        samples["a_train"], samples["b_train"], samples["a_test"], samples["b_test"], FS, seed=0
    )
    assert result.ci95_low <= 0.5 <= result.ci95_high
    assert abs(result.accuracy - 0.5) < 0.12
    assert result.p_value > 0.05
    assert (result.n_real_test, result.n_gen_test) == (60, 60)


def test_white_noise_is_told_apart_and_the_result_is_deterministic(samples) -> None:
    rng = np.random.default_rng(5)
    noise_train = rng.standard_normal(samples["b_train"].shape)
    noise_test = rng.standard_normal(samples["b_test"].shape)
    args = (samples["a_train"], noise_train, samples["a_test"], noise_test, FS)
    result = two_sample_accuracy(*args, seed=3)
    assert result.accuracy >= 0.95 and result.ci95_low > 0.5 and result.p_value < 1e-6
    assert two_sample_accuracy(*args, seed=3) == result
    assert result.to_dict()["accuracy"] == result.accuracy


def test_features_are_amplitude_invariant_and_handle_missing_components(samples) -> None:
    records = samples["a_test"][:4]
    features = texture_features(records, 1 / FS)
    assert features.shape == (4, len(feature_names(6)))
    np.testing.assert_allclose(texture_features(37.0 * records, 1 / FS), features, rtol=1e-8)
    missing = records.copy()
    missing[0, 0] = 0.0
    with_gap = texture_features(missing, 1 / FS)
    names = feature_names(6)
    assert np.isnan(with_gap[0, names.index("v_over_h_0")])
    assert np.isfinite(with_gap[0, names.index("share_0")])
    np.testing.assert_allclose(with_gap[1:], features[1:], rtol=1e-12)


@pytest.mark.parametrize(("n_real", "n_gen"), [(50, 50), (30, 90)])
def test_binomial_interval_is_clopper_pearson_on_the_effective_count(n_real, n_gen) -> None:
    n = round(4 / (1 / n_real + 1 / n_gen))
    k = round(0.7 * n)
    low, high, p_value = binomial_interval(k / n, n_real, n_gen)
    assert low == pytest.approx(stats.beta.ppf(0.025, k, n - k + 1), rel=1e-9)
    assert high == pytest.approx(stats.beta.ppf(0.975, k + 1, n - k), rel=1e-9)
    assert p_value == pytest.approx(stats.binom.sf(k - 1, n, 0.5), rel=1e-9)


def test_too_few_or_malformed_records_are_rejected(samples) -> None:
    good = samples["a_test"]
    with pytest.raises(DataError, match="≥ 5"):
        two_sample_accuracy(good[:3], good, good, good, FS)
    with pytest.raises(DataError, match="three-component"):
        two_sample_accuracy(good[:, :2], good, good, good, FS)
    empty = good.copy()
    empty[2] = 0.0
    with pytest.raises(DataError, match="all zeros"):
        two_sample_accuracy(good, good, empty, good, FS)
