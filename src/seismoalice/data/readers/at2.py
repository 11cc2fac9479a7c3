"""PEER NGA strong-motion ``.AT2`` files (one acceleration component per file, in g).

Layout (Ancheta et al. 2014, NGA-West2 database; PEER legacy database):
line 1 title, line 2 ``<event>, <date>, <station>, <component>`` (legacy:
``<event> <date>, <station>, <component> (<agency>)``), line 3 ``... IN UNITS OF G`` (legacy:
with ``FILTER POINTS: HP=0.06 Hz LP=50.0 Hz``), line 4 ``NPTS= 4000, DT= .0100 SEC`` or
``4000  0.0100  NPTS, DT`` (older NGA files), then the accelerations, whitespace-separated
E-format numbers. Accelerations are converted to m/s² with standard gravity.

Records: files are grouped by the ``RSN<id>`` prefix of the file name (one NGA record = one
station × event), else by header line 2 without its component field (event, date, station);
the rest of the assembly (vertical included when present, horizontal pairs and single
components kept) is :mod:`seismoalice.data.readers.assembly`. Magnitude, distances and Vs30 are
not in AT2 files: give a per-file table (:mod:`seismoalice.data.readers.tables`).
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from seismoalice.data.readers.assembly import Component, component_role
from seismoalice.data.readers.text import (
    NUMBER,
    STANDARD_GRAVITY,
    parse_number,
    parse_samples,
    quote,
    read_lines,
)
from seismoalice.data.records import check_count, check_finite, check_sampling_interval
from seismoalice.errors import DataError

G = STANDARD_GRAVITY

_NEW_HEADER = re.compile(rf"NPTS\s*=\s*(\d+)\s*,?\s*DT\s*=\s*({NUMBER})", re.IGNORECASE)
_OLD_HEADER = re.compile(rf"^\s*(\d+)\s+({NUMBER})\s+NPTS\s*,\s*DT", re.IGNORECASE)
_FILTER = re.compile(rf"HP\s*=\s*({NUMBER})\s*HZ\s*LP\s*=\s*({NUMBER})", re.IGNORECASE)
_RSN = re.compile(r"^RSN(\d+)_", re.IGNORECASE)


def _iso_date(text: str) -> str:
    """``m/d/yyyy`` or ``mm/dd/yy`` as ``yyyy-mm-dd``; other text unchanged."""
    for fmt in ("%m/%d/%Y", "%m/%d/%y"):
        try:
            return datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return text.strip()


def read_at2(path: str | os.PathLike[str]) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Read one ``.AT2`` file.

    Returns:
        ``(acc, dt, header)``: acceleration [m/s²] float64 ``(npts,)``, time step [s], and
        ``header`` with ``title``, ``description`` (line 2), ``component`` (its last field
        without a ``(...)`` note), ``event``, ``date``, ``station`` (when line 2 has them),
        ``npts`` (announced), ``dt``, ``units_line``, ``highpass_hz``/``lowpass_hz`` (legacy
        filter points, NaN when absent; ``LP=0.0`` means none) and ``truncated`` (fewer
        samples than NPTS).

    Raises:
        DataError: unreadable or binary file, units other than g, no NPTS/DT, a sampling
            interval out of range, more samples than NPTS, non-numeric or non-finite samples.
    """
    path = Path(path)
    lines = read_lines(path, "AT2")
    if len(lines) < 5:
        raise DataError(f"{path}: AT2 file has {len(lines)} lines, the header alone needs 4")
    if not re.search(r"UNITS\s+OF\s+G\b", lines[2], re.IGNORECASE):
        raise DataError(f"{path}: unknown units in line 3 {quote(lines[2])} (expected g)")
    match = _NEW_HEADER.search(lines[3]) or _OLD_HEADER.search(lines[3])
    if match is None:
        raise DataError(f"{path}: no NPTS/DT in line 4 {quote(lines[3])}")
    npts = int(match.group(1))
    dt = check_sampling_interval(parse_number(match.group(2), path, "DT"), str(path))
    values = parse_samples(lines[4:], path)
    truncated = bool(check_count(values.size, npts, str(path), "NPTS"))
    check_finite(values, str(path))
    fields = [f.strip() for f in lines[1].split(",")]
    corners = _FILTER.search(lines[2])
    header: dict[str, Any] = {
        "title": lines[0].strip(),
        "description": lines[1].strip(),
        "component": re.sub(r"\(.*\)", "", fields[-1]).strip(),
        "units_line": lines[2].strip(),
        "npts": npts,
        "dt": dt,
        "highpass_hz": float(corners.group(1)) if corners else np.nan,
        "lowpass_hz": float(corners.group(2))
        if corners and float(corners.group(2)) > 0
        else np.nan,
        "truncated": truncated,
    }
    if len(fields) == 4:
        header.update(event=fields[0], date=_iso_date(fields[1]), station=fields[2])
    elif len(fields) == 3:
        event, _, date = fields[0].rpartition(" ")
        header.update(event=event or fields[0], date=_iso_date(date), station=fields[1])
    return values * G, dt, header


def record_key(path: Path, header: dict[str, Any]) -> str:
    """Record identifier: ``RSN<id>`` from the file name, else header line 2 minus component."""
    match = _RSN.match(path.name)
    if match:
        return f"RSN{match.group(1)}"
    fields = [f.strip() for f in header["description"].split(",")]
    return ", ".join(fields[:-1]) or path.stem


def read_at2_component(path: Path) -> list[Component]:
    """One AT2 file as a :class:`Component` (metadata from its header)."""
    acc, dt, header = read_at2(path)
    role, azimuth = component_role(header["component"])
    event, date = header.get("event", ""), header.get("date", "")
    metadata = {
        "source_id": f"{event} {date}".strip() or np.nan,
        "source_event_name": event or np.nan,
        "source_origin_time": date or np.nan,
        "station_code": header.get("station", np.nan),
        "trace_highpass_hz": header["highpass_hz"],
        "trace_lowpass_hz": header["lowpass_hz"],
        "trace_source_format": "at2",
    }
    flags = {"truncated"} if header["truncated"] else set()
    key = record_key(path, header)
    return [
        Component(path, acc, dt, header["component"], role, azimuth, key, metadata, None, flags)
    ]


def is_at2(path: Path) -> bool:
    """Directory search rule: the ``.AT2`` suffix (any case)."""
    return path.suffix.upper() == ".AT2"
