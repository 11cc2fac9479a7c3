"""Waveform files ObsPy reads (miniSEED, SAC, GSE2, SEG-Y, K-NET, ...), read safely.

**No code from data.** ``obspy.read`` without ``format=`` tries every installed format, PICKLE
included, and ObsPy's PICKLE check unpickles the file: a file named ``e.mseed`` holding a
pickle runs code. :func:`read_stream` therefore detects the format itself with ObsPy's
per-format checks over the explicit allow-list :data:`OBSPY_FORMATS` (in ObsPy's own order),
never calls the PICKLE check, and reads with ``format=`` set. Left out of the list: PICKLE,
and CSS and NNSA_KB_CORE, whose index files name other files to read (a data file could make
the reader pull any file of the machine into a data set). Formats a future ObsPy adds are
refused until listed. The path is passed with glob characters escaped (ObsPy expands globs).

Records: traces are grouped by ``network.station.location`` + band/instrument code
(:func:`seismoalice.data.signal.stream_records`); missing components are zero rows named by
``trace_components``.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import obspy
from obspy.core.util.base import ENTRY_POINTS, buffered_load_entry_point

from seismoalice.data.components import COMPONENTS_COLUMN
from seismoalice.data.readers.assembly import find_files
from seismoalice.data.records import MAX_DT_S, MIN_DT_S, Record, Skip
from seismoalice.data.signal import StreamRecord, stream_records
from seismoalice.errors import DataError

OBSPY_FORMATS = (
    "MSEED", "SAC", "SACXY", "GSE2", "GSE1", "SEISAN", "Q", "SH_ASC", "SLIST", "TSPAIR", "Y",
    "SEGY", "SU", "SEG2", "WAV", "WIN", "AH", "PDAS", "KINEMETRICS_EVT", "GCF", "DMX",
    "ALSEP_PSE", "ALSEP_WTN", "ALSEP_WTH", "CYBERSHAKE", "KNET", "REFTEK130", "RG16",
)  # fmt: skip
"""ObsPy waveform formats SeismoALICE reads (never PICKLE, CSS or NNSA_KB_CORE)."""

UNITS = {
    "counts": "unknown",
    "m": "displacement",
    "mps": "velocity",
    "mps2": "acceleration",
}
"""Accepted unit strings (SeisBench convention) and the measurement each implies."""


def detect_format(path: Path, formats: Iterable[str] = OBSPY_FORMATS) -> str | None:
    """The first of ``formats`` (in ObsPy's order) whose ObsPy check accepts ``path``."""
    allowed = {f.upper() for f in formats} - {"PICKLE"}
    name = glob.escape(str(path))
    for fmt, entry in ENTRY_POINTS["waveform"].items():
        if fmt not in allowed:
            continue
        try:
            check = buffered_load_entry_point(
                entry.dist.name, f"obspy.plugin.waveform.{fmt}", "isFormat"
            )
            if check(name):
                return fmt
        except Exception:  # a format check that fails on foreign content means "not this"
            continue
    return None


def read_stream(
    path: str | os.PathLike[str],
    formats: Iterable[str] = OBSPY_FORMATS,
    finite: bool = True,
) -> Any:
    """Read a waveform file as an ``obspy.Stream`` with an allow-listed, detected format.

    ``finite``: refuse traces with NaN/inf samples (importers check per record instead).

    Raises:
        DataError: not a file, a Python pickle, no allowed format recognises it, ObsPy fails
            to read it, or a trace holds NaN/inf samples; one line naming the file (and trace).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        with path.open("rb") as handle:
            head = handle.read(128)
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if b"obspy.core.stream" in head:
        raise DataError(f"{path}: a Python pickle; refusing to read it (pickles can run code)")
    fmt = detect_format(path, formats)
    if fmt is None:
        raise DataError(f"{path}: not a waveform format SeismoALICE reads with ObsPy")
    try:
        stream = obspy.read(glob.escape(str(path)), format=fmt)
    except Exception as exc:  # ObsPy's readers raise anything from struct.error to Exception
        message = str(exc).splitlines()[0][:120] if str(exc) else ""
        raise DataError(f"{path}: cannot read as {fmt} ({type(exc).__name__}: {message})") from None
    for trace in stream if finite else ():
        data = np.asarray(trace.data, dtype=np.float64)
        bad = ~np.isfinite(data)
        if bad.any():
            raise DataError(
                f"{path}: trace {trace.id} has {int(bad.sum())} NaN/inf samples "
                f"(first at sample {int(np.argmax(bad))})"
            )
    return stream


def data_format_for_units(units: str, sampling_rate: float | None = None) -> dict[str, Any]:
    """SeisBench ``data_format`` for ZNE traces in ``units`` (one of :data:`UNITS`).

    Raises:
        DataError: unknown unit string.
    """
    if units not in UNITS:
        raise DataError(f"unknown units {units!r}; use one of {sorted(UNITS)}")
    fmt: dict[str, Any] = {
        "dimension_order": "CW",
        "component_order": "ZNE",
        "measurement": UNITS[units],
        "unit": units,
        "instrument_response": "not restituted" if units == "counts" else "restituted",
    }
    if sampling_rate is not None:
        fmt["sampling_rate"] = float(sampling_rate)
    return fmt


def _p_arrival_sample(trace: Any) -> float:
    """P pick from SAC header ``a`` [s after reference] relative to the first sample ``b``."""
    sac = trace.stats.get("sac", {})
    if "a" in sac and "b" in sac and sac["a"] > -12345.0:
        return (float(sac["a"]) - float(sac["b"])) * trace.stats.sampling_rate
    return np.nan


def _source_metadata(trace: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    knet = trace.stats.get("knet", {})
    sac = trace.stats.get("sac", {})
    if "mag" in knet:
        meta.update(
            source_magnitude=knet["mag"],
            source_depth_km=knet.get("evdp", np.nan),
            source_latitude_deg=knet.get("evla", np.nan),
            source_longitude_deg=knet.get("evlo", np.nan),
        )
    elif "mag" in sac and sac["mag"] > -12345.0:
        meta["source_magnitude"] = float(sac["mag"])
    if "dist" in sac and sac["dist"] > -12345.0:
        meta["path_ep_distance_km"] = float(sac["dist"])
    return meta


def _record(group: StreamRecord) -> Record:
    first = next(tr for tr in group.traces if tr is not None)
    p_sample = _p_arrival_sample(first)
    if np.isfinite(p_sample):
        offset = group.start - first.stats.starttime
        p_sample = (p_sample / first.stats.sampling_rate - offset) * group.sampling_rate
    stats = first.stats
    metadata = {
        "trace_name": group.name,
        "station_network_code": stats.network,
        "station_code": stats.station,
        "station_location_code": stats.location,
        "trace_channel": stats.channel[:-1],
        "trace_start_time": str(group.start),
        "trace_sampling_rate_hz": group.sampling_rate,
        "trace_npts": group.data.shape[-1],
        "trace_p_arrival_sample": p_sample,
        COMPONENTS_COLUMN: group.components,
        "trace_source_format": "obspy",
        **_source_metadata(first),
    }
    return Record(group.name, metadata, group.data)


def read_obspy_records(
    paths: Iterable[str | os.PathLike[str]], sampling_rate: float | None = None
) -> Iterator[Record | Skip]:
    """Read files with :func:`read_stream` and yield one record per station/instrument.

    Args:
        paths: files or directories (searched recursively; every file is tried).
        sampling_rate: common output rate [Hz]; default the highest rate of each group.

    Yields:
        :class:`Record` (``(3, W)`` ZNE, in the files' units) or :class:`Skip` (unreadable
        file, sampling rate out of range, group that cannot be assembled).
    """
    traces: list[Any] = []
    for path in find_files(paths, lambda p: True):
        try:
            stream = read_stream(path, finite=False)
        except DataError as exc:
            yield Skip(path.name, str(exc).removeprefix(f"{path}: "))
            continue
        for trace in stream:
            rate = float(trace.stats.sampling_rate)
            if not (np.isfinite(rate) and 1.0 / MAX_DT_S <= rate <= 1.0 / MIN_DT_S):
                yield Skip(f"{path.name}:{trace.id}", f"sampling rate {rate:g} Hz out of range")
                continue
            traces.append(trace)
    for item in stream_records(obspy.Stream(traces), sampling_rate):
        yield item if isinstance(item, Skip) else _record(item)
