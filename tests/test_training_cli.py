"""`seismoalice train` on a prepared synthetic data set, and its errors."""

import json

import numpy as np
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


def test_env_stage_then_hb_with_hf_envelope_generates_in_physical_units(tmp_path, prepared):
    from safetensors import safe_open

    from seismoalice.generation import BroadbandGenerator

    model = {**TINY, "hf_envelope": True, "envelope_width": 8}
    env = {"epochs": 2, "batch_size": 4, "max_batches": 2, "lr_g": 1e-3}
    cfg = write_config(tmp_path / "c.yaml", model=model)
    data = yaml.safe_load(cfg.read_text())
    data["stages"]["env"] = env
    cfg.write_text(yaml.safe_dump(data))
    run = tmp_path / "run"
    for stage in ("bb", "fl", "env", "hb"):
        res = invoke("--stage", stage, "--config", cfg, "--data", prepared, "--out", run)
        assert res.exit_code == 0, res.output
    env_meta = json.loads((run / "env/last/config.json").read_text())
    assert env_meta["epoch"] == 2 and {"psa_bias", "pga_bias"} <= set(env_meta["validation"])
    with safe_open(str(run / "hb/best/model.safetensors"), "pt") as f:
        keys = set(f.keys())
    assert any(k.startswith("hf_envelope.") for k in keys)
    assert not any(k.startswith("amplitude.") for k in keys)
    gen = BroadbandGenerator.from_checkpoint(run)
    lf = np.random.default_rng(0).standard_normal((2, 3, 256)) * 0.01
    out = gen.generate(lf, 100.0, realizations=2, seed=0)
    assert out.shape == (2, 2, 3, 256) and np.isfinite(out).all()
    assert not np.allclose(out[0], out[1])  # two realisations


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
