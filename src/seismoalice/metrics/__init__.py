"""Ground-motion metrics: response and Fourier spectra, peak, energy and duration measures."""

from seismoalice.metrics.anderson import (
    BBP_BANDS,
    CRITERIA,
    align_onsets,
    anderson_gof,
    anderson_score,
    quality_label,
)
from seismoalice.metrics.fourier import (
    effective_amplitude_spectrum,
    fourier_amplitude_spectrum,
    konno_ohmachi,
    smoothed_fas,
)
from seismoalice.metrics.intensity import (
    arias_intensity,
    cav,
    displacement,
    husid,
    husid_time,
    pga,
    pgd,
    pgv,
    significant_duration,
    velocity,
)
from seismoalice.metrics.psa import DEFAULT_PERIODS, response_spectrum, rotd, sdof_displacement
from seismoalice.metrics.residuals import (
    fas_residuals,
    ln_residuals,
    psa_residuals,
    residual_stats,
    usable_mask,
)
from seismoalice.metrics.tf_misfit import cwt_morlet, morlet_frequencies, tf_gof

__all__ = [
    "BBP_BANDS",
    "CRITERIA",
    "DEFAULT_PERIODS",
    "align_onsets",
    "anderson_gof",
    "anderson_score",
    "arias_intensity",
    "cav",
    "cwt_morlet",
    "displacement",
    "effective_amplitude_spectrum",
    "fas_residuals",
    "fourier_amplitude_spectrum",
    "husid",
    "husid_time",
    "konno_ohmachi",
    "ln_residuals",
    "morlet_frequencies",
    "pga",
    "pgd",
    "pgv",
    "psa_residuals",
    "quality_label",
    "residual_stats",
    "response_spectrum",
    "rotd",
    "sdof_displacement",
    "significant_duration",
    "smoothed_fas",
    "tf_gof",
    "usable_mask",
    "velocity",
]
