"""Reading and matching the records of an evaluation (seismoalice.evaluation.inputs / compute)."""

from __future__ import annotations

import numpy as np
import obspy
import pytest

from seismoalice.data.seisbench_format import WaveformWriter
from seismoalice.errors import ConfigError, DataError
from seismoalice.evaluation.compute import match_records
from seismoalice.evaluation.inputs import read_records
from seismoalice.evaluation.measures import bad_samples


def test_npy_is_read_with_dt(tmp_path):
    rng = np.random.default_rng(0)
    array = rng.normal(size=(2, 3, 50))
    path = tmp_path / "pred.npy"
    np.save(path, array)
    records = read_records(path, dt=0.01)
    assert records.names == ["record_00000", "record_00001"]
    assert records.dt == 0.01
    np.testing.assert_allclose(records.data, array, rtol=1e-6)


def test_npy_needs_dt_and_shape(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.zeros((2, 3, 10)))
    with pytest.raises(ConfigError, match="--dt"):
        read_records(path)
    np.save(path, np.zeros((2, 10)))
    with pytest.raises(DataError, match=r"\(N, 3, T\)"):
        read_records(path, dt=0.01)


def _trace(station: str, channel: str, data: np.ndarray, delta: float = 0.01) -> obspy.Trace:
    header = {"network": "XX", "station": station, "channel": channel, "delta": delta}
    return obspy.Trace(data=data.astype(np.float64), header=header)


def test_obspy_files_are_grouped_by_station_in_zne_order(tmp_path):
    rng = np.random.default_rng(1)
    z, n, e = rng.normal(size=(3, 80))
    stream = obspy.Stream(
        [
            _trace("A", "HNE", e),
            _trace("A", "HNZ", z),
            _trace("A", "HNN", n[:70]),  # shorter: padded with zeros
            _trace("B", "HN2", e),
            _trace("B", "HN1", n),
            _trace("B", "HNZ", z),
        ]
    )
    path = tmp_path / "records.mseed"
    stream.write(str(path), format="MSEED")
    records = read_records(path)
    assert records.names == ["XX.A..HN", "XX.B..HN"]
    assert records.dt == pytest.approx(0.01)
    np.testing.assert_allclose(records.data[1], np.stack([z, n, e]), rtol=1e-6)
    np.testing.assert_allclose(records.data[0, 1, :70], n[:70], rtol=1e-6)
    assert not records.data[0, 1, 70:].any()


def test_obspy_record_without_a_component_is_skipped_and_named(tmp_path):
    rng = np.random.default_rng(4)
    z, n, e = rng.normal(size=(3, 40))
    stream = obspy.Stream([_trace("A", "HNZ", z), _trace("A", "HNN", n)])
    stream.write(str(tmp_path / "a.mseed"), format="MSEED")
    with pytest.raises(DataError, match=r"no readable records.*XX\.A\.\.HN.*missing"):
        read_records(tmp_path / "a.mseed")
    traces = [_trace("B", "HNZ", z), _trace("B", "HNN", n), _trace("B", "HNE", e)]
    obspy.Stream(traces).write(str(tmp_path / "b.mseed"), format="MSEED")
    records = read_records(tmp_path)  # a folder of files, not a SeisBench data set
    assert records.names == ["XX.B..HN"]
    assert records.skipped[0]["name"] == "XX.A..HN"
    assert "missing component" in records.skipped[0]["reason"]


def test_unreadable_file_is_a_data_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a seismogram")
    with pytest.raises(DataError, match=r"notes\.txt"):
        read_records(path)


def test_seisbench_dataset_split_names_and_component_order(tmp_path):
    rng = np.random.default_rng(2)
    waves = rng.normal(size=(4, 3, 60))  # stored in ENZ order
    fmt = {"dimension_order": "CW", "component_order": "ENZ", "sampling_rate": 50.0}
    with WaveformWriter(tmp_path / "ds", fmt) as writer:
        for i, wave in enumerate(waves):
            split = "test" if i % 2 else "train"
            writer.add_trace({"trace_name": f"ev{i}", "split": split}, wave)
    records = read_records(tmp_path / "ds", split="test")
    assert sorted(records.names) == ["ev1", "ev3"]
    assert records.dt == pytest.approx(0.02)
    for name, data in zip(records.names, records.data, strict=True):
        np.testing.assert_allclose(data, waves[int(name[2:])][[2, 1, 0]], rtol=1e-6)


def test_match_records_orders_predictions_like_references():
    order = match_records(["b", "c", "a"], ["a", "b", "c"], "here")
    assert order.tolist() == [2, 0, 1]


def test_match_records_lists_mismatches_and_duplicates():
    with pytest.raises(DataError, match=r"1 reference record.*\(z\).*1 prediction.*\(y\)"):
        match_records(["a", "y"], ["a", "z"], "p vs r")
    with pytest.raises(DataError, match="duplicate prediction trace names: a"):
        match_records(["a", "a"], ["a", "b"], "p vs r")


def test_bad_samples_reasons():
    good = np.ones((3, 3, 20))
    pred, ref = good.copy(), good.copy()
    pred[1, 0, 3] = np.nan
    ref[2, 2] = 0.0
    reasons = bad_samples(pred, ref)
    assert reasons[0] is None
    assert "non-finite" in reasons[1]
    assert "all zeros" in reasons[2]
