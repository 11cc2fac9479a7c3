"""Settings of an evaluation and the names of the measures it computes."""

from __future__ import annotations

from dataclasses import dataclass

from seismoalice.errors import ConfigError

HORIZONTALS = (1, 2)  # N, E in ZNE order
SCALAR_MEASURES = ("pga", "pgv", "pgd", "arias", "cav", "d5_75", "d5_95")
#: Waveform measures per record and component (N, C), not residuals: compared by their medians.
WAVEFORM_SCALARS = ("p_energy_fraction", "fas_fine_sigma")
LOG_RESIDUAL_MEASURES = ("psa", "psa_rotd50", "fas", "eas", "pga", "pgv", "pgd", "arias", "cav")
PSA_PERIOD_BANDS = ((0.02, 0.1), (0.1, 0.3), (0.3, 1.0), (1.0, 3.0))


@dataclass(frozen=True)
class EvaluationConfig:
    """Settings of an evaluation.

    Attributes:
        fmin, fmax: usable band [Hz] of the time–frequency GOF, the Anderson bands and the
            smoothed spectra (EG/PG over 0.1–30 Hz as in SeismoALICE, Gatti & Clouteau 2020).
        periods: oscillator periods [s] of the response spectra; ``None``: the PSA module's
            ``DEFAULT_PERIODS``.
        damping: oscillator damping ratio ξ.
        n_frequencies: number of log-spaced Konno–Ohmachi centre frequencies in [fmin, fmax].
        ko_bandwidth: Konno–Ohmachi bandwidth b of the per-component FAS.
        eas_bandwidth: Konno–Ohmachi bandwidth of the EAS (188.5 as in SCEC BBP ``fas.py``).
        tf_nf, tf_w0: frequencies and Morlet ω0 of the Kristeková CWT.
        chunk_size: records processed at once.
        n_examples: records kept with their waveforms for the overlay figures.
        coherence_segment_s: Welch segment [s] of the inter-component coherence.
        n_waveform_frequencies: log-spaced frequencies of the coherence and H/V curves, from
            ``max(fmin, 2/coherence_segment_s)`` to ``fmax``.
        hf_corner_hz: high-pass corner [Hz] of the P-window energy share (e.g. the LF corner
            ``fc`` of the generator).
        p_window_s: P window [s] of records without an S pick.
        classifier_seed: seed of the classifier two-sample test's record split and folds.
    """

    fmin: float = 0.1
    fmax: float = 30.0
    periods: tuple[float, ...] | None = None
    damping: float = 0.05
    n_frequencies: int = 100
    ko_bandwidth: float = 40.0
    eas_bandwidth: float = 188.5
    tf_nf: int = 100
    tf_w0: float = 6.0
    chunk_size: int = 32
    n_examples: int = 3
    coherence_segment_s: float = 5.12
    n_waveform_frequencies: int = 40
    hf_corner_hz: float = 1.0
    p_window_s: float = 3.0
    classifier_seed: int = 0

    def validate(self, dt: float) -> None:
        """Raise :class:`ConfigError` unless 0 < fmin < fmax ≤ Nyquist of ``dt`` [s]."""
        nyquist = 0.5 / dt
        if not 0 < self.fmin < self.fmax <= nyquist:
            raise ConfigError(
                f"frequency band fmin={self.fmin} Hz, fmax={self.fmax} Hz must satisfy "
                f"0 < fmin < fmax ≤ Nyquist = {nyquist:g} Hz (Δt = {dt} s)"
            )
        if self.chunk_size < 1 or self.n_frequencies < 2 or self.tf_nf < 2:
            raise ConfigError("chunk_size must be ≥ 1, n_frequencies and tf_nf ≥ 2")
        if not 0 < self.hf_corner_hz < nyquist:
            raise ConfigError(
                f"hf_corner_hz={self.hf_corner_hz} Hz must lie in (0, {nyquist:g}) Hz (Nyquist)"
            )
        if not (self.coherence_segment_s > 0 and self.p_window_s > 0):
            raise ConfigError("coherence_segment_s and p_window_s must be positive")
        if 2.0 / self.coherence_segment_s >= self.fmax or self.n_waveform_frequencies < 2:
            raise ConfigError(
                f"coherence_segment_s={self.coherence_segment_s} s resolves nothing below "
                f"fmax={self.fmax} Hz (need 2/segment < fmax), or n_waveform_frequencies < 2"
            )
