"""Same seed and config give bit-identical checkpoints and generated samples as the
pre-redesign implementation (issue 11).

The reference, tests/data/golden_training.json, was written by ``python
tests/golden_training.py`` on the code before the redesign (see that script's docstring): it is
the old implementation's output, not this code's. Every tensor of every checkpoint (weights,
optimiser and RNG state) of bb, fl, env and hb, for two configurations, and the generated
samples must match it bit for bit; the validation metrics stored with the checkpoints to 1e-12
(they are float64 summaries computed from those tensors).
"""

import json

import pytest
from golden_training import GOLDEN, run


@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    return run(tmp_path_factory.mktemp("golden"))


@pytest.fixture(scope="module")
def golden():
    return json.loads(GOLDEN.read_text())


@pytest.mark.parametrize("config", ["demo", "full"])
def test_checkpoints_and_samples_are_bit_identical(produced, golden, config):
    new, old = produced[config], golden[config]
    assert new.keys() == old.keys()
    assert new["generated"] == old["generated"]
    for checkpoint in sorted(set(old) - {"generated"}):
        for name in ("model.safetensors", "state.safetensors"):
            assert new[checkpoint].get(name) == old[checkpoint].get(name), (checkpoint, name)
        a, b = new[checkpoint]["validation"], old[checkpoint]["validation"]
        assert (a is None) == (b is None) and (a is None or a.keys() == b.keys()), checkpoint
        for key in b or {}:
            assert a[key] == pytest.approx(b[key], rel=1e-12, abs=1e-14), (checkpoint, key)
