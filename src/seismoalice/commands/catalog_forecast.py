"""`seismoalice catalog forecast-eval`: test-period log-likelihood per event (EarthquakeNPP)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seismoalice.commands import CatalogArg, McMethodOption, SortOption

GROUP = "catalog"


def forecast_eval(
    catalog_path: CatalogArg,
    out: Annotated[Path, typer.Option(help="Folder for forecast.json and forecast.md.")],
    m0: Annotated[
        float | None, typer.Option(help="Magnitude cut-off (default: the VAE's Mc, else Mc).")
    ] = None,
    mc_method: McMethodOption = "bstability",
    mag_bin: Annotated[
        float, typer.Option(help="Magnitude rounding of the catalog (0: continuous).")
    ] = 0.0,
    models: Annotated[
        str, typer.Option(help="Comma-separated: poisson, temporal, spacetime.")
    ] = "poisson,temporal,spacetime",
    vae: Annotated[
        Path | None, typer.Option(help="Trained catalog-VAE model folder to score beside them.")
    ] = None,
    train_fraction: Annotated[float, typer.Option(help="Training share of the span.")] = 0.7,
    val_fraction: Annotated[float, typer.Option(help="Validation share of the span.")] = 0.15,
    split_by: Annotated[
        str, typer.Option(help="time | events: fractions of the time span or the event count.")
    ] = "time",
    sort: SortOption = False,
) -> None:
    """Fit on training + validation, score the test period: log-likelihood per event.

    With --vae, the split (fractions, time or events) and, unless --m0, the cut-off are the
    model's, so that its test period is the one scored."""
    from seismoalice import __version__
    from seismoalice.catalog.forecast import evaluate_forecasts, markdown_table
    from seismoalice.catalog.stats import completeness
    from seismoalice.commands import load_catalog
    from seismoalice.errors import ConfigError
    from seismoalice.io_utils import atomic_write_text, write_json

    chosen = tuple(m.strip() for m in models.split(",") if m.strip())
    unknown = set(chosen) - {"poisson", "temporal", "spacetime"}
    if unknown:
        raise ConfigError(f"unknown model(s) {', '.join(sorted(unknown))}")
    catalog = load_catalog(catalog_path, sort)
    if vae is not None:
        from seismoalice.catalog.vae.files import read_json_object

        data_cfg = read_json_object(vae / "config.json")["config"]["data"]
        train_fraction, val_fraction = data_cfg["train_fraction"], data_cfg["val_fraction"]
        split_by = data_cfg.get("split_by", "time")
        m0 = float(read_json_object(vae / "config.json")["mc"]) if m0 is None else m0
    cutoff = completeness(catalog.magnitudes, mag_bin, mc_method)[0] if m0 is None else m0
    typer.echo(f"{catalog_path}: {len(catalog)} events; scoring forecasts above M {cutoff:.2f}")
    result = evaluate_forecasts(
        catalog,
        cutoff,
        dm=mag_bin,
        train_fraction=train_fraction,
        val_fraction=val_fraction,
        split_by=split_by,
        models=chosen,
        vae_dir=vae,
    )
    result |= {"version": __version__, "catalog": str(catalog_path)}
    table = markdown_table(result)
    write_json(out / "forecast.json", result)
    atomic_write_text(out / "forecast.md", table)
    typer.echo(table + f"-> {out}")


def register(app: typer.Typer) -> None:
    """Add `forecast-eval` to the `catalog` group."""
    app.command("forecast-eval")(forecast_eval)
