"""Three-component accelerograms from the parameters of :func:`draw_parameters` (windowed
Gaussian noise shaped to the target spectrum, P and S trains, pre-event noise)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import scipy.fft

from seismoalice.data.components import COMPONENTS
from seismoalice.data.stochastic.site import kappa_filter
from seismoalice.data.stochastic.timeseries import (
    filter_padding,
    gaussian_noise,
    saragoni_hart_window,
    shape_to_spectrum,
    unit_spectrum,
    window_support,
)
from seismoalice.data.synthetic.config import SynthConfig
from seismoalice.data.synthetic.spectrum import target_fas

THREAD_BLOCK = 64  # records per thread-pool job (fixed: results do not depend on cores)


def simulate_records(
    params: pd.DataFrame, cfg: SynthConfig, rng: np.random.Generator
) -> np.ndarray:
    """Simulate three-component accelerograms for the rows of ``params``.

    Rows are sorted by the length they need (arrival + window support + filter padding) and
    simulated in blocks of ``THREAD_BLOCK`` rows of similar length on a thread pool, each block
    with its own generator seeded from ``rng`` and an FFT just long enough for its records; the
    result does not depend on the number of threads.

    Args:
        params: parameters as returned by :func:`draw_parameters` (any subset of rows).
        cfg: configuration (record layout, component and noise constants, crust).
        rng: random generator; the same generator state gives the same records.

    Returns:
        Accelerograms ``(N, 3, nt)`` float32 in m/s², components Z, N, E.
    """
    n = len(params)
    out = np.empty((n, len(COMPONENTS), cfg.nt), dtype=np.float32)
    signal, padding = _extent_samples(params, cfg)
    order = np.argsort(signal + padding, kind="stable")
    blocks = [order[i : i + THREAD_BLOCK] for i in range(0, n, THREAD_BLOCK)]
    seeds = rng.integers(0, 2**63, size=len(blocks))

    def run(job: tuple[np.ndarray, int]) -> None:
        rows, seed = job
        out[rows] = _simulate_block(
            params.iloc[rows],
            cfg,
            np.random.default_rng(seed),
            int(signal[rows].max()),
            int(padding[rows].max()),
        )

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(run, zip(blocks, seeds, strict=True)))
    return out


def _extent_samples(params: pd.DataFrame, cfg: SynthConfig) -> tuple[np.ndarray, np.ndarray]:
    """Per record: samples from the trace start to the end of the P and S windows' support
    (≤ nt), and the zero padding [samples] the spectral filter needs (≤ nt/2)."""
    fs = cfg.sampling_rate
    duration = params["trace_duration_s"].to_numpy(dtype=float)
    end_s = params["trace_s_arrival_sample"].to_numpy(dtype=float) + fs * window_support(duration)
    end_p = params["trace_p_arrival_sample"].to_numpy(dtype=float) + fs * window_support(
        cfg.p_duration_fraction * duration
    )
    signal = np.minimum(np.ceil(np.maximum(end_s, end_p)), cfg.nt).astype(int)
    f0 = params["source_corner_frequency_hz"].to_numpy(dtype=float)
    padding = np.minimum(np.ceil(fs * filter_padding(f0)), cfg.nt // 2).astype(int)
    return signal, padding


def _simulate_block(
    params: pd.DataFrame,
    cfg: SynthConfig,
    rng: np.random.Generator,
    signal: int,
    padding: int,
) -> np.ndarray:
    """:func:`simulate_records` for one block, single-threaded, float32 arithmetic.

    The windowed noise occupies the first ``signal`` samples; the filtered record is kept over
    ``kept = min(signal + padding, nt)`` samples (zero beyond, before the pre-event noise) and
    the FFT has ``padding`` more, so neither the causal nor the acausal part of the filter
    response wraps around onto the kept samples.
    """
    n = len(params)
    fs, nt = cfg.sampling_rate, cfg.nt
    dt = 1.0 / fs
    kept = min(signal + padding, nt)
    nfft = scipy.fft.next_fast_len(kept + padding, real=True)
    f = np.fft.rfftfreq(nfft, dt)

    def column(name: str) -> np.ndarray:
        return params[name].to_numpy(dtype=float)[:, None]

    fas = target_fas(
        column("source_magnitude"),
        column("path_hyp_distance_km"),
        f,
        column("source_stress_drop_bar"),
        column("station_kappa0_s"),
        column("station_vs30_mps"),
        cfg.crust,
    ).astype(np.float32)
    t = np.arange(signal, dtype=np.float32) * np.float32(dt)
    duration = column("trace_duration_s").astype(np.float32)
    onsets = {"s": column("trace_s_arrival_sample"), "p": column("trace_p_arrival_sample")}
    w_s = saragoni_hart_window(t - (onsets["s"] * dt).astype(np.float32), duration)
    w_p = saragoni_hart_window(
        t - (onsets["p"] * dt).astype(np.float32), np.float32(cfg.p_duration_fraction) * duration
    )
    noise = gaussian_noise(rng, (n, 3, 2, signal))
    s_weight = np.array([cfg.vh_ratio, 1.0, 1.0], dtype=np.float32)[None, :, None]
    p_weight = column("trace_p_to_s_ratio").astype(np.float32) * np.array(
        [1.0, cfg.p_horizontal_share, cfg.p_horizontal_share], dtype=np.float32
    )
    trains = s_weight * unit_spectrum(w_s[:, None, :] * noise[:, :, 0])
    trains += p_weight[:, :, None] * unit_spectrum(w_p[:, None, :] * noise[:, :, 1])
    vertical = np.ones((3, f.size), dtype=np.float32)
    vertical[0] = kappa_filter(f, cfg.vertical_kappa_s)
    acc = np.zeros((n, 3, nt), dtype=np.float32)
    acc[..., :kept] = shape_to_spectrum(trains, fas[:, None, :] * vertical, dt, nfft, kept)
    pga_h = np.abs(acc[:, 1:, :kept]).max(axis=(1, 2))
    noise_std = (pga_h * 10.0 ** (-column("trace_snr_db")[:, 0] / 20.0)).astype(np.float32)
    acc += noise_std[:, None, None] * gaussian_noise(rng, (n, 3, nt))
    return acc
