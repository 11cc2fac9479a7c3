"""Site terms of the stochastic method: generic amplification by Vs30 and the κ0 filter.

Amplification (engineering choice): the quarter-wavelength approximation (Joyner et al. 1981;
Boore 2003, eq. 18) on a power-law velocity profile scaled to the site's Vs30,

    β(z) = v1 (z / 30 m)^p  down to the depth where it reaches the crustal βs, βs below,

with v1 = Vs30 / (1 − p) so that the travel-time average of β over the top 30 m is exactly
Vs30. The travel time t(z) is analytic, so for each frequency the quarter-wavelength depth z_f
(t(z_f) = 1/(4f)) and the average velocity β̄(f) = z_f / t(z_f) are closed-form, and

    A(f) = sqrt(βs / β̄(f))      (density contrast neglected: ρ̄ = ρs).

With p = 0.25 and Vs30 = 620 m/s this gives 1.2 at 0.1 Hz, 1.8 at 1 Hz and 2.7 at 10 Hz, close
to the Boore & Joyner (1997) generic-rock amplification (≈1.1 at 0.1 Hz rising to ≈3 near 15 Hz;
values recalled from Boore 2003, not re-checked here). A → 1 at low frequency and grows with
frequency and as Vs30 drops. Vs30 is honoured exactly for Vs30 < (1 − p) βs (the profile reaches
βs below 30 m); stiffer sites get the profile capped at βs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

VS30_DEPTH_M = 30.0


def quarter_wavelength_amplification(
    f: ArrayLike, vs30_mps: ArrayLike, beta_s_kms: float, exponent: float = 0.25
) -> np.ndarray:
    """Generic site amplification A(f) ≥ 1 (dimensionless) for a Vs30-scaled profile.

    Args:
        f: frequency [Hz], any shape broadcastable with ``vs30_mps`` (e.g. ``(F,)``).
        vs30_mps: time-averaged shear-wave velocity of the top 30 m [m/s], e.g. ``(N, 1)``.
        beta_s_kms: crustal shear-wave velocity at depth [km/s].
        exponent: power p of the velocity profile β ∝ z^p (0 < p < 1).

    Returns:
        A(f) broadcast over ``f`` and ``vs30_mps``, e.g. ``(N, F)``.
    """
    f = np.asarray(f, dtype=float)
    beta_s = beta_s_kms * 1000.0
    v1 = np.asarray(vs30_mps, dtype=float) / (1.0 - exponent)
    # depth where the profile reaches βs, and the vertical travel time to it
    z_b = VS30_DEPTH_M * (beta_s / v1) ** (1.0 / exponent)
    scale = v1 * (1.0 - exponent) / VS30_DEPTH_M**exponent
    t_b = z_b ** (1.0 - exponent) / scale
    with np.errstate(divide="ignore"):
        t_quarter = np.where(f > 0, 0.25 / np.where(f > 0, f, 1.0), np.inf)
    z_power = (np.minimum(t_quarter, t_b) * scale) ** (1.0 / (1.0 - exponent))
    z_f = np.where(t_quarter <= t_b, z_power, z_b + (t_quarter - t_b) * beta_s)
    with np.errstate(invalid="ignore"):
        mean_velocity = np.where(np.isfinite(t_quarter), z_f / t_quarter, beta_s)
    return np.sqrt(beta_s / np.minimum(mean_velocity, beta_s))


def kappa_filter(f: ArrayLike, kappa0_s: ArrayLike) -> np.ndarray:
    """High-frequency diminution exp(−π κ0 f) (Anderson & Hough 1984); f [Hz], κ0 [s]."""
    return np.exp(-np.pi * np.asarray(kappa0_s) * np.asarray(f))
