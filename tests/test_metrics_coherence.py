"""Inter-component coherence (seismoalice.metrics.coherence) against scipy.signal.coherence and
the analytic coherence of a signal plus independent noise."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from seismoalice.errors import DataError
from seismoalice.metrics.coherence import component_coherence, component_pairs

DT = 0.01


def correlated(rng: np.random.Generator, n: int, length: int, noise: float) -> np.ndarray:
    """(n, 3, length): Z = s, N = s + noise·n1, E = n2 (independent of both)."""
    common = rng.standard_normal((n, length))
    north = common + noise * rng.standard_normal((n, length))
    return np.stack([common, north, rng.standard_normal((n, length))], axis=1)


def test_raw_estimate_equals_scipy_for_every_pair() -> None:
    acc = correlated(np.random.default_rng(0), 2, 3000, 1.0)
    freqs, coh = component_coherence(acc, DT, segment_s=2.56)
    assert coh.shape == (2, 3, freqs.size)
    for i in range(2):
        for p, (c, d) in enumerate(component_pairs(3)):
            ref_f, ref = signal.coherence(acc[i, c], acc[i, d], fs=1 / DT, nperseg=256)
            np.testing.assert_allclose(freqs, ref_f)
            np.testing.assert_allclose(coh[i, p], ref, rtol=1e-10, atol=1e-12)
    _, single = component_coherence(acc[1], DT, segment_s=2.56)
    np.testing.assert_allclose(single, coh[1])


def test_zero_padding_does_not_enter() -> None:
    acc = correlated(np.random.default_rng(1), 3, 2500, 0.5)
    lengths = np.array([2500, 1800, 700])
    padded = np.zeros((3, 3, 4000))
    for i, n in enumerate(lengths):
        padded[i, :, :n] = acc[i, :, :n]
    centres = np.geomspace(0.5, 30, 12)
    _, coh = component_coherence(padded, DT, centres, segment_s=2.56, lengths=lengths)
    for i, n in enumerate(lengths):
        _, alone = component_coherence(acc[i, :, :n], DT, centres, segment_s=2.56)
        np.testing.assert_allclose(coh[i], alone, rtol=1e-10)
    _, leaky = component_coherence(padded, DT, centres, segment_s=2.56)
    assert not np.allclose(leaky[2], coh[2])


@pytest.mark.parametrize("noise", [0.5, 1.0, 2.0])
def test_smoothed_coherence_of_signal_plus_noise_is_analytic(noise: float) -> None:
    # Z = s, N = s + σ·n with white s, n: γ²(f) = 1 / (1 + σ²) at every frequency; E is
    # independent of both (γ² → 0, up to the estimator's bias of about 1/averages).
    acc = correlated(np.random.default_rng(2), 1, 60_000, noise)
    centres = np.geomspace(1.0, 40.0, 15)
    _, coh = component_coherence(acc, DT, centres, segment_s=2.56)
    np.testing.assert_allclose(coh[0, 0], 1 / (1 + noise**2), atol=0.04)
    assert coh[0, 1].max() < 0.03 and coh[0, 2].max() < 0.03


def test_missing_components_and_short_records_give_nan_not_errors() -> None:
    acc = correlated(np.random.default_rng(3), 3, 2000, 1.0)
    acc[0, 0] = 0.0  # record 0 has no vertical
    mask = np.ones((3, 3), dtype=bool)
    mask[1, 2] = False  # record 1: east masked out
    centres = np.geomspace(0.5, 30, 8)
    _, coh = component_coherence(
        acc, DT, centres, segment_s=2.56, mask=mask, lengths=[2000, 2000, 200]
    )
    assert np.isnan(coh[0, :2]).all() and np.isfinite(coh[0, 2]).all()  # ZN, ZE gone; NE kept
    assert np.isnan(coh[1, 1:]).all() and np.isfinite(coh[1, 0]).all()  # ZE, NE gone
    assert np.isnan(coh[2]).all()  # shorter than one segment


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"acc": np.ones((2, 1, 500))}, "C ≥ 2"),
        ({"segment_s": 20.0}, "segment_s"),
        ({"lengths": [600]}, "lengths"),
        ({"mask": np.ones((3, 3), dtype=bool)}, "mask"),
    ],
)
def test_bad_input_raises_data_error(kwargs: dict, message: str) -> None:
    args = {"acc": np.random.default_rng(4).standard_normal((2, 3, 500)), "dt": DT} | kwargs
    with pytest.raises(DataError, match=message):
        component_coherence(**args)
