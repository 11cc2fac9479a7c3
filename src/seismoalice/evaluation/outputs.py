"""Write an evaluation's files: metrics JSON, PNG figures and the HTML report, into one folder."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from seismoalice.evaluation.plots import slug, write_figures
from seismoalice.evaluation.report import write_report
from seismoalice.evaluation.result import EvaluationResult
from seismoalice.io_utils import write_json


def write_outputs(
    results: Mapping[str, EvaluationResult],
    out_dir: str | Path,
    title: str = "SeismoALICE evaluation",
) -> dict[str, Path]:
    """Write ``metrics.json`` and ``records.npz`` (one method; ``metrics_<method>.json`` and
    ``records_<method>.npz`` for several), the PNG figures and ``report.html`` into ``out_dir``.

    Returns:
        {what: path} of every file written.
    """
    out = Path(out_dir)
    written: dict[str, Path] = {}
    for name, result in results.items():
        suffix = "" if len(results) == 1 else f"_{slug(name)}"
        written[f"metrics {name}"] = out / f"metrics{suffix}.json"
        write_json(written[f"metrics {name}"], result.to_json())
        written[f"arrays {name}"] = result.save_arrays(out / f"records{suffix}.npz")
    figures = write_figures(results, out)
    written |= figures
    written["report"] = write_report(results, figures, out / "report.html", title)
    return written
