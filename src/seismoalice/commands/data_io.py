"""``seismoalice data import`` and ``seismoalice data prepare``: build canonical data sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

GROUP = "data"


def register(app: typer.Typer) -> None:
    """Add ``import``, ``formats`` and ``prepare`` to the ``data`` group."""

    @app.command("import")
    def import_command(
        fmt: Annotated[
            str,
            typer.Argument(
                metavar="FORMAT",
                help="Source format; `seismoalice data formats` lists them.",
            ),
        ],
        src: Annotated[
            list[Path],
            typer.Argument(help="Files/directories (stead: the .hdf5; seisbench: the data set)."),
        ],
        out: Annotated[Path, typer.Option("--out", help="Output data set directory.")],
        metadata: Annotated[
            Path | None,
            typer.Option(
                help="Per-file table (records.csv: magnitude, distance, Vs30) for the text "
                "formats; STEAD: the CSV (default: beside the .hdf5)."
            ),
        ] = None,
        units: Annotated[
            str, typer.Option(help="obspy: units of the files (counts|m|mps|mps2).")
        ] = "counts",
        sampling_rate: Annotated[
            float | None, typer.Option(help="obspy: common rate [Hz].")
        ] = None,
        trace_category: Annotated[
            str, typer.Option(help="STEAD: category ('' = all).")
        ] = "earthquake_local",
        min_magnitude: Annotated[
            float | None, typer.Option(help="STEAD: minimum magnitude.")
        ] = None,
        max_distance_km: Annotated[
            float | None, typer.Option(help="STEAD: max epicentral distance.")
        ] = None,
        n: Annotated[
            int | None, typer.Option(help="STEAD: seeded random sample of N traces.")
        ] = None,
        seed: Annotated[
            int, typer.Option(help="Seed of the sample and of the split assignment.")
        ] = 0,
        bucket_size: Annotated[
            int, typer.Option(help="Traces per HDF5 block (0 = one per trace).")
        ] = 1024,
    ) -> None:
        """Import files of a registered format into the canonical SeisBench format (ZNE; m/s²
        for the strong-motion formats; missing components are zero rows named by the
        trace_components column); skipped files and records are counted with their reason."""
        from pydantic import ValidationError

        from seismoalice.data.formats import ReadOptions, get_format
        from seismoalice.data.importers import import_format
        from seismoalice.errors import ConfigError

        get_format(fmt)
        try:
            options = ReadOptions(
                metadata=metadata,
                units=units,
                sampling_rate=sampling_rate,
                trace_category=trace_category,
                min_magnitude=min_magnitude,
                max_distance_km=max_distance_km,
                n=n,
                seed=seed,
            )
        except ValidationError as exc:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ConfigError(f"invalid import option: {fields}") from None
        summary = import_format(fmt, src, out, options, bucket_size=bucket_size)
        typer.echo(summary.report())
        typer.echo(f"wrote {out}")

    @app.command("formats")
    def formats_command() -> None:
        """List the waveform formats `data import` reads."""
        from seismoalice.data.formats import FORMATS

        for name, fmt in FORMATS.items():
            typer.echo(f"{name:10s} {fmt.description}")

    @app.command("prepare")
    def prepare_command(
        src: Annotated[Path, typer.Argument(help="Canonical (SeisBench-format) data set.")],
        out: Annotated[Path, typer.Option("--out", help="Prepared data set directory.")],
        fc: Annotated[float, typer.Option(help="LF cut-off [Hz].")] = 1.0,
        nt: Annotated[int, typer.Option(help="Window length [samples].")] = 4096,
        sampling_rate: Annotated[float, typer.Option(help="Output sampling rate [Hz].")] = 100.0,
        pre_event_s: Annotated[
            float, typer.Option(help="Window start before the P arrival (or the onset) [s].")
        ] = 2.0,
        onset_energy_fraction: Annotated[
            float, typer.Option(help="Husid level taken as the onset of records without P pick.")
        ] = 0.005,
        flat_tail_s: Annotated[
            float, typer.Option(help="Cut digital-zero tails at least this long [s] (0: keep).")
        ] = 1.0,
        nyquist_guard: Annotated[
            float,
            typer.Option(help="Low-pass hf_near_nyquist records at this × the lower Nyquist."),
        ] = 0.8,
        reject_flag: Annotated[
            list[str] | None,
            typer.Option(
                help="Skip records with this quality flag (repeatable; 'none': keep all)."
            ),
        ] = None,
        filter_order: Annotated[int, typer.Option(help="Butterworth order (one pass).")] = 4,
        taper_fraction: Annotated[float, typer.Option(help="Tukey taper α.")] = 0.05,
        detrend: Annotated[str, typer.Option(help="linear|demean.")] = "linear",
        split: Annotated[
            list[str] | None, typer.Option(help="Keep only these splits (repeatable).")
        ] = None,
        allow_padding: Annotated[
            bool, typer.Option(help="Zero-pad windows that do not fit.")
        ] = False,
        bucket_size: Annotated[int, typer.Option(help="Traces per HDF5 block.")] = 1024,
    ) -> None:
        """Preprocess a data set: BB windows in data/, their LF versions in data_lf/ (rules for
        real records: quality flags, digital-zero tails, near-Nyquist energy, windows on the
        energy onset without P picks; see seismoalice.data.preprocessing)."""
        from pydantic import ValidationError

        from seismoalice.data.preprocessing import PreprocessConfig, prepare_dataset
        from seismoalice.errors import ConfigError

        try:
            cfg = PreprocessConfig(
                sampling_rate=sampling_rate,
                nt=nt,
                pre_event_s=pre_event_s,
                fc=fc,
                filter_order=filter_order,
                taper_fraction=taper_fraction,
                detrend=detrend,
                onset_energy_fraction=onset_energy_fraction,
                flat_tail_s=flat_tail_s,
                nyquist_guard=nyquist_guard,
                **(
                    {}
                    if reject_flag is None
                    else {"reject_flags": [f for f in reject_flag if f != "none"]}
                ),
            )
        except ValidationError as exc:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ConfigError(f"invalid preprocessing option: {fields}") from None
        summary = prepare_dataset(
            src,
            out,
            cfg,
            splits=split or None,
            allow_padding=allow_padding,
            bucket_size=bucket_size,
        )
        typer.echo(summary.report())
        typer.echo(f"wrote {out}")
