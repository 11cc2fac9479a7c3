"""Preprocessing pipeline against analytic signals, scipy filters and the SeisBench fixture."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import signal
from window_rule import strong_motion_reference

from seismoalice.data.preprocessing import (
    PreprocessConfig,
    denormalise,
    make_lf,
    normalise,
    prepare_dataset,
    preprocess_record,
)
from seismoalice.data.seisbench_format import WaveformDataset, WaveformWriter
from seismoalice.data.signal import resample
from seismoalice.errors import DataError

DUMMY = Path(__file__).parent / "data" / "seisbench_dummy"


@pytest.mark.parametrize(
    ("fs_in", "atol"),
    [(200.0, 2e-3), (50.0, 2e-3), (100.0 * np.sqrt(2), 3e-2)],  # last: FFT path, non-periodic
)
def test_resample_matches_analytic_sine(fs_in: float, atol: float) -> None:
    n = int(20 * fs_in)
    x = np.sin(2 * np.pi * 1.5 * np.arange(n) / fs_in)
    y = resample(x, fs_in, 100.0)
    t = np.arange(y.size) / 100.0
    assert y.size == round(n * 100.0 / fs_in)
    np.testing.assert_allclose(y[200:-200], np.sin(2 * np.pi * 1.5 * t)[200:-200], atol=atol)


def test_resample_is_anti_aliased_and_does_not_ring_from_the_ends() -> None:
    """Why the polyphase resampler was kept: content above the new Nyquist frequency is removed
    (plain decimation folds a 70 Hz sine at 200 Hz into 30 Hz), and a record that ends on
    another level than it starts is exact 20 samples from its ends, where an FFT resampler,
    which treats the record as periodic, still rings."""
    fs, t = 200.0, np.arange(4000) / 200.0
    tone = np.sin(2 * np.pi * 70.0 * t)
    assert np.abs(resample(tone, fs, 100.0))[50:-50].max() < 1e-3 < np.abs(tone[::2]).max()
    ramp = t / 20.0
    y = resample(ramp, fs, 100.0)
    exact = np.arange(y.size) / 100.0 / 20.0
    fft = signal.resample(ramp, y.size)
    assert np.abs(y - exact)[20:-20].max() < 1e-12
    assert np.abs(fft - exact)[20:-20].max() > 1e-3


def test_window_starts_pre_event_before_p() -> None:
    cfg = PreprocessConfig(sampling_rate=100.0, nt=512, pre_event_s=1.5, taper_fraction=0.1)
    # weak noise: exact zeros after the spike would be a digital-zero tail, cut before windowing
    x = 1e-9 * np.random.default_rng(1).normal(size=(3, 3000))
    p = 1234
    x[:, p] = [1.0, -2.0, 3.0]
    out = preprocess_record(x, 100.0, p, cfg).bb
    assert out.shape == (3, 512)
    assert np.argmax(np.abs(out[2])) == 150  # 1.5 s × 100 Hz after the window start
    # linear detrend of a spike leaves a small ramp; the spike keeps its inter-component ratios
    np.testing.assert_allclose(out[:, 150] / out[0, 150], [1.0, -2.0, 3.0], rtol=1e-2)
    # 200 Hz input: the P pick is given in input samples
    y = 1e-9 * np.random.default_rng(1).normal(size=(3, 6000))
    y[:, 2 * p] = 1.0
    out = preprocess_record(y, 200.0, 2 * p, cfg).bb
    assert abs(int(np.argmax(np.abs(out[0]))) - 150) <= 1


def test_detrend_and_taper() -> None:
    cfg = PreprocessConfig(nt=1000, pre_event_s=0.0, taper_fraction=0.2)
    t = np.arange(2000) / 100.0
    sine = np.sin(2 * np.pi * 5.0 * t)
    x = np.stack([sine + 3.0 + 0.7 * t] * 3)
    out = preprocess_record(x, 100.0, 0.0, cfg).bb  # P at the first sample, no pre-event
    tukey = signal.windows.tukey(1000, 0.2)
    fitted = signal.detrend(sine[:1000])
    np.testing.assert_allclose(out[0], fitted * tukey, atol=1e-9)
    assert out[0, 0] == 0.0 and out[0, -1] == 0.0
    demean = PreprocessConfig(nt=1000, pre_event_s=0.0, taper_fraction=0.0, detrend="demean")
    out = preprocess_record(np.full((3, 1500), 5.0) + np.arange(1500), 100.0, 0.0, demean).bb
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, atol=1e-9)
    np.testing.assert_allclose(np.diff(out[0]), 1.0)


def test_window_errors_and_padding() -> None:
    cfg = PreprocessConfig(nt=1000, pre_event_s=2.0)
    x = np.ones((3, 1500))
    with pytest.raises(DataError, match="outside the trace"):
        preprocess_record(x, 100.0, 1600, cfg)
    with pytest.raises(DataError, match="does not fit"):
        preprocess_record(x, 100.0, 100, cfg)  # window would start at −100
    noise = np.random.default_rng(0).normal(size=(3, 800))
    with pytest.raises(DataError, match="does not fit"):
        preprocess_record(noise, 100.0, None, cfg)  # no pick: starts at 0, ends past 800
    with pytest.raises(DataError, match="NaN"):
        preprocess_record(np.full((3, 2000), np.nan), 100.0, None, cfg)
    window = preprocess_record(noise, 100.0, 100, cfg, allow_padding=True)
    padded = window.bb
    assert padded.shape == (3, 1000) and window.valid_npts == 800
    np.testing.assert_array_equal(padded[:, :100], 0.0)  # 100 samples before the trace start
    np.testing.assert_array_equal(padded[:, 900:], 0.0)  # after its end
    assert np.all(padded[:, 101:899] != 0.0)


def test_make_lf_has_butterworth_gain() -> None:
    cfg = PreprocessConfig(fc=1.0, filter_order=4)
    t = np.arange(8192) / 100.0
    for f in (0.2, 1.0, 5.0):
        x = np.sin(2 * np.pi * f * t)
        y = make_lf(np.stack([x] * 3), cfg)
        gain = np.std(y[0, 2000:-2000]) / np.std(x[2000:-2000])
        expected = 1.0 / (1.0 + (f / cfg.fc) ** (2 * cfg.filter_order))  # |H|² (two passes)
        assert gain == pytest.approx(expected, abs=2e-3)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (4, 3, 16), elements=st.floats(-1e6, 1e6)))
def test_normalise_roundtrip(x: np.ndarray) -> None:
    x_n, scale = normalise(x)
    assert scale.shape == (4, 1, 1)
    np.testing.assert_allclose(denormalise(x_n, scale), x, rtol=1e-12, atol=1e-300)
    assert np.all(np.abs(x_n) <= 1.0 + 1e-12)
    nonzero = np.abs(x).max(axis=(1, 2)) > 0
    np.testing.assert_allclose(np.abs(x_n[nonzero]).max(axis=(1, 2)), 1.0)
    t_n, t_scale = normalise(torch.from_numpy(x))
    np.testing.assert_allclose(t_n.numpy(), x_n)
    np.testing.assert_allclose(denormalise(t_n, t_scale).numpy(), x, rtol=1e-12, atol=1e-300)


def test_normalise_keeps_component_ratios_and_zero_records() -> None:
    x = np.zeros((2, 3, 10))
    x[0, 0, 3], x[0, 1, 4], x[0, 2, 5] = 2.0, -8.0, 4.0
    x_n, scale = normalise(x)
    np.testing.assert_allclose(x_n[0, :, 3:6].sum(axis=-1), [0.25, -1.0, 0.5])
    assert scale[1, 0, 0] == 1.0 and np.all(x_n[1] == 0.0)


def test_prepare_dummy_dataset(tmp_path: Path) -> None:
    cfg = PreprocessConfig(sampling_rate=20.0, nt=1024, fc=1.0)
    summary = prepare_dataset(
        DUMMY, tmp_path / "prep", cfg, splits=["train", "dev"], progress=False
    )
    src = WaveformDataset(DUMMY)
    n_expected = int(src.metadata["split"].isin(["train", "dev"]).sum())
    assert summary.n_ok == n_expected and not summary.skipped
    prep = WaveformDataset(tmp_path / "prep")
    assert len(prep) == n_expected and prep.extra_groups == ["lf"]
    stored = json.loads((tmp_path / "prep" / "preprocessing.json").read_text())
    assert stored["config"] == cfg.model_dump()
    sos = signal.butter(4, 1.0, fs=20.0, output="sos")
    rows = np.flatnonzero(src.metadata["split"].isin(["train", "dev"]).to_numpy())
    assert set(prep.metadata["trace_window_rule"]) == {"strong_motion"}  # no P picks in the set
    for k in (0, 17, n_expected - 1):
        raw = src.get_waveforms(int(rows[k])).astype(np.float64)
        expected = strong_motion_reference(raw, 20.0, 1024, cfg)
        start = round(prep.metadata["trace_window_start_s"][k] * 20.0)
        assert abs(start - expected) <= 1
        window = raw[:, start : start + 1024]
        bb_ref = signal.detrend(window, axis=-1) * signal.windows.tukey(1024, 0.05)
        bb = prep.get_waveforms(k)
        np.testing.assert_allclose(bb, bb_ref, rtol=1e-5, atol=1e-3)
        lf = prep.get_waveforms(k, "data_lf")
        np.testing.assert_allclose(
            lf, signal.sosfiltfilt(sos, bb_ref, axis=-1), rtol=1e-4, atol=1e-3
        )
        assert prep.metadata["trace_bb_peak"][k] == pytest.approx(np.abs(bb_ref).max(), rel=1e-6)
        assert prep.metadata["trace_lf_peak"][k] == pytest.approx(np.abs(lf).max(), rel=1e-5)


def test_prepare_shifts_picks_and_reports_skips(tmp_path: Path) -> None:
    fmt = {"dimension_order": "CW", "component_order": "ENZ", "sampling_rate": 200.0}
    rng = np.random.default_rng(2)
    with WaveformWriter(tmp_path / "src", fmt) as writer:
        for k in range(4):
            x = 1e-3 * rng.normal(size=(3, 4000))
            p = 1000 + 100 * k
            x[:, p] = [10.0, 20.0, 30.0]  # E, N, Z
            writer.add_trace({"trace_name": f"ok{k}", "trace_p_arrival_sample": p}, x)
        writer.add_trace(
            {"trace_name": "late", "trace_p_arrival_sample": 5000.0}, rng.normal(size=(3, 4000))
        )
        bad = rng.normal(size=(3, 4000))
        bad[1, 7] = np.nan
        writer.add_trace({"trace_name": "has_nan", "trace_p_arrival_sample": 1000.0}, bad)
    cfg = PreprocessConfig(sampling_rate=100.0, nt=1024, pre_event_s=2.0)
    summary = prepare_dataset(tmp_path / "src", tmp_path / "prep", cfg, progress=False)
    assert summary.n_ok == 4
    reasons = dict(summary.skipped)
    assert "outside the trace" in reasons["late"] and "NaN" in reasons["has_nan"]
    prep = WaveformDataset(tmp_path / "prep")
    assert prep.component_order == "ZNE" and prep.data_format["sampling_rate"] == 100.0
    for i in range(4):
        bb = prep.get_waveforms(i)
        assert prep.metadata["trace_p_arrival_sample"][i] == pytest.approx(200.0)
        assert abs(int(np.argmax(np.abs(bb[0]))) - 200) <= 1
        ratios = bb[:, 200] / bb[0, 200]
        np.testing.assert_allclose(ratios, [1.0, 2 / 3, 1 / 3], rtol=0.05)
