"""``seismoalice evaluate``: ground-motion metrics of predictions against reference records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

GROUP = None


def register(app: typer.Typer) -> None:
    """Add the ``evaluate`` command to ``app``."""

    @app.command("evaluate")
    def evaluate(
        pred: Annotated[Path, typer.Option(help="Predicted records (data set, file, .npy).")],
        ref: Annotated[Path, typer.Option(help="Reference records, matched by trace name.")],
        out: Annotated[Path, typer.Option(help="Output folder.")] = Path("evaluation"),
        split: Annotated[str | None, typer.Option(help="Split to evaluate, e.g. test.")] = None,
        fmin: Annotated[float, typer.Option(help="Lower frequency of the GOF band (Hz).")] = 0.1,
        fmax: Annotated[float, typer.Option(help="Upper frequency of the GOF band (Hz).")] = 30.0,
        dt: Annotated[float | None, typer.Option(help="Time step of .npy inputs (s).")] = None,
        name: Annotated[str, typer.Option(help="Method name in figures and report.")] = "pred",
        examples: Annotated[int, typer.Option(help="Records drawn as overlays.")] = 3,
        chunk_size: Annotated[int, typer.Option(help="Records processed at once.")] = 32,
    ) -> None:
        """Evaluate PRED against REF: writes metrics.json, PNG figures and report.html to OUT.

        Computes PSA (per component and RotD50), smoothed FAS/EAS, PGA/PGV/PGD, Arias, D5-75, D5-95,
        CAV, EG/PG (Kristeková 2009) and Anderson (2004) scores; residuals are ln(ref/pred).
        """
        from seismoalice.evaluation.compute import EvaluationConfig, evaluate_datasets
        from seismoalice.evaluation.outputs import write_outputs
        from seismoalice.evaluation.report import format_summary

        config = EvaluationConfig(fmin=fmin, fmax=fmax, chunk_size=chunk_size, n_examples=examples)
        result = evaluate_datasets(pred, ref, split=split, config=config, dt=dt, progress=True)
        written = write_outputs({name: result}, out)
        typer.echo(format_summary({name: result}))
        if result.skipped:
            typer.echo(f"skipped {len(result.skipped)} record(s) with bad samples:")
            for item in result.skipped[:10]:
                typer.echo(f"  {item['name']}: {item['reason']}")
        typer.echo(f"wrote {len(written)} files to {out} (report: {written['report']})")
