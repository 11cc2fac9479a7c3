"""ALICE networks for broadband ground motion (Gatti & Clouteau 2020).

Gatti F., Clouteau D. (2020). Towards blending physics-based numerical simulations and seismic
databases using generative adversarial network. Computer Methods in Applied Mechanics and
Engineering. Losses after Li et al. (2017, ALICE), Dumoulin et al. (2017, ALI) and Donahue et
al. (2017, BiGAN).

- :mod:`.blocks`: convolution blocks and the noise concatenation ``[x; ε]``.
- :mod:`.autoencoder`: encoder F_x, decoder G_z (``bb`` and ``fl``) and the latent maps.
- :mod:`.discriminators`: joint D(x, z) and pair critics D(x, x̂), D(z, ẑ).
- :mod:`.envelope`: time–frequency envelopes and the predictor of the HF one from the LF input.
- :mod:`.merge`: matched filters that add the generated high frequencies to the LF input.
- :mod:`.hybrid`: the LF → BB generator in physical units.
- :mod:`.config`, :mod:`.factory`: architectures; build, save and load networks.
"""

from seismoalice.models.autoencoder import Decoder, Encoder, LatentMap, renormalise
from seismoalice.models.config import ModelConfig
from seismoalice.models.discriminators import Discriminator
from seismoalice.models.envelope import (
    EnvelopeBands,
    EnvelopePredictor,
    log_band_power,
    shape_to_envelope,
)
from seismoalice.models.factory import (
    build_discriminator,
    build_network,
    envelope_bands,
    load_networks,
)
from seismoalice.models.hybrid import HybridGenerator
from seismoalice.models.merge import MergeBand, matched_highpass, merge_band, shaped_merge

__all__ = [
    "Decoder",
    "Discriminator",
    "Encoder",
    "EnvelopeBands",
    "EnvelopePredictor",
    "HybridGenerator",
    "LatentMap",
    "MergeBand",
    "ModelConfig",
    "build_discriminator",
    "build_network",
    "envelope_bands",
    "load_networks",
    "log_band_power",
    "matched_highpass",
    "merge_band",
    "renormalise",
    "shape_to_envelope",
    "shaped_merge",
]
