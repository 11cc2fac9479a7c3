"""`seismoalice catalog simulate | fit | stats`: ETAS simulation and fitting, catalog statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seismoalice.commands import CatalogArg, McMethodOption, SortOption, load_catalog

GROUP = "catalog"


def simulate(
    config: Annotated[Path, typer.Option(help="ETAS YAML config (see configs/etas.yaml).")],
    out: Annotated[Path, typer.Option(help="Output catalog CSV (pyCSEP layout + extras).")],
    seed: Annotated[int | None, typer.Option(help="Override the config's seed.")] = None,
) -> None:
    """Simulate an ETAS catalog by the branching algorithm."""
    import time

    from seismoalice.catalog.etas.config import load_simulation_config
    from seismoalice.catalog.etas.simulate import simulate_etas

    cfg = load_simulation_config(config)
    began = time.perf_counter()
    catalog = simulate_etas(
        cfg.params,
        cfg.t_start,
        cfg.t_end,
        cfg.burn_in_days,
        seed=cfg.seed if seed is None else seed,
        origin=cfg.origin,
    )
    seconds = time.perf_counter() - began
    catalog.to_csv(out)
    background = int((catalog.df["generation"] == 0).sum())
    typer.echo(
        f"{len(catalog)} events ({background} background, branching ratio "
        f"{cfg.params.branching_ratio:.3f}) in {seconds:.2f} s -> {out}"
    )


def fit(
    catalog_path: CatalogArg,
    model: Annotated[str, typer.Option(help="temporal | spacetime")] = "temporal",
    out: Annotated[Path | None, typer.Option(help="Write the fit as JSON.")] = None,
    m0: Annotated[float | None, typer.Option(help="Magnitude cut-off (default: Mc).")] = None,
    mc_method: McMethodOption = "bstability",
    mag_bin: Annotated[
        float, typer.Option(help="Magnitude rounding of the catalog, for b (0: continuous).")
    ] = 0.0,
    max_dist_km: Annotated[
        float, typer.Option(help="Space–time kernel cut-off distance [km].")
    ] = 10.0,
    kernel: Annotated[
        str, typer.Option(help="omori | tapered | auto (taper when p → 1 or n ≥ 1)")
    ] = "auto",
    sort: SortOption = False,
) -> None:
    """Fit ETAS by maximum likelihood; print parameters ± standard errors."""
    from seismoalice import __version__
    from seismoalice.catalog.etas.fit import fit_etas
    from seismoalice.catalog.stats import completeness
    from seismoalice.io_utils import write_json

    catalog = load_catalog(catalog_path, sort)
    cutoff = completeness(catalog.magnitudes, mag_bin, mc_method)[0] if m0 is None else m0
    typer.echo(f"{catalog_path}: {len(catalog)} events; fitting {model} ETAS above M {cutoff:.2f}")
    result = fit_etas(
        catalog, cutoff, model=model, dm=mag_bin, max_dist_km=max_dist_km, kernel=kernel
    )
    for name, value in result.params.to_dict().items():
        err = result.stderr.get(name)
        if isinstance(value, float):
            typer.echo(f"  {name:>6} = {value:.5g}" + (f" ± {err:.2g}" if err is not None else ""))
    typer.echo(
        f"  {result.info['kernel']} kernel, ln L = {result.loglik:.2f}, "
        f"n = {result.branching_ratio:.3f} (in-window offspring/event "
        f"{result.info['window_offspring_per_event']:.3f}), "
        f"{result.n_events} events, background ≈ {result.background_prob.sum():.0f}, "
        f"{result.seconds:.1f} s ({result.message})"
    )
    if result.info["at_bounds"]:
        typer.secho(
            f"  warning: {', '.join(result.info['at_bounds'])} at the optimiser bound "
            "(errors there are unreliable)",
            fg=typer.colors.YELLOW,
        )
    if result.info["supercritical"]:
        typer.secho(
            f"  warning: supercritical fit (n = {result.branching_ratio:.3f} ≥ 1)",
            fg=typer.colors.YELLOW,
        )
    if out is not None:
        write_json(out, result.to_dict() | {"catalog": str(catalog_path), "version": __version__})
        typer.echo(f"  -> {out}")


def stats(
    catalog_path: CatalogArg,
    out: Annotated[Path, typer.Option(help="Folder for stats.json and PNGs.")] = Path(
        "catalog_stats"
    ),
    bin_width: Annotated[
        float, typer.Option("--bin", help="Magnitude bin for Mc and the plots.")
    ] = 0.1,
    mag_bin: Annotated[
        float, typer.Option(help="Magnitude rounding of the catalog, for b.")
    ] = 0.01,
    mc: Annotated[
        float | None, typer.Option(help="Completeness (default: by --mc-method).")
    ] = None,
    mc_method: McMethodOption = "bstability",
    sort: SortOption = False,
) -> None:
    """Mc, b-value, b-positive, inter-event times, Båth's ΔM, Omori fit and plots."""
    from seismoalice import __version__
    from seismoalice.catalog import plots
    from seismoalice.catalog.stats import (
        b_positive,
        b_value_mle,
        bath_delta_m,
        compare_b_estimates,
        completeness,
        completeness_maxc,
        interevent_times,
        omori_fit,
    )
    from seismoalice.errors import DataError
    from seismoalice.io_utils import write_json

    catalog = load_catalog(catalog_path, sort)
    mc_value, mc_how = (
        (mc, "given") if mc is not None else completeness(catalog.magnitudes, mag_bin, mc_method)
    )
    complete = catalog.select(catalog.magnitudes >= mc_value - mag_bin / 2 - 1e-9)
    b, b_err = b_value_mle(complete.magnitudes, mc_value, mag_bin)
    b_plus, b_plus_err = b_positive(catalog.magnitudes, mag_bin, dmc=max(mag_bin, 0.1))
    iet = interevent_times(complete.times_days())
    spatial = "x" in catalog.df.columns or catalog.df["latitude"].notna().all()
    bath = bath_delta_m(complete, mc_value + 2.0, radius_km=50.0 if spatial else None)
    report = {
        "catalog": str(catalog_path),
        "version": __version__,
        "n_events": len(catalog),
        "n_complete": len(complete),
        "mc": mc_value,
        "mc_method": mc_how,
        "mc_maxc": completeness_maxc(catalog.magnitudes, bin_width),
        "b": b,
        "b_stderr": b_err,
        "b_positive": b_plus,
        "b_positive_stderr": b_plus_err,
        "b_comparison": compare_b_estimates(b, b_err, b_plus, b_plus_err),
        "interevent_cv": iet.cv,
        "background_fraction_1_over_cv2": iet.background_fraction,
        "bath_delta_m_mean": bath.mean,
        "bath_n_sequences": int(bath.delta_m.size),
    }
    main = int(complete.magnitudes.argmax())
    t = complete.times_days()
    after = (t > t[main]) & (t <= t[main] + 365.0)
    if spatial:
        x, y = complete.xy_km()
        after &= (x - x[main]) ** 2 + (y - y[main]) ** 2 <= 20.0**2
    try:
        omori = omori_fit(t[after] - t[main], t_start=0.01, t_end=365.0)
        report["omori_largest"] = {
            "magnitude": float(complete.magnitudes[main]),
            "K": omori.K,
            "c": omori.c,
            "p": omori.p,
            "errors": omori.errors,
            "n_events": omori.n_events,
        }
    except DataError as exc:
        report["omori_largest"] = f"not fitted: {exc}"
    out.mkdir(parents=True, exist_ok=True)
    plots.plot_magnitude_frequency(catalog, out / "magnitude_frequency.png", bin_width, mc_value, b)
    plots.plot_cumulative_count(complete, out / "cumulative_count.png")
    plots.plot_magnitude_time(catalog, out / "magnitude_time.png")
    write_json(out / "stats.json", report)
    for key, value in report.items():
        if key != "b_comparison":
            typer.echo(f"  {key}: {value}")
    comparison = report["b_comparison"]
    colour = typer.colors.YELLOW if comparison["disagree"] else None
    typer.secho(f"  b: {comparison['advice']}", fg=colour)
    typer.echo(f"  -> {out}")


def register(app: typer.Typer) -> None:
    """Add `simulate`, `fit` and `stats` to the `catalog` group."""
    app.command()(simulate)
    app.command()(fit)
    app.command()(stats)
