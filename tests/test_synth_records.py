"""Synthetic accelerograms look like earthquakes: spectra, scaling, durations, peaks, noise.

References are independent of the generator: the theoretical Boore (2003) spectrum (checked
against the formula in test_synth_model.py), pyrotd response spectra, parameter recovery (κ0,
spectral slope, Gutenberg–Richter b) and the empirical PGA level of the reference document.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from seismoalice.data.synthetic import (
    SynthConfig,
    draw_parameters,
    simulate_records,
    target_fas,
)

G = 9.80665
DT = 0.01

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pyrotd


def fixed_config(**values: object) -> SynthConfig:
    """Config with every parameter fixed (degenerate ranges, no scatter)."""
    mw = values.pop("mw", 6.0)
    r = values.pop("r", 20.0)
    vs30 = values.pop("vs30", 760.0)
    base = {
        "mw_range": (mw, mw),
        "distance_km_range": (r, r),
        "depth_km_range": (8.0, 8.0),
        "vs30_mps_range": (vs30, vs30),
        "kappa0_median_s": 0.035,
        "kappa0_sigma_ln": 0.0,
        "stress_drop_median_bar": 100.0,
        "stress_drop_sigma_ln": 0.0,
    }
    base.update(values)
    return SynthConfig(**base)


def simulate(cfg: SynthConfig, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return simulate_records(draw_parameters(cfg, n, rng), cfg, rng)


def fas(acc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """FAS = Δt |DFT| [m/s] (metrics.md §3) on the record's own grid (no taper: records start
    and end at noise level)."""
    return np.fft.rfftfreq(acc.shape[-1], DT), DT * np.abs(np.fft.rfft(acc, axis=-1))


def horizontal_rms_fas(acc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    f, amp = fas(acc[:, 1:].astype(float))
    return f, np.sqrt(np.mean(amp**2, axis=(0, 1)))


def band_average(f: np.ndarray, y: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Mean of ``y`` over ±1/6 octave around each centre frequency."""
    return np.array([y[(f >= c * 2 ** (-1 / 6)) & (f <= c * 2 ** (1 / 6))].mean() for c in centres])


def psa(acc: np.ndarray, periods: list[float]) -> np.ndarray:
    """5%-damped PSA [m/s²] of each trace with pyrotd, zero-padded by 60 s (metrics.md §1)."""
    freqs = 1.0 / np.asarray(periods)
    out = []
    for trace in acc.reshape(-1, acc.shape[-1]).astype(float):
        padded = np.concatenate([trace, np.zeros(6000)])
        out.append(pyrotd.calc_spec_accels(DT, padded, freqs, 0.05).spec_accel)
    return np.asarray(out).reshape(*acc.shape[:-1], len(periods))


def d5_95(acc: np.ndarray) -> np.ndarray:
    """Significant duration D5-95 [s] from the Husid curve (Trifunac & Brady 1975)."""
    husid = np.cumsum(acc.astype(float) ** 2, axis=-1)
    husid /= husid[..., -1:]
    t5 = np.argmax(husid >= 0.05, axis=-1)
    t95 = np.argmax(husid >= 0.95, axis=-1)
    return (t95 - t5) * DT


def test_records_shape_units_and_determinism() -> None:
    cfg = SynthConfig(seed=4)
    a = simulate(cfg, 10, seed=11)
    b = simulate(cfg, 10, seed=11)
    c = simulate(cfg, 10, seed=12)
    assert a.shape == (10, 3, 4096) and a.dtype == np.float32
    assert np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # the generator state alone fixes the records (several thread blocks of 64 rows)
    rng = np.random.default_rng(5)
    params = draw_parameters(cfg, 130, rng)
    state = rng.bit_generator.state
    whole = simulate_records(params, cfg, rng)
    rng.bit_generator.state = state
    np.testing.assert_array_equal(whole, simulate_records(params, cfg, rng))


def test_fas_follows_target_spectrum() -> None:
    cfg = fixed_config(mw=5.5, r=20.0, p_to_s_range=(0.0, 0.0), snr_db_range=(100.0, 100.0))
    acc = simulate(cfg, 300)
    f, rms = horizontal_rms_fas(acc)
    centres = np.geomspace(0.2, 30.0, 20)
    target = target_fas(5.5, 20.0, f, 100.0, 0.035, 760.0)
    ratio = band_average(f, rms**2, centres) / band_average(f, target**2, centres)
    np.testing.assert_allclose(np.sqrt(ratio), 1.0, atol=0.07)


