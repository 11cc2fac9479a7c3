"""Paper-style figures of an evaluation (matplotlib, Agg backend, 300 dpi PNG).

Every function takes ``{method_name: EvaluationResult}`` so one figure can show several methods
evaluated against the same reference records (the ``compare`` command); the reference is drawn
in black, methods in the colour cycle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from seismoalice.evaluation.inputs import COMPONENTS
from seismoalice.evaluation.result import EvaluationResult
from seismoalice.plotting.style import (
    PAGE_WIDTH_IN,
    axis_label,
    new_figure,
    paper_style,
    set_log_axes,
)
from seismoalice.plotting.style import save_figure as save_styled

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Results = Mapping[str, EvaluationResult]

BAND_COLOURS = {"poor": "#f4cccc", "fair": "#fce5cd", "good": "#fff2cc", "excellent": "#d9ead3"}
REF_COLOUR = "black"


def _figure(nrows: int, ncols: int, height: float, **kw) -> tuple[Figure, np.ndarray]:
    """Page-wide figure ``height`` [in] tall with a (nrows, ncols) array of axes."""
    aspect = height * ncols / (PAGE_WIDTH_IN * nrows)
    fig, axes = new_figure(nrows, ncols, "page", aspect, **kw)
    return fig, np.asarray(axes, dtype=object).reshape(nrows, ncols)


def _quality_bands() -> list[tuple[str, float, float]]:
    """(name, lower, upper) score limits of the verbal quality bands on the 0–10 scale."""
    from seismoalice.metrics.anderson import QUALITY_BANDS

    highs = [10.0] + [low for low, _ in QUALITY_BANDS[:-1]]
    return [
        (name, max(low, 0.0), high) for (low, name), high in zip(QUALITY_BANDS, highs, strict=True)
    ]


def _colours(results: Results) -> dict[str, str]:
    return {name: f"C{i}" for i, name in enumerate(results)}


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` at 300 dpi to ``path`` (a ``.png``) atomically, in the shared paper style."""
    with paper_style():
        return save_styled(fig, path)


def _residual_panel(ax: Axes, results: Results, kind: str, key: str, x: str) -> None:
    """Bias (line), 90% band of the bias (shaded) and bias ± σ (dashed) of one component."""
    has_data = False
    for (name, result), colour in zip(results.items(), _colours(results).values(), strict=True):
        stats = result.summary[kind][key] if key else result.summary[kind]
        xs = getattr(result, x)
        bias, sigma = np.asarray(stats["bias"], float), np.asarray(stats["sigma"], float)
        lo, hi = np.asarray(stats["ci90_low"], float), np.asarray(stats["ci90_high"], float)
        ax.fill_between(xs, lo, hi, color=colour, alpha=0.25, lw=0)
        ax.plot(xs, bias, color=colour, label=name)
        ax.plot(xs, bias + sigma, color=colour, ls="--", lw=0.7)
        ax.plot(xs, bias - sigma, color=colour, ls="--", lw=0.7)
        has_data |= bool(np.isfinite(bias).any())
    ax.axhline(0.0, color="black", lw=0.6)
    set_log_axes(ax, x=True, y=False)
    if not has_data:  # e.g. no record has a vertical component
        ax.text(0.5, 0.5, "component missing in every record", transform=ax.transAxes, ha="center")


