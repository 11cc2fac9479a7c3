"""Share of a record's high-frequency energy that arrives in its P window.

``F = ∫_{t_P}^{t_end} a_HF² dt / ∫_0^{T_d} a_HF² dt``, per component, with ``a_HF`` the record
high-passed at ``highpass_hz`` (zero-phase Butterworth) and ``t_end`` the S arrival, or
``t_P + window_s`` when there is no S pick.  Computed as the difference of the Husid curve
(cumulative trapezoid of ``a_HF²``, Husid 1969; metrics.md §5) at the two times, linearly
interpolated between samples for fractional picks.  Recorded motion carries a clear P wave on
the vertical; a generator that only shapes noise to an S-dominated envelope puts too little of
its high frequencies there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seismoalice.data.filters import highpass
from seismoalice.errors import DataError
from seismoalice.metrics._arrays import (
    as_component_mask,
    as_lengths,
    as_records,
    check_dt,
    length_groups,
)
from seismoalice.metrics.intensity import husid


def _picks(values: Any, n: int, name: str) -> np.ndarray:
    """``(n,)`` float sample positions, NaN where there is no pick."""
    if values is None:
        return np.full(n, np.nan)
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.size == 1:
        arr = np.full(n, arr[0])
    if arr.size != n:
        raise DataError(f"{name}: expected {n} picks (one per record), got {arr.size}")
    return arr


def p_window_energy_fraction(
    acc: Any,
    dt: float,
    p_arrival: Any,
    s_arrival: Any = None,
    highpass_hz: float = 1.0,
    window_s: float = 3.0,
    mask: Any = None,
    lengths: Any = None,
    order: int = 4,
) -> np.ndarray:
    """Fraction of the high-frequency energy between the P pick and the S pick, per component.

    Args:
        acc: records ``(N, C, T)`` or ``(C, T)`` (any unit).
        dt: time step [s].
        p_arrival: P pick of each record ``(N,)`` [samples from the record's first sample,
            fractional allowed]; NaN (or a pick outside the record) gives NaN.
        s_arrival: S pick ``(N,)`` [samples]; NaN or ``None``: the window ends
            ``window_s`` after P.  The window is cut at the record's end.
        highpass_hz: corner [Hz] above which energy counts (e.g. the LF corner ``fc``).
        window_s: P window length [s] for records without an S pick.
        mask: components to use, ``(N, C)`` bool; default: those not all zero (NaN otherwise).
        lengths: samples of each record ``(N,)`` when records of different lengths are stacked
            with trailing zero padding; each is filtered on its own length.
        order: Butterworth order of one pass (the zero-phase filter doubles it).

    Returns:
        Fractions in [0, 1], ``(N, C)`` (``(C,)`` for ``(C, T)`` input); NaN where undefined
        (no P pick, missing component, no energy above ``highpass_hz``).
    """
    arr, single = as_records(acc, "acc")
    dt = check_dt(dt)
    if not window_s > 0:
        raise DataError(f"window_s must be positive, got {window_s}")
    n_rec, _, n_t = arr.shape
    present = as_component_mask(mask, arr)
    size = as_lengths(lengths, (n_rec,), n_t)
    start = _picks(p_arrival, n_rec, "p_arrival")
    end = _picks(s_arrival, n_rec, "s_arrival")
    end = np.where(np.isfinite(end) & (end > start), end, start + window_s / dt)
    fraction = np.full(arr.shape[:2], np.nan)
    for n, rows in length_groups(size):
        hf = highpass(arr[rows, :, :n], 1.0 / dt, highpass_hz, order=order)
        energy = np.sum(hf * hf, axis=-1)
        curve = husid(np.where(energy[..., None] > 0, hf, 1.0), dt)
        grid = np.arange(n)
        for k, i in enumerate(rows):
            if not 0 <= start[i] < n - 1:
                continue
            stop = min(end[i], n - 1)
            for c in np.flatnonzero(present[i] & (energy[k] > 0)):
                fraction[i, c] = np.interp(stop, grid, curve[k, c]) - np.interp(
                    start[i], grid, curve[k, c]
                )
    return fraction[0] if single else fraction
