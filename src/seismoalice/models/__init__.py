"""ALICE networks for broadband ground motion (Gatti & Clouteau 2020).

Gatti F., Clouteau D. (2020). Towards blending physics-based numerical simulations and seismic
databases using generative adversarial network. Computer Methods in Applied Mechanics and
Engineering. Losses after Li et al. (2017, ALICE), Dumoulin et al. (2017, ALI) and Donahue et
al. (2017, BiGAN).

- :mod:`.blocks`: convolution blocks and the noise concatenation ``[x; ε]``.
- :mod:`.autoencoder`: encoder F_x and decoder G_z (``bb`` and ``fl`` autoencoders).
- :mod:`.discriminators`: joint D(x, z) and pair critics D(x, x̂), D(z, ẑ).
- :mod:`.hybrid`: latent maps between the two autoencoders and the LF → BB generator.
- :mod:`.amplitude`: the head that predicts ln(bb_peak / lf_peak).
- :mod:`.envelope`: time–frequency envelopes and the predictor of the HF one from the LF input.
"""

from seismoalice.models.amplitude import AmplitudeHead
from seismoalice.models.autoencoder import Decoder, Encoder
from seismoalice.models.discriminators import Discriminator
from seismoalice.models.envelope import (
    EnvelopeBands,
    EnvelopePredictor,
    envelope_losses,
    log_band_power,
    shape_to_envelope,
)
from seismoalice.models.hybrid import (
    HybridGenerator,
    LatentMap,
    MergeBand,
    matched_highpass,
    merge_lf,
    renormalise,
    shaped_merge,
)

__all__ = [
    "AmplitudeHead",
    "Decoder",
    "Discriminator",
    "Encoder",
    "EnvelopeBands",
    "EnvelopePredictor",
    "HybridGenerator",
    "LatentMap",
    "MergeBand",
    "envelope_losses",
    "log_band_power",
    "matched_highpass",
    "merge_lf",
    "renormalise",
    "shape_to_envelope",
    "shaped_merge",
]
