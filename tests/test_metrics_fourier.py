"""Fourier amplitude spectra, Konno–Ohmachi smoothing and EAS against analytic results and ObsPy."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from obspy.signal.konnoohmachismoothing import (
    konno_ohmachi_smoothing,
    konno_ohmachi_smoothing_window,
)

from seismoalice.errors import DataError
from seismoalice.metrics import (
    effective_amplitude_spectrum,
    fourier_amplitude_spectrum,
    konno_ohmachi,
    smoothed_fas,
)


def test_fas_of_a_sine_with_whole_cycles_is_amplitude_times_duration_over_two() -> None:
    dt, n, amp = 0.01, 1000, 3.0
    f0 = 12.5  # 125 cycles in 10 s
    acc = amp * np.sin(2 * np.pi * f0 * np.arange(n) * dt)
    freqs, fas = fourier_amplitude_spectrum(acc, dt, taper=0.0)
    assert freqs[1] == pytest.approx(1 / (n * dt))
    assert freqs[-1] == pytest.approx(0.5 / dt)
    k = round(f0 * n * dt)
    assert fas[k] == pytest.approx(amp * n * dt / 2, rel=1e-10)
    assert np.delete(fas, k).max() < 1e-9 * fas[k]
    # zero padding refines the grid and keeps the scale
    freqs2, fas2 = fourier_amplitude_spectrum(acc, dt, nfft=4 * n, taper=0.0)
    assert fas2[4 * k] == pytest.approx(fas[k], rel=1e-10)
    assert freqs2[1] == pytest.approx(freqs[1] / 4)


def test_fas_of_a_boxcar_is_the_dirichlet_kernel() -> None:
    dt, n, m = 0.02, 512, 37
    acc = np.zeros(n)
    acc[:m] = 2.0
    freqs, fas = fourier_amplitude_spectrum(acc, dt, taper=0.0)
    k = np.arange(1, freqs.size)
    expected = 2.0 * dt * np.abs(np.sin(np.pi * k * m / n) / np.sin(np.pi * k / n))
    np.testing.assert_allclose(fas[1:], expected, rtol=1e-9, atol=1e-12)
    assert fas[0] == pytest.approx(2.0 * m * dt)


def test_taper_is_a_half_cosine_on_each_end() -> None:
    dt, n = 0.01, 20000
    _, fas = fourier_amplitude_spectrum(np.ones(n), dt, taper=0.05)
    # mean of a Tukey window with 5 % cosine on each end: 1 − 0.05 (continuous limit)
    assert fas[0] == pytest.approx(0.95 * n * dt, rel=1e-3)


def test_konno_ohmachi_equals_obspy_normalised_windows() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 1500))
    freqs, fas = fourier_amplitude_spectrum(x, 0.01)
    # ObsPy's per-window path (1-D spectrum, or enforce_no_matrix=True); its matrix path with
    # normalize=True normalises the transposed windows and is not the weighted average.
    ref = konno_ohmachi_smoothing(fas, freqs, bandwidth=40, normalize=True, enforce_no_matrix=True)
    np.testing.assert_allclose(konno_ohmachi(fas, freqs), ref, rtol=1e-10)
    centres = freqs[[1, 7, 50, 300, 700]]
    windows = np.array(
        [konno_ohmachi_smoothing_window(freqs, c, 20.0, normalize=True) for c in centres]
    )
    np.testing.assert_allclose(
        konno_ohmachi(fas, freqs, centres, bandwidth=20.0), fas @ windows.T, rtol=1e-10
    )


@settings(max_examples=20, deadline=None)
@given(level=st.floats(1e-3, 1e3), bandwidth=st.floats(5, 200))
def test_konno_ohmachi_keeps_a_flat_spectrum_flat(level: float, bandwidth: float) -> None:
    freqs = np.linspace(0, 50, 401)
    centres = np.logspace(-1, np.log10(50), 30)
    smooth = konno_ohmachi(np.full(401, level), freqs, centres, bandwidth)
    np.testing.assert_allclose(smooth, level, rtol=1e-12)


def test_eas_of_identical_components_is_the_fas_and_smoothing_matches_smoothed_fas() -> None:
    rng = np.random.default_rng(1)
    acc = rng.standard_normal((2, 800))
    freqs, eas = effective_amplitude_spectrum(acc, acc, 0.01, bandwidth=None)
    _, fas = fourier_amplitude_spectrum(acc, 0.01)
    np.testing.assert_allclose(eas, fas, rtol=1e-12)
    centres, smooth_eas = effective_amplitude_spectrum(acc, acc, 0.01, bandwidth=40.0)
    centres2, smooth = smoothed_fas(acc, 0.01, bandwidth=40.0)
    np.testing.assert_allclose(centres, centres2)
    np.testing.assert_allclose(smooth_eas, smooth, rtol=1e-12)
    assert centres.size == 200
    assert centres[0] == pytest.approx(freqs[1]) and centres[-1] == pytest.approx(freqs[-1])


@settings(max_examples=20, deadline=None)
@given(angle=st.floats(0, 2 * np.pi), seed=st.integers(0, 1000))
def test_eas_is_orientation_independent(angle: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    h1, h2 = rng.standard_normal((2, 300))
    r1 = np.cos(angle) * h1 + np.sin(angle) * h2
    r2 = -np.sin(angle) * h1 + np.cos(angle) * h2
    _, eas = effective_amplitude_spectrum(h1, h2, 0.01, bandwidth=None)
    _, eas_rot = effective_amplitude_spectrum(r1, r2, 0.01, bandwidth=None)
    np.testing.assert_allclose(eas_rot, eas, rtol=1e-9, atol=1e-12 * eas.max())


@settings(max_examples=20, deadline=None)
@given(scale=st.floats(-1e4, 1e4), seed=st.integers(0, 1000))
def test_fas_scales_with_the_record(scale: float, seed: int) -> None:
    acc = np.random.default_rng(seed).standard_normal(257)
    _, base = fourier_amplitude_spectrum(acc, 0.005)
    _, scaled = fourier_amplitude_spectrum(scale * acc, 0.005)
    np.testing.assert_allclose(scaled, abs(scale) * base, rtol=1e-9, atol=1e-300)


def test_batched_shapes_and_torch() -> None:
    acc = torch.randn(4, 3, 256, dtype=torch.float64)
    freqs, fas = fourier_amplitude_spectrum(acc, 0.01, nfft=300)
    assert isinstance(fas, torch.Tensor) and fas.shape == (4, 3, 151) and freqs.size == 151
    _, single = fourier_amplitude_spectrum(acc[2, 1].numpy(), 0.01, nfft=300)
    np.testing.assert_allclose(fas[2, 1].numpy(), single)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fourier_amplitude_spectrum(np.ones(10), 0.01, nfft=5), "nfft"),
        (lambda: fourier_amplitude_spectrum(np.ones(10), 0.01, taper=0.7), "taper"),
        (lambda: fourier_amplitude_spectrum(np.ones(10), -1.0), "dt"),
        (lambda: fourier_amplitude_spectrum(np.array([1.0, np.nan]), 0.01), "non-finite"),
        (lambda: konno_ohmachi(np.ones(5), np.arange(4.0)), "freqs"),
        (lambda: konno_ohmachi(np.ones(5), np.arange(5.0), bandwidth=0), "bandwidth"),
        (lambda: effective_amplitude_spectrum(np.ones(8), np.ones(9), 0.01), "same shape"),
    ],
)
def test_bad_input_raises_data_error(call, message: str) -> None:
    with pytest.raises(DataError, match=message):
        call()
