"""Response spectra (Nigam–Jennings recurrence, RotD) against independent references.

References: the matrix exponential (scipy.linalg.expm), scipy.signal.lsim (exact for
piecewise-linear input), scipy.integrate.solve_ivp, the closed-form resonant SDOF response,
and pyrotd (frequency domain) where its assumptions hold.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from seismoalice.errors import DataError
from seismoalice.metrics import DEFAULT_PERIODS, response_spectrum, rotd, sdof_displacement
from seismoalice.metrics.oscillator import nigam_jennings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pyrotd

AT2 = Path(__file__).parent / "data" / "at2"


def read_at2(path: Path) -> tuple[np.ndarray, float]:
    """Minimal PEER NGA-West2 AT2 parser for the tests: acceleration [g] and dt [s]."""
    lines = path.read_text(encoding="latin-1").splitlines()
    npts, dt = re.search(r"NPTS=\s*(\d+),\s*DT=\s*([.\d]+)", lines[3]).groups()
    values = np.array(" ".join(lines[4:]).split(), dtype=float)
    assert values.size == int(npts)
    return values, float(dt)


def band_limited_record(rng: np.random.Generator, n: int, dt: float, f_max: float) -> np.ndarray:
    """Enveloped Gaussian noise, low-passed at ``f_max`` [Hz], starting and ending at 0."""
    t = np.arange(n) * dt
    noise = rng.standard_normal(n)
    sos = signal.butter(6, f_max, fs=1 / dt, output="sos")
    envelope = (t / t[-1]) ** 2 * np.exp(-8 * t / t[-1])
    acc = signal.sosfiltfilt(sos, noise) * envelope
    acc[0] = 0.0
    return acc / np.abs(acc).max()


def psa_pyrotd(acc: np.ndarray, dt: float, periods: np.ndarray, damping: float = 0.05):
    return pyrotd.calc_spec_accels(dt, acc, 1 / periods, damping).spec_accel


@pytest.mark.parametrize("period", [0.02, 0.3, 4.0])
@pytest.mark.parametrize("damping", [0.0, 0.05, 0.2])
def test_coefficients_equal_matrix_exponential(period: float, damping: float) -> None:
    dt = 0.01
    w = 2 * np.pi / period
    a, b = nigam_jennings(np.array([w]), damping, dt)
    # augmented state [u, u̇, a, ȧ] with a linear input a(t) = a_n + ȧ t
    f = np.zeros((4, 4))
    f[0, 1] = 1.0
    f[1, :3] = [-(w**2), -2 * damping * w, -1.0]
    f[2, 3] = 1.0
    e = expm(f * dt)
    b_ref = np.stack([e[:2, 2] - e[:2, 3] / dt, e[:2, 3] / dt], axis=1)
    np.testing.assert_allclose(a[0], e[:2, :2], rtol=1e-10, atol=1e-12 * max(w, 1))
    np.testing.assert_allclose(b[0], b_ref, rtol=1e-7, atol=1e-12 * np.abs(b_ref).max())


@pytest.mark.parametrize("n", [2, 3, 17, 256, 257, 1000])
def test_displacement_equals_lsim_for_piecewise_linear_input(n: int) -> None:
    rng = np.random.default_rng(n)
    dt = 0.01
    acc = rng.standard_normal((2, n))
    periods = np.array([0.03, 0.25, 2.0])
    u = sdof_displacement(acc, dt, periods, damping=0.05)
    assert u.shape == (2, 3, n)
    t = np.arange(n) * dt
    for k, period in enumerate(periods):
        w = 2 * np.pi / period
        system = signal.StateSpace([[0, 1], [-(w**2), -0.1 * w]], [[0], [-1]], [[1, 0]], [[0]])
        for i in range(2):
            _, ref, _ = signal.lsim(system, acc[i], t, interp=True)
            np.testing.assert_allclose(u[i, k], ref, rtol=0, atol=1e-9 * np.abs(ref).max())


def test_oversampled_displacement_follows_the_continuous_response() -> None:
    rng = np.random.default_rng(1)
    dt, n, r = 0.02, 60, 7
    acc = rng.standard_normal(n)
    period = 0.05
    u = sdof_displacement(acc, dt, [period], 0.05, oversample=r)[0]
    t = np.arange(n) * dt
    fine = np.arange(r * (n - 1) + 1) * dt / r
    w = 2 * np.pi / period
    system = signal.StateSpace([[0, 1], [-(w**2), -0.1 * w]], [[0], [-1]], [[1, 0]], [[0]])
    _, ref, _ = signal.lsim(system, np.interp(fine, t, acc), fine, interp=True)
    np.testing.assert_allclose(u, ref, atol=1e-9 * np.abs(ref).max())


def test_psa_equals_continuous_peak_from_solve_ivp() -> None:
    rng = np.random.default_rng(2)
    dt, n = 0.01, 60
    acc = band_limited_record(rng, n, dt, 30.0)
    t = np.arange(n) * dt
    periods = np.array([0.015, 0.04, 0.5])
    got = response_spectrum(acc, dt, periods, points_per_period=400)
    for k, period in enumerate(periods):
        w = 2 * np.pi / period

        def rhs(time, y, w=w):
            return [y[1], -np.interp(time, t, acc) - 0.1 * w * y[1] - w * w * y[0]]

        fine = np.linspace(0, t[-1], 400 * n)
        sol = solve_ivp(
            rhs, (0, t[-1]), [0, 0], t_eval=fine, rtol=1e-10, atol=1e-14, max_step=dt / 4
        )
        ref = w * w * np.abs(sol.y[0]).max()
        assert got[k] == pytest.approx(ref, rel=2e-4)


def test_default_oversampling_reduces_short_period_error() -> None:
    rng = np.random.default_rng(3)
    dt = 0.01
    acc = band_limited_record(rng, 1500, dt, 45.0)
    periods = np.array([0.012, 0.02, 0.03, 0.05])
    exact = response_spectrum(acc, dt, periods, points_per_period=500)
    default = response_spectrum(acc, dt, periods)
    grid_only = response_spectrum(acc, dt, periods, points_per_period=None)
    assert np.all(grid_only <= exact * (1 + 1e-6))
    assert np.all(default <= exact * (1 + 1e-6))
    # peak of a sinusoid sampled 10 times per period is within 1 − cos(π/10) of the true one
    assert np.all(default >= exact * np.cos(np.pi / 10))
    assert np.abs(default / exact - 1).max() < np.abs(grid_only / exact - 1).max()


def test_resonant_harmonic_input_matches_closed_form() -> None:
    period, xi, amp, dt = 1.0, 0.05, 0.3, 0.001
    w = 2 * np.pi / period
    t = np.arange(int(30 * period / dt) + 1) * dt
    acc = amp * np.sin(w * t)
    c = amp / (2 * xi * w * w)
    wd = w * np.sqrt(1 - xi**2)
    u_ref = c * (
        np.cos(w * t) - np.exp(-xi * w * t) * (np.cos(wd * t) + xi * w / wd * np.sin(wd * t))
    )
    u = sdof_displacement(acc, dt, [period], xi)[0]
    np.testing.assert_allclose(u, u_ref, atol=1e-4 * c)
    psa = response_spectrum(acc, dt, [period], xi)[0]
    assert psa == pytest.approx(w * w * np.abs(u_ref).max(), rel=1e-4)
    assert psa == pytest.approx(amp / (2 * xi), rel=1e-3)  # steady-state amplification 1/(2ξ)


def test_very_short_period_tends_to_pga_and_zero_period_is_pga() -> None:
    rng = np.random.default_rng(4)
    acc = band_limited_record(rng, 2000, 0.01, 5.0)
    psa = response_spectrum(acc, 0.01, [0.0, 0.001])
    assert psa[0] == np.abs(acc).max()
    assert psa[1] == pytest.approx(np.abs(acc).max(), rel=2e-3)


def test_agrees_with_pyrotd_on_zero_padded_synthetic_records() -> None:
    # pyrotd's FFT response is circular: pad long enough for the free vibration to decay
    # (e^(−ξωt) < 1e-4 at T = 5 s), and stay at T ≥ 25 Δt where piecewise-linear and
    # band-limited readings of the record differ by < 1 − sinc²(0.04) = 0.5 %.
    rng = np.random.default_rng(5)
    dt = 0.01
    periods = DEFAULT_PERIODS[(25 * dt <= DEFAULT_PERIODS) & (DEFAULT_PERIODS <= 5.0)][::4]
    for _ in range(2):
        acc = np.concatenate([band_limited_record(rng, 3000, dt, 20.0), np.zeros(16384)])
        ours = response_spectrum(acc, dt, periods)
        np.testing.assert_allclose(ours, psa_pyrotd(acc, dt, periods), rtol=0.01)


def test_agrees_with_pyrotd_on_a_real_record_and_explains_the_differences() -> None:
    acc, dt = read_at2(AT2 / "RSN763_LOMAP_GIL067.AT2")
    padded = np.concatenate([acc, np.zeros(2**15 - acc.size)])
    accurate = DEFAULT_PERIODS[20 * dt <= DEFAULT_PERIODS][::3]
    np.testing.assert_allclose(
        response_spectrum(padded, dt, accurate), psa_pyrotd(padded, dt, accurate), rtol=0.01
    )
    # long periods: pyrotd's FFT is circular, so without zero padding the response wraps around
    long = np.array([5.0, 10.0])
    ours = response_spectrum(acc, dt, long)
    unpadded = np.abs(psa_pyrotd(acc, dt, long) / ours - 1)
    padded_err = np.abs(psa_pyrotd(padded, dt, long) / ours - 1)
    assert np.all(padded_err < 0.01)
    assert np.all(unpadded > padded_err)
    # very short periods: pyrotd reads the record as band-limited (sinc interpolation), the
    # recurrence as piecewise linear; on a 10× sinc-resampled record the two agree again.
    short = np.array([0.01, 0.02, 0.03])
    fine = signal.resample(padded, 10 * padded.size)
    np.testing.assert_allclose(
        response_spectrum(fine, dt / 10, short), psa_pyrotd(padded, dt, short), rtol=0.01
    )


def test_rotd_matches_pyrotd_rigorous() -> None:
    h1, dt = read_at2(AT2 / "RSN763_LOMAP_GIL067.AT2")
    h2, _ = read_at2(AT2 / "RSN763_LOMAP_GIL337.AT2")
    pad = np.zeros(2**14 - h1.size)
    h1, h2 = np.concatenate([h1, pad]), np.concatenate([h2, pad])
    periods = np.array([0.1, 0.3, 1.0, 3.0])
    ours = rotd(h1, h2, dt, periods, percentiles=(0, 50, 100))
    ref = pyrotd.calc_rotated_spec_accels(
        dt, h1, h2, 1 / periods, percentiles=[0, 50, 100], method="rigorous"
    )
    for q, pct in enumerate((0, 50, 100)):
        expected = ref.spec_accel[ref.percentile == pct]
        np.testing.assert_allclose(ours["psa"][q], expected, rtol=0.01)
    pga_ref = pyrotd.calc_rotated_peaks(dt, h1, h2, "pga", [0, 50, 100], method="rigorous")
    np.testing.assert_allclose(ours["pga"], pga_ref.pga, rtol=1e-12)


def test_rotd_brackets_the_components_and_rotd50_is_median() -> None:
    rng = np.random.default_rng(6)
    h1 = band_limited_record(rng, 800, 0.01, 15.0)
    h2 = 0.6 * band_limited_record(rng, 800, 0.01, 15.0)
    periods = np.array([0.05, 0.2, 1.0])
    out = rotd(h1, h2, 0.01, periods, percentiles=(0, 50, 100))
    both = response_spectrum(np.stack([h1, h2]), 0.01, periods)
    assert np.all(out["psa"][2] >= both.max(axis=0) * (1 - 1e-9))
    assert np.all(out["psa"][0] <= both.min(axis=0) * (1 + 1e-9))
    # RotD50 of 180 angles is the mean of the 90th and 91st smallest rotated peaks
    u = sdof_displacement(np.stack([h1, h2]), 0.01, [1.0], oversample=1)[:, 0]
    theta = np.radians(np.arange(180))
    peaks = np.sort(np.abs(np.cos(theta)[:, None] * u[0] + np.sin(theta)[:, None] * u[1]).max(1))
    assert out["psa"][1, 2] == pytest.approx((2 * np.pi) ** 2 * peaks[89:91].mean(), rel=1e-9)


def test_shapes_kinds_and_torch_round_trip() -> None:
    rng = np.random.default_rng(8)
    acc = rng.standard_normal((3, 2, 500))
    periods = np.array([0.1, 1.0])
    batch = response_spectrum(acc, 0.01, periods)
    assert batch.shape == (3, 2, 2)
    np.testing.assert_allclose(batch[1, 0], response_spectrum(acc[1, 0], 0.01, periods))
    tensor = response_spectrum(torch.from_numpy(acc).float(), 0.01, periods)
    assert isinstance(tensor, torch.Tensor) and tensor.dtype == torch.float32
    np.testing.assert_allclose(tensor.numpy(), batch, rtol=1e-5)
    w = 2 * np.pi / periods
    sd = response_spectrum(acc, 0.01, periods, kind="sd")
    np.testing.assert_allclose(response_spectrum(acc, 0.01, periods, kind="psv"), sd * w)
    np.testing.assert_allclose(batch, sd * w**2)


records = st.lists(
    st.floats(-10, 10, allow_nan=False, allow_subnormal=False), min_size=2, max_size=300
).map(np.array)


@settings(max_examples=25, deadline=None)
@given(acc=records, scale=st.floats(-1e3, 1e3).filter(lambda s: abs(s) > 1e-3))
def test_scaling_the_record_scales_psa(acc: np.ndarray, scale: float) -> None:
    periods = np.array([0.02, 0.2, 2.0])
    base = response_spectrum(acc, 0.01, periods)
    scaled = response_spectrum(scale * acc, 0.01, periods)
    np.testing.assert_allclose(scaled, abs(scale) * base, rtol=1e-9, atol=1e-12 * abs(scale))


@settings(max_examples=25, deadline=None)
@given(acc=records, shift=st.integers(1, 200))
def test_zero_padding_in_front_leaves_psa_unchanged(acc: np.ndarray, shift: int) -> None:
    acc = np.concatenate([[0.0], acc])  # at rest before the record: the input starts at 0
    periods = np.array([0.02, 0.2, 2.0])
    base = response_spectrum(acc, 0.01, periods)
    padded = np.concatenate([np.zeros(shift), acc])
    shifted = response_spectrum(padded, 0.01, periods)
    np.testing.assert_allclose(shifted, base, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"acc": np.array([0.0, np.nan, 1.0])}, "non-finite"),
        ({"acc": np.ones((2, 3, 4)) * np.array([1, 1, np.inf, 1])}, r"record \(0, 0\)"),
        ({"acc": np.zeros(0)}, "empty"),
        ({"acc": np.zeros((1, 1, 1, 5))}, "shape"),
        ({"acc": np.array(["a", "b"])}, "real numbers"),
        ({"dt": 0.0}, "dt"),
        ({"dt": -0.01}, "dt"),
        ({"dt": float("nan")}, "dt"),
        ({"periods": [-1.0]}, "periods"),
        ({"damping": 1.0}, "damping"),
    ],
)
def test_bad_input_raises_a_clear_data_error(kwargs: dict, message: str) -> None:
    args = {"acc": np.ones(50), "dt": 0.01, "periods": [0.1], "damping": 0.05} | kwargs
    with pytest.raises(DataError, match=message):
        response_spectrum(**args)


def test_rotd_rejects_mismatched_components() -> None:
    with pytest.raises(DataError, match="same shape"):
        rotd(np.ones(10), np.ones(11), 0.01, [0.1])


def test_chunks_and_threads_do_not_change_the_result() -> None:
    rng = np.random.default_rng(9)
    acc = rng.standard_normal((20, 2**15 + 3))  # several chunks of records
    periods = np.array([0.015, 0.3, 3.0])
    threaded = response_spectrum(acc, 0.01, periods, workers=2)
    for i in (0, 9, 19):
        single = response_spectrum(acc[i], 0.01, periods, workers=1)
        np.testing.assert_allclose(threaded[i], single, rtol=1e-6)


def test_oversampled_peaks_of_many_records_equal_lsim_on_the_interpolated_record() -> None:
    # 70 records: more than one block of the kernel's record lanes, the last one partly filled;
    # the periods need 8, 3 and 1 evaluations per sampling interval.
    rng = np.random.default_rng(10)
    dt, n = 0.01, 150
    acc = rng.standard_normal((70, n))
    periods = np.array([0.013, 0.04, 0.3])
    got = response_spectrum(acc, dt, periods, kind="sd")
    t = np.arange(n) * dt
    for k, (period, r) in enumerate(zip(periods, (8, 3, 1), strict=True)):
        w = 2 * np.pi / period
        system = signal.StateSpace([[0, 1], [-(w**2), -0.1 * w]], [[0], [-1]], [[1, 0]], [[0]])
        fine = np.arange(r * (n - 1) + 1) * dt / r
        for i in (0, 1, 63, 64, 69):
            _, ref, _ = signal.lsim(system, np.interp(fine, t, acc[i]), fine, interp=True)
            assert got[i, k] == pytest.approx(np.abs(ref).max(), rel=1e-8)


def test_worker_count_does_not_change_the_result_and_must_be_positive() -> None:
    rng = np.random.default_rng(11)
    acc = rng.standard_normal((5, 3, 400))
    periods = np.array([0.02, 0.5])
    one = response_spectrum(acc, 0.01, periods, workers=1)
    np.testing.assert_allclose(response_spectrum(acc, 0.01, periods), one, rtol=1e-12)
    np.testing.assert_allclose(response_spectrum(acc[2, 1], 0.01, periods), one[2, 1], rtol=1e-12)
    with pytest.raises(DataError, match="workers"):
        response_spectrum(acc, 0.01, periods, workers=0)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_t=st.integers(2, 300),
    ratio=st.floats(0.0, 1.0),
)
def test_rotated_peaks_pruning_equals_brute_force(seed: int, n_t: int, ratio: float) -> None:
    """The pruned rotation kernel equals max over all samples at every angle."""
    from seismoalice.metrics.rotd import _rotated_peaks

    rng = np.random.default_rng(seed)
    u1 = rng.standard_normal((3, n_t))
    u2 = ratio * rng.standard_normal((3, n_t)) + (1 - ratio) * u1  # from isotropic to polarised
    theta = np.radians(np.arange(180.0))
    brute = np.abs(
        u1[:, None, :] * np.cos(theta)[:, None] + u2[:, None, :] * np.sin(theta)[:, None]
    )
    np.testing.assert_allclose(
        _rotated_peaks(u1, u2, np.cos(theta), np.sin(theta)), brute.max(axis=-1), rtol=1e-12
    )
