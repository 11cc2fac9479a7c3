"""The result of an evaluation: per-record measures, scores, residuals and their summary."""

from __future__ import annotations

import datetime as dt_module
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seismoalice import __version__
from seismoalice.evaluation.config import (
    LOG_RESIDUAL_MEASURES,
    SCALAR_MEASURES,
    WAVEFORM_SCALARS,
    EvaluationConfig,
)
from seismoalice.evaluation.inputs import COMPONENTS
from seismoalice.io_utils import atomic_path


@dataclass
class EvaluationResult:
    """Per-record measures, residuals, scores and their summary for one method.

    Shapes: N records, C = 3 components (ZNE), P periods, F smoothing frequencies.

    Attributes:
        names: record names, length N.
        dt: sampling interval [s].
        periods: PSA periods [s], (P,).
        frequencies: Konno–Ohmachi centre frequencies [Hz], (F,).
        waveform_frequencies: frequencies of the coherence and H/V curves [Hz], (Fw,).
        pred, ref: measures of predictions and references: ``psa`` (N, C, P) and ``psa_rotd50``
            (N, P) [m/s²], ``fas`` (N, C, F) and ``eas`` (N, F) [m/s], ``pga`` [m/s²], ``pgv``
            [m/s], ``pgd`` [m], ``arias`` [m/s], ``cav`` [m/s], ``d5_75`` and ``d5_95`` [s], (N, C);
            waveform measures ``coherence`` (N, 3, Fw) of the pairs ZN, ZE, NE, ``hv`` (N, Fw),
            ``p_energy_fraction`` and ``fas_fine_sigma`` (N, C), ``texture`` (N, K) features
            (:mod:`seismoalice.evaluation.waveform`); NaN where undefined.
        gof: ``eg``, ``pg``, ``em``, ``pm`` (N, C) with pred tested against ref; ``anderson``
            (N, 10) criterion scores C1–C10 and ``anderson_score`` (N,), all on 0–10;
            ``fine_structure_residual_sigma`` (N, C) [ln units].
        residuals: ln(ref/pred) of the measures in ``LOG_RESIDUAL_MEASURES``, shapes as above.
        summary: statistics over records (see :func:`summarise`).
        skipped: records left out, ``{"name", "reason"}``.
        inputs: where the records came from (paths, split).
        examples: up to ``config.n_examples`` records for the overlay figures (not written to
            JSON): ``name``, ``index`` (row in the arrays above), ``pred`` and ``ref`` waveforms
            (C, T) [m/s²] and their Husid curves ``husid_pred``, ``husid_ref`` (C, T).
    """

    names: list[str]
    dt: float
    config: EvaluationConfig
    periods: np.ndarray
    frequencies: np.ndarray
    waveform_frequencies: np.ndarray
    pred: dict[str, np.ndarray]
    ref: dict[str, np.ndarray]
    gof: dict[str, np.ndarray]
    residuals: dict[str, np.ndarray]
    summary: dict[str, Any]
    skipped: list[dict[str, str]] = field(default_factory=list)
    inputs: dict[str, str | None] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Summary and compact per-record values as JSON-ready types (for ``metrics.json``).

        Per record (6 significant digits): the scalar measures of pred and ref (N, C), every
        score in ``gof`` and the residuals of the scalars, the RotD50 PSA (N, P) and the EAS
        (N, F). The per-component spectra are left to :meth:`save_arrays` to keep the file
        small for thousands of records; the example waveforms are not written.
        """
        per_record = [k for k in LOG_RESIDUAL_MEASURES if k not in ("psa", "fas")]
        return {
            "seismoalice_version": __version__,
            "created": dt_module.datetime.now(dt_module.UTC).isoformat(timespec="seconds"),
            "inputs": self.inputs,
            "config": asdict(self.config),
            "dt_s": self.dt,
            "components": COMPONENTS,
            "n_records": len(self.names),
            "n_skipped": len(self.skipped),
            "skipped": self.skipped,
            "periods_s": self.periods.tolist(),
            "frequencies_hz": self.frequencies.tolist(),
            "waveform_frequencies_hz": self.waveform_frequencies.tolist(),
            "summary": self.summary,
            "records": {
                "names": self.names,
                "pred": _rounded(self.pred, SCALAR_MEASURES + WAVEFORM_SCALARS),
                "ref": _rounded(self.ref, SCALAR_MEASURES + WAVEFORM_SCALARS),
                "gof": _rounded(self.gof, tuple(self.gof)),
                "residuals": _rounded(self.residuals, per_record),
            },
        }

    def save_arrays(self, path: str | Path) -> Path:
        """Write every per-record array to an ``.npz`` file atomically (no pickle).

        Keys ``pred_<measure>``, ``ref_<measure>``, ``gof_<score>``, ``residuals_<measure>``
        (shapes as in the class docstring), plus ``names``, ``periods`` [s], ``frequencies`` and
        ``waveform_frequencies`` [Hz].
        """
        arrays = {
            f"{group}_{key}": value
            for group in ("pred", "ref", "gof", "residuals")
            for key, value in getattr(self, group).items()
        }
        arrays |= {"names": np.array(self.names, dtype=str), "periods": self.periods}
        arrays["frequencies"] = self.frequencies
        arrays["waveform_frequencies"] = self.waveform_frequencies
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        return Path(path)


def _rounded(arrays: dict[str, np.ndarray], keys: Sequence[str]) -> dict[str, list]:
    """``arrays[key]`` as nested lists of floats rounded to 6 significant digits."""
    out = {}
    for key in keys:
        values = np.asarray(arrays[key], dtype=np.float64)
        flat = [float(f"{v:.6g}") for v in values.ravel().tolist()]
        out[key] = np.array(flat).reshape(values.shape).tolist()
    return out
