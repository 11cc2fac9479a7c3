"""Spectral matching by iterative Fourier-amplitude scaling with the phase unchanged.

ANN2BB (Paolucci et al. 2018, BSSA 108(3A); code ``spectral_matching.m``, see
``/work/shared/reference/ann2bb.md`` §5): the record is low-passed at 40 Hz (zero-phase,
2nd order), zero-padded to the next power of two and Fourier transformed; at each iteration the
response spectrum PSA_k (5%) is computed at the target periods T_k (T = 0 → PGA), the ratio
R_k = PSA_k / S_k is placed at the nodes f = 1/T_k, with R(0) = 1 and the PGA ratio at Nyquist,
interpolated linearly in f (and set to the PGA ratio above 40 Hz), and every Fourier coefficient
is divided by the real positive R(f), which keeps its phase.

Simplification (documented): the drift correction of the original code (step 5, a per-bin
rescaling that keeps the end-of-record displacement near zero) is left out; the matched record's
PSA is what the method promises, and the metrics integrate with their own baseline correction.
"""

from __future__ import annotations

import numpy as np
import scipy.fft

from seismoalice.data.filters import lowpass
from seismoalice.errors import DataError
from seismoalice.metrics.psa import response_spectrum

PRE_FILTER_HZ = 40.0
DAMPING = 0.05


def ratio_curve(
    ratios: np.ndarray, periods: np.ndarray, f: np.ndarray, nyquist: float
) -> np.ndarray:
    """Scaling ratio R(f) ``(R, F)`` from node ratios ``(R, K)`` at ``periods`` ``(K,)`` [s].

    Nodes at f = 1/T_k (T_k > 0), R(0) = 1, R(Nyquist) and R(f > 40 Hz) = ratio at T = 0 (PGA).
    """
    positive = periods > 0
    if not (~positive).any():
        raise DataError("spectral matching needs the PGA (period 0) among the target periods")
    pga = ratios[:, np.argmax(~positive)]
    node_f = np.concatenate([[0.0], 1.0 / periods[positive], [nyquist]])
    order = np.argsort(node_f)
    out = np.empty((len(ratios), f.size))
    for i, row in enumerate(ratios):
        values = np.concatenate([[1.0], row[positive], [pga[i]]])
        out[i] = np.interp(f, node_f[order], values[order])
    out[:, f > PRE_FILTER_HZ] = pga[:, None]
    return out


def spectral_match(
    acc: np.ndarray,
    dt: float,
    periods: np.ndarray,
    target: np.ndarray,
    iterations: int = 5,
) -> np.ndarray:
    """Match the 5%-damped PSA of ``acc`` to ``target`` by Fourier-amplitude scaling.

    Args:
        acc: accelerations ``(..., T)`` [any unit].
        dt: time step [s].
        periods: target periods ``(K,)`` [s], one of them 0 (PGA).
        target: target PSA ``(..., K)``, same unit as ``acc``, positive.
        iterations: number of scaling iterations (5 in ANN2BB).

    Returns:
        Matched accelerations ``(..., T)`` float64 (the first T samples of the padded result).
    """
    arr = np.asarray(acc, dtype=np.float64)
    periods = np.asarray(periods, dtype=float)
    target = np.asarray(target, dtype=float)
    if target.shape != (*arr.shape[:-1], periods.size) or not (target > 0).all():
        raise DataError(
            f"target spectrum {target.shape} must be positive with shape "
            f"{(*arr.shape[:-1], periods.size)}"
        )
    lead, nt = arr.shape[:-1], arr.shape[-1]
    flat = arr.reshape(-1, nt)
    flat_target = target.reshape(-1, periods.size)
    nyquist = 0.5 / dt
    if nyquist > PRE_FILTER_HZ:
        flat = lowpass(flat, 1.0 / dt, PRE_FILTER_HZ, order=2)
    nfft = 1 << int(np.ceil(np.log2(nt + 1)))
    spectrum = scipy.fft.rfft(flat, nfft, axis=-1)
    f = scipy.fft.rfftfreq(nfft, dt)
    for _ in range(iterations):
        psa = response_spectrum(flat, dt, periods, DAMPING)
        spectrum = spectrum / ratio_curve(psa / flat_target, periods, f, nyquist)
        flat = scipy.fft.irfft(spectrum, nfft, axis=-1)[:, :nt]
    return flat.reshape(*lead, nt)
