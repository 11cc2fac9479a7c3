"""Preparation of real records (tests/data/strongmotion): quality flags, digital-zero tails,
near-Nyquist energy, 50–200 Hz sources, windows on the strong motion without P picks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import signal
from window_rule import strong_motion_reference

from seismoalice.data.formats import ReadOptions
from seismoalice.data.importers import import_format
from seismoalice.data.preprocessing import PreprocessConfig, prepare_dataset
from seismoalice.data.seisbench_format import (
    WaveformDataset,
    WaveformWriter,
    original_name,
    user_metadata,
)

FIXTURES = Path(__file__).parent / "data" / "strongmotion"
CFG = PreprocessConfig(nt=4096)


@pytest.fixture(scope="module")
def canonical(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every fixture record in one canonical data set per reader, merged into one set."""
    root = tmp_path_factory.mktemp("real")
    merged = root / "canonical"
    rows: list[tuple[dict, np.ndarray]] = []
    for fmt in ("at2", "esm", "itaca", "knet", "cosmos"):
        options = ReadOptions(metadata=FIXTURES / "records.csv")
        import_format(fmt, [FIXTURES], root / fmt, options, progress=False, min_samples=2)
        ds = WaveformDataset(root / fmt)
        for i in range(len(ds)):
            meta = user_metadata(ds.metadata.iloc[i].to_dict())
            meta["trace_name"] = original_name(ds.metadata.iloc[i].to_dict())
            rows.append((meta, ds.get_waveforms(i)))
    fmt = {"dimension_order": "CW", "component_order": "ZNE", "unit": "mps2"}
    with WaveformWriter(merged, fmt, bucket_size=0) as writer:
        for meta, wave in rows:
            writer.add_trace(meta, wave)
    return merged


