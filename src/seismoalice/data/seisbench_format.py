"""Canonical waveform storage: the SeisBench format (Woollam et al. 2022, SRL 93(3)).

A data set is a directory with ``metadata.csv`` (one row per trace) and ``waveforms.hdf5``
holding the traces under ``data/`` and a ``data_format`` group of scalar datasets
(``dimension_order``, ``component_order``, ``sampling_rate``, ``measurement``, ``unit``,
``instrument_response``). Traces are packed into blocks ``data/bucket<k>`` of shape
``(n, C, W_max)``; a row's ``trace_name`` ``"bucket<k>$<i>,:C,:W"`` is the numpy slice that
strips the padding, and the original name is kept in ``trace_name_original``. Large sets may
be chunked into ``metadata<chunk>.csv`` + ``waveforms<chunk>.hdf5`` (listed in a ``chunks``
file). Extra trace groups (``data_lf/...``) reuse the block names and slices of ``data/``;
SeisBench ignores them.

:class:`WaveformWriter` writes data sets that ``seisbench.data.WaveformDataset`` opens;
:class:`WaveformDataset` reads them and SeisBench's own data sets without needing SeisBench.
"""

from __future__ import annotations

import copy
import math
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd

from seismoalice.errors import DataError
from seismoalice.io_utils import write_json

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


def _is_dataset_dir(path: Path) -> bool:
    return any(p.name.startswith("metadata") and p.suffix == ".csv" for p in path.iterdir())


def _publish_dir(staging: Path, target: Path) -> None:
    """Move the finished ``staging`` directory onto ``target`` (replacing an old data set)."""
    if target.exists():
        if not target.is_dir():
            raise DataError(f"{target}: exists and is not a directory")
        if any(target.iterdir()) and not _is_dataset_dir(target):
            raise DataError(f"{target}: not empty and not a data set; refusing to overwrite it")
        backup = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, backup)
        os.replace(staging, target)
        shutil.rmtree(backup)
    else:
        os.replace(staging, target)


