"""The one preprocessing pipeline used by training, generation and evaluation.

Per record (Gatti & Clouteau 2020, §3, with the fixes listed in the original code review):

1. resample to ``cfg.sampling_rate`` (polyphase ``resample_poly`` when the rate ratio is a
   small rational, else FFT ``resample``);
2. cut ``cfg.nt`` samples starting ``cfg.pre_event_s`` before the P arrival (start of the trace
   when there is no P pick) — unlike the original ``[p, p + 4096)``, which kept no pre-event
   noise and overflowed for late picks;
3. remove a linear trend (or the mean), then a Tukey taper (α = ``cfg.taper_fraction``);
4. the LF version is the zero-phase Butterworth low-pass at ``cfg.fc`` (:func:`make_lf`),
   replacing the original causal, clamped biquad;
5. amplitudes stay physical; :func:`normalise` divides by the peak |x| over all components of
   a record (keeping inter-component ratios) and returns the scale, so :func:`denormalise`
   recovers physical units.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import signal
from tqdm import tqdm

from seismoalice import __version__
from seismoalice.data.filters import lowpass
from seismoalice.data.seisbench_format import (
    WaveformDataset,
    WaveformWriter,
    original_name,
    user_metadata,
)
from seismoalice.data.signal import resample, zne_channels
from seismoalice.data.summary import ImportSummary
from seismoalice.errors import DataError


class PreprocessConfig(BaseModel):
    """Preprocessing parameters (stored as ``preprocessing.json`` with every prepared data set)."""

    model_config = ConfigDict(extra="forbid")

    sampling_rate: float = Field(100.0, gt=0, description="output sampling rate [Hz]")
    nt: int = Field(4096, gt=0, description="window length [samples]")
    pre_event_s: float = Field(2.0, ge=0, description="window start before the P arrival [s]")
    fc: float = Field(1.0, gt=0, description="LF cut-off [Hz]")
    filter_order: int = Field(4, gt=0, description="Butterworth order of one pass")
    taper_fraction: float = Field(0.05, ge=0, le=1, description="Tukey α")
    component_order: str = "ZNE"
    detrend: Literal["linear", "demean"] = "linear"


def _window_bounds(
    n_samples: int, p_sample: float | None, cfg: PreprocessConfig, allow_padding: bool
) -> int:
    """First sample of the window (may be negative or run past the end when padding)."""
    if p_sample is None or not np.isfinite(p_sample):
        start = 0
    else:
        if not 0 <= p_sample < n_samples:
            raise DataError(
                f"P arrival at sample {p_sample:.1f} is outside the trace of {n_samples} samples"
            )
        start = round(p_sample - cfg.pre_event_s * cfg.sampling_rate)
    if not allow_padding and (start < 0 or start + cfg.nt > n_samples):
        raise DataError(
            f"window [{start}, {start + cfg.nt}) does not fit in the trace of {n_samples} "
            f"samples at {cfg.sampling_rate} Hz (allow padding to zero-pad)"
        )
    return start


def _detrend_taper(x: np.ndarray, cfg: PreprocessConfig) -> np.ndarray:
    kind = "linear" if cfg.detrend == "linear" else "constant"
    x = signal.detrend(x, axis=-1, type=kind)
    return x * signal.windows.tukey(x.shape[-1], alpha=cfg.taper_fraction)


def preprocess_batch(
    waveforms: np.ndarray,
    sampling_rate: float,
    p_arrival_samples: np.ndarray | list[float | None] | None,
    cfg: PreprocessConfig,
    allow_padding: bool = False,
) -> np.ndarray:
    """Preprocess records of equal length and rate at once (pipeline in the module docstring).

    Args:
        waveforms: ``(N, C, T)`` in physical units (or counts).
        sampling_rate: input rate [Hz].
        p_arrival_samples: ``(N,)`` P pick [samples at the input rate]; ``None``/NaN = no pick.
        cfg: preprocessing parameters.
        allow_padding: zero-pad windows that start before or end after the trace (the data part
            is detrended and tapered alone); otherwise raise.

    Returns:
        ``(N, C, cfg.nt)`` float64.

    Raises:
        DataError: non-finite samples, P outside the trace, or a window that does not fit.
    """
    x = np.asarray(waveforms, dtype=np.float64)
    if x.ndim != 3:
        raise DataError(f"expected waveforms of shape (N, C, T), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise DataError("waveform contains NaN or inf samples")
    picks = [None] * len(x) if p_arrival_samples is None else list(p_arrival_samples)
    if len(picks) != len(x):
        raise DataError(f"{len(picks)} P picks for {len(x)} waveforms")
    x = resample(x, sampling_rate, cfg.sampling_rate)
    ratio = cfg.sampling_rate / sampling_rate
    out = np.zeros((*x.shape[:2], cfg.nt))
    for i, pick in enumerate(picks):
        p = None if pick is None or not np.isfinite(pick) else float(pick) * ratio
        start = _window_bounds(x.shape[-1], p, cfg, allow_padding)
        a, b = max(start, 0), min(start + cfg.nt, x.shape[-1])
        if b - a < 2:
            raise DataError(f"window [{start}, {start + cfg.nt}) holds no data")
        out[i, :, a - start : b - start] = _detrend_taper(x[i, :, a:b], cfg)
    return out


def preprocess_record(
    waveform: np.ndarray,
    sampling_rate: float,
    p_arrival_sample: float | None,
    cfg: PreprocessConfig,
    allow_padding: bool = False,
) -> np.ndarray:
    """Preprocess one record ``(C, T)`` → ``(C, cfg.nt)`` float64 (see :func:`preprocess_batch`)."""
    waveform = np.asarray(waveform)
    if waveform.ndim != 2:
        raise DataError(f"expected a waveform of shape (C, T), got {waveform.shape}")
    return preprocess_batch(waveform[None], sampling_rate, [p_arrival_sample], cfg, allow_padding)[
        0
    ]


def make_lf(bb: np.ndarray, cfg: PreprocessConfig) -> np.ndarray:
    """LF version of ``bb`` (``(..., C, nt)``): zero-phase Butterworth low-pass at ``cfg.fc``
    of order ``cfg.filter_order`` (per pass) at ``cfg.sampling_rate``; float64, same shape."""
    return lowpass(bb, cfg.sampling_rate, cfg.fc, cfg.filter_order)


def normalise(x: Any) -> tuple[Any, Any]:
    """Divide each record by its peak |x| over all components and samples.

    Args:
        x: ``(..., C, T)`` numpy array or torch tensor.

    Returns:
        ``(x / scale, scale)`` with ``scale`` of shape ``(..., 1, 1)``; all-zero records get
        scale 1 (so they stay zero). Invert with :func:`denormalise`.
    """
    if isinstance(x, np.ndarray):
        scale = np.abs(x).max(axis=(-2, -1), keepdims=True)
        scale = np.where(scale > 0, scale, 1.0).astype(x.dtype, copy=False)
    else:
        scale = x.abs().amax(dim=(-2, -1), keepdim=True)
        scale = scale.masked_fill(scale == 0, 1.0)
    return x / scale, scale


def denormalise(x_n: Any, scale: Any) -> Any:
    """Undo :func:`normalise`: ``x_n * scale`` (numpy or torch)."""
    return x_n * scale


def prepare_dataset(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    cfg: PreprocessConfig,
    splits: list[str] | None = None,
    allow_padding: bool = False,
    bucket_size: int = 1024,
    progress: bool = True,
) -> Any:
    """Preprocess every trace of a canonical data set into a prepared one.

    Writes ``dst`` with the BB window (physical units) in ``data/``, its LF version in
    ``data_lf/`` (same names and slices), the source metadata plus ``trace_bb_peak``,
    ``trace_lf_peak``, ``trace_window_start_s`` (relative to the source trace start) and P/S
    picks shifted to the window, and ``preprocessing.json`` (the config). Records that cannot
    be processed are counted and reported, never dropped silently.

    Args:
        src: canonical (SeisBench-format) data set.
        dst: output directory (written atomically).
        cfg: preprocessing parameters.
        splits: keep only these ``split`` values (``None``: all rows).
        allow_padding: see :func:`preprocess_batch`.
        bucket_size: traces per HDF5 block of the output.
        progress: show a tqdm bar.

    Returns:
        :class:`seismoalice.data.importers.ImportSummary`.
    """
    source = WaveformDataset(src)
    channels = zne_channels(source.component_order, str(src), cfg.component_order)
    rows = range(len(source))
    if splits is not None:
        if "split" not in source.metadata.columns:
            raise DataError(f"{src}: no split column to select {splits}")
        rows = np.flatnonzero(source.metadata["split"].isin(splits).to_numpy()).tolist()
    data_format = {k: v for k, v in source.data_format.items() if k != "sampling_rate"}
    data_format.update(component_order=cfg.component_order, sampling_rate=cfg.sampling_rate)
    summary = ImportSummary()
    with WaveformWriter(dst, data_format, bucket_size=bucket_size) as writer:
        for i in tqdm(rows, desc="prepare", unit="trace", disable=not progress):
            row = source.metadata.iloc[i].to_dict()
            name = original_name(row)
            try:
                fs = source.sampling_rate(i)
                waveform = source.get_waveforms(i)[channels]
                p = row.get("trace_p_arrival_sample")
                p = None if p is None or not np.isfinite(float(p)) else float(p)
                bb = preprocess_record(waveform, fs, p, cfg, allow_padding)
            except DataError as exc:
                summary.skip(name, str(exc))
                continue
            lf = make_lf(bb, cfg)
            start_s = 0.0 if p is None else p / fs - cfg.pre_event_s
            meta = user_metadata(row)
            for pick in ("trace_p_arrival_sample", "trace_s_arrival_sample"):
                if pick in meta and np.isfinite(float(meta[pick])):
                    meta[pick] = (float(meta[pick]) / fs - start_s) * cfg.sampling_rate
            meta.update(
                trace_name=name,
                trace_sampling_rate_hz=cfg.sampling_rate,
                trace_npts=cfg.nt,
                trace_window_start_s=start_s,
                trace_bb_peak=float(np.abs(bb).max()),
                trace_lf_peak=float(np.abs(lf).max()),
            )
            writer.add_trace(meta, bb, extra={"lf": lf})
            summary.n_ok += 1
        writer.write_json(
            "preprocessing.json",
            {
                "config": cfg.model_dump(),
                "source": str(Path(src).resolve()),
                "seismoalice_version": __version__,
                "n_ok": summary.n_ok,
                "n_skipped": len(summary.skipped),
            },
        )
    return summary
