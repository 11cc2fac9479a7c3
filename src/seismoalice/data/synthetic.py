"""Synthetic three-component accelerograms with the stochastic method (Boore 2003).

The default data set of SeismoALICE: records drawn from a seismological model of source, path
and site, so that the whole pipeline (training, generation, metrics) runs without downloads.

Model (Boore 2003, Pure Appl. Geophys. 160, 635–676): the horizontal S-wave Fourier amplitude
spectrum of acceleration is

    Y(f) = C M0 S(f) · Z(R) exp(−π f R / (Q(f) βs)) · A(f) exp(−π κ0 f) · (2π f)²,

a Brune ω² point source (M0 = 10^(1.5 Mw + 16.05) dyne·cm, f0 = 4.906·10⁶ βs (Δσ/M0)^(1/3)),
spreading 1/R to 40 km and R^−0.5 beyond, Q(f) = max(Qmin, Q0 f^η), a quarter-wavelength
amplification on a Vs30-scaled profile (:mod:`seismoalice.data.stochastic.site`) and the κ0
filter. C uses cgs units, so C M0 is in cm·s; :func:`target_fas` converts to m/s (FAS of an
acceleration in m/s²). Each wave train is Gaussian noise shaped by a Saragoni–Hart window of
duration T = 1/f0 + 0.05 R, normalised to a unit mean-square spectrum and multiplied by Y(f).

Engineering choices that make a record look like a real three-component accelerogram
(the constants live in :class:`SynthConfig`):

* **Arrivals.** P at R/α, α = 1.73 βs, placed at ``pre_event_s`` in the trace; S at R/βs.
  The P train has its own window of duration ``p_duration_fraction``·T.
* **Components ZNE.** N and E are independent noise realisations of the same S spectrum Y.
  Z carries the S train scaled by ``vh_ratio`` (spectral V/H ≈ 0.7 at low frequency) and an
  extra ``vertical_kappa_s`` of high-frequency decay (verticals are poorer in high frequencies;
  peak V/H ≈ 0.5–0.7). The P train is dominant on Z: spectral level ``p_to_s``·Y on Z and
  ``p_horizontal_share``·``p_to_s``·Y on the horizontals (steep incidence), with P/S drawn per
  record in ``p_to_s_range`` (0.1–0.3). The P train reuses the S-wave target spectrum Y (same
  source, path and site terms): only its level, window and arrival differ.
* **Pre-event noise.** White Gaussian noise over the whole trace with standard deviation
  PGA_H·10^(−SNR/20), SNR drawn per record in ``snr_db_range`` (30–60 dB), so that no band is
  numerically empty.
* **Ranges.** Mw 4–7 and R 10–100 km (log-uniform) keep the strong-motion part of every record
  inside the 40.96 s window: :class:`SynthConfig` checks that the S arrival + 1.5 T (more than
  99% of the window energy) of the largest, farthest event at the median stress drop fits
  (a rare low-Δσ draw for such an event can still run a little past the end of the trace).
* The spectral shaping is zero phase (as SMSIM); the tiny acausal precursor of the filter lies in
  the pre-event window. Each record is computed on a zero-padded FFT just longer than its
  windows' support plus the filter response (:func:`~.timeseries.filter_padding`), so nothing
  wraps around and short records cost less than long ones.

Metadata use SeisBench column names (``source_magnitude``, ``path_hyp_distance_km``, …).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.fft
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from seismoalice.data.stochastic.path import (
    anelastic_attenuation,
    geometric_spreading,
    quality_factor,
)
from seismoalice.data.stochastic.site import kappa_filter, quarter_wavelength_amplification
from seismoalice.data.stochastic.source import (
    brune_shape,
    corner_frequency,
    seismic_moment,
    source_constant,
)
from seismoalice.data.stochastic.timeseries import (
    filter_padding,
    gaussian_noise,
    saragoni_hart_window,
    shape_to_spectrum,
    unit_spectrum,
    window_support,
)
from seismoalice.errors import ConfigError

COMPONENTS = "ZNE"
CM_TO_M = 0.01
SPLIT_FRACTIONS = (("train", 0.8), ("dev", 0.1), ("test", 0.1))
BATCH_SIZE = 1024  # records per call of simulate_records when writing a data set
THREAD_BLOCK = 64  # records per thread-pool job (fixed: results do not depend on cores)
STRONG_MOTION_DURATIONS = 1.5  # S arrival + 1.5 T holds > 99% of the Saragoni–Hart energy

DATA_FORMAT: dict[str, Any] = {
    "dimension_order": "CW",
    "component_order": COMPONENTS,
    "sampling_rate": 100.0,
    "measurement": "acceleration",
    "unit": "mps2",
    "instrument_response": "not restituted",
}

Range = tuple[float, float]


class CrustModel(BaseModel):
    """Crustal, path and site constants of the stochastic model (Boore 2003, Table 1 style).

    Defaults: California-like attenuation Q(f) = max(60, 180 f^0.45), βs = 3.5 km/s,
    ρs = 2.8 g/cm³, R_θφ = 0.55, V = 1/√2, F = 2, spreading crossover 40 km.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    beta_s_kms: float = Field(3.5, gt=0, description="shear-wave velocity at the source [km/s]")
    rho_s_gcc: float = Field(2.8, gt=0, description="density at the source [g/cm³]")
    vp_vs: float = Field(1.73, gt=1, description="P to S velocity ratio α/βs")
    radiation: float = Field(0.55, gt=0, description="average radiation pattern R_θφ")
    partition: float = Field(2**-0.5, gt=0, description="partition onto one horizontal, V")
    free_surface: float = Field(2.0, gt=0, description="free-surface amplification F")
    spreading_crossover_km: float = Field(40.0, gt=0, description="1/R to R^-0.5 crossover")
    q0: float = Field(180.0, gt=0, description="Q0 in Q(f) = max(Qmin, Q0 f^η)")
    q_eta: float = Field(0.45, ge=0, description="η in Q(f)")
    q_min: float = Field(60.0, gt=0, description="Qmin in Q(f)")
    site_profile_exponent: float = Field(
        0.25, gt=0, lt=1, description="p of the Vs30-scaled profile β ∝ z^p (site amplification)"
    )


