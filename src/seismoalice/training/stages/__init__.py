"""The training stages, one class each, behind :class:`~.base.Stage` (see its docstring).

``bb``, ``fl``: ALICE autoencoders; ``env``: the HF envelope predictor; ``hb``: latent maps
from fl to bb with the frozen networks of the three others. :data:`STAGES` names them in the
order they are trained.
"""

from seismoalice.training.stages.autoencoder import BroadbandStage, FilteredStage
from seismoalice.training.stages.base import Networks, Prediction, Stage, Term
from seismoalice.training.stages.envelope import EnvelopeStage
from seismoalice.training.stages.hybrid import HybridStage

STAGES: dict[str, type[Stage]] = {
    cls.name: cls for cls in (BroadbandStage, FilteredStage, EnvelopeStage, HybridStage)
}

__all__ = [
    "STAGES",
    "BroadbandStage",
    "EnvelopeStage",
    "FilteredStage",
    "HybridStage",
    "Networks",
    "Prediction",
    "Stage",
    "Term",
]
