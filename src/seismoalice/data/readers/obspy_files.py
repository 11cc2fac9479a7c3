"""Any ObsPy-readable waveform files (miniSEED, SAC, K-NET, GSE2, ...) as 3-component records.

Traces are grouped by ``network.station.location`` + the band/instrument code (first two
letters of the channel); the last letter maps to Z/N/E, with ``1``/``2`` accepted as N/E
(unrotated horizontals). Each group is resampled to a common rate (the highest of its
components unless given) and trimmed to the time window all components cover.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from seismoalice.data.preprocessing import resample
from seismoalice.data.readers import Record, Skip
from seismoalice.errors import DataError

UNITS = {
    "counts": "unknown",
    "m": "displacement",
    "mps": "velocity",
    "mps2": "acceleration",
}
"""Accepted unit strings (SeisBench convention) and the measurement each implies."""

COMPONENT_AXIS = {"Z": "Z", "N": "N", "E": "E", "1": "N", "2": "E"}


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


def _assemble(key: str, traces: list[Any], sampling_rate: float | None) -> Record | Skip:
    by_axis: dict[str, Any] = {}
    for trace in traces:
        axis = COMPONENT_AXIS.get(trace.stats.channel[-1:].upper())
        if axis is None:
            return Skip(key, f"channel {trace.stats.channel!r} is not Z/N/E/1/2")
        if axis in by_axis:
            return Skip(key, f"several channels for component {axis}")
        if np.ma.is_masked(trace.data):
            return Skip(key, f"gaps in channel {trace.stats.channel}")
        by_axis[axis] = trace
    missing = [a for a in "ZNE" if a not in by_axis]
    if missing:
        return Skip(key, f"missing component(s) {''.join(missing)}")
    rate = sampling_rate or max(t.stats.sampling_rate for t in by_axis.values())
    start = max(t.stats.starttime for t in by_axis.values())
    end = min(t.stats.endtime for t in by_axis.values())
    if end <= start:
        return Skip(key, "components do not overlap in time")
    channels = []
    for axis in "ZNE":
        trace = by_axis[axis]
        offset = round((start - trace.stats.starttime) * trace.stats.sampling_rate)
        data = np.asarray(trace.data, dtype=np.float64)[offset:]
        channels.append(resample(data, trace.stats.sampling_rate, rate))
    npts = int(np.floor((end - start) * rate + 1e-6)) + 1
    npts = min(npts, *(c.size for c in channels))
    waveform = np.stack([c[:npts] for c in channels])
    first = by_axis["Z"]
    p_sample = _p_arrival_sample(first)
    if np.isfinite(p_sample):
        p_sample = (p_sample / first.stats.sampling_rate - (start - first.stats.starttime)) * rate
    stats = first.stats
    metadata = {
        "trace_name": key,
        "station_network_code": stats.network,
        "station_code": stats.station,
        "station_location_code": stats.location,
        "trace_channel": stats.channel[:2],
        "trace_start_time": str(start),
        "trace_sampling_rate_hz": rate,
        "trace_npts": npts,
        "trace_p_arrival_sample": p_sample,
        **_source_metadata(first),
    }
    return Record(key, metadata, waveform)


def read_obspy_records(
    paths: Iterable[str | os.PathLike[str]], sampling_rate: float | None = None
) -> Iterator[Record | Skip]:
    """Read files with ``obspy.read`` and yield one record per station/instrument.

    Args:
        paths: files or directories (searched recursively).
        sampling_rate: common output rate [Hz]; default the highest rate of each group.

    Yields:
        :class:`Record` (``(3, W)`` ZNE, in the files' units) or :class:`Skip`.
    """
    import obspy

    groups: dict[str, list[Any]] = defaultdict(list)
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise DataError(f"{path}: no such file or directory")
    for path in files:
        try:
            stream = obspy.read(str(path))
        except Exception as exc:
            yield Skip(path.name, f"not readable by ObsPy ({type(exc).__name__}: {exc})")
            continue
        for trace in stream:
            s = trace.stats
            groups[f"{s.network}.{s.station}.{s.location}.{s.channel[:2]}"].append(trace)
    for key, traces in groups.items():
        merged = obspy.Stream(traces)
        try:
            merged.merge()
        except Exception as exc:
            yield Skip(key, f"cannot merge traces ({exc})")
            continue
        yield _assemble(key, list(merged), sampling_rate)
