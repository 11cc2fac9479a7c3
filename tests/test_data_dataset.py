"""Streaming dataset: items equal raw h5py reads normalised by hand; workers and DDP sampler."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import torch
from torch.utils.data import DataLoader, DistributedSampler

from seismoalice.data.dataset import WaveformWindowDataset
from seismoalice.data.seisbench_format import WaveformWriter

N_TRACES = 150


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("prepared") / "set"
    rng = np.random.default_rng(4)
    fmt = {"dimension_order": "CW", "component_order": "ZNE", "sampling_rate": 100.0}
    with WaveformWriter(path, fmt, bucket_size=32) as writer:
        for k in range(N_TRACES):
            bb = rng.normal(size=(3, 256)) * (k + 1)
            writer.add_trace(
                {"trace_name": f"t{k}", "split": "train" if k % 5 else "test"},
                bb,
                extra={"lf": 0.1 * bb[:, ::-1]},
            )
    return path


def raw_item(path: Path, row: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """BB and LF of one metadata row straight from h5py, parsing the slice by hand."""
    block, location = row["trace_name"].split("$")
    element, channels, samples = location.split(",")
    with h5py.File(path / "waveforms.hdf5") as f:
        c, w = int(channels[1:]), int(samples[1:])
        return (f["data"][block][int(element), :c, :w], f["data_lf"][block][int(element), :c, :w])


def check_item(path: Path, meta: pd.DataFrame, item: dict) -> None:
    bb, lf = raw_item(path, meta.iloc[int(item["index"])])
    for key, ref in (("bb", bb), ("lf", lf)):
        peak = np.abs(ref).max()
        assert item[key].dtype == torch.float32 and item[key].shape == (3, 256)
        assert item[f"{key}_scale"].shape == (1, 1)
        np.testing.assert_allclose(item[key].numpy(), ref / peak, rtol=1e-6)
        assert float(item[f"{key}_scale"]) == pytest.approx(peak, rel=1e-6)


def test_items_match_raw_hdf5(prepared: Path) -> None:
    ds = WaveformWindowDataset(prepared)
    meta = pd.read_csv(prepared / "metadata.csv")
    assert len(ds) == N_TRACES
    for i in (0, 31, 32, 149, -1):
        item = ds[i]
        assert item["index"] == i % N_TRACES
        check_item(prepared, meta, item)
    items = ds.__getitems__([140, 3, 77, 3])
    assert [it["index"] for it in items] == [140, 3, 77, 3]
    for item in items:
        check_item(prepared, meta, item)
    with pytest.raises(IndexError):
        ds[N_TRACES]


def test_split_filter(prepared: Path) -> None:
    test = WaveformWindowDataset(prepared, split="test")
    assert len(test) == N_TRACES // 5
    names = test.metadata["trace_name_original"]
    assert all(int(n[1:]) % 5 == 0 for n in names)


def test_shuffled_loader_with_workers(prepared: Path) -> None:
    ds = WaveformWindowDataset(prepared)
    meta = pd.read_csv(prepared / "metadata.csv")
    loader = DataLoader(
        ds, batch_size=16, shuffle=True, num_workers=2, generator=torch.Generator().manual_seed(0)
    )
    seen = []
    for batch in loader:
        assert batch["bb"].shape[1:] == (3, 256) and batch["bb_scale"].shape[1:] == (1, 1)
        seen.extend(batch["index"].tolist())
        k = 0
        item = {key: batch[key][k] for key in ("bb", "lf", "bb_scale", "lf_scale")}
        item["index"] = int(batch["index"][k])
        check_item(prepared, meta, item)
        physical = (batch["bb"] * batch["bb_scale"]).numpy()
        ref = raw_item(prepared, meta.iloc[item["index"]])[0]
        np.testing.assert_allclose(physical[k], ref, rtol=1e-5)
    assert sorted(seen) == list(range(N_TRACES))


def test_distributed_sampler_partitions(prepared: Path) -> None:
    ds = WaveformWindowDataset(prepared)
    parts = []
    for rank in range(2):
        sampler = DistributedSampler(ds, num_replicas=2, rank=rank, shuffle=True, seed=3)
        loader = DataLoader(ds, batch_size=8, sampler=sampler, num_workers=0)
        parts.append([i for batch in loader for i in batch["index"].tolist()])
    assert len(parts[0]) == len(parts[1]) == N_TRACES // 2
    assert set(parts[0]).isdisjoint(parts[1])
    assert sorted(parts[0] + parts[1]) == list(range(N_TRACES))
