"""Stage ``hb``: latent maps from the fl to the bb autoencoder (Gatti & Clouteau 2020).

F_bb, G_bb, F_fl, G_fl (stages bb, fl) and the HF envelope predictor (stage env) are loaded
frozen (eval mode, no gradients) unless ``finetune`` also trains F_fl and G_bb. Trained: the
maps Ghz: z_f → z_d and Fhz: z_d → z_f. The decoded signal is G_bb(Ghz(F_fl(x_lf))) shaped
and merged with the LF input (:func:`seismoalice.models.shaped_merge`), in units of the true BB
peak. Losses (Li et al. 2017): conditional discriminators on latents D(z_f, z_d) vs
D(z_f, Ghz(z_f)) and on signals D(x_lf, x_bb) vs D(x_lf, x̂_bb); cycles through both maps;
optional supervised latent, signal and spectral terms.
"""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, Subset

from seismoalice.errors import CheckpointError
from seismoalice.models import (
    HybridGenerator,
    build_network,
    load_networks,
    merge_band,
    shaped_merge,
)
from seismoalice.models.factory import autoencoder_names
from seismoalice.training.config import HybridLoss, HybridStageConfig
from seismoalice.training.losses import l1
from seismoalice.training.stages.base import (
    AdversarialStage,
    Networks,
    Prediction,
    Term,
    physical,
    spectral_terms,
)

N_CALIBRATION_RECORDS = 512  # training records of the envelope calibration
FINETUNED = ("encoder_fl", "decoder_bb")


