"""The ``seismoalice`` command line.

Each module of :mod:`seismoalice.commands` declares ``GROUP`` (``None`` for a top-level
command, or the name of a subcommand group such as ``"data"`` or ``"catalog"``) and a
``register(app)`` function that adds its commands to that Typer app. Heavy libraries (torch,
obspy, matplotlib) are imported inside the command functions so that ``--help`` stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from seismoalice import __version__, commands
from seismoalice.errors import SeismoAliceError

GROUP_HELP = {
    "data": "Create, import, inspect and plot waveform data sets (SeisBench format).",
    "catalog": "Earthquake catalogs: statistics, ETAS simulation and fitting, catalog VAE.",
}

app = typer.Typer(
    name="seismoalice",
    help="Broadband ground motion from low-frequency signals with ALICE, and earthquake catalogs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"seismoalice {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """SeismoALICE command line."""


def _build() -> None:
    groups: dict[str, typer.Typer] = {}
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        group = getattr(module, "GROUP", None)
        if group is None:
            module.register(app)
            continue
        if group not in groups:
            groups[group] = typer.Typer(help=GROUP_HELP.get(group), no_args_is_help=True)
            app.add_typer(groups[group], name=group)
        module.register(groups[group])


_build()


def run() -> None:
    """Entry point that turns SeismoALICE errors into one clear line and exit code 2."""
    try:
        app()
    except SeismoAliceError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise SystemExit(2) from None
