"""The ``stochastic`` baseline: LF input + stochastic high frequencies (classic hybrid broadband).

The high-frequency partner is a three-component record of the project's stochastic method
(Boore 2003; :func:`seismoalice.data.synthetic.simulate_records`) for the record's magnitude,
hypocentral distance and site; it is merged with the LF input at ``fc`` by the matched
complementary Butterworth split (Graves & Pitarka 2010 hybrids;
:func:`seismoalice.generation.merge_with_lf`): ``out = lf + (stoch − low(stoch))``.

Flavours:

* ``"informed"``: magnitude ``source_magnitude`` and distance ``path_hyp_distance_km`` from the
  metadata, stress drop, κ0 and Vs30 at the defaults below: the bound a method without metadata
  should approach (issue 5).
* ``"oracle"``: also ``source_stress_drop_bar``, ``station_kappa0_s`` and ``station_vs30_mps``
  from the metadata when present — on synthetic data every parameter that generated the record,
  so only the random phase differs: the floor of any method, not a fair bound (stress drop and κ0
  are not identifiable from a signal below 1 Hz).
* ``"estimated"``: (M, R) from the LF signal alone (:func:`estimate_magnitude_distance`).

Alignment: the stochastic record is shifted so that the 5% point of its horizontal Husid curve
coincides with that of the LF horizontals (the onset of strong shaking of the LF record).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from seismoalice.baselines.base import check_lf
from seismoalice.data.stochastic.source import corner_frequency
from seismoalice.data.synthetic import SynthConfig, shaking_duration, simulate_records, target_fas
from seismoalice.errors import DataError
from seismoalice.generation import merge_with_lf
from seismoalice.metrics.intensity import husid_time

Flavour = Literal["informed", "oracle", "estimated"]
METHOD_NAMES = {
    "informed": "stochastic",
    "oracle": "stochastic_oracle",
    "estimated": "stochastic_estimated",
}
REQUIRED = ("source_magnitude", "path_hyp_distance_km")
HUSID_ONSET = 0.05
MAGNITUDE_GRID = np.arange(3.5, 8.0001, 0.05)
DISTANCE_GRID_KM = np.geomspace(3.0, 300.0, 93)
HORIZONTALS = (1, 2)
SMOOTHING_BINS = 5


def horizontal_husid_time(acc: np.ndarray, dt: float, level: float = HUSID_ONSET) -> np.ndarray:
    """Time [s] at which the Husid curve of the summed horizontal energy of ``acc`` ``(N, 3, T)``
    (ZNE) reaches ``level``; shape ``(N,)``. The horizontal vector's |a|² is a_N² + a_E²."""
    return husid_time(np.hypot(acc[:, HORIZONTALS[0]], acc[:, HORIZONTALS[1]]), dt, level)


