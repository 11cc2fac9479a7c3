"""Stage ``env``: the HF envelope predictor, trained by least squares (no discriminator).

Target: ln band–frame power ``(N, 3, K, J)`` of the part of the BB record above fc (the
power-complementary high-pass of :func:`seismoalice.models.shaped_merge`), predicted from the
LF record, both in m/s² (this package's design, see :mod:`seismoalice.models.envelope`).
"""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, Dataset, Subset

from seismoalice.models import (
    EnvelopePredictor,
    build_network,
    log_band_power,
    matched_highpass,
    merge_band,
    shaped_merge,
)
from seismoalice.training.config import EnvelopeStageConfig
from seismoalice.training.losses import band_energy_loss, envelope_loss
from seismoalice.training.stages.base import Networks, Prediction, Term, WaveformStage, physical

N_INIT_RECORDS = 512  # training records that set the predictor's standardisation


class EnvelopeStage(WaveformStage):
    """The network ``hf_envelope`` (:class:`~seismoalice.models.EnvelopePredictor`)."""

    name = "env"

    @property
    def settings(self) -> EnvelopeStageConfig:
        return self.cfg.stages.env

    @property
    def predictor(self) -> EnvelopePredictor:
        return self.nets.gen["hf_envelope"]

    def build(self) -> Networks:
        self.band = merge_band(self.preprocessing)
        predictor = build_network("hf_envelope", self.cfg.model, self.preprocessing)
        self.nets = Networks({"hf_envelope": predictor}, {})
        return self.nets

    def target(self, bb: torch.Tensor) -> torch.Tensor:
        """ln band–frame power ``(N, 3, K, J)`` of the part of ``bb`` [m/s²] above fc."""
        bands = self.predictor.bands
        hf = matched_highpass(bb, self.band, power=True)
        return log_band_power(hf, bands.fs, bands.hf_centres, bands.frame)

    @torch.no_grad()
    def prepare(self, train_set: Dataset) -> None:
        """Standardise the predictor's inputs and outputs with the first training records."""
        subset = Subset(train_set, range(min(N_INIT_RECORDS, len(train_set))))
        lf_logs, hf_logs = [], []
        for batch in DataLoader(subset, batch_size=64, num_workers=0):
            lf_logs.append(self.predictor.lf_features(physical(batch, "lf")))
            hf_logs.append(self.target(physical(batch, "bb")))
        self.predictor.init_normalisation(torch.cat(lf_logs), torch.cat(hf_logs))

    def generator_losses(self, batch: dict[str, torch.Tensor]) -> list[Term]:
        w = self.settings.loss
        with torch.no_grad():
            target = self.target(physical(batch, "bb"))
        pred = self.predictor(physical(batch, "lf"))
        terms = []
        if w.envelope > 0:
            terms.append(Term("envelope", w.envelope, envelope_loss(pred, target)))
        if w.band_energy > 0:
            terms.append(Term("band_energy", w.band_energy, band_energy_loss(pred, target)))
        return terms

    def predict(self, batch: dict[str, torch.Tensor]) -> Prediction:
        """The LF input plus Gaussian noise given the predicted HF envelope."""
        lf = physical(batch, "lf")
        generated = shaped_merge(lf, torch.randn_like(lf), self.predictor, self.band)
        return Prediction(physical(batch, "bb"), generated)
