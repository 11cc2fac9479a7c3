"""The synthetic data set on disk: simulated records written as a canonical SeisBench set."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from seismoalice import __version__
from seismoalice.data.seisbench_format import WaveformWriter
from seismoalice.data.synthetic.config import SynthConfig
from seismoalice.data.synthetic.simulate import COMPONENTS, simulate_records
from seismoalice.data.synthetic.spectrum import draw_parameters
from seismoalice.errors import ConfigError

SPLIT_FRACTIONS = (("train", 0.8), ("dev", 0.1), ("test", 0.1))
BATCH_SIZE = 1024  # records per call of simulate_records when writing a data set

DATA_FORMAT: dict[str, Any] = {
    "dimension_order": "CW",
    "component_order": COMPONENTS,
    "sampling_rate": 100.0,
    "measurement": "acceleration",
    "unit": "mps2",
    "instrument_response": "not restituted",
}


def split_labels(n: int) -> np.ndarray:
    """Deterministic train/dev/test labels 80/10/10 for ``n`` records in contiguous blocks.

    Records are independent draws (one event each), so contiguous blocks are unbiased splits
    and keep SeisBench blocks of one split together.
    """
    bounds = np.round(np.cumsum([frac for _, frac in SPLIT_FRACTIONS]) * n).astype(int)
    labels = np.empty(n, dtype=object)
    start = 0
    for (name, _), stop in zip(SPLIT_FRACTIONS, bounds, strict=True):
        labels[start:stop] = name
        start = stop
    return labels


def write_synthetic_dataset(
    out: str | os.PathLike[str],
    n: int,
    cfg: SynthConfig | None = None,
    progress: bool = False,
) -> Path:
    """Simulate ``n`` records and write them as a canonical SeisBench data set at ``out``.

    The data set (``metadata.csv`` + ``waveforms.hdf5``, :data:`DATA_FORMAT`: CW, ZNE,
    ``cfg.sampling_rate`` (100 Hz by default), acceleration in m/s²) holds the parameters of
    :func:`draw_parameters`, ``trace_name``, ``source_id``, ``trace_category``,
    ``trace_channel``, ``trace_pga_mps2`` (largest horizontal peak) and ``split``
    (train/dev/test 80/10/10, see :func:`split_labels`), plus ``synth_config.json`` (the
    configuration and package version). Deterministic for ``cfg.seed``; written atomically.

    Returns:
        The data set directory.
    """
    cfg = cfg or SynthConfig()
    if n < 1:
        raise ConfigError(f"number of records must be ≥ 1, got {n}")
    rng = np.random.default_rng(cfg.seed)
    params = draw_parameters(cfg, n, rng)
    params.insert(0, "trace_name", [f"synth_{i:07d}" for i in range(n)])
    params.insert(1, "source_id", [f"synth_ev{i:07d}" for i in range(n)])
    params["trace_category"] = "earthquake_synthetic"
    params["trace_channel"] = "HN"
    params["split"] = split_labels(n)
    out = Path(out)
    with (
        WaveformWriter(out, {**DATA_FORMAT, "sampling_rate": cfg.sampling_rate}) as writer,
        tqdm(total=n, unit="rec", disable=not progress, desc="synth") as bar,
    ):
        writer.write_json(
            "synth_config.json", {"seismoalice_version": __version__, **cfg.model_dump()}
        )
        for start in range(0, n, BATCH_SIZE):
            batch = params.iloc[start : start + BATCH_SIZE]
            records = simulate_records(batch, cfg, rng)
            pga = np.abs(records[:, 1:]).max(axis=(1, 2))
            for row, record, peak in zip(batch.to_dict("records"), records, pga, strict=True):
                writer.add_trace({**row, "trace_pga_mps2": float(peak)}, record)
            bar.update(len(batch))
    return out
