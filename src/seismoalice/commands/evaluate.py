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
        hf_corner: Annotated[
            float, typer.Option(help="High-pass corner of the P-window energy share (Hz).")
        ] = 1.0,
        seed: Annotated[int, typer.Option(help="Seed of the classifier two-sample test.")] = 0,
    ) -> None:
        """Evaluate PRED against REF: writes metrics.json, PNG figures and report.html to OUT.

        Computes PSA (per component and RotD50), smoothed FAS/EAS, PGA/PGV/PGD, Arias, D5-75, D5-95,
        CAV, EG/PG (Kristeková 2009) and Anderson (2004) scores; residuals are ln(ref/pred). Also
        waveform measures (inter-component coherence, H/V, P-window HF energy share, FAS fine
        structure) and a classifier two-sample test of PRED against REF. Numbers (metrics.json,
        records.npz, summary.md) are written before the figures.
        """
        from seismoalice.evaluation.compute import EvaluationConfig, evaluate_datasets
        from seismoalice.evaluation.outputs import write_outputs
        from seismoalice.evaluation.report import format_summary

        config = EvaluationConfig(
            fmin=fmin, fmax=fmax, chunk_size=chunk_size, n_examples=examples,
            hf_corner_hz=hf_corner, classifier_seed=seed,
        )  # fmt: skip
        result = evaluate_datasets(pred, ref, split=split, config=config, dt=dt, progress=True)
        written = write_outputs({name: result}, out)
        typer.echo(format_summary({name: result}))
        if result.skipped:
            typer.echo(f"skipped {len(result.skipped)} record(s) with bad samples:")
            for item in result.skipped[:10]:
                typer.echo(f"  {item['name']}: {item['reason']}")
        for title, error in written.figure_errors.items():
            typer.echo(f"figure {title!r} could not be drawn ({error}); the numbers are written")
        report = written.files["report"]
        typer.echo(f"wrote {len(written.files)} files to {out} (report: {report})")
