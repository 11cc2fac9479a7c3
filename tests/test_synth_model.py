"""Seismological model terms of the stochastic generator against the formulas of Boore (2003),
written out independently here in cgs units, and against numerical references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from seismoalice.data.stochastic.path import geometric_spreading, quality_factor
from seismoalice.data.stochastic.site import quarter_wavelength_amplification
from seismoalice.data.stochastic.source import corner_frequency, seismic_moment
from seismoalice.data.stochastic.timeseries import (
    gaussian_noise,
    saragoni_hart_window,
    unit_spectrum,
    window_support,
)
from seismoalice.data.synthetic import CrustModel, target_fas


def test_moment_and_corner_frequency_match_hand_values() -> None:
    # Mw 7: M0 = 10^26.55 dyne·cm; f0 = 4.906e6 · 3.5 · (100 / M0)^(1/3) ≈ 0.113 Hz
    assert seismic_moment(7.0) == pytest.approx(10**26.55, rel=1e-12)
    assert corner_frequency(7.0, 100.0, 3.5) == pytest.approx(0.1126, rel=2e-3)
    # f0 ∝ Δσ^(1/3) and ∝ M0^(-1/3): one magnitude unit lowers f0 by 10^0.5
    assert corner_frequency(5.0, 100.0, 3.5) / corner_frequency(6.0, 100.0, 3.5) == pytest.approx(
        10**0.5
    )
    assert corner_frequency(6.0, 800.0, 3.5) / corner_frequency(6.0, 100.0, 3.5) == pytest.approx(2)


def _reference_fas(mw: float, r: float, f: np.ndarray, dsigma: float, kappa: float) -> np.ndarray:
    """Boore (2003) acceleration FAS in m/s, cgs constants written out, amplification A = 1."""
    m0 = 10 ** (1.5 * mw + 16.05)
    c = 0.55 * (1 / np.sqrt(2)) * 2.0 / (4 * np.pi * 2.8 * (3.5e5) ** 3 * 1e5)
    f0 = 4.906e6 * 3.5 * (dsigma / m0) ** (1 / 3)
    z = 1 / r if r <= 40 else (1 / 40) * (40 / r) ** 0.5
    q = np.maximum(60.0, 180.0 * f**0.45)
    disp = c * m0 / (1 + (f / f0) ** 2) * z * np.exp(-np.pi * f * r / (q * 3.5))
    return disp * np.exp(-np.pi * kappa * f) * (2 * np.pi * f) ** 2 / 100.0


@pytest.mark.parametrize(("mw", "r"), [(4.5, 12.0), (6.0, 20.0), (7.0, 90.0)])
def test_target_fas_matches_boore_formula(mw: float, r: float) -> None:
    f = np.geomspace(0.05, 40, 50)
    got = target_fas(mw, r, f, stress_drop_bar=80.0, kappa0_s=0.03, vs30_mps=500.0)
    # the amplification is checked against a numerical quarter-wavelength reference below
    amplification = quarter_wavelength_amplification(f, 500.0, 3.5)
    np.testing.assert_allclose(got / amplification, _reference_fas(mw, r, f, 80.0, 0.03), rtol=1e-9)


def test_target_fas_broadcasts_over_records() -> None:
    f = np.linspace(0.1, 30, 7)
    mw = np.array([4.0, 5.0, 6.0])
    batch = target_fas(mw[:, None], 30.0, f[None, :])
    assert batch.shape == (3, 7)
    for i, m in enumerate(mw):
        np.testing.assert_allclose(batch[i], target_fas(m, 30.0, f))


def test_geometric_spreading_is_continuous_and_hinged() -> None:
    assert geometric_spreading(10.0) == pytest.approx(0.1)
    assert geometric_spreading(40.0) == pytest.approx(1 / 40)
    assert geometric_spreading(160.0) == pytest.approx(1 / 40 * 0.5)
    assert geometric_spreading(40.0 + 1e-9) == pytest.approx(1 / 40, rel=1e-9)


def test_quality_factor_floor() -> None:
    f = np.array([0.01, 0.05, 1.0, 10.0])
    np.testing.assert_allclose(quality_factor(f, 180.0, 0.45, 60.0), [60, 60, 180, 180 * 10**0.45])


def _numerical_qwl(f: float, vs30: float, beta_s: float, p: float) -> float:
    """Quarter-wavelength amplification by numerical travel-time integration of the profile."""
    z = np.geomspace(1e-4, 2e5, 400_001)
    beta = np.minimum(vs30 / (1 - p) * (z / 30.0) ** p, beta_s)
    slowness = 1 / beta
    t = np.concatenate([[0.0], np.cumsum(0.5 * (slowness[1:] + slowness[:-1]) * np.diff(z))])
    t += z[0] * slowness[0] / (1 - p)  # analytic travel time through the top 0.1 mm
    target = 0.25 / f
    z_f = np.interp(target, t, z)
    return float(np.sqrt(beta_s / (z_f / target)))


@pytest.mark.parametrize("vs30", [200.0, 620.0, 1000.0, 3000.0])
@pytest.mark.parametrize("f", [0.05, 0.5, 5.0, 40.0])
def test_site_amplification_matches_numerical_quarter_wavelength(vs30: float, f: float) -> None:
    got = quarter_wavelength_amplification(f, vs30, 3.5, 0.25)
    assert got == pytest.approx(_numerical_qwl(f, vs30, 3500.0, 0.25), rel=2e-3)


def test_site_amplification_generic_rock_levels() -> None:
    # reference: A ≈ 1 at low frequency, 1.5–3.5 at high frequency for generic rock (620 m/s)
    a = quarter_wavelength_amplification(np.array([0.0, 0.01, 0.1, 1.0, 10.0]), 620.0, 3.5)
    assert a[0] == 1.0
    assert 1.0 <= a[1] < 1.1
    assert 1.0 < a[2] < 1.35
    assert 1.5 < a[3] < 2.2
    assert 2.0 < a[4] < 3.5


@settings(max_examples=50, deadline=None)
@given(
    vs30=st.floats(150.0, 2000.0),
    f1=st.floats(0.01, 50.0),
    f2=st.floats(0.01, 50.0),
)
def test_site_amplification_grows_with_frequency_and_softness(
    vs30: float, f1: float, f2: float
) -> None:
    lo, hi = sorted((f1, f2))
    a_lo, a_hi = quarter_wavelength_amplification(np.array([lo, hi]), vs30, 3.5)
    assert 1.0 <= a_lo <= a_hi + 1e-12
    assert quarter_wavelength_amplification(hi, 0.8 * vs30, 3.5) >= a_hi


def test_saragoni_hart_window_peak_and_tail() -> None:
    duration = 3.0  # tη = 6 s: peak 1 at ε tη = 1.2 s, value η = 0.05 at tη
    t = np.linspace(-1, 20, 210_001)
    w = saragoni_hart_window(t, duration)
    assert w[t <= 0].max() == 0.0
    assert w.max() == pytest.approx(1.0, abs=1e-8)
    assert t[np.argmax(w)] == pytest.approx(1.2, abs=1e-3)
    assert saragoni_hart_window(np.array(6.0), duration) == pytest.approx(0.05, rel=1e-10)


def test_window_support_holds_the_window() -> None:
    duration = np.array([0.5, 3.0, 14.0])
    end = window_support(duration)
    assert (saragoni_hart_window(end, duration) < 1e-3).all()
    t = np.linspace(0, 200, 400_001)
    for d, e in zip(duration, end, strict=True):
        energy = saragoni_hart_window(t, d) ** 2
        assert energy[t > e].sum() / energy.sum() < 1e-5


def test_gaussian_noise_is_standard_normal_and_white() -> None:
    z = gaussian_noise(np.random.default_rng(4), (3, 50_001))
    assert z.shape == (3, 50_001) and z.dtype == np.float32
    flat = z.ravel().astype(float)
    assert stats.kstest(flat, "norm").pvalue > 1e-3
    assert abs(flat.mean()) < 0.01 and flat.std() == pytest.approx(1.0, abs=0.01)
    assert stats.kurtosis(flat) == pytest.approx(0.0, abs=0.06)
    lag1 = np.corrcoef(z[:, :-1].ravel(), z[:, 1:].ravel())[0, 1]
    half = flat.size // 2
    paired = np.corrcoef(flat[:half], flat[half : 2 * half])[0, 1]  # cos/sin partners
    assert abs(lag1) < 0.01 and abs(paired) < 0.01
    assert not np.array_equal(z, gaussian_noise(np.random.default_rng(5), (3, 50_001)))


def test_unit_spectrum_has_unit_mean_square_dft() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 1000)) * np.hanning(1000) * 7.0
    u = unit_spectrum(x)
    for nfft in (1000, 1500, 4096):
        power = np.abs(np.fft.fft(u, n=nfft, axis=-1)) ** 2
        np.testing.assert_allclose(power.mean(axis=-1), 1.0, rtol=1e-10)


def test_crust_model_rejects_unknown_and_bad_values() -> None:
    with pytest.raises(ValueError, match="q_typo"):
        CrustModel(q_typo=3)
    with pytest.raises(ValueError, match="beta_s_kms"):
        CrustModel(beta_s_kms=-1.0)
