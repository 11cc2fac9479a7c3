"""SeisBench-format writer/reader, checked against SeisBench itself and raw h5py reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import seisbench.data as sbd
from hypothesis import given, settings
from hypothesis import strategies as st

from seismoalice.data.seisbench_format import (
    WaveformDataset,
    WaveformWriter,
    geometric_bucket_id,
    parse_location,
)
from seismoalice.errors import DataError

DUMMY = Path(__file__).parent / "data" / "seisbench_dummy"
FORMAT = {
    "dimension_order": "CW",
    "component_order": "ZNE",
    "sampling_rate": 100.0,
    "measurement": "velocity",
    "unit": "counts",
    "instrument_response": "not restituted",
}


def reference(path: Path) -> sbd.WaveformDataset:
    return sbd.WaveformDataset(path, component_order="ZNE", cache=None)


def test_dummy_dataset_matches_seisbench() -> None:
    ours = WaveformDataset(DUMMY)
    theirs = reference(DUMMY)
    assert len(ours) == len(theirs) == 100
    assert ours.data_format["sampling_rate"] == 20
    assert ours.component_order == "ZNE"
    for i in range(len(ours)):
        wave = ours.get_waveforms(i)
        assert wave.shape == (3, 1200) and wave.dtype == np.float32
        np.testing.assert_allclose(wave, theirs.get_waveforms(i), rtol=1e-6)
        assert ours.sampling_rate(i) == 20.0
    batch = ours.get_waveforms_batch([99, 0, 61, 5, 61])
    for k, i in enumerate([99, 0, 61, 5, 61]):
        np.testing.assert_allclose(batch[k], theirs.get_waveforms(i), rtol=1e-6)


def test_split_views_follow_metadata_csv() -> None:
    table = pd.read_csv(DUMMY / "metadata.csv")
    ours = WaveformDataset(DUMMY)
    theirs = reference(DUMMY)
    for name in ("train", "dev", "test"):
        view = ours.split(name)
        rows = np.flatnonzero(table["split"].to_numpy() == name)
        assert len(view) == rows.size > 0
        np.testing.assert_allclose(view.get_waveforms(3), theirs.get_waveforms(int(rows[3])))


@settings(max_examples=15, deadline=None)
@given(
    lengths=st.lists(st.integers(50, 400), min_size=1, max_size=12),
    bucket_size=st.sampled_from([0, 1, 3, 1024]),
    seed=st.integers(0, 2**16),
)
def test_writer_output_reads_back_in_seisbench(
    tmp_path_factory: pytest.TempPathFactory, lengths: list[int], bucket_size: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    path = tmp_path_factory.mktemp("ds") / "set"
    waves = {f"tr{i}": rng.normal(size=(3, n)).astype(np.float32) for i, n in enumerate(lengths)}
    with WaveformWriter(path, FORMAT, bucket_size=bucket_size) as writer:
        for k, (name, wave) in enumerate(waves.items()):
            meta = {"trace_name": name, "split": ["train", "dev", "test"][k % 3]}
            writer.add_trace(meta, wave, extra={"lf": 2 * wave})
    theirs = reference(path)
    meta = theirs.metadata
    original = meta.get("trace_name_original", meta["trace_name"])
    original = original.fillna(meta["trace_name"]) if hasattr(original, "fillna") else original
    ours = WaveformDataset(path)
    assert len(theirs) == len(ours) == len(waves)
    with h5py.File(path / "waveforms.hdf5") as f:
        assert f["data_format/component_order"][()].decode() == "ZNE"
    for i, name in enumerate(original):
        np.testing.assert_array_equal(theirs.get_waveforms(i), waves[name])
        np.testing.assert_array_equal(ours.get_waveforms(i), waves[name])
        np.testing.assert_array_equal(ours.get_waveforms(i, "data_lf"), 2 * waves[name])
        assert meta["split"][i] == ["train", "dev", "test"][int(name[2:]) % 3]


def test_buckets_follow_split_channels_and_length_bins(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    with WaveformWriter(tmp_path / "set", FORMAT, bucket_size=100) as writer:
        for i, (n, split) in enumerate(
            [(300, "train"), (305, "train"), (300, "test"), (900, "train")]
        ):
            writer.add_trace({"trace_name": f"t{i}", "split": split}, rng.normal(size=(3, n)))
    names = pd.read_csv(tmp_path / "set" / "metadata.csv")["trace_name"]
    blocks = [n.split("$")[0] for n in names]
    assert blocks[0] == blocks[1]  # same split, same geometric bin (ln(3)/ln(1.2))
    assert len({blocks[0], blocks[2], blocks[3]}) == 3
    assert names[1].endswith("$1,:3,:305")
    assert geometric_bucket_id(99) == 0
    assert geometric_bucket_id(120) == 2  # ln(1.2)/ln(1.2) + 1


def test_exception_leaves_no_half_dataset(tmp_path: Path) -> None:
    target = tmp_path / "set"
    with pytest.raises(RuntimeError), WaveformWriter(target, FORMAT) as writer:
        writer.add_trace({"trace_name": "a"}, np.zeros((3, 200)))
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []
    with WaveformWriter(target, FORMAT) as writer:
        writer.add_trace({"trace_name": "a"}, np.ones((3, 200)))
    with pytest.raises(RuntimeError), WaveformWriter(target, FORMAT) as writer:
        writer.add_trace({"trace_name": "a"}, np.zeros((3, 200)))
        raise RuntimeError("killed")
    np.testing.assert_array_equal(WaveformDataset(target).get_waveforms(0), np.ones((3, 200)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set"]


def test_chunked_dataset_matches_seisbench(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    root = tmp_path / "chunked"
    root.mkdir()
    for chunk in ("A", "B"):
        with WaveformWriter(tmp_path / chunk, FORMAT, bucket_size=4) as writer:
            for i in range(6):
                writer.add_trace({"trace_name": f"{chunk}{i}"}, rng.normal(size=(3, 250)))
        shutil.move(tmp_path / chunk / "metadata.csv", root / f"metadata{chunk}.csv")
        shutil.move(tmp_path / chunk / "waveforms.hdf5", root / f"waveforms{chunk}.hdf5")
    (root / "chunks").write_text("A\nB\n")
    ours = WaveformDataset(root)
    theirs = reference(root)
    assert len(ours) == 12 and ours.chunks == ["A", "B"]
    for i in range(12):
        row = ours.metadata.iloc[i]
        j = int(
            np.flatnonzero(
                (theirs.metadata["trace_name"] == row["trace_name"])
                & (theirs.metadata["trace_chunk"] == row["trace_chunk"])
            )[0]
        )
        np.testing.assert_allclose(ours.get_waveforms(i), theirs.get_waveforms(j))


def _copy_dummy(tmp_path: Path) -> Path:
    dst = tmp_path / "dummy"
    shutil.copytree(DUMMY, dst)
    for p in dst.iterdir():
        p.chmod(0o644)
    return dst


def test_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        WaveformDataset(tmp_path / "nothing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="not a SeisBench"):
        WaveformDataset(empty)

    corrupt = _copy_dummy(tmp_path / "c")
    (corrupt / "waveforms.hdf5").write_bytes(b"this is not hdf5")
    with pytest.raises(DataError, match="cannot open HDF5"):
        WaveformDataset(corrupt)

    no_order = _copy_dummy(tmp_path / "f")
    with h5py.File(no_order / "waveforms.hdf5", "a") as f:
        del f["data_format/component_order"]
    with pytest.raises(DataError, match="component_order"):
        WaveformDataset(no_order)

    bad = _copy_dummy(tmp_path / "n")
    table = pd.read_csv(bad / "metadata.csv")
    table.loc[0, "trace_name"] = "bucket9$0,:3,:1200"
    table.loc[1, "trace_name"] = "bucket0$1;:3"
    table.loc[2, "trace_name"] = "bucket0$2,:3,:5000"
    table.loc[3, "trace_name"] = "bucket0$2,:2,:1200"
    table.to_csv(bad / "metadata.csv", index=False)
    ds = WaveformDataset(bad)
    with pytest.raises(DataError, match="not found"):
        ds.get_waveforms(0)
    with pytest.raises(DataError, match="bad slice syntax"):
        ds.get_waveforms(1)
    with pytest.raises(DataError, match="beyond size"):
        ds.get_waveforms(2)
    with pytest.raises(DataError, match="channels"):
        ds.get_waveforms(3)
    with pytest.raises(DataError, match="bad slice syntax"):
        parse_location("1:2:3:4")


def test_writer_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="component_order"):
        WaveformWriter(tmp_path / "x", {"dimension_order": "CW"})
    with pytest.raises(DataError, match="shape"), WaveformWriter(tmp_path / "y", FORMAT) as w:
        w.add_trace({"trace_name": "a"}, np.zeros((2, 100)))
    assert not (tmp_path / "y").exists()
