"""How the canonical data set represents records with missing components.

Real databases hold three-component records, horizontal pairs (most PEER AT2 sets) and single
components. The canonical data set keeps one layout for all of them:

* every waveform is ``(3, W)`` in **ZNE** order (``data_format/component_order = "ZNE"``);
* a missing component is a row of **zeros**;
* the metadata column ``trace_components`` names the components present, in ZNE order:
  ``"ZNE"`` (complete), ``"NE"`` (horizontal pair), ``"N"``, ``"Z"``, … A data set without the
  column (synthetic data, STEAD, older sets) has every component.

Zero rows are not data: training, generation and evaluation use :func:`component_mask` to leave
them out of losses and scores instead of learning or scoring silence. A horizontal pair goes to
N and E by azimuth (the one closer to N–S is N), without rotation (see the readers).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

COMPONENTS = "ZNE"
COMPONENTS_COLUMN = "trace_components"


def components_string(present: str) -> str:
    """The letters of ``present`` that are components, in ZNE order (``"EN"`` → ``"NE"``)."""
    letters = set(str(present).upper())
    return "".join(c for c in COMPONENTS if c in letters)


def _mask_of(value: Any) -> np.ndarray:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.ones(len(COMPONENTS), dtype=bool)
    letters = set(str(value).upper())
    return np.array([c in letters for c in COMPONENTS])


def component_mask(metadata: pd.DataFrame | Mapping[str, Any] | str) -> np.ndarray:
    """Boolean mask of the components present, ``True`` = recorded.

    Args:
        metadata: a metadata table (one row per record), one row (dict or ``pd.Series``) or a
            ``trace_components`` value.

    Returns:
        ``(N, 3)`` for a table, ``(3,)`` otherwise, in ZNE order; all ``True`` where the column
        is absent or empty. Multiply a batch ``(N, 3, T)`` by ``mask[..., None]`` to zero
        what is not data, or use it to weight per-component losses and scores.
    """
    if isinstance(metadata, pd.DataFrame):
        if COMPONENTS_COLUMN not in metadata.columns:
            return np.ones((len(metadata), len(COMPONENTS)), dtype=bool)
        rows = [_mask_of(v) for v in metadata[COMPONENTS_COLUMN].tolist()]
        return np.stack(rows) if rows else np.ones((0, len(COMPONENTS)), dtype=bool)
    if isinstance(metadata, str):
        return _mask_of(metadata)
    return _mask_of(metadata.get(COMPONENTS_COLUMN))