@pytest.fixture(scope="module")
def prepared(canonical: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("prepared") / "set"
    summary = prepare_dataset(canonical, out, CFG, allow_padding=True, progress=False)
    return out, dict(summary.skipped)


def names(ds: WaveformDataset) -> list[str]:
    """The records' own names (not the writer's block slices)."""
    return [original_name(row) for row in ds.metadata.to_dict("records")]


def reference_100hz(wave: np.ndarray, fs: float) -> np.ndarray:
    """The record at 100 Hz by scipy's polyphase resampler called directly."""
    up, down = 100, round(fs)
    g = np.gcd(up, down)
    return signal.resample_poly(wave.astype(np.float64), up // g, down // g, axis=-1)


def test_every_record_is_prepared_or_skipped_by_its_flag(canonical: Path, prepared) -> None:
    out, skipped = prepared
    source = WaveformDataset(canonical)
    prep = WaveformDataset(out)
    assert len(prep) + len(skipped) == len(source) == 10
    assert skipped == {
        "CIT.MRN..HN.D.20120529.070002.C.ACC": "quality flag truncated (reject_flags)"
    }
    assert prep.data_format["sampling_rate"] == 100.0
    assert set(prep.metadata["trace_window_rule"]) == {"strong_motion"}  # real: no P picks
    assert set(prep.metadata["trace_source_sampling_rate_hz"]) == {100.0, 200.0}


def test_window_holds_the_strong_motion(canonical: Path, prepared) -> None:
    """Without a P pick the window follows the documented rule (reference in window_rule.py)
    and, on these short records, holds the record's PGA; what lies past the data is zero."""
    out, _ = prepared
    source, prep = WaveformDataset(canonical), WaveformDataset(out)
    source_names, prep_names = names(source), names(prep)
    for k in range(len(prep)):
        meta = prep.metadata.iloc[k]
        i = source_names.index(prep_names[k])
        full = reference_100hz(source.get_waveforms(i), source.sampling_rate(i))
        if "hf_near_nyquist" in str(meta["trace_quality_flags"]):
            continue  # guarded by a low-pass first (tested below)
        start = round(meta["trace_window_start_s"] * 100)
        assert abs(start - strong_motion_reference(full, 100.0, 4096, CFG)) <= 1
        bb = prep.get_waveforms(k)
        inside = np.abs(full[:, start : start + 4096]).max()
        assert inside == pytest.approx(np.abs(full).max(), rel=1e-9), prep_names[k]
        assert np.abs(bb).max() == pytest.approx(inside, rel=0.1)
        valid = int(meta["trace_valid_npts"])
        assert valid == min(4096, full.shape[1] - start)
        np.testing.assert_array_equal(bb[:, valid:], 0.0)


def test_missing_components_stay_zero_and_band_is_recorded(prepared) -> None:
    out, _ = prepared
    prep = WaveformDataset(out)
    meta = prep.metadata.set_index(pd.Index(names(prep)))
    spitak = names(prep).index("RSN730")
    np.testing.assert_array_equal(prep.get_waveforms(spitak)[0], 0.0)
    np.testing.assert_array_equal(prep.get_waveforms(spitak, "data_lf")[0], 0.0)
    band = meta["trace_max_frequency_hz"]
    assert band["RSN1"] == 50.0  # 100 Hz source, no processing corner in the file
    assert band["IT.AQK..HN.D.20090406.013240.C.ACC"] == 40.0  # ESM low-pass corner
    assert band["ITACA_16833"] == 50.0  # 200 Hz source, 50 Hz corner, 100 Hz output
    assert band["20230206102447_4409_ap_AAD_Acc"] == 40.0  # guarded: 0.8 × 50 Hz


def test_near_nyquist_energy_is_removed(canonical: Path, prepared) -> None:
    """AFAD 4409 (flagged hf_near_nyquist, 100 Hz): above 45 Hz the prepared record keeps less
    than 1 % of the power fraction the raw record has there."""
    out, _ = prepared
    source, prep = WaveformDataset(canonical), WaveformDataset(out)
    name = "20230206102447_4409_ap_AAD_Acc"
    raw = source.get_waveforms(names(source).index(name)).astype(float)
    bb = prep.get_waveforms(names(prep).index(name)).astype(float)

    def high_fraction(x: np.ndarray) -> float:
        power = np.abs(np.fft.rfft(x, axis=-1)) ** 2
        f = np.fft.rfftfreq(x.shape[-1], 0.01)
        return float(power[:, f > 45].sum() / power.sum())

    assert high_fraction(bb) < 0.01 * high_fraction(raw)


def test_digital_zero_tail_is_cut(tmp_path: Path, canonical: Path) -> None:
    """Ten seconds of digital zeros after a record change nothing but the record length: the
    window, its data and the count of valid samples are those of the record without them."""
    source = WaveformDataset(canonical)
    i = names(source).index("KNG0012408091957.surface")
    meta = user_metadata(source.metadata.iloc[i].to_dict())
    wave = source.get_waveforms(i)
    fmt = {"dimension_order": "CW", "component_order": "ZNE"}
    with WaveformWriter(tmp_path / "tails", fmt, bucket_size=0) as writer:
        writer.add_trace({**meta, "trace_name": "plain"}, wave)
        tail = np.concatenate([wave, np.zeros((3, 1000), np.float32)], axis=1)
        writer.add_trace({**meta, "trace_name": "tail"}, tail)
    cfg = PreprocessConfig(nt=2048)
    summary = prepare_dataset(tmp_path / "tails", tmp_path / "prep", cfg, progress=False)
    assert summary.n_ok == 2
    prep = WaveformDataset(tmp_path / "prep")
    np.testing.assert_array_equal(prep.get_waveforms(0), prep.get_waveforms(1))
    for column in ("trace_window_start_s", "trace_valid_npts"):
        assert prep.metadata[column][0] == prep.metadata[column][1]
    without_rule = PreprocessConfig(nt=2048, flat_tail_s=0.0)
    prepare_dataset(tmp_path / "tails", tmp_path / "raw", without_rule, progress=False)
    kept = WaveformDataset(tmp_path / "raw").metadata["trace_window_start_s"]
    assert kept[1] > kept[0]  # with the zeros kept the window slides towards the silence


def test_fifty_hertz_source_is_upsampled_with_its_band(tmp_path: Path, canonical: Path) -> None:
    source = WaveformDataset(canonical)
    i = names(source).index("RSN1")
    meta = user_metadata(source.metadata.iloc[i].to_dict())
    wave = signal.resample_poly(source.get_waveforms(i).astype(float), 1, 2, axis=-1)
    fmt = {"dimension_order": "CW", "component_order": "ZNE"}
    with WaveformWriter(tmp_path / "fifty", fmt, bucket_size=0) as writer:
        writer.add_trace({**meta, "trace_sampling_rate_hz": 50.0}, wave)
    cfg = PreprocessConfig(nt=1024)
    prepare_dataset(tmp_path / "fifty", tmp_path / "prep", cfg, allow_padding=True, progress=False)
    prep = WaveformDataset(tmp_path / "prep")
    assert prep.metadata["trace_max_frequency_hz"][0] == 25.0
    assert prep.metadata["trace_source_sampling_rate_hz"][0] == 50.0
    assert prep.get_waveforms(0).shape == (3, 1024)
