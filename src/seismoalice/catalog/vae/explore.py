"""Latent-space exploration: PCA and t-SNE (scikit-learn) of the encoder means of windows,
coloured by window properties (largest magnitude, duration, fraction of aftershocks when the
catalog carries the ETAS branching ``parent`` column), written as one PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from seismoalice.catalog.catalog import Catalog
from seismoalice.catalog.vae.generate import LoadedVAE
from seismoalice.catalog.vae.windows import Windows, event_locations, extract_windows
from seismoalice.errors import DataError


def catalog_windows(vae: LoadedVAE, catalog: Catalog) -> tuple[Catalog, Windows]:
    """Non-overlapping windows of ``catalog`` (events ≥ the model's Mc), as in training."""
    mc, d = vae.meta["mc"], vae.cfg.data
    catalog = catalog.select(catalog.magnitudes >= mc - 1e-9)
    xy = event_locations(catalog) if "x_rel" in vae.meta["features"] else None
    if "x_rel" in vae.meta["features"] and xy is None:
        raise DataError(f"{catalog.source}: the model uses locations but the catalog has none")
    win = extract_windows(
        catalog.times_days(), catalog.magnitudes, xy, mc, d.window, d.window, d.tau_min_days
    )
    return catalog, win


def latent_means(vae: LoadedVAE, features: np.ndarray) -> np.ndarray:
    """Encoder means (W, latent_dim) of windows (W, L, F) in physical units."""
    import torch

    x = torch.as_tensor((features - vae.shift) / vae.scale, dtype=torch.float32)
    with torch.no_grad():
        mu, _ = vae.model.encode(x)
    return mu.numpy().astype(np.float64)


def window_properties(catalog: Catalog, windows: Windows, window: int) -> dict[str, np.ndarray]:
    """Per window: largest magnitude, log10 duration [days] and, with a ``parent`` column, the
    fraction of triggered events (parent ≠ −1)."""
    idx = windows.start[:, None] + np.arange(window)[None, :]
    t = catalog.times_days()
    props = {
        "max magnitude": catalog.magnitudes[idx].max(axis=1),
        "log10 duration [days]": np.log10(np.maximum(t[idx[:, -1]] - windows.t_prev, 1e-9)),
    }
    if "parent" in catalog.df.columns:
        parent = catalog.df["parent"].to_numpy(np.int64)
        props["aftershock fraction"] = (parent[idx] != -1).mean(axis=1)
    return props


def explore(
    vae: LoadedVAE, catalog: Catalog, out_png: str | Path, seed: int = 0, max_windows: int = 2000
) -> dict[str, Any]:
    """PCA and t-SNE of the latent means of ``catalog``'s windows → PNG; returns a summary
    (explained variance ratios, number of windows, properties used)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    from seismoalice.io_utils import atomic_path

    catalog, win = catalog_windows(vae, catalog)
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.permutation(len(win.start))[:max_windows])
    win = Windows(win.features[keep], win.start[keep], win.t_prev[keep], None)
    mu = latent_means(vae, win.features)
    props = window_properties(catalog, win, vae.cfg.data.window)
    pca = PCA(n_components=2, random_state=seed).fit(mu)
    perplexity = float(min(30.0, max(2.0, (len(mu) - 1) / 3)))
    embeddings = {
        "PCA": pca.transform(mu),
        "t-SNE": TSNE(2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(mu),
    }
    fig, axes = plt.subplots(
        2, len(props), figsize=(4.2 * len(props), 7.5), layout="constrained", squeeze=False
    )
    for row, (name, emb) in enumerate(embeddings.items()):
        for col, (label, values) in enumerate(props.items()):
            ax = axes[row, col]
            sc = ax.scatter(emb[:, 0], emb[:, 1], c=values, s=6, cmap="viridis")
            fig.colorbar(sc, ax=ax, label=label)
            ax.set_title(f"{name} of latent means")
            ax.set_xlabel(f"{name} 1")
            ax.set_ylabel(f"{name} 2")
    with atomic_path(out_png) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)
    return {
        "n_windows": len(mu),
        "pca_explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
        "properties": list(props),
        "png": str(out_png),
    }
