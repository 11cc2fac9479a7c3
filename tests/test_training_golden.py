"""Same seed and config give bit-identical checkpoints as the pre-redesign implementation
(issue 11).

The references, tests/data/golden_training.json and golden_generated.npz, were written by
``python tests/golden_training.py`` on the code before the redesign (see that script's
docstring): they are the old implementation's output, not this code's. Every tensor of every
checkpoint (weights, optimiser and RNG state) of bb, fl, env and hb, for two configurations,
must match bit for bit.

Generation and hb validation run the trained networks through the hybrid generator, which now
takes and returns physical units [m/s²] (it divides its float32 input by the peak itself) where
the old one took a record normalised in float64 and returned a peak-normalised signal and a log
peak ratio that the caller multiplied back: the same arithmetic up to float32 rounding. A
one-ulp change of the networks' input grows through them to a few 1e-6 of the output's peak
(1.6e-6 and 5e-7 of the peak measured for the two configurations), so generated samples
must agree to 1e-5 of their peak and the validation
metrics (float64 summaries of those outputs) to 1e-5 relative (the LF misfit of hb, a
difference of nearly equal signals, moved by 1e-6).
"""

import json
import subprocess
import sys

import numpy as np
import pytest
from golden_training import GOLDEN, GOLDEN_SAMPLES


@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    """The procedure in a fresh interpreter, as the reference was made: torch's CPU kernels
    give other bits once numba's OpenMP threads were started under another torch thread count,
    which earlier tests in this process may have done."""
    out = tmp_path_factory.mktemp("golden")
    script = GOLDEN.parents[1] / "golden_training.py"
    subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True)
    with np.load(out / GOLDEN_SAMPLES.name, allow_pickle=False) as samples:
        generated = {k: samples[k] for k in samples.files}
    return json.loads((out / GOLDEN.name).read_text()), generated


@pytest.mark.parametrize("config", ["demo", "full"])
def test_checkpoints_are_bit_identical(produced, config):
    new, old = produced[0][config], json.loads(GOLDEN.read_text())[config]
    assert new.keys() == old.keys()
    for checkpoint in sorted(old):
        for name in ("model.safetensors", "state.safetensors"):
            assert new[checkpoint].get(name) == old[checkpoint].get(name), (checkpoint, name)
        a, b = new[checkpoint]["validation"], old[checkpoint]["validation"]
        assert (a is None) == (b is None) and (a is None or a.keys() == b.keys()), checkpoint
        for key in b or {}:
            assert a[key] == pytest.approx(b[key], rel=1e-5, abs=1e-6), (checkpoint, key)


@pytest.mark.parametrize("config", ["demo", "full"])
def test_generated_samples_match(produced, config):
    with np.load(GOLDEN_SAMPLES, allow_pickle=False) as golden:
        old = golden[config]
    new = produced[1][config]
    assert new.shape == old.shape == (2, 2, 3, 256)
    assert np.abs(new - old).max() <= 1e-5 * np.abs(old).max()
