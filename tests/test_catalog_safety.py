"""Bad catalogs and model folders: one-line errors or counted, reported skips (issue 10), and
fuzzing of the CSV and QuakeML readers."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from seismoalice.catalog.catalog import Catalog, CatalogWarning
from seismoalice.catalog.etas.params import ETASParams
from seismoalice.catalog.etas.simulate import simulate_etas
from seismoalice.cli import app
from seismoalice.errors import CheckpointError, DataError

DATA = Path(__file__).parent / "data"
HEAD = DATA / "sanjacinto_qtm_head.csv"
runner = CliRunner()
TINY_VAE = (
    "data: {mc: 2.0, window: 16, stride: 16}\n"
    "model: {latent_dim: 2, hidden: [8], reconstruction: gr_weibull_nll}\n"
    "train: {epochs: 1, patience: 5}\n"
)


def _one_line_error(result, kind=DataError) -> str:
    """The CLI ended in a SeismoALICE error of ``kind`` whose message is one line."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, kind), repr(result.exception)
    message = str(result.exception)
    assert "\n" not in message
    return message


def _simulated(seed: int, years: float = 3.0) -> Catalog:
    params = ETASParams(mu=1.0, k=0.2, alpha=1.5, c=0.01, p=1.2, m0=2.0, b=1.0, mmax=6.5)
    return simulate_etas(params, 0.0, 365.25 * years, burn_in_days=300.0, seed=seed)


@pytest.fixture(scope="module")
def two_catalogs(tmp_path_factory):
    root = tmp_path_factory.mktemp("cats")
    for seed in (1, 2):
        _simulated(seed).to_csv(root / f"cat{seed}.csv")
    (root / "cfg.yaml").write_text(TINY_VAE)
    return root


def _train(root: Path, catalog: str, out: Path, *extra: str):
    args = ["catalog", "vae", "train", str(root / catalog), "--out", str(out)]
    return runner.invoke(app, [*args, "--config", str(root / "cfg.yaml"), *extra])


def test_vae_train_refuses_a_model_of_another_catalog(two_catalogs, tmp_path):
    out = tmp_path / "model"
    assert _train(two_catalogs, "cat1.csv", out).exit_code == 0
    weights = (out / "model.safetensors").read_bytes()
    message = _one_line_error(_train(two_catalogs, "cat2.csv", out), CheckpointError)
    assert "another catalog" in message and "--overwrite" in message
    assert (out / "model.safetensors").read_bytes() == weights
    (two_catalogs / "cfg2.yaml").write_text(TINY_VAE.replace("hidden: [8]", "hidden: [4]"))
    args = ["--config", str(two_catalogs / "cfg2.yaml")]
    assert "another config" in _one_line_error(
        _train(two_catalogs, "cat1.csv", out, *args), CheckpointError
    )
    foreign = out / "notes.txt"
    foreign.write_text("mine")
    result = _train(two_catalogs, "cat2.csv", out, "--overwrite")
    assert result.exit_code == 0, result.output
    assert foreign.read_text() == "mine"
    assert (out / "model.safetensors").read_bytes() != weights


