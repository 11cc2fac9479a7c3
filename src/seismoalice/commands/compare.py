"""``seismoalice compare``: run several broadband methods on the same LF inputs and compare them.

Methods are named as in :mod:`seismoalice.baselines.registry` (``NAME`` or ``NAME=DIR`` for a
trained checkpoint, e.g. ``ann2bb=DIR`` or ``hb=DIR`` for an ALICE run).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seismoalice.errors import ConfigError

GROUP = None


def register(app: typer.Typer) -> None:
    """Add the ``compare`` command to ``app``."""

    @app.command("compare")
    def compare(
        data: Annotated[Path, typer.Option(help="Prepared data set, or records with --lowpass.")],
        methods: Annotated[
            str,
            typer.Option(
                help="Comma list of methods: NAME, or NAME=DIR for a trained checkpoint (ann2bb, "
                "or any NAME for an ALICE hb run); an unknown NAME lists the known ones."
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

        from seismoalice.baselines.comparison import comparison_rows, load_inputs, markdown_table
        from seismoalice.baselines.registry import build_method
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
