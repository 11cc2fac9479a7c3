"""Losses against analytic values; LF-consistency metric and merge against scipy filters."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal
from torch import nn

from seismoalice.generation import merge_with_lf
from seismoalice.training.losses import (
    band_energy_loss,
    critic_loss,
    discriminator_loss,
    envelope_loss,
    generator_loss,
    gradient_penalty,
    log_psd_envelope_loss,
    log_spectral_loss,
    spectral_convergence,
)
from seismoalice.training.validation import lf_misfit


class Fixed(nn.Module):
    """A hand-made discriminator: logit ``value`` for inputs whose first element is > 0 (the
    "real" inputs of these tests), ``-value`` otherwise; one logit per sample."""

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def forward(self, x=None, z=None):
        sign = torch.where(x.reshape(len(x), -1)[:, 0] > 0, 1.0, -1.0)
        return self.value * sign


class HalfSquare(nn.Module):
    """Critic D(x, z) = ½(‖x‖² + ‖z‖²) per sample: its gradient at u is u itself."""

    def forward(self, x, z):
        return 0.5 * (x.pow(2).sum(dim=(1, 2)) + z.pow(2).sum(dim=(1, 2)))


REAL = {"x": torch.ones(4, 3, 8)}
FAKE = {"x": -torch.ones(4, 3, 8)}


@pytest.mark.parametrize(
    ("kind", "expected"), [("bce", (0.0, 40.0, 40.0, 0.0)), ("wgan-gp", (-40.0, 40.0, 40.0, -40.0))]
)
def test_a_perfect_discriminator_wins_and_a_fooled_one_loses(kind, expected):
    """Perfect: logit +20 on real, −20 on fake: the critic's loss is minimal, the generator's
    maximal; fooled (the reverse): the other way round. Swapping real and fake in either loss
    swaps the two cases. Values: BCE softplus(20) ≈ 20 per side, ≈ 0 for the other; WGAN
    E[fake] − E[real] = ±40."""
    perfect, fooled = Fixed(20.0), Fixed(-20.0)
    got = (
        critic_loss(perfect, REAL, FAKE, kind),
        generator_loss(perfect, REAL, FAKE, kind),
        critic_loss(fooled, REAL, FAKE, kind),
        generator_loss(fooled, REAL, FAKE, kind),
    )
    assert [float(v) for v in got] == pytest.approx(list(expected), abs=1e-6)


def test_known_bce_and_wasserstein_values():
    """Logits 0 everywhere: BCE = ln 2 on each side; WGAN critic E[fake] − E[real]."""
    zero = Fixed(0.0)
    assert float(critic_loss(zero, REAL, FAKE, "bce")) == pytest.approx(2 * np.log(2))
    assert float(generator_loss(zero, REAL, FAKE, "bce")) == pytest.approx(2 * np.log(2))
    half = HalfSquare()
    real = {"x": torch.full((2, 1, 4), 2.0), "z": torch.zeros(2, 1, 1)}  # D = ½·16 = 8
    fake = {"x": torch.full((2, 1, 4), 1.0), "z": torch.zeros(2, 1, 1)}  # D = ½·4 = 2
    assert float(critic_loss(half, real, fake, "wgan-gp")) == pytest.approx(2 - 8)
    assert float(generator_loss(half, real, fake, "wgan-gp")) == pytest.approx(8 - 2)


def test_gradient_penalty_of_a_known_function_and_its_weight():
    """D = ½‖u‖²: ∇D(u) = u. With real = fake = a every interpolate is a, so the penalty is
    (‖a‖ − 1)²; critic_loss adds it times gp_weight for WGAN-GP only."""
    a = {"x": torch.full((3, 2, 4), 0.5), "z": torch.full((3, 1, 2), 1.0)}
    norm = np.sqrt(8 * 0.25 + 2 * 1.0)  # ‖a‖ per sample = 2
    expected = (norm - 1) ** 2
    half = HalfSquare()
    pen = gradient_penalty(lambda x, z: half(x, z), [a["x"], a["z"]], [a["x"], a["z"]])
    assert float(pen.detach()) == pytest.approx(expected, rel=1e-6)
    assert float(critic_loss(half, a, a, "wgan-gp", gp_weight=10.0).detach()) == pytest.approx(
        10 * expected, rel=1e-6
    )
    assert float(critic_loss(half, a, a, "wgan-gp", gp_weight=0.0)) == 0.0
    unit = {"x": torch.full((3, 1, 4), 0.5), "z": torch.zeros(3, 1, 1)}  # ‖u‖ = 1: no penalty
    assert float(
        critic_loss(half, unit, unit, "wgan-gp", gp_weight=10.0).detach()
    ) == pytest.approx(0.0, abs=1e-6)


def test_envelope_losses_are_zero_only_at_the_target():
    y = torch.randn(2, 3, 4, 8)
    assert float(envelope_loss(y, y)) == 0 and float(band_energy_loss(y, y)) == 0
    assert float(envelope_loss(y + 0.5, y)) == pytest.approx(0.25)
    # a shift of every frame's ln power by c shifts the ln band energy by c
    assert float(band_energy_loss(y + 0.5, y)) == pytest.approx(0.25, rel=1e-5)


def test_bce_discriminator_loss_matches_formula():
    r, f = torch.tensor([0.3, -1.2, 2.0]), torch.tensor([-0.5, 0.7])
    sig = lambda v: 1 / (1 + np.exp(-v.numpy()))  # noqa: E731
    expected = -np.log(sig(r)).mean() - np.log(1 - sig(f)).mean()
    assert float(discriminator_loss(r, f, "bce")) == pytest.approx(expected, rel=1e-6)
    assert float(discriminator_loss(r, f, "wgan-gp")) == pytest.approx(
        f.mean().item() - r.mean().item()
    )


def test_gradient_penalty_of_a_linear_critic():
    torch.manual_seed(0)
    w, v = torch.randn(3, 16), torch.randn(2, 4)

    def critic(x, z):
        return (x * w).sum(dim=(1, 2)) + (z * v).sum(dim=(1, 2))

    real = (torch.randn(5, 3, 16), torch.randn(5, 2, 4))
    fake = (torch.randn(5, 3, 16), torch.randn(5, 2, 4))
    norm = torch.sqrt((w**2).sum() + (v**2).sum())
    assert float(gradient_penalty(critic, real, fake)) == pytest.approx(
        float((norm - 1) ** 2), rel=1e-5
    )


@settings(max_examples=10, deadline=None)
@given(c=st.floats(0.05, 20.0))
def test_log_spectral_loss_of_a_scaled_signal_is_log_of_the_scale(c):
    x = torch.randn(2, 3, 2048, generator=torch.Generator().manual_seed(1))
    assert float(log_spectral_loss(c * x, x, eps=1e-12)) == pytest.approx(abs(np.log(c)), abs=1e-4)
    assert float(log_spectral_loss(x, x)) == 0.0


@settings(max_examples=10, deadline=None)
@given(c=st.floats(0.05, 20.0))
def test_smoothed_spectral_losses_of_a_scaled_signal(c):
    x = torch.randn(2, 3, 2048, generator=torch.Generator().manual_seed(2))
    # power scales by c²: ln c² on the spectrum and on the envelope
    assert float(log_psd_envelope_loss(c * x, x, eps=1e-20)) == pytest.approx(
        4 * abs(np.log(c)), abs=1e-4
    )
    assert float(spectral_convergence(c * x, x)) == pytest.approx(abs(c - 1), rel=1e-4, abs=1e-6)
    assert float(log_psd_envelope_loss(x, x)) == 0.0


def test_psd_envelope_loss_ignores_phase_but_not_timing():
    """Two independent noises with the same envelope are close; a shifted envelope is not."""
    g = torch.Generator().manual_seed(3)
    t = torch.arange(4096, dtype=torch.float32)
    env = torch.exp(-(((t - 1500) / 300) ** 2))
    late = torch.exp(-(((t - 3000) / 300) ** 2))
    a, b = torch.randn(8, 3, 4096, generator=g), torch.randn(8, 3, 4096, generator=g)
    same = float(log_psd_envelope_loss(a * env, b * env))
    shifted = float(log_psd_envelope_loss(a * late, b * env))
    assert same < 0.1 * shifted


def _butter_low(x, fs, fc, order=4):
    return signal.sosfiltfilt(signal.butter(order, fc, fs=fs, output="sos"), x, axis=-1)


def test_lf_misfit_zero_for_added_high_frequencies_and_one_for_doubling():
    fs, t = 100.0, np.arange(4096) / 100.0
    rng = np.random.default_rng(0)
    lf = _butter_low(rng.standard_normal((2, 3, t.size)), fs, 1.0)
    hf = np.sin(2 * np.pi * 15.0 * t) * signal.windows.hann(t.size)
    assert lf_misfit(lf + hf, lf, fs, 1.0).max() < 1e-3
    np.testing.assert_allclose(lf_misfit(2 * lf, lf, fs, 1.0), 1.0, rtol=1e-9)


def test_merge_keeps_the_lf_input_and_the_rest_of_the_output():
    fs, fc = 100.0, 1.0
    rng = np.random.default_rng(1)
    bb = rng.standard_normal((3, 4096))
    lf = _butter_low(bb, fs, fc)
    gen = rng.standard_normal((2, 3, 4096))
    merged = merge_with_lf(gen, lf, fs, fc)
    np.testing.assert_allclose(merged - gen, lf - _butter_low(gen, fs, fc), atol=1e-12)
    # merging the true BB record with its own LF version gives the record back exactly
    np.testing.assert_allclose(merge_with_lf(bb, lf, fs, fc), bb, atol=1e-12)
