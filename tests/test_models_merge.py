"""Matched-filter merge of the hybrid generator, against scipy's zero-phase Butterworth."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from seismoalice.models import MergeBand, matched_highpass
from seismoalice.models.merge import tukey

FS, FC = 100.0, 1.0


def scipy_low(x, fc=FC, order=4):
    return signal.sosfiltfilt(signal.butter(order, fc, fs=FS, output="sos"), x, axis=-1)


@settings(max_examples=10, deadline=None)
@given(fc=st.floats(0.3, 10.0), order=st.integers(2, 6), seed=st.integers(0, 100))
def test_matched_highpass_is_the_complement_of_sosfiltfilt(fc, order, seed):
    n, pad = 2048, 2048
    core = np.random.default_rng(seed).standard_normal((2, 3, n)) * signal.windows.tukey(n, 0.2)
    # zeros on both sides: sosfiltfilt's odd-extension padding and initial conditions are then
    # exactly zero and the filter tails (≤ ~10 s at fc 0.3 Hz) die out inside the padding, so
    # the two must agree on every sample
    x = np.pad(core, ((0, 0), (0, 0), (pad, pad)))
    ref = x - scipy_low(x, fc, order)
    out = matched_highpass(torch.from_numpy(x), MergeBand(FS, fc, order)).numpy()
    assert np.abs(out - ref).max() < 1e-4 * np.abs(ref).max()


@pytest.mark.parametrize("f", [0.7, 1.0, 1.4, 3.0])
def test_power_highpass_completes_the_lowpass_power(f):
    """A sinusoid's low-pass (scipy sosfiltfilt) and power high-pass amplitudes a_L, a_H obey
    a_L² + a_H² = 1: an incoherent HF part then restores the full power at every frequency."""
    n = 8192
    t = np.arange(n) / FS
    f = round(f * n / FS) * FS / n
    x = np.cos(2 * np.pi * f * t)
    inner = slice(2000, n - 2000)
    a_low = np.abs(scipy_low(x))[inner].max()
    hp = matched_highpass(torch.from_numpy(x), MergeBand(FS, FC), power=True).numpy()
    a_high = np.abs(hp)[inner].max()
    assert a_low**2 + a_high**2 == pytest.approx(1.0, abs=2e-3)


def test_tukey_equals_scipy():
    for n, alpha in [(4096, 0.05), (101, 0.5), (10, 0.0)]:
        np.testing.assert_allclose(tukey(n, alpha).numpy(), signal.windows.tukey(n, alpha))
