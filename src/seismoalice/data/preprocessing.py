"""The one preprocessing pipeline used by training, generation and evaluation.

Per record (Gatti & Clouteau 2020, §3, with the fixes listed in the original code review, and
the rules real records need):

1. **quality**: a record carrying a flag of ``cfg.reject_flags`` (default ``truncated``: the
   file ends before its header says) is skipped, as is one processed with a high-pass corner
   (``trace_highpass_hz``) at or above ``fc/2``: it has no LF band to learn from;
2. **digital-zero tails**: a trailing run of at least ``cfg.flat_tail_s`` in which every
   component repeats one value (digital zeros after the recorder stopped) is cut
   (:func:`seismoalice.data.windows.flat_tail`), so that it neither pulls the window towards
   the end nor reaches training as silence (short records are zero-padded and counted instead);
3. **near-Nyquist energy**: a record flagged ``hf_near_nyquist`` (sample-to-sample jumps
   above 0.9 × PGA, as some AFAD and old PEER records) is low-passed (zero-phase Butterworth)
   at ``cfg.nyquist_guard`` × the lower of its own and the output Nyquist frequency;
4. **resampling** to ``cfg.sampling_rate`` (100 Hz) with the anti-aliased polyphase resampler
   (:func:`seismoalice.data.signal.resample`; sources of 50–256 Hz). ``trace_max_frequency_hz``
   records the band a record really has: the lowest of its source Nyquist frequency, its
   processing low-pass corner, the guard and the output Nyquist frequency;
5. **window** of ``cfg.nt`` samples: from ``cfg.pre_event_s`` before the P pick, or, without a
   pick (processed records start at trigger), on the strong motion
   (:func:`seismoalice.data.windows.strong_motion_start`): the earliest start, at or after
   ``cfg.pre_event_s`` before the energy onset (Husid curve at ``cfg.onset_energy_fraction``,
   0.5 %), whose window holds ``cfg.window_energy_fraction`` (95 %) of the energy of the most
   energetic window from there on; never before the record's start nor past its end. Records
   shorter than the window are zero-padded at the end only with ``allow_padding`` (a
   digital-zero tail counts as padding the source already had); ``trace_valid_npts`` counts
   the samples of data and ``trace_window_rule`` says which rule placed the window;
6. remove a linear trend (or the mean) from the data part, then a Tukey taper
   (α = ``cfg.taper_fraction``);
7. the LF version is the zero-phase Butterworth low-pass at ``cfg.fc`` (:func:`make_lf`),
   replacing the original causal, clamped biquad;
8. amplitudes stay physical; :func:`normalise` divides by the peak |x| over all components of
   a record (keeping inter-component ratios) and returns the scale, so :func:`denormalise`
   recovers physical units.

Missing components (zero rows named by ``trace_components``) stay zero through every step.
Synthetic and STEAD records (P picks, no flags, no flat ends) are processed exactly as before
these rules existed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
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
from seismoalice.data.windows import check_window, flat_tail, strong_motion_start
from seismoalice.errors import DataError


class PreprocessConfig(BaseModel):
    """Preprocessing parameters (stored as ``preprocessing.json`` with every prepared data set)."""

    model_config = ConfigDict(extra="forbid")

    sampling_rate: float = Field(100.0, gt=0, description="output sampling rate [Hz]")
    nt: int = Field(4096, gt=0, description="window length [samples]")
    pre_event_s: float = Field(2.0, ge=0, description="window start before P / the onset [s]")
    fc: float = Field(1.0, gt=0, description="LF cut-off [Hz]")
    filter_order: int = Field(4, gt=0, description="Butterworth order of one pass")
    taper_fraction: float = Field(0.05, ge=0, le=1, description="Tukey α")
    component_order: str = "ZNE"
    detrend: Literal["linear", "demean"] = "linear"
    onset_energy_fraction: float = Field(
        0.005, gt=0, lt=1, description="Husid level taken as the onset without a P pick"
    )
    window_energy_fraction: float = Field(
        0.95, gt=0, le=1, description="without P pick: energy share of the strongest window"
    )
    flat_tail_s: float = Field(1.0, ge=0, description="flat tails at least this long are cut")
    nyquist_guard: float = Field(
        0.8, gt=0, le=1, description="low-pass of hf_near_nyquist records, × lower Nyquist"
    )
    reject_flags: list[str] = Field(["truncated"], description="quality flags that skip a record")


@dataclass
class Window:
    """A prepared window: ``bb`` ``(C, nt)`` float64, its start [s] after the first sample of
    the source record, the samples of data in it (the rest is zero padding), the rule that
    placed it (``p_pick`` or ``strong_motion``) and the band the record really has [Hz]."""

    bb: np.ndarray
    start_s: float
    valid_npts: int
    rule: str
    max_frequency_hz: float


def _detrend_taper(x: np.ndarray, cfg: PreprocessConfig) -> np.ndarray:
    kind = "linear" if cfg.detrend == "linear" else "constant"
    x = signal.detrend(x, axis=-1, type=kind)
    return x * signal.windows.tukey(x.shape[-1], alpha=cfg.taper_fraction)


def preprocess_record(
    waveform: np.ndarray,
    sampling_rate: float,
    p_arrival_sample: float | None,
    cfg: PreprocessConfig,
    allow_padding: bool = False,
    guard_nyquist: bool = False,
    lowpass_hz: float | None = None,
) -> Window:
    """Preprocess one record ``(C, T)`` (steps 2–6 of the module docstring).

    Args:
        waveform: ``(C, T)`` in physical units (or counts).
        sampling_rate: its rate [Hz].
        p_arrival_sample: P pick [samples at the input rate]; ``None``/NaN = no pick.
        cfg: preprocessing parameters.
        allow_padding: zero-pad windows that start before or end after the trace (the data part
            is detrended and tapered alone); otherwise raise.
        guard_nyquist: low-pass at ``cfg.nyquist_guard`` × the lower Nyquist frequency first
            (records flagged ``hf_near_nyquist``).
        lowpass_hz: the low-pass corner of the record's processing, if known.

    Raises:
        DataError: wrong shape, non-finite samples, a flat record, P outside the trace, or a
            window that does not fit.
    """
    x = np.asarray(waveform, dtype=np.float64)
    if x.ndim != 2:
        raise DataError(f"expected a waveform of shape (C, T), got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise DataError("waveform contains NaN or inf samples")
    p = None if p_arrival_sample is None or not np.isfinite(p_arrival_sample) else p_arrival_sample
    p = None if p is None else float(p)
    n_record = x.shape[-1]
    x = x[:, : flat_tail(x, round(cfg.flat_tail_s * sampling_rate))]
    band = [sampling_rate / 2, cfg.sampling_rate / 2]
    if lowpass_hz is not None and np.isfinite(lowpass_hz) and lowpass_hz > 0:
        band.append(float(lowpass_hz))
    if guard_nyquist:
        corner = cfg.nyquist_guard * min(sampling_rate, cfg.sampling_rate) / 2
        x = lowpass(x, sampling_rate, corner, cfg.filter_order)
        band.append(corner)
    x = resample(x, sampling_rate, cfg.sampling_rate)
    ratio = cfg.sampling_rate / sampling_rate
    pre = cfg.pre_event_s * cfg.sampling_rate
    n_out = max(x.shape[-1], round(n_record * ratio))
    if p is None:
        start = strong_motion_start(
            x, cfg.nt, pre, cfg.onset_energy_fraction, cfg.window_energy_fraction
        )
    else:
        if not 0 <= p * ratio < n_out:
            raise DataError(
                f"P arrival at sample {p * ratio:.1f} is outside the trace of {n_out} samples"
            )
        start = round(p * ratio - pre)
    check_window(start, cfg.nt, n_out, allow_padding)
    a, b = max(start, 0), min(start + cfg.nt, x.shape[-1])
    if b - a < 2:
        raise DataError(f"window [{start}, {start + cfg.nt}) holds no data")
    out = np.zeros((x.shape[0], cfg.nt))
    out[:, a - start : b - start] = _detrend_taper(x[:, a:b], cfg)
    return Window(
        bb=out,
        start_s=start / cfg.sampling_rate,
        valid_npts=b - a,
        rule="p_pick" if p is not None else "strong_motion",
        max_frequency_hz=min(band),
    )


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


def _quality_problem(row: dict[str, Any], cfg: PreprocessConfig) -> str | None:
    """Why a record's flags or processing band exclude it (step 1), or ``None``."""
    flags = str(row.get("trace_quality_flags", "") or "")
    flags = "" if flags == "nan" else flags
    rejected = sorted(set(flags.split()) & set(cfg.reject_flags))
    if rejected:
        return f"quality flag {' '.join(rejected)} (reject_flags)"
    highpass = pd.to_numeric(row.get("trace_highpass_hz"), errors="coerce")
    if np.isfinite(highpass) and highpass >= cfg.fc / 2:
        return f"processed with a {highpass:g} Hz high-pass, at or above fc/2: no LF band"
    return None


