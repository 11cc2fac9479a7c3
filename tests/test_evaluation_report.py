"""Figures and the self-contained HTML report (seismoalice.evaluation.plots / report / outputs)."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest
from PIL import Image

from seismoalice.data.filters import bandpass
from seismoalice.evaluation.compute import EvaluationConfig, evaluate_pairs
from seismoalice.evaluation.outputs import write_outputs
from seismoalice.evaluation.plots import (
    plot_anderson,
    plot_eg_pg,
    plot_example,
    plot_residuals,
    save_figure,
)
from seismoalice.evaluation.report import format_summary, render_report

DT = 0.01
CONFIG = EvaluationConfig(
    periods=tuple(np.geomspace(0.02, 3.0, 12)), n_frequencies=20, tf_nf=12, n_examples=1
)


@pytest.fixture(scope="module")
def results():
    rng = np.random.default_rng(3)
    t = np.arange(1024) * DT
    ref = bandpass(rng.normal(size=(3, 3, t.size)) * t * np.exp(-t / 2), 1 / DT, 0.2, 25.0)
    noisy = ref + 0.3 * bandpass(rng.normal(size=ref.shape), 1 / DT, 0.2, 25.0)
    return {
        "<noisy>": evaluate_pairs(noisy, ref, DT, names=["a", "b", "c"], config=CONFIG),
        "doubled": evaluate_pairs(2 * ref, ref, DT, names=["a", "b", "c"], config=CONFIG),
    }


def test_residual_figures_have_log_axes_and_every_method(results):
    for kind, label in (("psa", "Period [s]"), ("fas", "Frequency [Hz]")):
        fig = plot_residuals(results, kind)
        axes = fig.axes
        assert len(axes) == 4
        assert all(ax.get_xscale() == "log" for ax in axes)
        assert axes[-1].get_xlabel() == label
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert {"<noisy>", "doubled"} <= set(legend)
        # the doubled method's bias line sits at −ln 2 in every panel
        for ax in axes:
            doubled = next(line for line in ax.lines if line.get_color() == "C1")
            np.testing.assert_allclose(doubled.get_ydata(), -np.log(2), atol=1e-6)


def test_scatter_boxes_and_examples(results):
    fig = plot_eg_pg(results)
    ax = fig.axes[0]
    assert ax.get_xlim() == (0.0, 10.0) and ax.get_ylim() == (0.0, 10.0)
    assert len(ax.patches) == 4  # poor, fair, good, excellent
    fig = plot_anderson(results)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0].startswith("C1") and labels[-1] == "Score"
    fig = plot_example(results, "a")
    assert len(fig.axes) == 12
    assert fig.axes[1].get_xscale() == "log" and fig.axes[1].get_yscale() == "log"
    with pytest.raises(KeyError, match="'c'"):
        plot_example(results, "c")


def test_saved_png_is_300_dpi(results, tmp_path):
    path = save_figure(plot_eg_pg(results), tmp_path / "eg_pg.png")
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)


def test_report_is_self_contained(results, tmp_path):
    written = write_outputs(results, tmp_path)
    assert written.figure_errors == {}
    html = written.files["report"].read_text(encoding="utf-8")
    assert "http" not in html and "<link" not in html and "<script" not in html
    sources = re.findall(r'src="([^"]*)"', html)
    assert len(sources) == 6  # 5 summary figures + 1 example record
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "&lt;noisy&gt;" in html and "<noisy>" not in html
    assert (tmp_path / "metrics_doubled.json").is_file()
    assert (tmp_path / "metrics_noisy.json").is_file()


def test_summary_table_reports_the_bias(results):
    table = render_report(results, {})
    assert "PSA RotD50 bias / σ, 0.02–0.1 s" in table
    text = format_summary(results)
    doubled = next(line.split()[-3:] for line in text.splitlines() if line.startswith("PGA"))
    assert doubled == ["-0.69", "/", "0.00"]
