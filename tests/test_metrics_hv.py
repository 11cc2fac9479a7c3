"""H/V spectral ratio (seismoalice.metrics.hv) against analytic cases."""

from __future__ import annotations

import numpy as np
import pytest

from seismoalice.errors import DataError
from seismoalice.metrics.hv import hv_ratio

DT = 0.01
CENTRES = np.geomspace(0.3, 30.0, 25)


def vertical(rng: np.random.Generator, n: int, length: int = 4096) -> np.ndarray:
    """(n, length) white noise in the middle of a zero-padded trace."""
    z = np.zeros((n, length))
    z[:, length // 8 : -length // 8] = rng.standard_normal((n, length - 2 * (length // 8)))
    return z


def test_scaled_horizontals_give_their_quadratic_mean() -> None:
    z = vertical(np.random.default_rng(0), 3)
    acc = np.stack([z, 3.0 * z, 4.0 * z], axis=1)
    freqs, hv = hv_ratio(acc, DT, CENTRES)
    np.testing.assert_array_equal(freqs, CENTRES)
    np.testing.assert_allclose(hv, np.sqrt((3.0**2 + 4.0**2) / 2), rtol=1e-12)


def test_filtered_horizontals_give_the_filter_gain() -> None:
    # N = E = z + c·z(t − Δt): FAS_N = |1 + c e^{−2πifΔt}|·FAS_Z on every FFT bin (the trace
    # ends in zeros, so the shift is exact; no taper), a gain that varies slowly in f.
    c = 0.6
    z = vertical(np.random.default_rng(1), 2)
    shifted = z + c * np.roll(z, 1, axis=-1)
    acc = np.stack([z, shifted, shifted], axis=1)
    _, hv = hv_ratio(acc, DT, CENTRES, taper=0.0)
    gain = np.abs(1 + c * np.exp(-2j * np.pi * CENTRES * DT))
    np.testing.assert_allclose(hv, np.broadcast_to(gain, hv.shape), rtol=0.01)


def test_missing_components() -> None:
    z = vertical(np.random.default_rng(2), 3)
    acc = np.stack([z, 2.0 * z, 2.0 * z], axis=1)
    acc[0, 2] = 0.0  # no east: H is the north alone
    acc[1, 0] = 0.0  # no vertical: undefined
    acc[2, 1:] = 0.0  # no horizontal: undefined
    _, hv = hv_ratio(acc, DT, CENTRES)
    np.testing.assert_allclose(hv[0], 2.0, rtol=1e-12)
    assert np.isnan(hv[1:]).all()
    mask = np.array([[True, True, False]] * 3)
    _, masked = hv_ratio(np.stack([z, 2.0 * z, 5.0 * z], axis=1), DT, CENTRES, mask=mask)
    np.testing.assert_allclose(masked, 2.0, rtol=1e-12)


def test_zero_padded_records_have_the_ratio_of_the_record_alone() -> None:
    rng = np.random.default_rng(3)
    acc = rng.standard_normal((2, 3, 2048))
    padded = np.concatenate([acc, np.zeros((2, 3, 1000))], axis=-1)
    padded[1, :, 1500:] = 0.0  # record 1 is 1,500 samples long
    _, hv = hv_ratio(padded, DT, CENTRES, lengths=[2048, 1500])
    np.testing.assert_allclose(hv[0], hv_ratio(acc[0], DT, CENTRES)[1], rtol=1e-12)
    np.testing.assert_allclose(hv[1], hv_ratio(acc[1, :, :1500], DT, CENTRES)[1], rtol=1e-12)


def test_bad_input() -> None:
    with pytest.raises(DataError, match="components"):
        hv_ratio(np.ones((2, 2, 100)), DT, vertical=0, horizontals=(1, 2))