def prepare_dataset(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    cfg: PreprocessConfig,
    splits: list[str] | None = None,
    allow_padding: bool = False,
    bucket_size: int = 1024,
    progress: bool = True,
) -> ImportSummary:
    """Preprocess every trace of a canonical data set into a prepared one.

    Writes ``dst`` with the BB window (physical units) in ``data/``, its LF version in
    ``data_lf/`` (same names and slices), the source metadata plus ``trace_bb_peak``,
    ``trace_lf_peak``, ``trace_window_start_s`` (after the source trace's first sample),
    ``trace_window_rule``, ``trace_valid_npts``, ``trace_source_sampling_rate_hz``,
    ``trace_max_frequency_hz`` and P/S picks shifted to the window, and ``preprocessing.json``
    (the config). Records that cannot be processed are counted with their reason, never
    dropped silently.

    Args:
        src: canonical (SeisBench-format) data set.
        dst: output directory (written atomically).
        cfg: preprocessing parameters.
        splits: keep only these ``split`` values (``None``: all rows).
        allow_padding: see :func:`preprocess_record`.
        bucket_size: traces per HDF5 block of the output.
        progress: show a tqdm bar.
    """
    source = WaveformDataset(src, require_finite=True)
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
            problem = _quality_problem(row, cfg)
            if problem is not None:
                summary.skip(name, problem)
                continue
            flags = str(row.get("trace_quality_flags", "") or "").split()
            lowpass_hz = pd.to_numeric(row.get("trace_lowpass_hz"), errors="coerce")
            try:
                fs = source.sampling_rate(i)
                waveform = source.get_waveforms(i)[channels]
                p = row.get("trace_p_arrival_sample")
                p = None if p is None or not np.isfinite(float(p)) else float(p)
                window = preprocess_record(
                    waveform,
                    fs,
                    p,
                    cfg,
                    allow_padding,
                    guard_nyquist="hf_near_nyquist" in flags,
                    lowpass_hz=float(lowpass_hz),
                )
            except DataError as exc:
                summary.skip(name, str(exc))
                continue
            bb = window.bb
            lf = make_lf(bb, cfg)
            meta = user_metadata(row)
            for pick in ("trace_p_arrival_sample", "trace_s_arrival_sample"):
                if pick in meta and np.isfinite(float(meta[pick])):
                    meta[pick] = (float(meta[pick]) / fs - window.start_s) * cfg.sampling_rate
            meta.update(
                trace_name=name,
                trace_sampling_rate_hz=cfg.sampling_rate,
                trace_npts=cfg.nt,
                trace_window_start_s=window.start_s,
                trace_window_rule=window.rule,
                trace_valid_npts=window.valid_npts,
                trace_source_sampling_rate_hz=fs,
                trace_max_frequency_hz=window.max_frequency_hz,
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
