"""Importers: any registered source format → a canonical SeisBench-format data set.

:func:`import_format` streams records from the format's reader
(:data:`seismoalice.data.formats.FORMATS`), checks them (finite samples, at least one recorded
component, minimum length, sampling rate in range, P pick inside the trace), assigns a
reproducible event-grouped ``split`` and writes them with :class:`WaveformWriter`. Every record
that is not written is counted with its reason in the returned :class:`ImportSummary` and in
``import_summary.json`` inside the data set.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from seismoalice.data.components import component_mask
from seismoalice.data.formats import ReadOptions, get_format
from seismoalice.data.records import MAX_DT_S, MIN_DT_S, Record, Skip
from seismoalice.data.seisbench_format import WaveformWriter
from seismoalice.data.summary import ImportSummary

DEFAULT_SPLIT_FRACTIONS = (0.8, 0.1, 0.1)


def split_of(group: str, seed: int, fractions: tuple[float, float, float]) -> str:
    """``train``/``dev``/``test`` for an event id, from a seeded hash (stable across runs and
    streaming-friendly; all traces of one event share a split)."""
    digest = hashlib.blake2b(f"{seed}:{group}".encode(), digest_size=8).digest()
    u = int.from_bytes(digest, "big") / 2**64
    total = sum(fractions)
    if u < fractions[0] / total:
        return "train"
    return "dev" if u < (fractions[0] + fractions[1]) / total else "test"


def check_record(record: Record, min_samples: int) -> str | None:
    """Reason why ``record`` is unusable, or ``None``: wrong shape, non-finite samples, no
    recorded component (all-zero or none named in ``trace_components``), fewer than
    ``min_samples`` samples, sampling rate out of range, P pick outside the trace."""
    waveform = record.waveform
    if waveform.ndim != 2 or waveform.shape[0] != 3:
        return f"waveform shape {waveform.shape}, expected (3, W)"
    bad = ~np.isfinite(waveform)
    if bad.any():
        return f"{int(bad.sum())} NaN or inf samples"
    if waveform.shape[1] < min_samples:
        return f"too short: {waveform.shape[1]} samples < {min_samples}"
    present = component_mask(record.metadata)
    if not present.any() or not np.any(waveform[present]):
        return "no recorded component (all channels zero)"
    rate = float(record.metadata.get("trace_sampling_rate_hz", np.nan))
    if np.isfinite(rate) and not 1.0 / MAX_DT_S <= rate <= 1.0 / MIN_DT_S:
        return f"sampling rate {rate:g} Hz out of range"
    p = record.metadata.get("trace_p_arrival_sample")
    if p is not None and np.isfinite(float(p)) and not 0 <= float(p) < waveform.shape[1]:
        return f"P arrival at sample {float(p):.1f} outside the trace of {waveform.shape[1]}"
    return None


def write_records(
    records: Iterable[Record | Skip],
    out: str | os.PathLike[str],
    data_format: dict[str, Any],
    split_fractions: tuple[float, float, float] | None = DEFAULT_SPLIT_FRACTIONS,
    seed: int = 0,
    min_samples: int = 100,
    bucket_size: int = 1024,
    progress: bool = True,
) -> ImportSummary:
    """Check ``records`` and write the good ones to the data set ``out``.

    A record keeps an existing ``split``; otherwise, with ``split_fractions`` set, it gets
    :func:`split_of` its ``source_id`` (else its name).
    """
    summary = ImportSummary()
    with WaveformWriter(out, data_format, bucket_size=bucket_size) as writer:
        for record in tqdm(records, desc="import", unit="record", disable=not progress):
            if isinstance(record, Skip):
                summary.skip(record.name, record.reason)
                continue
            reason = check_record(record, min_samples)
            if reason is not None:
                summary.skip(record.name, reason)
                continue
            meta = dict(record.metadata)
            meta.setdefault("trace_name", record.name)
            if split_fractions is not None and not isinstance(meta.get("split"), str):
                group = meta.get("source_id")
                group = record.name if group is None or group != group else str(group)
                meta["split"] = split_of(group, seed, split_fractions)
            writer.add_trace(meta, record.waveform)
            summary.n_ok += 1
        writer.write_json("import_summary.json", summary.as_dict())
    return summary


def import_format(
    name: str,
    paths: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    options: ReadOptions | None = None,
    **write_options: Any,
) -> ImportSummary:
    """Import ``paths`` (files, directories, or the one data set / HDF5 file of ``stead`` and
    ``seisbench``) in the registered format ``name`` into the canonical data set ``out``.

    ``options`` are the reader options (:class:`~seismoalice.data.formats.ReadOptions`);
    ``write_options`` go to :func:`write_records` (``seed`` defaults to ``options.seed``).
    """
    fmt = get_format(name)
    options = options or ReadOptions()
    files = [Path(p) for p in paths]
    write_options.setdefault("seed", options.seed)
    return write_records(
        fmt.read(files, options), out, fmt.data_format(files, options), **write_options
    )
