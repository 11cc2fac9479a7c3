"""YAML configs: shipped configs validate; unknown keys and bad values give clear ConfigErrors."""

from pathlib import Path

import pytest

from seismoalice.errors import ConfigError
from seismoalice.training.config import load_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["demo.yaml", "full.yaml"])
def test_shipped_configs_validate(name):
    cfg = load_config(ROOT / "configs" / name)
    assert cfg.model.nzd == 32 and cfg.model.nzf == 8


def test_full_config_has_original_sizes():
    cfg = load_config(ROOT / "configs" / "full.yaml")
    assert (cfg.model.ndf, cfg.model.decoder, cfg.stages.bb.n_critic) == (32, "transpose", 5)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("model: {nzd: 32, lattent: 3}\n", "model.lattent"),
        ("stages: {bb: {epochs: 0}}\n", "stages.bb.epochs"),
        ("stages: {hb: {loss: {adversarial: clip}}}\n", "stages.hb.loss.adversarial"),
        ("- a\n- b\n", "mapping"),
        ("model: [\n", "YAML"),
        # superseded variants, and loss terms of other stages
        ("model: {hf_envelope: false}\n", "hf_envelope: False selects a variant"),
        ("model: {lf_envelope: 2.0}\n", "lf_envelope: 2.0 selects a variant"),
        ("stages: {hb: {loss: {amplitude: 1.0}}}\n", "stages.hb.loss.amplitude"),
        ("stages: {bb: {loss: {latent: 1.0}}}\n", "stages.bb.loss.latent"),
    ],
)
def test_bad_configs_name_file_and_key(tmp_path, text, needle):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"bad\.yaml") as err:
        load_config(path)
    assert needle in str(err.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_cli_prints_one_line_per_invalid_field(tmp_path, monkeypatch, capsys):
    from seismoalice import cli

    path = tmp_path / "bad.yaml"
    path.write_text("stages: {bb: {betas: [2, -1], lr_g: .inf}, hb: {epochs: 0}}\n")
    monkeypatch.setattr(
        "sys.argv", ["seismoalice", "train", "--stage", "bb", "--config", str(path)]
    )
    with pytest.raises(SystemExit) as exc:
        cli.run()
    assert exc.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == f"error: {path}: invalid config:"
    fields = sorted(line.split(":")[0].strip() for line in lines[1:])
    assert fields == [
        "stages.bb.betas.0",
        "stages.bb.betas.1",
        "stages.bb.lr_g",
        "stages.hb.epochs",
    ]


def test_settings_of_earlier_versions_that_select_the_kept_path_load(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text(
        "model: {merge_lf: true, hf_envelope: true, lf_envelope: 0, amplitude_width: 8}\n"
    )
    assert load_config(path).model.nzd == 32
