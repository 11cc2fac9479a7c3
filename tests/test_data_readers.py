"""Readers and importers: STEAD layout, PEER AT2, ObsPy files; skips are counted with reasons."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from seismoalice.data.formats import FORMATS, ReadOptions
from seismoalice.data.importers import import_format
from seismoalice.data.readers.at2 import G, read_at2
from seismoalice.data.readers.stead import select_stead
from seismoalice.data.records import Record, Skip
from seismoalice.data.seisbench_format import WaveformDataset
from seismoalice.errors import DataError

DATA = Path(__file__).parent / "data"
STEAD_COLUMNS = [
    "network_code",
    "receiver_code",
    "receiver_type",
    "receiver_latitude",
    "receiver_longitude",
    "receiver_elevation_m",
    "p_arrival_sample",
    "p_status",
    "p_weight",
    "p_travel_sec",
    "s_arrival_sample",
    "s_status",
    "s_weight",
    "source_id",
    "source_origin_time",
    "source_origin_uncertainty_sec",
    "source_latitude",
    "source_longitude",
    "source_error_sec",
    "source_gap_deg",
    "source_horizontal_uncertainty_km",
    "source_depth_km",
    "source_depth_uncertainty_km",
    "source_magnitude",
    "source_magnitude_type",
    "source_magnitude_author",
    "source_mechanism_strike_dip_rake",
    "source_distance_deg",
    "source_distance_km",
    "back_azimuth_deg",
    "snr_db",
    "coda_end_sample",
    "trace_start_time",
    "trace_category",
    "trace_name",
]


def make_stead(tmp_path: Path, n: int = 12, layout: str = "data") -> tuple[Path, pd.DataFrame]:
    """A STEAD-layout file: trace k has E = k, N = 10 + k, Z = 100 + k (constant channels)."""
    rng = np.random.default_rng(3)
    rows = []
    for k in range(n):
        noise = k % 4 == 3
        rows.append(
            {
                "network_code": "TA",
                "receiver_code": f"S{k:02d}",
                "receiver_type": "HH",
                "receiver_latitude": 35.0,
                "receiver_longitude": -117.0,
                "receiver_elevation_m": 500.0,
                "p_arrival_sample": np.nan if noise else 700.0 + 10 * k,
                "p_status": "manual",
                "p_weight": 0.5,
                "p_travel_sec": 3.1,
                "s_arrival_sample": np.nan if noise else 1500.0,
                "s_status": "manual",
                "s_weight": 0.5,
                "source_id": f"ev{k // 2}",
                "source_origin_time": "2018-01-01 00:00:00",
                "source_origin_uncertainty_sec": 0.2,
                "source_latitude": 35.1,
                "source_longitude": -117.1,
                "source_error_sec": 0.1,
                "source_gap_deg": 50.0,
                "source_horizontal_uncertainty_km": 1.0,
                "source_depth_km": np.nan if noise else 8.0,
                "source_depth_uncertainty_km": 1.0,
                "source_magnitude": np.nan if noise else round(2.0 + 0.3 * k, 2),
                "source_magnitude_type": "ml",
                "source_magnitude_author": "ci",
                "source_mechanism_strike_dip_rake": np.nan,
                "source_distance_deg": 0.1,
                "source_distance_km": np.nan if noise else 6.0 * k,
                "back_azimuth_deg": 120.0,
                "snr_db": "[30. 31. 32.]",
                "coda_end_sample": "[[3505.]]",
                "trace_start_time": "2018-01-01 00:00:00",
                "trace_category": "noise" if noise else "earthquake_local",
                "trace_name": f"S{k:02d}.TA_2018010100000{k}_{'NO' if noise else 'EV'}",
            }
        )
    table = pd.DataFrame(rows, columns=STEAD_COLUMNS)
    hdf5 = tmp_path / "merged.hdf5"
    table.to_csv(tmp_path / "merged.csv", index=False)
    with h5py.File(hdf5, "w") as f:
        for k, name in enumerate(table["trace_name"]):
            wave = np.stack([np.full(6000, k), np.full(6000, 10 + k), np.full(6000, 100 + k)], 1)
            group = layout if table["trace_category"][k] != "noise" else "non_earthquake/noise"
            group = "data" if layout == "data" else group
            f.create_dataset(f"{group}/{name}", data=(wave + 0 * rng.normal()).astype(np.float32))
    return hdf5, table


@pytest.mark.parametrize("layout", ["data", "earthquake/local"])
def test_stead_import_reorders_to_zne(tmp_path: Path, layout: str) -> None:
    hdf5, table = make_stead(tmp_path, layout=layout)
    options = ReadOptions(min_magnitude=2.5)
    summary = import_format("stead", [hdf5], tmp_path / "out", options, progress=False)
    expected = table[(table.trace_category == "earthquake_local") & (table.source_magnitude >= 2.5)]
    assert summary.n_ok == len(expected) and not summary.skipped
    ds = WaveformDataset(tmp_path / "out")
    assert ds.data_format["component_order"] == "ZNE" and ds.data_format["unit"] == "counts"
    for i in range(len(ds)):
        row = ds.metadata.iloc[i]
        k = int(row["station_code"][1:])
        np.testing.assert_array_equal(ds.get_waveforms(i)[:, 0], [100 + k, 10 + k, k])
        assert row["trace_p_arrival_sample"] == 700.0 + 10 * k
        assert row["path_ep_distance_km"] == 6.0 * k
        assert row["path_hyp_distance_km"] == pytest.approx(np.hypot(6.0 * k, 8.0))
        assert row["station_network_code"] == "TA" and row["trace_channel"] == "HH"
        assert row["split"] in {"train", "dev", "test"}
    assert ds.metadata.groupby("source_id")["split"].nunique().max() == 1


def test_stead_selection_and_seeded_sample(tmp_path: Path) -> None:
    _, table = make_stead(tmp_path, n=40)
    picked = select_stead(tmp_path / "merged.csv", max_distance_km=120.0, n=10, seed=5)
    assert len(picked) == 10
    assert (picked.source_distance_km <= 120.0).all()
    assert (picked.trace_category == "earthquake_local").all()
    again = select_stead(tmp_path / "merged.csv", max_distance_km=120.0, n=10, seed=5)
    other = select_stead(tmp_path / "merged.csv", max_distance_km=120.0, n=10, seed=6)
    assert list(picked.trace_name) == list(again.trace_name)
    assert list(picked.trace_name) != list(other.trace_name)
    noise = select_stead(tmp_path / "merged.csv", trace_category="noise")
    assert len(noise) == (table.trace_category == "noise").sum()


def test_stead_missing_trace_is_reported(tmp_path: Path) -> None:
    hdf5, table = make_stead(tmp_path)
    with h5py.File(hdf5, "a") as f:
        del f[f"data/{table.trace_name[0]}"]
    summary = import_format("stead", [hdf5], tmp_path / "out", progress=False)
    assert [name for name, _ in summary.skipped] == [table.trace_name[0]]
    assert "not found" in summary.skipped[0][1]


def test_at2_files_match_reference_table() -> None:
    table = pd.read_csv(DATA / "at2" / "records.csv")
    for row in table.itertuples():
        acc, dt, header = read_at2(DATA / "at2" / Path(row.file).name)
        assert acc.size == row.npts and dt == pytest.approx(row.dt_s)
        assert np.abs(acc).max() / G == pytest.approx(row.pga_g, rel=2e-5)
        assert header["component"].upper() == str(row.component).upper()


def write_at2(path: Path, values: np.ndarray, dt: float, component: str, old: bool) -> None:
    lines = [
        "PEER NGA STRONG MOTION DATABASE RECORD",
        f"Test quake, 1/1/2000, Station A, {component}",
        "ACCELERATION TIME SERIES IN UNITS OF G",
        f"{values.size}    {dt:.4f}    NPTS, DT" if old else f"NPTS= {values.size}, DT= {dt} SEC",
    ]
    lines += ["".join(f"{v:15.7E}" for v in values[i : i + 5]) for i in range(0, values.size, 5)]
    path.write_text("\n".join(lines) + "\n")


def test_at2_header_variants_and_three_component_assembly(tmp_path: Path) -> None:
    t = np.arange(1003) * 0.01
    signals = {"UP": 0.1 * np.sin(t), "000": 0.2 * np.cos(t), "090": 0.3 * np.sin(2 * t)}
    for k, (comp, values) in enumerate(signals.items()):
        write_at2(tmp_path / f"RSN9_TEST_A{comp}.AT2", values, 0.01, comp, old=k == 0)
    acc, dt, _ = read_at2(tmp_path / "RSN9_TEST_AUP.AT2")
    assert dt == 0.01
    np.testing.assert_allclose(acc, signals["UP"] * G, rtol=1e-6, atol=1e-12)
    [record] = list(FORMATS["at2"].read([tmp_path], ReadOptions()))
    assert isinstance(record, Record)
    np.testing.assert_allclose(record.waveform[0], signals["UP"] * G, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(record.waveform[1], signals["000"] * G, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(record.waveform[2], signals["090"] * G, rtol=1e-6, atol=1e-12)
    assert record.metadata["trace_components"] == "ZNE"


def test_at2_bad_files(tmp_path: Path) -> None:
    write_at2(tmp_path / "a.AT2", np.ones(12), 0.01, "90", old=False)
    text = (tmp_path / "a.AT2").read_text()
    (tmp_path / "short.AT2").write_text(text.replace("NPTS= 12", "NPTS= 13"))
    (tmp_path / "units.AT2").write_text(text.replace("UNITS OF G", "UNITS OF CM/S/S"))
    (tmp_path / "long.AT2").write_text(text.replace("NPTS= 12", "NPTS= 11"))
    with pytest.raises(DataError, match="11 but 12"):
        read_at2(tmp_path / "long.AT2")
    assert read_at2(tmp_path / "short.AT2")[2]["truncated"]
    with pytest.raises(DataError, match="unknown units"):
        read_at2(tmp_path / "units.AT2")
    skipped = [r for r in FORMATS["at2"].read([tmp_path], ReadOptions()) if isinstance(r, Skip)]
    assert sorted(s.name for s in skipped) == ["long.AT2", "units.AT2"]


def test_at2_import_with_metadata_table(tmp_path: Path) -> None:
    options = ReadOptions(metadata=DATA / "at2" / "records.csv")
    summary = import_format("at2", [DATA / "at2"], tmp_path / "out", options, progress=False)
    assert summary.n_ok == 3 and not summary.skipped
    ds = WaveformDataset(tmp_path / "out")
    assert ds.data_format["unit"] == "mps2"
    meta = ds.metadata
    original = meta.get("trace_name_original", pd.Series(np.nan, index=meta.index))
    rsn = meta.index[original.fillna(meta["trace_name"]) == "RSN763"][0]
    row = ds.metadata.iloc[rsn]
    assert row["source_magnitude"] == 6.93 and row["path_hyp_distance_km"] == 33.84
    assert row["station_vs30_mps"] == 729.6 and row["trace_components"] == "NE"
    acc337, _, _ = read_at2(DATA / "at2" / "RSN763_LOMAP_GIL337.AT2")
    wave = ds.get_waveforms(int(rsn))
    np.testing.assert_array_equal(wave[0], 0.0)
    np.testing.assert_allclose(wave[1], acc337, rtol=1e-6)  # 337° is nearer N–S than 67°
    assert ds.sampling_rate(int(rsn)) == pytest.approx(200.0)


def _stream(
    net: str, rates: dict[str, float], start_offsets: dict[str, float], n: int, freq: float = 0.5
) -> list:
    from obspy import Trace, UTCDateTime

    t0 = UTCDateTime(2020, 1, 1)
    traces = []
    for comp, rate in rates.items():
        start = t0 + start_offsets.get(comp, 0.0)
        t = (start - t0) + np.arange(n) / rate
        data = (
            np.sin(2 * np.pi * freq * t) * {"Z": 1.0, "1": 2.0, "2": 3.0, "N": 2.0, "E": 3.0}[comp]
        )
        traces.append(
            Trace(
                data,
                header={
                    "network": net,
                    "station": "STA",
                    "location": "",
                    "channel": f"HH{comp}",
                    "sampling_rate": rate,
                    "starttime": start,
                },
            )
        )
    return traces


def test_obspy_import_groups_resamples_and_trims(tmp_path: Path) -> None:
    from obspy import Stream

    src = tmp_path / "src"
    src.mkdir()
    Stream(_stream("XX", {"Z": 100.0, "1": 50.0, "2": 100.0}, {"2": 1.0}, 3000)).write(
        str(src / "a.mseed"), format="MSEED"
    )
    partial = _stream("YY", {"Z": 100.0, "N": 100.0}, {}, 3000)
    bad = _stream("ZZ", {"Z": 100.0, "N": 100.0, "E": 100.0}, {}, 3000)
    bad[1].data[5] = np.nan
    Stream(partial + bad).write(str(src / "b.mseed"), format="MSEED")
    (src / "junk.txt").write_text("not a waveform")
    options = ReadOptions(units="mps")
    summary = import_format("obspy", [src], tmp_path / "out", options, progress=False)
    assert summary.n_ok == 2  # XX complete, YY without E (kept: missing components are marked)
    reasons = dict(summary.skipped)
    assert "NaN" in reasons["ZZ.STA..HH"]
    assert "not a waveform format" in reasons["junk.txt"]
    ds = WaveformDataset(tmp_path / "out")
    assert ds.data_format["measurement"] == "velocity"
    names = ds.metadata["trace_name_original"].tolist()
    xx, yy = names.index("XX.STA..HH"), names.index("YY.STA..HH")
    assert ds.metadata["trace_components"][xx] == "ZNE"
    assert ds.metadata["trace_components"][yy] == "ZN"
    np.testing.assert_array_equal(ds.get_waveforms(yy)[2], 0.0)
    wave = ds.get_waveforms(xx)
    fs = ds.sampling_rate(xx)
    assert fs == 100.0
    t = 1.0 + np.arange(wave.shape[1]) / fs  # common window starts at the latest start (1 s)
    assert wave.shape[1] == 2900  # [1 s, 29.99 s]: latest start (channel 2), earliest end (Z)
    inner = slice(100, -100)  # resampling edge effects
    for c, amp in enumerate([1.0, 2.0, 3.0]):
        np.testing.assert_allclose(wave[c, inner], amp * np.sin(np.pi * t[inner]), atol=2e-3)
    with pytest.raises(DataError, match="unknown units"):
        import_format("obspy", [src], tmp_path / "o2", ReadOptions(units="furlongs"))


def test_importers_count_bad_records(tmp_path: Path) -> None:
    hdf5, table = make_stead(tmp_path, n=8)
    with h5py.File(hdf5, "a") as f:
        f[f"data/{table.trace_name[0]}"][10, 1] = np.inf
    table.loc[1, "p_arrival_sample"] = 7000.0
    table.to_csv(tmp_path / "merged.csv", index=False)
    summary = import_format("stead", [hdf5], tmp_path / "out", min_samples=7000, progress=False)
    assert summary.n_ok == 0
    reasons = dict(summary.skipped)
    assert "NaN or inf" in reasons[table.trace_name[0]]
    assert "too short" in reasons[table.trace_name[2]]
    summary = import_format("stead", [hdf5], tmp_path / "out", progress=False)
    assert "outside the trace" in dict(summary.skipped)[table.trace_name[1]]
    assert summary.n_ok == 6 - 2 + 0  # 6 earthquakes, 2 bad


def test_seisbench_import_roundtrip(tmp_path: Path) -> None:
    dummy = DATA / "seisbench_dummy"
    summary = import_format("seisbench", [dummy], tmp_path / "copy", progress=False)
    assert summary.n_ok == 100
    src, dst = WaveformDataset(DATA / "seisbench_dummy"), WaveformDataset(tmp_path / "copy")
    assert list(dst.metadata["split"]) == list(src.metadata["split"])
    for i in (0, 37, 99):
        np.testing.assert_allclose(dst.get_waveforms(i), src.get_waveforms(i), rtol=1e-6)
