"""``seismoalice data export``: one split and signal group of a prepared data set."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

GROUP = "data"


def register(app: typer.Typer) -> None:
    """Add the ``export`` command to the ``data`` group."""

    @app.command("export")
    def export(
        src: Annotated[Path, typer.Argument(help="Prepared data set (BB and LF groups).")],
        out: Annotated[Path, typer.Option(help="Output data set.")],
        group: Annotated[str, typer.Option(help="Signals to export: lf or bb.")] = "lf",
        split: Annotated[str | None, typer.Option(help="Only this split, e.g. test.")] = None,
    ) -> None:
        """Write the LF (or BB) signals of SRC as a canonical data set, e.g. generation input."""
        from seismoalice.data.export import export_group

        n = export_group(src, out, group, split, progress=True)  # type: ignore[arg-type]
        typer.echo(f"wrote {n} {group.upper()} traces to {out}")
