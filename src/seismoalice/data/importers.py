"""Importers: source formats → canonical SeisBench-format data sets.

Every importer streams records from a reader (:mod:`seismoalice.data.readers`), checks them
(finite samples, minimum length, P pick inside the trace), assigns a reproducible
event-grouped ``split`` and writes them with :class:`WaveformWriter`. Every record that is not
written is counted with its reason in the returned :class:`ImportSummary`.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seismoalice.data.readers import Record, Skip
from seismoalice.data.seisbench_format import WaveformDataset, WaveformWriter
from seismoalice.errors import DataError

DEFAULT_SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
AT2_DATA_FORMAT = {
    "dimension_order": "CW",
    "component_order": "ZNE",
    "measurement": "acceleration",
    "unit": "mps2",
    "instrument_response": "restituted",
}


@dataclass
class ImportSummary:
    """Outcome of an import or preparation: records written and records skipped (with why)."""

    n_ok: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, name: str, reason: str) -> None:
        """Record that ``name`` was not written because of ``reason``."""
        self.skipped.append((name, reason))

    def report(self, max_lines: int = 20) -> str:
        """Human-readable summary: counts, then up to ``max_lines`` skipped records."""
        lines = [f"{self.n_ok} records written, {len(self.skipped)} skipped"]
        lines += [f"  skipped {name}: {reason}" for name, reason in self.skipped[:max_lines]]
        if len(self.skipped) > max_lines:
            lines.append(f"  ... and {len(self.skipped) - max_lines} more")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``n_ok``, ``n_skipped``, ``skipped``)."""
        return {
            "n_ok": self.n_ok,
            "n_skipped": len(self.skipped),
            "skipped": [{"record": n, "reason": r} for n, r in self.skipped],
        }

    def reasons(self) -> Counter[str]:
        """Skip counts by reason text."""
        return Counter(reason for _, reason in self.skipped)


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
    """Reason why ``record`` is unusable, or ``None``: non-finite samples, fewer than
    ``min_samples`` samples, P pick outside the trace."""
    waveform = record.waveform
    if waveform.ndim != 2 or waveform.shape[0] != 3:
        return f"waveform shape {waveform.shape}, expected (3, W)"
    if not np.all(np.isfinite(waveform)):
        return "NaN or inf samples"
    if waveform.shape[1] < min_samples:
        return f"too short: {waveform.shape[1]} samples < {min_samples}"
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
    from tqdm import tqdm

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


def import_stead(
    hdf5: str | os.PathLike[str],
    out: str | os.PathLike[str],
    csv: str | os.PathLike[str] | None = None,
    trace_category: str | None = "earthquake_local",
    min_magnitude: float | None = None,
    max_distance_km: float | None = None,
    n: int | None = None,
    seed: int = 0,
    **write_options: Any,
) -> ImportSummary:
    """STEAD ``merged.hdf5`` (+ ``merged.csv``, default: same stem) → canonical data set.

    Selection and seeded sampling as :func:`seismoalice.data.readers.stead.select_stead`.
    """
    from pathlib import Path

    from seismoalice.data.readers.stead import STEAD_DATA_FORMAT, read_stead, select_stead

    csv = Path(hdf5).with_suffix(".csv") if csv is None else csv
    selection = select_stead(csv, trace_category, min_magnitude, max_distance_km, n, seed)
    return write_records(
        read_stead(hdf5, selection), out, STEAD_DATA_FORMAT, seed=seed, **write_options
    )


def import_at2(
    paths: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    metadata_csv: str | os.PathLike[str] | None = None,
    **write_options: Any,
) -> ImportSummary:
    """PEER ``.AT2`` files/directories → canonical data set of ZNE records [m/s²] (assembly
    rule in :mod:`seismoalice.data.readers.at2`); per-file metadata from ``metadata_csv``.

    Records of one data set must share a sampling rate for SeisBench's ``data_format``; mixed
    rates are stored per trace in ``trace_sampling_rate_hz`` (``data_format`` then has none).
    """
    from seismoalice.data.readers.at2 import load_record_table, read_at2_records

    table = load_record_table(metadata_csv) if metadata_csv is not None else None
    return write_records(read_at2_records(paths, table), out, AT2_DATA_FORMAT, **write_options)


def import_obspy(
    paths: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    units: str = "counts",
    sampling_rate: float | None = None,
    **write_options: Any,
) -> ImportSummary:
    """ObsPy-readable files → canonical data set (grouping in
    :mod:`seismoalice.data.readers.obspy_files`); ``units`` names the files' units."""
    from seismoalice.data.readers.obspy_files import data_format_for_units, read_obspy_records

    data_format = data_format_for_units(units, sampling_rate)
    return write_records(
        read_obspy_records(paths, sampling_rate), out, data_format, **write_options
    )


def import_seisbench(
    src: str | os.PathLike[str], out: str | os.PathLike[str], **write_options: Any
) -> ImportSummary:
    """Copy a SeisBench data set (chunked or not) into one canonical data set, checking every
    trace; traces are reordered to ZNE."""
    source = WaveformDataset(src)
    order = source.component_order
    if sorted(order) != sorted("ZNE"):
        raise DataError(f"{src}: component_order {order!r} is not a permutation of ZNE")
    channels = [order.index(c) for c in "ZNE"]
    data_format = dict(source.data_format, component_order="ZNE")

    def records() -> Iterable[Record | Skip]:
        for i in range(len(source)):
            row = source.metadata.iloc[i].to_dict()
            original = row.pop("trace_name_original", None)
            name = str(original) if isinstance(original, str) else str(row["trace_name"])
            row.pop("trace_chunk", None)
            row["trace_name"] = name
            try:
                waveform = source.get_waveforms(i)[channels]
                row.setdefault("trace_sampling_rate_hz", source.sampling_rate(i))
            except DataError as exc:
                yield Skip(name, str(exc))
                continue
            yield Record(name, row, waveform)

    return write_records(records(), out, data_format, **write_options)