def plot_residuals(results: Results, kind: str) -> Figure:
    """Residuals ln(ref/pred) against period (``kind="psa"``) or frequency (``"fas"``).

    Four panels: Z, N, E and RotD50 (PSA) or EAS (FAS), in the style of SCEC BBP bias plots:
    bias (solid), its 90% confidence band (shaded) and bias ± σ (dashed) per method.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if kind not in ("psa", "fas"):
        raise ValueError(f"kind must be 'psa' or 'fas', got {kind!r}")
    label = "PSA" if kind == "psa" else "FAS"
    panels = [(kind, c, f"{label} {c}") for c in COMPONENTS]
    panels.append(("psa", "rotd50", "PSA RotD50") if kind == "psa" else ("eas", "", "EAS"))
    with paper_style():
        fig, axes = _figure(2, 2, 5.2, sharex=True, sharey=True)
        x = "periods" if kind == "psa" else "frequencies"
        for ax, (summary_kind, key, title) in zip(axes.flat, panels, strict=True):
            _residual_panel(ax, results, summary_kind, key, x)
            ax.set_title(title)
        for ax in axes[-1]:
            ax.set_xlabel(
                axis_label("Period", "s") if kind == "psa" else axis_label("Frequency", "Hz")
            )
        for ax in axes[:, 0]:
            ax.set_ylabel("ln(ref / pred)")
        handles = [Line2D([], [], color=c, label=n) for n, c in _colours(results).items()]
        handles += [
            Patch(color="0.6", alpha=0.4, label="90% band of the bias"),
            Line2D([], [], color="0.4", ls="--", lw=0.7, label="bias ± σ"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        n = ", ".join(f"{k}: {r.summary['n_records']}" for k, r in results.items())
        what = "5%-damped PSA" if kind == "psa" else "Konno–Ohmachi-smoothed FAS"
        fig.suptitle(f"{what} residuals (records {n})")
    return fig


def plot_eg_pg(results: Results) -> Figure:
    """Envelope (EG) vs phase (PG) goodness of fit (Kristeková et al. 2009), one dot per record.

    Scores are averaged over the three components as in SeismoALICE; the shaded squares are the
    quality bands of the lower of the two scores (poor < 4 ≤ fair < 6 ≤ good < 8 ≤ excellent).
    """
    from matplotlib.patches import Rectangle

    with paper_style():
        fig, ax = new_figure(1, 1, "column", aspect=1.0)
        for band, low, _ in reversed(_quality_bands()):
            ax.add_patch(Rectangle((low, low), 10 - low, 10 - low, color=BAND_COLOURS[band], lw=0))
            ax.text(low + 0.1, low + 0.1, band, fontsize=6, color="0.35", va="bottom")
        for (name, result), colour in zip(results.items(), _colours(results).values(), strict=True):
            eg, pg = np.nanmean(result.gof["eg"], axis=1), np.nanmean(result.gof["pg"], axis=1)
            ax.scatter(eg, pg, s=8, color=colour, alpha=0.7, lw=0, label=name, clip_on=False)
            ax.scatter(
                np.nanmedian(eg), np.nanmedian(pg), s=60, marker="*", color=colour,
                edgecolor="black", lw=0.5, label=f"{name} median", clip_on=False,
            )  # fmt: skip
        ax.set(xlim=(0, 10), ylim=(0, 10), xlabel="EG (envelope GOF)", ylabel="PG (phase GOF)")
        ax.set_aspect("equal")
        ax.legend(loc="upper left")
        cfg = next(iter(results.values())).config
        ax.set_title(f"Time–frequency GOF, {cfg.fmin:g}–{cfg.fmax:g} Hz")
    return fig


def plot_anderson(results: Results) -> Figure:
    """Anderson (2004) scores per criterion C1–C10 and the record score, box plots per method."""
    from seismoalice.metrics.anderson import CRITERIA

    with paper_style():
        fig, axes = _figure(1, 1, 3.0)
        ax = axes[0, 0]
        width = 0.8 / len(results)
        criteria = [f"C{i + 1} {name}" for i, name in enumerate(CRITERIA)]
        positions = np.arange(len(criteria) + 1)
        for band, low, high in _quality_bands():
            ax.axhspan(low, high, color=BAND_COLOURS[band], lw=0)
        for k, ((name, result), colour) in enumerate(
            zip(results.items(), _colours(results).values(), strict=True)
        ):
            data = np.column_stack([result.gof["anderson"], result.gof["anderson_score"]])
            offset = (k - (len(results) - 1) / 2) * width
            box = ax.boxplot(
                [col[np.isfinite(col)] for col in data.T], positions=positions + offset,
                widths=width * 0.85, patch_artist=True, showfliers=False,
            )  # fmt: skip
            for patch in box["boxes"]:
                patch.set(facecolor=colour, alpha=0.35)
            for median in box["medians"]:
                median.set(color=colour, lw=2)
            ax.plot([], [], color=colour, lw=6, alpha=0.6, label=name)
        ax.set_xticks(positions, [*criteria, "Score"], rotation=35, ha="right")
        ax.set(ylim=(0, 10), ylabel="Anderson score (0–10)", xlim=(-0.6, positions[-1] + 0.6))
        ax.legend(loc="lower left", ncols=len(results))
        ax.set_title("Anderson (2004) goodness of fit (horizontal components)")
    return fig


def plot_example(results: Results, record: str) -> Figure:
    """Pred vs ref for one record: accelerograms, smoothed FAS, PSA and Husid curves per component.

    Rows are the Z, N, E components; methods that do not hold the record among their
    ``examples`` (e.g. one that skipped it) are left out of the figure.

    Raises:
        KeyError: no method holds the record.
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import NullFormatter

    colours = _colours(results)
    having = {
        name: example
        for name, result in results.items()
        for example in result.examples
        if example["name"] == record
    }
    if not having:
        raise KeyError(f"record {record!r} is not an example of any method")
    first_name = next(iter(having))
    first = results[first_name]
    with paper_style():
        fig, axes = _figure(len(COMPONENTS), 4, 5.4)
        for name, example in having.items():
            result = results[name]
            i, t = example["index"], np.arange(example["ref"].shape[-1]) * result.dt
            ref_curve = [("ref", REF_COLOUR, 1)] if name == first_name else []
            for side, colour, z in [("pred", colours[name], 2), *ref_curve]:
                measures = getattr(result, side)
                for c, row in enumerate(axes):
                    row[0].plot(t, example[side][c], color=colour, lw=0.5, zorder=z)
                    row[1].plot(result.frequencies, measures["fas"][i, c], color=colour, zorder=z)
                    row[2].plot(result.periods, measures["psa"][i, c], color=colour, zorder=z)
                    row[3].plot(t, example[f"husid_{side}"][c], color=colour, zorder=z)
        row_of_first = next(e["index"] for e in first.examples if e["name"] == record)
        for c, row in enumerate(axes):
            row[0].set_ylabel(axis_label(f"{COMPONENTS[c]}: acceleration", "m/s²"))
            row[1].set_ylabel(axis_label("Smoothed FAS", "m/s"))
            row[2].set_ylabel(axis_label("PSA (5%)", "m/s²"))
            row[3].set(ylabel="Husid H(t)", ylim=(0, 1.02))
            if np.isfinite(first.ref["psa"][row_of_first, c]).any():
                for ax in row[1:3]:
                    set_log_axes(ax)
                    ax.yaxis.set_minor_formatter(NullFormatter())
            else:  # a component missing from the record (all zeros), e.g. no vertical
                for ax in row[1:]:
                    ax.text(0.5, 0.5, "component missing", transform=ax.transAxes, ha="center")
                    ax.set(xticks=[], yticks=[])
        labels = [("Time", "s"), ("Frequency", "Hz"), ("Period", "s"), ("Time", "s")]
        for ax, label in zip(axes[-1], labels, strict=True):
            ax.set_xlabel(axis_label(*label))
        handles = [Line2D([], [], color=REF_COLOUR, label="reference")]
        handles += [Line2D([], [], color=colours[n], label=n) for n in having]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        fig.suptitle(f"Record {record} (Δt = {first.dt:g} s, 5% damping)")
    return fig


