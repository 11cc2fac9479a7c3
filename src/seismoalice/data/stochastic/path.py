"""Path terms of the stochastic method (Boore 2003, section "Path effects")."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def geometric_spreading(r_km: ArrayLike, crossover_km: float = 40.0) -> np.ndarray:
    """Z(R) = 1/R for R ≤ R_x, (1/R_x)(R_x/R)^0.5 beyond (R hypocentral [km], R0 = 1 km).

    Body-wave spreading near the source and surface-wave-like spreading beyond the crossover
    distance R_x (a common simple choice, e.g. Atkinson & Boore 1995 use a trilinear form).
    """
    r = np.asarray(r_km, dtype=float)
    return np.where(r <= crossover_km, 1.0 / r, np.sqrt(crossover_km / r) / crossover_km)


def quality_factor(f: ArrayLike, q0: float, eta: float, q_min: float) -> np.ndarray:
    """Q(f) = max(Q_min, Q0 f^η) (dimensionless); f [Hz]."""
    f = np.asarray(f, dtype=float)
    return np.maximum(q_min, q0 * np.power(f, eta, where=f > 0, out=np.zeros_like(f)))


def anelastic_attenuation(
    f: ArrayLike, r_km: ArrayLike, q: ArrayLike, beta_s_kms: float
) -> np.ndarray:
    """exp(−π f R / (Q(f) βs)) (dimensionless); f [Hz], R [km], βs [km/s]; broadcasts."""
    return np.exp(-np.pi * np.asarray(f) * np.asarray(r_km) / (np.asarray(q) * beta_s_kms))
