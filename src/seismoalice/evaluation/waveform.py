"""Waveform measures of an evaluation: what the level-based metrics do not see.

Per record (pred and ref alike, on the components present in both): inter-component coherence
and the H/V ratio vs frequency, the share of the high-frequency energy in the P window, the FAS
fine-structure σ and its texture features; per pair: the fine-structure residual σ; over all
records: a classifier two-sample test of generated against recorded motion.  Summaries compare
the medians of pred and ref (``difference`` = pred − ref) and count the records that define each
measure (coherence, H/V, P-window shares are NaN where undefined and left out).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from seismoalice.evaluation.config import HORIZONTALS, WAVEFORM_SCALARS, EvaluationConfig
from seismoalice.evaluation.inputs import COMPONENTS

_PAIR_NAMES = ("ZN", "ZE", "NE")
_MIN_CLASSIFIER_PAIRS = 10


def waveform_frequencies(cfg: EvaluationConfig) -> np.ndarray:
    """Log-spaced frequencies [Hz] of the coherence and H/V curves (see the config)."""
    low = max(cfg.fmin, 2.0 / cfg.coherence_segment_s)
    return np.geomspace(low, cfg.fmax, cfg.n_waveform_frequencies)


def waveform_measures(
    acc: np.ndarray,
    dt: float,
    cfg: EvaluationConfig,
    present: np.ndarray,
    lengths: np.ndarray,
    picks: tuple[np.ndarray, np.ndarray],
) -> dict[str, np.ndarray]:
    """Waveform measures of records ``acc`` (n, 3, T) [m/s²] of ``lengths`` (n,) samples.

    Returns ``coherence`` (n, 3, Fw) for the pairs ZN, ZE, NE; ``hv`` (n, Fw);
    ``p_energy_fraction`` and ``fas_fine_sigma`` [ln units] (n, 3); ``texture`` (n, K) features
    of the two-sample test.  ``picks`` are the P and S arrivals (n,) [samples], NaN if unknown.
    """
    from seismoalice.metrics.coherence import component_coherence
    from seismoalice.metrics.fine_structure import fas_fine_structure
    from seismoalice.metrics.hv import hv_ratio
    from seismoalice.metrics.p_window import p_window_energy_fraction
    from seismoalice.metrics.texture_features import texture_features

    freqs = waveform_frequencies(cfg)
    usable = lengths >= 2  # all-zero records (every component missing) define nothing
    size = np.maximum(lengths, 2)
    _, coherence = component_coherence(
        acc, dt, freqs, cfg.coherence_segment_s, cfg.ko_bandwidth, present, size
    )
    _, hv = hv_ratio(acc, dt, freqs, cfg.ko_bandwidth, mask=present, lengths=size)
    fraction = p_window_energy_fraction(
        acc, dt, picks[0], picks[1], cfg.hf_corner_hz, cfg.p_window_s, present, size
    )
    fine = fas_fine_structure(acc, dt, cfg.fmin, cfg.fmax, cfg.ko_bandwidth, present, size)
    texture = texture_features(acc, dt, mask=present, lengths=size)
    out = {"coherence": coherence, "hv": hv, "p_energy_fraction": fraction}
    out |= {"fas_fine_sigma": fine, "texture": texture}
    return {key: np.where(_expand(usable, value), value, np.nan) for key, value in out.items()}


def _expand(mask: np.ndarray, like: np.ndarray) -> np.ndarray:
    return mask.reshape(mask.shape + (1,) * (like.ndim - 1))


def fine_structure_pair_sigma(
    pred: np.ndarray,
    ref: np.ndarray,
    dt: float,
    cfg: EvaluationConfig,
    present: np.ndarray,
    lengths: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Fine-structure residual σ of ln(FAS_ref/FAS_pred) [ln units] (n, 3) over [fmin, fmax]."""
    from seismoalice.metrics.fine_structure import fine_structure_residual_sigma

    sizes = tuple(np.maximum(n, 2) for n in lengths)
    return fine_structure_residual_sigma(
        pred, ref, dt, cfg.fmin, cfg.fmax, cfg.ko_bandwidth, present, sizes
    )


