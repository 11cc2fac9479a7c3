"""Read SeisBench-format data sets, single or chunked, lazily (:class:`WaveformDataset`).

Every failure of the files (unreadable CSV, corrupt or truncated HDF5, missing trace, NaN
samples) is a one-line :class:`~seismoalice.errors.DataError` naming the data set and trace.
Traces that are HDF5 external links or virtual datasets are refused: a data set must not make
the reader open other files of the machine.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd

from seismoalice.data.records import brief
from seismoalice.data.seisbench_format.layout import (
    DATA_GROUP,
    EXTRA_PREFIX,
    REQUIRED_FORMAT_KEYS,
    Location,
    available_chunks,
    check_bounds,
    parse_location,
)
from seismoalice.errors import DataError

HDF5_ERRORS = (OSError, RuntimeError, KeyError, ValueError, TypeError, UnicodeDecodeError)
"""What h5py raises on corrupt or truncated files (it has no single error class)."""


def _decode(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return tuple(_decode(v) for v in value.tolist())
    return value


class WaveformDataset:
    """Read a SeisBench-format data set (single or chunked) lazily.

    Attributes:
        path: data set directory.
        metadata: one row per trace (``trace_chunk`` added for chunked sets).
        data_format: the ``data_format`` group as a dict of Python scalars/strings.

    HDF5 files are opened on first use in each process (re-opened after ``fork``), so one
    instance can be shared with ``torch.utils.data.DataLoader`` workers. With
    ``require_finite`` a trace holding NaN/inf samples is a :class:`DataError` naming the data
    set, the trace and the count (otherwise callers that score records count them themselves).
    """

    def __init__(self, path: str | os.PathLike[str], require_finite: bool = False) -> None:
        self.path = Path(path)
        self.require_finite = require_finite
        self.chunks = available_chunks(self.path)
        frames = []
        for chunk in self.chunks:
            meta_path = self.path / f"metadata{chunk}.csv"
            try:
                frame = pd.read_csv(meta_path, low_memory=False, dtype={"trace_name": str})
            except (
                OSError,
                ValueError,
                pd.errors.EmptyDataError,
            ) as exc:  # ParserError ⊂ ValueError
                raise DataError(f"{meta_path}: unreadable metadata ({brief(exc)})") from None
            if "trace_name" not in frame.columns:
                raise DataError(f"{meta_path}: no trace_name column")
            empty = frame["trace_name"].isna().to_numpy()
            if empty.any():
                raise DataError(f"{meta_path}: row {int(empty.argmax()) + 1} has no trace_name")
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
            except HDF5_ERRORS as exc:
                raise DataError(f"{wave_path}: cannot open HDF5 file ({brief(exc)})") from None
            self._files[chunk] = handle
        return handle

    def _read_data_format(self) -> dict[str, Any]:
        result: dict[str, Any] | None = None
        for chunk in self.chunks:
            wave_path = self.path / f"waveforms{chunk}.hdf5"
            try:
                with h5py.File(wave_path, "r") as f:
                    group = f.get("data_format")
                    if group is not None and not isinstance(group, h5py.Group):
                        raise DataError(f"{wave_path}: data_format is not an HDF5 group")
                    fmt = {k: _decode(group[k][()]) for k in group} if group is not None else {}
            except HDF5_ERRORS as exc:
                raise DataError(f"{wave_path}: cannot open HDF5 file ({brief(exc)})") from None
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
        try:
            keys = list(f)
        except HDF5_ERRORS as exc:
            raise DataError(f"{self.path}: cannot list HDF5 groups ({brief(exc)})") from None
        return sorted(
            k[len(EXTRA_PREFIX) :]
            for k in keys
            if k.startswith(EXTRA_PREFIX) and k != "data_format"
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
        except HDF5_ERRORS as exc:
            raise DataError(
                f"{self.path}: trace {trace_name!r}: cannot open {group}/{block} ({brief(exc)})"
            ) from None
        if not isinstance(ds, h5py.Dataset):
            raise DataError(f"{self.path}: {group}/{block} is not a dataset")
        if ds.file.filename != f.filename or ds.is_virtual:
            raise DataError(
                f"{self.path}: {group}/{block} points into another file (HDF5 external link or "
                "virtual dataset); refusing to follow it"
            )
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
        try:
            arr = np.ascontiguousarray(arr, dtype=np.float32)
        except (TypeError, ValueError):
            raise DataError(f"{self.path}: trace {trace_name!r} is not numeric") from None
        bad = ~np.isfinite(arr) if self.require_finite else None
        if bad is not None and bad.any():
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
        check_bounds(loc, ds.shape, name)
        try:
            arr = np.asarray(ds[loc] if loc else ds[()])
        except HDF5_ERRORS as exc:
            raise DataError(f"{self.path}: trace {name!r}: cannot read ({brief(exc)})") from None
        return self._finish_trace(arr, name)

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