def test_fas_rises_as_f_squared_below_corner() -> None:
    # Mw 5, Δσ 100 bar: f0 ≈ 1.13 Hz; fit ln FAS vs ln f over 0.07–0.3 Hz
    cfg = fixed_config(mw=5.0, r=15.0, snr_db_range=(100.0, 100.0))
    f, rms = horizontal_rms_fas(simulate(cfg, 200))
    band = (f >= 0.07) & (f <= 0.3)
    slope = np.polyfit(np.log(f[band]), np.log(rms[band]), 1)[0]
    expected = 2 - 2 * (0.15 / 1.13) ** 2  # local slope of f²/(1 + (f/f0)²) at mid-band
    assert slope == pytest.approx(expected, abs=0.2)


@pytest.mark.parametrize("kappa0", [0.02, 0.05])
def test_kappa_recovered_from_high_frequency_slope(kappa0: float) -> None:
    # Anderson & Hough (1984): ln FAS ≈ const − π κ f above the corner; Mw 4.5 (f0 ≈ 2 Hz)
    # at 10 km on stiff rock keeps the path and site slopes small
    cfg = fixed_config(
        mw=4.5,
        r=10.0,
        vs30=1000.0,
        kappa0_median_s=kappa0,
        snr_db_range=(100.0, 100.0),
        depth_km_range=(5.0, 5.0),
    )
    f, rms = horizontal_rms_fas(simulate(cfg, 200))
    band = (f >= 10.0) & (f <= 35.0)
    kappa_fit = -np.polyfit(f[band], np.log(rms[band]), 1)[0] / np.pi
    assert kappa_fit == pytest.approx(kappa0, rel=0.15)


def _median_intensities(mw: float, r: float, n: int = 40) -> dict[str, float]:
    acc = simulate(fixed_config(mw=mw, r=r), n, seed=int(10 * mw + r))
    horizontal = acc[:, 1:]
    spectra = psa(horizontal, [0.2, 1.0])
    return {
        "pga": float(np.median(np.abs(horizontal).max(axis=-1))),
        "psa02": float(np.median(spectra[..., 0])),
        "psa1": float(np.median(spectra[..., 1])),
        "d5_95": float(np.median(d5_95(horizontal))),
    }


@pytest.fixture(scope="module")
def scaling() -> dict[tuple[float, float], dict[str, float]]:
    cases = [(4.5, 30.0), (5.5, 30.0), (6.5, 30.0), (6.0, 15.0), (6.0, 40.0), (6.0, 90.0)]
    return {case: _median_intensities(*case) for case in cases}


@pytest.mark.parametrize("measure", ["pga", "psa02", "psa1", "d5_95"])
def test_intensity_grows_with_magnitude(scaling: dict, measure: str) -> None:
    values = [scaling[(m, 30.0)][measure] for m in (4.5, 5.5, 6.5)]
    assert values[0] < values[1] < values[2]


@pytest.mark.parametrize("measure", ["pga", "psa02", "psa1"])
def test_intensity_decays_with_distance(scaling: dict, measure: str) -> None:
    values = [scaling[(6.0, r)][measure] for r in (15.0, 40.0, 90.0)]
    assert values[0] > values[1] > values[2]


def test_duration_grows_with_distance(scaling: dict) -> None:
    values = [scaling[(6.0, r)]["d5_95"] for r in (15.0, 40.0, 90.0)]
    assert values[0] < values[1] < values[2]


def test_long_period_motion_grows_faster_with_magnitude(scaling: dict) -> None:
    # Boore (2003): PSA at 1 s grows faster with magnitude than PGA (corner frequency shift)
    small, large = scaling[(4.5, 30.0)], scaling[(6.5, 30.0)]
    assert large["psa1"] / small["psa1"] > 1.5 * large["pga"] / small["pga"]


def test_pga_of_mw6_at_20km_on_rock() -> None:
    # reference: PGA of Mw 6 at 20 km on rock is of the order of 0.1–0.3 g (factor ~2)
    acc = simulate(fixed_config(mw=6.0, r=20.0, vs30=760.0), 100)
    pga_g = np.median(np.abs(acc[:, 1:]).max(axis=-1)) / G
    assert 0.05 < pga_g < 0.6


