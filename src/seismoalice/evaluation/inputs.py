"""Read the records to evaluate: a SeisBench-format data set, ObsPy-readable files, or a .npy array.

Every input becomes a :class:`Records`: named three-component ZNE accelerograms in m/s² on one
sampling interval, shape ``(N, 3, T)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seismoalice.errors import ConfigError, DataError

COMPONENTS = "ZNE"


@dataclass(frozen=True)
class Records:
    """Named accelerograms on a common time step.

    Attributes:
        names: one name per record (SeisBench ``trace_name_original`` or ``trace_name``, the
            ObsPy ``NET.STA.LOC.CH`` id without the component letter, or ``record_<i>``).
        data: accelerations [m/s²], shape ``(N, 3, T)`` in ZNE order, float32 to keep thousands
            of records in memory; shorter records are padded with trailing zeros.
        dt: sampling interval [s].
        path: the file or directory read.
        skipped: records that could not be read, ``{"name", "reason"}``.
    """

    names: list[str]
    data: np.ndarray
    dt: float
    path: str
    skipped: list[dict[str, str]] = field(default_factory=list)


def read_records(path: str | Path, dt: float | None = None, split: str | None = None) -> Records:
    """Read records from ``path``.

    Args:
        path: a SeisBench-format data set (directory with ``metadata*.csv`` and
            ``waveforms*.hdf5``), a ``.npy`` array ``(N, 3, T)`` in ZNE order, or ObsPy-readable
            files of a registered waveform format (a file, or a directory searched
            recursively: strong-motion text files by their names, other files with ObsPy's
            allow-listed formats grouped by ``NET.STA.LOC.CH``;
            :func:`~seismoalice.data.formats.read_waveform_files`).
        dt: sampling interval [s]; required for ``.npy``, ignored otherwise.
        split: keep only this split of a SeisBench data set that has a ``split`` column.

    Raises:
        DataError: unreadable input, wrong shape, no record, or mixed sampling rates.
        ConfigError: ``.npy`` without ``dt``.
    """
    from seismoalice.data.formats import read_waveform_files
    from seismoalice.data.records import Record

    p = Path(path)
    skipped: list[dict[str, str]] = []
    if p.suffix == ".npy":
        if dt is None or not dt > 0:
            raise ConfigError(f"{p}: a .npy input needs a positive sampling interval (--dt)")
        try:
            array = np.load(p, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise DataError(f"{p}: cannot read the .npy array ({exc})") from None
        if array.ndim != 3 or array.shape[1] != len(COMPONENTS):
            raise DataError(f"{p}: expected an array (N, 3, T) in ZNE order, got {array.shape}")
        names, traces = [f"record_{i:05d}" for i in range(len(array))], array
        steps = [dt] * len(array)
    elif p.is_dir() and any(p.glob("metadata*.csv")):
        names, traces, steps = _read_seisbench(p, split)
    else:
        names, traces, steps = [], [], []
        for item in read_waveform_files([p], required=COMPONENTS):
            if isinstance(item, Record):
                names.append(item.name)
                traces.append(item.waveform)
                steps.append(1.0 / item.metadata["trace_sampling_rate_hz"])
            else:
                skipped.append({"name": item.name, "reason": item.reason})
    if not len(traces):
        where = f" in split {split!r}" if split else ""
        raise DataError(f"{p}: no readable records{where} (skipped: {skipped[:5] or 'none'})")
    if not np.allclose(steps, steps[0], rtol=1e-6):
        odd = next(n for n, s in zip(names, steps, strict=True) if not np.isclose(s, steps[0]))
        raise DataError(f"{p}: record {odd} has Δt ≠ {steps[0]} s; resample to one rate first")
    return Records(names, _stack(traces), float(steps[0]), str(p), skipped)


def _stack(traces: list[np.ndarray] | np.ndarray) -> np.ndarray:
    """Stack ``(3, T_i)`` traces into ``(N, 3, max T_i)`` float32, padding with trailing zeros."""
    if isinstance(traces, np.ndarray):
        return traces.astype(np.float32, copy=False)
    out = np.zeros((len(traces), len(COMPONENTS), max(t.shape[-1] for t in traces)), np.float32)
    for i, trace in enumerate(traces):
        out[i, :, : trace.shape[-1]] = trace
    return out


def _read_seisbench(path: Path, split: str | None) -> tuple[list[str], np.ndarray, list]:
    from seismoalice.data.seisbench_format import WaveformDataset
    from seismoalice.data.signal import zne_channels

    dataset = WaveformDataset(path)
    if split is not None and "split" in dataset.metadata.columns:
        dataset = dataset.split(split)
    order = zne_channels(dataset.component_order, str(path))
    meta = dataset.metadata
    names = meta["trace_name"].astype(str)
    if "trace_name_original" in meta.columns:
        original = meta["trace_name_original"]
        names = original.where(original.notna(), names).astype(str)
    steps = [1.0 / dataset.sampling_rate(i) for i in range(len(dataset))]
    return names.tolist(), dataset.get_waveforms_batch(range(len(dataset)))[:, order], steps
