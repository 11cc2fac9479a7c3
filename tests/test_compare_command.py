"""End to end: `seismoalice compare` on a tiny prepared synthetic data set."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from seismoalice.cli import app
from seismoalice.data.preprocessing import PreprocessConfig, prepare_dataset
from seismoalice.data.synthetic import SynthConfig, write_synthetic_dataset


def test_compare_end_to_end(tmp_path) -> None:
    cfg = SynthConfig(nt=2048, mw_range=(4.5, 6.0), distance_km_range=(10.0, 40.0), seed=5)
    src = write_synthetic_dataset(tmp_path / "raw", 40, cfg)
    prepared = tmp_path / "prepared"
    prepare_dataset(src, prepared, PreprocessConfig(nt=2048), progress=False)
    config = tmp_path / "ann2bb.yaml"
    config.write_text(
        "train: {progress: false, checkpoint_every: 200}\nvalidation: {every: 200}\n"
        "stages: {ann2bb: {n_nets: 3, epochs: 200}}\n"
    )
    train = ["train", "--stage", "ann2bb", "--config", str(config), "--data", str(prepared)]
    result = CliRunner().invoke(app, [*train, "--out", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    ckpt = tmp_path / "runs" / "ann2bb"
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app,
        [
            "compare",
            "--data",
            str(prepared),
            "--methods",
            f"lf,stochastic,ann2bb={ckpt}",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads((out / "comparison.json").read_text())["methods"]
    assert set(rows) == {"lf", "stochastic", "ann2bb"}
    for name in rows:
        assert rows[name]["n_records"] == 4
    # the LF input lacks the short periods: strong positive bias (under-prediction) at 0.02–0.1 s,
    # which the stochastic hybrid removes
    lf_bias = rows["lf"]["psa_bands"][0]["bias"]
    assert lf_bias > 1.0
    assert abs(rows["stochastic"]["psa_bands"][0]["bias"]) < 0.5 * lf_bias
    assert (out / "report.html").exists() and (out / "comparison.md").exists()
    assert "| lf |" in (out / "comparison.md").read_text()
