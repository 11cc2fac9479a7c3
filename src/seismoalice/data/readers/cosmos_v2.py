"""CSMIP / COSMOS ``.V2`` corrected accelerograms (California Strong Motion Instrumentation
Program, CGS; the ``Corrected accelerogram`` volume of the CSMIP processing).

A file holds one or more channels, each a block ending in ``/& ... End of data for channel``:
text header lines (record id, ``Chan  1: 180 Deg``, ``Station No. 89486 40.585N, 124.146W``,
station name, ``Start time: 12/20/22, 10:34: 1.0 UTC``, ``bandpass filtered with 3 dB pts at
0.07 and 40.00 cyc/sec``, hypocentre and magnitude when known), an integer and a real header,
then three data sections announced by ``<n> points of accel|veloc|displ data equally spaced
at <dt> sec, in <units>. (8f10.5)``. Only the acceleration section is read, in its fixed-width
Fortran format (values may touch), and converted to m/s².

All channels of one file form one record (key: network ``CE``, station number and the record
id of line 1); a file of more than three channels (a structure's array) is skipped by the
assembly with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
from obspy import UTCDateTime

from seismoalice.data.readers.assembly import Component, component_role
from seismoalice.data.readers.text import (
    acceleration_scale,
    parse_number,
    parse_optional,
    read_lines,
)
from seismoalice.data.records import MAX_NPTS, check_count, check_finite, check_sampling_interval
from seismoalice.errors import DataError

_ACCEL = re.compile(
    r"^\s*(\d+)\s+points\s+of\s+accel\w*\s+data\s+equally\s+spaced\s+at\s+(\S+)\s+sec,?"
    r"\s+in\s+([^\s(]+?)\.?\s*\(\s*(\d+)\s*[fFeE]\s*(\d+)\.\d+\s*\)",
    re.IGNORECASE,
)
_SECTION = re.compile(r"^\s*\d+\s+points\s+of\s+\w+\s+data", re.IGNORECASE)
_CHANNEL = re.compile(r"Chan\s+(\d+)\s*:\s*(.+?)(?:\s{2,}|\s+from\b|$)", re.IGNORECASE)
_STATION = re.compile(
    r"Station\s+No\.\s*(\S+)\s+([\d.]+)\s*([NS])\s*,\s*([\d.]+)\s*([EW])", re.IGNORECASE
)
_START = re.compile(
    r"Start\s+time:\s*(\d{1,2})/(\d{1,2})/(\d{2,4}),\s*(\d{1,2}):\s*(\d{1,2}):\s*([\d.]+)\s*UTC",
    re.IGNORECASE,
)
_BAND = re.compile(r"filtered\s+with\s+3\s*dB\s+pts\s+at\s+(\S+)\s+and\s+(\S+)", re.IGNORECASE)
_MAGNITUDE = re.compile(r"\b(M[LWSD]?)\s*[:=]\s*(\d+(?:\.\d+)?)", re.IGNORECASE)


def _fixed_width(lines: list[str], npts: int, per_line: int, width: int, path: Path) -> np.ndarray:
    values: list[float] = []
    for k, line in enumerate(lines):
        if len(values) >= npts or _SECTION.match(line) or line.startswith("/&"):
            break
        for i in range(per_line):
            field = line[i * width : (i + 1) * width]
            if field.strip():
                values.append(parse_number(field, path, f"sample in data line {k + 1}"))
    return np.array(values[:npts], dtype=np.float64)


def _start_time(text: str) -> UTCDateTime | None:
    match = _START.search(text)
    if match is None:
        return None
    month, day, year, hour, minute, second = match.groups()
    year_number = int(year)
    if len(year) == 2:
        year_number += 2000 if year_number < 70 else 1900
    try:
        return UTCDateTime(year_number, int(month), int(day), int(hour), int(minute)) + float(
            second
        )
    except (ValueError, TypeError):
        return None


def _channel(block: list[str], path: Path, index: int) -> Component:
    head = "\n".join(block[:30])
    found = next(((k, m) for k, line in enumerate(block) if (m := _ACCEL.match(line))), None)
    if found is None:
        raise DataError(f"{path}: channel block {index + 1} has no 'points of accel data' line")
    k, match = found
    npts = int(match.group(1))
    if not 1 < npts <= MAX_NPTS:
        raise DataError(f"{path}: {npts} acceleration points is out of range")  # before reading
    dt = check_sampling_interval(parse_number(match.group(2), path, "time step"), str(path))
    scale = acceleration_scale(match.group(3), path)
    per_line, width = int(match.group(4)), int(match.group(5))
    if not (0 < per_line <= 40 and 0 < width <= 40):
        raise DataError(f"{path}: data format {per_line}f{width} is not usable")
    values = _fixed_width(block[k + 1 :], npts, per_line, width, path)
    check_finite(values, str(path))
    flags = check_count(values.size, npts, str(path), f"channel {index + 1} points")
    channel = _CHANNEL.search(head)
    label = channel.group(2).strip() if channel else f"channel {index + 1}"
    role, azimuth = component_role(label)
    station = _STATION.search(head)
    record_id = block[0].split()[2] if len(block[0].split()) > 2 else path.stem
    band = _BAND.search(head)
    magnitude = _MAGNITUDE.search(head)
    metadata: dict[str, Any] = {
        "source_id": np.nan,
        "source_magnitude": float(magnitude.group(2)) if magnitude else np.nan,
        "source_magnitude_type": magnitude.group(1) if magnitude else np.nan,
        "station_network_code": "CE",
        "station_code": station.group(1) if station else np.nan,
        "station_name": re.split(r"\s{2,}", block[6].strip())[0] if len(block) > 6 else np.nan,
        "trace_highpass_hz": parse_optional(band.group(1)) if band else np.nan,
        "trace_lowpass_hz": parse_optional(band.group(2)) if band else np.nan,
        "trace_processing": "CSMIP V2 corrected",
        "trace_source_format": "cosmos",
    }
    if station:
        sign_lat = -1.0 if station.group(3).upper() == "S" else 1.0
        sign_lon = -1.0 if station.group(5).upper() == "W" else 1.0
        metadata["station_latitude_deg"] = sign_lat * float(station.group(2))
        metadata["station_longitude_deg"] = sign_lon * float(station.group(4))
    start = _start_time(head)
    if start is not None:
        metadata["source_id"] = f"CSMIP record {start.date}"
    key = f"CE.{metadata['station_code']}.{record_id}"
    return Component(path, values * scale, dt, label, role, azimuth, key, metadata, start, flags)


def read_v2_components(path: Path) -> list[Component]:
    """Every channel of a ``.V2`` file as a :class:`Component` [m/s²].

    Raises:
        DataError: binary or empty file, no acceleration section, bad time step, units or
            format, non-numeric or non-finite samples.
    """
    lines = read_lines(path, "COSMOS V2")
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("/&"):
            blocks.append([])
        else:
            blocks[-1].append(line)
    blocks = [b for b in blocks if any(line.strip() for line in b)]
    if not blocks:
        raise DataError(f"{path}: no channel in the COSMOS V2 file")
    return [_channel(block, path, i) for i, block in enumerate(blocks)]


def is_v2(path: Path) -> bool:
    """Directory search rule: suffix ``.V2`` (any case)."""
    return path.suffix.upper() == ".V2"
