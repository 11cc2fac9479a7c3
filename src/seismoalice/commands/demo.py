"""``seismoalice demo``: the main job on the embedded synthetic data set, end to end.

Each step is the very command a user would type, run in-process and echoed first, so the demo
doubles as a tutorial: synthesise a data set (Boore 2003 stochastic method), prepare BB/LF
windows, plot it, train the bb, fl (env) and hb stages, generate broadband signals for the test
split from its LF version, and evaluate them — and the LF input alone — against the true
broadband records in one HTML report.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import Annotated

import typer

GROUP = None


def demo_steps(out: Path, n: int, seed: int, config: Path, train: bool) -> list[list[str]]:
    """The demo's commands (argument lists for ``seismoalice``), in order."""
    raw, prepared = out / "data" / "synth", out / "data" / "prepared"
    lf_test, bb_test = out / "data" / "lf_test", out / "data" / "bb_test"
    steps = [
        ["data", "synth", "--n", str(n), "--out", str(raw), "--seed", str(seed)],
        ["data", "info", str(raw)],
        ["data", "plot", str(raw), "--out", str(out / "figures")],
        ["data", "prepare", str(raw), "--out", str(prepared)],
        [
            "data",
            "export",
            str(prepared),
            "--out",
            str(lf_test),
            "--group",
            "lf",
            "--split",
            "test",
        ],
        [
            "data",
            "export",
            str(prepared),
            "--out",
            str(bb_test),
            "--group",
            "bb",
            "--split",
            "test",
        ],
    ]
    report_lf = ["evaluate", "--pred", str(lf_test), "--ref", str(bb_test), "--name", "LF input"]
    if not train:
        return [*steps, [*report_lf, "--out", str(out / "report")]]
    from seismoalice.training.config import STAGES

    runs = out / "runs"
    for stage in STAGES:
        steps.append(
            [
                "train",
                "--stage",
                stage,
                "--config",
                str(config),
                "--data",
                str(prepared),
                "--out",
                str(runs),
                "--overwrite",  # a rerun replaces the demo's own checkpoints
            ]
        )
    generated = out / "generated"
    steps += [
        [
            "generate",
            "--model",
            str(runs / "hb" / "best"),
            "--input",
            str(lf_test),
            "--out",
            str(generated),
            "--seed",
            str(seed),
            "--merge-lf",
            "--no-lowpass-input",
        ],
        [
            "evaluate",
            "--pred",
            str(generated),
            "--ref",
            str(bb_test),
            "--name",
            "ALICE hb",
            "--out",
            str(out / "report"),
        ],
        [*report_lf, "--out", str(out / "report_lf")],
    ]
    return steps


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to ``app``."""

    @app.command("demo")
    def demo(
        out: Annotated[Path, typer.Option(help="Folder for everything the demo makes.")] = Path(
            "demo_out"
        ),
        n: Annotated[int, typer.Option(help="Synthetic records (80/10/10 split).")] = 2000,
        seed: Annotated[int, typer.Option(help="One seed for data and training.")] = 0,
        config: Annotated[Path, typer.Option(help="Training config.")] = Path("configs/demo.yaml"),
        train: Annotated[
            bool, typer.Option(help="Train the ALICE stages (else data + LF).")
        ] = True,
    ) -> None:
        """Run the main job on synthetic data and write an HTML report."""
        start = time.perf_counter()
        steps = demo_steps(out, n, seed, config, train)
        for k, argv in enumerate(steps, 1):
            typer.secho(f"\n[{k}/{len(steps)}] seismoalice {shlex.join(argv)}", bold=True)
            try:
                app(argv, standalone_mode=False)
            except SystemExit as exc:  # a command that exits non-zero stops the demo
                if exc.code not in (0, None):
                    raise
        minutes = (time.perf_counter() - start) / 60
        typer.secho(f"\ndemo finished in {minutes:.1f} min; everything is in {out}/", bold=True)
        typer.echo(f"  data set and figures: {out / 'data'}, {out / 'figures'}")
        typer.echo(f"  report: {out / 'report' / 'report.html'}")
