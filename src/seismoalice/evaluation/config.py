"""Settings of an evaluation and the names of the measures it computes."""

from __future__ import annotations

from dataclasses import dataclass

from seismoalice.errors import ConfigError

HORIZONTALS = (1, 2)  # N, E in ZNE order
SCALAR_MEASURES = ("pga", "pgv", "pgd", "arias", "cav", "d5_75", "d5_95")
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
