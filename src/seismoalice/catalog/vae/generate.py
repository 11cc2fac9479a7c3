"""Sampling windows from the prior and stitching them into a synthetic catalog.

z ~ N(0, I) → decoder → features in physical units (decoder mean for ``mse``; a draw from the
decoder likelihood otherwise) → physical validity → windows concatenated in order:

- inter-event times τ = 10^log10_dt are positive by construction, floored at ``tau_min_days``
  (times, the cumulative sums, are strictly increasing) and capped at the longest inter-event
  time of the training split (a heavy-tailed Weibull draw can overflow: every time stays
  finite, and both clips are counted);
- magnitudes: m − Mc is put on the training magnitude grid, m = Mc + Δm·⌊(m − Mc + Δm/2)/Δm⌋
  (nearest bin), and values below Mc are raised to Mc (counted); with Δm = 0, m = max(m, Mc);
- epicentres: relative x, y plus a centroid drawn from the training windows' centroids;
  longitude/latitude from the affine x, y → lon, lat map fitted on the training events;
  depth is the training median (not modelled).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seismoalice.catalog.catalog import Catalog
from seismoalice.catalog.vae.config import VAEConfig, config_from_dict
from seismoalice.catalog.vae.windows import DMAG, LOG_DT, events_from_windows
from seismoalice.errors import CheckpointError


@dataclass
class LoadedVAE:
    """A trained model with everything needed to decode and stitch windows."""

    model: Any
    cfg: VAEConfig
    meta: dict[str, Any]
    shift: np.ndarray
    scale: np.ndarray
    centroids: np.ndarray | None
    lonlat_affine: np.ndarray | None


def load_vae(model_dir: str | Path) -> LoadedVAE:
    """Load ``model.safetensors`` + ``config.json`` from a model directory (CheckpointError)."""
    from seismoalice.catalog.vae.files import load_tensors, read_json_object
    from seismoalice.catalog.vae.model import build_model

    model_dir = Path(model_dir)
    tensors = load_tensors(model_dir / "model.safetensors")
    meta = read_json_object(model_dir / "config.json")
    cfg = config_from_dict(meta.get("config", {}), source=str(model_dir / "config.json"))
    try:
        model = build_model(cfg, len(meta["features"]))
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    except (RuntimeError, KeyError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise CheckpointError(f"{model_dir}: weights do not match config.json ({first})") from None
    model.eval()

    def get(key: str) -> np.ndarray | None:
        return tensors[key].numpy() if key in tensors else None

    return LoadedVAE(
        model,
        cfg,
        meta,
        get("norm.shift"),
        get("norm.scale"),
        get("centroids"),
        get("lonlat_affine"),
    )


def sample_windows(vae: LoadedVAE, n: int, seed: int) -> np.ndarray:
    """Decode ``n`` prior draws into windows (n, L, F) in physical units (before validity fixes).

    A decoder with ``times_given_magnitudes`` samples the magnitudes (and locations) first and
    then the inter-event times given those magnitudes.
    """
    import torch

    from seismoalice.catalog.vae.model import decode_features

    gen = torch.Generator().manual_seed(seed)
    shift, scale = torch.as_tensor(vae.shift), torch.as_tensor(vae.scale)
    model, cfg = vae.model, vae.cfg

    def draw(params: torch.Tensor) -> torch.Tensor:
        return decode_features(
            params.double(),
            cfg.model.reconstruction,
            shift,
            scale,
            vae.meta["dm"],
            cfg.generate.sample_decoder,
            gen,
        )

    with torch.no_grad():
        z = torch.randn(n, cfg.model.latent_dim, generator=gen)
        if not model.times_given_magnitudes:
            return draw(model.decode(z)).numpy()
        marks = draw(model.decode(z, torch.zeros(n, cfg.data.window)))
        mags = ((marks[..., DMAG] - shift[DMAG]) / scale[DMAG]).float()
        feats = marks.clone()
        feats[..., LOG_DT] = draw(model.decode(z, mags))[..., LOG_DT]
    return feats.numpy()


#: cap of inter-event times for models saved without ``log10_tau_max_days`` (10 years)
DEFAULT_LOG10_TAU_MAX = float(np.log10(3652.5))


def make_valid(
    features: np.ndarray, dm: float, tau_min: float, log10_tau_max: float = DEFAULT_LOG10_TAU_MAX
) -> tuple[np.ndarray, dict[str, int]]:
    """Clip log10 τ to [log10 ``tau_min``, ``log10_tau_max``] (NaN counts as above the cap) and
    put m − Mc ≥ 0 on the Δm grid (see module doc).

    Returns the corrected copy of (W, L, F) features and the counts of corrected values.
    """
    out = features.copy()
    floor = np.log10(tau_min)
    log_dt = out[..., LOG_DT]
    counts = {
        "tau_floored": int((log_dt < floor).sum()),
        "tau_capped": int(((log_dt > log10_tau_max) | np.isnan(log_dt)).sum()),
        "mag_raised_to_mc": int((out[..., DMAG] < (-0.5 * dm if dm > 0 else 0.0)).sum()),
    }
    out[..., LOG_DT] = np.clip(np.nan_to_num(log_dt, nan=log10_tau_max), floor, log10_tau_max)
    d = np.maximum(out[..., DMAG], 0.0)
    out[..., DMAG] = np.round(dm * np.floor(d / dm + 0.5), 9) if dm > 0 else d
    return out, counts


def stitch_catalog(
    vae: LoadedVAE, features: np.ndarray, rng: np.random.Generator, t_start: pd.Timestamp
) -> Catalog:
    """Valid windows (W, L, F) → Catalog (time, latitude, longitude, depth, magnitude[, x, y])."""
    centroid = None
    if vae.centroids is not None:
        centroid = vae.centroids[rng.integers(0, len(vae.centroids), size=len(features))]
    t, m, xy = events_from_windows(features, vae.meta["mc"], 0.0, centroid)
    depth = vae.meta.get("depth_km")
    columns = {"depth": np.full(t.size, np.nan if depth is None else depth)}
    if xy is not None:
        columns.update(x=xy[:, 0], y=xy[:, 1])
        if vae.lonlat_affine is not None:
            lonlat = np.column_stack([xy, np.ones(len(xy))]) @ vae.lonlat_affine
            columns.update(longitude=lonlat[:, 0], latitude=lonlat[:, 1])
    return Catalog.from_days(t, np.round(m, 6), origin=t_start, **columns)


def generate_catalog(
    model_dir: str | Path, n_windows: int, seed: int = 0, t_start: pd.Timestamp | None = None
) -> tuple[Catalog, dict[str, Any]]:
    """Synthetic catalog of ``n_windows`` stitched windows (n_windows·L events).

    Starts at ``t_start`` (default: the start of the test split). Returns the catalog and a
    report (counts of validity corrections, seed, model directory).
    """
    vae = load_vae(model_dir)
    raw = sample_windows(vae, n_windows, seed)
    cap = vae.meta.get("log10_tau_max_days", DEFAULT_LOG10_TAU_MAX)
    valid, counts = make_valid(raw, vae.meta["dm"], vae.cfg.data.tau_min_days, cap)
    start = pd.Timestamp(vae.meta["split_start"]["test"]) if t_start is None else t_start
    catalog = stitch_catalog(vae, valid, np.random.default_rng(seed), start)
    return catalog, {"model_dir": str(model_dir), "seed": seed, "n_windows": n_windows, **counts}
