"""ESM / ITACA and AFAD ASCII accelerograms (the ``DYNA 1.2`` header format).

The Engineering Strong-Motion database (ESM, Luzi et al. 2016), ITACA and the Turkish AFAD
archive (TADAS) share one layout: ``KEY: value`` header lines (event, station, site, sampling,
units, processing; files re-filtered by other tools may put extra ``KEY: value`` lines first),
then one sample per line. One component per file; ``STREAM`` names the channel (``HNE``).

Read: ``SAMPLING_INTERVAL_S``, ``NDATA`` (fewer samples than announced → flag ``truncated``),
``UNITS`` (cm/s², m/s² or g; converted to m/s²), ``DATA_TYPE`` (must be acceleration),
``DATE_TIME_FIRST_SAMPLE_YYYYMMDD_HHMMSS`` (UTC; AFAD writes the date day first), event id,
name, origin time, epicentre, depth, ``MAGNITUDE_W`` (else ``MAGNITUDE_L``), network, station,
``VS30_M/S``, EC8 class, ``EPICENTRAL_DISTANCE_KM`` (the hypocentral distance is computed with
the depth), back azimuth, processing corners (``LOW_CUT``/``HIGH_CUT_FREQUENCY_HZ``, also the
``AAD_`` ones of re-filtered AFAD files: the band kept is their intersection), filter type and
order, the processing note and ``LATE/NORMAL_TRIGGERED`` (``LT`` → flag ``late_triggered``: the
record misses the first motion).

Record key: the file name without its component code (``IT.MRN..HNE.D.20120529.070002.C.ACC.ASC``
→ ``IT.MRN..HN.D.20120529.070002.C.ACC``; ``…_AAD_Acc_E.asc`` → ``…_AAD_Acc``): ESM and AFAD
name the three files of a record alike, and two instruments of one station stay apart.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from seismoalice.data.readers.assembly import Component, component_role
from seismoalice.data.readers.text import (
    acceleration_scale,
    parse_number,
    parse_optional,
    parse_samples,
    parse_time,
    quote,
    read_lines,
)
from seismoalice.data.records import check_count, check_finite, check_sampling_interval
from seismoalice.errors import DataError

_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_/&^.()\- ]*?)\s*:(.*)$")
_NUMERIC_LINE = re.compile(r"^\s*[-+]?(?:\d|\.\d)")


def parse_header(lines: list[str], path: Path) -> tuple[dict[str, str], int]:
    """``KEY: value`` pairs (keys upper case) and the index of the first data line.

    Raises:
        DataError: no ``HEADER_FORMAT``/``SAMPLING_INTERVAL_S`` key (not a DYNA file) or no data.
    """
    header: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = _KEY_VALUE.match(line)
        if match:
            header.setdefault(match.group(1).strip().upper(), match.group(2).strip())
        elif _NUMERIC_LINE.match(line) and "SAMPLING_INTERVAL_S" in header:
            return header, index
    if "SAMPLING_INTERVAL_S" not in header:
        raise DataError(f"{path}: no SAMPLING_INTERVAL_S header line (not an ESM/AFAD ASCII file)")
    raise DataError(f"{path}: no data lines after the header")


def _number(header: dict[str, str], key: str) -> float:
    return parse_optional(header.get(key))


def _band(header: dict[str, str]) -> tuple[float, float]:
    """(high-pass, low-pass) corners [Hz]: the intersection of the plain and ``AAD_`` bands."""
    high = [_number(header, p + "LOW_CUT_FREQUENCY_HZ") for p in ("", "AAD_")]
    low = [_number(header, p + "HIGH_CUT_FREQUENCY_HZ") for p in ("", "AAD_")]
    high = [v for v in high if np.isfinite(v) and v > 0]
    low = [v for v in low if np.isfinite(v) and v > 0]
    return (max(high) if high else np.nan, min(low) if low else np.nan)


def record_key(path: Path) -> str:
    """The file name without suffix and component code (see the module docstring)."""
    name = path.name.removesuffix(".ASC").removesuffix(".asc")
    fields = name.split(".")
    if len(fields) >= 4 and len(fields[3]) == 3:
        fields[3] = fields[3][:2]
        return ".".join(fields)
    return re.sub(r"[_.\-][A-Za-z0-9]$", "", name)


def header_metadata(header: dict[str, str]) -> dict[str, Any]:
    """SeisBench metadata columns from a DYNA header (NaN where a field is empty)."""
    mw, ml = _number(header, "MAGNITUDE_W"), _number(header, "MAGNITUDE_L")
    epicentral, depth = _number(header, "EPICENTRAL_DISTANCE_KM"), _number(header, "EVENT_DEPTH_KM")
    origin = parse_time(
        f"{header.get('EVENT_DATE_YYYYMMDD', '')} {header.get('EVENT_TIME_HHMMSS', '')}"
    )
    highpass, lowpass = _band(header)
    location = header.get("LOCATION", "")
    filter_text = " ".join(
        v for v in (header.get("FILTER_TYPE", ""), header.get("FILTER_ORDER", "")) if v
    )
    return {
        "source_id": header.get("EVENT_ID") or header.get("EVENT_NAME") or np.nan,
        "source_event_name": header.get("EVENT_NAME") or np.nan,
        "source_origin_time": str(origin) if origin is not None else np.nan,
        "source_latitude_deg": _number(header, "EVENT_LATITUDE_DEGREE"),
        "source_longitude_deg": _number(header, "EVENT_LONGITUDE_DEGREE"),
        "source_depth_km": depth,
        "source_magnitude": mw if np.isfinite(mw) else ml,
        "source_magnitude_type": "Mw" if np.isfinite(mw) else ("ML" if np.isfinite(ml) else np.nan),
        "station_network_code": header.get("NETWORK") or np.nan,
        "station_code": header.get("STATION_CODE") or np.nan,
        "station_location_code": location if len(location) <= 2 else "",
        "station_name": header.get("STATION_NAME") or (location if len(location) > 2 else np.nan),
        "station_latitude_deg": _number(header, "STATION_LATITUDE_DEGREE"),
        "station_longitude_deg": _number(header, "STATION_LONGITUDE_DEGREE"),
        "station_elevation_m": _number(header, "STATION_ELEVATION_M"),
        "station_vs30_mps": _number(header, "VS30_M/S"),
        "station_ec8_class": header.get("SITE_CLASSIFICATION_EC8") or np.nan,
        "path_ep_distance_km": epicentral,
        "path_hyp_distance_km": float(np.hypot(epicentral, depth)),
        "path_back_azimuth_deg": _number(header, "EARTHQUAKE_BACKAZIMUTH_DEGREE"),
        "trace_channel": header.get("STREAM", "")[:2] or np.nan,
        "trace_highpass_hz": highpass,
        "trace_lowpass_hz": lowpass,
        "trace_filter": filter_text or np.nan,
        "trace_processing": header.get("PROCESSING") or np.nan,
    }


def read_esm_component(path: Path) -> list[Component]:
    """One ESM/AFAD ASCII file as a :class:`Component` [m/s²].

    Raises:
        DataError: not a DYNA file, not acceleration, unknown units, bad or missing sampling
            interval, more samples than ``NDATA``, non-numeric or non-finite samples.
    """
    lines = read_lines(path, "ESM/AFAD ASCII")
    header, first = parse_header(lines, path)
    kind = header.get("DATA_TYPE", "ACCELERATION").upper()
    if kind != "ACCELERATION":
        raise DataError(f"{path}: DATA_TYPE {quote(kind)} is not acceleration")
    scale = acceleration_scale(header.get("UNITS", ""), path)
    where = str(path)
    dt = check_sampling_interval(
        parse_number(header["SAMPLING_INTERVAL_S"], path, "SAMPLING_INTERVAL_S"), where
    )
    values = check_finite(parse_samples(lines[first:], path), where)
    flags = check_count(values.size, parse_optional(header.get("NDATA")), where, "NDATA")
    if header.get("LATE/NORMAL_TRIGGERED", "").upper() == "LT":
        flags.add("late_triggered")
    stream = header.get("STREAM", "")
    role, azimuth = component_role(stream[-1:] if len(stream) == 3 else stream)
    creator = f"{header.get('DATA_CREATOR', '')} {header.get('ORIGINAL_DATA_MEDIATOR', '')}"
    source_format = "afad" if "AFAD" in creator.upper() else "esm"
    metadata = header_metadata(header) | {"trace_source_format": source_format}
    start = parse_time(header.get("DATE_TIME_FIRST_SAMPLE_YYYYMMDD_HHMMSS"))
    return [
        Component(
            path,
            values * scale,
            dt,
            stream,
            role,
            azimuth,
            record_key(path),
            metadata,
            start,
            flags,
        )
    ]


def is_esm(path: Path) -> bool:
    """Directory search rule: ``.ASC`` files (any case)."""
    return path.suffix.upper() == ".ASC"
