"""The synthetic data set on disk, its configuration errors, and the data synth|info|plot CLI."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from seismoalice.cli import app
from seismoalice.data.seisbench_format import WaveformDataset
from seismoalice.data.synthetic import (
    SynthConfig,
    load_synth_config,
    split_labels,
    write_synthetic_dataset,
)
from seismoalice.errors import ConfigError

SEISBENCH_COLUMNS = [
    "source_magnitude",
    "path_hyp_distance_km",
    "source_depth_km",
    "station_vs30_mps",
    "station_kappa0_s",
    "source_stress_drop_bar",
    "trace_p_arrival_sample",
    "trace_s_arrival_sample",
    "trace_sampling_rate_hz",
    "split",
]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic_dataset(tmp_path_factory.mktemp("synth") / "ds", 50, SynthConfig(seed=7))


def test_dataset_layout_and_metadata(dataset: Path) -> None:
    ds = WaveformDataset(dataset)
    assert len(ds) == 50
    assert ds.data_format == {
        "dimension_order": "CW",
        "component_order": "ZNE",
        "sampling_rate": 100.0,
        "measurement": "acceleration",
        "unit": "mps2",
        "instrument_response": "not restituted",
    }
    meta = ds.metadata
    assert set(SEISBENCH_COLUMNS) <= set(meta.columns)
    assert meta["split"].value_counts().to_dict() == {"train": 40, "dev": 5, "test": 5}
    assert (meta["trace_p_arrival_sample"] == 200).all()
    assert (meta["trace_s_arrival_sample"] > 200).all()
    assert (dataset / "synth_config.json").is_file()
    for i in (0, 17, 49):
        trace = ds.get_waveforms(i)
        assert trace.shape == (3, 4096)
        row = meta.iloc[i]
        assert np.abs(trace[1:]).max() == pytest.approx(row["trace_pga_mps2"], rel=1e-6)
        # before the P arrival only the pre-event noise at the stored SNR
        noise = trace[:, :150].std()
        expected = row["trace_pga_mps2"] * 10 ** (-row["trace_snr_db"] / 20)
        assert noise == pytest.approx(expected, rel=0.25)


@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_dataset_opens_with_seisbench(dataset: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import seisbench.data as sbd

    reference = sbd.WaveformDataset(dataset, component_order="ZNE")
    ours = WaveformDataset(dataset)
    assert len(reference) == len(ours)
    for i in (0, 33):
        np.testing.assert_array_equal(reference.get_waveforms(i), ours.get_waveforms(i))


def test_dataset_is_deterministic(dataset: Path, tmp_path: Path) -> None:
    again = write_synthetic_dataset(tmp_path / "again", 50, SynthConfig(seed=7))
    other = write_synthetic_dataset(tmp_path / "other", 50, SynthConfig(seed=8))
    a, b, c = WaveformDataset(dataset), WaveformDataset(again), WaveformDataset(other)
    pd.testing.assert_frame_equal(a.metadata, b.metadata)
    np.testing.assert_array_equal(a.get_waveforms(3), b.get_waveforms(3))
    assert not np.allclose(a.get_waveforms(3), c.get_waveforms(3))


@pytest.mark.parametrize("n", [1, 7, 10, 1001])
def test_split_labels_are_80_10_10(n: int) -> None:
    labels = split_labels(n)
    counts = {name: int((labels == name).sum()) for name in ("train", "dev", "test")}
    assert sum(counts.values()) == n
    assert abs(counts["train"] - 0.8 * n) <= 1 and abs(counts["dev"] - 0.1 * n) <= 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"mw_range": (7.0, 4.0)}, "mw_range"),
        ({"distance_km_range": (0.0, 50.0)}, "positive"),
        ({"mw_rnage": (4.0, 6.0)}, "mw_rnage"),
        ({"mw_range": (4.0, 8.0)}, "beyond"),
        ({"sampling_rate": 0.0}, "sampling_rate"),
        ({"vs30_mps_range": (200.0, 3000.0)}, "vs30"),
        ({"kappa0_median_s": -0.01}, "kappa0_median_s"),
        ({"crust": {"q0": 0}}, "q0"),
    ],
)
def test_bad_config_is_rejected_with_a_clear_message(values: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SynthConfig(**values)


def test_config_file_errors_name_the_file(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("mw_range: [4.5, 6.5]\ncrust:\n  q0: 150\n")
    cfg = load_synth_config(good, seed=3)
    assert cfg.mw_range == (4.5, 6.5) and cfg.crust.q0 == 150 and cfg.seed == 3
    typo = tmp_path / "typo.yaml"
    typo.write_text("mw_rnage: [4, 6]\n")
    with pytest.raises(ConfigError, match=r"typo\.yaml.*mw_rnage"):
        load_synth_config(typo)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match=r"scalar\.yaml"):
        load_synth_config(scalar)
    with pytest.raises(ConfigError, match=r"missing\.yaml"):
        load_synth_config(tmp_path / "missing.yaml")


def test_cli_synth_info_plot(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "ds"
    result = runner.invoke(app, ["data", "synth", "--n", "30", "--out", str(out), "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "wrote 30" in result.output and str(out) in result.output
    meta = WaveformDataset(out).metadata

    result = runner.invoke(app, ["data", "info", str(out)])
    assert result.exit_code == 0, result.output
    assert "traces: 30" in result.output
    assert "splits: dev 3, test 3, train 24" in result.output
    assert "unit: mps2" in result.output and "sampling rate [Hz]: 100" in result.output
    lo, hi = meta["source_magnitude"].min(), meta["source_magnitude"].max()
    assert f"magnitude: {lo:.2f} – {hi:.2f}" in result.output
    assert f"{meta['trace_pga_mps2'].max():.3g}" in result.output

    figures = tmp_path / "fig"
    result = runner.invoke(app, ["data", "plot", str(out), "--out", str(figures), "--fc", "2"])
    assert result.exit_code == 0, result.output
    for name in ("magnitude_distance_depth.png", "example_records.png"):
        data = (figures / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000


def test_cli_reports_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("mw_range: [4, 9]\n")
    result = CliRunner().invoke(
        app, ["data", "synth", "--n", "5", "--out", str(tmp_path / "x"), "--config", str(config)]
    )
    assert isinstance(result.exception, ConfigError)
    assert "bad.yaml" in str(result.exception) and not (tmp_path / "x").exists()
