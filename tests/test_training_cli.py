"""`seismoalice train` on a prepared synthetic data set, and its errors."""

import json

import numpy as np
import pytest
import yaml
from safetensors import safe_open
from tiny_model import TINY
from typer.testing import CliRunner

from seismoalice.cli import app
from seismoalice.data.preprocessing import PreprocessConfig, prepare_dataset
from seismoalice.data.synthetic import write_synthetic_dataset
from seismoalice.errors import CheckpointError, ConfigError
from seismoalice.generation import BroadbandGenerator


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
        "stages": {
            "bb": st,
            "fl": st,
            "env": {**st, "epochs": 2, "lr_g": 1e-3},
            "hb": {**st, "loss": hb_loss},
        },
        **extra,
    }
    path.write_text(yaml.safe_dump(cfg))
    return path


def invoke(*args):
    return CliRunner().invoke(app, ["train", *map(str, args)])


@pytest.fixture(scope="module")
def run(tmp_path_factory, prepared):
    """bb, fl, env and hb trained in one run folder."""
    root = tmp_path_factory.mktemp("run")
    cfg = write_config(root / "c.yaml")
    for stage in ("bb", "fl", "env", "hb"):
        res = invoke("--stage", stage, "--config", cfg, "--data", prepared, "--out", root / "run")
        assert res.exit_code == 0, res.output
    return root / "run", cfg


def test_all_stages_write_checkpoints_with_their_metadata(run):
    folder, _ = run
    meta = json.loads((folder / "hb/last/config.json").read_text())
    assert meta["stage"] == "hb" and meta["package_version"]
    assert meta["preprocessing"]["nt"] == 256 and meta["data"]["n_train"] > 0
    assert {"psa_bias", "psa_sigma", "pga_bias", "lf_misfit_median"} <= set(meta["validation"])
    assert any((folder / "hb/tensorboard").iterdir())
    env_meta = json.loads((folder / "env/last/config.json").read_text())
    assert env_meta["epoch"] == 2 and {"psa_bias", "pga_bias"} <= set(env_meta["validation"])
    with safe_open(str(folder / "hb/best/model.safetensors"), "pt") as f:
        keys = {k.split(".", 1)[0] for k in f.keys()}  # noqa: SIM118 - safe_open has no iterator
    assert {"encoder_fl", "fl_to_bb", "decoder_bb", "hf_envelope", "d_latent"} <= keys
    assert not any(k.startswith("amplitude") for k in keys)


def test_hb_run_generates_in_physical_units(run):
    gen = BroadbandGenerator.from_checkpoint(run[0])
    lf = np.random.default_rng(0).standard_normal((2, 3, 256)) * 0.01
    out = gen.generate(lf, 100.0, realizations=2, seed=0)
    assert out.shape == (2, 2, 3, 256) and np.isfinite(out).all()
    assert not np.allclose(out[0], out[1])  # two realisations


def test_existing_checkpoints_need_resume_or_overwrite(run, prepared):
    folder, cfg = run
    common = ("--config", cfg, "--data", prepared, "--out", folder)
    before = (folder / "bb/last/model.safetensors").read_bytes()
    res = invoke("--stage", "bb", *common)
    assert isinstance(res.exception, ConfigError) and "--resume" in str(res.exception)
    assert (folder / "bb/last/model.safetensors").read_bytes() == before  # untouched
    res = invoke("--stage", "bb", *common, "--resume")
    assert res.exit_code == 0, res.output  # already finished: resumes at its last epoch
    assert (folder / "bb/last/model.safetensors").read_bytes() == before
    (folder / "bb/notes.txt").write_text("mine")
    res = invoke("--stage", "bb", *common, "--overwrite")
    assert res.exit_code == 0, res.output
    assert (folder / "bb/notes.txt").read_text() == "mine"  # only the run's own outputs go
    assert json.loads((folder / "bb/last/state.json").read_text())["epoch"] == 1


def test_errors_are_clear(tmp_path, prepared):
    res = invoke("--stage", "xx", "--config", write_config(tmp_path / "c.yaml"), "--data", prepared)
    assert isinstance(res.exception, ConfigError)
    res = invoke("--stage", "bb", "--config", write_config(tmp_path / "d.yaml", extra_key=1))
    assert isinstance(res.exception, ConfigError) and "extra_key" in str(res.exception)
    hb = ("--stage", "hb", "--config", write_config(tmp_path / "e.yaml"), "--data", prepared)
    res = invoke(*hb, "--out", tmp_path / "empty")
    assert isinstance(res.exception, CheckpointError)


def test_window_length_is_checked_against_the_architecture(tmp_path):
    """`data prepare --nt 10` then `train`: a clear error naming the smallest nt, not a
    convolution error from inside torch."""
    write_synthetic_dataset(tmp_path / "raw", 10)
    prepare_dataset(tmp_path / "raw", tmp_path / "prep", PreprocessConfig(nt=10), progress=False)
    cfg = write_config(tmp_path / "c.yaml")
    res = invoke("--stage", "bb", "--config", cfg, "--data", tmp_path / "prep", "--out", tmp_path)
    assert isinstance(res.exception, ConfigError)
    assert "nt = 10" in str(res.exception) and "smallest 32" in str(res.exception)
    assert not (tmp_path / "bb").exists()


@pytest.mark.parametrize(
    ("stages", "needle"),
    [
        ({"bb": {"betas": [2, -1]}}, "stages.bb.betas.0"),
        ({"fl": {"lr_g": float("inf")}}, "stages.fl.lr_g: Input should be a finite number"),
        ({"hb": {"lr_d": float("nan")}}, "stages.hb.lr_d: Input should be a finite number"),
        ({"env": {"lr_g": -1.0}}, "stages.env.lr_g: Input should be greater than 0"),
    ],
)
def test_bad_optimiser_settings_are_refused_one_line_per_field(tmp_path, stages, needle):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"stages": stages}))
    res = CliRunner().invoke(app, ["train", "--stage", "bb", "--config", str(path)])
    assert isinstance(res.exception, ConfigError)
    lines = str(res.exception).splitlines()
    assert lines[0].endswith("invalid config:") and any(needle in line for line in lines[1:])
