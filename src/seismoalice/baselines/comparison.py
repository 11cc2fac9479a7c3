"""Inputs and tables of the comparison of broadband methods (``seismoalice compare``).

Methods (:mod:`seismoalice.baselines.registry`) turn the LF records of a prepared data set's
split into broadband ones, which are scored against the true records with
:func:`seismoalice.evaluation.compute.evaluate_pairs`; the rows summarise each method.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from seismoalice.data.dataset import read_preprocessing
from seismoalice.data.filters import lowpass
from seismoalice.data.seisbench_format import WaveformDataset, original_name
from seismoalice.errors import DataError
from seismoalice.evaluation.inputs import read_records


def load_inputs(data: Path, split: str | None, lowpass_hz: float | None) -> dict[str, Any]:
    """LF inputs, true BB records, metadata, fs and fc of a prepared data set (its ``lf`` group)
    or, with ``lowpass_hz``, of any records that are low-passed here."""
    if lowpass_hz is None:
        pre = read_preprocessing(data)
        dataset = WaveformDataset(data)
        if split is not None:
            dataset = dataset.split(split)
        if len(dataset) == 0:
            raise DataError(f"{data}: split {split!r} is empty")
        rows = range(len(dataset))
        meta = dataset.metadata.reset_index(drop=True)
        return {
            "names": [original_name(row) for row in meta.to_dict("records")],
            "bb": dataset.get_waveforms_batch(rows).astype(np.float64),
            "lf": dataset.get_waveforms_batch(rows, "data_lf").astype(np.float64),
            "metadata": meta,
            "fs": float(pre["sampling_rate"]),
            "fc": float(pre["fc"]),
        }
    records = read_records(data, split=split)
    fs = 1.0 / records.dt
    bb = records.data.astype(np.float64)
    metadata = None
    if (data / "metadata.csv").exists():
        dataset = WaveformDataset(data)
        metadata = (dataset.split(split) if split else dataset).metadata.reset_index(drop=True)
    return {
        "names": records.names,
        "bb": bb,
        "lf": lowpass(bb, fs, lowpass_hz),
        "metadata": metadata,
        "fs": fs,
        "fc": lowpass_hz,
    }


def comparison_rows(results: dict[str, Any], runtimes: dict[str, float]) -> dict[str, Any]:
    """Per method: PSA (RotD50) bias/σ per band, PGA bias/σ (horizontals), median EG, PG, Anderson
    score, D5-95 ratio and runtime per record [s]."""
    rows = {}
    for name, result in results.items():
        s = result.summary
        pga = s["scalars"]["pga"]["horizontal"]
        rows[name] = {
            "psa_bands": [
                {"periods_s": b["periods_s"], "bias": b["bias"], "sigma": b["sigma"]}
                for b in s["psa_bands"]
            ],
            "pga_bias": pga["bias"],
            "pga_sigma": pga["sigma"],
            "eg_median": s["tf_gof"]["eg"]["median"],
            "pg_median": s["tf_gof"]["pg"]["median"],
            "anderson_median": s["anderson"]["median_score"],
            "d5_95_ratio": s["duration_ratio"]["d5_95"],
            "runtime_per_record_s": runtimes[name],
            "n_records": s["n_records"],
        }
    return rows


def markdown_table(rows: dict[str, Any]) -> str:
    """The comparison as a markdown table (residuals ln(ref/pred), bias / σ)."""

    def fmt(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f}"

    bands = next(iter(rows.values()))["psa_bands"]
    header = (
        ["method"]
        + [f"PSA {lo:g}–{hi:g} s" for lo, hi in (b["periods_s"] for b in bands)]
        + ["PGA", "EG", "PG", "Anderson", "D5-95 ratio", "s/record"]
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in rows.items():
        cells = [f"{fmt(b['bias'])} / {fmt(b['sigma'])}" for b in row["psa_bands"]]
        cells += [
            f"{fmt(row['pga_bias'])} / {fmt(row['pga_sigma'])}",
            fmt(row["eg_median"]),
            fmt(row["pg_median"]),
            fmt(row["anderson_median"]),
            fmt(row["d5_95_ratio"]),
            f"{row['runtime_per_record_s']:.3g}",
        ]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return "\n".join(lines) + "\n"
