"""Waveform measures in the evaluation (seismoalice.evaluation.waveform, outputs, plots).

References: a record against itself (or a scaled copy) has identical waveform measures and no
fine-structure residual; a zero-padded record has the measures of the record alone (computed
here with the library functions on the unpadded record); independent noise per component has
a lower coherence than components that share their motion; a missing component is counted
out, never a crash; a figure that fails to draw costs nothing already computed.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from seismoalice.data.filters import bandpass
from seismoalice.evaluation import plots
from seismoalice.evaluation.compute import evaluate_pairs
from seismoalice.evaluation.config import EvaluationConfig
from seismoalice.evaluation.outputs import write_outputs
from seismoalice.evaluation.plots import plot_example, plot_waveform
from seismoalice.evaluation.waveform import waveform_frequencies
from seismoalice.metrics import component_coherence, fas_fine_structure, hv_ratio

DT = 0.01
CONFIG = EvaluationConfig(
    periods=tuple(np.geomspace(0.02, 3.0, 8)), n_frequencies=16, tf_nf=8, n_examples=1
)


def shared_motion(n: int, length: int = 1500, seed: int = 0) -> np.ndarray:
    """(n, 3, length): components that share one enveloped band-limited motion plus their own."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) * DT
    envelope = (t / 3.0) ** 2 * np.exp(-t / 3.0)
    common = rng.standard_normal((n, 1, length))
    own = rng.standard_normal((n, 3, length))
    return bandpass((common + 0.5 * own) * envelope, 1 / DT, 0.3, 25.0)


def test_scaled_copy_has_identical_waveform_measures() -> None:
    ref = shared_motion(3)
    picks = (np.full(3, 200.0), np.full(3, 500.0))
    result = evaluate_pairs(3.0 * ref, ref, DT, config=CONFIG, picks=picks)
    for key in ("coherence", "hv", "p_energy_fraction", "fas_fine_sigma", "texture"):
        np.testing.assert_allclose(result.pred[key], result.ref[key], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(result.gof["fine_structure_residual_sigma"], 0.0, atol=1e-9)
    waveform = result.summary["waveform"]
    assert waveform["coherence"]["NE"]["mean_over_frequency"]["difference"] == pytest.approx(
        0.0, abs=1e-9
    )
    assert waveform["p_energy_fraction"]["Z"]["n_pred"] == 3
    assert result.summary["two_sample"]["skipped"].startswith("3 record pairs")


def test_padded_records_have_the_measures_of_the_record_alone() -> None:
    ref = shared_motion(2, 1200, seed=1)
    short = ref.copy()
    short[1, :, 800:] = 0.0  # record 1 is 800 samples long, zero padded to 1,200
    result = evaluate_pairs(short, short, DT, config=CONFIG)
    alone = short[1:, :, :800]
    freqs = waveform_frequencies(CONFIG)
    _, coherence = component_coherence(alone, DT, freqs, CONFIG.coherence_segment_s)
    np.testing.assert_allclose(result.ref["coherence"][1], coherence[0], rtol=1e-9)
    _, hv = hv_ratio(alone, DT, freqs)
    np.testing.assert_allclose(result.ref["hv"][1], hv[0], rtol=1e-9)
    sigma = fas_fine_structure(alone, DT, CONFIG.fmin, CONFIG.fmax)
    np.testing.assert_allclose(result.ref["fas_fine_sigma"][1], sigma[0], rtol=1e-12)


def test_independent_noise_per_component_loses_the_coherence() -> None:
    ref = shared_motion(12, seed=2)
    rng = np.random.default_rng(3)
    envelope = np.sqrt(np.mean(ref**2, axis=1, keepdims=True))  # same level, no shared phase
    noise = bandpass(rng.standard_normal(ref.shape), 1 / DT, 0.3, 25.0) * envelope
    result = evaluate_pairs(noise, ref, DT, config=CONFIG)
    for pair in ("ZN", "ZE", "NE"):
        compared = result.summary["waveform"]["coherence"][pair]["mean_over_frequency"]
        assert compared["ref"] > 0.5 and compared["pred"] < compared["ref"] - 0.3


def test_missing_components_are_counted_out() -> None:
    ref = shared_motion(3, seed=4)
    ref[0, 0] = 0.0  # record 0 has no vertical
    picks = (np.array([200.0, np.nan, 200.0]), np.full(3, np.nan))
    result = evaluate_pairs(ref.copy(), ref, DT, config=CONFIG, picks=picks)
    assert np.isnan(result.ref["coherence"][0, :2]).all()  # ZN, ZE undefined
    assert np.isfinite(result.ref["coherence"][0, 2]).all()  # NE defined
    assert np.isnan(result.ref["hv"][0]).all()
    assert np.isnan(result.ref["p_energy_fraction"][1]).all()  # no P pick
    waveform = result.summary["waveform"]
    assert waveform["coherence"]["ZN"]["ref"]["n"] == [2] * CONFIG.n_waveform_frequencies
    assert waveform["hv"]["ln_mean_over_frequency"]["n_ref"] == 2
    assert waveform["p_energy_fraction"]["Z"]["n_ref"] == 1  # record 0: no Z; record 1: no pick
    json.dumps(result.to_json(), allow_nan=True)


def test_classifier_runs_on_enough_pairs_and_is_seeded() -> None:
    ref = shared_motion(12, seed=5)
    result = evaluate_pairs(ref.copy(), ref, DT, config=CONFIG)
    test = result.summary["two_sample"]
    assert test["n_real_test"] == 6 and test["n_gen_test"] == 6
    assert test["split"].startswith("record pairs")
    again = evaluate_pairs(ref.copy(), ref, DT, config=CONFIG)
    assert again.summary["two_sample"] == test


def test_a_failing_figure_costs_no_result(tmp_path, monkeypatch) -> None:
    ref = shared_motion(3, seed=6)
    result = evaluate_pairs(2.0 * ref, ref, DT, config=CONFIG)

    def broken(results):
        raise RuntimeError("no display")

    monkeypatch.setattr(plots, "plot_eg_pg", broken)
    written = write_outputs({"pred": result}, tmp_path)
    assert written.figure_errors == {"EG–PG goodness of fit": "RuntimeError: no display"}
    assert (tmp_path / "metrics.json").is_file() and (tmp_path / "records.npz").is_file()
    assert "| PGA bias / σ (horizontals) |" in (tmp_path / "summary.md").read_text()
    html = (tmp_path / "report.html").read_text()
    assert "could not be drawn: RuntimeError: no display" in html
    assert (tmp_path / "waveform.png").is_file()


def test_figures_take_methods_with_different_record_sets() -> None:
    ref = shared_motion(4, seed=7)
    names = ["a", "b", "c", "d"]
    full = evaluate_pairs(2.0 * ref, ref, DT, names=names, config=CONFIG)
    bad = 2.0 * ref
    bad[0, 1, 5] = np.nan  # this method's record "a" is skipped
    partial = evaluate_pairs(bad, ref, DT, names=names, config=CONFIG)
    results = {"full": full, "partial": partial}
    fig = plot_waveform(results)
    assert len(fig.axes) == 4 and fig.axes[3].get_yscale() == "log"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"reference", "full", "partial"} <= set(labels)
    fig = plot_example(results, "a")  # only "full" holds record "a"
    assert len(fig.axes) == 12
