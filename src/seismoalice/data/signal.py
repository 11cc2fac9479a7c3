"""Signal plumbing shared by import, preparation, generation and evaluation.

* :func:`resample` — the one resampler of the package (anti-aliased polyphase FIR);
* :func:`zne_channels` — channel indices that put any component order into ZNE;
* :func:`stream_records` / :func:`stream_to_array` — an ObsPy ``Stream`` grouped into
  three-component ZNE records.

Why polyphase and not FFT resampling: ``scipy.signal.resample`` treats the record as one period
of a periodic signal, so a record that ends on another level than it starts (real records start
at trigger, on a non-zero sample) rings over its whole length, and an FFT of a 15-minute
200 Hz record with an awkward length is slow. ``resample_poly`` applies a Kaiser-windowed FIR
low-pass at the lower Nyquist frequency (anti-aliasing: energy near the input's Nyquist, e.g.
the near-Nyquist spikes of some real records, does not fold back into the band), costs
O(T · filter length). Its zero padding at the ends is harmless here: preparation detrends
and tapers after resampling, and generation low-passes tapered LF windows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy import signal

from seismoalice.data.components import COMPONENTS
from seismoalice.data.records import Skip
from seismoalice.errors import DataError

MAX_POLY_FACTOR = 1000
"""Largest up/down factor of the polyphase resampler (rates are approximated by a fraction
with a denominator of at most this; 100√2 → 100 Hz is off by 2e-6 relative)."""

COMPONENT_AXIS = {"Z": "Z", "N": "N", "E": "E", "1": "N", "2": "E"}
"""Component letter → ZNE axis; ``1``/``2`` (unrotated horizontals) count as N/E."""


def resample(x: np.ndarray, fs_in: float, fs_out: float) -> np.ndarray:
    """Resample ``(..., T)`` from ``fs_in`` to ``fs_out`` [Hz] along the last axis.

    Polyphase FIR (``scipy.signal.resample_poly``: Kaiser window β = 5, zero padding at the
    ends) with ``up/down`` the closest fraction of ``fs_out/fs_in`` with both ≤ 1000; the
    output has ``ceil(T · up / down)`` samples. Returns float64; the input itself when the
    rates are equal.

    Raises:
        DataError: a non-positive or non-finite rate, a rate ratio beyond 1:1000, or an empty
            signal.
    """
    x = np.asarray(x, dtype=np.float64)
    if not (np.isfinite(fs_in) and np.isfinite(fs_out) and fs_in > 0 and fs_out > 0):
        raise DataError(f"sampling rates must be positive numbers, got {fs_in} → {fs_out} Hz")
    if fs_in == fs_out:
        return x
    ratio = Fraction(fs_out / fs_in).limit_denominator(MAX_POLY_FACTOR)
    if ratio.numerator == 0 or ratio.numerator > MAX_POLY_FACTOR:
        raise DataError(f"cannot resample {fs_in} Hz to {fs_out} Hz (ratio beyond 1:1000)")
    if x.shape[-1] == 0:
        raise DataError("cannot resample an empty signal")
    return signal.resample_poly(x, ratio.numerator, ratio.denominator, axis=-1)


def zne_channels(order: str, where: str, target: str = COMPONENTS) -> list[int]:
    """Indices that put channels given in ``order`` (e.g. ``"ENZ"``, ``"Z12"``) into ``target``
    order (ZNE unless told). ``where`` names the data set or file in the error.

    Raises:
        DataError: ``order`` is not a permutation of ``target`` (with 1/2 for N/E).
    """
    letters = [COMPONENT_AXIS.get(c.upper(), c) for c in str(order)]
    wanted = [COMPONENT_AXIS.get(c.upper(), c) for c in target]
    if sorted(letters) != sorted(wanted):
        raise DataError(f"{where}: component order {order!r} is not a permutation of {target}")
    return [letters.index(c) for c in wanted]


@dataclass
class StreamRecord:
    """Traces of one station/instrument of a Stream as a ZNE record.

    Attributes:
        name: ``NET.STA.LOC.XX`` (band and instrument code of the channels).
        traces: the Z, N, E traces cut to the common window (``None`` where missing).
        data: ``(3, T)`` float64 at ``sampling_rate``, zeros for missing components.
        sampling_rate: [Hz], the highest of the components unless given.
        start: time of the first sample (``obspy.UTCDateTime``).
    """

    name: str
    traces: list[Any]
    data: np.ndarray
    sampling_rate: float
    start: Any

    @property
    def components(self) -> str:
        """The components present, in ZNE order (e.g. ``"NE"``)."""
        return "".join(c for c, tr in zip(COMPONENTS, self.traces, strict=True) if tr is not None)


def _group(key: str, traces: list[Any], sampling_rate: float | None) -> StreamRecord | Skip:
    by_axis: dict[str, Any] = {}
    for trace in traces:
        axis = COMPONENT_AXIS.get(trace.stats.channel[-1:].upper())
        if axis is None:
            return Skip(key, f"channel {trace.stats.channel!r}: component must be Z, N, E, 1 or 2")
        if axis in by_axis:
            return Skip(key, f"two traces for component {axis} ({trace.stats.channel})")
        if np.ma.is_masked(trace.data):
            return Skip(key, f"gaps in channel {trace.stats.channel}")
        if not (np.isfinite(trace.stats.sampling_rate) and trace.stats.sampling_rate > 0):
            return Skip(key, f"channel {trace.stats.channel}: bad sampling rate")
        by_axis[axis] = trace
    rate = float(sampling_rate or max(t.stats.sampling_rate for t in by_axis.values()))
    start = max(t.stats.starttime for t in by_axis.values())
    end = min(t.stats.endtime for t in by_axis.values())
    if end < start:
        return Skip(key, "components do not overlap in time")
    channels: dict[str, np.ndarray] = {}
    for axis, trace in by_axis.items():
        offset = round((start - trace.stats.starttime) * trace.stats.sampling_rate)
        data = np.asarray(trace.data, dtype=np.float64)[offset:]
        if data.size == 0:
            return Skip(key, f"channel {trace.stats.channel} holds no sample in the common window")
        channels[axis] = resample(data, trace.stats.sampling_rate, rate)
    npts = min(int(np.floor((end - start) * rate + 1e-6)) + 1, *(c.size for c in channels.values()))
    data = np.zeros((len(COMPONENTS), npts))
    for i, axis in enumerate(COMPONENTS):
        if axis in channels:
            data[i] = channels[axis][:npts]
    cut = [by_axis[a].slice(start, end) if a in by_axis else None for a in COMPONENTS]
    return StreamRecord(key, cut, data, rate, start)


def stream_records(st: Any, sampling_rate: float | None = None) -> Iterator[StreamRecord | Skip]:
    """Group a Stream into ZNE records, one per ``network.station.location`` + band/instrument.

    The last channel letter maps to Z/N/E (``1``/``2`` as N/E); components are merged, resampled
    to ``sampling_rate`` (default: the group's highest rate) and cut to the time window they all
    cover; missing components are zero rows (see :attr:`StreamRecord.components`). A group that
    cannot be assembled (unknown component letter, two traces for one component, gaps after
    merging, no common window) is yielded as a :class:`Skip` with the reason.
    """
    groups: dict[str, list[Any]] = {}
    for trace in st:
        s = trace.stats
        groups.setdefault(f"{s.network}.{s.station}.{s.location}.{s.channel[:-1]}", []).append(
            trace
        )
    for key, traces in groups.items():
        merged = type(st)(traces)  # an obspy.Stream, without importing ObsPy here
        try:
            merged.merge()
        except Exception as exc:  # ObsPy raises bare Exceptions for incompatible traces
            yield Skip(key, f"cannot merge traces ({exc})")
            continue
        yield _group(key, list(merged), sampling_rate)


def stream_to_array(st: Any) -> list[tuple[list[Any], np.ndarray, float]]:
    """Three-component records of a Stream: ``[(traces Z/N/E, (3, T) array, fs)]``.

    As :func:`stream_records`, but every record must have all three components.

    Raises:
        DataError: a group that cannot be assembled or lacks a component.
    """
    out = []
    for item in stream_records(st):
        if isinstance(item, Skip):
            raise DataError(f"{item.name}: {item.reason}")
        if item.components != COMPONENTS:
            raise DataError(
                f"{item.name}: needs three components (Z, N, E), got {item.components or 'none'}"
            )
        out.append((item.traces, item.data, item.sampling_rate))
    return out
