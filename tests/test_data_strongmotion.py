"""Strong-motion readers on fixtures trimmed from the shared set (tests/data/strongmotion),
checked against the rows of its records.csv: units converted to m/s², sampling interval,
sample count, PGA, component roles, record grouping, metadata and quality flags; then
``seismoalice data import <format>`` end to end for each format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from strongmotion_checks import (
    TABLE_FORMATS,
    check_components,
    check_records,
    read_with_components,
)
from typer.testing import CliRunner

from seismoalice.cli import app
from seismoalice.data.components import component_mask
from seismoalice.data.seisbench_format import WaveformDataset

FIXTURES = Path(__file__).parent / "data" / "strongmotion"
TABLE = pd.read_csv(FIXTURES / "records.csv")


def rows_of(fmt: str) -> pd.DataFrame:
    """Rows of the formats one registered reader reads (esm also reads AFAD's DYNA files)."""
    names = {f for f, n in TABLE_FORMATS.items() if n == fmt or (fmt == "esm" and n == "afad")}
    return TABLE[TABLE.format.isin(names)]


@pytest.mark.parametrize("fmt", ["at2", "esm", "itaca", "knet", "cosmos"])
def test_reader_matches_the_independent_table(fmt: str) -> None:
    rows = rows_of(fmt)
    records, skipped, seen = read_with_components(fmt, FIXTURES, FIXTURES / "records.csv")
    assert not skipped
    assert check_components(rows, seen) == len(rows) > 0
    check_records(rows, records)


def test_missing_components_and_surface_borehole_apart() -> None:
    records, _, _ = read_with_components("at2", FIXTURES, None)
    spitak = next(r for r in records if r.name == "RSN730")
    assert spitak.metadata["trace_components"] == "NE"  # horizontal pair kept, Z zero
    np.testing.assert_array_equal(spitak.waveform[0], 0.0)
    assert spitak.waveform.shape[1] == 1300  # components of 1300 and 1302 cut to the shortest
    esm, _, _ = read_with_components("esm", FIXTURES, None)
    single = next(r for r in esm if r.name.startswith("CIT.MRN"))
    assert single.metadata["trace_components"] == "E"  # one file: a single-component record
    assert component_mask(single.metadata).tolist() == [False, False, True]
    assert single.metadata["trace_quality_flags"] == "truncated"
    knet, _, _ = read_with_components("knet", FIXTURES, None)
    kik = {r.metadata["trace_sensor_position"]: r for r in knet if r.name.startswith("KMMH16")}
    assert set(kik) == {"surface", "borehole"}
    assert kik["borehole"].metadata["trace_components_original"] == "Z:UD1 N:NS1 E:EW1"
    assert kik["surface"].metadata["trace_components_original"] == "Z:UD2 N:NS2 E:EW2"
    assert (
        kik["borehole"].metadata["station_elevation_m"]
        < kik["surface"].metadata["station_elevation_m"]
    )
    # JST → UTC and the 15 s logger delay: Record Time 2016/04/16 01:46:30 JST (file header)
    header = (FIXTURES / "KMMH161604160146.NS2").read_text(encoding="latin-1").splitlines()
    record_time = next(h for h in header if h.startswith("Record Time"))[18:].strip()
    day, clock = record_time.split()
    hour = int(clock[:2]) - 9
    expected = f"{day.replace('/', '-')[:8]}{int(day[8:]) - (hour < 0):02d}T{hour % 24:02d}"
    assert kik["surface"].metadata["trace_start_time"].startswith(expected)


@pytest.mark.parametrize(
    ("fmt", "n_records"),
    [("at2", 2), ("esm", 3), ("afad", 3), ("itaca", 1), ("knet", 3), ("cosmos", 1)],
)
def test_data_import_command(tmp_path: Path, fmt: str, n_records: int) -> None:
    out = tmp_path / "set"
    args = ["data", "import", fmt, str(FIXTURES), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--metadata", str(FIXTURES / "records.csv")])
    assert result.exit_code == 0, result.output
    assert f"{n_records} records written, 0 skipped" in result.output
    ds = WaveformDataset(out)
    assert ds.data_format["unit"] == "mps2" and ds.data_format["component_order"] == "ZNE"
    assert set(ds.metadata["split"]) <= {"train", "dev", "test"}
    assert ds.metadata["source_magnitude"].notna().all()
    for i in range(len(ds)):
        mask = component_mask(ds.metadata.iloc[i])
        wave = ds.get_waveforms(i)
        assert (np.abs(wave).max(axis=1) > 0).tolist() == mask.tolist()
    info = CliRunner().invoke(app, ["data", "info", str(out)])
    present = ds.metadata["trace_components"].value_counts().to_dict()
    expected = ", ".join(f"{k} {v}" for k, v in sorted(present.items()))
    assert f"records with {expected}" in info.output
