"""Architecture of the ALICE networks and the HF envelope predictor (validated by pydantic).

Stored as ``model`` in every checkpoint's config.json, from which :mod:`seismoalice.models.io`
rebuilds the networks. Unknown keys are errors; keys of variants that this version no longer
has are accepted only with the value that selects the kept path (see :data:`SUPERSEDED`), so
that configs and checkpoints written by earlier versions still load.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from seismoalice.models.autoencoder import N_DOWN

# key → value of the one path kept (None: any value, the key is ignored). Earlier versions had
# an amplitude head (amplitude_width, amplitude_peak) used unless hf_envelope, merge_lf: false
# and an LF-envelope modulation (lf_envelope > 0); only the hf_envelope path remains.
SUPERSEDED: dict[str, Any] = {
    "merge_lf": True,
    "hf_envelope": True,
    "lf_envelope": 0.0,
    "amplitude_width": None,
    "amplitude_peak": None,
}


class ModelConfig(BaseModel):
    """Architecture (defaults = the original SeismoALICE sizes; envelope: this package's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nzd: int = Field(32, ge=1, description="BB latent channels")
    nzf: int = Field(8, ge=1, description="LF latent channels")
    ndf: int = Field(32, ge=1, description="autoencoder base width")
    ndf_d: int = Field(32, ge=1, description="discriminator signal-trunk base width")
    width_d: int = Field(128, ge=1, description="discriminator latent trunk / head width")
    map_width: int = Field(32, ge=1, description="latent-map width (Ghz, Fhz)")
    decoder: Literal["transpose", "upsample"] = "transpose"
    noise: bool = True
    envelope_bands: int = Field(12, ge=2, description="env: HF bands between fc/2 and 0.4·fs")
    envelope_frame_s: float = Field(0.32, gt=0, description="env: frame length [s]")
    envelope_width: int = Field(64, ge=1, description="env: predictor width")
    negative_slope: float = Field(0.2, ge=0.0, lt=1.0)
    dropout_d: float = Field(0.25, ge=0.0, lt=1.0)

    @model_validator(mode="before")
    @classmethod
    def _drop_superseded(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for key, kept in SUPERSEDED.items():
            if key in data and kept is not None and data[key] != kept:
                raise ValueError(
                    f"{key}: {data[key]!r} selects a variant this version no longer has (only "
                    f"the HF-envelope path, {key}: {kept!r}); retrain with a current config"
                )
        return {k: v for k, v in data.items() if k not in SUPERSEDED}

    @property
    def min_length(self) -> int:
        """Smallest window length [samples] the networks accept; lengths must be multiples."""
        return 2**N_DOWN

    def check_length(self, nt: int) -> None:
        """ValueError unless ``nt`` samples fit the networks (a positive multiple of 32)."""
        if nt < self.min_length or nt % self.min_length:
            raise ValueError(
                f"nt = {nt} samples does not fit the networks: the encoder halves the length "
                f"{N_DOWN} times, so nt must be a multiple of {self.min_length} (smallest "
                f"{self.min_length}); prepare the data set with such an nt"
            )