def _check_range(name: str, value: Range, positive: bool = True) -> None:
    lo, hi = value
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
        raise ValueError(f"{name} must be (low, high) with low ≤ high, got {value}")
    if positive and lo <= 0:
        raise ValueError(f"{name} must be positive, got {value}")


class SynthConfig(BaseModel):
    """Configuration of the synthetic data set: record layout and parameter distributions.

    Distributions (per record): Mw uniform or truncated Gutenberg–Richter in ``mw_range``;
    hypocentral distance log-uniform in ``distance_km_range`` [km]; depth uniform in
    ``depth_km_range`` [km], capped at the hypocentral distance; Vs30 log-uniform in
    ``vs30_mps_range`` [m/s]; κ0 [s] and Δσ [bar] log-normal (median, σ of ln); P/S and SNR [dB]
    uniform in their ranges.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = 0
    sampling_rate: float = Field(100.0, gt=0, description="[Hz]")
    nt: int = Field(4096, ge=256, description="samples per trace")
    pre_event_s: float = Field(2.0, ge=0, description="P arrival time in the trace [s]")
    mw_range: Range = (4.0, 7.0)
    mw_distribution: Literal["uniform", "gutenberg-richter"] = "uniform"
    b_value: float = Field(1.0, gt=0, description="Gutenberg–Richter b for mw_distribution")
    distance_km_range: Range = (10.0, 100.0)
    depth_km_range: Range = (2.0, 20.0)
    vs30_mps_range: Range = (200.0, 1000.0)
    kappa0_median_s: float = Field(0.035, gt=0)
    kappa0_sigma_ln: float = Field(0.4, ge=0)
    stress_drop_median_bar: float = Field(100.0, gt=0)
    stress_drop_sigma_ln: float = Field(0.5, ge=0)
    p_to_s_range: Range = (0.1, 0.3)
    p_horizontal_share: float = Field(0.5, ge=0, le=1)
    p_duration_fraction: float = Field(0.5, gt=0, le=1)
    vh_ratio: float = Field(0.7, gt=0, le=1.5)
    vertical_kappa_s: float = Field(0.01, ge=0)
    snr_db_range: Range = (30.0, 60.0)
    crust: CrustModel = CrustModel()

    @model_validator(mode="after")
    def _check(self) -> SynthConfig:
        for name in ("mw_range", "distance_km_range", "depth_km_range", "vs30_mps_range"):
            _check_range(name, getattr(self, name))
        for name in ("p_to_s_range", "snr_db_range"):
            _check_range(name, getattr(self, name), positive=False)
        if self.p_to_s_range[0] < 0:
            raise ValueError(f"p_to_s_range must be ≥ 0, got {self.p_to_s_range}")
        vs30_max = (1 - self.crust.site_profile_exponent) * self.crust.beta_s_kms * 1000
        if self.vs30_mps_range[1] > vs30_max:
            raise ValueError(f"vs30_mps_range must stay below {vs30_max:.0f} m/s (crustal βs)")
        length_s = self.nt / self.sampling_rate
        if self.pre_event_s >= length_s:
            raise ValueError(f"pre_event_s={self.pre_event_s} s ≥ trace length {length_s} s")
        mw, r = self.mw_range[1], self.distance_km_range[1]
        end = (
            self.pre_event_s
            + r * self.s_minus_p_per_km
            + STRONG_MOTION_DURATIONS
            * float(shaking_duration(mw, r, self.stress_drop_median_bar, self.crust.beta_s_kms))
        )
        if end > length_s:
            raise ValueError(
                f"the strong motion of Mw {mw} at {r} km lasts until {end:.1f} s, beyond the "
                f"{length_s:.2f} s trace (nt={self.nt}): lower mw_range/distance_km_range or "
                "raise nt"
            )
        return self

    @property
    def s_minus_p_per_km(self) -> float:
        """S − P travel-time difference per km of hypocentral distance [s/km]."""
        beta = self.crust.beta_s_kms
        return 1.0 / beta - 1.0 / (self.crust.vp_vs * beta)


def load_synth_config(path: str | os.PathLike[str] | None, **overrides: Any) -> SynthConfig:
    """Read a :class:`SynthConfig` from YAML (``None``: defaults), then apply ``overrides``.

    Raises:
        ConfigError: unreadable file or invalid values, naming the file and the problem.
    """
    source = "defaults" if path is None else str(path)
    values: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{source}: cannot read synthetic-data config ({exc})") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{source}: expected a mapping of settings, got {type(loaded)}")
        values = loaded or {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return SynthConfig(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{source}: invalid synthetic-data config: {problems}") from None


def shaking_duration(
    mw: Any, distance_km: Any, stress_drop_bar: Any, beta_s_kms: float
) -> np.ndarray:
    """Duration of shaking T = 1/f0 + 0.05 R [s] (source + path duration; Boore 2003)."""
    f0 = corner_frequency(mw, stress_drop_bar, beta_s_kms)
    return 1.0 / f0 + 0.05 * np.asarray(distance_km, dtype=float)


def target_fas(
    mw: Any,
    distance_km: Any,
    f: Any,
    stress_drop_bar: Any = 100.0,
    kappa0_s: Any = 0.035,
    vs30_mps: Any = 760.0,
    crust: CrustModel | None = None,
) -> np.ndarray:
    """Theoretical horizontal S-wave Fourier amplitude spectrum of acceleration Y(f) [m/s].

    All array arguments broadcast together (e.g. ``mw[:, None]`` with ``f[None, :]`` gives
    ``(N, F)``). Boore (2003), eqs. 2–18; see the module docstring.

    Args:
        mw: moment magnitude.
        distance_km: hypocentral distance R [km].
        f: frequency [Hz].
        stress_drop_bar: Brune stress drop Δσ [bar].
        kappa0_s: site κ0 [s].
        vs30_mps: Vs30 [m/s] of the generic site amplification.
        crust: crustal/path/site constants (defaults of :class:`CrustModel`).
    """
    crust = crust or CrustModel()
    f = np.asarray(f, dtype=float)
    beta = crust.beta_s_kms
    c = source_constant(beta, crust.rho_s_gcc, crust.radiation, crust.partition, crust.free_surface)
    displacement_cm_s = (
        c
        * seismic_moment(mw)
        * brune_shape(f, corner_frequency(mw, stress_drop_bar, beta))
        * geometric_spreading(distance_km, crust.spreading_crossover_km)
        * anelastic_attenuation(
            f, distance_km, quality_factor(f, crust.q0, crust.q_eta, crust.q_min), beta
        )
        * quarter_wavelength_amplification(f, vs30_mps, beta, crust.site_profile_exponent)
        * kappa_filter(f, kappa0_s)
    )
    return displacement_cm_s * (2.0 * np.pi * f) ** 2 * CM_TO_M


def _draw_magnitudes(cfg: SynthConfig, n: int, rng: np.random.Generator) -> np.ndarray:
    lo, hi = cfg.mw_range
    u = rng.random(n)
    if cfg.mw_distribution == "uniform":
        return lo + (hi - lo) * u
    # truncated exponential (Gutenberg–Richter) by inversion of its CDF
    return lo - np.log10(1.0 - u * (1.0 - 10.0 ** (-cfg.b_value * (hi - lo)))) / cfg.b_value


def _log_uniform(bounds: Range, n: int, rng: np.random.Generator) -> np.ndarray:
    return np.exp(rng.uniform(np.log(bounds[0]), np.log(bounds[1]), n))


def draw_parameters(cfg: SynthConfig, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw the source, path and site parameters of ``n`` records (one event per record).

    Returns:
        DataFrame with SeisBench columns: ``source_magnitude``, ``source_magnitude_type``,
        ``source_depth_km``, ``source_stress_drop_bar``, ``source_corner_frequency_hz``,
        ``path_hyp_distance_km``, ``path_ep_distance_km``, ``path_p_travel_s``,
        ``path_s_travel_s``, ``station_vs30_mps``, ``station_kappa0_s``, ``trace_p_to_s_ratio``,
        ``trace_snr_db``, ``trace_duration_s`` (T), ``trace_sampling_rate_hz``, ``trace_npts``,
        ``trace_p_arrival_sample``, ``trace_s_arrival_sample`` (float sample positions).
    """
    if n < 0:
        raise ConfigError(f"number of records must be ≥ 0, got {n}")
    crust = cfg.crust
    mw = _draw_magnitudes(cfg, n, rng)
    r_hyp = _log_uniform(cfg.distance_km_range, n, rng)
    depth_lo, depth_hi = cfg.depth_km_range
    depth = depth_lo + rng.random(n) * (np.minimum(depth_hi, r_hyp) - depth_lo)
    depth = np.minimum(depth, r_hyp)
    vs30 = _log_uniform(cfg.vs30_mps_range, n, rng)
    kappa0 = cfg.kappa0_median_s * np.exp(cfg.kappa0_sigma_ln * rng.standard_normal(n))
    stress = cfg.stress_drop_median_bar * np.exp(cfg.stress_drop_sigma_ln * rng.standard_normal(n))
    p_to_s = rng.uniform(*cfg.p_to_s_range, n)
    snr_db = rng.uniform(*cfg.snr_db_range, n)
    t_p = r_hyp / (crust.vp_vs * crust.beta_s_kms)
    t_s = r_hyp / crust.beta_s_kms
    fs = cfg.sampling_rate
    return pd.DataFrame(
        {
            "source_magnitude": mw,
            "source_magnitude_type": "mw",
            "source_depth_km": depth,
            "source_stress_drop_bar": stress,
            "source_corner_frequency_hz": corner_frequency(mw, stress, crust.beta_s_kms),
            "path_hyp_distance_km": r_hyp,
            "path_ep_distance_km": np.sqrt(np.maximum(r_hyp**2 - depth**2, 0.0)),
            "path_p_travel_s": t_p,
            "path_s_travel_s": t_s,
            "station_vs30_mps": vs30,
            "station_kappa0_s": kappa0,
            "trace_p_to_s_ratio": p_to_s,
            "trace_snr_db": snr_db,
            "trace_duration_s": shaking_duration(mw, r_hyp, stress, crust.beta_s_kms),
            "trace_sampling_rate_hz": fs,
            "trace_npts": cfg.nt,
            "trace_p_arrival_sample": np.full(n, cfg.pre_event_s * fs),
            "trace_s_arrival_sample": (cfg.pre_event_s + t_s - t_p) * fs,
        }
    )


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
    from tqdm import tqdm

    from seismoalice import __version__
    from seismoalice.data.seisbench_format import WaveformWriter

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
