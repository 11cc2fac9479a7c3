"""Exporting one split/group of a prepared data set keeps names, metadata and samples."""

import numpy as np
import pytest
from typer.testing import CliRunner

from seismoalice.cli import app
from seismoalice.data.export import export_group
from seismoalice.data.seisbench_format import WaveformDataset, WaveformWriter
from seismoalice.errors import DataError

FORMAT = {"dimension_order": "CW", "component_order": "ZNE", "sampling_rate": 100.0}


@pytest.fixture
def prepared(tmp_path):
    rng = np.random.default_rng(1)
    path = tmp_path / "prepared"
    bb = rng.standard_normal((6, 3, 256)).astype(np.float32)
    lf = rng.standard_normal((6, 3, 256)).astype(np.float32)
    with WaveformWriter(path, FORMAT, bucket_size=4) as writer:
        for i in range(6):
            meta = {"trace_name": f"rec{i}", "split": "test" if i % 2 else "train", "mag": i}
            writer.add_trace(meta, bb[i], extra={"lf": lf[i]})
    return path, bb, lf


def test_export_lf_test_split(prepared, tmp_path) -> None:
    path, _, lf = prepared
    n = export_group(path, tmp_path / "lf", "lf", "test")
    out = WaveformDataset(tmp_path / "lf")
    assert n == len(out) == 3
    names = list(out.metadata["trace_name_original"])
    assert names == ["rec1", "rec3", "rec5"]
    for i, k in enumerate((1, 3, 5)):
        np.testing.assert_array_equal(out.get_waveforms(i), lf[k])
    assert list(out.metadata["mag"]) == [1, 3, 5]
    assert out.data_format["sampling_rate"] == 100.0


def test_export_errors(prepared, tmp_path) -> None:
    path, _, _ = prepared
    with pytest.raises(DataError, match="no trace in split"):
        export_group(path, tmp_path / "x", "lf", "dev")
    with pytest.raises(DataError, match="group"):
        export_group(path, tmp_path / "x", "hf")  # type: ignore[arg-type]


def test_export_command(prepared, tmp_path) -> None:
    path, bb, _ = prepared
    result = CliRunner().invoke(
        app, ["data", "export", str(path), "--out", str(tmp_path / "bb"), "--group", "bb"]
    )
    assert result.exit_code == 0, result.output
    out = WaveformDataset(tmp_path / "bb")
    np.testing.assert_array_equal(out.get_waveforms(4), bb[4])
