"""Configuration of the synthetic data set (:class:`SynthConfig`, :class:`CrustModel`): record
layout, parameter distributions and the crustal constants of the stochastic model."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from seismoalice.data.stochastic.source import corner_frequency
from seismoalice.errors import ConfigError

STRONG_MOTION_DURATIONS = 1.5  # S arrival + 1.5 T holds > 99% of the Saragoni–Hart energy

Range = tuple[float, float]


def shaking_duration(
    mw: Any, distance_km: Any, stress_drop_bar: Any, beta_s_kms: float
) -> np.ndarray:
    """Duration of shaking T = 1/f0 + 0.05 R [s] (source + path duration; Boore 2003)."""
    f0 = corner_frequency(mw, stress_drop_bar, beta_s_kms)
    return 1.0 / f0 + 0.05 * np.asarray(distance_km, dtype=float)


class CrustModel(BaseModel):
    """Crustal, path and site constants of the stochastic model (Boore 2003, Table 1 style).

    Defaults: California-like attenuation Q(f) = max(60, 180 f^0.45), βs = 3.5 km/s,
    ρs = 2.8 g/cm³, R_θφ = 0.55, V = 1/√2, F = 2, spreading crossover 40 km.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    beta_s_kms: float = Field(3.5, gt=0, description="shear-wave velocity at the source [km/s]")
    rho_s_gcc: float = Field(2.8, gt=0, description="density at the source [g/cm³]")
    vp_vs: float = Field(1.73, gt=1, description="P to S velocity ratio α/βs")
    radiation: float = Field(0.55, gt=0, description="average radiation pattern R_θφ")
    partition: float = Field(2**-0.5, gt=0, description="partition onto one horizontal, V")
    free_surface: float = Field(2.0, gt=0, description="free-surface amplification F")
    spreading_crossover_km: float = Field(40.0, gt=0, description="1/R to R^-0.5 crossover")
    q0: float = Field(180.0, gt=0, description="Q0 in Q(f) = max(Qmin, Q0 f^η)")
    q_eta: float = Field(0.45, ge=0, description="η in Q(f)")
    q_min: float = Field(60.0, gt=0, description="Qmin in Q(f)")
    site_profile_exponent: float = Field(
        0.25, gt=0, lt=1, description="p of the Vs30-scaled profile β ∝ z^p (site amplification)"
    )


def _check_range(name: str, value: Range, positive: bool = True) -> None:
    lo, hi = value
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
        raise ValueError(f"{name} must be (low, high) with low ≤ high, got {value}")
    if positive and lo <= 0:
        raise ValueError(f"{name} must be positive, got {value}")


class SynthConfig(BaseModel):
    """Configuration of the synthetic data set: record layout and parameter distributions.

    Distributions (per record): Mw uniform or truncated Gutenberg–Richter in ``mw_range``;
    hypocentral distance log-uniform in ``distance_km_range`` [km]; depth uniform in
    ``depth_km_range`` [km], capped at the hypocentral distance; Vs30 log-uniform in
    ``vs30_mps_range`` [m/s]; κ0 [s] and Δσ [bar] log-normal (median, σ of ln); P/S and SNR [dB]
    uniform in their ranges.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = 0
    sampling_rate: float = Field(100.0, gt=0, description="[Hz]")
    nt: int = Field(4096, ge=256, description="samples per trace")
    pre_event_s: float = Field(2.0, ge=0, description="P arrival time in the trace [s]")
    mw_range: Range = (4.0, 7.0)
    mw_distribution: Literal["uniform", "gutenberg-richter"] = "uniform"
    b_value: float = Field(1.0, gt=0, description="Gutenberg–Richter b for mw_distribution")
    distance_km_range: Range = (10.0, 100.0)
    depth_km_range: Range = (2.0, 20.0)
    vs30_mps_range: Range = (200.0, 1000.0)
    kappa0_median_s: float = Field(0.035, gt=0)
    kappa0_sigma_ln: float = Field(0.4, ge=0)
    stress_drop_median_bar: float = Field(100.0, gt=0)
    stress_drop_sigma_ln: float = Field(0.5, ge=0)
    p_to_s_range: Range = (0.1, 0.3)
    p_horizontal_share: float = Field(0.5, ge=0, le=1)
    p_duration_fraction: float = Field(0.5, gt=0, le=1)
    vh_ratio: float = Field(0.7, gt=0, le=1.5)
    vertical_kappa_s: float = Field(0.01, ge=0)
    snr_db_range: Range = (30.0, 60.0)
    crust: CrustModel = CrustModel()

    @model_validator(mode="after")
    def _check(self) -> SynthConfig:
        for name in ("mw_range", "distance_km_range", "depth_km_range", "vs30_mps_range"):
            _check_range(name, getattr(self, name))
        for name in ("p_to_s_range", "snr_db_range"):
            _check_range(name, getattr(self, name), positive=False)
        if self.p_to_s_range[0] < 0:
            raise ValueError(f"p_to_s_range must be ≥ 0, got {self.p_to_s_range}")
        vs30_max = (1 - self.crust.site_profile_exponent) * self.crust.beta_s_kms * 1000
        if self.vs30_mps_range[1] > vs30_max:
            raise ValueError(f"vs30_mps_range must stay below {vs30_max:.0f} m/s (crustal βs)")
        length_s = self.nt / self.sampling_rate
        if self.pre_event_s >= length_s:
            raise ValueError(f"pre_event_s={self.pre_event_s} s ≥ trace length {length_s} s")
        mw, r = self.mw_range[1], self.distance_km_range[1]
        end = (
            self.pre_event_s
            + r * self.s_minus_p_per_km
            + STRONG_MOTION_DURATIONS
            * float(shaking_duration(mw, r, self.stress_drop_median_bar, self.crust.beta_s_kms))
        )
        if end > length_s:
            raise ValueError(
                f"the strong motion of Mw {mw} at {r} km lasts until {end:.1f} s, beyond the "
                f"{length_s:.2f} s trace (nt={self.nt}): lower mw_range/distance_km_range or "
                "raise nt"
            )
        return self

    @property
    def s_minus_p_per_km(self) -> float:
        """S − P travel-time difference per km of hypocentral distance [s/km]."""
        beta = self.crust.beta_s_kms
        return 1.0 / beta - 1.0 / (self.crust.vp_vs * beta)


def load_synth_config(path: str | os.PathLike[str] | None, **overrides: Any) -> SynthConfig:
    """Read a :class:`SynthConfig` from YAML (``None``: defaults), then apply ``overrides``.

    Raises:
        ConfigError: unreadable file or invalid values, naming the file and the problem.
    """
    source = "defaults" if path is None else str(path)
    values: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{source}: cannot read synthetic-data config ({exc})") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{source}: expected a mapping of settings, got {type(loaded)}")
        values = loaded or {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return SynthConfig(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{source}: invalid synthetic-data config: {problems}") from None
