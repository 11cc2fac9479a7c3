"""Missing components in the canonical data set: zero rows named by ``trace_components``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from seismoalice.data.components import component_mask, components_string
from seismoalice.data.seisbench_format import WaveformDataset, WaveformWriter


def test_mask_of_a_value_a_row_and_a_table() -> None:
    assert component_mask("NE").tolist() == [False, True, True]
    assert component_mask({"trace_components": "Z"}).tolist() == [True, False, False]
    assert component_mask({}).tolist() == [True, True, True]  # no column: complete record
    table = pd.DataFrame({"trace_components": ["ZNE", "NE", np.nan, "E"]})
    expected = [[1, 1, 1], [0, 1, 1], [1, 1, 1], [0, 0, 1]]
    np.testing.assert_array_equal(component_mask(table), np.array(expected, bool))
    assert component_mask(pd.DataFrame({"x": [1, 2]})).shape == (2, 3)
    assert components_string("EN") == "NE" and components_string("zen") == "ZNE"


def test_mask_survives_the_data_set_and_masks_a_batch(tmp_path: Path) -> None:
    fmt = {"dimension_order": "CW", "component_order": "ZNE", "sampling_rate": 100.0}
    rng = np.random.default_rng(0)
    pair, single = rng.normal(size=(3, 50)), rng.normal(size=(3, 60))
    pair[0], single[:2] = 0.0, 0.0
    with WaveformWriter(tmp_path / "set", fmt, bucket_size=4) as writer:
        writer.add_trace({"trace_name": "pair", "trace_components": "NE"}, pair)
        writer.add_trace({"trace_name": "single", "trace_components": "E"}, single)
        writer.add_trace(
            {"trace_name": "full", "trace_components": "ZNE"}, rng.normal(size=(3, 40))
        )
    ds = WaveformDataset(tmp_path / "set")
    mask = component_mask(ds.metadata)
    batch = ds.get_waveforms_batch([0, 1, 2])
    np.testing.assert_array_equal(batch * ~mask[..., None], 0.0)  # what is masked is zero
    assert (np.abs(batch).max(axis=-1) > 0).tolist() == mask.tolist()