class WaveformWriter:
    """Write a SeisBench-format data set atomically (context manager).

    Args:
        path: data set directory; it appears (or is replaced) only when the ``with`` block
            ends without an exception.
        data_format: must contain ``dimension_order`` (``"CW"``) and ``component_order``; usually
            also ``sampling_rate`` [Hz], ``measurement``, ``unit``, ``instrument_response``.
        bucket_size: traces per block (``data/bucket<k>``, shape ``(n, C, W_max)``); ``0`` writes
            every trace as its own dataset ``data/<trace_name>``.
        dtype: storage dtype of the waveforms.

    Traces are bucketed as SeisBench's ``GeometricBucketer(100, 1.2, splits=True,
    track_channels=True)``: by ``split`` + channel count + geometric length bin.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        data_format: dict[str, Any],
        bucket_size: int = 1024,
        dtype: str = "float32",
    ) -> None:
        missing = [k for k in REQUIRED_FORMAT_KEYS if k not in data_format]
        if missing:
            raise DataError(f"{path}: data_format lacks required keys {missing}")
        if data_format["dimension_order"] != "CW":
            raise DataError(
                f"{path}: the writer stores (C, W) traces; got dimension_order "
                f"{data_format['dimension_order']!r}"
            )
        if bucket_size < 0:
            raise DataError(f"bucket_size must be ≥ 0, got {bucket_size}")
        self.path = Path(path)
        self.data_format = dict(data_format)
        self.bucket_size = bucket_size
        self.dtype = np.dtype(dtype)
        self._n_channels = len(str(data_format["component_order"]))
        self._metadata: list[dict[str, Any]] = []
        self._cache: dict[str, list[tuple[dict[str, Any], np.ndarray, dict[str, np.ndarray]]]]
        self._cache = defaultdict(list)
        self._extra_keys: tuple[str, ...] | None = None
        self._names: set[str] = set()
        self._counter = 0
        self._staging: Path | None = None
        self._h5: h5py.File | None = None

    def __enter__(self) -> WaveformWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._staging = Path(
            tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".partial", dir=self.path.parent)
        )
        self._h5 = h5py.File(self._staging / "waveforms.hdf5", "w")
        self._h5.create_group(DATA_GROUP)
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        assert self._staging is not None and self._h5 is not None
        try:
            if exc_type is None:
                self._finish()
                self._h5.close()
                _publish_dir(self._staging, self.path)
        finally:
            if self._h5.id.valid:
                self._h5.close()
            if self._staging.exists():
                shutil.rmtree(self._staging)

    def add_trace(
        self,
        metadata: dict[str, Any],
        waveform: np.ndarray,
        extra: dict[str, np.ndarray] | None = None,
    ) -> None:
        """Queue one trace.

        Args:
            metadata: row of ``metadata.csv``; ``trace_name`` (optional) becomes
                ``trace_name_original`` when the trace is packed into a block.
            waveform: ``(C, W)`` with ``C = len(component_order)``.
            extra: named arrays of the same shape stored at ``data_<name>/`` with the same block
                and slice (e.g. ``{"lf": lf}``); every trace must give the same names.
        """
        if self._h5 is None:
            raise RuntimeError("use WaveformWriter inside a with-block")
        name = str(metadata.get("trace_name", f"trace{len(self._metadata)}"))
        waveform = np.asarray(waveform)
        if waveform.ndim != 2 or waveform.shape[0] != self._n_channels:
            raise DataError(
                f"trace {name!r}: expected shape (C={self._n_channels}, W), got {waveform.shape}"
            )
        extra = {k: np.asarray(v) for k, v in (extra or {}).items()}
        if self._extra_keys is None:
            self._extra_keys = tuple(sorted(extra))
        if tuple(sorted(extra)) != self._extra_keys:
            raise DataError(
                f"trace {name!r}: extra groups {sorted(extra)} differ from the "
                f"first trace's {list(self._extra_keys)}"
            )
        for key, arr in extra.items():
            if arr.shape != waveform.shape:
                raise DataError(
                    f"trace {name!r}: extra {key!r} has shape {arr.shape}, "
                    f"waveform {waveform.shape}"
                )
        row = dict(metadata)
        self._metadata.append(row)
        if self.bucket_size == 0:
            self._write_single(row, waveform, extra)
            return
        key = (
            f"{row.get('split', '')}({waveform.shape[0]})_{geometric_bucket_id(waveform.shape[1])}"
        )
        self._cache[key].append((row, waveform, extra))
        if len(self._cache[key]) >= self.bucket_size:
            self._write_bucket(self._cache.pop(key))

    def write_json(self, name: str, obj: Any) -> None:
        """Store a JSON side file (e.g. ``preprocessing.json``) inside the data set."""
        if self._staging is None:
            raise RuntimeError("use WaveformWriter inside a with-block")
        write_json(self._staging / name, obj)

    def _create(self, group: str, name: str, data: np.ndarray) -> None:
        assert self._h5 is not None
        self._h5.require_group(group).create_dataset(name, data=data.astype(self.dtype, copy=False))

    def _write_single(
        self, row: dict[str, Any], waveform: np.ndarray, extra: dict[str, np.ndarray]
    ) -> None:
        if "trace_name" in row:
            name = str(row["trace_name"]).replace("$", "_")
        else:
            name = f"bucket{self._counter}"
            self._counter += 1
        if name in self._names:
            raise DataError(f"duplicate trace_name {name!r}")
        self._names.add(name)
        row["trace_name"] = name
        self._create(DATA_GROUP, name, waveform)
        for key, arr in extra.items():
            self._create(EXTRA_PREFIX + key, name, arr)

    def _write_bucket(
        self, items: list[tuple[dict[str, Any], np.ndarray, dict[str, np.ndarray]]]
    ) -> None:
        if len(items) == 1:
            self._write_single(*items[0])
            return
        block = f"bucket{self._counter}"
        self._counter += 1
        shape = (len(items), self._n_channels, max(w.shape[1] for _, w, _ in items))
        packed = {DATA_GROUP: np.zeros(shape, self.dtype)}
        for key in self._extra_keys or ():
            packed[EXTRA_PREFIX + key] = np.zeros(shape, self.dtype)
        for i, (row, waveform, extra) in enumerate(items):
            width = waveform.shape[1]
            packed[DATA_GROUP][i, :, :width] = waveform
            for key, arr in extra.items():
                packed[EXTRA_PREFIX + key][i, :, :width] = arr
            if "trace_name" in row:
                row["trace_name_original"] = row["trace_name"]
            row["trace_name"] = f"{block}${i},:{waveform.shape[0]},:{width}"
        for group, arr in packed.items():
            self._create(group, block, arr)

    def _finish(self) -> None:
        assert self._h5 is not None and self._staging is not None
        for key in list(self._cache):
            self._write_bucket(self._cache.pop(key))
        fmt = self._h5.create_group("data_format")
        for key, value in self.data_format.items():
            fmt.create_dataset(key, data=value)
        pd.DataFrame(self._metadata).to_csv(self._staging / "metadata.csv", index=False)


def _decode(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return tuple(_decode(v) for v in value.tolist())
    return value


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


class WaveformDataset:
    """Read a SeisBench-format data set (single or chunked) lazily.

    Attributes:
        path: data set directory.
        metadata: one row per trace (``trace_chunk`` added for chunked sets).
        data_format: the ``data_format`` group as a dict of Python scalars/strings.

    HDF5 files are opened on first use in each process (re-opened after ``fork``), so one
    instance can be shared with ``torch.utils.data.DataLoader`` workers.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.chunks = available_chunks(self.path)
        frames = []
        for chunk in self.chunks:
            meta_path = self.path / f"metadata{chunk}.csv"
            try:
                frame = pd.read_csv(meta_path, low_memory=False, dtype={"trace_name": str})
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
                raise DataError(f"{meta_path}: unreadable metadata ({exc})") from None
            if "trace_name" not in frame.columns:
                raise DataError(f"{meta_path}: no trace_name column")
            frame["trace_chunk"] = chunk
            frames.append(frame)
        self.metadata: pd.DataFrame = pd.concat(frames, ignore_index=True)
        self._index_rows()
        self.data_format = self._read_data_format()
        order = str(self.data_format["dimension_order"])
        if order not in ("CW", "WC"):
            raise DataError(f"{self.path}: unsupported dimension_order {order!r} (need CW or WC)")
        self._transpose = order == "WC"
        self._n_channels = len(str(self.data_format["component_order"]))
        self._files: dict[str, h5py.File] = {}
        self._datasets: dict[tuple[str, str, str], h5py.Dataset] = {}
        self._pid = os.getpid()

    def _index_rows(self) -> None:
        self._names = self.metadata["trace_name"].astype(str).to_numpy()
        self._chunk_of = self.metadata["trace_chunk"].astype(str).to_numpy()
        self._locations: dict[int, tuple[str, str, Location]] = {}

    def _open(self, chunk: str) -> h5py.File:
        if self._pid != os.getpid():
            self._files, self._datasets = {}, {}
            self._pid = os.getpid()
        handle = self._files.get(chunk)
        if handle is None:
            wave_path = self.path / f"waveforms{chunk}.hdf5"
            try:
                handle = h5py.File(wave_path, "r")
            except OSError as exc:
                raise DataError(f"{wave_path}: cannot open HDF5 file ({exc})") from None
            self._files[chunk] = handle
        return handle

    def _read_data_format(self) -> dict[str, Any]:
        result: dict[str, Any] | None = None
        for chunk in self.chunks:
            wave_path = self.path / f"waveforms{chunk}.hdf5"
            try:
                with h5py.File(wave_path, "r") as f:
                    group = f.get("data_format")
                    fmt = {k: _decode(group[k][()]) for k in group} if group is not None else {}
            except OSError as exc:
                raise DataError(f"{wave_path}: cannot open HDF5 file ({exc})") from None
            missing = [k for k in REQUIRED_FORMAT_KEYS if k not in fmt]
            if missing:
                raise DataError(f"{wave_path}: data_format lacks required keys {missing}")
            if result is not None and fmt != result:
                raise DataError(f"{wave_path}: data_format differs from the first chunk's")
            result = fmt
        assert result is not None
        return result

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_files"], state["_datasets"] = {}, {}
        return state

    def __len__(self) -> int:
        return len(self.metadata)

    @property
    def component_order(self) -> str:
        """Component letters in channel order, e.g. ``"ZNE"``."""
        return str(self.data_format["component_order"])

    @property
    def extra_groups(self) -> list[str]:
        """Names of extra trace groups (``"data_lf"`` → ``"lf"``) in the first chunk."""
        f = self._open(self.chunks[0])
        return sorted(
            k[len(EXTRA_PREFIX) :] for k in f if k.startswith(EXTRA_PREFIX) and k != "data_format"
        )

    def sampling_rate(self, i: int) -> float:
        """Sampling rate [Hz] of trace ``i``: column ``trace_sampling_rate_hz``, else
        ``data_format/sampling_rate``, else ``1 / trace_dt_s``."""
        row = self.metadata.iloc[i]
        value = row.get("trace_sampling_rate_hz", np.nan)
        if pd.isna(value):
            value = self.data_format.get("sampling_rate", np.nan)
        if pd.isna(value) and not pd.isna(row.get("trace_dt_s", np.nan)):
            value = 1.0 / float(row["trace_dt_s"])
        if pd.isna(value) or float(value) <= 0:
            raise DataError(f"{self.path}: no sampling rate for trace {row['trace_name']!r}")
        return float(value)

    def split(self, name: str) -> WaveformDataset:
        """View of the rows whose ``split`` column equals ``name`` (shares the files)."""
        if "split" not in self.metadata.columns:
            raise DataError(f"{self.path}: metadata has no split column")
        view = copy.copy(self)
        view.metadata = self.metadata[self.metadata["split"] == name].reset_index(drop=True)
        view._files, view._datasets = {}, {}
        view._index_rows()
        return view

    def locate(self, i: int) -> tuple[str, str, Location]:
        """(chunk, block name, slice) of trace ``i``; the slice is ``()`` for a whole dataset."""
        cached = self._locations.get(i)
        if cached is None:
            name, chunk = self._names[i], self._chunk_of[i]
            if "$" in name:
                block, location = name.split("$", 1)
                cached = (chunk, block, parse_location(location, name))
            else:
                cached = (chunk, name, ())
            self._locations[i] = cached
        return cached

    def _dataset(self, chunk: str, group: str, block: str, trace_name: str) -> h5py.Dataset:
        f = self._open(chunk)
        key = (chunk, group, block)
        cached = self._datasets.get(key)
        if cached is not None:
            return cached
        try:
            ds = f[group][block]
        except KeyError:
            raise DataError(
                f"{self.path}: trace {trace_name!r} not found in {group}/ of waveforms{chunk}.hdf5"
            ) from None
        if not isinstance(ds, h5py.Dataset):
            raise DataError(f"{self.path}: {group}/{block} is not a dataset")
        self._datasets[key] = ds
        return ds

    def _finish_trace(self, arr: np.ndarray, trace_name: str) -> np.ndarray:
        if arr.ndim != 2:
            raise DataError(f"{self.path}: trace {trace_name!r} has shape {arr.shape}, not 2-D")
        if self._transpose:
            arr = arr.T
        if arr.shape[0] != self._n_channels:
            raise DataError(
                f"{self.path}: trace {trace_name!r} has {arr.shape[0]} channels, "
                f"component_order {self.component_order!r} needs {self._n_channels}"
            )
        arr = np.ascontiguousarray(arr, dtype=np.float32)
        bad = ~np.isfinite(arr)
        if bad.any():
            raise DataError(
                f"{self.path}: trace {trace_name!r} has {int(bad.sum())} NaN/inf samples"
            )
        return arr

    def get_waveforms(self, i: int, group: str = DATA_GROUP) -> np.ndarray:
        """Trace ``i`` as ``(C, W)`` float32 in ``component_order`` (``group="data_lf"`` etc. for
        extra groups)."""
        if not 0 <= i < len(self):
            raise IndexError(f"trace index {i} out of range for {len(self)} traces")
        chunk, block, loc = self.locate(i)
        name = self._names[i]
        ds = self._dataset(chunk, group, block, name)
        _check_bounds(loc, ds.shape, name)
        return self._finish_trace(ds[loc] if loc else ds[()], name)

    def get_waveforms_batch(self, indices: Sequence[int], group: str = DATA_GROUP) -> np.ndarray:
        """Traces ``indices`` as ``(N, C, W_max)`` float32 (zero-padded).

        Reads in (chunk, block, row) order, one contiguous hyperslab per trace (h5py's simple
        slicing; much faster than a fancy multi-row selection), so a shuffled batch touches
        each block sequentially.
        """
        for i in indices:
            if not 0 <= int(i) < len(self):
                raise IndexError(f"trace index {i} out of range for {len(self)} traces")
        located = [self.locate(int(i)) for i in indices]
        order = sorted(
            range(len(indices)),
            key=lambda p: (located[p][0], located[p][1], located[p][2][0] if located[p][2] else 0),
        )
        traces: list[np.ndarray] = [np.empty((0, 0), np.float32)] * len(indices)
        for pos in order:
            traces[pos] = self.get_waveforms(int(indices[pos]), group)
        width = max((t.shape[1] for t in traces), default=0)
        out = np.zeros((len(indices), self._n_channels, width), np.float32)
        for pos, trace in enumerate(traces):
            out[pos, :, : trace.shape[1]] = trace
        return out

    def close(self) -> None:
        """Close the HDF5 files opened by this process."""
        for handle in self._files.values():
            handle.close()
        self._files, self._datasets = {}, {}


def _check_bounds(loc: Location, shape: tuple[int, ...], trace_name: str) -> None:
    if len(loc) > len(shape):
        raise DataError(f"trace {trace_name!r}: slice has {len(loc)} dimensions, data {shape}")
    for part, size in zip(loc, shape, strict=False):
        if isinstance(part, int) and not -size <= part < size:
            raise DataError(f"trace {trace_name!r}: index {part} outside block of {size}")
        if isinstance(part, slice) and part.stop is not None and part.stop > size:
            raise DataError(f"trace {trace_name!r}: slice end {part.stop} beyond size {size}")
