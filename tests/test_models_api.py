"""The model API: build from config, save, load; checkpoints of earlier versions; clear one-line
errors for corrupt, truncated, empty or mismatched checkpoints (in the API and the CLI)."""

import json

import pytest
import torch
from tiny_model import TINY
from typer.testing import CliRunner

from seismoalice.checkpoint import read_checkpoint, save_checkpoint
from seismoalice.cli import app
from seismoalice.errors import CheckpointError
from seismoalice.models import HybridGenerator, ModelConfig, build_network, load_networks

PRE = {"sampling_rate": 100.0, "nt": 256, "fc": 1.0, "filter_order": 4}
MODEL = ModelConfig(**TINY)


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    gen = HybridGenerator.from_config(MODEL, PRE)
    return gen, gen.save(tmp_path / "hb")


def test_generator_round_trip(saved):
    gen, path = saved
    back = HybridGenerator.load(path)
    assert back.get_model_args() == gen.get_model_args()
    for name, net in gen.networks().items():
        theirs = back.networks()[name].state_dict()
        assert all(torch.equal(v, theirs[k]) for k, v in net.state_dict().items()), name
    lf = torch.randn(2, 3, 256) * 0.01
    torch.manual_seed(1)
    a = gen.eval()(lf)
    torch.manual_seed(1)
    b = back.eval()(lf)
    assert torch.equal(a, b)  # same weights and same noise: the same realisation


def test_networks_load_under_checkpoint_names(tmp_path):
    nets = {"encoder": build_network("encoder_bb", MODEL)}
    config = {"stage": "bb", "model": MODEL.model_dump(mode="json"), "preprocessing": PRE}
    save_checkpoint(tmp_path / "bb", nets, config)
    loaded, cfg = load_networks(tmp_path / "bb", {"encoder": "encoder_bb"}, "bb")
    assert cfg["stage"] == "bb"
    assert torch.equal(loaded["encoder"].net[0][0].weight, nets["encoder"].net[0][0].weight)
    with pytest.raises(CheckpointError, match="'bb' checkpoint, not 'fl'"):
        load_networks(tmp_path / "bb", {"encoder": "encoder_fl"}, "fl")
    other = ModelConfig(**{**TINY, "nzd": 5})
    with pytest.raises(CheckpointError, match=r"another architecture.*nzd"):
        load_networks(tmp_path / "bb", {"encoder": "encoder_bb"}, "bb", other)


def legacy_config(path, **changes):
    """Rewrite a checkpoint's model config the way versions with the amplitude head wrote it."""
    config = json.loads((path / "config.json").read_text())
    config["model"].update(
        {"merge_lf": True, "hf_envelope": True, "lf_envelope": 0.0, "amplitude_width": 64}
    )
    config["model"].update({"amplitude_peak": False, **changes})
    (path / "config.json").write_text(json.dumps(config))


def test_checkpoints_of_earlier_versions_load(saved):
    _, path = saved
    legacy_config(path)
    assert HybridGenerator.load(path).model == MODEL


def test_a_superseded_variant_is_named(saved):
    _, path = saved
    legacy_config(path, hf_envelope=False)
    with pytest.raises(CheckpointError, match="hf_envelope: False selects a variant"):
        HybridGenerator.load(path)


@pytest.mark.parametrize(
    ("damage", "needle"),
    [
        (lambda p: p.write_bytes(b""), "model.safetensors: unreadable safetensors file"),
        (lambda p: p.write_bytes(p.read_bytes()[:100]), "unreadable safetensors file"),
        (lambda p: p.write_bytes(b"\x00" * 64), "unreadable safetensors file"),
    ],
)
def test_corrupt_weights_give_one_line_naming_the_file(saved, damage, needle):
    _, path = saved
    damage(path / "model.safetensors")
    with pytest.raises(CheckpointError, match=needle) as err:
        read_checkpoint(path)
    assert "\n" not in str(err.value) and str(path / "model.safetensors") in str(err.value)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("[1, 2]", "config.json: must hold a JSON object, got a list"),
        ('"hb"', "must hold a JSON object, got a str"),
        ("{", "config.json: unreadable JSON"),
        ('{"stage": "hb", "model": [1], "preprocessing": {}}', "no model architecture"),
    ],
)
def test_bad_config_json_gives_one_line(saved, content, needle):
    _, path = saved
    (path / "config.json").write_text(content)
    with pytest.raises(CheckpointError, match=needle) as err:
        HybridGenerator.load(path)
    assert "\n" not in str(err.value)


def test_architecture_mismatch_is_not_called_a_preprocessing_problem(saved, tmp_path):
    _, path = saved
    config = json.loads((path / "config.json").read_text())
    config["model"]["nzd"] = 5  # the weights were built with nzd 4
    (path / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="another architecture") as err:
        HybridGenerator.load(path)
    assert "preprocessing" not in str(err.value)
    config["model"]["nzd"] = 4
    config["preprocessing"] = {"fc": 1.0}
    (path / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="preprocessing"):
        HybridGenerator.load(path)


def test_generate_command_reports_a_truncated_checkpoint(saved, tmp_path):
    _, path = saved
    weights = path / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-50])
    src = tmp_path / "in.npy"  # never read: the model is loaded first
    res = CliRunner().invoke(
        app, ["generate", "--model", str(path), "--input", str(src), "--out", str(tmp_path / "o")]
    )
    assert isinstance(res.exception, CheckpointError)
    assert str(weights) in str(res.exception) and "\n" not in str(res.exception)
    assert not (tmp_path / "o").exists()
