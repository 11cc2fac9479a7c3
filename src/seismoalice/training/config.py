"""Training configuration: pydantic models loaded from YAML (unknown keys are errors).

Layout of a config file (see configs/demo.yaml)::

    seed: 626
    data: {path: ..., train_split: train, dev_split: dev}
    model: {nzd: 32, nzf: 8, ndf: 32, ...}
    train: {device: auto, amp: true, checkpoint_every: 1, ...}
    validation: {every: 1, n_records: 8, ...}
    stages: {bb: {...}, fl: {...}, env: {...}, hb: {...}}

Each stage has its own optimisation settings and its own loss config, with one weight per loss
term it computes; a weight of 0 skips the term. Stage ``env`` trains the HF envelope predictor
(:class:`seismoalice.models.EnvelopePredictor`) by least squares; ``hb`` loads it frozen.
Stage ``ann2bb`` trains the ANN2BB baseline's networks (Paolucci et al. 2018; defaults: the
original's sizes and optimiser, full batch).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from seismoalice.errors import ConfigError
from seismoalice.models.config import ModelConfig

Stage = Literal["bb", "fl", "env", "hb", "ann2bb"]
STAGES: tuple[Stage, ...] = ("bb", "fl", "env", "hb")  # the ALICE stages, in training order
LearningRate = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Beta = Annotated[float, Field(ge=0, lt=1)]
Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataConfig(_Strict):
    """Where the prepared data set lives (``seismoalice data prepare`` output) and its splits."""

    path: str | None = None
    train_split: str = "train"
    dev_split: str = "dev"


class AdversarialLoss(_Strict):
    """The adversarial loss: BCE on logits, or the Wasserstein critic with gradient penalty."""

    adversarial: Literal["bce", "wgan-gp"] = "bce"
    gp_weight: Weight = Field(10.0, description="WGAN-GP penalty weight")


class AliceLoss(AdversarialLoss):
    """Weights of the generator terms that every ALICE stage has."""

    joint: Weight = Field(1.0, description="ALI joint D(x, z) (bb/fl); D(z_f, z_d) (hb)")
    pair_x: Weight = Field(1.0, description="adversarial D(x, x̂) (bb/fl); D(x_lf, x̂) (hb)")
    cycle_x: Weight = Field(10.0, description="L1 |x − G(F(x))| (hb: through both maps)")
    cycle_z: Weight = Field(1.0, description="L1 |z − F(G(z))| (hb: through both maps)")
    spectral: Weight = Field(0.0, description="multi-resolution log-spectral loss")
    spectral_convergence: Weight = Field(
        0.0, description="multi-resolution spectral convergence (energy-weighted)"
    )
    psd_envelope: Weight = Field(
        0.0, description="log distance of smoothed power spectra and time envelopes"
    )


class AutoencoderLoss(AliceLoss):
    """Loss of the bb and fl autoencoders."""

    pair_z: Weight = Field(1.0, description="adversarial D(z, ẑ)")


class HybridLoss(AliceLoss):
    """Loss of the hb latent maps (and of F_fl, G_bb when fine-tuned)."""

    latent: Weight = Field(0.0, description="supervised L1 |Ghz(z_f) − F_bb(x_bb)|")
    signal: Weight = Field(0.0, description="supervised L1 |x̂_bb − x_bb|")


class EnvelopeLoss(_Strict):
    """Loss of the HF envelope predictor (:func:`seismoalice.models.envelope_losses`)."""

    envelope: Weight = Field(1.0, description="squared error of ln band–frame power")
    band_energy: Weight = Field(1.0, description="squared error of ln band energy")


class StageConfig(_Strict):
    """Optimisation of one stage (Adam)."""

    epochs: int = Field(10, ge=1)
    batch_size: int = Field(16, ge=1)
    lr_g: LearningRate = 1e-4
    betas: tuple[Beta, Beta] = (0.5, 0.999)
    weight_decay: float = Field(0.0, ge=0, allow_inf_nan=False)
    max_batches: int | None = Field(None, ge=1, description="cap on batches per epoch")
    scheduler: Literal["none", "cosine"] = "none"


class AdversarialStageConfig(StageConfig):
    """Optimisation of a stage with discriminators."""

    lr_d: LearningRate = 1e-4
    n_critic: int = Field(1, ge=1, description="discriminator steps per generator step")


class AutoencoderStageConfig(AdversarialStageConfig):
    loss: AutoencoderLoss = AutoencoderLoss()


class HybridStageConfig(AdversarialStageConfig):
    finetune: bool = Field(False, description="also train F_fl and G_bb end to end")
    finetune_lr_factor: LearningRate = 0.1
    loss: HybridLoss = HybridLoss()


class EnvelopeStageConfig(StageConfig):
    epochs: int = Field(60, ge=1)
    batch_size: int = Field(64, ge=1)
    lr_g: LearningRate = 2e-3
    scheduler: Literal["none", "cosine"] = "cosine"
    loss: EnvelopeLoss = EnvelopeLoss()


class Ann2bbLoss(_Strict):
    """Weights of the two ensembles' scaled MSE (geometric mean of horizontals, vertical)."""

    gh: Weight = 1.0
    ud: Weight = 1.0


class Ann2bbStageConfig(StageConfig):
    epochs: int = Field(1000, ge=1)
    batch_size: int = Field(1_000_000, ge=1, description="≥ the records: full batch (original)")
    lr_g: LearningRate = 0.01
    betas: tuple[Beta, Beta] = (0.9, 0.999)
    t_star: Literal[0.5, 0.6, 0.75, 1.0] = Field(0.75, description="corner period T* [s]")
    n_nets: int = Field(50, ge=1, description="MLPs per ensemble")
    hidden: int = Field(30, ge=1, description="tanh units per MLP")
    holdout: float = Field(0.05, gt=0, lt=1, description="training records held out")
    loss: Ann2bbLoss = Ann2bbLoss()


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
    bb: AutoencoderStageConfig = AutoencoderStageConfig()
    fl: AutoencoderStageConfig = AutoencoderStageConfig()
    env: EnvelopeStageConfig = EnvelopeStageConfig()
    hb: HybridStageConfig = HybridStageConfig()
    ann2bb: Ann2bbStageConfig = Ann2bbStageConfig()


class RunConfig(_Strict):
    """A whole training configuration."""

    seed: int = 0
    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
    validation: ValidationConfig = ValidationConfig()
    stages: StagesConfig = StagesConfig()


def format_errors(exc: ValidationError) -> str:
    """One line per invalid field: ``key.path: message``."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "<root>"
        lines.append(f"  {loc}: {err['msg']}")
    return "\n".join(lines)


def config_from_dict(data: dict, source: str = "<dict>") -> RunConfig:
    """Validate ``data`` as a :class:`RunConfig`; ConfigError names ``source`` and every bad key,
    one per line."""
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: invalid config:\n{format_errors(exc)}") from None


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
