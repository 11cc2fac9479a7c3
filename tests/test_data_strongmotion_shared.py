"""Every component of the shared strong-motion sets imports and matches their records.csv.

Runs where the shared data folder exists (``SEISMOALICE_SHARED_DATA``, else a ``shared/data``
folder beside the repository or one level up); the same checks run everywhere on the fixtures
in tests/data/strongmotion (tests/test_data_strongmotion.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from strongmotion_checks import TABLE_FORMATS, check_components, check_records, read_with_components

REPO = Path(__file__).resolve().parents[1]
CANDIDATES = [REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data"]
SHARED = Path(os.environ.get("SEISMOALICE_SHARED_DATA", "")) or CANDIDATES[0]
SHARED = next((p for p in [SHARED, *CANDIDATES] if (p / "strongmotion_3c").is_dir()), SHARED)
SET_3C, SET_AT2 = SHARED / "strongmotion_3c", SHARED / "strongmotion"
pytestmark = pytest.mark.skipif(
    not (SET_3C / "records.csv").is_file() or not (SET_AT2 / "records.csv").is_file(),
    reason="the shared strong-motion sets are not on this machine",
)


@pytest.mark.parametrize("fmt", sorted(set(TABLE_FORMATS.values()) - {"afad"}))
def test_three_component_set_imports_every_component(fmt: str) -> None:
    table = pd.read_csv(SET_3C / "records.csv")
    formats = [
        f for f, name in TABLE_FORMATS.items() if name == fmt or (fmt, name) == ("esm", "afad")
    ]
    rows = table[table.format.isin(formats)]
    records, skipped, seen = read_with_components(fmt, SET_3C / "raw", SET_3C / "records.csv")
    assert not skipped
    assert check_components(rows, seen) == len(rows)
    check_records(rows, records)


def test_at2_set_imports_every_component() -> None:
    table = pd.read_csv(SET_AT2 / "records.csv")
    records, skipped, seen = read_with_components("at2", SET_AT2 / "raw", SET_AT2 / "records.csv")
    assert not skipped
    rows = table.rename(columns={"pga_g": "pga"}).assign(units="g", h_or_v=None)
    assert check_components(rows, seen) == 335
    groups = table.groupby(["event", "station"]).file.apply(
        lambda f: sorted(Path(p).name for p in f)
    )
    ours = [
        sorted(str(r.metadata[f"trace_{a}_source_file"]) for a in r.metadata["trace_components"])
        for r in records
    ]
    assert sorted(groups) == sorted(ours)
