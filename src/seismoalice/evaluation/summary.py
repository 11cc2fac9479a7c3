"""Statistics over records of an evaluation's residuals and scores (SCEC BBP conventions)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from seismoalice.evaluation.config import HORIZONTALS, LOG_RESIDUAL_MEASURES, PSA_PERIOD_BANDS
from seismoalice.evaluation.inputs import COMPONENTS
from seismoalice.evaluation.result import EvaluationResult
from seismoalice.evaluation.waveform import classifier_test, summarise_waveform


def _band_counts(scores: np.ndarray) -> dict[str, int]:
    """Records per verbal quality band (Anderson 2004; Kristeková et al. 2009) of 0–10 scores."""
    from seismoalice.metrics.anderson import QUALITY_BANDS, quality_label

    labels = quality_label(scores[np.isfinite(scores)]).tolist()
    return {name: labels.count(name) for _, name in QUALITY_BANDS}


def residual_summary(r: np.ndarray) -> dict[str, list | float]:
    """Bias, σ, σ0, 90% band of the bias (``ci90_low``, ``ci90_high``) and count ``n`` over
    records (axis 0) of ln residuals ``r``; NaN entries are left out.

    SCEC BBP ``resid2uncer_varN`` statistics (metrics.md §8).
    """
    from seismoalice.metrics.residuals import residual_stats

    stats = residual_stats(r, confidence=0.90)
    names = {"ci_low": "ci90_low", "ci_high": "ci90_high"}
    return {names.get(k, k): np.asarray(v).tolist() for k, v in stats.items()}


def log_residuals(ref: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """r = ln(ref/pred) (SCEC BBP sign: r > 0 when the prediction under-predicts).

    Non-positive measures (log undefined) give NaN and so drop out of the statistics.
    """
    from seismoalice.metrics.residuals import ln_residuals

    ref, pred = (np.where(x > 0, x, np.nan) for x in (ref, pred))
    return ln_residuals(ref, pred)


def _nanmedian(values: np.ndarray) -> np.ndarray:
    """Median over records (axis 0) ignoring NaN; NaN, without a warning, where all are NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(values, axis=0)


def _finite_mean(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else None


def _band_means(bias: np.ndarray, sigma: np.ndarray, periods: np.ndarray) -> list[dict]:
    """Per-period bias and σ averaged over the periods [s] of each of ``PSA_PERIOD_BANDS``."""
    rows = []
    for low, high in PSA_PERIOD_BANDS:
        inside = (periods >= low) & (periods <= high)
        rows.append(
            {
                "periods_s": [low, high],
                "n_periods": int(inside.sum()),
                "bias": _finite_mean(bias[inside]),
                "sigma": _finite_mean(sigma[inside]),
            }
        )
    return rows


def summarise(result: EvaluationResult) -> dict[str, Any]:
    """Statistics over records of a result's residuals and scores.

    Returns a dict with ``psa`` (per component and ``rotd50``: per-period statistics from
    :func:`residual_summary`), ``fas`` (per component) and ``eas`` (per frequency), ``scalars``
    (per measure: per component and the two horizontals pooled), ``psa_bands`` (RotD50 bias and
    σ averaged over the periods of 0.02–0.1, 0.1–0.3, 0.3–1 and 1–3 s), ``duration_ratio``
    (median pred/ref D5-75 and D5-95 over the horizontals), ``tf_gof`` (median and quality-band
    counts of the component-mean EG, PG, EM, PM), ``anderson`` (median and mean record score,
    median per criterion, band counts), ``waveform`` (pred and ref medians of the waveform
    measures, :func:`~seismoalice.evaluation.waveform.summarise_waveform`) and ``two_sample``
    (the classifier two-sample test, :func:`~seismoalice.evaluation.waveform.classifier_test`).
    """
    res = result.residuals
    horizontal = list(HORIZONTALS)
    per_comp = {
        key: {c: residual_summary(res[key][:, i]) for i, c in enumerate(COMPONENTS)}
        for key in ("psa", "fas")
    }
    per_comp["psa"]["rotd50"] = residual_summary(res["psa_rotd50"])
    rotd = per_comp["psa"]["rotd50"]
    scalars = {
        key: {c: residual_summary(res[key][:, i]) for i, c in enumerate(COMPONENTS)}
        | {"horizontal": residual_summary(res[key][:, horizontal].reshape(-1))}
        for key in LOG_RESIDUAL_MEASURES
        if res[key].ndim == 2 and res[key].shape[1] == len(COMPONENTS)
    }
    ratios = {
        key: float(np.nanmedian(result.pred[key][:, horizontal] / result.ref[key][:, horizontal]))
        for key in ("d5_75", "d5_95")
    }
    tf = {}
    for key in ("eg", "pg", "em", "pm"):
        record_mean = np.nanmean(result.gof[key], axis=1)
        tf[key] = {
            "median": float(np.nanmedian(record_mean)),
            "median_per_component": dict(
                zip(COMPONENTS, _nanmedian(result.gof[key]).tolist(), strict=True)
            ),
        } | ({"bands": _band_counts(record_mean)} if key in ("eg", "pg") else {})
    score = result.gof["anderson_score"]
    anderson = {
        "median_score": float(np.nanmedian(score)),
        "mean_score": float(np.nanmean(score)),
        "criteria_median": {
            f"C{i + 1}": float(v) for i, v in enumerate(np.nanmedian(result.gof["anderson"], 0))
        },
        "bands": _band_counts(score),
    }
    return {
        "n_records": len(result.names),
        "psa": per_comp["psa"],
        "fas": per_comp["fas"],
        "eas": residual_summary(res["eas"]),
        "scalars": scalars,
        "psa_bands": _band_means(
            np.asarray(rotd["bias"], float), np.asarray(rotd["sigma"], float), result.periods
        ),
        "duration_ratio": ratios,
        "tf_gof": tf,
        "anderson": anderson,
        "waveform": summarise_waveform(
            result.pred, result.ref, result.gof, result.waveform_frequencies
        ),
        "two_sample": classifier_test(
            result.pred["texture"], result.ref["texture"], result.config.classifier_seed
        ),
    }
