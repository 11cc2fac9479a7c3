"""Command-line commands; see :mod:`seismoalice.cli` for how modules here are registered.

This package module holds what several command modules share (options, catalog loading); the
command modules import it, never each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

CatalogArg = Annotated[
    Path, typer.Argument(help="Catalog CSV (pyCSEP, native, EarthquakeNPP) or QuakeML.")
]

McMethodOption = Annotated[
    str,
    typer.Option(
        help="Mc when not given: bstability (b-value stability) or maxc (maximum curvature + 0.2)"
    ),
]
SortOption = Annotated[
    bool, typer.Option("--sort", metavar="", help="Sort the events by time if they are not.")
]


def load_catalog(path: Path, sort: bool = False):
    """Read a CSV or QuakeML catalog and print what the reader dropped or ignored."""
    import warnings

    from seismoalice.catalog.catalog import Catalog, CatalogWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CatalogWarning)
        if path.suffix.lower() in (".xml", ".qml", ".quakeml"):
            catalog = Catalog.read_quakeml(path, sort=True)
        else:
            catalog = Catalog.read_csv(path, sort=sort)
    for note in caught:
        typer.secho(f"note: {note.message}", fg=typer.colors.YELLOW, err=True)
    return catalog
