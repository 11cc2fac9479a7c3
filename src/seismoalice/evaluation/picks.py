"""P and S picks of the records of an evaluation, from SeisBench-format metadata.

The P-window energy share needs ``trace_p_arrival_sample`` (and, where present,
``trace_s_arrival_sample``) [samples from the trace start, at the data set's sampling rate].
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

PICK_COLUMNS = ("trace_p_arrival_sample", "trace_s_arrival_sample")


def read_picks(
    path: str | Path, names: Sequence[str], split: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """P and S picks (N,) [samples] of the records ``names`` of a SeisBench-format data set.

    Records are matched by their original trace names (as the evaluation reads them); a
    missing column, record or value gives NaN, as does any input that is not a SeisBench-format
    data set (files read through ObsPy, ``.npy`` arrays).
    """
    from seismoalice.data.seisbench_format import WaveformDataset, original_name

    p = Path(path)
    picks = np.full((2, len(names)), np.nan)
    if not (p.is_dir() and any(p.glob("metadata*.csv"))):
        return picks[0], picks[1]
    dataset = WaveformDataset(p)
    if split is not None and "split" in dataset.metadata.columns:
        dataset = dataset.split(split)
    position = {name: i for i, name in enumerate(names)}
    for row in dataset.metadata.to_dict("records"):
        i = position.get(original_name(row))
        if i is None:
            continue
        for k, column in enumerate(PICK_COLUMNS):
            value = row.get(column)
            if value is not None and np.isfinite(float(value)):
                picks[k, i] = float(value)
    return picks[0], picks[1]
