"""`seismoalice data import` / `data prepare` end to end on the AT2 fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from seismoalice.cli import app
from seismoalice.data.readers.at2 import read_at2
from seismoalice.data.seisbench_format import WaveformDataset
from seismoalice.errors import DataError

AT2 = Path(__file__).parent / "data" / "at2"


def test_import_and_prepare_at2(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "canonical"
    result = runner.invoke(
        app,
        [
            "data",
            "import",
            "at2",
            str(AT2),
            "--out",
            str(out),
            "--metadata",
            str(AT2 / "records.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 records written, 0 skipped" in result.output
    prep = tmp_path / "prepared"
    result = runner.invoke(
        app, ["data", "prepare", str(out), "--out", str(prep), "--nt", "1024", "--fc", "0.5"]
    )
    assert result.exit_code == 0, result.output
    # ANLCSOU.AT2 says "FILTER POINTS: HP=0.7 Hz": above fc/2 = 0.25 Hz, nothing to learn from
    assert "processed with a 0.7 Hz high-pass, at or above fc/2" in result.output
    ds = WaveformDataset(prep)
    assert len(ds) == 2 and ds.extra_groups == ["lf"]
    assert json.loads((prep / "preprocessing.json").read_text())["config"]["fc"] == 0.5
    names = ds.metadata.get("trace_name_original", ds.metadata["trace_name"])
    row = int(np.flatnonzero(names.fillna(ds.metadata["trace_name"]) == "RSN763")[0])
    acc, _, _ = read_at2(AT2 / "RSN763_LOMAP_GIL337.AT2")  # 200 Hz, goes to N
    peak_100hz = np.abs(acc[:2048]).max()
    assert 0.8 * peak_100hz < np.abs(ds.get_waveforms(row)[1]).max() <= 1.05 * peak_100hz


def test_cli_reports_bad_units(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["data", "import", "obspy", str(AT2), "--out", str(tmp_path / "o"), "--units", "furlongs"],
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, DataError)
