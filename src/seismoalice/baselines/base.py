"""The common interface of broadband methods: LF accelerograms in, broadband ones out.

Every method maps LF records ``(N, 3, T)`` [m/s², ZNE] sampled at ``fs`` [Hz] to broadband records
of the same shape and unit, optionally using per-record metadata (SeisBench columns).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from seismoalice.data.signal import resample
from seismoalice.errors import DataError
from seismoalice.generation import BroadbandGenerator


@runtime_checkable
class BroadbandMethod(Protocol):
    """A broadband method: ``name`` and ``generate``."""

    name: str

    def generate(
        self,
        lf: np.ndarray,
        fs: float,
        metadata: pd.DataFrame | None,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Broadband records ``(N, 3, T)`` [m/s²] from LF records ``(N, 3, T)`` [m/s²] at ``fs``."""
        ...


def check_lf(lf: np.ndarray, metadata: pd.DataFrame | None = None) -> np.ndarray:
    """``lf`` as float64 ``(N, 3, T)``; DataError for another shape, NaN/inf or metadata rows
    that do not match the records."""
    arr = np.asarray(lf, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[1] != 3:
        raise DataError(f"expected LF records of shape (N, 3, T) (ZNE), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise DataError("LF records contain NaN or inf values")
    if metadata is not None and len(metadata) != len(arr):
        raise DataError(f"{len(metadata)} metadata rows for {len(arr)} LF records")
    return arr


class AliceMethod:
    """The ALICE hybrid generator (:class:`seismoalice.generation.BroadbandGenerator`) as a
    :class:`BroadbandMethod`: one realisation per record, resampled back to ``fs``."""

    def __init__(
        self, generator: BroadbandGenerator, name: str = "hb", merge_lf: bool = False
    ) -> None:
        self.generator = generator
        self.name = name
        self.merge_lf = merge_lf

    @classmethod
    def from_checkpoint(cls, path: str, name: str = "hb") -> AliceMethod:
        """Load the generator from a checkpoint directory (see ``BroadbandGenerator``)."""
        return cls(BroadbandGenerator.from_checkpoint(path), name)

    def generate(
        self,
        lf: np.ndarray,
        fs: float,
        metadata: pd.DataFrame | None,
        rng: np.random.Generator,
    ) -> np.ndarray:
        arr = check_lf(lf, metadata)
        out = self.generator.generate(
            arr,
            fs,
            realizations=1,
            merge_lf=self.merge_lf,
            seed=int(rng.integers(2**31)),
            lowpass_input=False,
        )[0]
        out = resample(out, self.generator.sampling_rate, fs)
        fixed = np.zeros_like(arr)
        n = min(out.shape[-1], arr.shape[-1])
        fixed[..., :n] = out[..., :n]
        return fixed