def _quiet_stat(func: Any, values: np.ndarray, *args: Any) -> np.ndarray:
    """``func`` (a NaN-ignoring statistic over axis 0) without all-NaN warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return func(values, *args, axis=0)


def _compare(pred: np.ndarray, ref: np.ndarray) -> dict[str, Any]:
    """Medians over records of pred and ref, their difference and the counts of defined values."""
    med_p, med_r = _quiet_stat(np.nanmedian, pred), _quiet_stat(np.nanmedian, ref)
    return {
        "pred": np.asarray(med_p).tolist(),
        "ref": np.asarray(med_r).tolist(),
        "difference": np.asarray(med_p - med_r).tolist(),
        "n_pred": np.isfinite(pred).sum(axis=0).tolist(),
        "n_ref": np.isfinite(ref).sum(axis=0).tolist(),
    }


def _band(values: np.ndarray) -> dict[str, list]:
    """Median and 16th/84th percentiles over records (axis 0), NaN-ignoring, and the counts."""
    p16, p50, p84 = _quiet_stat(np.nanpercentile, values, [16, 50, 84])
    return {
        "median": p50.tolist(),
        "p16": p16.tolist(),
        "p84": p84.tolist(),
        "n": np.isfinite(values).sum(axis=0).tolist(),
    }


def _per_component(pred: np.ndarray, ref: np.ndarray) -> dict[str, Any]:
    horizontal = list(HORIZONTALS)
    out = {c: _compare(pred[:, i], ref[:, i]) for i, c in enumerate(COMPONENTS)}
    out["horizontal"] = _compare(pred[:, horizontal].reshape(-1), ref[:, horizontal].reshape(-1))
    out["all"] = _compare(pred.reshape(-1), ref.reshape(-1))
    return out


def summarise_waveform(
    pred: dict[str, np.ndarray],
    ref: dict[str, np.ndarray],
    gof: dict[str, np.ndarray],
    frequencies: np.ndarray,
) -> dict[str, Any]:
    """Summary of the waveform measures of one evaluation (JSON-ready).

    Keys: ``frequencies_hz``; ``coherence`` per pair (ZN, ZE, NE) with the pred and ref curves
    (median, 16th and 84th percentiles, count per frequency) and the comparison of the
    per-record means over frequency (``mean_over_frequency``; a record with any undefined
    frequency is left out); ``hv`` likewise, for the per-record mean of ln(H/V) over frequency;
    ``p_energy_fraction`` and ``fas_fine_sigma`` per component, the horizontals pooled and all
    components pooled; and ``fine_structure_residual_sigma`` (medians and counts, per
    component and pooled).
    """
    coherence = {
        name: {
            "pred": _band(pred["coherence"][:, k]),
            "ref": _band(ref["coherence"][:, k]),
            "mean_over_frequency": _compare(
                pred["coherence"][:, k].mean(axis=-1), ref["coherence"][:, k].mean(axis=-1)
            ),
        }
        for k, name in enumerate(_PAIR_NAMES)
    }
    with np.errstate(invalid="ignore", divide="ignore"):
        ln_hv = {side: np.log(values["hv"]) for side, values in (("pred", pred), ("ref", ref))}
    residual = gof["fine_structure_residual_sigma"]
    return {
        "frequencies_hz": frequencies.tolist(),
        "coherence": coherence,
        "hv": {
            "pred": _band(pred["hv"]),
            "ref": _band(ref["hv"]),
            "ln_mean_over_frequency": _compare(
                ln_hv["pred"].mean(axis=-1), ln_hv["ref"].mean(axis=-1)
            ),
        },
        **{key: _per_component(pred[key], ref[key]) for key in WAVEFORM_SCALARS},
        "fine_structure_residual_sigma": {
            "median": _quiet_stat(np.nanmedian, residual).tolist(),
            "median_all": float(_quiet_stat(np.nanmedian, residual.reshape(-1))),
            "n": np.isfinite(residual).sum(axis=0).tolist(),
        },
    }


def classifier_test(
    pred_features: np.ndarray, ref_features: np.ndarray, seed: int
) -> dict[str, Any]:
    """Classifier two-sample test of generated against recorded records within one evaluation.

    The record pairs are split in two halves by a permutation drawn from ``seed``; the
    classifier trains on the pred and ref records of one half and is scored on the other half
    (:func:`~seismoalice.metrics.two_sample.feature_two_sample_test`).  Records of one event can
    fall in both halves: for a held-out-event figure, call
    :func:`~seismoalice.metrics.two_sample.two_sample_accuracy` with an event split.

    Returns:
        The test's result as a dict, with ``split``; or ``{"skipped": reason}`` with fewer
        than 10 pairs.
    """
    from seismoalice.metrics.two_sample import feature_two_sample_test

    n = len(pred_features)
    if n < _MIN_CLASSIFIER_PAIRS:
        return {"skipped": f"{n} record pairs; the test needs ≥ {_MIN_CLASSIFIER_PAIRS}"}
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[: n // 2], order[n // 2 :]
    result = feature_two_sample_test(
        ref_features[train], pred_features[train], ref_features[test], pred_features[test], seed
    )
    return result.to_dict() | {"split": "record pairs in two halves (not by event)"}
