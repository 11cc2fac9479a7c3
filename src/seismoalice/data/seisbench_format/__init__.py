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

from seismoalice.data.seisbench_format.layout import (
    BOOKKEEPING_COLUMNS,
    DATA_GROUP,
    EXTRA_PREFIX,
    REQUIRED_FORMAT_KEYS,
    available_chunks,
    geometric_bucket_id,
    original_name,
    parse_location,
    user_metadata,
)
from seismoalice.data.seisbench_format.reader import WaveformDataset
from seismoalice.data.seisbench_format.writer import WaveformWriter

__all__ = [
    "BOOKKEEPING_COLUMNS",
    "DATA_GROUP",
    "EXTRA_PREFIX",
    "REQUIRED_FORMAT_KEYS",
    "WaveformDataset",
    "WaveformWriter",
    "available_chunks",
    "geometric_bucket_id",
    "original_name",
    "parse_location",
    "user_metadata",
]
