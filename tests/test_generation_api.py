"""Generation API and CLI: windows and cross-fades, resampling, units, realisations, metadata."""

import numpy as np
import obspy
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal
from torch import nn
from typer.testing import CliRunner

from seismoalice.cli import app
from seismoalice.errors import CheckpointError, DataError
from seismoalice.generation import (
    BroadbandGenerator,
    crossfade_weights,
    generate_stream,
    window_starts,
)
from seismoalice.models import HybridGenerator, ModelConfig

NT, FS, FC = 256, 100.0, 1.0
PRE = {"sampling_rate": FS, "nt": NT, "fc": FC, "filter_order": 4}
TINY = ModelConfig(nzd=4, nzf=2, ndf=4, ndf_d=4, width_d=8, map_width=4, envelope_width=8)


class EchoModel(nn.Module):
    """Returns its input [m/s²] times a constant gain: the pipeline's identity up to the gain."""

    def __init__(self, gain: float = 1.0) -> None:
        super().__init__()
        self.gain = gain

    def forward(self, lf):
        return lf * self.gain


def reference_lf(x, fs_in):
    """Independent reference: scipy polyphase resampling to 100 Hz + zero-phase Butterworth."""
    up, down = int(FS), int(fs_in)
    g = np.gcd(up, down)
    y = signal.resample_poly(x, up // g, down // g, axis=-1) if up != down else x
    return signal.sosfiltfilt(signal.butter(4, FC, fs=FS, output="sos"), y, axis=-1)


@settings(max_examples=30, deadline=None)
@given(length=st.integers(1, 2000), nt=st.integers(16, 300), frac=st.floats(0, 0.9))
def test_crossfade_weights_partition_unity(length, nt, frac):
    overlap = int(frac * nt)
    starts = window_starts(length, nt, overlap)
    w = crossfade_weights(starts, length, nt, overlap)
    cover = np.zeros(max(length, nt))
    for s, wi in zip(starts, w, strict=True):
        cover[s : s + nt] += wi
    np.testing.assert_allclose(cover, 1.0, atol=1e-12)
    assert starts[-1] + nt >= length and (w >= 0).all()


@pytest.mark.parametrize(("fs_in", "length"), [(100.0, 100), (50.0, 900), (200.0, 1500)])
def test_identity_model_returns_the_lf_input_in_input_units(fs_in, length):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, length)) * 3.7e-2  # m/s²
    out = BroadbandGenerator(EchoModel(2.0), PRE).generate(x, fs_in, realizations=2)
    ref = reference_lf(x, fs_in)
    assert out.shape == (2, *ref.shape)
    np.testing.assert_allclose(out[1], 2.0 * ref, rtol=1e-5, atol=1e-7 * np.abs(ref).max())


class PeakSpy(EchoModel):
    """EchoModel that records the peak of the input it is given (the absolute level in m/s²)."""

    def forward(self, lf):
        self.seen = lf.abs().amax(dim=(1, 2))
        return super().forward(lf)


def test_input_unit_is_converted_to_m_s2_and_back():
    x = np.random.default_rng(2).standard_normal((2, 3, 300)) * 0.05  # m/s²
    spy = PeakSpy(3.0)
    in_m = BroadbandGenerator(spy, PRE).generate(x, FS)
    seen_m = spy.seen
    in_cm = BroadbandGenerator(spy, PRE, unit="cm/s2").generate(x * 100, FS)
    np.testing.assert_allclose(spy.seen.numpy(), seen_m.numpy(), rtol=1e-6)
    np.testing.assert_allclose(in_cm, 100 * in_m, rtol=1e-6, atol=1e-9)
    in_g = BroadbandGenerator(spy, PRE, unit="g").generate(x / 9.80665, FS)
    np.testing.assert_allclose(in_g * 9.80665, in_m, rtol=1e-5, atol=1e-9)
    with pytest.raises(DataError, match="unit"):
        BroadbandGenerator(spy, PRE, unit="gal")


def tiny_hb_checkpoint(directory, stage="hb"):
    torch.manual_seed(0)
    gen = HybridGenerator.from_config(TINY, PRE)
    gen.hf_envelope.init_normalisation(torch.tensor([-14.0, -12.0]), torch.tensor([-14.0, -12.0]))
    return gen.save(directory, {"stage": stage})


def test_realisations_differ_and_seed_reproduces(tmp_path):
    gen = BroadbandGenerator.from_checkpoint(tiny_hb_checkpoint(tmp_path / "hb"))
    x = np.random.default_rng(1).standard_normal((3, 700))
    a = gen.generate(x, FS, realizations=3, seed=4)
    b = gen.generate(x, FS, realizations=3, seed=4)
    assert a.shape == (3, 3, 700)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a[0] - a[1]).max() > 1e-6 * np.abs(a).max()


def test_bad_inputs_and_wrong_checkpoints(tmp_path):
    gen = BroadbandGenerator(EchoModel(), PRE)
    with pytest.raises(DataError, match="shape"):
        gen.generate(np.zeros((2, 100)), FS)
    with pytest.raises(DataError, match="NaN"):
        gen.generate(np.full((3, 100), np.nan), FS)
    with pytest.raises(CheckpointError, match="'bb' checkpoint"):
        BroadbandGenerator.from_checkpoint(tiny_hb_checkpoint(tmp_path / "x", stage="bb"))


def test_stream_api_keeps_metadata():
    st = obspy.read()  # ObsPy's example: BW.RJOB EHZ/EHN/EHE, 100 Hz, 3000 samples
    st.resample(50.0)
    out = generate_stream(st, BroadbandGenerator(EchoModel(), PRE), realizations=2)
    assert len(out) == 2
    for k, s in enumerate(out):
        assert [tr.stats.channel for tr in s] == ["EHZ", "EHN", "EHE"]
        for tr, orig in zip(s, st, strict=True):
            assert tr.stats.station == "RJOB" and tr.stats.starttime == orig.stats.starttime
            assert tr.stats.sampling_rate == FS and tr.stats.npts == 2 * orig.stats.npts
            assert tr.stats.seismoalice["realization"] == k
    with pytest.raises(DataError, match="three components"):
        generate_stream(st[:2], BroadbandGenerator(EchoModel(), PRE))


@pytest.mark.parametrize(("fmt", "n_files"), [("mseed", 2), ("sac", 6), ("hdf5", 2)])
def test_generate_command_writes_k_realisations(tmp_path, fmt, n_files):
    tiny_hb_checkpoint(tmp_path / "run" / "hb" / "best")
    src = tmp_path / "in.mseed"
    obspy.read().write(str(src), format="MSEED")
    res = CliRunner().invoke(
        app,
        [
            "generate",
            "--model",
            str(tmp_path / "run"),
            "--input",
            str(src),
            "--out",
            str(tmp_path / "out"),
            "--realizations",
            "2",
            "--format",
            fmt,
        ],
    )
    assert res.exit_code == 0, res.output
    files = sorted((tmp_path / "out").iterdir())
    assert len(files) == n_files
    if fmt == "mseed":
        back = obspy.read(str(files[0]))
        assert len(back) == 3 and back[0].stats.station == "RJOB"
        assert np.isfinite(back[0].data).all() and np.abs(back[0].data).max() > 0
