"""Evaluation of generated ground motion against recorded reference motion.

``compute`` runs every ground-motion metric on matched record pairs and summarises the
residuals and goodness-of-fit scores; ``plots`` draws the paper figures; ``report`` writes the
self-contained HTML page. Every plot and report function takes ``{method_name: result}`` so
that one figure or page can compare several methods against the same reference.
"""

from seismoalice.evaluation.compute import evaluate_datasets, evaluate_pairs
from seismoalice.evaluation.config import EvaluationConfig
from seismoalice.evaluation.inputs import Records, read_records
from seismoalice.evaluation.result import EvaluationResult

__all__ = [
    "EvaluationConfig",
    "EvaluationResult",
    "Records",
    "evaluate_datasets",
    "evaluate_pairs",
    "read_records",
]
