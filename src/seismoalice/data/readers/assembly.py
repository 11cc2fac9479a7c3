"""Components → records: the assembly rule shared by every one-component-per-file reader.

A text reader turns a file into :class:`Component` objects (one acceleration channel in m/s²
with its header metadata and a record key = station × event × sensor); :func:`read_files`
groups them by key and :func:`assemble` builds one ZNE :class:`~seismoalice.data.records.Record`
per key:

* the vertical goes to Z; of two horizontals, the one whose azimuth is closer to the N–S axis
  goes to N and the other to E (ties and unknown azimuths such as ``L``/``T`` keep file
  order); a lone horizontal goes to N when its azimuth is within 45° of N–S (or unknown), else
  to E. Channels are **not rotated or sign-flipped**; ``trace_components_original`` keeps the
  labels (``Z:UP N:000 E:090``) and ``trace_Z_source_file`` etc. the file of each component;
* missing components are zero rows named by ``trace_components``
  (:mod:`seismoalice.data.components`): horizontal pairs and single components are kept;
* components are aligned on their common start time when the files give one, and cut to the
  shortest (PEER components of one record may differ by a few samples);
* a record with two verticals, three horizontals, more than three files or different
  sampling intervals is skipped with its reason;
* quality flags (``trace_quality_flags``, space-separated): those of the readers
  (``truncated``: fewer samples than the header announces) and ``hf_near_nyquist`` (a
  component with a sample-to-sample jump above 0.9 × its PGA: strong energy near the Nyquist
  frequency, as in some AFAD and old PEER records);
* processing corners: ``trace_highpass_hz`` is the highest and ``trace_lowpass_hz`` the
  lowest of the components' (the band usable on every component).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seismoalice.data.components import COMPONENTS, COMPONENTS_COLUMN
from seismoalice.data.records import Record, Skip
from seismoalice.errors import DataError

JUMP_OVER_PGA = 0.9
"""A sample-to-sample jump above this fraction of the PGA flags ``hf_near_nyquist``."""

_VERTICAL = {"Z", "UP", "UD", "U-D", "DWN", "DN", "DOWN", "V", "VER", "VERT", "VERTICAL"}
_AZIMUTH_WORDS = {
    **dict.fromkeys(("N", "S", "NS", "N-S", "SN", "NORTH", "SOUTH"), 0.0),
    **dict.fromkeys(("E", "W", "EW", "E-W", "WE", "EAST", "WEST"), 90.0),
}


def component_role(label: str) -> tuple[str, float | None]:
    """``("Z", None)`` for a vertical label, else ``("H", azimuth)`` with the azimuth [deg from
    N] when the label gives one (``000``, ``90 Deg``, ``N``, ``EW``) and ``None`` otherwise
    (``L``, ``T``, ``H1``)."""
    text = label.strip().upper()
    if text in _VERTICAL:
        return "Z", None
    if text in _AZIMUTH_WORDS:
        return "H", _AZIMUTH_WORDS[text]
    number = text.removesuffix("DEG").strip()
    try:
        azimuth = float(number)
    except ValueError:
        return "H", None
    return ("H", azimuth % 360.0) if np.isfinite(azimuth) else ("H", None)


@dataclass
class Component:
    """One acceleration channel read from a file.

    Attributes:
        file: the file it came from.
        data: acceleration [m/s²], float64 ``(npts,)``.
        dt: sampling interval [s].
        label: the channel's label in the file (``HNE``, ``EW2``, ``090``, ``UP``).
        role: ``"Z"`` (vertical) or ``"H"`` (horizontal).
        azimuth: horizontal azimuth [deg clockwise from N], ``None`` when unknown.
        key: record key (station × event × sensor); components with one key form a record.
        metadata: record-level SeisBench columns from the header (NaN where unknown).
        start: time of the first sample (``obspy.UTCDateTime``) or ``None``.
        flags: quality flags (e.g. ``truncated``).
    """

    file: Path
    data: np.ndarray
    dt: float
    label: str
    role: str
    azimuth: float | None
    key: str
    metadata: dict[str, Any] = field(default_factory=dict)
    start: Any = None
    flags: set[str] = field(default_factory=set)


def _ns_distance(component: Component) -> float:
    """Angle [deg, 0–90] between the azimuth and the N–S axis; −1 when unknown (sorts first)."""
    if component.azimuth is None:
        return -1.0
    folded = component.azimuth % 180.0
    return min(folded, 180.0 - folded)


def _slots(key: str, parts: list[Component]) -> dict[str, Component | None] | Skip:
    vertical = [p for p in parts if p.role == "Z"]
    horizontal = sorted((p for p in parts if p.role != "Z"), key=_ns_distance)
    labels = [p.label for p in parts]
    if len(parts) > 3 or len(vertical) > 1 or len(horizontal) > 2:
        return Skip(key, f"components {labels}: need at most one vertical and two horizontals")
    slots: dict[str, Component | None] = {"Z": vertical[0] if vertical else None, "N": None}
    slots["E"] = None
    if len(horizontal) == 2:
        slots["N"], slots["E"] = horizontal
    elif horizontal:
        lone = horizontal[0]
        slots["N" if _ns_distance(lone) <= 45.0 else "E"] = lone
    return slots


def _merge(rows: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for row in rows:
        for column, value in row.items():
            if merged.get(column) is None or pd.isna(merged[column]):
                merged[column] = value
    return merged


def _band(parts: list[Component]) -> dict[str, float]:
    high = [p.metadata.get("trace_highpass_hz", np.nan) for p in parts]
    low = [p.metadata.get("trace_lowpass_hz", np.nan) for p in parts]
    high = [v for v in high if not pd.isna(v)]
    low = [v for v in low if not pd.isna(v)]
    return {
        "trace_highpass_hz": max(high) if high else np.nan,
        "trace_lowpass_hz": min(low) if low else np.nan,
    }


def hf_near_nyquist(data: np.ndarray) -> bool:
    """True when the largest sample-to-sample jump exceeds :data:`JUMP_OVER_PGA` × PGA."""
    pga = float(np.abs(data).max()) if data.size else 0.0
    return data.size > 1 and pga > 0 and float(np.abs(np.diff(data)).max()) > JUMP_OVER_PGA * pga


def assemble(key: str, parts: list[Component]) -> Record | Skip:
    """One ZNE record from the components of ``key`` (rules in the module docstring)."""
    slots = _slots(key, parts)
    if isinstance(slots, Skip):
        return slots
    dts = sorted({round(p.dt, 12) for p in parts})
    if len(dts) > 1:
        return Skip(key, f"components with different sampling intervals {dts} s")
    dt = parts[0].dt
    starts = [p.start for p in parts]
    start = max(starts) if all(s is not None for s in starts) else None
    offsets = [0 if start is None else round((start - s) / dt) for s in starts]
    npts = min(p.data.size - o for p, o in zip(parts, offsets, strict=True))
    if npts < 2:
        return Skip(key, "components do not overlap in time")
    cut = {id(p): p.data[o : o + npts] for p, o in zip(parts, offsets, strict=True)}
    waveform = np.zeros((len(COMPONENTS), npts))
    for i, part in enumerate(slots.values()):
        if part is not None:
            waveform[i] = cut[id(part)]
    present = [(axis, part) for axis, part in slots.items() if part is not None]
    flags = set().union(*(p.flags for p in parts))
    if any(hf_near_nyquist(cut[id(p)]) for _, p in present):
        flags.add("hf_near_nyquist")
    ordered = [p for _, p in present]
    metadata = {
        **_merge([p.metadata for p in ordered]),
        **_band(parts),
        "trace_name": key,
        "trace_sampling_rate_hz": 1.0 / dt,
        "trace_npts": npts,
        "trace_start_time": str(start) if start is not None else np.nan,
        COMPONENTS_COLUMN: "".join(axis for axis, _ in present),
        "trace_components_original": " ".join(f"{axis}:{p.label}" for axis, p in present),
        **{f"trace_{axis}_source_file": p.file.name for axis, p in present},
        "trace_quality_flags": " ".join(sorted(flags)),
    }
    return Record(key, metadata, waveform)


def find_files(
    paths: Iterable[str | os.PathLike[str]], accept: Callable[[Path], bool]
) -> list[Path]:
    """Files among ``paths`` (directories searched recursively for names ``accept`` takes;
    files given by name are always taken), sorted.

    Raises:
        DataError: a path that does not exist.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and accept(p))
        elif path.is_file():
            found.append(path)
        else:
            raise DataError(f"{path}: no such file or directory")
    return sorted(found)


def read_files(
    files: Iterable[Path],
    parse: Callable[[Path], list[Component]],
    table: dict[str, dict[str, Any]] | None = None,
) -> Iterator[Record | Skip]:
    """Parse ``files`` into components, fill header gaps from ``table`` (per file name, see
    :func:`seismoalice.data.readers.tables.load_record_table`) and yield one record per key
    (a :class:`Skip` per unreadable file or unusable record)."""
    groups: dict[str, list[Component]] = {}
    for path in files:
        try:
            components = parse(path)
        except DataError as exc:
            yield Skip(path.name, str(exc))
            continue
        for component in components:
            extra = (table or {}).get(path.name, {})
            for column, value in extra.items():
                if pd.isna(component.metadata.get(column, np.nan)):
                    component.metadata[column] = value
            groups.setdefault(component.key, []).append(component)
    for key, parts in groups.items():
        yield assemble(key, parts)
