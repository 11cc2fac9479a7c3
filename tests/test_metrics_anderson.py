"""Anderson (2004) GOF: hand-computed scores, analytic identities, real-record sanity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seismoalice.errors import DataError
from seismoalice.metrics.anderson import (
    BBP_BANDS,
    anderson_gof,
    anderson_score,
    quality_label,
)

DT = 0.01
AT2_DIR = Path(__file__).parent / "data" / "at2"


def noise_records(shape: tuple[int, ...], n: int = 3000, seed: int = 0) -> np.ndarray:
    """Enveloped white noise (shape..., n) sampled at DT, a stand-in for accelerograms."""
    t = np.arange(n) * DT
    envelope = (t / 5.0) ** 2 * np.exp(-t / 2.5)
    return np.random.default_rng(seed).standard_normal((*shape, n)) * envelope


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(1.0, 10.0), (1.1, 9.90), (1.25, 9.39), (1.5, 7.79), (2, 3.68), (3, 0.18)],
)
def test_score_hand_values(ratio, expected):
    """S = 10·exp(−(r − 1)²) for r = max/min (metrics.md §6 table)."""
    assert anderson_score(2.0 * ratio, 2.0) == pytest.approx(expected, abs=0.005)
    assert anderson_score(2.0, 2.0 * ratio) == pytest.approx(expected, abs=0.005)


def test_score_zero_cases():
    assert anderson_score(0.0, 0.0) == 10.0
    assert anderson_score(0.0, 1.0) == 0.0


def test_quality_labels():
    labels = quality_label([9.0, 8.0, 7.9, 6.0, 5.0, 3.9, np.nan])
    assert labels.tolist() == ["excellent", "excellent", "good", "good", "fair", "poor", ""]


def test_record_against_itself_scores_ten():
    acc = noise_records((2, 2))
    res = anderson_gof(acc, acc, DT)
    valid = res["valid_bands"]
    assert valid.shape == (2, 10)
    # dt = 0.01 s, usable 0.1–30 Hz: B1–B7 used, B8 (20–50 Hz), B9 and B10 (to 100 Hz) not.
    assert valid.all(axis=0).tolist() == [True] * 7 + [False] * 3
    assert np.allclose(res["band_scores"][..., :7], 10.0)
    assert np.isnan(res["band_scores"][..., 7:]).all()
    assert np.allclose(res["criteria"], 10.0) and np.allclose(res["score"], 10.0)
    assert res["label"].tolist() == ["excellent", "excellent"]


@settings(max_examples=6, deadline=None)
@given(k=st.floats(1.0, 2.5), seed=st.integers(0, 2**16))
def test_scaled_copy_identities(k, seed):
    """a vs k·a: C1 = C2 = C10 = 10, C3 = C4 = 10·exp(−(k²−1)²), C5–C9 = 10·exp(−(k−1)²)."""
    acc = noise_records((1, 1), seed=seed)
    for first, second in ((k * acc, acc), (acc, k * acc)):
        crit = anderson_gof(first, second, DT)["criteria"][0, 0]
        expected = np.array(
            [10, 10]
            + [10 * np.exp(-((k**2 - 1) ** 2))] * 2
            + [10 * np.exp(-((k - 1) ** 2))] * 5
            + [10]
        )
        assert np.allclose(crit, expected, rtol=1e-6, atol=1e-9)


def test_correlation_of_phase_shifted_sinusoids():
    """C10 = 10·cos φ for two 3 Hz sinusoids φ apart (band B5, 2–5 Hz); others stay high."""
    t = np.arange(6000) * DT
    phi = np.pi / 3
    taper = np.sin(np.pi * t / t[-1]) ** 2
    a1 = np.sin(2 * np.pi * 3.0 * t) * taper
    a2 = np.sin(2 * np.pi * 3.0 * t + phi) * taper
    res = anderson_gof(a1, a2, DT, bands=[(2.0, 5.0)])
    assert res["band_scores"].shape == (10, 1)
    assert res["criteria"][9] == pytest.approx(10 * np.cos(phi), abs=0.02)
    assert res["criteria"][4] == pytest.approx(10.0, abs=0.05)  # same peak acceleration


def test_different_and_shifted_records_score_lower():
    acc = noise_records((1, 1), seed=1)
    other = noise_records((1, 1), seed=2)
    shifted = np.roll(acc, 150, axis=-1)
    res = anderson_gof(np.concatenate([acc, other, shifted]), np.concatenate([acc] * 3), DT)
    score = res["score"]
    assert score[0] == pytest.approx(10.0)
    assert score[1] < 9.0 and score[2] < 9.5
    assert res["criteria"][2, 0, 9] < 5.0  # 1.5 s shift destroys the zero-lag correlation


def test_alignment_recovers_delayed_copy():
    acc = noise_records((1, 1), n=3000, seed=4)
    acc[..., 2500:] = 0.0  # the delayed copy loses nothing at the end
    delayed = np.zeros_like(acc)
    delayed[..., 200:] = acc[..., :-200]
    plain = anderson_gof(delayed, acc, DT)
    aligned = anderson_gof(delayed, acc, DT, align=True)
    assert plain["criteria"][0, 0, 9] < 5.0
    assert np.allclose(aligned["criteria"], 10.0)


def test_horizontal_components_and_shapes():
    acc = noise_records((2, 3), seed=5)
    sim = acc.copy()
    sim[:, 2] *= 3.0  # vertical badly fit, horizontals perfect
    res = anderson_gof(sim, acc, DT, horizontal=(0, 1))
    assert res["band_scores"].shape == (2, 3, 10, 10)
    assert res["criteria"].shape == (2, 3, 10) and res["score"].shape == (2,)
    assert np.allclose(res["score"], 10.0)
    assert (res["component_score"][:, 2] < 8.0).all()
    one = anderson_gof(sim[0], acc[0], DT)
    assert one["criteria"].shape == (3, 10)
    assert one["score"] == pytest.approx(res["component_score"][0].mean())


def read_at2(path: Path) -> np.ndarray:
    lines = path.read_text().splitlines()
    return np.array(" ".join(lines[4:]).split(), dtype=float)


def test_real_components_fit_each_other_in_a_plausible_range():
    """Anderson (2004): one horizontal component of a record fits the other roughly 'good'."""
    h1 = read_at2(AT2_DIR / "RSN763_LOMAP_GIL067.AT2")
    h2 = read_at2(AT2_DIR / "RSN763_LOMAP_GIL337.AT2")
    res = anderson_gof(h1, h2, 0.005, usable_band=(0.1, 30.0))
    assert res["valid_bands"].tolist() == [True] * 7 + [False] * 3
    assert 4.0 < res["score"] < 9.5


def test_bad_input():
    acc = noise_records((1, 1))
    with pytest.raises(DataError, match="no frequency band"):
        anderson_gof(acc, acc, DT, usable_band=(0.15, 0.3))
    with pytest.raises(DataError, match="same shape"):
        anderson_gof(acc, acc[..., :-1], DT)
    with pytest.raises(DataError, match="horizontal"):
        anderson_gof(acc, acc, DT, horizontal=(0, 1))
    with pytest.raises(DataError, match="bands"):
        anderson_gof(acc, acc, DT, bands=[(2.0, 1.0)])
    assert len(BBP_BANDS) == 10
