"""``seismoalice generate``: broadband realisations of LF records with a trained hb model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seismoalice.errors import DataError

GROUP = None
FORMATS = ("mseed", "sac", "hdf5", "seisbench")


def register(app: typer.Typer) -> None:
    """Add the ``generate`` command to ``app``."""

    @app.command("generate")
    def generate(
        model: Annotated[Path, typer.Option(help="hb checkpoint folder (or the run folder).")],
        input: Annotated[
            list[Path],
            typer.Option(
                "--input", help="LF records: a SeisBench-format data set, or ObsPy-readable files."
            ),
        ],
        out: Annotated[Path, typer.Option(help="Output folder.")] = Path("generated"),
        realizations: Annotated[int, typer.Option(help="Realisations per record (K).")] = 1,
        format: Annotated[
            str | None,
            typer.Option(
                "--format",
                help="mseed, sac or hdf5 for file input; seisbench (default) for a data set.",
            ),
        ] = None,
        merge_lf: Annotated[
            bool, typer.Option(help="Keep the LF input below fc (matched-filter merge).")
        ] = False,
        seed: Annotated[int | None, typer.Option(help="Seed for reproducible output.")] = None,
        lowpass_input: Annotated[
            bool,
            typer.Option(help="Low-pass the input at fc first; off for inputs already LF."),
        ] = True,
        unit: Annotated[
            str, typer.Option(help="Unit of the input accelerations: m/s2, cm/s2 or g.")
        ] = "m/s2",
    ) -> None:
        """Write K broadband realisations of each input in physical units with its metadata."""
        from tqdm.auto import tqdm

        from seismoalice.data.readers.obspy_files import read_stream
        from seismoalice.generation import (
            BroadbandGenerator,
            generate_dataset,
            generate_stream,
            is_dataset,
        )
        from seismoalice.io_utils import atomic_path

        datasets = [p for p in input if is_dataset(p)]
        format = format or ("seisbench" if datasets else "mseed")
        if format not in FORMATS:
            raise DataError(f"--format must be one of {', '.join(FORMATS)}, got {format!r}")
        if realizations < 1:
            raise DataError(f"--realizations must be ≥ 1, got {realizations}")
        if datasets and (len(input) != 1 or format != "seisbench"):
            raise DataError("a data set input is generated alone and written as --format seisbench")
        if format == "seisbench" and not datasets:
            raise DataError("--format seisbench needs a SeisBench-format data set as --input")
        gen = BroadbandGenerator.from_checkpoint(model, unit=unit)
        if datasets:
            n = generate_dataset(gen, input[0], out, realizations, merge_lf, seed, lowpass_input)
            typer.echo(f"wrote {realizations} realisation(s) of {n} records to {out}")
            return
        out.mkdir(parents=True, exist_ok=True)
        written = 0
        for path in tqdm(input, desc="generate", unit="file"):
            st = read_stream(path)
            streams = generate_stream(
                st, gen, realizations, merge_lf=merge_lf, seed=seed, lowpass_input=lowpass_input
            )
            for k, s in enumerate(streams):
                stem = f"{path.stem}_r{k:02d}"
                if format == "mseed":
                    with atomic_path(out / f"{stem}.mseed") as tmp:
                        s.write(str(tmp), format="MSEED")
                    written += 1
                elif format == "sac":
                    for tr in s:
                        with atomic_path(out / f"{stem}.{tr.id}.sac") as tmp:
                            tr.write(str(tmp), format="SAC")
                        written += 1
                else:
                    _write_hdf5(out / f"{stem}.h5", s, atomic_path)
                    written += 1
        typer.echo(f"wrote {written} files to {out}")


def _write_hdf5(path: Path, st, atomic_path) -> None:
    """One dataset per trace (its id), attributes = the trace's stats."""
    import h5py

    with atomic_path(path) as tmp, h5py.File(tmp, "w") as h5:
        for tr in st:
            ds = h5.create_dataset(tr.id, data=tr.data)
            ds.attrs["starttime"] = str(tr.stats.starttime)
            ds.attrs["sampling_rate"] = float(tr.stats.sampling_rate)
            ds.attrs["realization"] = int(tr.stats.seismoalice["realization"])
