"""Run every ground-motion metric on matched (prediction, reference) record pairs and summarise.

Per record: PSA per component and RotD50 of the horizontals, Konno–Ohmachi-smoothed FAS per
component and EAS of the horizontals, PGA, PGV, PGD, Arias intensity, D5-75, D5-95, CAV,
Kristeková et al. (2009) EG/PG/EM/PM and Anderson (2004) criterion scores. Residuals follow the
SCEC Broadband Platform convention r = ln(ref/pred) (positive: the prediction under-predicts) and
are summarised by bias, σ and the 90% confidence band of the bias per period and frequency
(see the shared reference metrics.md §8). Records are processed in chunks so that
thousands of records fit in memory.
"""

from __future__ import annotations

import datetime as dt_module
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seismoalice import __version__
from seismoalice.errors import ConfigError, DataError
from seismoalice.evaluation.inputs import COMPONENTS, read_records
from seismoalice.io_utils import atomic_path

HORIZONTALS = (1, 2)  # N, E in ZNE order
SCALAR_MEASURES = ("pga", "pgv", "pgd", "arias", "cav", "d5_75", "d5_95")
LOG_RESIDUAL_MEASURES = ("psa", "psa_rotd50", "fas", "eas", "pga", "pgv", "pgd", "arias", "cav")
PSA_PERIOD_BANDS = ((0.02, 0.1), (0.1, 0.3), (0.3, 1.0), (1.0, 3.0))


@dataclass(frozen=True)
class EvaluationConfig:
    """Settings of an evaluation.

    Attributes:
        fmin, fmax: usable band [Hz] of the time–frequency GOF, the Anderson bands and the
            smoothed spectra (EG/PG over 0.1–30 Hz as in SeismoALICE, Gatti & Clouteau 2020).
        periods: oscillator periods [s] of the response spectra; ``None``: the PSA module's
            ``DEFAULT_PERIODS``.
        damping: oscillator damping ratio ξ.
        n_frequencies: number of log-spaced Konno–Ohmachi centre frequencies in [fmin, fmax].
        ko_bandwidth: Konno–Ohmachi bandwidth b of the per-component FAS.
        eas_bandwidth: Konno–Ohmachi bandwidth of the EAS (188.5 as in SCEC BBP ``fas.py``).
        tf_nf, tf_w0: frequencies and Morlet ω0 of the Kristeková CWT.
        chunk_size: records processed at once.
        n_examples: records kept with their waveforms for the overlay figures.
    """

    fmin: float = 0.1
    fmax: float = 30.0
    periods: tuple[float, ...] | None = None
    damping: float = 0.05
    n_frequencies: int = 100
    ko_bandwidth: float = 40.0
    eas_bandwidth: float = 188.5
    tf_nf: int = 100
    tf_w0: float = 6.0
    chunk_size: int = 32
    n_examples: int = 3

    def validate(self, dt: float) -> None:
        """Raise :class:`ConfigError` unless 0 < fmin < fmax ≤ Nyquist of ``dt`` [s]."""
        nyquist = 0.5 / dt
        if not 0 < self.fmin < self.fmax <= nyquist:
            raise ConfigError(
                f"frequency band fmin={self.fmin} Hz, fmax={self.fmax} Hz must satisfy "
                f"0 < fmin < fmax ≤ Nyquist = {nyquist:g} Hz (Δt = {dt} s)"
            )
        if self.chunk_size < 1 or self.n_frequencies < 2 or self.tf_nf < 2:
            raise ConfigError("chunk_size must be ≥ 1, n_frequencies and tf_nf ≥ 2")


