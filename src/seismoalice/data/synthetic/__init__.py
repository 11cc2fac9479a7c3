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

from seismoalice.data.synthetic.config import (
    CrustModel,
    SynthConfig,
    load_synth_config,
    shaking_duration,
)
from seismoalice.data.synthetic.dataset import (
    BATCH_SIZE,
    DATA_FORMAT,
    split_labels,
    write_synthetic_dataset,
)
from seismoalice.data.synthetic.simulate import COMPONENTS, simulate_records
from seismoalice.data.synthetic.spectrum import draw_parameters, target_fas

__all__ = [
    "BATCH_SIZE",
    "COMPONENTS",
    "DATA_FORMAT",
    "CrustModel",
    "SynthConfig",
    "draw_parameters",
    "load_synth_config",
    "shaking_duration",
    "simulate_records",
    "split_labels",
    "target_fas",
    "write_synthetic_dataset",
]
