"""FAS fine structure (seismoalice.metrics.fine_structure) against analytic values: the log of a
Rayleigh amplitude has standard deviation π/√24, a smooth wavelet spectrum has none, and a
record against a scaled copy of itself has no residual structure."""

from __future__ import annotations

import numpy as np
import pytest

from seismoalice.errors import DataError
from seismoalice.metrics.fine_structure import fas_fine_structure, fine_structure_residual_sigma

DT = 0.01
BAND = (0.5, 30.0)
RAYLEIGH_LOG_SD = np.pi / np.sqrt(24)


def ricker(length: int, f_peak: float) -> np.ndarray:
    t = (np.arange(length) - length // 2) * DT
    arg = (np.pi * f_peak * t) ** 2
    return (1 - 2 * arg) * np.exp(-arg)


def test_gaussian_noise_has_the_rayleigh_log_scatter() -> None:
    noise = np.random.default_rng(0).standard_normal((20, 3, 4096))
    sigma = fas_fine_structure(noise, DT, *BAND)
    assert sigma.shape == (20, 3)
    assert sigma.mean() == pytest.approx(RAYLEIGH_LOG_SD, abs=0.04)
    independent = fine_structure_residual_sigma(noise, noise[::-1], DT, *BAND)
    assert np.median(independent) == pytest.approx(np.sqrt(2) * RAYLEIGH_LOG_SD, abs=0.06)


def test_smooth_spectrum_has_no_fine_structure() -> None:
    # what is left is the trend's smoothing bias on the curved ln FAS of the wavelet (≈ 0.04),
    # a tenth of the scatter of a noise spectrum
    wavelet = np.stack([ricker(4096, 4.0)] * 3)
    assert fas_fine_structure(wavelet, DT, 1.0, 15.0).max() < 0.1 * RAYLEIGH_LOG_SD


def test_scaled_copy_has_zero_residual_and_missing_components_are_nan() -> None:
    ref = np.random.default_rng(1).standard_normal((3, 3, 2000))
    pred = 2.5 * ref
    pred[1, 0] = 0.0
    sigma = fine_structure_residual_sigma(pred, ref, DT, *BAND)
    assert np.isnan(sigma[1, 0])
    np.testing.assert_allclose(np.delete(sigma.ravel(), 3), 0.0, atol=1e-12)


def test_each_record_on_its_own_grid() -> None:
    noise = np.random.default_rng(2).standard_normal((2, 3, 3000))
    padded = np.concatenate([noise, np.zeros((2, 3, 2000))], axis=-1)
    own = fas_fine_structure(noise, DT, *BAND)
    np.testing.assert_allclose(fas_fine_structure(padded, DT, *BAND, lengths=[3000, 3000]), own)
    pair = fine_structure_residual_sigma(
        padded, 2 * padded, DT, *BAND, lengths=([3000, 3000], [3000, 3000])
    )
    np.testing.assert_allclose(pair, 0.0, atol=1e-12)


def test_bad_band() -> None:
    with pytest.raises(DataError, match="Nyquist"):
        fas_fine_structure(np.ones((1, 3, 100)), DT, 1.0, 80.0)
