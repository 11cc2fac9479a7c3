"""Self-contained HTML report of an evaluation: summary table, figures, inputs, version, date.

Images are embedded as base64 PNG and the CSS is inline, so ``report.html`` opens anywhere
without other files or network access. Takes ``{method_name: EvaluationResult}``; with several
methods the table has one column per method.
"""

from __future__ import annotations

import base64
import datetime
import html
import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from seismoalice import __version__
from seismoalice.evaluation.result import EvaluationResult
from seismoalice.io_utils import atomic_write_text

Results = Mapping[str, EvaluationResult]

CSS = """
body { font-family: Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto;
       color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; } thead th { background: #f0f0f0; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; }
figcaption { font-size: 0.9em; color: #555; } .meta { color: #555; font-size: 0.9em; }
code { background: #f5f5f5; padding: 0 0.2em; }
"""


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}f}"


def _bias_sigma(stats: Mapping) -> str:
    bias, sigma = stats["bias"], stats["sigma"]
    return f"{_fmt(bias)} / {_fmt(sigma)}"


def summary_rows(results: Results) -> list[tuple[str, list[str]]]:
    """Rows (label, one formatted value per method) of the report's summary table.

    Residuals are ln(ref/pred): bias > 0 means the method under-predicts; σ is the standard
    deviation over records. PSA rows average the RotD50 per-period bias and σ over the band.
    """
    from seismoalice.metrics.anderson import quality_label

    summaries = [r.summary for r in results.values()]
    rows = [
        (
            "Records evaluated (skipped)",
            [f"{r.summary['n_records']} ({len(r.skipped)})" for r in results.values()],
        )
    ]
    for k, band in enumerate(summaries[0]["psa_bands"]):
        low, high = band["periods_s"]
        rows.append(
            (
                f"PSA RotD50 bias / σ, {low:g}–{high:g} s",
                [_bias_sigma(s["psa_bands"][k]) for s in summaries],
            )
        )
    for key, label in (("pga", "PGA"), ("pgv", "PGV")):
        rows.append(
            (
                f"{label} bias / σ (horizontals)",
                [_bias_sigma(s["scalars"][key]["horizontal"]) for s in summaries],
            )
        )
    rows += [
        ("Median EG (0–10)", [_fmt(s["tf_gof"]["eg"]["median"]) for s in summaries]),
        ("Median PG (0–10)", [_fmt(s["tf_gof"]["pg"]["median"]) for s in summaries]),
        (
            "Median Anderson score (band)",
            [
                f"{_fmt(s['anderson']['median_score'])} "
                f"({quality_label(s['anderson']['median_score'])})"
                for s in summaries
            ],
        ),
        ("Median D5-95 ratio pred/ref", [_fmt(s["duration_ratio"]["d5_95"]) for s in summaries]),
        ("Median D5-75 ratio pred/ref", [_fmt(s["duration_ratio"]["d5_75"]) for s in summaries]),
    ]
    return rows + waveform_rows(summaries)


def _pred_ref(entry: Mapping) -> str:
    """``pred / ref (pred − ref)`` of a waveform comparison, medians over records."""
    return f"{_fmt(entry['pred'], 3)} / {_fmt(entry['ref'], 3)} ({_fmt(entry['difference'], 3)})"


def _two_sample(entry: Mapping) -> str:
    if "skipped" in entry:
        return f"– ({entry['skipped']})"
    return f"{entry['accuracy']:.2f} [{entry['ci95_low']:.2f}, {entry['ci95_high']:.2f}]"


def waveform_rows(summaries: list[Mapping]) -> list[tuple[str, list[str]]]:
    """Rows of the waveform measures: medians over records of pred / ref (their difference)."""
    waves = [s["waveform"] for s in summaries]
    rows = [
        (
            f"Coherence {pair}, mean over f: pred / ref (Δ)",
            [_pred_ref(w["coherence"][pair]["mean_over_frequency"]) for w in waves],
        )
        for pair in ("ZN", "ZE", "NE")
    ]
    rows += [
        (
            "ln H/V, mean over f: pred / ref (Δ)",
            [_pred_ref(w["hv"]["ln_mean_over_frequency"]) for w in waves],
        ),
        (
            "P-window HF energy share, Z: pred / ref (Δ)",
            [_pred_ref(w["p_energy_fraction"]["Z"]) for w in waves],
        ),
        (
            "P-window HF energy share, N and E: pred / ref (Δ)",
            [_pred_ref(w["p_energy_fraction"]["horizontal"]) for w in waves],
        ),
        (
            "FAS fine-structure σ: pred / ref (Δ)",
            [_pred_ref(w["fas_fine_sigma"]["all"]) for w in waves],
        ),
        (
            "FAS fine-structure residual σ (median)",
            [_fmt(w["fine_structure_residual_sigma"]["median_all"]) for w in waves],
        ),
        (
            "Classifier two-sample accuracy [95% CI] (0.5: indistinguishable)",
            [_two_sample(s["two_sample"]) for s in summaries],
        ),
    ]
    return rows


