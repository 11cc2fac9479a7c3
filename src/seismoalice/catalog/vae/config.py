"""Configuration of the catalog VAE (pydantic), loaded from YAML (``configs/catalog_vae.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from seismoalice.errors import ConfigError

Reconstruction = Literal["mse", "gaussian_nll", "gr_gaussian_nll", "gr_weibull_nll"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataConfig(_Section):
    """Windowing, completeness and the chronological train/validation/test split."""

    window: int = Field(64, ge=2, description="events per window")
    stride: int = Field(16, ge=1, description="events between the starts of consecutive windows")
    mc: float | None = Field(None, description="completeness magnitude; None: by mc_method")
    mc_method: Literal["bstability", "maxc"] = Field(
        "bstability", description="b-value stability or maximum curvature + 0.2"
    )
    dm: float | None = Field(
        None,
        ge=0.0,
        description="magnitude bin width; None: inferred from the catalog (0: continuous)",
    )
    tau_min_days: float = Field(
        1e-7, gt=0.0, description="floor of inter-event times before the log (days, ≈ 9 ms)"
    )
    use_location: bool = Field(True, description="use x, y relative to the window centroid")
    train_fraction: float = Field(0.7, gt=0.0, lt=1.0, description="first part of the time span")
    val_fraction: float = Field(0.15, gt=0.0, lt=1.0, description="next part; the rest is the test")
    split_by: Literal["time", "events"] = Field(
        "time", description="fractions of the time span or of the event count"
    )

    @model_validator(mode="after")
    def _fractions(self) -> DataConfig:
        if self.train_fraction + self.val_fraction >= 1.0:
            raise ValueError("train_fraction + val_fraction must leave a test split (< 1)")
        return self


class ModelConfig(_Section):
    """Feed-forward encoder/decoder sizes and the reconstruction likelihood.

    ``reconstruction``: ``mse`` (decoder mean, plain VAE), ``gaussian_nll`` (mean and variance per
    feature), ``gr_gaussian_nll`` (exponential, i.e. Gutenberg–Richter, magnitudes above Mc with a
    rate per event, Gaussian for the other features), ``gr_weibull_nll`` (as ``gr_gaussian_nll``
    with Weibull inter-event times). See :mod:`seismoalice.catalog.vae.model`.
    """

    latent_dim: int = Field(8, ge=1)
    hidden: list[int] = Field(default_factory=lambda: [256, 128])
    reconstruction: Reconstruction = "mse"
    times_given_magnitudes: bool = Field(
        False, description="decode inter-event times from z and the window's magnitudes"
    )


class TrainConfig(_Section):
    """Optimiser, KL weight with linear warm-up, early stopping and seed."""

    optimizer: Literal["adam", "sgd"] = "adam"
    lr: float = Field(1e-3, gt=0.0)
    momentum: float = Field(0.9, ge=0.0, lt=1.0, description="SGD only")
    batch_size: int = Field(128, ge=1)
    epochs: int = Field(200, ge=1)
    patience: int = Field(20, ge=1, description="epochs without validation improvement")
    beta: float = Field(1.0, ge=0.0, description="weight of the KL term")
    warmup_epochs: int = Field(0, ge=0, description="linear warm-up of beta from 0")
    seed: int = 0


class GenerateConfig(_Section):
    """Sampling of synthetic windows."""

    sample_decoder: bool = Field(
        True, description="draw from the decoder likelihood (ignored for mse: decoder mean)"
    )


class VAEConfig(_Section):
    """Full catalog-VAE configuration."""

    data: DataConfig = Field(default_factory=DataConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    generate: GenerateConfig = Field(default_factory=GenerateConfig)


def load_config(path: str | Path | None) -> VAEConfig:
    """Read a YAML config (``None``: all defaults); raise ConfigError naming the file and field."""
    if path is None:
        return VAEConfig()
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read YAML config: {exc}") from exc
    return config_from_dict(raw, source=str(path))


def config_from_dict(raw: dict, source: str = "config") -> VAEConfig:
    """Validate a nested dict (from YAML or a checkpoint's config.json)."""
    try:
        return VAEConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{source}: invalid catalog-VAE config: {problems}") from exc
