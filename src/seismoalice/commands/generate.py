"""``seismoalice generate``: broadband realisations of LF records with a trained hb model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seismoalice.errors import DataError

GROUP = None
FORMATS = ("mseed", "sac", "hdf5")


def register(app: typer.Typer) -> None:
    """Add the ``generate`` command to ``app``."""

    @app.command("generate")
    def generate(
        model: Annotated[Path, typer.Option(help="hb checkpoint folder (or the run folder).")],
        input: Annotated[
            list[Path], typer.Option("--input", help="LF record files (any ObsPy format).")
        ],
        out: Annotated[Path, typer.Option(help="Output folder.")] = Path("generated"),
        realizations: Annotated[int, typer.Option(help="Realisations per record (K).")] = 1,
        format: Annotated[str, typer.Option("--format", help="mseed, sac or hdf5.")] = "mseed",
        merge_lf: Annotated[
            bool, typer.Option(help="Keep the LF input below fc (matched-filter merge).")
        ] = False,
        seed: Annotated[int | None, typer.Option(help="Seed for reproducible output.")] = None,
    ) -> None:
        """Write K broadband realisations of each input in physical units with its metadata."""
        import obspy
        from tqdm.auto import tqdm

        from seismoalice.generation import BroadbandGenerator, generate_stream
        from seismoalice.io_utils import atomic_path

        if format not in FORMATS:
            raise DataError(f"--format must be one of {', '.join(FORMATS)}, got {format!r}")
        if realizations < 1:
            raise DataError(f"--realizations must be ≥ 1, got {realizations}")
        gen = BroadbandGenerator.from_checkpoint(model)
        out.mkdir(parents=True, exist_ok=True)
        written = 0
        for path in tqdm(input, desc="generate", unit="file"):
            try:
                st = obspy.read(str(path))
            except Exception as exc:
                raise DataError(f"{path}: cannot read as a seismogram: {exc}") from None
            streams = generate_stream(st, gen, realizations, merge_lf=merge_lf, seed=seed)
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