def _percentile_band(ax: Axes, x: np.ndarray, stats: dict, colour: str, label: str) -> bool:
    """Median (line) and 16–84 % band (shaded) of one curve summary; False if all undefined."""
    median = np.asarray(stats["median"], dtype=float)
    low, high = (np.asarray(stats[k], dtype=float) for k in ("p16", "p84"))
    ax.fill_between(x, low, high, color=colour, alpha=0.2, lw=0)
    ax.plot(x, median, color=colour, label=label)
    return bool(np.isfinite(median).any())


def plot_waveform(results: Results) -> Figure:
    """Inter-component coherence (ZN, ZE, NE) and H/V ratio vs frequency, pred vs reference.

    Median over records (line) and 16–84 % band (shaded) per method; the reference in black
    (one curve per distinct reference record set, e.g. when methods skipped different records).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    colours = _colours(results)
    panels = [("coherence", pair, f"Coherence {pair}") for pair in ("ZN", "ZE", "NE")]
    panels.append(("hv", None, "H/V"))
    references: list[tuple[str, EvaluationResult]] = []
    for name, result in results.items():
        if all(result.names != other.names for _, other in references):
            references.append((name, result))
    with paper_style():
        fig, axes = _figure(2, 2, 5.2, sharex=True)
        for ax, (kind, pair, title) in zip(axes.flat, panels, strict=True):
            has_data = False
            for k, (name, result) in enumerate(references):
                stats = result.summary["waveform"][kind]
                curve = stats[pair]["ref"] if pair else stats["ref"]
                label = "reference" if k == 0 else f"reference ({name})"
                style_colour = REF_COLOUR if k == 0 else f"{0.3 + 0.2 * k:.1f}"
                has_data |= _percentile_band(
                    ax, result.waveform_frequencies, curve, style_colour, label
                )
            for name, result in results.items():
                stats = result.summary["waveform"][kind]
                curve = stats[pair]["pred"] if pair else stats["pred"]
                has_data |= _percentile_band(
                    ax, result.waveform_frequencies, curve, colours[name], name
                )
            set_log_axes(ax, x=True, y=kind == "hv")
            if kind == "coherence":
                ax.set_ylim(0, 1)
                ax.set_ylabel("Magnitude-squared coherence")
            else:
                ax.set_ylabel("H/V")
                ax.yaxis.set_major_formatter(ScalarFormatter())
                ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_title(title)
            if not has_data:
                ax.text(0.5, 0.5, "undefined for every record", transform=ax.transAxes,
                        ha="center")  # fmt: skip
        for ax in axes[-1]:
            ax.set_xlabel(axis_label("Frequency", "Hz"))
        handles = [Line2D([], [], color=REF_COLOUR, label="reference")]
        handles += [Line2D([], [], color=c, label=n) for n, c in colours.items()]
        handles.append(Patch(color="0.6", alpha=0.4, label="16–84 % of records"))
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        n = ", ".join(f"{k}: {r.summary['n_records']}" for k, r in results.items())
        fig.suptitle(f"Inter-component coherence and H/V, median over records ({n})")
    return fig


def slug(text: str) -> str:
    """``text`` reduced to characters safe in a file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "record"


