"""`seismoalice train` on a prepared synthetic data set, and its errors."""

import json

import pytest
import yaml
from tiny_model import TINY
from typer.testing import CliRunner

from seismoalice.cli import app
from seismoalice.data.preprocessing import PreprocessConfig, prepare_dataset
from seismoalice.data.synthetic import write_synthetic_dataset
from seismoalice.errors import CheckpointError, ConfigError


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    write_synthetic_dataset(root / "raw", 20)
    prepare_dataset(root / "raw", root / "prep", PreprocessConfig(nt=256), progress=False)
    return root / "prep"


def write_config(path, **extra):
    st = {"epochs": 1, "batch_size": 4, "max_batches": 1}
    hb_loss = {"adversarial": "wgan-gp", "spectral": 1.0, "latent": 1.0, "signal": 1.0}
    cfg = {
        "seed": 1,
        "model": TINY,
        "train": {"progress": False},
        "validation": {"n_records": 2, "tf_gof": False, "periods": [0.1, 1.0]},
        "stages": {"bb": st, "fl": st, "hb": {**st, "loss": hb_loss}},
        **extra,
    }
    path.write_text(yaml.safe_dump(cfg))
    return path


def invoke(*args):
    return CliRunner().invoke(app, ["train", *map(str, args)])


def test_train_all_stages_then_resume(tmp_path, prepared):
    cfg = write_config(tmp_path / "c.yaml")
    for stage in ("bb", "fl", "hb"):
        res = invoke(
            "--stage", stage, "--config", cfg, "--data", prepared, "--out", tmp_path / "run"
        )
        assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "run/hb/last/config.json").read_text())
    assert meta["stage"] == "hb" and meta["package_version"]
    assert meta["preprocessing"]["nt"] == 256 and meta["data"]["n_train"] > 0
    assert {"psa_bias", "psa_sigma", "pga_bias"} <= set(meta["validation"])
    assert any((tmp_path / "run/hb/tensorboard").iterdir())
    res = invoke(
        "--stage", "bb", "--config", cfg, "--data", prepared, "--out", tmp_path / "run", "--resume"
    )
    assert res.exit_code == 0, res.output  # already finished: resumes at its last epoch


def test_errors_are_clear(tmp_path, prepared):
    res = invoke("--stage", "xx", "--config", write_config(tmp_path / "c.yaml"), "--data", prepared)
    assert isinstance(res.exception, ConfigError)
    res = invoke("--stage", "bb", "--config", write_config(tmp_path / "d.yaml", extra_key=1))
    assert isinstance(res.exception, ConfigError) and "extra_key" in str(res.exception)
    res = invoke(
        "--stage",
        "hb",
        "--config",
        write_config(tmp_path / "e.yaml"),
        "--data",
        prepared,
        "--out",
        tmp_path / "empty",
    )
    assert isinstance(res.exception, CheckpointError)
