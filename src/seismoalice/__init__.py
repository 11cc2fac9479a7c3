"""SeismoALICE: generative deep learning of earthquake ground motion and seismicity.

Broadband (0–30 Hz) accelerograms from low-frequency signals with adversarially learned
inference (ALICE; Gatti & Clouteau 2020), and earthquake-catalog models (ETAS, catalog VAE).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("seismoalice")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
