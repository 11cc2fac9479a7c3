"""Matched-filter merge of the hybrid generator, against scipy's zero-phase Butterworth."""

import numpy as np
import pytest
import torch
from array_dataset import ArrayWaveformDataset
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from seismoalice.models import (
    AmplitudeHead,
    HybridGenerator,
    MergeBand,
    matched_highpass,
    merge_lf,
)
from seismoalice.models.hybrid import tukey
from seismoalice.training.config import ModelConfig
from seismoalice.training.trainer import (
    build_autoencoder,
    build_hybrid_trainables,
    init_amplitude_bias,
)

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


def test_merge_of_the_true_record_returns_it():
    """x_lf = LP(bb)/lf_peak, raw = bb/bb_peak, exact ratio → bb/bb_peak (tapered record)."""
    n = 4096
    bb = np.random.default_rng(3).standard_normal((2, 3, n)) * signal.windows.tukey(n, 0.2)
    lf = scipy_low(bb)
    bb_peak = np.abs(bb).max(axis=(1, 2))
    lf_peak = np.abs(lf).max(axis=(1, 2))
    out = merge_lf(
        torch.from_numpy(lf / lf_peak[:, None, None]),
        torch.from_numpy(bb / bb_peak[:, None, None]),
        torch.from_numpy(np.log(bb_peak / lf_peak)),
        MergeBand(FS, FC),
    ).numpy()
    inner = slice(400, n - 400)
    ref = bb / bb_peak[:, None, None]
    assert np.abs(out - ref)[..., inner].max() < 1e-3


def test_merging_generator_keeps_the_lf_input_below_fc():
    torch.manual_seed(0)  # random weights and injected noise: one fixed draw
    m = ModelConfig(nzd=4, nzf=2, ndf=4, map_width=4, amplitude_width=8)
    bb, fl, maps = (
        build_autoencoder(m, "bb"),
        build_autoencoder(m, "fl"),
        build_hybrid_trainables(m),
    )
    del maps["bb_to_fl"]
    model = HybridGenerator(
        fl["encoder"], decoder_bb=bb["decoder"], merge=MergeBand(FS, FC), **maps
    )
    model.eval()
    n = 1024
    x = scipy_low(
        np.random.default_rng(0).standard_normal((2, 3, n)) * signal.windows.tukey(n, 0.2)
    )
    x = torch.from_numpy(x / np.abs(x).max(axis=(1, 2), keepdims=True)).float()
    with torch.no_grad():
        y, ln_ratio = model(x)
    physical = (y * torch.exp(ln_ratio).reshape(-1, 1, 1)).double().numpy()
    low_out, low_in = scipy_low(physical, FC / 2), scipy_low(x.double().numpy(), FC / 2)
    assert np.abs(low_out - low_in).max() < 0.02 * np.abs(low_in).max()
    assert np.abs(physical - x.numpy()).max() > 1e-3  # it did add something above fc


def test_amplitude_head_with_peak_needs_and_uses_it():
    head = AmplitudeHead(2, 8, use_peak=True)
    z = torch.randn(3, 2, 16)
    with pytest.raises(ValueError, match="ln"):
        head(z)
    with torch.no_grad():
        head.out.weight[0, -1] = 1.0
        a, b = head(z, torch.zeros(3)), head(z, torch.full((3,), 2.0))
    torch.testing.assert_close(b - a, torch.full((3,), 2.0))


def test_amplitude_bias_starts_at_the_mean_log_peak_ratio():
    n = 2048
    bb = np.random.default_rng(5).standard_normal((20, 3, n)) * signal.windows.tukey(n, 0.2)
    bb *= np.exp(np.random.default_rng(6).uniform(-2, 2, (20, 1, 1)))
    expected = np.mean(np.log(np.abs(bb).max(axis=(1, 2)) / np.abs(scipy_low(bb)).max(axis=(1, 2))))
    head = AmplitudeHead(2, 8)
    init_amplitude_bias(head, ArrayWaveformDataset(bb, FS, FC))
    assert float(head.out.bias.detach()) == pytest.approx(expected, rel=1e-4)
