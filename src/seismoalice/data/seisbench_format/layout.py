"""The SeisBench layout: constants, trace-name slices (``bucket3$12,:3,:6000``), bucket ids and
chunk discovery, shared by the writer and the reader."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from seismoalice.errors import DataError

REQUIRED_FORMAT_KEYS = ("dimension_order", "component_order")
DATA_GROUP = "data"
EXTRA_PREFIX = "data_"
BOOKKEEPING_COLUMNS = frozenset({"trace_name", "trace_name_original", "trace_chunk"})


def original_name(row: dict[str, Any]) -> str:
    """The name a trace was written with: ``trace_name_original`` when the writer packed it into a
    block (its ``trace_name`` is then ``bucketK$…``), else ``trace_name``."""
    name = row.get("trace_name_original")
    if name is None or pd.isna(name):
        return str(row["trace_name"])
    return str(name)


def user_metadata(row: dict[str, Any]) -> dict[str, Any]:
    """A metadata row without the writer's bookkeeping columns, ready for ``add_trace``."""
    return {k: v for k, v in row.items() if k not in BOOKKEEPING_COLUMNS}


Location = tuple[int | slice, ...]


def geometric_bucket_id(length: int, minbucket: int = 100, factor: float = 1.2) -> int:
    """Length bin of SeisBench's ``GeometricBucketer``: 0 below ``minbucket`` samples, else
    ``int(ln(L / minbucket) / ln(factor)) + 1`` (padding overhead at most ``factor − 1``)."""
    if length < minbucket:
        return 0
    return int(math.log(length / minbucket) / math.log(factor) + 1)


def parse_location(location: str, trace_name: str = "") -> Location:
    """Parse the numpy slice after ``$`` in a trace name, e.g. ``"12,:3,:6000"``.

    Raises:
        DataError: when the text is not a comma-separated list of integers or ``a:b[:c]`` slices.
    """
    parts: list[int | slice] = []
    try:
        for dim in location.replace(" ", "").split(","):
            fields = dim.split(":")
            if len(fields) == 1:
                parts.append(int(fields[0]))
            elif len(fields) <= 3:
                parts.append(slice(*(int(f) if f else None for f in fields)))
            else:
                raise ValueError(dim)
    except ValueError:
        raise DataError(f"trace {trace_name!r}: bad slice syntax {location!r}") from None
    return tuple(parts)


def is_dataset_dir(path: Path) -> bool:
    return any(p.name.startswith("metadata") and p.suffix == ".csv" for p in path.iterdir())


def available_chunks(path: Path) -> list[str]:
    """Chunk names of a SeisBench data set (``[""]`` for an unchunked one).

    Raises:
        DataError: no ``metadata*.csv``/``waveforms*.hdf5`` pair, or a listed chunk is missing.
    """
    if not path.is_dir():
        raise DataError(f"{path}: data set directory not found")
    chunks_file = path / "chunks"
    chunks: list[str] = []
    if chunks_file.is_file():
        chunks = [c.strip() for c in chunks_file.read_text().splitlines() if c.strip()]
    if not chunks:
        if (path / "waveforms.hdf5").is_file() or (path / "metadata.csv").is_file():
            chunks = [""]
        else:
            metas = {p.name[8:-4] for p in path.glob("metadata*.csv")}
            waves = {p.name[9:-5] for p in path.glob("waveforms*.hdf5")}
            chunks = sorted(metas | waves)
    if not chunks:
        raise DataError(
            f"{path}: no metadata.csv / waveforms.hdf5 found (not a SeisBench data set)"
        )
    for chunk in chunks:
        for name in (f"metadata{chunk}.csv", f"waveforms{chunk}.hdf5"):
            if not (path / name).is_file():
                raise DataError(f"{path}: missing file {name}")
    return chunks


def check_bounds(loc: Location, shape: tuple[int, ...], trace_name: str) -> None:
    if len(loc) > len(shape):
        raise DataError(f"trace {trace_name!r}: slice has {len(loc)} dimensions, data {shape}")
    for part, size in zip(loc, shape, strict=False):
        if isinstance(part, int) and not -size <= part < size:
            raise DataError(f"trace {trace_name!r}: index {part} outside block of {size}")
        if isinstance(part, slice) and part.stop is not None and part.stop > size:
            raise DataError(f"trace {trace_name!r}: slice end {part.stop} beyond size {size}")