class HybridStage(AdversarialStage):
    """Trained: ``fl_to_bb``, ``bb_to_fl`` (and :data:`FINETUNED`); discriminators
    ``d_latent``, ``d_signal``; frozen: the autoencoders and ``hf_envelope``."""

    name = "hb"
    needs = ("bb", "fl", "env")

    @property
    def settings(self) -> HybridStageConfig:
        return self.cfg.stages.hb

    @property
    def loss(self) -> HybridLoss:
        return self.settings.loss

    def build(self) -> Networks:
        missing = [s for s in self.needs if s not in self.pretrained]
        if missing:
            raise CheckpointError(f"stage hb needs the {', '.join(missing)} checkpoints")
        m, pre = self.cfg.model, self.preprocessing
        envelope, _ = load_networks(
            self.pretrained["env"], {"hf_envelope": "hf_envelope"}, "env", m, pre
        )
        frozen: dict[str, Any] = {}
        for sub in ("bb", "fl"):
            nets, _ = load_networks(self.pretrained[sub], autoencoder_names(sub), sub, m, pre)
            frozen.update({f"{k}_{sub}": v for k, v in nets.items()})
        frozen.update(envelope)
        gen = {name: build_network(name, m) for name in ("fl_to_bb", "bb_to_fl")}
        if self.settings.finetune:
            gen.update({name: frozen.pop(name) for name in FINETUNED})
        disc = {
            "d_latent": self.discriminator(0, m.nzf + m.nzd),
            "d_signal": self.discriminator(6, 0),
        }
        self.band = merge_band(pre)
        self.nets = Networks(gen, disc, frozen)
        return self.nets

    def learning_rates(self) -> dict[str, float]:
        rates = super().learning_rates()
        for name in FINETUNED:
            if name in rates:
                rates[name] *= self.settings.finetune_lr_factor
        return rates

    def forward(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Latents and the decoded BB signal ``x_hat`` (shaped, merged with the LF input) in
        units of the true BB peak."""
        n = self.nets.all()
        x_bb, x_lf = batch["bb"], batch["lf"]
        with torch.no_grad():
            z_d = n["encoder_bb"](x_bb)
        z_f = n["encoder_fl"](x_lf)
        z_d_hat = n["fl_to_bb"](z_f)
        raw = n["decoder_bb"](z_d_hat)
        bb = shaped_merge(physical(batch, "lf"), raw, n["hf_envelope"], self.band)
        x_hat = bb / batch["bb_scale"].reshape(-1, 1, 1)
        return {
            "x_bb": x_bb,
            "x_lf": x_lf,
            "z_d": z_d,
            "z_f": z_f,
            "z_d_hat": z_d_hat,
            "x_hat": x_hat,
        }

    def discriminator_losses(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        with torch.no_grad():
            f = self.forward(batch)
        return {
            "d_latent": self.critic("d_latent", *self._latent_pairs(f)),
            "d_signal": self.critic("d_signal", *self._signal_pairs(f)),
        }

    @staticmethod
    def _latent_pairs(f: dict[str, torch.Tensor]) -> tuple[dict, dict]:
        real, fake = torch.cat([f["z_f"], f["z_d"]], 1), torch.cat([f["z_f"], f["z_d_hat"]], 1)
        return {"z": real}, {"z": fake}

    @staticmethod
    def _signal_pairs(f: dict[str, torch.Tensor]) -> tuple[dict, dict]:
        real, fake = torch.cat([f["x_lf"], f["x_bb"]], 1), torch.cat([f["x_lf"], f["x_hat"]], 1)
        return {"x": real}, {"x": fake}

    def generator_losses(self, batch: dict[str, torch.Tensor]) -> list[Term]:
        n, w = self.nets.all(), self.loss
        f = self.forward(batch)
        x_hat, x_bb, z_d, z_f, z_d_hat = f["x_hat"], f["x_bb"], f["z_d"], f["z_f"], f["z_d_hat"]
        if max(w.cycle_z, w.cycle_x, w.latent) > 0:
            z_f_hat = n["bb_to_fl"](z_d)
        terms = []
        if w.joint > 0:
            terms.append(Term("joint", w.joint, self.fool("d_latent", *self._latent_pairs(f))))
        if w.pair_x > 0:
            terms.append(Term("pair_x", w.pair_x, self.fool("d_signal", *self._signal_pairs(f))))
        if w.cycle_z > 0:
            value = l1(n["bb_to_fl"](z_d_hat), z_f.detach()) + l1(n["fl_to_bb"](z_f_hat), z_d)
            terms.append(Term("cycle_z", w.cycle_z, value))
        if w.cycle_x > 0:
            value = l1(n["decoder_bb"](n["fl_to_bb"](z_f_hat)), x_bb) + l1(
                n["decoder_fl"](n["bb_to_fl"](z_d_hat)), f["x_lf"]
            )
            terms.append(Term("cycle_x", w.cycle_x, value))
        if w.latent > 0:
            value = l1(z_d_hat, z_d) + l1(z_f_hat, z_f.detach())
            terms.append(Term("latent", w.latent, value))
        if w.signal > 0:
            terms.append(Term("signal", w.signal, l1(x_hat, x_bb)))
        return terms + spectral_terms(w, x_hat, x_bb)

    @torch.no_grad()
    def prepare(self, train_set: Dataset) -> None:
        """Calibrate the frozen envelope predictor on the first training records
        (:meth:`~seismoalice.models.EnvelopePredictor.calibrate`; Gaussian-noise texture from a
        generator seeded with the run's seed, so every rank gets the same correction)."""
        predictor = self.nets.frozen["hf_envelope"]
        noise = torch.Generator().manual_seed(self.cfg.seed)
        subset = Subset(train_set, range(min(N_CALIBRATION_RECORDS, len(train_set))))
        bb, generated = [], []
        for batch in DataLoader(subset, batch_size=64, num_workers=0):
            lf = physical(batch, "lf").to(predictor.norm.device)
            texture = torch.randn(lf.shape, generator=noise).to(lf.device)
            generated.append(shaped_merge(lf, texture, predictor, self.band).cpu())
            bb.append(physical(batch, "bb"))
        dt = 1.0 / float(self.preprocessing["sampling_rate"])
        predictor.calibrate(torch.cat(bb), torch.cat(generated), dt)

    def generator(self) -> HybridGenerator:
        """The inference chain of the current networks (:class:`~seismoalice.models.HybridGenerator`
        sharing them)."""
        n = self.nets.all()
        nets = {name: n[name] for name in ("encoder_fl", "fl_to_bb", "decoder_bb", "hf_envelope")}
        return HybridGenerator(self.cfg.model, self.preprocessing, nets)

    def predict(self, batch: dict[str, torch.Tensor]) -> Prediction:
        """The full LF → BB pipeline of :class:`~seismoalice.models.HybridGenerator`."""
        lf = physical(batch, "lf")
        return Prediction(physical(batch, "bb"), self.generator()(lf), lf)
