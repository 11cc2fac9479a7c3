"""Checkpoints: exact resume, refusal of other architectures/preprocessing, non-finite stop."""

import json

import numpy as np
import pytest
import torch
from array_dataset import ArrayWaveformDataset
from tiny_model import TINY

from seismoalice import checkpoint as ckpt
from seismoalice.errors import CheckpointError
from seismoalice.training.config import config_from_dict
from seismoalice.training.loop import NonFiniteLossError, train_stage

FS, T = 100.0, 256
PRE = {"sampling_rate": FS, "nt": T, "fc": 1.0}


def records(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(T) / FS
    env = (t / 0.5) ** 2 * np.exp(-t / 0.5)
    return rng.standard_normal((n, 3, T)) * env * rng.lognormal(0, 1, (n, 1, 1))


def config(epochs: int = 2, **stage):
    st = {"epochs": epochs, "batch_size": 4, "max_batches": 2, **stage}
    return config_from_dict(
        {
            "seed": 3,
            "model": TINY,
            "train": {"progress": False, "device": "cpu"},
            "validation": {"n_records": 2, "tf_gof": False, "periods": [0.1, 0.5]},
            "stages": {"bb": st, "fl": st, "env": st, "hb": st},
        }
    )


@pytest.fixture(scope="module")
def data():
    return ArrayWaveformDataset(records(8), FS, 1.0)


def weights(directory):
    tensors, _ = ckpt.read_checkpoint(directory)
    return tensors


def test_resume_equals_uninterrupted_run(tmp_path, data):
    cfg = config(epochs=3)
    train_stage("bb", cfg, data, data, tmp_path / "a", preprocessing=PRE)
    train_stage("bb", cfg, data, data, tmp_path / "b", preprocessing=PRE, stop_after_epoch=1)
    train_stage("bb", cfg, data, data, tmp_path / "b", preprocessing=PRE, resume=True)
    full, resumed = weights(tmp_path / "a/bb/last"), weights(tmp_path / "b/bb/last")
    assert full.keys() == resumed.keys()
    for k in full:
        assert torch.equal(full[k], resumed[k]), k
    state = json.loads((tmp_path / "b/bb/last/state.json").read_text())
    assert state["epoch"] == 3
    files = {p.suffix for p in (tmp_path / "b/bb/last").iterdir()}
    assert files == {".json", ".safetensors"}  # no pickle anywhere


def test_refuses_other_architecture_and_preprocessing(tmp_path, data):
    cfg = config(epochs=1)
    train_stage("bb", cfg, data, None, tmp_path, preprocessing=PRE)
    bigger = config_from_dict({**cfg.model_dump(), "model": {**TINY, "nzd": 5}})
    with pytest.raises(CheckpointError, match="nzd"):
        train_stage("bb", bigger, data, None, tmp_path, preprocessing=PRE, resume=True)
    with pytest.raises(CheckpointError, match="fc"):
        train_stage("bb", cfg, data, None, tmp_path, preprocessing={**PRE, "fc": 2.0}, resume=True)
    train_stage("fl", cfg, data, None, tmp_path, preprocessing=PRE)
    train_stage("env", cfg, data, None, tmp_path, preprocessing=PRE)
    with pytest.raises(CheckpointError, match="nt"):
        train_stage("hb", cfg, data, None, tmp_path, preprocessing={**PRE, "nt": 512})
    with pytest.raises(CheckpointError, match="nzd"):
        train_stage("hb", bigger, data, None, tmp_path, preprocessing=PRE)


def test_non_finite_loss_stops_and_keeps_last_good_checkpoint(tmp_path, data):
    cfg = config(epochs=2)
    train_stage("bb", cfg, data, None, tmp_path, preprocessing=PRE, stop_after_epoch=1)
    before = weights(tmp_path / "bb/last")
    bad = ArrayWaveformDataset(records(8), FS, 1.0)
    bad.bb[:] = float("nan")
    with pytest.raises(NonFiniteLossError, match="non-finite"):
        train_stage("bb", cfg, bad, None, tmp_path, preprocessing=PRE, resume=True)
    after = weights(tmp_path / "bb/last")
    assert all(torch.equal(before[k], after[k]) for k in before)


@pytest.mark.parametrize("name", ["model.safetensors", "state.safetensors"])
@pytest.mark.parametrize("keep", [0, 40])
def test_resume_from_a_truncated_checkpoint_names_the_file(tmp_path, data, name, keep):
    cfg = config(epochs=2)
    train_stage("bb", cfg, data, None, tmp_path, preprocessing=PRE, stop_after_epoch=1)
    damaged = tmp_path / "bb/last" / name
    damaged.write_bytes(damaged.read_bytes()[:keep])
    with pytest.raises(CheckpointError, match="unreadable safetensors file") as err:
        train_stage("bb", cfg, data, None, tmp_path, preprocessing=PRE, resume=True)
    assert str(damaged) in str(err.value) and "\n" not in str(err.value)
