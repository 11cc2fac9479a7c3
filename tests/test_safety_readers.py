"""Safety of the readers (issue 10): no code runs from data, absurd sampling intervals and
binary files get one-line errors, NaN samples are named with their file and record."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import obspy
import pytest
from test_generation_api import tiny_hb_checkpoint
from typer.testing import CliRunner

from seismoalice.cli import app
from seismoalice.data.formats import FORMATS, ReadOptions
from seismoalice.data.readers.at2 import read_at2
from seismoalice.data.readers.obspy_files import read_stream
from seismoalice.data.records import Skip
from seismoalice.data.seisbench_format import WaveformDataset, WaveformWriter
from seismoalice.errors import DataError
from seismoalice.evaluation.inputs import read_records

FIXTURES = Path(__file__).parent / "data" / "strongmotion"


class Payload:
    """Unpickling it creates ``marker`` (a stand-in for arbitrary code)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def pickle_file(path: Path, marker: Path) -> Path:
    """A pickle whose first bytes mention ``obspy.core.stream`` (ObsPy's PICKLE check then
    unpickles it), saved under a waveform name."""
    path.write_bytes(pickle.dumps(("obspy.core.stream", Payload(marker)), protocol=2))
    return path


def test_the_payload_is_live_under_plain_obspy_read(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    path = pickle_file(tmp_path / "e.mseed", marker)
    with pytest.raises(Exception):  # noqa: B017 - ObsPy fails after running the payload
        obspy.read(str(path))
    assert marker.exists()  # what every test below must prevent


def test_read_stream_refuses_a_pickle_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    path = pickle_file(tmp_path / "e.mseed", marker)
    with pytest.raises(DataError, match=r"e\.mseed: a Python pickle") as info:
        read_stream(path)
    assert "\n" not in str(info.value)
    other = tmp_path / "f.sac"  # a pickle without ObsPy's marker: no format accepts it
    other.write_bytes(pickle.dumps(Payload(marker), protocol=4))
    with pytest.raises(DataError, match=r"f\.sac: not a waveform format"):
        read_stream(other)
    assert not marker.exists()


def test_data_import_obspy_counts_the_pickle_as_skipped(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    src = tmp_path / "src"
    src.mkdir()
    pickle_file(src / "e.mseed", marker)
    obspy.read().write(str(src / "good.mseed"), format="MSEED")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["data", "import", "obspy", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 records written, 1 skipped" in result.output
    assert "e.mseed: a Python pickle" in result.output
    assert not marker.exists()


def test_generate_refuses_a_pickle_input(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    path = pickle_file(tmp_path / "e.mseed", marker)
    tiny_hb_checkpoint(tmp_path / "run" / "hb" / "best")
    args = ["generate", "--model", str(tmp_path / "run"), "--input", str(path)]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "gen")])
    assert result.exit_code != 0
    assert isinstance(result.exception, DataError)
    assert "a Python pickle" in str(result.exception) and "\n" not in str(result.exception)
    assert not marker.exists()


def test_evaluation_inputs_refuse_a_pickle(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    with pytest.raises(DataError, match="no readable records"):
        read_records(pickle_file(tmp_path / "pred.mseed", marker))
    assert not marker.exists()


def write_at2(path: Path, dt: str, n: int = 20) -> Path:
    values = "\n".join("  .1000000E-01" * 5 for _ in range(n // 5))
    header = "PEER NGA STRONG MOTION DATABASE RECORD\nQuake, 1/1/2000, Station, 90\n"
    path.write_text(f"{header}ACCELERATION TIME SERIES IN UNITS OF G\nNPTS= {n}, DT= {dt} SEC\n")
    path.write_text(path.read_text() + values + "\n")
    return path


@pytest.mark.parametrize("dt", ["1e-12", "0", "-.01", "50"])
def test_sampling_interval_out_of_range_is_refused_at_read_time(tmp_path: Path, dt: str) -> None:
    with pytest.raises(DataError, match=r"bad\.AT2: sampling interval .* is outside"):
        read_at2(write_at2(tmp_path / "bad.AT2", dt))


@pytest.mark.parametrize(
    ("fmt", "name", "line", "value"),
    [
        ("esm", "IT.AQK..HNE.D.20090406.013240.C.ACC.ASC", "SAMPLING_INTERVAL_S: {}", "0.005000"),
        ("itaca", "16833_H1.cor.acc", "Time Increment (s)            : {}", "0.005"),
        ("knet", "KNG0012408091957.NS", "Sampling Freq(Hz) {}Hz", "100"),
        ("cosmos", "ce89486SampleInput.v2", "equally spaced at {} sec", "0.010"),
    ],
)
def test_every_text_reader_range_checks_the_interval(
    tmp_path: Path, fmt: str, name: str, line: str, value: str
) -> None:
    text = (FIXTURES / name).read_text(encoding="latin-1")
    absurd = "1e12" if fmt == "knet" else "1e-12"
    assert line.format(value) in text
    (tmp_path / name).write_text(
        text.replace(line.format(value), line.format(absurd)), encoding="latin-1"
    )
    [skip] = FORMATS[fmt].read([tmp_path / name], ReadOptions())
    assert isinstance(skip, Skip)
    assert "sampling interval 1e-12 s is outside" in skip.reason


def test_binary_file_given_as_at2_gets_a_short_message(tmp_path: Path) -> None:
    path = tmp_path / "x.AT2"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(DataError) as info:
        read_at2(path)
    message = str(info.value)
    assert message == f"{path}: binary content, not a AT2 text file"
    long_line = tmp_path / "y.AT2"  # a text file with a 1 kB line 4 is quoted briefly
    long_line.write_text("title\nline\nIN UNITS OF G\n" + "x" * 1000 + "\n1 2 3\n")
    with pytest.raises(DataError) as info:
        read_at2(long_line)
    assert len(str(info.value)) < len(str(long_line)) + 120


def test_nan_samples_name_the_file_and_record(tmp_path: Path) -> None:
    path = write_at2(tmp_path / "nan.AT2", ".01")
    path.write_text(path.read_text().replace("  .1000000E-01", "  NaN", 1))
    with pytest.raises(DataError, match=r"nan\.AT2: 1 NaN or inf samples \(first at index 0\)"):
        read_at2(path)
    st = obspy.read()
    st[1].data = st[1].data.astype(np.float64)
    st[1].data[7] = np.nan
    st.write(str(tmp_path / "nan.mseed"), format="MSEED")
    with pytest.raises(DataError, match=r"nan\.mseed: trace BW\.RJOB\.\.EHN has 1 NaN"):
        read_stream(tmp_path / "nan.mseed")
    fmt = {"dimension_order": "CW", "component_order": "ZNE", "sampling_rate": 100.0}
    with WaveformWriter(tmp_path / "set", fmt, bucket_size=0) as writer:
        writer.add_trace({"trace_name": "ok"}, np.zeros((3, 50)))
        writer.add_trace({"trace_name": "bad"}, np.full((3, 50), np.inf))
    dataset = WaveformDataset(tmp_path / "set", require_finite=True)
    assert dataset.get_waveforms(0).shape == (3, 50)
    with pytest.raises(DataError, match=r"set: trace 'bad' has 150 NaN/inf samples"):
        dataset.get_waveforms(1)
    assert np.isinf(WaveformDataset(tmp_path / "set").get_waveforms(1)).all()  # scorers count
    [skip] = [
        s
        for s in FORMATS["seisbench"].read([tmp_path / "set"], ReadOptions())
        if isinstance(s, Skip)
    ]
    assert skip.name == "bad" and "150 NaN/inf samples" in skip.reason


def test_hdf5_links_into_other_files_are_refused(tmp_path: Path) -> None:
    """A data set (or STEAD file) whose trace is an external link or a virtual dataset would make
    the reader open any HDF5 file of the machine: refused, named, counted."""
    import h5py

    secret = tmp_path / "elsewhere.h5"
    with h5py.File(secret, "w") as f:
        f["private"] = np.ones((3, 50))
    fmt = {"dimension_order": "CW", "component_order": "ZNE", "sampling_rate": 100.0}
    with WaveformWriter(tmp_path / "set", fmt, bucket_size=0) as writer:
        writer.add_trace({"trace_name": "ok"}, np.zeros((3, 50)))
        writer.add_trace({"trace_name": "linked"}, np.zeros((3, 50)))
    with h5py.File(tmp_path / "set" / "waveforms.hdf5", "a") as f:
        del f["data/linked"]
        f["data/linked"] = h5py.ExternalLink(str(secret), "private")
        layout = h5py.VirtualLayout((3, 50), float)
        layout[:] = h5py.VirtualSource(str(secret), "private", shape=(3, 50))
        del f["data/ok"]
        f.create_virtual_dataset("data/ok", layout)
    dataset = WaveformDataset(tmp_path / "set")
    for i in range(2):
        with pytest.raises(DataError, match="points into another file"):
            dataset.get_waveforms(i)
    items = list(FORMATS["seisbench"].read([tmp_path / "set"], ReadOptions()))
    assert all(isinstance(s, Skip) and "another file" in s.reason for s in items)


def test_generate_names_the_record_with_nan_samples(tmp_path: Path) -> None:
    fmt = {"dimension_order": "CW", "component_order": "ZNE", "sampling_rate": 100.0}
    rng = np.random.default_rng(3)
    with WaveformWriter(tmp_path / "lf", fmt, bucket_size=0) as writer:
        writer.add_trace({"trace_name": "fine"}, rng.normal(size=(3, 300)))
        bad = rng.normal(size=(3, 300))
        bad[2, 17] = np.nan
        writer.add_trace({"trace_name": "broken"}, bad)
    tiny_hb_checkpoint(tmp_path / "run" / "hb" / "best")
    args = ["generate", "--model", str(tmp_path / "run"), "--input", str(tmp_path / "lf")]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "gen")])
    assert isinstance(result.exception, DataError)
    assert "trace 'broken' has 1 NaN/inf samples" in str(result.exception)
