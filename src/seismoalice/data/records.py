"""What readers produce: a :class:`Record` (a ZNE waveform with its metadata row) or a
:class:`Skip` (a source record or file that could not be used, and why).

Importers count and report every :class:`Skip`, so nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from seismoalice.errors import DataError


@dataclass
class Record:
    """One record: ``waveform`` ``(3, W)`` in ZNE order (missing components are zero rows, named
    by ``metadata["trace_components"]``, see :mod:`seismoalice.data.components`) and
    ``metadata``, a row of ``metadata.csv`` with SeisBench column names."""

    name: str
    metadata: dict[str, Any]
    waveform: np.ndarray


@dataclass
class Skip:
    """A source record or file that was not imported, with the reason (one line)."""

    name: str
    reason: str


MAX_NPTS = 10**8
"""Largest sample count a header may announce (10⁸: 6 days at 200 Hz)."""
MIN_DT_S = 1e-4
"""Shortest sampling interval a reader accepts [s] (10 kHz)."""
MAX_DT_S = 1.0
"""Longest sampling interval a reader accepts [s] (1 Hz): accelerograms are sampled faster."""


def check_sampling_interval(dt: float, where: str) -> float:
    """``dt`` [s] as a float, or a :class:`DataError` naming ``where`` when it is not a finite
    number in [:data:`MIN_DT_S`, :data:`MAX_DT_S`] (a header ``DT = 1e-12`` would otherwise
    make a 10¹²-sample resampling later)."""
    if not (np.isfinite(dt) and MIN_DT_S <= dt <= MAX_DT_S):
        raise DataError(
            f"{where}: sampling interval {dt:g} s is outside [{MIN_DT_S:g}, {MAX_DT_S:g}] s"
        )
    return float(dt)


def check_count(found: int, announced: float, where: str, label: str) -> set[str]:
    """Compare the samples ``found`` with the count a header ``announced`` (NaN: none).

    Returns:
        ``{"truncated"}`` when fewer samples than announced, else an empty set.

    Raises:
        DataError: fewer than 2 samples, an announced count outside [1, :data:`MAX_NPTS`], or
            more samples than announced; named with ``where`` and the header's ``label``.
    """
    if found < 2:
        raise DataError(f"{where}: {found} samples, a record needs at least 2")
    if not np.isfinite(announced):
        return set()
    if not 1 <= announced <= MAX_NPTS:
        raise DataError(f"{where}: {label} = {announced:g} is out of range")
    if found > announced:
        raise DataError(f"{where}: {label} = {announced:g} but {found} samples found")
    return {"truncated"} if found < announced else set()


def check_finite(values: np.ndarray, where: str) -> np.ndarray:
    """``values`` unchanged, or a :class:`DataError` naming ``where``, the number of NaN/inf
    samples and the first one's index."""
    bad = ~np.isfinite(values)
    if bad.any():
        first = np.unravel_index(int(np.argmax(bad)), values.shape)
        raise DataError(
            f"{where}: {int(bad.sum())} NaN or inf samples (first at index "
            f"{first[-1] if len(first) else 0})"
        )
    return values


def brief(exc: BaseException, limit: int = 120) -> str:
    """``TypeName: first line of the message`` cut to ``limit`` characters, for one-line
    errors that wrap a library's exception (pandas and HDF5 messages span several lines)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text if len(text) <= limit else text[:limit] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
