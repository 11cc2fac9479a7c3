"""End to end on a small simulated ETAS catalog: train, generate, explore, evaluate (CLI)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from seismoalice.catalog.catalog import Catalog
from seismoalice.catalog.etas.params import ETASParams
from seismoalice.catalog.etas.simulate import simulate_etas
from seismoalice.catalog.stats import b_value_mle
from seismoalice.cli import app
from seismoalice.errors import CheckpointError, ConfigError

B_TRUE = 1.0
runner = CliRunner()


def _invoke(*args: str) -> str:
    result = runner.invoke(app, ["catalog", "vae", *args])
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.output


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A small temporal ETAS catalog (b = 1, M ≥ 2) and a VAE trained on it via the CLI."""
    root = tmp_path_factory.mktemp("vae")
    params = ETASParams(mu=1.0, k=0.2, alpha=1.5, c=0.01, p=1.2, m0=2.0, b=B_TRUE, mmax=6.5)
    cat = simulate_etas(params, 0.0, 6 * 365.25, burn_in_days=1000.0, seed=11)
    cat.to_csv(root / "etas.csv")
    (root / "cfg.yaml").write_text(
        "data: {mc: 2.0, window: 32, stride: 8}\n"
        "model: {latent_dim: 4, hidden: [64, 32], reconstruction: gr_weibull_nll,\n"
        "        times_given_magnitudes: true}\n"
        "train: {epochs: 40, patience: 10, lr: 0.002}\n"
    )
    _invoke("train", str(root / "etas.csv"), "--out", str(root / "model"),
            "--config", str(root / "cfg.yaml"))  # fmt: skip
    return root


def test_checkpoint_files_and_config(trained):
    model = trained / "model"
    for name in ("model.safetensors", "config.json", "last.safetensors", "last.json"):
        assert (model / name).is_file()
    assert any((model / "tb").iterdir())
    meta = json.loads((model / "config.json").read_text())
    assert meta["mc"] == 2.0 and meta["dm"] == 0.0
    assert meta["features"] == ["log10_dt", "dmag"]
    train, test = (Catalog.read_csv(model / f"split_{k}.csv") for k in ("train", "test"))
    assert train.df["time"].iloc[-1] < test.df["time"].iloc[0]


def test_generated_catalog_is_valid_and_keeps_b(trained):
    out = trained / "generated.csv"
    _invoke("generate", str(trained / "model"), "--windows", "300", "--out", str(out), "--seed=2")
    gen = Catalog.read_csv(out)
    assert len(gen) == 300 * 32
    t = gen.times_days()
    assert np.all(np.diff(t) > 0)
    assert gen.magnitudes.min() >= 2.0
    assert {"time", "latitude", "longitude", "depth", "magnitude"} <= set(gen.df.columns)
    b, b_err = b_value_mle(gen.magnitudes, 2.0, 0.0)
    assert abs(b - B_TRUE) < 0.08, (b, b_err)


def test_explore_writes_png(trained):
    png = trained / "latent.png"
    output = _invoke("explore", str(trained / "model"), "--out", str(png), "--max-windows", "60")
    assert png.stat().st_size > 10_000
    assert "aftershock fraction" in output


def test_evaluate_writes_json_and_html(trained):
    out = trained / "eval"
    _invoke("evaluate", str(trained / "model"), "--out", str(out), "--no-etas",
            "--size-factor", "2", "--b-true", "1.0")  # fmt: skip
    result = json.loads((out / "evaluation.json").read_text())
    assert set(result["statistics"]) == {"heldout", "train", "generated", "poisson"}
    pois = result["statistics"]["poisson"]
    held = result["statistics"]["heldout"]
    assert math.isclose(pois["cv_interevent"], 1.0, abs_tol=0.1)
    assert held["cv_interevent"] > 1.2
    assert result["distance_to_heldout"]["poisson"]["log10_interevent_days"] > 0.05
    assert "<img" in (out / "evaluation.html").read_text()


def test_training_resumes_from_last_checkpoint(trained, tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("data: {mc: 2.0, window: 32, stride: 32}\nmodel: {hidden: [16]}\n"
                   "train: {epochs: 2, patience: 50}\n")  # fmt: skip
    args = ["train", str(trained / "etas.csv"), "--out", str(tmp_path / "m"), "--config", str(cfg)]
    _invoke(*args)
    assert json.loads((tmp_path / "m" / "last.json").read_text())["epoch"] == 2
    cfg.write_text(cfg.read_text().replace("epochs: 2", "epochs: 4"))
    _invoke(*args)
    history = json.loads((tmp_path / "m" / "last.json").read_text())["history"]
    assert [h["epoch"] for h in history] == [0, 1, 2, 3]
    cfg.write_text(cfg.read_text().replace("hidden: [16]", "hidden: [8]"))
    result = runner.invoke(app, ["catalog", "vae", *args])
    assert isinstance(result.exception, CheckpointError)


def test_bad_config_and_missing_checkpoint_are_clear_errors(tmp_path):
    from seismoalice.catalog.vae.config import load_config
    from seismoalice.catalog.vae.generate import load_vae

    bad = tmp_path / "bad.yaml"
    bad.write_text("model: {latent_dimension: 3}\n")
    with pytest.raises(ConfigError, match="latent_dimension"):
        load_config(bad)
    with pytest.raises(CheckpointError, match=r"model\.safetensors"):
        load_vae(tmp_path)
