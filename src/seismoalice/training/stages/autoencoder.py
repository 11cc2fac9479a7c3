"""Stages ``bb`` and ``fl``: the ALICE autoencoders of broadband and LF signals.

Losses (Li et al. 2017, ALICE; original SeismoALICE src/trainer_bbfl.py): the joint ALI
discriminator D(x, z) on encoder pairs (x, F(x)) against decoder pairs (G(z), z), z ~ N(0, I)
fresh at every step; pair discriminators D(x, x) vs D(x, G(F(x))) and D(z, z) vs
D(z, F(G(z))); cycles L1 |x − G(F(x))| and |z − F(G(z))|; optional spectral terms on the
reconstruction.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

import torch

from seismoalice.models import build_network, renormalise
from seismoalice.training.config import AutoencoderLoss, AutoencoderStageConfig
from seismoalice.training.losses import l1
from seismoalice.training.stages.base import (
    AdversarialStage,
    Networks,
    Prediction,
    Term,
    spectral_terms,
)


class AutoencoderStage(AdversarialStage):
    """Encoder F and decoder G of one signal kind (:attr:`signal`: the batch key) with the
    discriminators ``d_joint``, ``d_pair_x`` and ``d_pair_z``."""

    signal: ClassVar[str]

    @property
    @abstractmethod
    def nz(self) -> int:
        """Latent channels."""

    @property
    def loss(self) -> AutoencoderLoss:
        return self.settings.loss

    def build(self) -> Networks:
        m, nz = self.cfg.model, self.nz
        disc = {
            "d_joint": self.discriminator(3, nz),
            "d_pair_x": self.discriminator(6, 0),
            "d_pair_z": self.discriminator(0, 2 * nz),
        }
        gen = {
            "encoder": build_network(f"encoder_{self.name}", m),
            "decoder": build_network(f"decoder_{self.name}", m),
        }
        self.nets = Networks(gen, disc)
        return self.nets

    def discriminator_losses(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        enc, dec = self.nets.gen["encoder"], self.nets.gen["decoder"]
        x = batch[self.signal]
        with torch.no_grad():
            z_enc = enc(x)
            z = torch.randn_like(z_enc)
            x_gen, x_rec = dec(z), dec(z_enc)
            z_rec = enc(x_gen)
        xx, zz = torch.cat([x, x], 1), torch.cat([z, z], 1)
        return {
            "d_joint": self.critic("d_joint", {"x": x, "z": z_enc}, {"x": x_gen, "z": z}),
            "d_pair_x": self.critic("d_pair_x", {"x": xx}, {"x": torch.cat([x, x_rec], 1)}),
            "d_pair_z": self.critic("d_pair_z", {"z": zz}, {"z": torch.cat([z, z_rec], 1)}),
        }

    def generator_losses(self, batch: dict[str, torch.Tensor]) -> list[Term]:
        enc, dec, w = self.nets.gen["encoder"], self.nets.gen["decoder"], self.loss
        x = batch[self.signal]
        z_enc = enc(x)
        x_rec = dec(z_enc)
        z = torch.randn_like(z_enc)
        x_gen = dec(z)
        z_rec = enc(x_gen)
        terms = []
        if w.joint > 0:
            value = self.fool("d_joint", {"x": x, "z": z_enc}, {"x": x_gen, "z": z})
            terms.append(Term("joint", w.joint, value))
        if w.pair_x > 0:
            pairs = {"x": torch.cat([x, x], 1)}, {"x": torch.cat([x, x_rec], 1)}
            terms.append(Term("pair_x", w.pair_x, self.fool("d_pair_x", *pairs)))
        if w.pair_z > 0:
            pairs = {"z": torch.cat([z, z], 1)}, {"z": torch.cat([z, z_rec], 1)}
            terms.append(Term("pair_z", w.pair_z, self.fool("d_pair_z", *pairs)))
        if w.cycle_x > 0:
            terms.append(Term("cycle_x", w.cycle_x, l1(x_rec, x)))
        if w.cycle_z > 0:
            terms.append(Term("cycle_z", w.cycle_z, l1(z_rec, z)))
        return terms + spectral_terms(w, x_rec, x)

    def predict(self, batch: dict[str, torch.Tensor]) -> Prediction:
        """The reconstruction G(F(x)), renormalised to peak 1 and scaled by the true peak."""
        x, scale = batch[self.signal], batch[f"{self.signal}_scale"].reshape(-1, 1, 1)
        x_rec = self.nets.gen["decoder"](self.nets.gen["encoder"](x))
        return Prediction(x * scale, renormalise(x_rec) * scale)


class BroadbandStage(AutoencoderStage):
    """Stage ``bb``: the broadband autoencoder (latent nzd)."""

    name = "bb"
    signal = "bb"

    @property
    def settings(self) -> AutoencoderStageConfig:
        return self.cfg.stages.bb

    @property
    def nz(self) -> int:
        return self.cfg.model.nzd


class FilteredStage(AutoencoderStage):
    """Stage ``fl``: the autoencoder of LF (filtered) signals (latent nzf)."""

    name = "fl"
    signal = "lf"

    @property
    def settings(self) -> AutoencoderStageConfig:
        return self.cfg.stages.fl

    @property
    def nz(self) -> int:
        return self.cfg.model.nzf