@dataclass
class EvaluationResult:
    """Per-record measures, residuals, scores and their summary for one method.

    Shapes: N records, C = 3 components (ZNE), P periods, F smoothing frequencies.

    Attributes:
        names: record names, length N.
        dt: sampling interval [s].
        periods: PSA periods [s], (P,).
        frequencies: Konno–Ohmachi centre frequencies [Hz], (F,).
        pred, ref: measures of predictions and references: ``psa`` (N, C, P) and ``psa_rotd50``
            (N, P) [m/s²], ``fas`` (N, C, F) and ``eas`` (N, F) [m/s], ``pga`` [m/s²], ``pgv``
            [m/s], ``pgd`` [m], ``arias`` [m/s], ``cav`` [m/s], ``d5_75`` and ``d5_95`` [s], (N, C).
        gof: ``eg``, ``pg``, ``em``, ``pm`` (N, C) with pred tested against ref; ``anderson``
            (N, 10) criterion scores C1–C10 and ``anderson_score`` (N,), all on 0–10.
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
            "summary": self.summary,
            "records": {
                "names": self.names,
                "pred": _rounded(self.pred, SCALAR_MEASURES),
                "ref": _rounded(self.ref, SCALAR_MEASURES),
                "gof": _rounded(self.gof, tuple(self.gof)),
                "residuals": _rounded(self.residuals, per_record),
            },
        }

    def save_arrays(self, path: str | Path) -> Path:
        """Write every per-record array to an ``.npz`` file atomically (no pickle).

        Keys ``pred_<measure>``, ``ref_<measure>``, ``gof_<score>``, ``residuals_<measure>``
        (shapes as in the class docstring), plus ``names``, ``periods`` [s], ``frequencies`` [Hz].
        """
        arrays = {
            f"{group}_{key}": value
            for group in ("pred", "ref", "gof", "residuals")
            for key, value in getattr(self, group).items()
        }
        arrays |= {"names": np.array(self.names, dtype=str), "periods": self.periods}
        arrays["frequencies"] = self.frequencies
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


def _band_counts(scores: np.ndarray) -> dict[str, int]:
    """Records per verbal quality band (Anderson 2004; Kristeková et al. 2009) of 0–10 scores."""
    from seismoalice.metrics.anderson import QUALITY_BANDS, quality_label

    labels = quality_label(scores[np.isfinite(scores)]).tolist()
    return {name: labels.count(name) for _, name in QUALITY_BANDS}


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
    measures = {key: _mask(value, present) for key, value in per_component.items()}
    rotd50 = psa.rotd(h1, h2, dt, periods, (50,), damping=cfg.damping)["psa"][..., 0, :]
    return measures | {"psa_rotd50": rotd50, "eas": eas}


def _mask(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """``values`` (n, C, ...) with NaN for the components where ``present`` (n, C) is False."""
    mask = present.reshape(present.shape + (1,) * (values.ndim - 2))
    return np.where(mask, values, np.nan)


def pair_scores(
    pred: np.ndarray, ref: np.ndarray, dt: float, cfg: EvaluationConfig, present: np.ndarray
) -> dict[str, np.ndarray]:
    """Goodness-of-fit of ``pred`` tested against ``ref``, both (n, C, T) [m/s²].

    EG/PG/EM/PM (Kristeková et al. 2006, 2009; global norm, ref as reference, A = 10, k = 1) per
    component over [fmin, fmax] (NaN where ``present`` (n, C) is False); Anderson (2004)
    criteria (SCEC BBP bands inside [fmin, fmax], C8 on the PSA module's default periods)
    averaged over the horizontals, and the record score.
    """
    from seismoalice.metrics.anderson import anderson_gof
    from seismoalice.metrics.tf_misfit import tf_gof

    tf = tf_gof(
        pred, ref, dt, fmin=cfg.fmin, fmax=cfg.fmax, nf=cfg.tf_nf, w0=cfg.tf_w0,
        norm="global", st2_isref=True, a=10.0, k=1.0,
    )  # fmt: skip
    horizontal = list(HORIZONTALS)
    anderson = anderson_gof(
        pred[:, horizontal], ref[:, horizontal], dt, usable_band=(cfg.fmin, cfg.fmax),
        damping=cfg.damping,
    )  # fmt: skip
    return {key: _mask(np.asarray(tf[key]), present) for key in ("eg", "pg", "em", "pm")} | {
        "anderson": np.asarray(anderson["criteria"]).mean(axis=1),
        "anderson_score": np.asarray(anderson["score"]),
    }


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
    counts of the component-mean EG, PG, EM, PM) and ``anderson`` (median and mean record score,
    median per criterion, band counts).
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
    }


def evaluate_pairs(
    pred: np.ndarray,
    ref: np.ndarray,
    dt: float,
    names: Sequence[str] | None = None,
    config: EvaluationConfig | None = None,
    inputs: dict[str, str | None] | None = None,
    progress: bool = False,
) -> EvaluationResult:
    """Evaluate predicted accelerograms against reference ones, record by record.

    Args:
        pred, ref: accelerations [m/s²], shape (N, 3, T), ZNE order, pair i = (pred[i], ref[i]).
        dt: sampling interval [s].
        names: record names (default ``record_<i>``).
        config: evaluation settings (default :class:`EvaluationConfig`).
        inputs: provenance stored with the result (paths, split).
        progress: show a tqdm progress bar over chunks.

    Records with non-finite samples or an all-zero horizontal component are skipped and listed
    in ``result.skipped``; an all-zero vertical gives NaN vertical measures (left out of the
    statistics).

    Raises:
        DataError: shapes differ or are not (N, 3, T); no record left to evaluate.
        ConfigError: invalid band for ``dt`` (see :meth:`EvaluationConfig.validate`).
    """
    from tqdm import tqdm

    from seismoalice.metrics.psa import DEFAULT_PERIODS

    cfg = config or EvaluationConfig()
    cfg.validate(dt)
    if pred.shape != ref.shape or pred.ndim != 3 or pred.shape[1] != len(COMPONENTS):
        raise DataError(f"pred {pred.shape} and ref {ref.shape} must both be (N, 3, T) (ZNE)")
    names = list(names) if names is not None else [f"record_{i:05d}" for i in range(len(pred))]
    if len(names) != len(pred):
        raise DataError(f"{len(names)} names for {len(pred)} records")
    reasons = bad_samples(pred, ref)
    keep = np.array([r is None for r in reasons], dtype=bool)
    skipped = [{"name": n, "reason": r} for n, r in zip(names, reasons, strict=True) if r]
    if not keep.any():
        examples = "; ".join(f"{s['name']}: {s['reason']}" for s in skipped[:3])
        raise DataError(
            f"no record left to evaluate: all {len(names)} records have bad samples ({examples})"
        )
    index = np.flatnonzero(keep)
    periods = np.asarray(cfg.periods if cfg.periods is not None else DEFAULT_PERIODS, float)
    frequencies = np.geomspace(cfg.fmin, cfg.fmax, cfg.n_frequencies)
    parts: dict[str, list[dict[str, np.ndarray]]] = {"pred": [], "ref": [], "gof": []}
    starts = range(0, len(index), cfg.chunk_size)
    for start in tqdm(starts, desc="evaluating", unit="chunk", disable=not progress):
        rows = index[start : start + cfg.chunk_size]
        p, r = pred[rows].astype(np.float64), ref[rows].astype(np.float64)
        present = components_present(p, r)
        parts["pred"].append(record_measures(p, dt, periods, frequencies, cfg, present))
        parts["ref"].append(record_measures(r, dt, periods, frequencies, cfg, present))
        parts["gof"].append(pair_scores(p, r, dt, cfg, present))
    joined = {
        side: {key: np.concatenate([c[key] for c in chunks]) for key in chunks[0]}
        for side, chunks in parts.items()
    }
    residuals = {
        k: log_residuals(joined["ref"][k], joined["pred"][k]) for k in LOG_RESIDUAL_MEASURES
    }
    result = EvaluationResult(
        names=[names[i] for i in index],
        dt=float(dt),
        config=cfg,
        periods=periods,
        frequencies=frequencies,
        pred=joined["pred"],
        ref=joined["ref"],
        gof=joined["gof"],
        residuals=residuals,
        summary={},
        skipped=skipped,
        inputs=dict(inputs or {}),
        examples=[
            _example(names[i], k, pred[i], ref[i], dt)
            for k, i in enumerate(index[: cfg.n_examples])
        ],
    )
    result.summary = summarise(result)
    return result


def _example(name: str, index: int, pred: np.ndarray, ref: np.ndarray, dt: float) -> dict:
    """Waveforms (C, T) [m/s²] and Husid curves (C, T) of one record pair for the figures."""
    from seismoalice.metrics.intensity import husid

    pred, ref = pred.astype(np.float64), ref.astype(np.float64)
    present = components_present(pred[None], ref[None])[0]
    curves = {
        f"husid_{side}": _mask(
            husid(np.where(present[:, None], acc, 1.0), dt)[None], present[None]
        )[0]
        for side, acc in (("pred", pred), ("ref", ref))
    }
    return {"name": name, "index": index, "pred": pred, "ref": ref} | curves


def match_records(pred_names: Sequence[str], ref_names: Sequence[str], where: str) -> np.ndarray:
    """Index into ``pred_names`` of each reference name (pairs matched by name).

    Raises:
        DataError: duplicate names, or the two name sets differ (lists the first mismatches).
    """
    for label, names in (("prediction", pred_names), ("reference", ref_names)):
        dupes = sorted(n for n, count in Counter(names).items() if count > 1)
        if dupes:
            raise DataError(f"{where}: duplicate {label} trace names: {', '.join(dupes[:10])}")
    position = {name: i for i, name in enumerate(pred_names)}
    missing = [n for n in ref_names if n not in position]
    extra = sorted(set(pred_names) - set(ref_names))
    if missing or extra:
        raise DataError(
            f"{where}: trace names do not match: {len(missing)} reference record(s) without a "
            f"prediction ({', '.join(missing[:10]) or '-'}), {len(extra)} prediction(s) without "
            f"a reference ({', '.join(extra[:10]) or '-'})"
        )
    return np.array([position[n] for n in ref_names], dtype=int)


def evaluate_datasets(
    pred_path: str | Path,
    ref_path: str | Path,
    split: str | None = None,
    config: EvaluationConfig | None = None,
    dt: float | None = None,
    progress: bool = False,
) -> EvaluationResult:
    """Evaluate the records at ``pred_path`` against those at ``ref_path``, matched by name.

    Both paths may be SeisBench-format data sets, ObsPy-readable files or ``.npy`` arrays
    (``dt`` [s] needed); see :func:`seismoalice.evaluation.inputs.read_records`. ``split`` selects
    a split in each data set that has a ``split`` column. A record that cannot be read on either
    side (e.g. a missing component) is left out on both and listed in ``result.skipped``.

    Raises:
        DataError: names do not match, sampling intervals differ, or unreadable input.
    """
    pred = read_records(pred_path, dt=dt, split=split)
    ref = read_records(ref_path, dt=dt, split=split)
    where = f"{pred.path} vs {ref.path}"
    if not np.isclose(pred.dt, ref.dt, rtol=1e-6):
        raise DataError(f"{where}: sampling intervals differ ({pred.dt} s vs {ref.dt} s)")
    unreadable = [
        {"name": s["name"], "reason": f"{label}: {s['reason']}"}
        for label, records in (("prediction", pred), ("reference", ref))
        for s in records.skipped
    ]
    dropped = {s["name"] for s in unreadable}
    pred_keep = [i for i, n in enumerate(pred.names) if n not in dropped]
    ref_keep = [i for i, n in enumerate(ref.names) if n not in dropped]
    ref_names = [ref.names[i] for i in ref_keep]
    order = np.asarray(pred_keep)[
        match_records([pred.names[i] for i in pred_keep], ref_names, where)
    ]
    length = max(pred.data.shape[-1], ref.data.shape[-1])
    pad = [(0, 0), (0, 0)]
    result = evaluate_pairs(
        np.pad(pred.data[order], [*pad, (0, length - pred.data.shape[-1])]),
        np.pad(ref.data[ref_keep], [*pad, (0, length - ref.data.shape[-1])]),
        ref.dt,
        names=ref_names,
        config=config,
        inputs={
            "pred": str(Path(pred.path).resolve()),
            "ref": str(Path(ref.path).resolve()),
            "split": split,
        },
        progress=progress,
    )
    result.skipped = unreadable + result.skipped
    return result
