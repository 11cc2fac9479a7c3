"""Build every ALICE network from its config; load networks from checkpoints.

The model API, like SeisBench's ``get_model_args``/``load``: a network is named by what it is
(:data:`NETWORKS`) and built from a :class:`~seismoalice.models.config.ModelConfig` (and, for the
envelope predictor, the data set's preprocessing: sampling rate and fc) by
:func:`build_network`. A checkpoint directory (:mod:`seismoalice.checkpoint`:
``model.safetensors`` + ``config.json`` with ``stage``, ``model`` and ``preprocessing``) is read
back by :func:`load_networks`, which rebuilds the networks from the stored config, or from a
given one after checking that both agree on what those networks use. Stage bb and fl
checkpoints call their networks ``encoder`` and ``decoder`` (:func:`autoencoder_names`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from torch import nn

from seismoalice.checkpoint import check_compatible, load_modules, read_checkpoint
from seismoalice.errors import CheckpointError
from seismoalice.models.autoencoder import Decoder, Encoder, LatentMap
from seismoalice.models.config import ModelConfig
from seismoalice.models.discriminators import Discriminator
from seismoalice.models.envelope import EnvelopeBands, EnvelopePredictor

NETWORKS = ("encoder_bb", "decoder_bb", "encoder_fl", "decoder_fl", "fl_to_bb", "bb_to_fl")
ENVELOPE = "hf_envelope"
AUTOENCODER_FIELDS = ("nzd", "nzf", "ndf", "decoder", "noise", "negative_slope")
MAP_FIELDS = ("nzd", "nzf", "map_width", "noise")
ENVELOPE_FIELDS = ("envelope_bands", "envelope_frame_s", "envelope_width", "negative_slope")
FIELDS = {
    **dict.fromkeys(NETWORKS[:4], AUTOENCODER_FIELDS),
    **dict.fromkeys(NETWORKS[4:], MAP_FIELDS),
    ENVELOPE: ENVELOPE_FIELDS,
}


def envelope_bands(m: ModelConfig, preprocessing: Mapping[str, Any]) -> EnvelopeBands:
    """The HF envelope bands and frames for the data set's sampling rate and fc."""
    return EnvelopeBands.default(
        float(preprocessing["sampling_rate"]),
        float(preprocessing["fc"]),
        m.envelope_bands,
        m.envelope_frame_s,
    )


def build_network(
    name: str, m: ModelConfig, preprocessing: Mapping[str, Any] | None = None
) -> nn.Module:
    """A fresh network ``name`` (one of :data:`NETWORKS` or ``hf_envelope``, which needs the
    ``preprocessing``) with the sizes of ``m``."""
    if name in ("encoder_bb", "encoder_fl"):
        nz = m.nzd if name == "encoder_bb" else m.nzf
        return Encoder(nz, m.ndf, noise=m.noise, negative_slope=m.negative_slope)
    if name in ("decoder_bb", "decoder_fl"):
        nz = m.nzd if name == "decoder_bb" else m.nzf
        return Decoder(nz, m.ndf, noise=m.noise, upsample=m.decoder)
    if name == "fl_to_bb":
        return LatentMap(m.nzf, m.nzd, m.map_width, m.noise)
    if name == "bb_to_fl":
        return LatentMap(m.nzd, m.nzf, m.map_width, m.noise)
    if name == ENVELOPE:
        if preprocessing is None:
            raise ValueError("the envelope predictor needs the preprocessing (fs, fc)")
        return EnvelopePredictor(
            envelope_bands(m, preprocessing), 3, m.envelope_width, m.negative_slope
        )
    raise ValueError(f"unknown network {name!r}; known: {', '.join((*NETWORKS, ENVELOPE))}")


def build_discriminator(
    m: ModelConfig, x_channels: int, z_channels: int, norm: bool = True
) -> Discriminator:
    """A discriminator D(x, z) with the widths of ``m`` (``norm``: BatchNorm, off for WGAN-GP)."""
    return Discriminator(
        x_channels,
        z_channels,
        m.ndf_d,
        m.width_d,
        norm=norm,
        dropout=m.dropout_d,
        negative_slope=m.negative_slope,
    )


def autoencoder_names(stage: str) -> dict[str, str]:
    """Checkpoint names → network names of a bb or fl checkpoint."""
    return {"encoder": f"encoder_{stage}", "decoder": f"decoder_{stage}"}


def model_config(config: Mapping[str, Any], source: str) -> ModelConfig:
    """The architecture stored in a checkpoint's config; CheckpointError if missing or invalid."""
    if not isinstance(config.get("model"), dict):
        raise CheckpointError(f"{source}: config.json has no model architecture ('model')")
    try:
        return ModelConfig.model_validate(config["model"])
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'model'}: {e['msg']}" for e in exc.errors()
        )
        raise CheckpointError(f"{source}: invalid model architecture ({reasons})") from None


def load_networks(
    directory: str | Path,
    names: Mapping[str, str],
    stage: str,
    model: ModelConfig | None = None,
    preprocessing: Mapping[str, Any] | None = None,
) -> tuple[dict[str, nn.Module], dict[str, Any]]:
    """Networks of a ``stage`` checkpoint, built and loaded; returns them and the config.

    ``names`` maps checkpoint names to network names (e.g. ``{"encoder": "encoder_bb"}``);
    networks are returned under their checkpoint names. With ``model`` (``preprocessing``) they
    are built with that architecture (for those sampling rate, nt and fc) after checking that the
    checkpoint's agrees on the fields these networks use; otherwise with the checkpoint's own.
    CheckpointError for another stage, architecture or preprocessing, or unreadable files.
    """
    tensors, config = read_checkpoint(directory)
    source = str(directory)
    if config.get("stage") != stage:
        raise CheckpointError(f"{source}: is a '{config.get('stage')}' checkpoint, not '{stage}'")
    if model is None:
        model = model_config(config, source)
    else:
        used = {f for name in names.values() for f in FIELDS[name]}
        check_compatible(config, source, model=model.model_dump(mode="json", include=used))
    if preprocessing is None:
        preprocessing = config.get("preprocessing")
        if ENVELOPE in names.values() and not _has_band(preprocessing):
            raise CheckpointError(
                f"{source}: config.json lacks the preprocessing (sampling_rate, fc) of its data"
            )
    else:
        check_compatible(config, source, preprocessing=dict(preprocessing))
    nets = {key: build_network(name, model, preprocessing) for key, name in names.items()}
    load_modules(tensors, nets, source)
    return nets, config


def _has_band(preprocessing: Any) -> bool:
    if not isinstance(preprocessing, dict):
        return False
    try:
        return float(preprocessing["sampling_rate"]) > 0 and float(preprocessing["fc"]) > 0
    except (KeyError, TypeError, ValueError):
        return False
