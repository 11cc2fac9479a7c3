"""Checks of the strong-motion readers against a ``records.csv`` table written independently of
them (one row per component: format, units, dt, npts, PGA, component role, magnitude, distance,
Vs30, quality flags), shared by the fixture test and the shared-data test."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seismoalice.data.formats import FORMATS
from seismoalice.data.readers.assembly import Component, find_files, read_files
from seismoalice.data.readers.tables import load_record_table
from seismoalice.data.records import Record, Skip

TABLE_FORMATS = {
    "PEER_AT2": "at2",
    "ESM_ASCII": "esm",
    "AFAD_ASCII": "afad",
    "SMTK_CORACC": "itaca",
    "KIKNET_ASCII": "knet",
    "KNET_ASCII": "knet",
    "CSMIP_V2": "cosmos",
}
UNITS_IN_MPS2 = {"g": 9.80665, "cm/s^2": 0.01, "m/s^2": 1.0}
DISTANCE_COLUMNS = {
    "Repi": "path_ep_distance_km",
    "Rhyp": "path_hyp_distance_km",
    "Rrup": "path_rup_distance_km",
}


def unit_scale(units: str) -> float:
    """m/s² per unit of a records.csv ``units`` value (``gal (cm/s^2), mean removed`` → 0.01)."""
    if units.startswith("gal"):
        return 0.01
    return UNITS_IN_MPS2[units]


def read_with_components(
    fmt: str, root: Path, table: Path | None
) -> tuple[list[Record], list[Skip], dict[str, list[Component]]]:
    """Read ``root`` as the registered text format ``fmt`` (as ``data import`` does); also
    return the components parsed from each file (by file name) on the way."""
    spec = FORMATS[fmt]
    seen: dict[str, list[Component]] = {}

    def parse_and_keep(path: Path) -> list[Component]:
        seen[path.name] = spec.parse(path)
        return seen[path.name]

    rows = load_record_table(table) if table is not None else None
    items = list(read_files(find_files([root], spec.accepts), parse_and_keep, rows))
    records = [r for r in items if isinstance(r, Record)]
    return records, [s for s in items if isinstance(s, Skip)], seen


def check_components(rows: pd.DataFrame, seen: dict[str, list[Component]]) -> int:
    """Every row's component: sampling interval, sample count, PGA in m/s² (rel. 1e-3 of the
    table's 6-digit value) and role (vertical or horizontal). Returns the rows checked."""
    for row in rows.itertuples():
        parts = seen[Path(row.file).name]
        if len(parts) > 1:  # one file, several channels (V2): match the channel label
            parts = [p for p in parts if p.label.upper() == str(row.component).upper()]
        [part] = parts
        assert part.dt == np.float64(row.dt_s), row.file
        assert part.data.size == row.npts, row.file
        pga = np.abs(part.data).max() / unit_scale(row.units)
        assert pga == np.float64(row.pga) or abs(pga / row.pga - 1) < 1e-3, (row.file, pga)
        if row.h_or_v is not None:
            assert (part.role == "Z") == (row.h_or_v == "V"), row.file
    return len(rows)


def record_files(record: Record) -> set[str]:
    """The file names of a record's components."""
    return {
        str(record.metadata[f"trace_{axis}_source_file"])
        for axis in record.metadata["trace_components"]
    }


def check_records(rows: pd.DataFrame, records: list[Record]) -> dict[str, Any]:
    """Records match the table's grouping (same files per record), keep each component's PGA in
    its ZNE slot, carry magnitude, distance and Vs30, and are flagged as the table's ``qc``."""
    by_file = {f: r for r in records for f in record_files(r)}
    groups = rows.groupby("record_id")
    assert len(records) == groups.ngroups
    for _, group in groups:
        names = {Path(f).name for f in group.file}
        [record] = {id(by_file[n]): by_file[n] for n in names}.values()
        assert record_files(record) == names
        meta = record.metadata
        for row in group.itertuples():
            labels = dict(
                re.findall(r"([ZNE]):(.*?)(?= [ZNE]:|$)", meta["trace_components_original"])
            )
            [axis] = [
                a
                for a in meta["trace_components"]
                if meta[f"trace_{a}_source_file"] == Path(row.file).name
                and (len(group) == len(names) or labels[a].upper() == str(row.component).upper())
            ]
            channel = record.waveform["ZNE".index(axis)]
            assert (axis == "Z") == (row.h_or_v == "V")
            peak = np.abs(channel).max() / unit_scale(row.units)
            assert peak <= row.pga * (1 + 1e-3)  # components cut to the shortest keep ≤ PGA
        row = group.iloc[0]
        expected_format = TABLE_FORMATS[row.format]
        assert meta["trace_source_format"] == expected_format, record.name
        assert meta["source_magnitude"] == np.float64(row.magnitude)
        kind = str(row.distance_type).split(" ")[0]
        if kind in DISTANCE_COLUMNS and np.isfinite(row.distance_km):
            assert abs(meta[DISTANCE_COLUMNS[kind]] / row.distance_km - 1) < 0.01, record.name
        if np.isfinite(row.vs30_mps):
            assert meta["station_vs30_mps"] == np.float64(row.vs30_mps)
        qc = " ".join(group.qc)
        flags = set(meta["trace_quality_flags"].split())
        assert ("HF_NEAR_NYQUIST" in qc) == ("hf_near_nyquist" in flags), record.name
        assert ("NPTS_MISMATCH" in qc) == ("truncated" in flags), record.name
    return {"records": len(records), "components": len(rows)}
