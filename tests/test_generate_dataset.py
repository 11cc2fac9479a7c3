"""`generate` on a canonical data set: grouping, component order, names and realisations."""

import numpy as np
import pytest

from seismoalice.data.seisbench_format import WaveformDataset, WaveformWriter
from seismoalice.generation import generate_dataset, is_dataset


class ScalingGenerator:
    """Stand-in for BroadbandGenerator: realisation k of x is (k + 1)·x, output at 100 Hz."""

    sampling_rate = 100.0

    def __init__(self) -> None:
        self.calls: list[tuple[int, float]] = []

    def generate(self, x, fs, realizations, merge_lf=False, seed=None, lowpass_input=True):
        self.calls.append((len(x), fs))
        return np.stack([(k + 1) * x for k in range(realizations)])


@pytest.fixture
def lf_set(tmp_path):
    rng = np.random.default_rng(3)
    records = {
        "a": (100.0, rng.standard_normal((3, 300))),
        "b": (50.0, rng.standard_normal((3, 150))),
        "c": (100.0, rng.standard_normal((3, 300))),
    }
    fmt = {"dimension_order": "CW", "component_order": "ENZ"}
    with WaveformWriter(tmp_path / "lf", fmt, bucket_size=0) as writer:
        for name, (fs, x) in records.items():
            meta = {"trace_name": name, "trace_sampling_rate_hz": fs, "source_magnitude": 5.0}
            writer.add_trace(meta, x)
    return tmp_path / "lf", records


def test_generate_dataset_keeps_names_metadata_and_orders_zne(lf_set, tmp_path) -> None:
    path, records = lf_set
    assert is_dataset(path) and not is_dataset(tmp_path)
    gen = ScalingGenerator()
    n = generate_dataset(gen, path, tmp_path / "out", 2, merge_lf=False, seed=0)
    assert n == 3
    assert sorted(gen.calls) == [(1, 50.0), (2, 100.0)]  # one call per (rate, length) group
    for k in range(2):
        out = WaveformDataset(tmp_path / "out" / f"r{k:02d}")
        assert out.component_order == "ZNE"
        meta = out.metadata
        names = [  # a single-trace bucket is stored under its own name, without an original
            o if isinstance(o, str) else t
            for o, t in zip(meta["trace_name_original"], meta["trace_name"], strict=True)
        ]
        assert sorted(names) == ["a", "b", "c"]
        for i, name in enumerate(names):
            enz = records[name][1]
            np.testing.assert_allclose(out.get_waveforms(i), (k + 1) * enz[[2, 1, 0]], rtol=1e-6)
        assert (out.metadata["trace_realization"] == k).all()
        assert (out.metadata["source_magnitude"] == 5.0).all()


def test_one_realisation_is_written_in_place(lf_set, tmp_path) -> None:
    path, _ = lf_set
    generate_dataset(ScalingGenerator(), path, tmp_path / "one", 1, merge_lf=False, seed=None)
    assert len(WaveformDataset(tmp_path / "one")) == 3
