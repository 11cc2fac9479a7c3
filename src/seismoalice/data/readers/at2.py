"""PEER NGA strong-motion ``.AT2`` files (one acceleration component per file, in g).

Layout (Ancheta et al. 2014, NGA-West2 database; PEER legacy database):
line 1 title, line 2 ``<event>, <date>, <station>, <component>``, line 3 ``... IN UNITS OF G``,
line 4 ``NPTS= 4000, DT= .0100 SEC`` (NGA-West2 and legacy PEER) or ``4000  0.0100  NPTS, DT``
(older NGA files), then the accelerations, whitespace-separated E-format numbers.

Three-component assembly rule (:func:`read_at2_records`): files are grouped into one record by
the ``RSN<id>`` prefix of the file name, else by header line 2 without its component field.
A vertical component (``UP``, ``DWN``, ``V``, ``Z``, ``UD``) goes to Z. Of the two horizontals,
the one whose recorded azimuth is closer to the N–S axis goes to N and the other to E (ties
and unknown azimuths such as ``L``/``T`` keep file order); channels are **not rotated or
sign-flipped**, the original labels are kept in ``trace_components_original``. A lone
horizontal goes to N when its azimuth is within 45° of N–S (or unknown), else to E. Missing
components are zero channels flagged by ``trace_Z_missing`` / ``trace_N_missing`` /
``trace_E_missing`` (filter on these to keep complete records). Records without a horizontal,
with two verticals or three horizontals, more than three files or different time steps are
skipped with a reason; components of different length are cut to the shortest.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seismoalice.data.readers import Record, Skip
from seismoalice.errors import DataError

G = 9.80665
"""Standard gravity [m/s²]."""

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][-+]?\d+)?"
_NEW_HEADER = re.compile(rf"NPTS\s*=\s*(\d+)\s*,?\s*DT\s*=\s*({_NUMBER})", re.IGNORECASE)
_OLD_HEADER = re.compile(rf"^\s*(\d+)\s+({_NUMBER})\s+NPTS\s*,\s*DT", re.IGNORECASE)
_VALUES = re.compile(_NUMBER)
_RSN = re.compile(r"^RSN(\d+)_", re.IGNORECASE)
_VERTICAL = {"UP", "DWN", "DN", "DOWN", "V", "VER", "VERT", "Z", "UD", "U-D"}
_AZIMUTH_WORDS = {
    "N": 0.0,
    "S": 0.0,
    "NS": 0.0,
    "N-S": 0.0,
    "NORTH": 0.0,
    "SOUTH": 0.0,
    "E": 90.0,
    "W": 90.0,
    "EW": 90.0,
    "E-W": 90.0,
    "EAST": 90.0,
    "WEST": 90.0,
}


def read_at2(path: str | os.PathLike[str]) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Read one ``.AT2`` file.

    Returns:
        ``(acc, dt, header)``: acceleration [m/s²] float64 shape ``(npts,)``, time step [s],
        and ``header`` with ``title``, ``description`` (line 2), ``component`` (its last field
        without a trailing ``(...)`` note), ``event``/``date``/``station`` (NGA-West2 line 2),
        ``npts``, ``dt``, ``units_line``.

    Raises:
        DataError: unreadable file, units other than g, no NPTS/DT, wrong sample count or
            non-finite samples.
    """
    path = Path(path)
    try:
        raw = path.read_bytes().decode("latin-1")
        lines = (raw.replace("\r", "") if "\n" in raw else raw.replace("\r", "\n")).split("\n")
    except OSError as exc:
        raise DataError(f"{path}: cannot read AT2 file ({exc})") from None
    if len(lines) < 4:
        raise DataError(f"{path}: AT2 file has {len(lines)} lines, header needs 4")
    if not re.search(r"UNITS\s+OF\s+G\b", lines[2], re.IGNORECASE):
        raise DataError(f"{path}: unknown units in line 3 {lines[2].strip()!r} (expected g)")
    match = _NEW_HEADER.search(lines[3]) or _OLD_HEADER.search(lines[3])
    if match is None:
        raise DataError(f"{path}: no NPTS/DT in line 4 {lines[3].strip()!r}")
    npts, dt = int(match.group(1)), float(match.group(2))
    if dt <= 0:
        raise DataError(f"{path}: DT = {dt} must be positive")
    text = " ".join(lines[4:]).replace("D", "E").replace("d", "e")
    values = np.array(_VALUES.findall(text), dtype=np.float64)
    if values.size != npts:
        raise DataError(f"{path}: NPTS = {npts} but {values.size} samples found")
    if not np.all(np.isfinite(values)):
        raise DataError(f"{path}: non-finite samples")
    fields = [f.strip() for f in lines[1].split(",")]
    header: dict[str, Any] = {
        "title": lines[0].strip(),
        "description": lines[1].strip(),
        "component": re.sub(r"\(.*\)", "", fields[-1]).strip(),
        "units_line": lines[2].strip(),
        "npts": npts,
        "dt": dt,
    }
    if len(fields) == 4:
        header.update(event=fields[0], date=fields[1], station=fields[2])
    return values * G, dt, header


def at2_to_trace(path: str | os.PathLike[str]) -> Any:
    """Read an ``.AT2`` file as an ``obspy.Trace`` [m/s²] (start time unknown: 1970-01-01)."""
    from obspy import Trace

    acc, dt, header = read_at2(path)
    trace = Trace(
        acc,
        header={
            "delta": dt,
            "station": header.get("station", "")[:5],
            "channel": header["component"][:3],
        },
    )
    trace.stats.at2 = header
    return trace


