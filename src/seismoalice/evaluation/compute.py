"""Run every ground-motion metric on matched (prediction, reference) record pairs and summarise.

Per record: PSA per component and RotD50 of the horizontals, Konno–Ohmachi-smoothed FAS per
component and EAS of the horizontals, PGA, PGV, PGD, Arias intensity, D5-75, D5-95, CAV,
Kristeková et al. (2009) EG/PG/EM/PM and Anderson (2004) criterion scores (``measures``).
Residuals follow the SCEC Broadband Platform convention r = ln(ref/pred) (positive: the
prediction under-predicts) and are summarised by bias, σ and the 90% confidence band of the bias
per period and frequency (the shared reference metrics.md §8; ``summary``). Records are
processed in chunks so that thousands of records fit in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from seismoalice.errors import DataError
from seismoalice.evaluation.config import LOG_RESIDUAL_MEASURES, EvaluationConfig
from seismoalice.evaluation.inputs import COMPONENTS, read_records
from seismoalice.evaluation.measures import (
    bad_samples,
    chunk_measures,
    components_present,
    mask_missing,
)
from seismoalice.evaluation.picks import read_picks
from seismoalice.evaluation.result import EvaluationResult
from seismoalice.evaluation.summary import log_residuals, summarise
from seismoalice.evaluation.waveform import waveform_frequencies


def evaluate_pairs(
    pred: np.ndarray,
    ref: np.ndarray,
    dt: float,
    names: Sequence[str] | None = None,
    config: EvaluationConfig | None = None,
    inputs: dict[str, str | None] | None = None,
    progress: bool = False,
    picks: tuple[Sequence[float], Sequence[float]] | None = None,
) -> EvaluationResult:
    """Evaluate predicted accelerograms against reference ones, record by record.

    Args:
        pred, ref: accelerations [m/s²], shape (N, 3, T), ZNE order, pair i = (pred[i], ref[i]);
            records of different lengths are stacked with trailing zeros (the waveform measures
            take each record on its own length).
        dt: sampling interval [s].
        names: record names (default ``record_<i>``).
        config: evaluation settings (default :class:`EvaluationConfig`).
        inputs: provenance stored with the result (paths, split).
        progress: show a tqdm progress bar over chunks.
        picks: P and S arrivals of the reference records, (N,) each [samples], NaN where
            unknown (the P-window energy share needs P; no S pick: a fixed window).

    Records with non-finite samples or an all-zero horizontal component are skipped and listed
    in ``result.skipped``; an all-zero vertical gives NaN vertical measures (left out of the
    statistics).

    Raises:
        DataError: shapes differ or are not (N, 3, T); no record left to evaluate.
        ConfigError: invalid band for ``dt`` (see :meth:`EvaluationConfig.validate`).
    """
    from threadpoolctl import threadpool_limits
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
    arrivals = _arrivals(picks, len(pred))
    periods = np.asarray(cfg.periods if cfg.periods is not None else DEFAULT_PERIODS, float)
    frequencies = np.geomspace(cfg.fmin, cfg.fmax, cfg.n_frequencies)
    parts: dict[str, list[dict[str, np.ndarray]]] = {"pred": [], "ref": [], "gof": []}
    starts = range(0, len(index), cfg.chunk_size)
    # BLAS on one thread: its matrices are small here, and the cores go to numba and the FFTs
    with threadpool_limits(1, user_api="blas"):
        for start in tqdm(starts, desc="evaluating", unit="chunk", disable=not progress):
            rows = index[start : start + cfg.chunk_size]
            p, r = pred[rows].astype(np.float64), ref[rows].astype(np.float64)
            chunk = chunk_measures(p, r, dt, periods, frequencies, cfg, arrivals[:, rows])
            for side, values in zip(("pred", "ref", "gof"), chunk, strict=True):
                parts[side].append(values)
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
        waveform_frequencies=waveform_frequencies(cfg),
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


def _arrivals(picks: tuple[Sequence[float], Sequence[float]] | None, n: int) -> np.ndarray:
    """P and S picks as a (2, n) float array [samples], NaN where unknown."""
    if picks is None:
        return np.full((2, n), np.nan)
    arr = np.asarray(picks, dtype=np.float64)
    if arr.shape != (2, n):
        raise DataError(f"picks: expected P and S arrivals for {n} records, got shape {arr.shape}")
    return arr


def _example(name: str, index: int, pred: np.ndarray, ref: np.ndarray, dt: float) -> dict:
    """Waveforms (C, T) [m/s²] and Husid curves (C, T) of one record pair for the figures."""
    from seismoalice.metrics.intensity import husid

    pred, ref = pred.astype(np.float64), ref.astype(np.float64)
    present = components_present(pred[None], ref[None])[0]
    curves = {
        f"husid_{side}": mask_missing(
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
    side (e.g. a missing component) is left out on both and listed in ``result.skipped``.  P and
    S picks come from the reference's metadata, else from the prediction's
    (:func:`~seismoalice.evaluation.picks.read_picks`).

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
    picks = [read_picks(path, ref_names, split) for path in (ref_path, pred_path)]
    arrivals = tuple(
        np.where(np.isfinite(from_ref), from_ref, from_pred)
        for from_ref, from_pred in zip(*picks, strict=True)
    )
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
        picks=arrivals,
    )
    result.skipped = unreadable + result.skipped
    return result