def test_three_components_arrivals_and_noise() -> None:
    cfg = fixed_config(mw=6.0, r=60.0, snr_db_range=(40.0, 40.0), p_to_s_range=(0.2, 0.2))
    rng = np.random.default_rng(3)
    params = draw_parameters(cfg, 60, rng)
    acc = simulate_records(params, cfg, rng).astype(float)
    p_idx = int(params["trace_p_arrival_sample"].iloc[0])
    s_idx = int(params["trace_s_arrival_sample"].iloc[0])
    assert p_idx == 200 and s_idx == pytest.approx(200 + 60 * (1 / 3.5 - 1 / 6.055) * 100, abs=1)
    peak = np.abs(acc).max(axis=-1)  # (N, 3)
    # V/H of peaks ≈ 0.5–0.7 (reference)
    vh = np.median(peak[:, 0] / np.sqrt(peak[:, 1] * peak[:, 2]))
    assert 0.4 < vh < 0.8
    # P window (between P and S) is dominated by Z and weaker than the S waves
    p_rms = np.sqrt(np.mean(acc[:, :, p_idx + 50 : s_idx - 20] ** 2, axis=-1))
    s_rms = np.sqrt(np.mean(acc[:, :, s_idx : s_idx + 500] ** 2, axis=-1))
    assert np.median(p_rms[:, 0] / p_rms[:, 1]) > 1.5
    assert 0.05 < np.median(p_rms[:, 0] / s_rms[:, 0]) < 0.6
    # pre-event noise: std = PGA_H · 10^(−SNR/20) with SNR = 40 dB
    noise_std = acc[:, :, : p_idx - 100].std(axis=-1)
    pga_h = peak[:, 1:].max(axis=1)
    np.testing.assert_allclose(np.median(noise_std / pga_h[:, None]), 0.01, rtol=0.1)
    # horizontals are independent realisations (uncorrelated), of equal level
    corr = [np.corrcoef(a[1], a[2])[0, 1] for a in acc]
    assert abs(np.median(corr)) < 0.1
    assert np.median(peak[:, 1] / peak[:, 2]) == pytest.approx(1.0, abs=0.2)


def test_strong_motion_inside_window_for_extreme_event() -> None:
    cfg = fixed_config(mw=7.0, r=100.0)
    acc = simulate(cfg, 20).astype(float)
    husid = np.cumsum(acc[:, 1:] ** 2, axis=-1)
    # the last 3 s of the trace hold less than 2% of the energy
    tail = 1 - husid[..., -300] / husid[..., -1]
    assert np.median(tail) < 0.02


def test_parameter_distributions() -> None:
    cfg = SynthConfig(mw_distribution="gutenberg-richter", mw_range=(4.0, 7.0), b_value=1.0)
    params = draw_parameters(cfg, 20000, np.random.default_rng(8))
    mw = params["source_magnitude"].to_numpy()
    assert mw.min() >= 4.0 and mw.max() <= 7.0
    # Aki (1965) / Page (1968) maximum-likelihood b of a truncated GR sample
    beta_grid = np.linspace(1.0, 3.5, 2501)
    mean_excess = (mw - 4.0).mean()
    width = 3.0
    model_mean = 1 / beta_grid - width * np.exp(-beta_grid * width) / (
        1 - np.exp(-beta_grid * width)
    )
    b_hat = beta_grid[np.argmin(np.abs(model_mean - mean_excess))] / np.log(10)
    assert b_hat == pytest.approx(1.0, abs=0.05)
    r = params["path_hyp_distance_km"].to_numpy()
    u = (np.log(r) - np.log(10)) / (np.log(100) - np.log(10))
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    depth = params["source_depth_km"].to_numpy()
    assert (depth <= r).all() and (depth >= 2.0).all() and (depth <= 20.0).all()
    epi = params["path_ep_distance_km"].to_numpy()
    np.testing.assert_allclose(epi**2 + depth**2, r**2, rtol=1e-9)
    vs30 = params["station_vs30_mps"].to_numpy()
    assert vs30.min() >= 200 and vs30.max() <= 1000
    kappa = params["station_kappa0_s"].to_numpy()
    assert np.median(kappa) == pytest.approx(0.035, rel=0.03)
    assert np.log(kappa).std() == pytest.approx(0.4, rel=0.05)


def test_pga_agrees_with_real_records() -> None:
    """Residuals ln(PGA_real / median PGA_synthetic) of 56 NGA-West2 components (12 events,
    Mw 5.7–6.9, 10–100 km, tests/data/strongmotion_pga.csv) have a GMPE-like bias and scatter.

    The point source is placed at the effective distance sqrt(Rrup² + h²) with the near-source
    saturation h = 10^(−0.405 + 0.235 Mw) km of Yenier & Atkinson (2015).
    """
    table = pd.read_csv(Path(__file__).parent / "data" / "strongmotion_pga.csv")
    residuals = []
    for row in table.itertuples():
        r_eff = max(np.hypot(row.rrup_km, 10 ** (-0.405 + 0.235 * row.magnitude)), 10.0)
        cfg = SynthConfig(
            mw_range=(row.magnitude, row.magnitude),
            distance_km_range=(r_eff, r_eff),
            depth_km_range=(8.0, 8.0),
            vs30_mps_range=(min(row.vs30_mps, 2000.0),) * 2,
        )
        acc = simulate(cfg, 20, seed=row.Index)
        synthetic = np.median(np.abs(acc[:, 1:]).max(axis=-1))
        residuals.append(np.log(row.pga_g * G / synthetic))
    residuals = np.asarray(residuals)
    # typical GMPE: |bias| well below ln 2 and total σ 0.6–0.8 (metrics.md §8)
    assert abs(residuals.mean()) < np.log(2)
    assert 0.3 < residuals.std(ddof=1) < 1.0