def shift_records(x: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Shift each record of ``x`` ``(N, C, T)`` by ``shift[i]`` samples (positive: later), zero
    filled."""
    out = np.zeros_like(x)
    nt = x.shape[-1]
    for i, s in enumerate(np.asarray(shift, dtype=int)):
        if s >= 0:
            out[i, :, s:] = x[i, :, : nt - s]
        else:
            out[i, :, : nt + s] = x[i, :, -s:]
    return out


def estimate_magnitude_distance(
    lf: np.ndarray,
    fs: float,
    fc: float,
    stress_drop_bar: float = 100.0,
    kappa0_s: float = 0.035,
    vs30_mps: float = 450.0,
    fmin: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimate (Mw, R [km]) of each LF record by a grid search on the stochastic model.

    Misfit per grid node (M, R) (``MAGNITUDE_GRID`` × ``DISTANCE_GRID_KM``):

    * the mean squared ln-difference between the horizontal quadratic-mean FAS of the LF record,
      smoothed by a running mean of the squared FAS over ``SMOOTHING_BINS`` bins and corrected
      for the zero-phase 4th-order low-pass at ``fc`` (divided by its gain 1/(1 + (f/fc)^8)),
      and :func:`target_fas`, over the DFT bins in [fmin, fc] weighted by 1/f (uniform weight
      per log-frequency);
    * plus the squared ln-ratio between the LF horizontals' D5-95 and the model's shaking duration
      T = 1/f0 + 0.05 R, which breaks the M0/R trade-off of the low-frequency spectrum level.

    Args:
        lf: LF records ``(N, 3, T)`` [m/s²].
        fs: sampling rate [Hz]; fc: LF corner [Hz].

    Returns:
        Magnitudes ``(N,)`` and hypocentral distances ``(N,)`` [km].
    """
    dt = 1.0 / fs
    nt = lf.shape[-1]
    f = np.fft.rfftfreq(nt, dt)
    fas2 = np.mean(np.abs(np.fft.rfft(lf[:, list(HORIZONTALS)], axis=-1) * dt) ** 2, axis=1)
    kernel = np.ones(SMOOTHING_BINS) / SMOOTHING_BINS
    fas2 = np.apply_along_axis(np.convolve, -1, fas2, kernel, mode="same")
    band = (f >= max(fmin, SMOOTHING_BINS * f[1])) & (f <= fc)
    centres, weights = f[band], 1.0 / f[band]
    gain = 1.0 / (1.0 + (centres / fc) ** 8)
    observed = 0.5 * np.log(np.maximum(fas2[:, band], np.finfo(float).tiny)) - np.log(gain)
    mw, r = np.meshgrid(MAGNITUDE_GRID, DISTANCE_GRID_KM, indexing="ij")
    model = np.log(
        target_fas(mw[..., None], r[..., None], centres, stress_drop_bar, kappa0_s, vs30_mps)
    )
    misfit = (observed[:, None, None, :] - model[None]) ** 2
    spectral = np.sum(misfit * weights, axis=-1) / weights.sum()
    duration = horizontal_husid_time(lf, dt, 0.95) - horizontal_husid_time(lf, dt, 0.05)
    model_duration = shaking_duration(mw, r, stress_drop_bar, 3.5)
    temporal = np.log(np.maximum(duration, dt)[:, None, None] / model_duration[None]) ** 2
    best = np.argmin((spectral + temporal).reshape(len(lf), -1), axis=-1)
    return mw.reshape(-1)[best], r.reshape(-1)[best]


class StochasticMethod:
    """LF + stochastic HF hybrid (see the module docstring).

    Args:
        flavour: ``"informed"`` (metadata M, R), ``"oracle"`` (metadata M, R, Δσ, κ0, Vs30) or
            ``"estimated"`` (M, R from the LF signal).
        fc: merging frequency [Hz] (the LF corner of the data set).
        order: Butterworth order of one pass of the matched split.
        stress_drop_bar, kappa0_s, vs30_mps: values used unless the oracle finds them in the
            metadata.
    """

    def __init__(
        self,
        flavour: Flavour = "informed",
        fc: float = 1.0,
        order: int = 4,
        stress_drop_bar: float = 100.0,
        kappa0_s: float = 0.035,
        vs30_mps: float = 450.0,
    ) -> None:
        if flavour not in METHOD_NAMES:
            raise DataError(
                f"stochastic flavour must be one of {list(METHOD_NAMES)}, got {flavour!r}"
            )
        self.flavour = flavour
        self.name = METHOD_NAMES[flavour]
        self.fc, self.order = fc, order
        self.defaults = {
            "source_stress_drop_bar": stress_drop_bar,
            "station_kappa0_s": kappa0_s,
            "station_vs30_mps": vs30_mps,
        }

    def source_parameters(
        self, lf: np.ndarray, fs: float, metadata: pd.DataFrame | None
    ) -> pd.DataFrame:
        """Per record: source_magnitude, path_hyp_distance_km, stress drop, κ0, Vs30."""
        n = len(lf)
        if self.flavour != "estimated":
            missing = [c for c in REQUIRED if metadata is None or c not in metadata.columns]
            if missing:
                raise DataError(
                    f"stochastic ({self.flavour}) needs metadata columns {list(REQUIRED)}; missing "
                    f"{missing} (use the 'estimated' flavour for records without metadata)"
                )
            table = pd.DataFrame({c: metadata[c].to_numpy(dtype=float) for c in REQUIRED})
            bad = ~np.isfinite(table.to_numpy()).all(axis=1)
            if bad.any():
                raise DataError(
                    f"stochastic ({self.flavour}): record {int(np.argmax(bad))} has non-finite "
                    f"{list(REQUIRED)}"
                )
            for column, value in self.defaults.items():
                given = (
                    metadata[column].to_numpy(dtype=float)
                    if self.flavour == "oracle" and column in metadata.columns
                    else np.full(n, np.nan)
                )
                table[column] = np.where(np.isfinite(given), given, value)
            return table
        mw, r = estimate_magnitude_distance(
            lf,
            fs,
            self.fc,
            self.defaults["source_stress_drop_bar"],
            self.defaults["station_kappa0_s"],
            self.defaults["station_vs30_mps"],
        )
        table = pd.DataFrame({"source_magnitude": mw, "path_hyp_distance_km": r})
        for column, value in self.defaults.items():
            table[column] = value
        return table

    def generate(
        self,
        lf: np.ndarray,
        fs: float,
        metadata: pd.DataFrame | None,
        rng: np.random.Generator,
    ) -> np.ndarray:
        arr = check_lf(lf, metadata)
        table = self.source_parameters(arr, fs, metadata)
        stoch = stochastic_records(table, fs, arr.shape[-1], rng)
        onset = horizontal_husid_time(arr, 1 / fs) - horizontal_husid_time(stoch, 1 / fs)
        shift = np.round(onset * fs)
        stoch = shift_records(stoch, shift)
        return merge_with_lf(stoch, arr, fs, self.fc, self.order)


def stochastic_records(
    table: pd.DataFrame, fs: float, nt: int, rng: np.random.Generator
) -> np.ndarray:
    """Stochastic three-component records ``(N, 3, nt)`` [m/s²] for the rows of ``table``
    (``source_magnitude``, ``path_hyp_distance_km``, ``source_stress_drop_bar``,
    ``station_kappa0_s``, ``station_vs30_mps``) with P at 1 s, P/S 0.2 and 60 dB SNR.

    The record layout bypasses :class:`SynthConfig`'s check that the largest event of its
    drawing ranges fits in the trace (we simulate given parameters, not drawn ones).
    """
    cfg = SynthConfig.model_construct(sampling_rate=float(fs), nt=int(nt), pre_event_s=1.0)
    crust = cfg.crust
    mw = table["source_magnitude"].to_numpy(dtype=float)
    r = table["path_hyp_distance_km"].to_numpy(dtype=float)
    stress = table["source_stress_drop_bar"].to_numpy(dtype=float)
    beta = crust.beta_s_kms
    params = table.assign(
        source_corner_frequency_hz=corner_frequency(mw, stress, beta),
        trace_duration_s=shaking_duration(mw, r, stress, beta),
        trace_p_to_s_ratio=0.2,
        trace_snr_db=60.0,
        trace_p_arrival_sample=cfg.pre_event_s * fs,
        trace_s_arrival_sample=(cfg.pre_event_s + r * cfg.s_minus_p_per_km) * fs,
    )
    return simulate_records(params, cfg, rng).astype(np.float64)
