"""The documented window rule for records without a P pick, computed independently of the
package's implementation (the metrics library's Husid curve and a moving sum)."""

from __future__ import annotations

import numpy as np
from scipy import signal

from seismoalice.data.preprocessing import PreprocessConfig
from seismoalice.metrics.intensity import husid


def strong_motion_reference(x: np.ndarray, fs: float, nt: int, cfg: PreprocessConfig) -> int:
    """The documented window rule, from the metrics library's Husid curve and a moving sum:
    the earliest start ≥ onset − pre_event_s whose window holds 95 % of the largest window
    energy from there on (clamped to the record)."""
    power = np.sum(signal.detrend(x, axis=-1) ** 2, axis=0)
    onset = int(np.argmax(husid(np.sqrt(power), 1 / fs) >= cfg.onset_energy_fraction))
    last = max(x.shape[1] - nt, 0)
    earliest = min(max(onset - round(cfg.pre_event_s * fs), 0), last)
    window_energy = np.convolve(power, np.ones(nt), mode="valid") if last else [power.sum()]
    candidates = np.asarray(window_energy)[earliest:]
    return earliest + int(np.argmax(candidates >= cfg.window_energy_fraction * candidates.max()))
