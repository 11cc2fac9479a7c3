"""Per-file metadata tables (like ``records.csv`` of the shared strong-motion sets).

Formats such as PEER AT2 carry no magnitude, distance or Vs30; a table with one row per file
supplies them. Readers use its values only where the file's own header has none.

Columns read (any subset besides ``file``): ``magnitude``, ``mag_type``, ``rhyp_km``,
``rrup_km``, ``repi_km``, ``rjb_km``, ``distance_km`` with ``distance_type`` (Repi, Rhyp, Rrup
or Rjb; text after the type is ignored), ``vs30_mps``, ``event``, ``date``, ``station``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seismoalice.errors import DataError

COLUMNS = {
    "magnitude": "source_magnitude",
    "mag_type": "source_magnitude_type",
    "rhyp_km": "path_hyp_distance_km",
    "rrup_km": "path_rup_distance_km",
    "repi_km": "path_ep_distance_km",
    "rjb_km": "path_jb_distance_km",
    "vs30_mps": "station_vs30_mps",
    "event": "source_event_name",
    "date": "source_origin_time",
    "station": "station_code",
}
DISTANCE_TYPES = {
    "REPI": "path_ep_distance_km",
    "RHYP": "path_hyp_distance_km",
    "RRUP": "path_rup_distance_km",
    "RJB": "path_jb_distance_km",
}
NUMERIC = {"source_magnitude", "station_vs30_mps", *DISTANCE_TYPES.values()}


def _row_metadata(row: dict[str, Any]) -> dict[str, Any]:
    meta = {seisbench: row[name] for name, seisbench in COLUMNS.items() if name in row}
    kind = str(row.get("distance_type", "")).strip().split(" ")[0].upper()
    column = DISTANCE_TYPES.get(kind)
    if column is not None and "distance_km" in row and pd.isna(meta.get(column, np.nan)):
        meta[column] = row["distance_km"]
    for column in NUMERIC & meta.keys():
        value = pd.to_numeric(meta[column], errors="coerce")
        meta[column] = float(value) if np.isfinite(value) else np.nan
    return {k: v for k, v in meta.items() if not pd.isna(v)}


def load_record_table(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Metadata per file name (SeisBench column names) from a CSV table with a ``file`` column.

    Raises:
        DataError: unreadable table or no ``file`` column.
    """
    try:
        table = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: cannot read metadata table ({exc})") from None
    if "file" not in table.columns:
        raise DataError(f"{path}: metadata table needs a 'file' column")
    return {Path(str(row["file"])).name: _row_metadata(row) for row in table.to_dict("records")}