def component_axis(label: str) -> str | None:
    """``"Z"`` for a vertical label, ``None`` for an unknown horizontal, else the distance [deg]
    of the horizontal's azimuth from the N–S axis as text (``"0"``…``"90"``)."""
    label = label.strip().upper()
    if label in _VERTICAL:
        return "Z"
    if label in _AZIMUTH_WORDS:
        azimuth = _AZIMUTH_WORDS[label]
    else:
        try:
            azimuth = float(label)
        except ValueError:
            return None
    folded = azimuth % 180.0
    return f"{min(folded, 180.0 - folded):g}"


def record_key(path: Path, header: dict[str, Any]) -> str:
    """Record identifier: ``RSN<id>`` from the file name, else header line 2 minus component."""
    match = _RSN.match(path.name)
    if match:
        return f"RSN{match.group(1)}"
    fields = [f.strip() for f in header["description"].split(",")]
    return ", ".join(fields[:-1]) or path.stem


def load_record_table(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Per-file metadata from a table like ``strongmotion/records.csv`` keyed by file name.

    Columns used when present: ``file``, ``magnitude``, ``rhyp_km``, ``rrup_km``,
    ``vs30_mps``, ``event``, ``date``, ``station``.
    """
    try:
        table = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: cannot read metadata table ({exc})") from None
    if "file" not in table.columns:
        raise DataError(f"{path}: metadata table needs a 'file' column")
    return {Path(str(row["file"])).name: row for row in table.to_dict("records")}


def _first(rows: list[dict[str, Any]], column: str) -> Any:
    for row in rows:
        value = row.get(column)
        if value is not None and not (isinstance(value, float) and np.isnan(value)):
            return value
    return np.nan


def _assemble(
    key: str,
    parts: list[tuple[Path, np.ndarray, float, dict[str, Any]]],
    table: dict[str, dict[str, Any]],
) -> Record | Skip:
    if len(parts) > 3:
        return Skip(key, f"{len(parts)} component files (at most 3)")
    dts = {round(p[2], 9) for p in parts}
    if len(dts) > 1:
        return Skip(key, f"components with different time steps {sorted(dts)}")
    vertical = [p for p in parts if component_axis(p[3]["component"]) == "Z"]
    horizontal = [p for p in parts if component_axis(p[3]["component"]) != "Z"]
    if len(vertical) > 1 or not 1 <= len(horizontal) <= 2:
        return Skip(
            key,
            f"needs 1 or 2 horizontals and at most 1 vertical, got components "
            f"{[p[3]['component'] for p in parts]}",
        )

    def ns_distance(part: tuple[Path, np.ndarray, float, dict[str, Any]]) -> float:
        axis = component_axis(part[3]["component"])
        return float(axis) if axis is not None else -1.0

    horizontal.sort(key=ns_distance)
    if len(horizontal) == 2:
        slots = {"Z": vertical[0] if vertical else None, "N": horizontal[0], "E": horizontal[1]}
    else:
        lone = "N" if ns_distance(horizontal[0]) <= 45.0 else "E"
        slots = {"Z": vertical[0] if vertical else None, "N": None, "E": None, lone: horizontal[0]}
    npts = min(p[1].size for p in parts)
    waveform = np.stack([p[1][:npts] if p else np.zeros(npts) for p in slots.values()])
    rows = [table.get(p[0].name, {}) for p in parts]
    header = horizontal[0][3]
    event = _first(rows, "event")
    event = header.get("event", key) if pd.isna(event) else event
    date = _first(rows, "date")
    date = header.get("date", "") if pd.isna(date) else date
    magnitude, rhyp, vs30 = (_first(rows, c) for c in ("magnitude", "rhyp_km", "vs30_mps"))
    labels = [f"{axis}:{p[3]['component'] if p else '-'}" for axis, p in slots.items()]
    metadata = {
        "trace_name": key,
        "source_id": f"{event} {date}".strip(),
        "station_code": header.get("station", _first(rows, "station")),
        "source_magnitude": magnitude,
        "path_hyp_distance_km": rhyp,
        "path_rup_distance_km": _first(rows, "rrup_km"),
        "station_vs30_mps": vs30,
        "trace_sampling_rate_hz": 1.0 / horizontal[0][2],
        "trace_npts": npts,
        **{f"trace_{axis}_missing": p is None for axis, p in slots.items()},
        "trace_components_original": " ".join(labels),
        "trace_files": " ".join(sorted(p[0].name for p in parts)),
    }
    return Record(key, metadata, waveform)


def find_at2_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """``.AT2`` files among ``paths`` (directories are searched recursively), sorted."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.suffix.upper() == ".AT2")
        elif path.is_file():
            found.append(path)
        else:
            raise DataError(f"{path}: no such file or directory")
    return sorted(found)


def read_at2_records(
    paths: Iterable[str | os.PathLike[str]], table: dict[str, dict[str, Any]] | None = None
) -> Iterator[Record | Skip]:
    """Group ``.AT2`` files into 3-component records (rule in the module docstring).

    Yields :class:`Record` (waveform ``(3, W)`` ZNE [m/s²]) or :class:`Skip` per record or
    unreadable file.
    """
    groups: dict[str, list[tuple[Path, np.ndarray, float, dict[str, Any]]]] = defaultdict(list)
    for path in find_at2_files(paths):
        try:
            acc, dt, header = read_at2(path)
        except DataError as exc:
            yield Skip(path.name, str(exc))
            continue
        groups[record_key(path, header)].append((path, acc, dt, header))
    for key, parts in groups.items():
        yield _assemble(key, parts, table or {})
