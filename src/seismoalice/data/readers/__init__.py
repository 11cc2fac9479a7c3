"""Readers of source formats (STEAD, PEER NGA .AT2, ObsPy-readable files).

Each reader yields, per source record, either a :class:`Record` (a 3-component ``(3, W)``
waveform in ZNE order with SeisBench-named metadata) or a :class:`Skip` naming the record and
why it cannot be used, so that importers count and report every dropped record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Record:
    """One 3-component trace: ``waveform`` ``(3, W)`` in ZNE order, ``metadata`` a CSV row."""

    name: str
    metadata: dict[str, Any]
    waveform: np.ndarray


@dataclass
class Skip:
    """A source record that was not imported, with the reason."""

    name: str
    reason: str


__all__ = ["Record", "Skip"]