def _table(header: list[str], rows: list[tuple[str, list[str]]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in [label, *cells]) + "</tr>"
        for label, cells in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(title: str, path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    alt = html.escape(title)
    return (
        f'<figure><img alt="{alt}" src="data:image/png;base64,{data}">'
        f"<figcaption>{alt}</figcaption></figure>"
    )


WAVEFORM_NOTE = (
    "Waveform measures compare medians over records of the prediction and the reference: "
    "magnitude-squared coherence between components (Welch segments, Konno–Ohmachi smoothed), "
    "H/V (quadratic mean of the smoothed horizontal FAS over the vertical), the share of the "
    "energy above the HF corner between the P and S picks, and the standard deviation of ln FAS "
    "about its Konno–Ohmachi trend. The classifier two-sample test (Lopez-Paz &amp; Oquab "
    "2017) trains a logistic regression on texture features of half of the record pairs and "
    "scores it on the other half; records of one event may fall in both halves."
)


def render_report(
    results: Results,
    figures: Mapping[str, Path],
    title: str = "SeismoALICE evaluation",
    figure_errors: Mapping[str, str] | None = None,
) -> str:
    """HTML text of the report for ``results`` with the PNG ``figures`` ({caption: path}) and
    the figures that could not be drawn (``figure_errors``, {caption: error})."""
    methods = list(results)
    created = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    inputs = [
        (name, [f"{key}: {value}" for key, value in r.inputs.items() if value is not None])
        for name, r in results.items()
    ]
    inputs = [(name, items or ["arrays passed in memory"]) for name, items in inputs]
    skipped = [
        f"<li>{html.escape(name)}: {html.escape(s['name'])} – {html.escape(s['reason'])}</li>"
        for name, r in results.items()
        for s in r.skipped[:20]
    ]
    first = next(iter(results.values()))
    config = html.escape(json.dumps(asdict(first.config)))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">SeismoALICE {html.escape(__version__)} · {created} · Δt = '
        f"{first.dt:g} s · components ZNE · residuals r = ln(ref/pred), positive when the "
        "method under-predicts (SCEC BBP convention)</p>",
        "<h2>Summary</h2>",
        _table(["Measure", *methods], summary_rows(results)),
        "<p class='meta'>Quality bands of EG, PG (Kristeková et al. 2009) and the Anderson (2004) "
        "score: excellent ≥ 8, good 6–8, fair 4–6, poor &lt; 4.</p>",
        f"<p class='meta'>{WAVEFORM_NOTE}</p>",
        "<h2>Figures</h2>",
        *[_image(caption, path) for caption, path in figures.items()],
        *[
            f"<p class='meta'>Figure “{html.escape(caption)}” could not be drawn: "
            f"{html.escape(error)}</p>"
            for caption, error in (figure_errors or {}).items()
        ],
        "<h2>Inputs</h2>",
        "<ul>"
        + "".join(
            f"<li><b>{html.escape(n)}</b>: " + html.escape("; ".join(items)) + "</li>"
            for n, items in inputs
        )
        + "</ul>",
        f"<p class='meta'>Configuration: <code>{config}</code></p>",
    ]
    if skipped:
        total = sum(len(r.skipped) for r in results.values())
        parts += [f"<h2>Skipped records ({total})</h2>", "<ul>", *skipped, "</ul>"]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(
    results: Results,
    figures: Mapping[str, Path],
    path: str | Path,
    title: str = "SeismoALICE evaluation",
    figure_errors: Mapping[str, str] | None = None,
) -> Path:
    """Write the self-contained report to ``path`` atomically and return the path."""
    atomic_write_text(path, render_report(results, figures, title, figure_errors))
    return Path(path)


def markdown_summary(results: Results, title: str = "SeismoALICE evaluation") -> str:
    """The summary table as markdown, with the version and the residual convention."""
    rows = summary_rows(results)
    header = ["Measure", *results]
    lines = [
        f"# {title}",
        "",
        f"SeismoALICE {__version__}; residuals r = ln(ref/pred) (SCEC BBP convention).",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *["| " + " | ".join([label, *cells]) + " |" for label, cells in rows],
        "",
    ]
    return "\n".join(lines)


def format_summary(results: Results) -> str:
    """The summary table as aligned plain text, for the terminal."""
    rows = [("Measure", list(results)), *summary_rows(results)]
    width = max(len(label) for label, _ in rows)
    cells = max(len(c) for _, row in rows for c in row)
    return "\n".join(
        f"{label:<{width}}  " + "  ".join(f"{c:>{cells}}" for c in row) for label, row in rows
    )
