"""``seismoalice compare``: run several broadband methods on the same LF inputs and compare them.

Methods: ``lf``, ``stochastic`` (informed), ``stochastic_oracle``, ``stochastic_estimated``,
``ann2bb=DIR`` (checkpoint of ``seismoalice train --stage ann2bb``) and ``NAME=DIR`` for an
ALICE checkpoint (e.g. ``hb=DIR``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from seismoalice.errors import ConfigError, DataError

GROUP = None


def build_method(spec: str, fc: float) -> Any:
    """A :class:`~seismoalice.baselines.base.BroadbandMethod` from ``NAME`` or ``NAME=DIR``."""
    from seismoalice.baselines.ann2bb import Ann2bbMethod, Ann2bbModel
    from seismoalice.baselines.base import AliceMethod
    from seismoalice.baselines.lf import LFMethod
    from seismoalice.baselines.stochastic import METHOD_NAMES, StochasticMethod

    name, _, path = spec.partition("=")
    name = name.strip()
    if name == "lf" and not path:
        return LFMethod()
    flavours = {v: k for k, v in METHOD_NAMES.items()}
    if name in flavours and not path:
        return StochasticMethod(flavours[name], fc=fc)
    if not path:
        raise ConfigError(f"--methods: {spec!r} needs a checkpoint (NAME=DIR)")
    if name == "ann2bb":
        return Ann2bbMethod(Ann2bbModel.load(path), StochasticMethod("informed", fc=fc))
    return AliceMethod.from_checkpoint(path, name)


def load_inputs(data: Path, split: str | None, lowpass_hz: float | None) -> dict[str, Any]:
    """LF inputs, true BB records, metadata, fs and fc of a prepared data set (its ``lf`` group)
    or, with ``lowpass_hz``, of any records that are low-passed here."""
    import numpy as np

    from seismoalice.data.filters import lowpass
    from seismoalice.evaluation.inputs import read_records

    if lowpass_hz is None:
        from seismoalice.commands.train import read_preprocessing
        from seismoalice.data.seisbench_format import WaveformDataset, original_name

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
        from seismoalice.data.seisbench_format import WaveformDataset

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


def register(app: typer.Typer) -> None:
    """Add the ``compare`` command to ``app``."""

    @app.command("compare")
    def compare(
        data: Annotated[Path, typer.Option(help="Prepared data set, or records with --lowpass.")],
        methods: Annotated[
            str,
            typer.Option(
                help="Comma list: lf, stochastic, stochastic_oracle, stochastic_estimated, "
                "NAME=DIR."
            ),
        ],
        out: Annotated[Path, typer.Option(help="Output folder.")],
        split: Annotated[str | None, typer.Option(help="Split to compare on.")] = "test",
        lowpass: Annotated[
            float | None, typer.Option(help="Low-pass BB records at this corner [Hz] for LF.")
        ] = None,
        seed: Annotated[int, typer.Option(help="Seed of the stochastic methods.")] = 0,
    ) -> None:
        """Compare broadband methods against the true BB records (comparison.json, table, plots,
        report.html)."""
        import time

        import numpy as np

        from seismoalice.evaluation.compute import evaluate_pairs
        from seismoalice.evaluation.outputs import write_outputs
        from seismoalice.io_utils import atomic_write_text, write_json

        inputs = load_inputs(data, split, lowpass)
        specs = [s for s in methods.split(",") if s.strip()]
        if not specs:
            raise ConfigError("--methods is empty")
        results, runtimes = {}, {}
        for spec in specs:
            method = build_method(spec, inputs["fc"])
            start = time.perf_counter()
            bb = method.generate(
                inputs["lf"], inputs["fs"], inputs["metadata"], np.random.default_rng(seed)
            )
            runtimes[method.name] = (time.perf_counter() - start) / len(bb)
            results[method.name] = evaluate_pairs(
                bb,
                inputs["bb"],
                1.0 / inputs["fs"],
                inputs["names"],
                inputs={"data": str(data), "split": split, "method": spec},
            )
        out.mkdir(parents=True, exist_ok=True)
        rows = comparison_rows(results, runtimes)
        write_json(
            out / "comparison.json",
            {"data": str(data), "split": split, "lowpass_hz": lowpass, "methods": rows},
        )
        table = markdown_table(rows)
        atomic_write_text(out / "comparison.md", table)
        write_outputs(results, out, title="SeismoALICE method comparison")
        typer.echo(table)
