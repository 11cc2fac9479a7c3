"""Streaming PyTorch dataset over a prepared data set (:func:`prepare_dataset` output).

Reads BB (``data/``) and LF (``data_lf/``) windows on demand, never the whole file; the HDF5
file is opened lazily in each worker process. ``__getitems__`` (PyTorch's batched fetch, used
by ``DataLoader`` with automatic batching) sorts a batch's indices by block and reads each
block once, which is what makes shuffled loading fast.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from seismoalice.data.preprocessing import normalise
from seismoalice.data.seisbench_format import WaveformDataset
from seismoalice.errors import DataError

LF_GROUP = "data_lf"
PREPROCESSING_KEYS = ("sampling_rate", "nt", "fc")


def read_preprocessing(data: str | os.PathLike[str]) -> dict[str, Any]:
    """The preprocessing config of a prepared data set (its ``preprocessing.json``); DataError
    naming the file if it is missing, not JSON, or lacks sampling_rate, nt or fc."""
    path = Path(data) / "preprocessing.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(
            f"{path}: missing; prepare the data set with `seismoalice data prepare`"
        ) from None
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not valid JSON: {exc}") from None
    cfg = raw.get("config", raw) if isinstance(raw, dict) else raw
    if not isinstance(cfg, dict):
        raise DataError(f"{path}: must hold a JSON object")
    missing = [k for k in PREPROCESSING_KEYS if k not in cfg]
    if missing:
        raise DataError(f"{path}: lacks {missing}")
    return cfg


class WaveformWindowDataset(Dataset):
    """Prepared BB/LF windows as normalised tensors.

    Args:
        path: prepared data set (BB in ``data/``, LF in ``data_lf/``).
        split: keep only rows with this ``split`` value.

    Items are dicts ``bb``/``lf`` (float32 ``(C, nt)``, each divided by its own peak |x| over
    all components), ``bb_scale``/``lf_scale`` (float32 ``(1, 1)``, so ``bb * bb_scale`` is the
    physical signal) and ``index`` (row in this dataset). ``default_collate`` stacks them into
    ``(B, C, nt)``, ``(B, 1, 1)`` and ``(B,)``.
    """

    def __init__(self, path: str | os.PathLike[str], split: str | None = None) -> None:
        full = WaveformDataset(path)
        self.waveforms = full if split is None else full.split(split)
        if LF_GROUP[len("data_") :] not in full.extra_groups:
            raise DataError(f"{path}: no {LF_GROUP}/ group (run `seismoalice data prepare`)")
        full.close()
        self.metadata = self.waveforms.metadata
        self.sampling_rate = float(self.waveforms.data_format.get("sampling_rate", np.nan))

    def __len__(self) -> int:
        return len(self.waveforms)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self.__getitems__([i])[0]

    def __getitems__(self, indices: Sequence[int]) -> list[dict[str, Any]]:
        """Items for ``indices`` (any order), read block by block."""
        n = len(self)
        indices = [int(i) + n if int(i) < 0 else int(i) for i in indices]
        for i in indices:
            if not 0 <= i < n:
                raise IndexError(f"index {i} out of range for {n} traces")
        bb, bb_scale = normalise(self.waveforms.get_waveforms_batch(indices))
        lf, lf_scale = normalise(self.waveforms.get_waveforms_batch(indices, LF_GROUP))
        bb, bb_scale, lf, lf_scale = map(torch.from_numpy, (bb, bb_scale, lf, lf_scale))
        return [
            {"bb": bb[k], "lf": lf[k], "bb_scale": bb_scale[k], "lf_scale": lf_scale[k], "index": i}
            for k, i in enumerate(indices)
        ]
