"""SeisBench-format data sets (single or chunked) as records, reordered to ZNE."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from seismoalice.data.records import Record, Skip
from seismoalice.data.seisbench_format import WaveformDataset
from seismoalice.data.signal import zne_channels
from seismoalice.errors import DataError


def seisbench_data_format(dataset: WaveformDataset) -> dict[str, Any]:
    """The source's ``data_format`` with ``component_order`` ZNE."""
    return dict(dataset.data_format, component_order="ZNE")


def read_seisbench_records(dataset: WaveformDataset) -> Iterator[Record | Skip]:
    """Every trace of ``dataset`` as a ZNE record (the original trace name, the metadata row
    without the writer's bookkeeping columns, the sampling rate filled in)."""
    channels = zne_channels(dataset.component_order, str(dataset.path))
    for i in range(len(dataset)):
        row = dataset.metadata.iloc[i].to_dict()
        original = row.pop("trace_name_original", None)
        name = str(original) if isinstance(original, str) else str(row["trace_name"])
        row.pop("trace_chunk", None)
        row["trace_name"] = name
        try:
            waveform = dataset.get_waveforms(i)[channels]
            row.setdefault("trace_sampling_rate_hz", dataset.sampling_rate(i))
        except DataError as exc:
            yield Skip(name, str(exc))
            continue
        yield Record(name, row, waveform)
