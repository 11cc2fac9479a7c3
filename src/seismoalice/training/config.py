"""Training configuration: pydantic models loaded from YAML (unknown keys are errors).

Layout of a config file (see configs/demo.yaml)::

    seed: 626
    data: {path: ..., train_split: train, dev_split: dev}
    model: {nzd: 32, nzf: 8, ndf: 32, ...}
    train: {device: auto, amp: true, checkpoint_every: 1, ...}
    validation: {every: 1, n_records: 8, ...}
    stages: {bb: {...}, fl: {...}, env: {...}, hb: {...}}

Stage ``env`` (only needed with ``model.hf_envelope``) trains the HF envelope predictor
(:class:`seismoalice.models.EnvelopePredictor`) by least squares; ``hb`` then loads it frozen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from seismoalice.errors import ConfigError

Stage = Literal["bb", "fl", "env", "hb"]
STAGES: tuple[Stage, ...] = ("bb", "fl", "env", "hb")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataConfig(_Strict):
    """Where the prepared data set lives (``seismoalice data prepare`` output) and its splits."""

    path: str | None = None
    train_split: str = "train"
    dev_split: str = "dev"


class ModelConfig(_Strict):
    """Architecture (defaults = the original SeismoALICE sizes)."""

    nzd: int = Field(32, ge=1, description="BB latent channels")
    nzf: int = Field(8, ge=1, description="LF latent channels")
    ndf: int = Field(32, ge=1, description="autoencoder base width")
    ndf_d: int = Field(32, ge=1, description="discriminator signal-trunk base width")
    width_d: int = Field(128, ge=1, description="discriminator latent trunk / head width")
    map_width: int = Field(32, ge=1, description="latent-map width (Ghz, Fhz)")
    amplitude_width: int = Field(64, ge=1)
    amplitude_peak: bool = Field(
        False, description="the amplitude head also sees ln(lf_peak) in the training unit"
    )
    decoder: Literal["transpose", "upsample"] = "transpose"
    noise: bool = True
    merge_lf: bool = Field(
        True,
        description="hb: keep the LF input below fc and generate only above it (matched filters)",
    )
    lf_envelope: float = Field(
        0.0,
        ge=0.0,
        description="hb with merge_lf: modulate the generated HF by the LF input's envelope "
        "smoothed over this many periods of fc (0: off)",
    )
    hf_envelope: bool = Field(
        False,
        description="hb: give the generated HF the time–frequency envelope that the env stage "
        "predicts from the LF input (needs merge_lf; replaces the amplitude head)",
    )
    envelope_bands: int = Field(12, ge=2, description="env: HF bands between fc/2 and 0.4·fs")
    envelope_frame_s: float = Field(0.32, gt=0, description="env: frame length [s]")
    envelope_width: int = Field(64, ge=1, description="env: predictor width")
    negative_slope: float = Field(0.2, ge=0.0, lt=1.0)
    dropout_d: float = Field(0.25, ge=0.0, lt=1.0)

    @model_validator(mode="after")
    def _check_envelope(self) -> ModelConfig:
        if self.hf_envelope and not self.merge_lf:
            raise ValueError("hf_envelope shapes the band above fc: it needs merge_lf: true")
        if self.hf_envelope and self.lf_envelope > 0:
            raise ValueError("hf_envelope and lf_envelope both set the HF envelope: use one")
        return self


class LossConfig(_Strict):
    """Loss kind and weights. ``bb``/``fl`` use joint, pair_*, cycle_*, spectral; ``hb`` all."""

    adversarial: Literal["bce", "wgan-gp"] = "bce"
    gp_weight: float = Field(10.0, ge=0.0)
    joint: float = Field(1.0, ge=0.0, description="ALI joint D(x, z) (bb/fl); D(z_f, z_d) (hb)")
    pair_x: float = Field(1.0, ge=0.0, description="adversarial D(x, x̂) (bb/fl); D(x_lf, x̂) (hb)")
    pair_z: float = Field(1.0, ge=0.0, description="adversarial D(z, ẑ) (bb/fl)")
    cycle_x: float = Field(10.0, ge=0.0, description="L1 |x − G(F(x))|")
    cycle_z: float = Field(1.0, ge=0.0, description="L1 |z − F(G(z))|")
    spectral: float = Field(0.0, ge=0.0, description="multi-resolution log-spectral loss")
    spectral_convergence: float = Field(
        0.0, ge=0.0, description="multi-resolution spectral convergence (energy-weighted)"
    )
    psd_envelope: float = Field(
        0.0, ge=0.0, description="log distance of smoothed power spectra and time envelopes"
    )
    latent: float = Field(0.0, ge=0.0, description="hb supervised L1 |Ghz(z_f) − F_bb(x_bb)|")
    signal: float = Field(0.0, ge=0.0, description="hb supervised L1 |x̂_bb − x_bb|")
    amplitude: float = Field(
        1.0, ge=0.0, description="hb amplitude-head squared error on ln ratio (not hf_envelope)"
    )
    envelope: float = Field(1.0, ge=0.0, description="env: squared error of ln band–frame power")
    band_energy: float = Field(1.0, ge=0.0, description="env: squared error of ln band energy")


class StageConfig(_Strict):
    """Optimisation of one stage."""

    epochs: int = Field(10, ge=1)
    batch_size: int = Field(16, ge=1)
    lr_g: float = Field(1e-4, gt=0)
    lr_d: float = Field(1e-4, gt=0)
    betas: tuple[float, float] = (0.5, 0.999)
    weight_decay: float = Field(0.0, ge=0)
    n_critic: int = Field(1, ge=1, description="discriminator steps per generator step")
    max_batches: int | None = Field(None, ge=1, description="cap on batches per epoch")
    scheduler: Literal["none", "cosine"] = "none"
    finetune: bool = Field(False, description="hb: also train F_fl and G_bb end to end")
    finetune_lr_factor: float = Field(0.1, gt=0)
    loss: LossConfig = LossConfig()


class TrainConfig(_Strict):
    """Run-wide settings."""

    device: Literal["auto", "cpu", "cuda"] = "auto"
    amp: bool = Field(True, description="bfloat16 autocast on CUDA (ignored on CPU)")
    num_workers: int = Field(0, ge=0)
    checkpoint_every: int = Field(1, ge=1, description="epochs between checkpoints")
    log_every: int = Field(10, ge=1, description="steps between TensorBoard points")
    progress: bool = True


class ValidationConfig(_Strict):
    """Validation pass on a small subset of the dev split."""

    every: int = Field(1, ge=1)
    n_records: int = Field(8, ge=1)
    periods: tuple[float, ...] = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0)
    damping: float = Field(0.05, gt=0, lt=1)
    tf_gof: bool = True
    fmin: float = Field(0.1, gt=0)
    fmax: float = Field(30.0, gt=0)


class StagesConfig(_Strict):
    bb: StageConfig = StageConfig()
    fl: StageConfig = StageConfig()
    env: StageConfig = StageConfig(epochs=60, batch_size=64, lr_g=2e-3, scheduler="cosine")
    hb: StageConfig = StageConfig()


class RunConfig(_Strict):
    """A whole training configuration."""

    seed: int = 0
    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
    validation: ValidationConfig = ValidationConfig()
    stages: StagesConfig = StagesConfig()


def _format_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "<root>"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def config_from_dict(data: dict, source: str = "<dict>") -> RunConfig:
    """Validate ``data`` as a :class:`RunConfig`; ConfigError names ``source`` and the keys."""
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: invalid config: {_format_errors(exc)}") from None


def load_config(path: str | Path) -> RunConfig:
    """Load and validate a YAML config (ConfigError on a missing file, bad YAML or bad keys)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a config must be a mapping, got {type(data).__name__}")
    return config_from_dict(data, str(path))
