"""``seismoalice catalog vae {train,generate,explore,evaluate}``: the catalog VAE."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seismoalice.commands import SortOption

GROUP = "catalog"

ModelDir = Annotated[Path, typer.Argument(help="model directory written by `train`")]


def register(app: typer.Typer) -> None:
    """Add the ``vae`` sub-app to the ``catalog`` group."""
    vae_app = typer.Typer(
        help="Variational autoencoder of earthquake sequences: train, generate, explore, evaluate.",
        no_args_is_help=True,
    )

    @vae_app.command()
    def train(
        catalog: Annotated[Path, typer.Argument(help="catalog CSV (pyCSEP/native/EarthquakeNPP)")],
        out: Annotated[Path, typer.Option("--out", help="model directory")],
        config: Annotated[Path | None, typer.Option(help="YAML config (catalog_vae.yaml)")] = None,
        seed: Annotated[int | None, typer.Option(help="override train.seed")] = None,
        resume: Annotated[
            bool, typer.Option(metavar="", help="resume from OUT/last.* when present")
        ] = True,
        overwrite: Annotated[
            bool,
            typer.Option(
                "--overwrite",
                metavar="",
                help="replace a model of another catalog or config in OUT (deletes only the "
                "files `train` writes)",
            ),
        ] = False,
        sort: SortOption = False,
    ) -> None:
        """Train on a catalog; safetensors + config.json checkpoints, TensorBoard logs in OUT/tb."""
        from seismoalice.catalog.vae.config import load_config
        from seismoalice.catalog.vae.train import train_vae
        from seismoalice.commands import load_catalog

        cfg = load_config(config)
        if seed is not None:
            cfg.train.seed = seed
        result = train_vae(
            load_catalog(catalog, sort), cfg, out, resume=resume, overwrite=overwrite
        )
        typer.echo(
            f"Mc {result['mc']:g} ({result['n_below_mc']} events below Mc left out), "
            f"Δm {result['dm']:g}, windows {result['n_windows']}, "
            f"best epoch {result['best_epoch']} (validation loss {result['best_val']:.4g}) → {out}"
        )

    @vae_app.command()
    def generate(
        model: ModelDir,
        windows: Annotated[
            int,
            typer.Option(
                "--windows",
                min=1,
                help="windows to generate (each holds the model's window "
                "length of events, e.g. 64)",
            ),
        ],
        out: Annotated[Path, typer.Option("--out", help="synthetic catalog CSV")],
        seed: Annotated[int, typer.Option(help="random seed")] = 0,
    ) -> None:
        """Sample z ~ N(0, I), decode and stitch WINDOWS windows into a synthetic catalog CSV."""
        from seismoalice.catalog.vae.generate import generate_catalog

        catalog, info = generate_catalog(model, windows, seed=seed)
        catalog.to_csv(out)
        typer.echo(
            f"{len(catalog)} events in {windows} windows → {out} (inter-event times clipped: "
            f"{info['tau_floored']} at the floor, {info['tau_capped']} at the cap; "
            f"magnitudes raised to Mc: {info['mag_raised_to_mc']})"
        )

    @vae_app.command()
    def explore(
        model: ModelDir,
        out: Annotated[Path, typer.Option("--out", help="PNG file")],
        catalog: Annotated[
            Path | None, typer.Option(help="catalog to embed (default: the training split)")
        ] = None,
        seed: Annotated[int, typer.Option(help="seed of the window subsample and t-SNE")] = 0,
        max_windows: Annotated[int, typer.Option(min=10, help="windows embedded at most")] = 2000,
    ) -> None:
        """PCA and t-SNE of the latent means, coloured by window properties (PNG)."""
        from seismoalice.catalog.vae.explore import explore as run_explore
        from seismoalice.catalog.vae.generate import load_vae
        from seismoalice.commands import load_catalog

        cat = load_catalog(catalog or model / "split_train.csv")
        summary = run_explore(load_vae(model), cat, out, seed=seed, max_windows=max_windows)
        typer.echo(f"{summary['n_windows']} windows, properties {summary['properties']} → {out}")

    @vae_app.command()
    def evaluate(
        model: ModelDir,
        out: Annotated[Path, typer.Option("--out", help="directory for evaluation.json/.html")],
        generated: Annotated[
            Path | None, typer.Option(help="generated catalog CSV (default: generate one)")
        ] = None,
        size_factor: Annotated[float, typer.Option(help="synthetic span × held-out")] = 4.0,
        b_true: Annotated[float | None, typer.Option(help="true b of simulated data")] = None,
        etas: Annotated[
            bool, typer.Option(metavar="", help="fit and simulate the ETAS reference")
        ] = True,
        seed: Annotated[int, typer.Option(help="seed of generation and references")] = 0,
    ) -> None:
        """Generated vs held-out sequences beside ETAS and Poisson references (JSON + HTML)."""
        from seismoalice.catalog.catalog import Catalog
        from seismoalice.catalog.vae.evaluate import evaluate_model, write_report

        gen = Catalog.read_csv(generated) if generated is not None else None
        result = evaluate_model(
            model, gen, size_factor=size_factor, seed=seed, b_true=b_true, with_etas=etas
        )
        paths = write_report(result, out, title=f"Catalog VAE evaluation: {model}")
        bar = result["bar"]
        typer.echo(
            f"b within ±0.05: {bar['b_within_0.05']}, KS(log τ) ≤ 0.05: "
            f"{bar['ks_interevent_le_0.05']}, closer than Poisson on all: "
            f"{bar['closer_than_poisson_all']} → {paths['html']}"
        )

    app.add_typer(vae_app, name="vae")
