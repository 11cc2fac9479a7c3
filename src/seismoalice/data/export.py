"""Export one split and one signal group of a prepared data set as its own canonical data set.

A prepared data set keeps the broadband window in ``data/`` and its low-pass version in
``data_lf/``. Exporting the LF group of the test split gives exactly what a physics-based
simulation would hand to SeismoALICE: LF accelerograms with their metadata, in the SeisBench
format, ready for ``seismoalice generate`` or as the "LF only" baseline in ``seismoalice evaluate``.
"""

from __future__ import annotations

import os
from typing import Literal

from tqdm import tqdm

from seismoalice.data.seisbench_format import (
    WaveformDataset,
    WaveformWriter,
    original_name,
    user_metadata,
)
from seismoalice.errors import DataError

GROUPS = {"bb": "data", "lf": "data_lf"}


def export_group(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    group: Literal["bb", "lf"] = "lf",
    split: str | None = None,
    progress: bool = False,
) -> int:
    """Write the ``group`` signals of ``src`` (rows of ``split``, or all) to a new data set.

    Trace names (``trace_name_original`` of the source) and metadata are kept, so the export
    matches the source record by record. Returns the number of traces written.

    Raises:
        DataError: unknown group, a group the data set does not have, or an empty selection.
    """
    if group not in GROUPS:
        raise DataError(f"group must be one of {sorted(GROUPS)}, got {group!r}")
    source = WaveformDataset(src)
    if group != "bb" and group not in source.extra_groups:
        raise DataError(f"{src}: has no {GROUPS[group]}/ group (run `seismoalice data prepare`)")
    selected = source if split is None else source.split(split)
    if len(selected) == 0:
        raise DataError(f"{src}: no trace in split {split!r}")
    with WaveformWriter(dst, dict(selected.data_format)) as writer:
        for i in tqdm(range(len(selected)), desc=f"export {group}", disable=not progress):
            row = selected.metadata.iloc[i].to_dict()
            meta = {**user_metadata(row), "trace_name": original_name(row)}
            writer.add_trace(meta, selected.get_waveforms(i, GROUPS[group]))
    return len(selected)
