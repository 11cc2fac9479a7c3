"""Catalog variational autoencoder: windows of consecutive events → Gaussian latent → windows.

Modules: :mod:`.windows` (features, normalisation, split), :mod:`.model` (encoder/decoder,
losses), :mod:`.train` (resumable training), :mod:`.generate` (sampling and stitching),
:mod:`.explore` (PCA/t-SNE), :mod:`.evaluate` (statistics vs held-out, ETAS and Poisson),
:mod:`.config` (YAML). Heavy dependencies (torch, matplotlib, scikit-learn) load lazily.
"""

from seismoalice.catalog.vae.config import VAEConfig, load_config

__all__ = ["VAEConfig", "load_config"]
