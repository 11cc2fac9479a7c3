"""K-NET and KiK-net ASCII accelerograms (NIED, Japan; doi:10.17598/NIED.0004).

One component per file: K-NET ``<STA><yymmddhhmm>.NS|EW|UD``; KiK-net ``.NS1|EW1|UD1``
(borehole sensor, channels 1–3) and ``.NS2|EW2|UD2`` (surface, channels 4–6). 17 header lines
(label in the first 18 columns): origin time, hypocentre, JMA magnitude (Mj), station code,
position and height, record time, sampling frequency, duration, direction, scale factor
``<num>(gal)/<den>``, maximum acceleration; then integer counts.

Conversion (NIED's ASCII format notes; ObsPy's ``KNET`` reader does the same):

* acceleration [gal] = counts × num / den, then × 0.01 → m/s²;
* **offset**: the counts carry a constant offset (the digitiser's zero), so the mean of the
  whole record is removed (NIED's recommendation; the PGA of the shared set's records.csv is
  computed the same way). Nothing else is done: these files are raw, unfiltered records, so
  ``trace_highpass_hz``/``trace_lowpass_hz`` stay empty and ``trace_processing`` says
  ``raw counts x scale factor, mean removed``;
* times are JST (UTC+9) and converted to UTC; the first sample is ``Record Time`` − 15 s
  (the logger's delay);
* the epicentral distance is computed from the header coordinates (WGS84 geodesic), the
  hypocentral one with the depth.

**Surface and borehole are never mixed**: the record key is the file stem plus the sensor
position (``KMMH141604142126.borehole`` / ``.surface``), so a KiK-net station gives two
three-component records, told apart by ``trace_sensor_position`` and ``station_elevation_m``
(the sensor's height, negative down the borehole).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
from obspy.geodetics import gps2dist_azimuth

from seismoalice.data.readers.assembly import Component, component_role
from seismoalice.data.readers.text import (
    parse_number,
    parse_optional,
    parse_samples,
    parse_time,
    quote,
    read_lines,
)
from seismoalice.data.records import check_count, check_finite, check_sampling_interval
from seismoalice.errors import DataError

GAL = 0.01
"""1 gal = 1 cm/s² = 0.01 m/s²."""
JST_UTC_OFFSET_H = 9.0
LOGGER_DELAY_S = 15.0
HEADER_LINES = 17
_SCALE = re.compile(r"^\s*([-+.\dEe]+)\s*\(gal\)\s*/\s*([-+.\dEe]+)\s*$", re.IGNORECASE)
_SUFFIX = re.compile(r"^\.(NS|EW|UD)([12]?)$", re.IGNORECASE)
_DIRECTION = {"NS": "N", "EW": "E", "UD": "Z"}


def parse_header(lines: list[str], path: Path) -> dict[str, str]:
    """The 17 ``label value`` header lines as ``{label: value}``.

    Raises:
        DataError: fewer than 17 lines, or no ``Scale Factor``/``Sampling Freq`` label.
    """
    if len(lines) < HEADER_LINES + 1:
        raise DataError(f"{path}: {len(lines)} lines, a K-NET file has a 17-line header")
    header = {line[:18].strip(): line[18:].strip() for line in lines[:HEADER_LINES]}
    for label in ("Scale Factor", "Sampling Freq(Hz)"):
        if label not in header:
            raise DataError(f"{path}: no {label!r} header line (not a K-NET/KiK-net file)")
    return header


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    if not all(np.isfinite(v) for v in (lat1, lon1, lat2, lon2)):
        return np.nan
    if not (abs(lat1) <= 90 and abs(lat2) <= 90):
        return np.nan
    return gps2dist_azimuth(lat1, lon1, lat2, lon2)[0] / 1000.0


def read_knet_component(path: Path) -> list[Component]:
    """One K-NET/KiK-net file as a :class:`Component` [m/s², mean removed].

    Raises:
        DataError: bad header, scale factor or sampling frequency, non-numeric or non-finite
            samples, more samples than the duration announces.
    """
    suffix = _SUFFIX.match(path.suffix)
    if suffix is None:
        raise DataError(f"{path}: K-NET/KiK-net files end in .NS/.EW/.UD (KiK-net: 1 or 2)")
    lines = read_lines(path, "K-NET/KiK-net")
    header = parse_header(lines, path)
    scale = _SCALE.match(header["Scale Factor"])
    if scale is None:
        raise DataError(f"{path}: Scale Factor {quote(header['Scale Factor'])} is not N(gal)/M")
    numerator = parse_number(scale.group(1), path, "scale numerator")
    denominator = parse_number(scale.group(2), path, "scale denominator")
    if denominator == 0 or not np.isfinite(numerator / denominator):
        raise DataError(f"{path}: Scale Factor {quote(header['Scale Factor'])} is not finite")
    rate_text = header["Sampling Freq(Hz)"].upper().removesuffix("HZ")
    rate = parse_number(rate_text, path, "Sampling Freq(Hz)")
    dt = check_sampling_interval(1.0 / rate if rate else np.inf, str(path))
    counts = check_finite(parse_samples(lines[HEADER_LINES:], path), str(path))
    duration = parse_optional(header.get("Duration Time(s)"))
    flags = check_count(
        counts.size,
        round(duration * rate) if np.isfinite(duration) else np.nan,
        str(path),
        "Duration Time(s) x Sampling Freq",
    )
    acc = counts * (numerator / denominator) * GAL
    acc = check_finite(acc - acc.mean(), str(path))
    direction, channel = suffix.group(1).upper(), suffix.group(2)
    role, azimuth = component_role(_DIRECTION[direction])
    position = "borehole" if channel == "1" else "surface"
    origin = parse_time(header.get("Origin Time"), JST_UTC_OFFSET_H)
    record_time = parse_time(header.get("Record Time"), JST_UTC_OFFSET_H)
    lat, lon = parse_optional(header.get("Lat.")), parse_optional(header.get("Long."))
    depth = parse_optional(header.get("Depth. (km)"))
    st_lat = parse_optional(header.get("Station Lat."))
    st_lon = parse_optional(header.get("Station Long."))
    epicentral = _distance_km(lat, lon, st_lat, st_lon)
    station = header.get("Station Code", "") or path.stem[:6]
    metadata: dict[str, Any] = {
        "source_id": f"JMA {header.get('Origin Time', '')} JST".strip(),
        "source_origin_time": str(origin) if origin is not None else np.nan,
        "source_latitude_deg": lat,
        "source_longitude_deg": lon,
        "source_depth_km": depth,
        "source_magnitude": parse_optional(header.get("Mag.")),
        "source_magnitude_type": "Mj",
        "station_network_code": "BO",
        "station_code": station,
        "station_latitude_deg": st_lat,
        "station_longitude_deg": st_lon,
        "station_elevation_m": parse_optional(header.get("Station Height(m)")),
        "path_ep_distance_km": epicentral,
        "path_hyp_distance_km": float(np.hypot(epicentral, depth)),
        "trace_sensor_position": position,
        "trace_processing": "raw counts x scale factor, mean removed",
        "trace_source_format": "knet",
    }
    start = record_time - LOGGER_DELAY_S if record_time is not None else None
    label = f"{direction}{channel}"
    key = f"{path.stem}.{position}"
    return [Component(path, acc, dt, label, role, azimuth, key, metadata, start, flags)]


def is_knet(path: Path) -> bool:
    """Directory search rule: suffix ``.NS``, ``.EW``, ``.UD`` (KiK-net: ``1`` or ``2`` added)."""
    return _SUFFIX.match(path.suffix) is not None
