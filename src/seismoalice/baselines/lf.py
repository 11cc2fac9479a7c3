"""The ``lf`` baseline: the LF input itself, the lower bound of any broadband method."""

from __future__ import annotations

import numpy as np
import pandas as pd

from seismoalice.baselines.base import check_lf


class LFMethod:
    """Returns the LF records unchanged (float64 copy)."""

    name = "lf"

    def generate(
        self,
        lf: np.ndarray,
        fs: float,
        metadata: pd.DataFrame | None,
        rng: np.random.Generator,
    ) -> np.ndarray:
        return check_lf(lf, metadata).copy()
