"""An in-memory data set with the item layout of ``seismoalice.data.dataset.WaveformWindowDataset``.

The tests train from numpy arrays with it, without a prepared data set on disk.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset

from seismoalice.data.filters import lowpass


class ArrayWaveformDataset(Dataset):
    """Broadband records ``(N, 3, T)`` [any unit] → items like WaveformWindowDataset.

    The LF signal is the zero-phase Butterworth low-pass at ``fc`` [Hz] of the BB record; each
    signal is divided by its peak |x| over components and time. Item:
    ``dict(bb (3, T), lf (3, T), bb_scale (1, 1), lf_scale (1, 1), index)``, float32.
    """

    def __init__(self, bb: np.ndarray, fs: float, fc: float, order: int = 4) -> None:
        bb = np.asarray(bb, dtype=np.float64)
        lf = lowpass(bb, fs, fc, order)
        self.bb_scale = np.abs(bb).max(axis=(1, 2), keepdims=True)
        self.lf_scale = np.abs(lf).max(axis=(1, 2), keepdims=True)
        self.bb = torch.from_numpy((bb / self.bb_scale).astype(np.float32))
        self.lf = torch.from_numpy((lf / self.lf_scale).astype(np.float32))
        self.bb_scale = torch.from_numpy(self.bb_scale.astype(np.float32)).reshape(-1, 1, 1)
        self.lf_scale = torch.from_numpy(self.lf_scale.astype(np.float32)).reshape(-1, 1, 1)

    def __len__(self) -> int:
        return self.bb.shape[0]

    def __getitem__(self, i: int) -> dict:
        return {
            "bb": self.bb[i],
            "lf": self.lf[i],
            "bb_scale": self.bb_scale[i],
            "lf_scale": self.lf_scale[i],
            "index": i,
        }
