"""Write SeisBench-format data sets atomically (:class:`WaveformWriter`)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd

from seismoalice.data.seisbench_format.layout import (
    DATA_GROUP,
    EXTRA_PREFIX,
    REQUIRED_FORMAT_KEYS,
    geometric_bucket_id,
    is_dataset_dir,
)
from seismoalice.errors import DataError
from seismoalice.io_utils import write_json


def _publish_dir(staging: Path, target: Path) -> None:
    """Move the finished ``staging`` directory onto ``target`` (replacing an old data set)."""
    if target.exists():
        if not target.is_dir():
            raise DataError(f"{target}: exists and is not a directory")
        if any(target.iterdir()) and not is_dataset_dir(target):
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
