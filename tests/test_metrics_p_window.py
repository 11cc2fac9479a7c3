"""High-frequency energy share of the P window (seismoalice.metrics.p_window), checked on records
whose energy per window is known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from seismoalice.errors import DataError
from seismoalice.metrics.p_window import p_window_energy_fraction

DT = 0.01
LENGTH = 4000


def bursts(amplitudes: list[tuple[int, int, float]], f_hz: float = 10.0) -> np.ndarray:
    """Sum of Hann-windowed sinusoids at ``f_hz``: (start, stop, amplitude) in samples."""
    t = np.arange(LENGTH) * DT
    out = np.zeros(LENGTH)
    for start, stop, amp in amplitudes:
        out[start:stop] += amp * np.hanning(stop - start) * np.sin(2 * np.pi * f_hz * t[start:stop])
    return out


def energy(x: np.ndarray) -> float:
    return float(np.sum(x * x))


def test_fraction_equals_the_burst_energy_share() -> None:
    p_burst, s_burst = bursts([(600, 1000, 1.0)]), bursts([(1400, 2600, 3.0)])
    record = np.stack([p_burst + s_burst] * 3)[None]
    expected = energy(p_burst) / (energy(p_burst) + energy(s_burst))
    got = p_window_energy_fraction(record, DT, [550], [1200], highpass_hz=2.0)
    np.testing.assert_allclose(got, expected, rtol=2e-3)


def test_low_frequencies_do_not_count() -> None:
    hf = bursts([(600, 1000, 1.0), (1400, 2600, 2.0)])
    lf = bursts([(500, 1300, 50.0)], f_hz=0.15)  # huge, but below the corner
    fractions = [
        p_window_energy_fraction(np.stack([x] * 3)[None], DT, [550], [1200], highpass_hz=2.0)
        for x in (hf, hf + lf)
    ]
    np.testing.assert_allclose(fractions[1], fractions[0], rtol=2e-3)


def test_fixed_window_without_s_pick_missing_picks_and_components() -> None:
    record = bursts([(600, 1000, 1.0), (1400, 2600, 3.0)])
    acc = np.stack([np.stack([record] * 3)] * 4)
    acc[3, 0] = 0.0  # no vertical
    got = p_window_energy_fraction(
        acc, DT, [550, 550, np.nan, 550], [np.nan, 1200, 1200, 1200], window_s=6.5
    )
    np.testing.assert_allclose(got[0], got[1], rtol=2e-3)  # 550 + 650 samples = the S pick
    assert np.isnan(got[2]).all()  # no P pick
    assert np.isnan(got[3, 0]) and np.isfinite(got[3, 1:]).all()


def test_fractional_picks_interpolate_and_padding_does_not_enter() -> None:
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((1, 3, 1500))
    values = [p_window_energy_fraction(noise, DT, [p], [900]) for p in (300.0, 300.5, 301.0)]
    assert values[0][0, 0] > values[1][0, 0] > values[2][0, 0]
    np.testing.assert_allclose(values[1], 0.5 * (values[0] + values[2]), rtol=1e-6)
    padded = np.concatenate([noise, np.zeros((1, 3, 700))], axis=-1)
    np.testing.assert_allclose(
        p_window_energy_fraction(padded, DT, [300.0], [900], lengths=[1500]), values[0], rtol=1e-12
    )


def test_bad_input() -> None:
    with pytest.raises(DataError, match="picks"):
        p_window_energy_fraction(np.ones((2, 3, 100)), DT, [1, 2, 3])
    with pytest.raises(DataError, match="window_s"):
        p_window_energy_fraction(np.ones((2, 3, 100)), DT, [1, 2], window_s=0.0)
