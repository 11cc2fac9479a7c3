"""``seismoalice evaluate`` end to end on tiny SeisBench-format data sets (typer CliRunner)."""

from __future__ import annotations

import json

import numpy as np
import obspy
import pytest
from typer.testing import CliRunner

from seismoalice.cli import app
from seismoalice.data.filters import bandpass
from seismoalice.data.seisbench_format import WaveformWriter
from seismoalice.errors import DataError
from seismoalice.evaluation.compute import EvaluationConfig, evaluate_datasets

FS = 100.0
FORMAT = {
    "dimension_order": "CW",
    "component_order": "ZNE",
    "sampling_rate": FS,
    "measurement": "acceleration",
    "unit": "mps2",
}


def write_dataset(path, waves, names, splits, picks=None):
    with WaveformWriter(path, FORMAT) as writer:
        for wave, name, split in zip(waves, names, splits, strict=True):
            writer.add_trace({"trace_name": name, "split": split} | (picks or {}), wave)


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    root = tmp_path_factory.mktemp("evaluate")
    rng = np.random.default_rng(11)
    t = np.arange(1000) / FS
    ref = bandpass(rng.normal(size=(4, 3, t.size)) * t * np.exp(-t / 2), FS, 0.3, 30.0)
    names = ["ev0.STA", "ev1.STA", "ev2.STA", "ev3.STA"]
    splits = ["test", "test", "train", "test"]
    picks = {"trace_p_arrival_sample": 150.0, "trace_s_arrival_sample": 400.0}
    write_dataset(root / "ref", ref, names, splits, picks)
    order = [3, 0, 2, 1]  # the prediction lists the records in another order
    pred = 2.0 * ref[order]
    pred[2, 0, 10] = np.nan  # a bad sample in a train record: excluded by --split test
    pred[0, 1, 20] = np.inf  # a bad sample in test record ev3: counted and skipped
    write_dataset(root / "pred", pred, [names[i] for i in order], [splits[i] for i in order])
    write_dataset(root / "short", pred[:2], [names[i] for i in order[:2]], ["test", "test"])
    return root


def test_evaluate_writes_metrics_figures_and_report(datasets, tmp_path):
    out = tmp_path / "eval"
    args = ["evaluate", "--pred", str(datasets / "pred"), "--ref", str(datasets / "ref")]
    result = CliRunner().invoke(
        app, [*args, "--out", str(out), "--split", "test", "--examples", "1"]
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["records"]["names"] == ["ev0.STA", "ev1.STA"]
    assert metrics["skipped"] == [{"name": "ev3.STA", "reason": "non-finite samples (NaN or inf)"}]
    assert "skipped 1 record(s)" in result.output and "ev3.STA" in result.output
    assert metrics["inputs"]["split"] == "test"
    assert metrics["inputs"]["pred"].endswith("pred")
    np.testing.assert_allclose(metrics["summary"]["psa"]["rotd50"]["bias"], -np.log(2), atol=1e-6)
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == [
        "anderson.png",
        "eg_pg.png",
        "example_0_ev0.STA.png",
        "fas_residuals.png",
        "psa_residuals.png",
        "waveform.png",
    ]
    assert (out / "report.html").read_text().count("data:image/png;base64,") == 6
    assert "PSA RotD50 bias / σ, 0.1–0.3 s" in result.output
    assert "-0.69 / 0.00" in result.output
    # waveform measures: pred = 2·ref, so pred and ref agree; picks come from the metadata
    waveform = metrics["summary"]["waveform"]
    assert waveform["p_energy_fraction"]["Z"]["n_ref"] == 2
    assert waveform["p_energy_fraction"]["Z"]["difference"] == pytest.approx(0.0, abs=1e-9)
    assert metrics["summary"]["two_sample"] == {"skipped": "2 record pairs; the test needs ≥ 10"}
    summary = (out / "summary.md").read_text()
    assert "| Coherence NE, mean over f: pred / ref (Δ) |" in summary
    assert "Classifier two-sample accuracy" in result.output


def test_evaluate_names_mismatched_traces(datasets, tmp_path):
    args = ["evaluate", "--pred", str(datasets / "short"), "--ref", str(datasets / "ref")]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path), "--split", "test"])
    assert result.exit_code != 0
    assert isinstance(result.exception, DataError)
    message = str(result.exception)
    assert "1 reference record(s) without a prediction (ev1.STA)" in message
    assert not (tmp_path / "metrics.json").exists()


def test_npy_pairs_are_evaluated_with_dt(tmp_path):
    rng = np.random.default_rng(5)
    t = np.arange(800) / FS
    ref = bandpass(rng.normal(size=(2, 3, t.size)) * t * np.exp(-t), FS, 0.3, 30.0)
    np.save(tmp_path / "ref.npy", ref)
    np.save(tmp_path / "pred.npy", ref)
    config = EvaluationConfig(periods=(0.05, 0.5), n_frequencies=10, tf_nf=8, fmin=0.2)
    result = evaluate_datasets(tmp_path / "pred.npy", tmp_path / "ref.npy", config=config, dt=0.01)
    assert result.names == ["record_00000", "record_00001"] and result.dt == 0.01
    np.testing.assert_allclose(result.gof["anderson_score"], 10.0)
    header = {"network": "XX", "station": "A", "delta": 0.02}
    traces = [
        obspy.Trace(ref[0, i].copy(), header | {"channel": f"HN{c}"}) for i, c in enumerate("ZNE")
    ]
    obspy.Stream(traces).write(str(tmp_path / "ref.mseed"), format="MSEED")
    with pytest.raises(DataError, match=r"sampling intervals differ \(0.01 s vs 0.02 s\)"):
        evaluate_datasets(tmp_path / "pred.npy", tmp_path / "ref.mseed", config=config, dt=0.01)


def test_records_unreadable_on_one_side_are_skipped_on_both(tmp_path):
    rng = np.random.default_rng(6)
    t = np.arange(800) / FS
    ref = bandpass(rng.normal(size=(2, 3, t.size)) * t * np.exp(-t), FS, 0.3, 30.0)
    for side, drop_east in (("pred", True), ("ref", False)):
        traces = [
            obspy.Trace(ref[k, i].copy(), {"station": sta, "channel": f"HN{c}", "delta": 0.01})
            for k, sta in enumerate(("A", "B"))
            for i, c in enumerate("ZNE")
            if not (drop_east and sta == "A" and c == "E")
        ]
        (tmp_path / side).mkdir()
        obspy.Stream(traces).write(str(tmp_path / side / "records.mseed"), format="MSEED")
    config = EvaluationConfig(periods=(0.05, 0.5), n_frequencies=10, tf_nf=8, fmin=0.2)
    result = evaluate_datasets(tmp_path / "pred", tmp_path / "ref", config=config)
    assert result.names == [".B..HN"]
    assert result.skipped == [{"name": ".A..HN", "reason": "prediction: missing component(s) E"}]
