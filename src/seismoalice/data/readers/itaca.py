"""ITACA corrected accelerograms ``<id>_<H1|H2|V>.cor.acc`` with their ``<id>.metadata`` file.

Layout (ITACA, the Italian accelerometric archive, as distributed with the GEM strong-motion
toolkit): ``Label : value`` header lines (``Event Date & Time``, ``Station Code / Name``,
``Orientation`` NS/WE/UP, ``Filter Cut-off Frequency (Hz) : 0.100 - 50.000``,
``Time Increment (s)``, ``Number of Data``), a line ``Accelaration time series in m/s/s``
(the archive's spelling; cm/s/s and g are also accepted), then the samples in fixed-width
columns that may touch (``-1.37E-07-2.68E-07``). Leading and trailing zeros were removed by
the archive, so the first-sample time is unknown.

The companion ``<id>.metadata`` (one CSV row, ITACA's flat-file columns) gives the event
(``event.unid``, name, time, epicentre, depth, preferred magnitude and type), station (code,
name, position, ``station.vs30``, EC8 class), distances (``distance_repi``/``rhyp``/``rjb``/
``rrup``) and per-component filter corners. Without it a record keeps what its files say; an
unreadable one skips the record's files with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seismoalice.data.readers.assembly import Component, component_role
from seismoalice.data.readers.text import (
    acceleration_scale,
    parse_number,
    parse_optional,
    parse_samples,
    parse_time,
    read_lines,
)
from seismoalice.data.records import check_count, check_finite, check_sampling_interval
from seismoalice.errors import DataError

_DATA_LINE = re.compile(r"time\s+series\s+in\s+(\S+)", re.IGNORECASE)
_CORNERS = re.compile(r"([-+.\dEe]+)\s*-\s*([-+.\dEe]+)")
SUFFIX = ".cor.acc"


def read_metadata(path: Path) -> dict[str, Any]:
    """The one row of an ITACA ``.metadata`` CSV as a dict.

    Raises:
        DataError: unreadable CSV or not exactly one row.
    """
    try:
        table = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot read ITACA metadata ({type(exc).__name__})") from None
    if len(table) != 1:
        raise DataError(f"{path}: ITACA metadata has {len(table)} rows, expected 1")
    return table.iloc[0].to_dict()


def _value(row: dict[str, Any], key: str) -> Any:
    value = row.get(key, np.nan)
    return np.nan if value is None or (isinstance(value, str) and not value.strip()) else value


def metadata_columns(row: dict[str, Any], orientation: str) -> dict[str, Any]:
    """SeisBench columns from an ITACA metadata row; filter corners of the component whose
    ``comp_ordered()/k.orientation`` equals ``orientation``."""

    def number(key: str) -> float:
        value = _value(row, key)
        return parse_optional(str(value)) if not pd.isna(value) else np.nan

    corners = {"trace_highpass_hz": np.nan, "trace_lowpass_hz": np.nan}
    for k in range(3):
        prefix = f"comp_ordered()/{k}."
        if str(_value(row, prefix + "orientation")).strip().upper() == orientation.upper():
            corners = {
                "trace_highpass_hz": number(prefix + "low_cut_freq"),
                "trace_lowpass_hz": number(prefix + "high_cut_freq"),
            }
    origin = parse_time(str(_value(row, "event.datetime")))
    return {
        "source_id": _value(row, "event.unid"),
        "source_event_name": _value(row, "event.name"),
        "source_origin_time": str(origin) if origin is not None else np.nan,
        "source_latitude_deg": number("event.latitude"),
        "source_longitude_deg": number("event.longitude"),
        "source_depth_km": number("event.focaldepth"),
        "source_magnitude": number("event.pref_mag"),
        "source_magnitude_type": _value(row, "event.pref_mag_type"),
        "station_network_code": _value(row, "station.country.iso2"),
        "station_code": _value(row, "station.code"),
        "station_name": _value(row, "station.name"),
        "station_latitude_deg": number("station.latitude"),
        "station_longitude_deg": number("station.longitude"),
        "station_elevation_m": number("station.altitude"),
        "station_vs30_mps": number("station.vs30"),
        "station_ec8_class": _value(row, "station.ec8"),
        "path_ep_distance_km": number("distance_repi"),
        "path_hyp_distance_km": number("distance_rhyp"),
        "path_jb_distance_km": number("distance_rjb"),
        "path_rup_distance_km": number("distance_rrup"),
        **{k: v for k, v in corners.items() if np.isfinite(v)},
    }


def _header(lines: list[str], path: Path) -> tuple[dict[str, str], int, float]:
    header: dict[str, str] = {}
    for index, line in enumerate(lines):
        units = _DATA_LINE.search(line)
        if units:
            return header, index + 1, acceleration_scale(units.group(1), path)
        label, sep, value = line.partition(":")
        if sep:
            header.setdefault(label.strip().lower(), value.strip())
    raise DataError(f"{path}: no 'time series in <units>' line (not an ITACA .cor.acc file)")


def read_itaca_component(path: Path) -> list[Component]:
    """One ``.cor.acc`` file as a :class:`Component` [m/s²], with its companion metadata.

    Raises:
        DataError: not an ITACA file, unknown units, bad or missing time increment, more
            samples than announced, non-numeric or non-finite samples, unreadable metadata.
    """
    lines = read_lines(path, "ITACA .cor.acc")
    header, first, scale = _header(lines, path)
    if "time increment (s)" not in header:
        raise DataError(f"{path}: no 'Time Increment (s)' header line")
    where = str(path)
    dt = check_sampling_interval(
        parse_number(header["time increment (s)"], path, "Time Increment"), where
    )
    values = check_finite(parse_samples(lines[first:], path, glued=True), where)
    announced = parse_optional(header.get("number of data"))
    flags = check_count(values.size, announced, where, "Number of Data")
    orientation = header.get("orientation", "")
    role, azimuth = component_role(orientation)
    record_id = path.name[: -len(SUFFIX)].rsplit("_", 1)[0]
    station = header.get("station code / name", "").split("/")
    corners = _CORNERS.search(header.get("filter cut-off frequency (hz)", ""))
    origin = parse_time(header.get("event date & time"))
    metadata: dict[str, Any] = {
        "source_id": np.nan,
        "source_origin_time": str(origin) if origin is not None else np.nan,
        "station_code": station[0].strip() or np.nan,
        "station_name": station[1].strip() if len(station) > 1 else np.nan,
        "trace_highpass_hz": parse_optional(corners.group(1)) if corners else np.nan,
        "trace_lowpass_hz": parse_optional(corners.group(2)) if corners else np.nan,
        "trace_processing": header.get("processing info") or np.nan,
        "trace_source_format": "itaca",
    }
    companion = path.with_name(f"{record_id}.metadata")
    if companion.is_file():
        from_file = metadata_columns(read_metadata(companion), orientation)
        metadata |= {k: v for k, v in from_file.items() if not pd.isna(v)}
    if pd.isna(metadata["source_id"]):
        metadata["source_id"] = header.get("event date & time") or np.nan
    key = f"ITACA_{record_id}"
    return [
        Component(path, values * scale, dt, orientation, role, azimuth, key, metadata, None, flags)
    ]


def is_itaca(path: Path) -> bool:
    """Directory search rule: names ending in ``.cor.acc``."""
    return path.name.lower().endswith(SUFFIX)