def write_figures(results: Results, out_dir: str | Path) -> tuple[dict[str, Path], dict[str, str]]:
    """Draw every figure of ``results`` into ``out_dir`` as PNG.

    A figure that fails to draw is reported, not raised, so the other figures and the report
    are still written.

    Returns:
        ``({title: path} of the figures written, {title: error} of those that failed)``.
    """
    out = Path(out_dir)
    figures = {
        "PSA residuals": ("psa_residuals.png", lambda: plot_residuals(results, "psa")),
        "FAS residuals": ("fas_residuals.png", lambda: plot_residuals(results, "fas")),
        "Coherence and H/V": ("waveform.png", lambda: plot_waveform(results)),
        "EG–PG goodness of fit": ("eg_pg.png", lambda: plot_eg_pg(results)),
        "Anderson scores": ("anderson.png", lambda: plot_anderson(results)),
    }
    for k, example in enumerate(next(iter(results.values())).examples):
        name = example["name"]
        figures[f"Record {name}"] = (
            f"example_{k}_{slug(name)}.png",
            lambda name=name: plot_example(results, name),
        )
    written, errors = {}, {}
    for title, (file, draw) in figures.items():
        try:
            written[title] = save_figure(draw(), out / file)
        except Exception as exc:  # a figure must never cost the results already computed
            errors[title] = f"{type(exc).__name__}: {exc}"
    return written, errors
