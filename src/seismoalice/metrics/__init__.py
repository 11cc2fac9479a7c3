"""Ground-motion metrics: response and Fourier spectra, peak, energy and duration measures, and
measures of the waveform itself (inter-component coherence, H/V, P-window energy, FAS fine
structure, a classifier two-sample test)."""

from seismoalice.metrics._arrays import record_lengths
from seismoalice.metrics.anderson import (
    BBP_BANDS,
    CRITERIA,
    align_onsets,
    anderson_gof,
    anderson_score,
    quality_label,
)
from seismoalice.metrics.coherence import component_coherence
from seismoalice.metrics.fine_structure import fas_fine_structure, fine_structure_residual_sigma
from seismoalice.metrics.fourier import (
    effective_amplitude_spectrum,
    fourier_amplitude_spectrum,
    konno_ohmachi,
    smoothed_fas,
)
from seismoalice.metrics.hv import hv_ratio
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
from seismoalice.metrics.p_window import p_window_energy_fraction
from seismoalice.metrics.psa import DEFAULT_PERIODS, response_spectrum, sdof_displacement
from seismoalice.metrics.residuals import (
    fas_residuals,
    ln_residuals,
    psa_residuals,
    residual_stats,
    usable_mask,
)
from seismoalice.metrics.rotd import rotd
from seismoalice.metrics.tf_misfit import cwt_morlet, morlet_frequencies, tf_gof
from seismoalice.metrics.two_sample import TwoSampleResult, two_sample_accuracy

__all__ = [
    "BBP_BANDS",
    "CRITERIA",
    "DEFAULT_PERIODS",
    "TwoSampleResult",
    "align_onsets",
    "anderson_gof",
    "anderson_score",
    "arias_intensity",
    "cav",
    "component_coherence",
    "cwt_morlet",
    "displacement",
    "effective_amplitude_spectrum",
    "fas_fine_structure",
    "fas_residuals",
    "fine_structure_residual_sigma",
    "fourier_amplitude_spectrum",
    "husid",
    "husid_time",
    "hv_ratio",
    "konno_ohmachi",
    "ln_residuals",
    "morlet_frequencies",
    "p_window_energy_fraction",
    "pga",
    "pgd",
    "pgv",
    "psa_residuals",
    "quality_label",
    "record_lengths",
    "residual_stats",
    "response_spectrum",
    "rotd",
    "sdof_displacement",
    "significant_duration",
    "smoothed_fas",
    "tf_gof",
    "two_sample_accuracy",
    "usable_mask",
    "velocity",
]