@pytest.mark.parametrize("damage", ["empty", "truncated", "flipped"])
def test_corrupt_safetensors_one_line_error(two_catalogs, tmp_path, damage):
    out = tmp_path / "model"
    assert _train(two_catalogs, "cat1.csv", out).exit_code == 0
    for name in ("model.safetensors", "last.safetensors"):
        path = out / name
        raw = path.read_bytes()
        broken = {"empty": b"", "truncated": raw[: len(raw) // 3], "flipped": b"\xff" * 16 + raw}
        path.write_bytes(broken[damage])
    gen = [
        "catalog",
        "vae",
        "generate",
        str(out),
        "--windows",
        "2",
        "--out",
        str(tmp_path / "g.csv"),
    ]
    assert "model.safetensors" in _one_line_error(runner.invoke(app, gen), CheckpointError)
    message = _one_line_error(_train(two_catalogs, "cat1.csv", out), CheckpointError)
    assert "last.safetensors" in message


def test_subset_of_simulated_catalog(tmp_path):
    full = _simulated(3, years=6.0)
    full.to_csv(tmp_path / "full.csv")
    raw = pd.read_csv(tmp_path / "full.csv")
    raw[raw["M"] >= 2.3].to_csv(tmp_path / "subset.csv", index=False)
    with pytest.warns(CatalogWarning, match="parent"):
        subset = Catalog.read_csv(tmp_path / "subset.csv")
    assert "parent" not in subset.df.columns
    assert len(subset) == int((raw["M"] >= 2.3).sum())
    for args in (
        ["stats", str(tmp_path / "subset.csv"), "--out", str(tmp_path / "stats"), "--mc", "2.3"],
        ["fit", str(tmp_path / "subset.csv"), "--m0", "2.3"],
    ):
        result = runner.invoke(app, ["catalog", *args])
        assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
        assert "parent" in result.output  # the note is shown


def _head_frame(n: int = 60) -> pd.DataFrame:
    return pd.read_csv(HEAD).iloc[:n].copy()


def test_inf_magnitude_is_a_clear_error(tmp_path):
    df = _head_frame()
    df.loc[7, "magnitude"] = np.inf
    df.to_csv(tmp_path / "inf.csv", index=False)
    result = runner.invoke(
        app, ["catalog", "stats", str(tmp_path / "inf.csv"), "--out", str(tmp_path)]
    )
    message = _one_line_error(result)
    assert "row 7" in message and "magnitude" in message


def test_unsorted_message_speaks_to_cli_users(tmp_path):
    df = _head_frame().iloc[::-1]
    df.to_csv(tmp_path / "rev.csv", index=False)
    args = ["catalog", "stats", str(tmp_path / "rev.csv"), "--out", str(tmp_path / "s")]
    message = _one_line_error(runner.invoke(app, args))
    assert "not sorted" in message and "sort=True" not in message and "--sort" in message
    result = runner.invoke(app, [*args, "--sort"])
    assert result.exit_code == 0, result.output


def test_duplicate_events_are_reported_and_dropped(tmp_path):
    df = _head_frame()
    doubled = pd.concat([df, df.iloc[[3, 10]]]).sort_values("time", kind="stable")
    doubled.to_csv(tmp_path / "dup.csv", index=False)
    with pytest.warns(CatalogWarning, match="dropped 2 duplicate"):
        cat = Catalog.read_csv(tmp_path / "dup.csv")
    assert len(cat) == len(df)
    assert cat.notes and "duplicate" in cat.notes[0]
    same_time = df.copy()
    same_time.loc[5, "time"] = same_time.loc[4, "time"]  # same time, other place: kept
    same_time.to_csv(tmp_path / "same_time.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(Catalog.read_csv(tmp_path / "same_time.csv")) == len(df)


def test_identical_times_clear_error_without_runtime_warnings(tmp_path):
    df = _head_frame()
    df["time"] = df["time"].iloc[0]
    df.to_csv(tmp_path / "same.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = runner.invoke(
            app, ["catalog", "stats", str(tmp_path / "same.csv"), "--out", str(tmp_path / "s")]
        )
    assert "same time" in _one_line_error(result)


def _check_reader(read, path: Path) -> None:
    """The reader returns a valid catalog or raises a one-line DataError, nothing else."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CatalogWarning)
            cat = read(path)
    except DataError as exc:
        assert "\n" not in str(exc)
        return
    assert np.all(np.isfinite(cat.magnitudes))
    assert cat.df["time"].is_monotonic_increasing


def _mutate(raw: bytes, data) -> bytes:
    """Random truncation, byte flips and absurd numbers."""
    kind = data.draw(st.sampled_from(["truncate", "flip", "absurd"]))
    if kind == "truncate":
        return raw[: data.draw(st.integers(0, len(raw)))]
    if kind == "flip":
        out = bytearray(raw)
        for _ in range(data.draw(st.integers(1, 8))):
            pos = data.draw(st.integers(0, len(out) - 1))
            out[pos] = data.draw(st.integers(0, 255))
        return bytes(out)
    text = raw.decode()
    number = data.draw(st.sampled_from(["1e308", "-1e400", "nan", "inf", "99999", "-7", "1e-320"]))
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    pos = data.draw(st.sampled_from(digits))
    return (text[:pos] + number + text[pos + 1 :]).encode()


FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(data=st.data())
def test_fuzz_csv_reader(tmp_path, data):
    raw = b"".join(HEAD.read_bytes().splitlines(keepends=True)[:25])
    path = tmp_path / "fuzz.csv"
    path.write_bytes(_mutate(raw, data))
    _check_reader(Catalog.read_csv, path)


@pytest.fixture(scope="module")
def quakeml_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("qml") / "cat.xml"
    cat = Catalog.read_csv(HEAD)
    Catalog(cat.df.iloc[:4]).to_quakeml(path)
    return path.read_bytes()


@FUZZ
@given(data=st.data())
def test_fuzz_quakeml_reader(tmp_path, quakeml_bytes, data):
    path = tmp_path / "fuzz.xml"
    path.write_bytes(_mutate(quakeml_bytes, data))
    _check_reader(Catalog.read_quakeml, path)
