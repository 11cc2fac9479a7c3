"""Peak, energy and duration measures against hand-computed (analytic) cases."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from seismoalice.errors import DataError
from seismoalice.metrics import (
    arias_intensity,
    cav,
    displacement,
    husid,
    husid_time,
    pga,
    pgd,
    pgv,
    significant_duration,
    velocity,
)

G = 9.80665


def test_constant_acceleration_integrates_exactly() -> None:
    dt, n, c = 0.01, 501, 0.7
    t = np.arange(n) * dt
    acc = np.full(n, c)
    np.testing.assert_allclose(velocity(acc, dt, baseline="none"), c * t, atol=1e-12)
    np.testing.assert_allclose(displacement(acc, dt, baseline="none"), c * t**2 / 2, atol=1e-12)
    assert pgv(acc, dt, baseline="none") == pytest.approx(c * t[-1])
    assert pgd(acc, dt, baseline="none") == pytest.approx(c * t[-1] ** 2 / 2)
    # removing the mean of a constant leaves nothing to integrate
    assert pgv(acc, dt, baseline="mean") == pytest.approx(0.0, abs=1e-12)


def test_sine_velocity_and_displacement_match_analytic_integrals() -> None:
    dt, amp, f = 0.001, 2.0, 0.5
    w = 2 * np.pi * f
    t = np.arange(int(4 / f / dt) + 1) * dt  # 4 whole cycles
    acc = amp * np.sin(w * t)
    v_ref = amp / w * (1 - np.cos(w * t))
    d_ref = amp / w * (t - np.sin(w * t) / w)
    np.testing.assert_allclose(velocity(acc, dt, baseline="none"), v_ref, atol=1e-5 * v_ref.max())
    np.testing.assert_allclose(
        displacement(acc, dt, baseline="none"), d_ref, atol=1e-5 * d_ref.max()
    )
    assert pgv(acc, dt, baseline="none") == pytest.approx(2 * amp / w, rel=1e-5)
    assert pga(acc) == pytest.approx(amp, rel=1e-5)


def test_highpass_baseline_removes_a_linear_velocity_drift() -> None:
    dt = 0.01
    t = np.arange(6000) * dt
    pulse = np.sin(2 * np.pi * 1.0 * t) * np.exp(-(((t - 30) / 3) ** 2))
    offset = 0.05  # a constant acceleration offset makes v drift linearly
    drift = pgv(pulse + offset, dt, baseline="none")
    corrected = pgv(pulse + offset, dt, baseline="highpass", highpass_hz=0.1)
    clean = pgv(pulse, dt, baseline="none")
    assert drift > 5 * clean
    assert corrected == pytest.approx(clean, rel=0.05)


def test_arias_intensity_of_a_sine_burst() -> None:
    dt, amp, f, cycles = 0.005, 3.0, 2.0, 10
    t = np.arange(int(cycles / f / dt) + 1) * dt
    acc = amp * np.sin(2 * np.pi * f * t)
    duration = cycles / f
    assert arias_intensity(acc, dt) == pytest.approx(np.pi / (2 * G) * amp**2 * duration / 2)


def test_husid_and_durations_of_constant_energy_rate() -> None:
    dt, n = 0.01, 1001
    acc = np.full(n, 2.0)
    h = husid(acc, dt)
    np.testing.assert_allclose(h, np.arange(n) / (n - 1), atol=1e-12)
    duration = (n - 1) * dt
    assert significant_duration(acc, dt) == pytest.approx(0.9 * duration, rel=1e-12)
    assert significant_duration(acc, dt, 0.05, 0.75) == pytest.approx(0.7 * duration)
    # H(t) = t / duration: the curve reaches level q at q · duration
    np.testing.assert_allclose(husid_time(acc, dt, 0.05), 0.05 * duration, rtol=1e-12)
    # silent for 5 s, then a² = 4: energy 2·dt on the step (trapezoid) + 4·dt per sample, total
    # 2002·dt; half of it is reached at 5 s + (1001 − 2)/4 · dt = 7.4975 s
    two = np.stack([acc, np.r_[np.zeros(500), acc[500:]]])
    np.testing.assert_allclose(husid_time(two, dt, 0.5), [0.5 * duration, 7.4975], rtol=1e-9)


def test_durations_of_a_two_level_record() -> None:
    # amplitude 1 for T/2, then 2 for T/2: H = t/(2.5T) then 0.2 + 4(t − T/2)/(2.5T)
    dt, n = 0.001, 20001
    duration = (n - 1) * dt
    acc = np.where(np.arange(n) < n // 2, 1.0, 2.0)
    assert significant_duration(acc, dt) == pytest.approx(0.84375 * duration, rel=1e-3)
    assert significant_duration(acc, dt, 0.05, 0.75) == pytest.approx(0.71875 * duration, rel=1e-3)


def test_d5_95_of_a_sine_burst_in_silence_matches_root_finding() -> None:
    dt, f, start, length = 0.002, 3.0, 4.0, 5.0
    t = np.arange(int(15 / dt) + 1) * dt
    inside = (t >= start) & (t <= start + length)
    w = 2 * np.pi * f
    acc = np.where(inside, np.sin(w * (t - start)), 0.0)

    def energy(time: float) -> float:
        s = np.clip(time - start, 0, length)
        return s / 2 - np.sin(2 * w * s) / (4 * w)

    total = energy(t[-1])
    t5 = brentq(lambda x: energy(x) - 0.05 * total, 0, t[-1])
    t95 = brentq(lambda x: energy(x) - 0.95 * total, 0, t[-1])
    assert significant_duration(acc, dt) == pytest.approx(t95 - t5, abs=2 * dt)


def test_cav_and_cav5_rectangle_rule() -> None:
    dt = 0.02
    acc = np.array([0.01, -0.2, 0.04, 0.5, -0.06, 0.0])
    assert cav(acc, dt) == pytest.approx(dt * np.abs(acc).sum())
    assert cav(acc, dt, threshold=0.05) == pytest.approx(dt * (0.2 + 0.5 + 0.06))


@settings(max_examples=30, deadline=None)
@given(
    acc=st.lists(st.floats(-5, 5, allow_subnormal=False), min_size=3, max_size=200)
    .map(np.array)
    .filter(lambda a: np.abs(a).max() > 1e-3),
    scale=st.floats(1e-2, 1e2),
)
def test_scaling_laws(acc: np.ndarray, scale: float) -> None:
    dt = 0.01
    assert arias_intensity(scale * acc, dt) == pytest.approx(scale**2 * arias_intensity(acc, dt))
    assert cav(-scale * acc, dt) == pytest.approx(scale * cav(acc, dt))
    assert pgv(scale * acc, dt) == pytest.approx(scale * pgv(acc, dt), rel=1e-9, abs=1e-12)
    assert significant_duration(scale * acc, dt) == pytest.approx(
        significant_duration(acc, dt), abs=1e-9
    )
    h = husid(acc, dt)
    assert h[0] == 0 and h[-1] == pytest.approx(1.0) and np.all(np.diff(h) >= 0)


def test_batched_and_torch() -> None:
    rng = np.random.default_rng(0)
    acc = rng.standard_normal((2, 3, 400))
    ia = arias_intensity(acc, 0.01)
    assert ia.shape == (2, 3)
    assert ia[1, 2] == pytest.approx(arias_intensity(acc[1, 2], 0.01))
    d = significant_duration(torch.from_numpy(acc), 0.01)
    assert isinstance(d, torch.Tensor) and d.shape == (2, 3)
    np.testing.assert_allclose(d.numpy(), significant_duration(acc, 0.01))
    assert pga(torch.from_numpy(acc).float()).dtype == torch.float32


def test_bad_input() -> None:
    with pytest.raises(DataError, match=r"record \(1,\) has zero energy"):
        significant_duration(np.stack([np.ones(10), np.zeros(10)]), 0.01)
    with pytest.raises(DataError, match="start < end"):
        significant_duration(np.ones(10), 0.01, 0.9, 0.1)
    with pytest.raises(DataError, match="baseline"):
        pgv(np.ones(10), 0.01, baseline="spline")
    with pytest.raises(DataError, match="dt"):
        arias_intensity(np.ones(10), 0)
    with pytest.raises(DataError, match="non-finite"):
        cav(np.array([1.0, np.inf]), 0.01)
