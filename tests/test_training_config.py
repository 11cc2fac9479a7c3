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
