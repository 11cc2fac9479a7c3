"""Write an evaluation's files into one folder: numbers first, then figures and the report.

``metrics.json``, ``records.npz`` and ``summary.md`` are written before any figure is drawn, and
a figure that fails is listed in the report instead of stopping it, so computed results are
never lost to a plotting problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from seismoalice.evaluation.plots import slug, write_figures
from seismoalice.evaluation.report import markdown_summary, write_report
from seismoalice.evaluation.result import EvaluationResult
from seismoalice.io_utils import atomic_write_text, write_json


@dataclass
class WrittenOutputs:
    """What :func:`write_outputs` wrote: ``files`` ({what: path}) and the figures that could
    not be drawn (``figure_errors``, {title: error})."""

    files: dict[str, Path] = field(default_factory=dict)
    figure_errors: dict[str, str] = field(default_factory=dict)


def write_outputs(
    results: Mapping[str, EvaluationResult],
    out_dir: str | Path,
    title: str = "SeismoALICE evaluation",
) -> WrittenOutputs:
    """Write ``metrics.json`` and ``records.npz`` (one method; ``metrics_<method>.json`` and
    ``records_<method>.npz`` for several) and ``summary.md``, then the PNG figures and
    ``report.html``, into ``out_dir`` (created if needed)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = WrittenOutputs()
    for name, result in results.items():
        suffix = "" if len(results) == 1 else f"_{slug(name)}"
        written.files[f"metrics {name}"] = out / f"metrics{suffix}.json"
        write_json(written.files[f"metrics {name}"], result.to_json())
        written.files[f"arrays {name}"] = result.save_arrays(out / f"records{suffix}.npz")
    written.files["summary"] = out / "summary.md"
    atomic_write_text(written.files["summary"], markdown_summary(results, title))
    figures, written.figure_errors = write_figures(results, out)
    written.files |= figures
    written.files["report"] = write_report(
        results, figures, out / "report.html", title, written.figure_errors
    )
    return written
