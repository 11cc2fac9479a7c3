"""``seismoalice data synth|info|plot``: make, inspect and plot SeisBench-format data sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

GROUP = "data"

UNIT_NAMES = {"mps2": "m/s²", "mps": "m/s", "cmps2": "cm/s²", "cmps": "cm/s", "m": "m"}
RANGE_COLUMNS = (
    ("magnitude", ("source_magnitude",), ""),
    ("hypocentral distance", ("path_hyp_distance_km", "source_distance_km"), "km"),
    ("depth", ("source_depth_km",), "km"),
    ("Vs30", ("station_vs30_mps",), "m/s"),
)


def _synth(
    n: Annotated[int, typer.Option("--n", min=1, help="Number of records.")] = 5000,
    out: Annotated[Path, typer.Option("--out", help="Data set directory to write.")] = Path(
        "data/synth"
    ),
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed (overrides the config).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="YAML file of SynthConfig fields.")
    ] = None,
) -> None:
    """Simulate a synthetic strong-motion data set (stochastic method, Boore 2003)."""
    from seismoalice.data.synthetic import load_synth_config, write_synthetic_dataset

    cfg = load_synth_config(config, seed=seed)
    path = write_synthetic_dataset(out, n, cfg, progress=True)
    size_mb = sum(p.stat().st_size for p in path.iterdir()) / 2**20
    typer.echo(
        f"wrote {n} three-component records (ZNE, {cfg.nt} samples at {cfg.sampling_rate:g} Hz, "
        f"m/s², seed {cfg.seed}) to {path} ({size_mb:.1f} MiB: metadata.csv, waveforms.hdf5, "
        "synth_config.json)"
    )


def dataset_summary(path: Path, max_traces: int = 5000) -> dict[str, Any]:
    """Counts, splits, sampling rates, lengths, units and parameter/peak ranges of a data set.

    Peaks are taken over the horizontal (non-Z) components of at most ``max_traces`` traces
    spread evenly over the data set.
    """
    import numpy as np

    from seismoalice.data.seisbench_format import WaveformDataset

    ds = WaveformDataset(path)
    meta = ds.metadata
    n = len(ds)
    fmt = ds.data_format
    picked = np.unique(np.linspace(0, n - 1, min(n, max_traces)).astype(int)) if n else []
    horizontal = [i for i, c in enumerate(ds.component_order) if c.upper() != "Z"]
    peaks, lengths = [], []
    for i in picked:
        trace = ds.get_waveforms(int(i))
        lengths.append(trace.shape[1])
        peaks.append(float(np.abs(trace[horizontal or slice(None)]).max()))
    if "trace_npts" in meta.columns:
        lengths = meta["trace_npts"].dropna().astype(int).tolist() or lengths
    rates = (
        meta["trace_sampling_rate_hz"].dropna().unique().tolist()
        if "trace_sampling_rate_hz" in meta.columns
        else []
    ) or [fmt.get("sampling_rate")]
    ranges = {}
    for label, candidates, unit in RANGE_COLUMNS:
        column = next((c for c in candidates if c in meta.columns), None)
        values = meta[column].dropna().to_numpy(float) if column else np.array([])
        ranges[label] = (unit, (values.min(), values.max()) if values.size else None)
    splits = meta["split"].value_counts().to_dict() if "split" in meta.columns else {}
    present = (
        meta["trace_components"].fillna(ds.component_order).value_counts().to_dict()
        if "trace_components" in meta.columns
        else {ds.component_order: n}
    )
    return {
        "path": str(path),
        "traces": n,
        "chunks": len(ds.chunks),
        "splits": splits,
        "components": ds.component_order,
        "components_present": present,
        "dimension_order": fmt.get("dimension_order"),
        "sampling_rates_hz": sorted(float(r) for r in rates if r is not None),
        "length_samples": (min(lengths), max(lengths)) if lengths else None,
        "measurement": fmt.get("measurement", "unknown"),
        "unit": fmt.get("unit", "unknown"),
        "instrument_response": fmt.get("instrument_response", "unknown"),
        "ranges": ranges,
        "peak": (min(peaks), float(np.median(peaks)), max(peaks)) if peaks else None,
        "peak_traces": len(peaks),
    }


def _info(
    path: Annotated[Path, typer.Argument(help="SeisBench-format data set directory.")],
    max_traces: Annotated[
        int, typer.Option("--max-traces", min=1, help="Traces read for the peak-amplitude range.")
    ] = 5000,
) -> None:
    """Print what a data set holds: counts, splits, sampling, units, parameter ranges, PGA."""
    s = dataset_summary(path, max_traces)
    splits = ", ".join(f"{k} {v}" for k, v in sorted(s["splits"].items())) or "none"
    lo_len, hi_len = s["length_samples"] or (0, 0)
    lines = [
        f"data set: {s['path']}",
        f"traces: {s['traces']} (chunks: {s['chunks']})",
        f"splits: {splits}",
        f"components: {s['components']} (dimension order {s['dimension_order']}); records with "
        + ", ".join(f"{k} {v}" for k, v in sorted(s["components_present"].items())),
        f"sampling rate [Hz]: {', '.join(f'{r:g}' for r in s['sampling_rates_hz'])}",
        f"length [samples]: {lo_len}" + (f"–{hi_len}" if hi_len != lo_len else ""),
        f"measurement: {s['measurement']}, unit: {s['unit']}, "
        f"instrument response: {s['instrument_response']}",
    ]
    for label, (unit, bounds) in s["ranges"].items():
        name = f"{label} [{unit}]" if unit else label
        lines.append(f"{name}: " + (f"{bounds[0]:.2f} – {bounds[1]:.2f}" if bounds else "n/a"))
    if s["peak"]:
        lo, med, hi = s["peak"]
        name = "PGA" if s["measurement"] == "acceleration" else "peak amplitude"
        unit = UNIT_NAMES.get(s["unit"], s["unit"])
        line = f"{name} [{unit}], horizontals: {lo:.3g} – {hi:.3g} (median {med:.3g})"
        if s["unit"] == "mps2":
            line += f" = {lo / 9.80665:.3g} – {hi / 9.80665:.3g} g"
        lines.append(line + f" over {s['peak_traces']} traces")
    typer.echo("\n".join(lines))


def _plot(
    path: Annotated[Path, typer.Argument(help="SeisBench-format data set directory.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the PNG figures.")] = Path(
        "figures"
    ),
    fc: Annotated[
        float, typer.Option("--fc", help="Low-pass corner of the LF versions [Hz].")
    ] = 1.0,
    examples: Annotated[
        int, typer.Option("--examples", min=1, help="Number of example records.")
    ] = 3,
) -> None:
    """Plot magnitude–distance–depth coverage and example records with their LF versions."""
    import numpy as np

    from seismoalice.data.filters import lowpass
    from seismoalice.data.seisbench_format import WaveformDataset
    from seismoalice.errors import DataError
    from seismoalice.plotting import axis_label, new_figure, paper_style, save_figure, set_log_axes

    ds = WaveformDataset(path)
    meta = ds.metadata
    written = []
    with paper_style():
        distance = next(
            (c for c in ("path_hyp_distance_km", "source_distance_km") if c in meta.columns), None
        )
        if distance and "source_magnitude" in meta.columns:
            fig, ax = new_figure()
            depth = meta["source_depth_km"] if "source_depth_km" in meta.columns else None
            points = ax.scatter(
                meta[distance],
                meta["source_magnitude"],
                c=depth,
                s=4,
                cmap="viridis_r",
                linewidths=0,
            )
            set_log_axes(ax, x=True, y=False)
            label = "Hypocentral distance" if distance == "path_hyp_distance_km" else "Distance"
            ax.set_xlabel(axis_label(label, "km"))
            ax.set_ylabel(axis_label("Magnitude"))
            ax.set_title(f"{len(ds)} records")
            if depth is not None:
                fig.colorbar(points, ax=ax, label=axis_label("Depth", "km"))
            written.append(save_figure(fig, out / "magnitude_distance_depth.png"))
        if len(ds) == 0:
            raise DataError(f"{path}: the data set has no traces to plot")
        order = (
            np.argsort(meta["source_magnitude"].to_numpy())
            if "source_magnitude" in meta.columns
            else np.arange(len(ds))
        )
        picks = order[np.unique(np.linspace(0, len(ds) - 1, min(examples, len(ds))).astype(int))]
        comps = ds.component_order
        fig, axes = new_figure(len(picks), len(comps), width="page", aspect=0.45, sharex=True)
        axes = np.atleast_2d(axes)
        unit = UNIT_NAMES.get(ds.data_format.get("unit", ""), ds.data_format.get("unit", ""))
        for row, i in enumerate(picks):
            trace = ds.get_waveforms(int(i)).astype(float)
            fs = ds.sampling_rate(int(i))
            lf = lowpass(trace, fs, fc)
            t = np.arange(trace.shape[1]) / fs
            info = meta.iloc[int(i)]
            title = ", ".join(
                text
                for key, text in (
                    ("source_magnitude", "M {:.1f}"),
                    (distance, "R {:.0f} km"),
                    ("station_vs30_mps", "Vs30 {:.0f} m/s"),
                )
                if key in meta.columns and key is not None
                for text in [text.format(info[key])]
            )
            for col, comp in enumerate(comps):
                ax = axes[row, col]
                ax.plot(t, trace[col], color="0.6", label="broadband")
                ax.plot(t, lf[col], color="C3", label=f"low-pass {fc:g} Hz")
                for pick in ("trace_p_arrival_sample", "trace_s_arrival_sample"):
                    if pick in meta.columns and np.isfinite(info[pick]):
                        ax.axvline(info[pick] / fs, color="C0", linewidth=0.5, linestyle="--")
                ax.set_title(f"{comp}: {title}" if title else comp)
                if row == len(picks) - 1:
                    ax.set_xlabel(axis_label("Time", "s"))
        fig.supylabel(axis_label("Acceleration", unit))
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncols=2)
        written.append(save_figure(fig, out / "example_records.png"))
    for figure_path in written:
        typer.echo(f"wrote {figure_path}")


def register(app: typer.Typer) -> None:
    """Add ``synth``, ``info`` and ``plot`` to the ``data`` group."""
    app.command("synth")(_synth)
    app.command("info")(_info)
    app.command("plot")(_plot)
