"""Baselines: lf, stochastic hybrid, spectral matching and ANN2BB on synthetic records."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from array_dataset import ArrayWaveformDataset
from hypothesis import given, settings
from hypothesis import strategies as st

from seismoalice.baselines.ann2bb import (
    Ann2bbMethod,
    Ann2bbModel,
    ann_periods,
    log_component_psa,
)
from seismoalice.baselines.base import BroadbandMethod
from seismoalice.baselines.lf import LFMethod
from seismoalice.baselines.spectral_matching import log_gain_basis, spectral_match
from seismoalice.baselines.stochastic import StochasticMethod, estimate_magnitude_distance
from seismoalice.data.filters import lowpass
from seismoalice.data.synthetic import SynthConfig, draw_parameters, simulate_records
from seismoalice.errors import DataError
from seismoalice.metrics.psa import response_spectrum
from seismoalice.training.config import config_from_dict
from seismoalice.training.loop import train_stage

FS, FC = 100.0, 1.0


@pytest.fixture(scope="module")
def synthetic() -> dict:
    cfg = SynthConfig(nt=4096, seed=3)
    rng = np.random.default_rng(3)
    params = draw_parameters(cfg, 160, rng)
    bb = simulate_records(params, cfg, rng).astype(np.float64)
    return {"params": params, "bb": bb, "lf": lowpass(bb, FS, FC)}


@pytest.fixture(scope="module")
def model(synthetic: dict, tmp_path_factory) -> Ann2bbModel:
    """ANN2BB trained on the first 120 records by the ``ann2bb`` training stage."""
    cfg = config_from_dict(
        {
            "train": {"progress": False, "device": "cpu", "checkpoint_every": 400},
            "validation": {"every": 400},
            "stages": {"ann2bb": {"n_nets": 8, "epochs": 400}},
        }
    )
    data = ArrayWaveformDataset(synthetic["bb"][:120], FS, FC)
    out = tmp_path_factory.mktemp("ann2bb")
    pre = {"sampling_rate": FS, "nt": 4096, "fc": FC}
    train_stage("ann2bb", cfg, data, data, out, preprocessing=pre)
    return Ann2bbModel.load(out / "ann2bb")


def test_lf_returns_input(synthetic: dict) -> None:
    method = LFMethod()
    assert isinstance(method, BroadbandMethod)
    out = method.generate(synthetic["lf"][:4], FS, None, np.random.default_rng(0))
    np.testing.assert_array_equal(out, synthetic["lf"][:4])


def test_stochastic_informed_keeps_lf_band_and_hf_level(synthetic: dict) -> None:
    n = 30
    lf, bb = synthetic["lf"][:n], synthetic["bb"][:n]
    out = StochasticMethod("informed", fc=FC).generate(
        lf, FS, synthetic["params"].iloc[:n], np.random.default_rng(0)
    )
    f = np.fft.rfftfreq(lf.shape[-1], 1 / FS)
    band = (f > 0.1) & (f < 0.5 * FC)
    fas_out = np.abs(np.fft.rfft(lowpass(out, FS, FC)))[..., band]
    fas_lf = np.abs(np.fft.rfft(lowpass(lf, FS, FC)))[..., band]
    assert np.median(np.abs(fas_out / fas_lf - 1)) < 0.05
    ratio = np.log(response_spectrum(out, 1 / FS, [0.1]) / response_spectrum(bb, 1 / FS, [0.1]))
    assert np.median(np.abs(ratio[:, 1:])) < 1.0


def test_only_the_oracle_takes_stress_drop_kappa_and_vs30_from_the_metadata(
    synthetic: dict,
) -> None:
    meta = synthetic["params"].iloc[:3]
    lf = synthetic["lf"][:3]
    informed = StochasticMethod("informed").source_parameters(lf, FS, meta)
    oracle = StochasticMethod("oracle").source_parameters(lf, FS, meta)
    for column, default in (
        ("source_stress_drop_bar", 100.0),
        ("station_kappa0_s", 0.035),
        ("station_vs30_mps", 450.0),
    ):
        np.testing.assert_array_equal(informed[column], default)
        np.testing.assert_array_equal(oracle[column], meta[column].to_numpy())
    for table in (informed, oracle):
        np.testing.assert_array_equal(
            table["source_magnitude"], meta["source_magnitude"].to_numpy()
        )
    assert StochasticMethod("oracle").name == "stochastic_oracle"


def test_stochastic_informed_needs_metadata(synthetic: dict) -> None:
    method = StochasticMethod("informed")
    with pytest.raises(DataError, match="source_magnitude"):
        method.generate(synthetic["lf"][:2], FS, None, np.random.default_rng(0))
    meta = synthetic["params"].iloc[:2].drop(columns=["path_hyp_distance_km"])
    with pytest.raises(DataError, match="path_hyp_distance_km"):
        method.generate(synthetic["lf"][:2], FS, meta, np.random.default_rng(0))


def test_estimated_magnitude_recovery(synthetic: dict) -> None:
    mw, _ = estimate_magnitude_distance(synthetic["lf"][:40], FS, FC)
    error = mw - synthetic["params"]["source_magnitude"].to_numpy()[:40]
    assert np.median(np.abs(error)) < 0.4


def median_phase_change(before: np.ndarray, after: np.ndarray) -> float:
    """Median |phase difference| [rad] over the strong Fourier bins of ``before``."""
    a, b = np.fft.rfft(before), np.fft.rfft(after)
    strong = np.abs(a) > 0.1 * np.abs(a).max(axis=-1, keepdims=True)
    return float(np.median(np.abs(np.angle(b[strong] * np.conj(a[strong])))))


def scaled_by_smooth_gain(acc: np.ndarray, dip_hz: float | None = None) -> np.ndarray:
    """``acc`` with its Fourier amplitudes scaled by a known smooth gain, phase unchanged."""
    nfft = 2 * acc.shape[-1]
    log_f = np.log(np.maximum(np.fft.rfftfreq(nfft, 1 / FS), 1e-3))
    gain = 1 + 0.8 * np.exp(-((log_f - np.log(4.0)) ** 2))
    if dip_hz is not None:
        gain *= 1 - 0.4 * np.exp(-(((log_f - np.log(dip_hz)) / 0.3) ** 2))
    return np.fft.irfft(np.fft.rfft(acc, nfft) * gain, nfft)[:, : acc.shape[-1]]


@pytest.mark.parametrize("method", ["gauss-newton", "ratio"])
def test_spectral_matching_keeps_phase(synthetic: dict, method: str) -> None:
    acc = lowpass(synthetic["bb"][:3, 1], FS, 40.0, order=2)
    periods = np.array([0.0, 0.05, 0.1, 0.3, 1.0, 3.0])
    target = response_spectrum(acc, 1 / FS, periods) * np.array([1.5, 2.0, 0.6, 1.2, 1.0, 1.0])
    matched = spectral_match(acc, 1 / FS, periods, target, method=method)
    assert median_phase_change(acc, matched) < 0.05
    assert not np.allclose(np.abs(np.fft.rfft(acc)), np.abs(np.fft.rfft(matched)), rtol=0.05)


def test_spectral_matching_rejects_unknown_method(synthetic: dict) -> None:
    acc = synthetic["bb"][:1, 1]
    periods = np.array([0.0, 0.1])
    with pytest.raises(DataError, match="method"):
        spectral_match(acc, 1 / FS, periods, np.ones((1, 2)), method="newton")


@settings(max_examples=30, deadline=None)
@given(
    periods=st.lists(st.floats(0.02, 10.0), min_size=1, max_size=12, unique=True),
    dt=st.sampled_from([0.005, 0.01, 0.02]),
)
def test_log_gain_basis_is_a_partition_of_unity(periods: list[float], dt: float) -> None:
    nodes = 1 / np.array(periods)
    nodes = nodes[nodes < 0.5 / dt]
    f = np.unique(np.concatenate([np.fft.rfftfreq(1024, dt), nodes]))
    basis = log_gain_basis(np.array([0.0, *periods]), f, 0.5 / dt)
    assert ((basis >= 0) & (basis <= 1)).all()
    np.testing.assert_allclose(basis.sum(axis=0), 1.0, atol=1e-12)
    at_nodes = basis[:, np.searchsorted(f, nodes)]
    np.testing.assert_allclose(at_nodes.max(axis=0), 1.0, atol=1e-9)  # one hat per node


def test_gauss_newton_matches_reachable_target_on_the_ann2bb_grid(synthetic: dict) -> None:
    """Target = PSA, on the 29 periods of ANN2BB (T* = 0.75 s), of the record after a known
    smooth gain with a dip at 1.5 Hz (phase unchanged): an exact match exists; Gauss–Newton
    must reach it within 2% at every period incl. PGA and keep the phase."""
    acc = lowpass(synthetic["bb"][:4, 1], FS, 40.0, order=2)
    inputs, outputs = ann_periods(0.75)
    periods = np.concatenate([outputs, inputs])
    target = response_spectrum(scaled_by_smooth_gain(acc, dip_hz=1.5), 1 / FS, periods)
    before = np.abs(response_spectrum(acc, 1 / FS, periods) / target - 1).max()
    matched = spectral_match(acc, 1 / FS, periods, target, method="gauss-newton")
    after = np.abs(response_spectrum(matched, 1 / FS, periods) / target - 1).max()
    assert before > 0.2
    assert after < 0.02
    assert median_phase_change(acc, matched) < 0.05


def test_ratio_update_converges_to_reachable_target(synthetic: dict) -> None:
    """Target = PSA of the record with its Fourier amplitudes scaled by a smooth gain (phase
    unchanged), so an exact match exists; with the original ratio update the max error over all
    periods incl. PGA must fall with the number of iterations and end within 2%."""
    acc = lowpass(synthetic["bb"][:4, 1], FS, 40.0, order=2)
    periods = np.array([0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0])
    target = response_spectrum(scaled_by_smooth_gain(acc), 1 / FS, periods)
    errors = [
        np.abs(
            response_spectrum(
                spectral_match(acc, 1 / FS, periods, target, n, method="ratio"), 1 / FS, periods
            )
            / target
            - 1
        ).max()
        for n in (0, 1, 5, 20)
    ]
    assert errors[0] > 0.2
    assert all(later < earlier for earlier, later in itertools.pairwise(errors))
    assert errors[-1] < 0.02


def test_ensemble_beats_training_mean(synthetic: dict, model: Ann2bbModel) -> None:
    inputs, outputs = ann_periods(0.75)
    train, test = synthetic["bb"][:120], synthetic["bb"][120:]
    x, y = log_component_psa(test, 1 / FS, inputs), log_component_psa(test, 1 / FS, outputs)
    mean = log_component_psa(train, 1 / FS, outputs).mean(axis=0)
    for combine in ("best", "mean"):
        pred = model.predict(x, combine)
        assert np.mean((pred - y) ** 2) < 0.5 * np.mean((mean - y) ** 2)


def test_checkpoint_round_trip(tmp_path, synthetic: dict, model: Ann2bbModel) -> None:
    inputs, _ = ann_periods(0.75)
    x = log_component_psa(synthetic["bb"][120:125], 1 / FS, inputs)
    loaded = Ann2bbModel.load(model.save(tmp_path / "ann2bb"))
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)


def test_ann2bb_matches_its_target_within_10_percent(synthetic: dict, model: Ann2bbModel) -> None:
    rows = slice(120, 132)
    method = Ann2bbMethod(model)
    lf, meta = synthetic["lf"][rows], synthetic["params"].iloc[rows]
    hybrid = method.hybrid.generate(lf, FS, meta, np.random.default_rng(7))
    periods, target = method.target_spectrum(hybrid, 1 / FS)
    matched = spectral_match(hybrid, 1 / FS, periods, target, method.iterations, method.matching)
    ratio = response_spectrum(matched, 1 / FS, periods) / target
    assert np.abs(ratio - 1).max() < 0.10
