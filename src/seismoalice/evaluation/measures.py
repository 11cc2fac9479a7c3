"""Per-record ground-motion measures and pair scores of a chunk of (prediction, reference) pairs."""

from __future__ import annotations

import numpy as np

from seismoalice.evaluation.config import HORIZONTALS, EvaluationConfig
from seismoalice.evaluation.inputs import COMPONENTS
from seismoalice.evaluation.waveform import fine_structure_pair_sigma, waveform_measures


def bad_samples(pred: np.ndarray, ref: np.ndarray) -> list[str | None]:
    """Reason each pair cannot be evaluated, or ``None``.

    A pair is rejected for non-finite samples or an all-zero horizontal component (RotD50, EAS
    and the Anderson scores need both); an all-zero vertical is allowed (see
    :func:`components_present`).

    Args:
        pred, ref: accelerations, shape (N, C, T), ZNE order.
    """
    reasons: list[str | None] = []
    for p, r in zip(pred, ref, strict=True):
        flat = [i for i in HORIZONTALS if not (np.abs(p[i]).max() and np.abs(r[i]).max())]
        if not (np.isfinite(p).all() and np.isfinite(r).all()):
            reasons.append("non-finite samples (NaN or inf)")
        elif flat:
            reasons.append(f"horizontal component {COMPONENTS[flat[0]]} is all zeros")
        else:
            reasons.append(None)
    return reasons


def components_present(pred: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(N, C) mask of components that are not all zero in both ``pred`` and ``ref`` (N, C, T).

    Measures and scores of a missing component (e.g. records without a vertical) are NaN, so
    they drop out of the statistics instead of scoring a perfect fit of two zero traces.
    """
    return (np.abs(pred).max(axis=-1) > 0) & (np.abs(ref).max(axis=-1) > 0)


def record_measures(
    acc: np.ndarray,
    dt: float,
    periods: np.ndarray,
    frequencies: np.ndarray,
    cfg: EvaluationConfig,
    present: np.ndarray,
) -> dict[str, np.ndarray]:
    """Intensity measures of accelerograms ``acc`` (n, C, T) [m/s²] sampled every ``dt`` [s].

    Returns the arrays described in :class:`EvaluationResult` (``pred``/``ref``), NaN for the
    components where ``present`` (n, C) is False.
    """
    from seismoalice.metrics import fourier, intensity, psa
    from seismoalice.metrics.rotd import rotd

    h1, h2 = acc[:, HORIZONTALS[0]], acc[:, HORIZONTALS[1]]
    safe = np.where(present[..., None], acc, 1.0)  # durations need energy in every trace
    _, fas = fourier.smoothed_fas(acc, dt, frequencies, bandwidth=cfg.ko_bandwidth)
    _, eas = fourier.effective_amplitude_spectrum(h1, h2, dt, frequencies, cfg.eas_bandwidth)
    per_component = {
        "psa": psa.response_spectrum(acc, dt, periods, damping=cfg.damping),
        "fas": fas,
        "pga": intensity.pga(acc),
        "pgv": intensity.pgv(acc, dt),
        "pgd": intensity.pgd(acc, dt),
        "arias": intensity.arias_intensity(acc, dt),
        "cav": intensity.cav(acc, dt),
        "d5_75": intensity.significant_duration(safe, dt, 0.05, 0.75),
        "d5_95": intensity.significant_duration(safe, dt, 0.05, 0.95),
    }
    measures = {key: mask_missing(value, present) for key, value in per_component.items()}
    rotd50 = rotd(h1, h2, dt, periods, (50,), damping=cfg.damping)["psa"][..., 0, :]
    return measures | {"psa_rotd50": rotd50, "eas": eas}


def mask_missing(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """``values`` (n, C, ...) with NaN for the components where ``present`` (n, C) is False."""
    mask = present.reshape(present.shape + (1,) * (values.ndim - 2))
    return np.where(mask, values, np.nan)


def pair_scores(
    pred: np.ndarray,
    ref: np.ndarray,
    dt: float,
    cfg: EvaluationConfig,
    present: np.ndarray,
    horizontal_psa: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Goodness-of-fit of ``pred`` tested against ``ref``, both (n, C, T) [m/s²].

    EG/PG/EM/PM (Kristeková et al. 2006, 2009; global norm, ref as reference, A = 10, k = 1) per
    component over [fmin, fmax] (NaN where ``present`` (n, C) is False); Anderson (2004)
    criteria (SCEC BBP bands inside [fmin, fmax], C8 on the PSA module's default periods)
    averaged over the horizontals, and the record score.  ``horizontal_psa``: the horizontals'
    5%-damped PSA of pred and ref at the default periods (n, 2, P), if already computed.
    """
    from seismoalice.metrics.anderson import anderson_gof
    from seismoalice.metrics.tf_misfit import tf_gof

    tf = tf_gof(
        pred, ref, dt, fmin=cfg.fmin, fmax=cfg.fmax, nf=cfg.tf_nf, w0=cfg.tf_w0,
        norm="global", st2_isref=True, a=10.0, k=1.0, workers=-1,
    )  # fmt: skip
    horizontal = list(HORIZONTALS)
    anderson = anderson_gof(
        pred[:, horizontal], ref[:, horizontal], dt, usable_band=(cfg.fmin, cfg.fmax),
        damping=cfg.damping, psa=horizontal_psa,
    )  # fmt: skip
    return {key: mask_missing(np.asarray(tf[key]), present) for key in ("eg", "pg", "em", "pm")} | {
        "anderson": np.asarray(anderson["criteria"]).mean(axis=1),
        "anderson_score": np.asarray(anderson["score"]),
    }


def chunk_measures(
    pred: np.ndarray,
    ref: np.ndarray,
    dt: float,
    periods: np.ndarray,
    frequencies: np.ndarray,
    cfg: EvaluationConfig,
    picks: tuple[np.ndarray, np.ndarray],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every measure of a chunk of pairs ``pred``, ``ref`` (n, 3, T) [m/s²], float64.

    Each record's own length is its last non-zero sample (records stacked with trailing zero
    padding); ``picks`` are the P and S arrivals (n,) [samples], NaN if unknown.

    Returns:
        ``(pred measures, ref measures, pair scores)``: :func:`record_measures` and
        :func:`~seismoalice.evaluation.waveform.waveform_measures` of each side, and
        :func:`pair_scores` with the fine-structure residual σ.
    """
    from seismoalice.metrics import record_lengths
    from seismoalice.metrics.psa import DEFAULT_PERIODS

    present = components_present(pred, ref)
    lengths = (record_lengths(pred), record_lengths(ref))
    sides = {
        side: record_measures(acc, dt, periods, frequencies, cfg, present)
        | waveform_measures(acc, dt, cfg, present, size, picks)
        for side, acc, size in (("pred", pred, lengths[0]), ("ref", ref, lengths[1]))
    }
    horizontal = list(HORIZONTALS)
    same_periods = np.array_equal(periods, DEFAULT_PERIODS)
    psa = tuple(sides[s]["psa"][:, horizontal] for s in sides) if same_periods else None
    gof = pair_scores(pred, ref, dt, cfg, present, psa)
    gof["fine_structure_residual_sigma"] = fine_structure_pair_sigma(
        pred, ref, dt, cfg, present, lengths
    )
    return sides["pred"], sides["ref"], gof
