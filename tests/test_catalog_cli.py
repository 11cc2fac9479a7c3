"""`seismoalice catalog simulate | fit | stats` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from seismoalice.catalog import Catalog
from seismoalice.cli import app

DATA = Path(__file__).parent / "data"
CONFIG = """
model: temporal
seed: 7
origin: "2010-01-01T00:00:00Z"
t_start: 0.0
t_end: 600.0
burn_in_days: 200.0
params: {mu: 1.0, k: 0.3, alpha: 1.2, c: 0.01, p: 1.3, m0: 2.0, b: 1.0}
"""


def test_simulate_then_fit(tmp_path):
    runner = CliRunner()
    cfg = tmp_path / "etas.yaml"
    cfg.write_text(CONFIG)
    out = tmp_path / "cat.csv"
    res = runner.invoke(app, ["catalog", "simulate", "--config", str(cfg), "--out", str(out)])
    assert res.exit_code == 0, res.output
    cat = Catalog.read_csv(out)
    assert cat.df["time"].iloc[0] >= pd.Timestamp("2010-01-01", tz="UTC")
    assert cat.magnitudes.min() >= 2.0
    fit_json = tmp_path / "fit.json"
    res = runner.invoke(app, ["catalog", "fit", str(out), "--m0", "2.0", "--out", str(fit_json)])
    assert res.exit_code == 0, res.output
    fit = json.loads(fit_json.read_text())
    assert len(fit["background_prob"]) == fit["n_events"] == len(cat)
    # μ is recovered within 4 standard errors on this small catalog
    assert abs(fit["params"]["mu"] - 1.0) < 4 * fit["stderr"]["mu"]


def test_simulate_bad_config(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(CONFIG.replace("k: 0.3", "k: 0.3, kk: 1"))
    res = CliRunner().invoke(
        app, ["catalog", "simulate", "--config", str(cfg), "--out", str(tmp_path / "x.csv")]
    )
    assert res.exit_code != 0
    assert "kk" in str(res.exception)


def test_stats_writes_report_and_plots(tmp_path):
    res = CliRunner().invoke(
        app, ["catalog", "stats", str(DATA / "sanjacinto_qtm_head.csv"), "--out", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "stats.json").read_text())
    assert report["n_events"] == 300
    assert 0.5 < report["b"] < 2.0
    for name in ("magnitude_frequency.png", "cumulative_count.png", "magnitude_time.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
