"""Broadband ground motion from LF signals with a trained hybrid model (Python API).

Pipeline (Gatti & Clouteau 2020 inference, x̂_BB = G_bb(Ghz(F_fl(x_LF))), with this package's
HF envelope, :class:`seismoalice.models.HybridGenerator`):

1. convert the input ``(N, 3, T)`` to m/s² (the training unit: the envelope predictor uses the
   absolute level) and resample it to the model's sampling rate;
2. low-pass it at the model's fc (zero-phase Butterworth, as the training LF signals), unless
   ``lowpass_input=False`` says it is already such an LF signal (filtering twice would attenuate
   it again around fc);
3. cut it into windows of the model's length ``nt`` (short records are zero-padded; long ones
   overlap by ``overlap`` samples and are blended with raised-cosine cross-fades that sum to 1);
4. per window: generate K realisations in m/s² (the LF input below fc/4, the generated high
   frequencies, shaped by the predicted envelope, above);
5. optionally replace the output below fc by the LF input afterwards (``merge_lf``: matched
   complementary Butterworth split, :func:`merge_with_lf`).

Outputs are sampled at the model's rate, in the input's unit.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from obspy import Stream, Trace
from tqdm.auto import tqdm

from seismoalice.data.filters import complementary_split, lowpass
from seismoalice.data.seisbench_format import (
    WaveformDataset,
    WaveformWriter,
    original_name,
    user_metadata,
)
from seismoalice.data.signal import resample, stream_to_array, zne_channels
from seismoalice.devices import select_device
from seismoalice.errors import DataError
from seismoalice.models import HybridGenerator

UNITS_IN_MPS2 = {"m/s2": 1.0, "cm/s2": 0.01, "g": 9.80665}  # input unit → m/s² (training unit)



def window_starts(length: int, nt: int, overlap: int) -> list[int]:
    """Start samples of windows of ``nt`` samples covering ``length`` with ≥ ``overlap`` overlap."""
    if not 0 <= overlap < nt:
        raise ValueError(f"overlap must lie in [0, {nt}), got {overlap}")
    if length <= nt:
        return [0]
    hop = nt - overlap
    starts = list(range(0, length - nt, hop))
    return [*starts, length - nt]


def crossfade_weights(starts: list[int], length: int, nt: int, overlap: int) -> np.ndarray:
    """Blending weights ``(W, nt)``: raised-cosine ramps over overlaps; they sum to 1 everywhere."""
    total = max(length, nt)
    raw = np.ones((len(starts), nt))
    if overlap > 0 and len(starts) > 1:
        ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(overlap) + 0.5) / overlap)
        raw[1:, :overlap] *= ramp
        raw[:-1, nt - overlap :] *= ramp[::-1]
    cover = np.zeros(total)
    for s, w in zip(starts, raw, strict=True):
        cover[s : s + nt] += w
    return np.stack([w / cover[s : s + nt] for s, w in zip(starts, raw, strict=True)])


class BroadbandGenerator:
    """A trained LF → BB model with its preprocessing (load with :meth:`from_checkpoint`).

    ``unit`` is the unit of the accelerations given to :meth:`generate` (``m/s2``, ``cm/s2`` or
    ``g``); they are converted to m/s², the training unit, and the outputs back.
    """

    def __init__(
        self, model: Any, preprocessing: dict[str, Any], device: Any = None, unit: str = "m/s2"
    ) -> None:
        if unit not in UNITS_IN_MPS2:
            raise DataError(f"unit must be one of {', '.join(UNITS_IN_MPS2)}, got {unit!r}")
        self.unit_scale = UNITS_IN_MPS2[unit]
        self.device = device or torch.device("cpu")
        self.model = model.to(self.device).eval()
        self.sampling_rate = float(preprocessing["sampling_rate"])
        self.nt = int(preprocessing["nt"])
        self.fc = float(preprocessing["fc"])
        self.filter_order = int(preprocessing.get("filter_order", 4))
        self.preprocessing = dict(preprocessing)

    @classmethod
    def from_checkpoint(
        cls, path: str | Path, device: str = "auto", unit: str = "m/s2"
    ) -> BroadbandGenerator:
        """Load a ``hb`` checkpoint directory (or a run directory holding ``hb/best``)."""
        path = Path(path)
        if not (path / "model.safetensors").exists() and (path / "hb" / "best").exists():
            path = path / "hb" / "best"
        model = HybridGenerator.load(path)
        return cls(model, model.preprocessing, select_device(device), unit)

    def _windows(self, x: np.ndarray, realizations: int) -> np.ndarray:
        """Generate on windows ``(N, 3, nt)`` [m/s²]: ``(K, N, 3, nt)`` [m/s²]."""
        lf = torch.from_numpy(x.astype(np.float32)).to(self.device)
        out = np.empty((realizations, *x.shape))
        with torch.no_grad():
            for k in range(realizations):
                out[k] = self.model(lf).double().cpu().numpy()
        return out

    def generate(
        self,
        x: np.ndarray,
        fs: float,
        realizations: int = 1,
        overlap: float = 0.25,
        merge_lf: bool = False,
        seed: int | None = None,
        batch_size: int = 64,
        lowpass_input: bool = True,
    ) -> np.ndarray:
        """K broadband realisations of LF records.

        Args:
            x: LF accelerograms ``(N, 3, T)`` or ``(3, T)``, components Z, N, E, in the
                generator's ``unit``.
            fs: sampling rate of ``x`` [Hz].
            realizations: K, number of independent realisations per record.
            overlap: window overlap as a fraction of nt (long records).
            merge_lf: replace the output below fc by the LF input (matched complementary split;
                without it the generated part also fills fc/4 … fc).
            seed: seeds torch's generator for reproducible realisations.
            batch_size: windows per forward pass.
            lowpass_input: low-pass the (resampled) input at fc first; pass False for inputs
                that already are the model's LF signals (e.g. a prepared data set's LF split).

        Returns:
            ``(K, N, 3, T_out)`` at the model's sampling rate, same unit as ``x``
            (``(K, 3, T_out)`` for a single record).
        """
        arr = np.asarray(x, dtype=np.float64)
        single = arr.ndim == 2
        arr = arr[None] if single else arr
        if arr.ndim != 3 or arr.shape[1] != 3:
            raise DataError(f"expected LF signals of shape (N, 3, T) or (3, T), got {arr.shape}")
        if not np.isfinite(arr).all():
            raise DataError("LF input contains NaN or inf values")
        if realizations < 1:
            raise DataError(f"realizations must be ≥ 1, got {realizations}")
        if seed is not None:
            torch.manual_seed(seed)
        lf = resample(arr * self.unit_scale, fs, self.sampling_rate)
        if lowpass_input:
            lf = lowpass(lf, self.sampling_rate, self.fc, self.filter_order)
        length = lf.shape[-1]
        ov = round(overlap * self.nt)
        starts = window_starts(length, self.nt, ov)
        weights = crossfade_weights(starts, length, self.nt, ov)
        padded = np.zeros((*lf.shape[:2], max(length, self.nt)))
        padded[..., :length] = lf
        out = np.zeros((realizations, *padded.shape))
        for s, w in zip(starts, weights, strict=True):
            chunk = padded[..., s : s + self.nt]
            gen = np.concatenate(
                [
                    self._windows(chunk[i : i + batch_size], realizations)
                    for i in range(0, len(chunk), batch_size)
                ],
                axis=1,
            )
            out[..., s : s + self.nt] += gen * w
        out = out[..., :length]
        if merge_lf:
            out = merge_with_lf(out, lf, self.sampling_rate, self.fc, self.filter_order)
        out = out / self.unit_scale
        return out[:, 0] if single else out


def merge_with_lf(
    generated: np.ndarray, lf: np.ndarray, fs: float, fc: float, order: int = 4
) -> np.ndarray:
    """LF signal + generated signal above fc: ``lf + (generated − low(generated))``.

    ``lf`` is the LF signal as the model saw it, i.e. already low-passed by the zero-phase
    Butterworth ``low`` at fc (it is not filtered again: a second pass would attenuate it once
    more around fc). ``generated`` ``(..., T)`` and ``lf`` broadcastable to it, same unit; the
    high band is the exact complement of ``low``
    (:func:`seismoalice.data.filters.complementary_split`), so if ``generated`` is the BB
    record whose low-pass is ``lf``, the merge returns that record exactly.
    """
    _, high_gen = complementary_split(generated, fs, fc, order)
    return np.asarray(lf, dtype=np.float64) + high_gen




def generate_stream(
    st: Any,
    generator: BroadbandGenerator,
    realizations: int = 1,
    merge_lf: bool = False,
    seed: int | None = None,
    lowpass_input: bool = True,
) -> list[Any]:
    """K broadband realisations of every 3-component record of an ObsPy Stream.

    Returns K Streams; each trace keeps the input's network, station, location, channel,
    starttime and other stats, at the model's sampling rate, with
    ``stats.seismoalice = {"realization": k}``.
    """
    out = [Stream() for _ in range(realizations)]
    for traces, data, fs in stream_to_array(st):
        gen = generator.generate(
            data, fs, realizations, merge_lf=merge_lf, seed=seed, lowpass_input=lowpass_input
        )
        for k in range(realizations):
            for tr, y in zip(traces, gen[k], strict=True):
                stats = tr.stats.copy()
                stats.sampling_rate = generator.sampling_rate
                stats.npts = y.shape[-1]
                stats.seismoalice = {"realization": k}
                out[k].append(Trace(data=y.astype(np.float64), header=stats))
    return out


def is_dataset(path: Path) -> bool:
    """True for a SeisBench-format data set directory (``metadata*.csv`` + ``waveforms*``)."""
    return path.is_dir() and any(path.glob("metadata*.csv"))


def realization_dirs(out: Path, realizations: int) -> list[Path]:
    """``[out]`` for one realisation, else ``out/r00, out/r01, …`` (one data set each)."""
    return [out] if realizations == 1 else [out / f"r{k:02d}" for k in range(realizations)]


def generate_dataset(
    gen: BroadbandGenerator,
    src: Path,
    out: Path,
    realizations: int,
    merge_lf: bool,
    seed: int | None,
    lowpass_input: bool = True,
) -> int:
    """Broadband realisations of every record of a canonical LF data set.

    Writes one canonical data set per realisation (see :func:`realization_dirs`) with the
    input's trace names and metadata, so each can be scored with ``seismoalice evaluate``
    against the reference. Records are processed in groups of equal sampling rate and length.
    Returns the number of records.
    """
    ds = WaveformDataset(src, require_finite=True)
    channels = zne_channels(ds.component_order, str(src))
    groups: dict[tuple[float, int], list[int]] = defaultdict(list)
    for i in range(len(ds)):
        groups[(ds.sampling_rate(i), ds.get_waveforms(i).shape[-1])].append(i)
    data_format = dict(ds.data_format, component_order="ZNE", sampling_rate=gen.sampling_rate)
    with contextlib.ExitStack() as stack:
        writers = [
            stack.enter_context(WaveformWriter(d, data_format))
            for d in realization_dirs(out, realizations)
        ]
        with tqdm(total=len(ds), desc="generate", unit="record") as bar:
            for (fs, _), rows in groups.items():
                x = ds.get_waveforms_batch(rows)[:, channels].astype(np.float64)
                bb = gen.generate(
                    x, fs, realizations, merge_lf=merge_lf, seed=seed, lowpass_input=lowpass_input
                )
                for j, i in enumerate(rows):
                    row = ds.metadata.iloc[i].to_dict()
                    meta = {**user_metadata(row), "trace_name": original_name(row)}
                    meta["trace_sampling_rate_hz"] = gen.sampling_rate
                    meta["trace_npts"] = bb.shape[-1]
                    for k, writer in enumerate(writers):
                        writer.add_trace({**meta, "trace_realization": k}, bb[k, j])
                bar.update(len(rows))
    return len(ds)
