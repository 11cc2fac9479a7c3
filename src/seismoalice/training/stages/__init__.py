"""The training stages, one class each, behind :class:`~.base.Stage` (see its docstring).

``bb``, ``fl``: ALICE autoencoders; ``env``: the HF envelope predictor; ``hb``: latent maps
from fl to bb with the frozen networks of the three others; ``ann2bb``: the ANN2BB baseline's
networks. :data:`STAGES` names them (the ALICE ones in the order they are trained).
"""

from seismoalice.training.stages.ann2bb import Ann2bbStage
from seismoalice.training.stages.autoencoder import BroadbandStage, FilteredStage
from seismoalice.training.stages.base import Networks, Prediction, Stage, Term
from seismoalice.training.stages.envelope import EnvelopeStage
from seismoalice.training.stages.hybrid import HybridStage

STAGES: dict[str, type[Stage]] = {
    cls.name: cls
    for cls in (BroadbandStage, FilteredStage, EnvelopeStage, HybridStage, Ann2bbStage)
}

__all__ = [
    "STAGES",
    "Ann2bbStage",
    "BroadbandStage",
    "EnvelopeStage",
    "FilteredStage",
    "HybridStage",
    "Networks",
    "Prediction",
    "Stage",
    "Term",
]
