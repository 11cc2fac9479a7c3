"""The LF → BB hybrid generator in physical units (Gatti & Clouteau 2020, with this package's
HF envelope).

x̂_BB = LF + HF part, where the HF part is G_bb(Ghz(F_fl(x_LF / peak))) high-passed and given the
time–frequency envelope that the :class:`~seismoalice.models.envelope.EnvelopePredictor`
predicts from the LF input (:func:`~seismoalice.models.merge.shaped_merge`). Build it fresh
with :meth:`HybridGenerator.from_config`, read a trained one with :meth:`HybridGenerator.load`
(an ``hb`` checkpoint of ``seismoalice train``), write one with :meth:`HybridGenerator.save`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from seismoalice import __version__
from seismoalice.checkpoint import save_checkpoint
from seismoalice.errors import CheckpointError
from seismoalice.models.config import ModelConfig
from seismoalice.models.factory import ENVELOPE, build_network, load_networks, model_config
from seismoalice.models.merge import merge_band, shaped_merge

STAGE = "hb"
NETWORKS = ("encoder_fl", "fl_to_bb", "decoder_bb", ENVELOPE)
PREPROCESSING_KEYS = ("sampling_rate", "nt", "fc")


class HybridGenerator(nn.Module):
    """LF accelerograms ``(N, 3, T)`` [m/s², ZNE] → broadband ``(N, 3, T)`` [m/s²].

    ``model`` is the architecture, ``preprocessing`` the training data's (``sampling_rate``
    [Hz], ``nt`` [samples], ``fc`` [Hz], ``filter_order``); ``networks`` the four trained
    networks of :data:`NETWORKS` (fresh ones when None). The networks see the LF input divided
    by its peak over components and time; the output keeps the input below fc/4 and adds the
    generated band above. Fresh noise at every call gives a new realisation.
    """

    def __init__(
        self,
        model: ModelConfig,
        preprocessing: dict[str, Any],
        networks: dict[str, nn.Module] | None = None,
    ) -> None:
        super().__init__()
        nets = networks or {name: build_network(name, model, preprocessing) for name in NETWORKS}
        self.model = model
        self.preprocessing = dict(preprocessing)
        self.encoder_fl = nets["encoder_fl"]
        self.fl_to_bb = nets["fl_to_bb"]
        self.decoder_bb = nets["decoder_bb"]
        self.hf_envelope = nets[ENVELOPE]
        self.merge = merge_band(preprocessing)

    @classmethod
    def from_config(cls, model: ModelConfig, preprocessing: dict[str, Any]) -> HybridGenerator:
        """A generator with freshly initialised networks."""
        return cls(model, preprocessing)

    @classmethod
    def load(cls, directory: str | Path) -> HybridGenerator:
        """The generator of an ``hb`` checkpoint directory; CheckpointError naming it if it is
        another stage, unreadable, or built for another architecture."""
        nets, config = load_networks(directory, {name: name for name in NETWORKS}, STAGE)
        pre = config.get("preprocessing")
        if not isinstance(pre, dict) or any(k not in pre for k in PREPROCESSING_KEYS):
            raise CheckpointError(
                f"{directory}: config.json lacks the preprocessing {list(PREPROCESSING_KEYS)}"
            )
        return cls(model_config(config, str(directory)), pre, nets)

    def get_model_args(self) -> dict[str, Any]:
        """What rebuilds this generator: architecture and preprocessing (JSON-able)."""
        return {"model": self.model.model_dump(mode="json"), "preprocessing": self.preprocessing}

    def save(self, directory: str | Path, extra: dict[str, Any] | None = None) -> Path:
        """Write an ``hb`` checkpoint that :meth:`load` reads (``extra``: more config keys)."""
        config = {"stage": STAGE, "package_version": __version__, **self.get_model_args()}
        return save_checkpoint(directory, self.networks(), {**config, **(extra or {})})

    def networks(self) -> dict[str, nn.Module]:
        """The four networks under their checkpoint names (:data:`NETWORKS`)."""
        return {
            "encoder_fl": self.encoder_fl,
            "fl_to_bb": self.fl_to_bb,
            "decoder_bb": self.decoder_bb,
            ENVELOPE: self.hf_envelope,
        }

    def forward(self, lf: torch.Tensor) -> torch.Tensor:
        peak = lf.abs().amax(dim=(1, 2), keepdim=True)
        x = lf / torch.where(peak > 0, peak, torch.ones_like(peak))
        raw = self.decoder_bb(self.fl_to_bb(self.encoder_fl(x)))
        return shaped_merge(lf, raw, self.hf_envelope, self.merge)
