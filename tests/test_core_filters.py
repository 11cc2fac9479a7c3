"""Butterworth filters against the analytic Butterworth response and exact identities."""

import numpy as np
import pytest

from seismoalice.data.filters import bandpass, complementary_split, highpass, lowpass
from seismoalice.errors import DataError

FS = 100.0


def _gain(filtered: np.ndarray, f: float, t: np.ndarray) -> float:
    """Amplitude of the sinusoid of frequency f in the middle of a filtered record."""
    mid = slice(len(t) // 4, 3 * len(t) // 4)
    basis = np.stack([np.sin(2 * np.pi * f * t[mid]), np.cos(2 * np.pi * f * t[mid])], axis=1)
    coef, *_ = np.linalg.lstsq(basis, filtered[mid], rcond=None)
    return float(np.hypot(*coef))


@pytest.mark.parametrize("f", [0.3, 1.0, 2.0, 5.0])
@pytest.mark.parametrize("order", [2, 4])
def test_zero_phase_lowpass_gain_is_squared_butterworth(f: float, order: int) -> None:
    t = np.arange(20000) / FS
    x = np.sin(2 * np.pi * f * t)
    fc = 1.0
    expected = 1.0 / (1.0 + (f / fc) ** (2 * order))  # |H|^2 of an analog Butterworth
    gain = _gain(lowpass(x, FS, fc, order=order), f, t)
    assert gain == pytest.approx(expected, rel=2e-2, abs=1e-4)


def test_highpass_and_bandpass_gain() -> None:
    t = np.arange(20000) / FS
    for f in (0.5, 3.0, 10.0):
        x = np.sin(2 * np.pi * f * t)
        hp = 1.0 / (1.0 + (1.0 / f) ** 8)
        assert _gain(highpass(x, FS, 1.0), f, t) == pytest.approx(hp, rel=2e-2, abs=1e-4)
    x = np.sin(2 * np.pi * 3.0 * t)
    assert _gain(bandpass(x, FS, 1.0, 9.0, order=2), 3.0, t) == pytest.approx(1.0, abs=0.06)


def test_zero_phase_has_no_delay() -> None:
    t = np.arange(8192) / FS
    pulse = np.exp(-0.5 * ((t - 40.0) / 1.0) ** 2)
    y = lowpass(pulse, FS, 1.0)
    assert abs(t[np.argmax(y)] - 40.0) < 1.5 / FS


def test_complementary_split_sums_exactly_and_batches() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 1024))
    low, high = complementary_split(x, FS, 1.0)
    np.testing.assert_allclose(low + high, x, atol=1e-12)
    np.testing.assert_allclose(low[1, 2], lowpass(x[1, 2], FS, 1.0), atol=1e-12)


@pytest.mark.parametrize(
    ("fs", "fc"), [(100.0, 0.0), (100.0, 50.0), (100.0, 80.0), (0.0, 1.0), (-1.0, 1.0)]
)
def test_bad_corners_raise_clear_error(fs: float, fc: float) -> None:
    with pytest.raises(DataError):
        lowpass(np.ones(100), fs, fc)


def test_empty_signal_raises() -> None:
    with pytest.raises(DataError, match="empty"):
        lowpass(np.ones((3, 0)), FS, 1.0)
