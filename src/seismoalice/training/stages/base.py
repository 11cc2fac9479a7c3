"""The interface every training stage implements, and what the stages share.

A stage builds its networks (:meth:`Stage.build`), may turn the training set into what it learns
from (:meth:`Stage.training_data`) and initialise its networks from it (:meth:`Stage.prepare`),
gives the losses of one discriminator step (:meth:`Stage.discriminator_losses`) and of one
generator step (:meth:`Stage.generator_losses`, weighted terms) on a batch, and says what
validation reports (:meth:`Stage.validate`, :meth:`Stage.score`) and what its checkpoints store
besides the weights (:meth:`Stage.checkpoint_config`). :mod:`seismoalice.training.loop` only
calls this interface. The ALICE stages (:class:`WaveformStage`) are validated on waveforms they
predict in physical units (:meth:`WaveformStage.predict`).

Batches are dicts of tensors as produced by :class:`seismoalice.data.dataset.WaveformWindowDataset`:
``bb`` and ``lf`` ``(N, 3, T)`` divided by their peaks, ``bb_scale`` and ``lf_scale`` the peaks
[m/s²].
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset

from seismoalice.devices import to_device
from seismoalice.models import build_discriminator
from seismoalice.training.config import (
    AdversarialLoss,
    AdversarialStageConfig,
    AliceLoss,
    RunConfig,
    StageConfig,
)
from seismoalice.training.losses import (
    critic_loss,
    generator_loss,
    log_psd_envelope_loss,
    log_spectral_loss,
    spectral_convergence,
)
from seismoalice.training.validation import score, validation_metrics


@dataclass
class Networks:
    """Networks of a stage: trained generators, discriminators, frozen (pre-trained) networks."""

    gen: dict[str, nn.Module]
    disc: dict[str, nn.Module]
    frozen: dict[str, nn.Module] = field(default_factory=dict)

    def all(self) -> dict[str, nn.Module]:
        return {**self.gen, **self.disc, **self.frozen}


class Term(NamedTuple):
    """One generator loss term: its name (for logs), weight and value."""

    name: str
    weight: float
    value: torch.Tensor


class Prediction(NamedTuple):
    """Validation output ``(N, 3, T)`` [m/s²]: the true record, the stage's prediction of it and,
    for stages that must keep their LF input, that input (else None)."""

    target: torch.Tensor
    output: torch.Tensor
    lf: torch.Tensor | None = None


def physical(batch: dict[str, torch.Tensor], key: str) -> torch.Tensor:
    """The batch's ``bb`` or ``lf`` signals ``(N, 3, T)`` in physical units [m/s²]."""
    return batch[key] * batch[f"{key}_scale"].reshape(-1, 1, 1)


def spectral_terms(w: AliceLoss, output: torch.Tensor, target: torch.Tensor) -> list[Term]:
    """The spectral terms of weight > 0 comparing ``output`` with ``target`` ``(N, C, T)``."""
    terms = []
    if w.spectral > 0:
        terms.append(Term("spectral", w.spectral, log_spectral_loss(output, target)))
    if w.spectral_convergence > 0:
        value = spectral_convergence(output, target)
        terms.append(Term("spectral_convergence", w.spectral_convergence, value))
    if w.psd_envelope > 0:
        value = log_psd_envelope_loss(output, target)
        terms.append(Term("psd_envelope", w.psd_envelope, value))
    return terms


class Stage(ABC):
    """One training stage. ``cfg`` is the run config, ``preprocessing`` the data set's
    (``sampling_rate`` [Hz], ``nt``, ``fc`` [Hz], ``filter_order``), ``pretrained`` the checkpoint
    directories of the stages in :attr:`needs`."""

    name: ClassVar[str]
    needs: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        cfg: RunConfig,
        preprocessing: dict[str, Any],
        pretrained: dict[str, Path] | None = None,
    ) -> None:
        self.cfg = cfg
        self.preprocessing = preprocessing
        self.pretrained = pretrained or {}
        self.nets = Networks({}, {})

    @property
    @abstractmethod
    def settings(self) -> StageConfig:
        """This stage's section of ``cfg.stages``."""

    @abstractmethod
    def build(self) -> Networks:
        """Build (and load pre-trained) networks; sets and returns :attr:`nets`."""

    @classmethod
    def check_preprocessing(cls, cfg: RunConfig, preprocessing: dict[str, Any]) -> None:
        """ValueError if the data set's preprocessing does not fit this stage's networks."""
        return None

    def training_data(self, train_set: Dataset) -> Dataset:
        """What the stage learns from, made from the training set (itself by default)."""
        return train_set

    def prepare(self, train_set: Dataset) -> None:
        """Initialise networks from the training data before the first epoch (not on resume);
        nothing by default."""
        return None

    def learning_rates(self) -> dict[str, float]:
        """Learning rate of each generator network."""
        return dict.fromkeys(self.nets.gen, self.settings.lr_g)

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Adam for the generator networks (``g``), one parameter group per network."""
        s, rates = self.settings, self.learning_rates()
        groups = [
            {"params": list(m.parameters()), "lr": rates[k]} for k, m in self.nets.gen.items()
        ]
        return {"g": torch.optim.Adam(groups, betas=s.betas, weight_decay=s.weight_decay)}

    @property
    def critic_steps(self) -> int:
        """Discriminator steps before each generator step."""
        return 0

    def discriminator_losses(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Losses of one discriminator step, summed by the loop (none: no discriminator)."""
        return {}

    @abstractmethod
    def generator_losses(self, batch: dict[str, torch.Tensor]) -> list[Term]:
        """Weighted terms of one generator step; terms of weight 0 are not computed."""

    @abstractmethod
    def validate(self, dev_set: Dataset, device: torch.device) -> dict[str, Any]:
        """Validation metrics (JSON-able) of the current networks."""

    @abstractmethod
    def score(self, metrics: dict[str, Any]) -> float:
        """The number the ``best`` checkpoint minimises."""

    def checkpoint_config(self) -> dict[str, Any]:
        """What the stage's checkpoints store in config.json besides the run's settings."""
        return {}


