"""Brune (1970, 1971) ω² point source as used by the stochastic method (Boore 2003, eqs. 3–5).

Units follow SMSIM: seismic moment in dyne·cm, stress drop in bar, shear-wave velocity in km/s,
density in g/cm³; the displacement source spectrum is in cm·s at the reference distance
R0 = 1 km.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

REFERENCE_DISTANCE_CM = 1.0e5  # R0 = 1 km


def seismic_moment(mw: ArrayLike) -> np.ndarray:
    """Seismic moment M0 = 10^(1.5 Mw + 16.05) [dyne·cm] (Hanks & Kanamori 1979)."""
    return 10.0 ** (1.5 * np.asarray(mw, dtype=float) + 16.05)


def corner_frequency(mw: ArrayLike, stress_drop_bar: ArrayLike, beta_s_kms: float) -> np.ndarray:
    """Brune corner frequency f0 = 4.906·10⁶ βs (Δσ / M0)^(1/3) [Hz] (Boore 2003, eq. 4).

    Args:
        mw: moment magnitude.
        stress_drop_bar: stress drop Δσ [bar].
        beta_s_kms: shear-wave velocity near the source [km/s].
    """
    ratio = np.asarray(stress_drop_bar, dtype=float) / seismic_moment(mw)
    return 4.906e6 * beta_s_kms * np.cbrt(ratio)


def source_constant(
    beta_s_kms: float,
    rho_s_gcc: float,
    radiation: float,
    partition: float,
    free_surface: float,
) -> float:
    """C = R_θφ V F / (4π ρs βs³ R0) in cgs units [s³/(g·cm)] (Boore 2003, eq. 3).

    Multiplied by M0 [dyne·cm] it gives the displacement spectral level [cm·s] at R0 = 1 km.
    """
    beta_cms = beta_s_kms * 1.0e5
    return (
        radiation
        * partition
        * free_surface
        / (4.0 * np.pi * rho_s_gcc * beta_cms**3 * REFERENCE_DISTANCE_CM)
    )


def brune_shape(f: ArrayLike, f0: ArrayLike) -> np.ndarray:
    """ω² source shape S(f) = 1 / (1 + (f/f0)²) (dimensionless; broadcasts ``f`` with ``f0``)."""
    return 1.0 / (1.0 + (np.asarray(f, dtype=float) / np.asarray(f0, dtype=float)) ** 2)
