"""Catalog type and I/O: validation errors, CSV (pyCSEP layout) and QuakeML round trips."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seismoalice.catalog import Catalog
from seismoalice.errors import DataError

DATA = Path(__file__).parent / "data"


def _frame(n: int = 20, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.uniform(0, 86_400 * 30, n))
    times = pd.Timestamp("2019-07-06T03:22:35.630Z") + pd.to_timedelta(
        np.round(seconds * 1e6), unit="us"
    )
    return pd.DataFrame(
        {
            "time": times,
            "latitude": rng.uniform(33, 36, n),
            "longitude": rng.uniform(-118, -116, n),
            "depth": rng.uniform(0, 15, n),
            "magnitude": np.round(rng.uniform(2.5, 5, n), 2),
        }
    )


def test_csv_round_trip_pycsep_layout(tmp_path):
    cat = Catalog(_frame())
    path = tmp_path / "cat.csv"
    cat.to_csv(path)
    with path.open() as fh:
        header = next(csv.reader(fh))
    assert header[:7] == ["lon", "lat", "M", "time_string", "depth", "catalog_id", "event_id"]
    back = Catalog.read_csv(path)
    assert (back.df["time"] == cat.df["time"]).all()
    for col in ("latitude", "longitude", "depth", "magnitude"):
        np.testing.assert_allclose(back.df[col], cat.df[col], atol=1e-6)


def test_simulated_extras_round_trip(tmp_path):
    df = _frame(10)
    df["x"], df["y"] = np.arange(10.0), -np.arange(10.0)
    df["parent"] = [-1, 0, 0, -1, 3, -2, 1, -1, 7, 8]
    df["generation"] = [0, 1, 1, 0, 1, 1, 2, 0, 1, 2]
    cat = Catalog(df)
    cat.to_csv(tmp_path / "sim.csv")
    back = Catalog.read_csv(tmp_path / "sim.csv")
    np.testing.assert_array_equal(back.df["parent"], df["parent"])
    np.testing.assert_allclose(back.xy_km()[0], df["x"])


def test_read_sanjacinto_layout():
    cat = Catalog.read_csv(DATA / "sanjacinto_qtm_head.csv")
    raw = pd.read_csv(DATA / "sanjacinto_qtm_head.csv")
    assert len(cat) == len(raw)
    np.testing.assert_allclose(cat.magnitudes, raw["magnitude"])
    np.testing.assert_allclose(cat.df["x"], raw["x"])
    assert str(cat.df["time"].dtype) == "datetime64[ns, UTC]"
    first = pd.Timestamp(raw["time"].iloc[0], tz="UTC")
    expected = (pd.to_datetime(raw["time"], utc=True) - first).dt.total_seconds() / 86_400
    np.testing.assert_allclose(cat.times_days(), expected, atol=1e-9)


def test_quakeml_round_trip(tmp_path):
    cat = Catalog(_frame(8))
    cat.to_quakeml(tmp_path / "cat.xml")
    from obspy import read_events

    obspy_events = read_events(str(tmp_path / "cat.xml"))
    assert len(obspy_events) == 8
    assert obspy_events[0].origins[0].depth == pytest.approx(cat.df["depth"].iloc[0] * 1000)
    back = Catalog.read_quakeml(tmp_path / "cat.xml")
    assert (back.df["time"] == cat.df["time"]).all()
    np.testing.assert_allclose(back.magnitudes, cat.magnitudes)
    np.testing.assert_allclose(back.df["depth"], cat.df["depth"], rtol=1e-9)


def test_unsorted_times_error_or_sort():
    df = _frame(5).iloc[[0, 2, 1, 3, 4]]
    with pytest.raises(DataError, match="not sorted"):
        Catalog(df)
    cat = Catalog(df, sort=True)
    assert cat.df["time"].is_monotonic_increasing


def test_sort_remaps_parent_indices():
    df = _frame(3)
    df["parent"] = [-1, 0, 1]
    shuffled = df.iloc[[2, 0, 1]].reset_index(drop=True)
    shuffled["parent"] = [2, -1, 1]  # rows: event2 (parent event1 = row 2), event0, event1
    cat = Catalog(shuffled, sort=True)
    np.testing.assert_array_equal(cat.df["parent"], [-1, 0, 1])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda df: df.drop(columns=["magnitude"]), "missing column"),
        (lambda df: df.assign(magnitude=[np.nan, *df["magnitude"].iloc[1:]]), "row 0: magnitude"),
        (lambda df: df.assign(time=["2020-01-01", "not a time", *df["time"].iloc[2:]]), "row 1"),
    ],
)
def test_bad_input_errors(change, message):
    with pytest.raises(DataError, match=message):
        Catalog(change(_frame(5)))


def test_read_csv_errors(tmp_path):
    with pytest.raises(DataError, match="not found"):
        Catalog.read_csv(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=str(bad.name)):
        Catalog.read_csv(bad)
