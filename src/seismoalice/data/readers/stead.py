"""STEAD (Mousavi et al. 2019, IEEE Access, doi 10.1109/ACCESS.2019.2947848).

``merged.hdf5`` holds one float32 dataset per trace, shape ``(6000, 3)`` = (samples, E/N/Z),
100 Hz, raw counts, at ``data/<trace_name>`` (2019 chunks: ``earthquake/local/<trace_name>``
or ``non_earthquake/noise/<trace_name>``); ``merged.csv`` has 35 columns, one row per trace.
Traces are read one at a time (the merged file is ≈85 GB), reordered to ZNE and transposed to
``(3, W)``; columns are renamed to SeisBench names as in SeisBench's STEAD conversion.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd

from seismoalice.data.records import Record, Skip
from seismoalice.data.signal import zne_channels
from seismoalice.errors import DataError

STEAD_DATA_FORMAT = {
    "dimension_order": "CW",
    "component_order": "ZNE",
    "sampling_rate": 100.0,
    "measurement": "velocity",
    "unit": "counts",
    "instrument_response": "not restituted",
}
STEAD_TO_SEISBENCH = {
    "network_code": "station_network_code",
    "receiver_code": "station_code",
    "receiver_type": "trace_channel",
    "receiver_latitude": "station_latitude_deg",
    "receiver_longitude": "station_longitude_deg",
    "receiver_elevation_m": "station_elevation_m",
    "p_arrival_sample": "trace_p_arrival_sample",
    "p_status": "trace_p_status",
    "p_weight": "trace_p_weight",
    "p_travel_sec": "path_p_travel_s",
    "s_arrival_sample": "trace_s_arrival_sample",
    "s_status": "trace_s_status",
    "s_weight": "trace_s_weight",
    "source_origin_uncertainty_sec": "source_origin_uncertainty_s",
    "source_latitude": "source_latitude_deg",
    "source_longitude": "source_longitude_deg",
    "source_error_sec": "source_error_s",
    "source_gap_deg": "source_gap_deg",
    "source_horizontal_uncertainty_km": "source_horizontal_uncertainty_km",
    "source_depth_uncertainty_km": "source_depth_uncertainty_km",
    "source_mechanism_strike_dip_rake": "source_mechanism_strike_dip_rake",
    "source_distance_deg": "path_ep_distance_deg",
    "source_distance_km": "path_ep_distance_km",
    "back_azimuth_deg": "path_back_azimuth_deg",
    "snr_db": "trace_snr_db",
    "coda_end_sample": "trace_coda_end_sample",
}
GROUPS = ("data", "earthquake/local", "non_earthquake/noise")
STEAD_CHANNELS = "ENZ"


def select_stead(
    csv: str | os.PathLike[str],
    trace_category: str | None = "earthquake_local",
    min_magnitude: float | None = None,
    max_distance_km: float | None = None,
    n: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Rows of the STEAD CSV matching the selection, optionally a seeded random sample of ``n``.

    Args:
        csv: ``merged.csv`` (or a chunk CSV).
        trace_category: ``"earthquake_local"``, ``"noise"`` or ``None`` (all).
        min_magnitude: keep ``source_magnitude ≥ min_magnitude``.
        max_distance_km: keep epicentral ``source_distance_km ≤ max_distance_km``.
        n: sample this many rows without replacement (``numpy.random.default_rng(seed)``),
            keeping file order.
    """
    try:
        table = pd.read_csv(csv, low_memory=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{csv}: cannot read STEAD CSV ({type(exc).__name__})") from None
    if "trace_name" not in table.columns:
        raise DataError(f"{csv}: no trace_name column (not a STEAD CSV)")
    keep = np.ones(len(table), bool)
    for column, wanted in (
        ("trace_category", trace_category),
        ("source_magnitude", min_magnitude),
        ("source_distance_km", max_distance_km),
    ):
        if wanted is not None and column not in table.columns:
            raise DataError(f"{csv}: selection needs column {column!r}")
    if trace_category is not None:
        keep &= (table["trace_category"] == trace_category).to_numpy()
    if min_magnitude is not None:
        keep &= (
            pd.to_numeric(table["source_magnitude"], errors="coerce") >= min_magnitude
        ).to_numpy()
    if max_distance_km is not None:
        distance = pd.to_numeric(table["source_distance_km"], errors="coerce")
        keep &= (distance <= max_distance_km).to_numpy()
    rows = np.flatnonzero(keep)
    if n is not None and n < rows.size:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=n, replace=False))
    return table.iloc[rows].reset_index(drop=True)


def stead_metadata(row: dict[str, Any]) -> dict[str, Any]:
    """SeisBench-named metadata of one STEAD CSV row; adds ``path_hyp_distance_km`` =
    √(epicentral² + depth²) (station elevation neglected) and ``trace_sampling_rate_hz``."""
    meta = {STEAD_TO_SEISBENCH.get(k, k): v for k, v in row.items()}
    epicentral = pd.to_numeric(row.get("source_distance_km"), errors="coerce")
    depth = pd.to_numeric(row.get("source_depth_km"), errors="coerce")
    meta["path_hyp_distance_km"] = float(np.hypot(epicentral, depth))
    meta["trace_sampling_rate_hz"] = STEAD_DATA_FORMAT["sampling_rate"]
    return meta


def _find(f: h5py.File, name: str) -> h5py.Dataset | None:
    for group in GROUPS:
        obj = f.get(f"{group}/{name}")
        if isinstance(obj, h5py.Dataset):
            if obj.file.filename != f.filename or obj.is_virtual:
                raise DataError(f"{f.filename}: {group}/{name} points into another file")
            return obj
    return None


def read_stead(hdf5: str | os.PathLike[str], selection: pd.DataFrame) -> Iterator[Record | Skip]:
    """Yield the traces of ``selection`` (rows of :func:`select_stead`) one at a time.

    Each :class:`Record` has waveform ``(3, W)`` ZNE float32 counts and SeisBench metadata.
    Traces missing from the file or not of shape ``(W, 3)`` are :class:`Skip`.
    """
    path = Path(hdf5)
    channels = zne_channels(STEAD_CHANNELS, str(path))
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise DataError(f"{path}: cannot open STEAD HDF5 file ({exc})") from None
    with f:
        for row in selection.to_dict("records"):
            name = str(row["trace_name"])
            try:
                ds = _find(f, name)
            except DataError as exc:
                yield Skip(name, str(exc))
                continue
            if ds is None:
                yield Skip(name, f"not found in {path.name} (groups {', '.join(GROUPS)})")
                continue
            if ds.ndim != 2 or ds.shape[1] != 3:
                yield Skip(name, f"shape {ds.shape}, expected (samples, 3)")
                continue
            waveform = np.asarray(ds[()], dtype=np.float32).T[channels]
            yield Record(name, stead_metadata(row), waveform)