class WaveformStage(Stage):
    """A stage validated on the broadband records it predicts (all ALICE stages)."""

    @classmethod
    def check_preprocessing(cls, cfg: RunConfig, preprocessing: dict[str, Any]) -> None:
        """The window length nt must fit the networks (:meth:`ModelConfig.check_length`)."""
        cfg.model.check_length(int(preprocessing["nt"]))

    @abstractmethod
    def predict(self, batch: dict[str, torch.Tensor]) -> Prediction:
        """What validation scores, in physical units (networks in eval mode, no gradients)."""

    @torch.no_grad()
    def validate(self, dev_set: Dataset, device: torch.device) -> dict[str, Any]:
        """PSA, PGA and time–frequency goodness-of-fit of :meth:`predict` on the first
        ``validation.n_records`` records of ``dev_set``; with an LF input, also the LF
        consistency below fc/2 (:func:`~seismoalice.training.validation.validation_metrics`)."""
        vcfg = self.cfg.validation
        subset = Subset(dev_set, range(min(vcfg.n_records, len(dev_set))))
        for mod in self.nets.all().values():
            mod.eval()
        obs, sim, lf = [], [], []
        for batch in DataLoader(subset, batch_size=max(1, len(subset))):
            p = self.predict(to_device(batch, device))
            obs.append(p.target.float().cpu().numpy())
            sim.append(p.output.float().cpu().numpy())
            if p.lf is not None:
                lf.append(p.lf.float().cpu().numpy())
        for mod in [*self.nets.gen.values(), *self.nets.disc.values()]:
            mod.train()
        return validation_metrics(
            np.concatenate(obs).astype(np.float64),
            np.concatenate(sim).astype(np.float64),
            1.0 / float(self.preprocessing["sampling_rate"]),
            vcfg.periods,
            vcfg.damping,
            vcfg.tf_gof,
            vcfg.fmin,
            vcfg.fmax,
            np.concatenate(lf).astype(np.float64) if lf else None,
            float(self.preprocessing["fc"]),
        )

    def score(self, metrics: dict[str, Any]) -> float:
        return score(metrics)


class AdversarialStage(WaveformStage):
    """A stage with discriminators trained by :func:`~seismoalice.training.losses.critic_loss`."""

    @property
    @abstractmethod
    def loss(self) -> AdversarialLoss:
        """This stage's loss config."""

    @property
    @abstractmethod
    def settings(self) -> AdversarialStageConfig:
        """This stage's section of ``cfg.stages`` (with the discriminators' settings)."""

    @property
    def critic_steps(self) -> int:
        return self.settings.n_critic

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Adam for the generators (``g``) and for the discriminators (``d``, no weight decay)."""
        opts = super().optimizers()
        params = [p for m in self.nets.disc.values() for p in m.parameters()]
        opts["d"] = torch.optim.Adam(params, lr=self.settings.lr_d, betas=self.settings.betas)
        return opts

    def discriminator(self, x_channels: int, z_channels: int) -> nn.Module:
        """A discriminator with the run's widths (no BatchNorm for WGAN-GP)."""
        norm = self.loss.adversarial != "wgan-gp"
        return build_discriminator(self.cfg.model, x_channels, z_channels, norm)

    def critic(self, name: str, real: dict, fake: dict) -> torch.Tensor:
        """Discriminator ``name``'s loss on real and fake keyword inputs."""
        d = self.nets.disc[name]
        return critic_loss(d, real, fake, self.loss.adversarial, self.loss.gp_weight)

    def fool(self, name: str, real: dict, fake: dict) -> torch.Tensor:
        """The generator's adversarial loss against discriminator ``name``."""
        return generator_loss(self.nets.disc[name], real, fake, self.loss.adversarial)
