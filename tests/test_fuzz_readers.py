"""Property-based fuzzing of every reader (issue 10): truncated files, flipped bytes and absurd
header values must end in a one-line DataError or a counted Skip, never another exception,
and whatever is read must be finite with a sampling rate in range.

Seeds are the strong-motion fixtures and a small SeisBench data set; examples are derandomized
and bounded (a few seconds per reader)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seismoalice.data.formats import FORMATS, ReadOptions
from seismoalice.data.importers import check_record
from seismoalice.data.records import MAX_DT_S, MIN_DT_S, Record, Skip
from seismoalice.data.seisbench_format import WaveformDataset, WaveformWriter
from seismoalice.errors import DataError

FIXTURES = Path(__file__).parent / "data" / "strongmotion"
SEEDS = {
    "at2": ["RSN730_SPITAK_GUK000.AT2"],
    "esm": ["CIT.MRN..HNE.D.20120529.070002.C.ACC.ASC"],
    "afad": ["20230206102447_4409_ap_AAD_Acc_E.asc"],
    "itaca": ["16833_V.cor.acc", "16833.metadata"],
    "knet": ["KNG0012408091957.UD"],
    "cosmos": ["ce89486SampleInput.v2"],
}
ABSURD = ["0", "-1", "1e-300", "1e300", "nan", "inf", "-inf", "9" * 30, "", "abc", ".", "1e"]
FUZZ = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutations(draw: st.DrawFn, raw: bytes) -> bytes:
    """``raw`` truncated, with bytes replaced, or with a header number made absurd."""
    kind = draw(st.sampled_from(["truncate", "flip", "absurd", "all"]))
    data = bytearray(raw)
    if kind in ("absurd", "all"):
        head = data[:3000].decode("latin-1")
        numbers = list(re.finditer(r"[-+]?\d+\.?\d*(?:[eE][-+]?\d+)?", head))
        if numbers:
            match = draw(st.sampled_from(numbers))
            value = draw(st.sampled_from(ABSURD)).encode()
            data[match.start() : match.end()] = value
    if kind in ("flip", "all"):
        for _ in range(draw(st.integers(1, 12))):
            position = draw(st.integers(0, max(len(data) - 1, 0)))
            if data:
                data[position] = draw(st.integers(0, 255))
    if kind in ("truncate", "all"):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


def assert_clean(items: list[Record | Skip]) -> None:
    """Skips have one-line reasons; records are finite, and those the importer's check passes
    (the others are counted skips) are sampled in range."""
    for item in items:
        if isinstance(item, Skip):
            assert "\n" not in item.reason and len(item.reason) < 600
            continue
        assert np.isfinite(item.waveform).all()
        if check_record(item, 2) is None:
            rate = item.metadata["trace_sampling_rate_hz"]
            assert 1 / MAX_DT_S <= rate <= 1 / MIN_DT_S


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_text_readers_survive_mutations(fmt: str, work: Path) -> None:
    folder = work / fmt
    folder.mkdir()
    seeds = [FIXTURES / name for name in SEEDS[fmt]]
    for seed in seeds:
        shutil.copy(seed, folder / seed.name)

    @FUZZ
    @given(which=st.sampled_from(seeds), data=st.data())
    def run(which: Path, data: st.DataObject) -> None:
        for seed in seeds:
            shutil.copy(seed, folder / seed.name)
        (folder / which.name).write_bytes(data.draw(mutations(which.read_bytes())))
        try:
            items = list(FORMATS[fmt].read([folder], ReadOptions()))
        except DataError as exc:
            assert "\n" not in str(exc)
            return
        assert_clean(items)

    run()


def small_dataset(path: Path) -> None:
    fmt = {"dimension_order": "CW", "component_order": "ZNE", "sampling_rate": 50.0}
    rng = np.random.default_rng(0)
    with WaveformWriter(path, fmt, bucket_size=3) as writer:
        for k in range(5):
            meta = {"trace_name": f"t{k}", "split": "train", "source_magnitude": 4.0 + k}
            writer.add_trace(meta, rng.normal(size=(3, 40 + 10 * k)))


@pytest.mark.parametrize("target", ["metadata.csv", "waveforms.hdf5"])
def test_seisbench_reader_survives_mutations(target: str, work: Path) -> None:
    seed = work / f"seed_{target}"
    small_dataset(seed)
    raw = (seed / target).read_bytes()
    folder = work / f"mutated_{target}"

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(seed, folder)
        (folder / target).write_bytes(data.draw(mutations(raw)))
        try:
            dataset = WaveformDataset(folder)
            items = list(FORMATS["seisbench"].read([folder], ReadOptions()))
            for i in range(len(dataset)):
                dataset.sampling_rate(i)
            dataset.close()
        except DataError as exc:
            assert "\n" not in str(exc)
            return
        assert_clean(items)

    run()
