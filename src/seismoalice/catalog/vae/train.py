"""Data preparation and the training loop of the catalog VAE (resumable, TensorBoard-logged).

A model directory holds ``model.safetensors`` (best weights, normalisation, window centroids and
the x/y → lon/lat map) with ``config.json`` (config, package version, Mc, Δm, features, split),
``last.safetensors``/``last.json`` (state to resume a killed run), ``tb/`` (TensorBoard) and the
chronological splits ``split_train.csv``/``split_test.csv`` used by ``evaluate``.

``config.json`` and ``last.json`` carry a fingerprint of the training catalog and of the data
and model sections of the config (:mod:`.files`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seismoalice.catalog.catalog import Catalog
from seismoalice.catalog.vae.config import VAEConfig
from seismoalice.catalog.vae.files import (
    catalog_fingerprint,
    load_tensors,
    prepare_model_dir,
    read_json_object,
)
from seismoalice.catalog.vae.model import build_model
from seismoalice.catalog.vae.windows import (
    Normaliser,
    Windows,
    event_locations,
    extract_windows,
    feature_names,
    magnitude_bin_width,
    time_split,
)
from seismoalice.errors import CheckpointError, DataError
from seismoalice.io_utils import atomic_path, write_json

SPLITS = ("train", "val", "test")


def days_since(times: pd.Series, t0: pd.Timestamp) -> np.ndarray:
    """Event times (datetime64, UTC) -> days since ``t0`` (float64)."""
    return ((times - t0) / pd.Timedelta(days=1)).to_numpy(dtype=np.float64)


@dataclass
class PreparedData:
    """Catalog above Mc, split by time and cut into windows; normaliser fitted on training only."""

    mc: float
    dm: float
    t0: pd.Timestamp
    use_location: bool
    n_below_mc: int
    segments: dict[str, Catalog]
    windows: dict[str, Windows]
    normaliser: Normaliser
    lonlat_affine: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def prepare_data(catalog: Catalog, cfg: VAEConfig) -> PreparedData:
    """Apply Mc, split by time, cut windows, fit the normaliser on the training windows."""
    from seismoalice.catalog import stats

    d, source = cfg.data, catalog.source
    mags_all = catalog.magnitudes
    dm = magnitude_bin_width(mags_all) if d.dm is None else d.dm
    mc = stats.completeness(mags_all, dm, d.mc_method)[0] if d.mc is None else d.mc
    keep = mags_all >= mc - 1e-9
    catalog = catalog.select(keep)
    df = catalog.df
    if len(df) < 3 * (d.window + 1):
        raise DataError(f"{source}: only {len(df)} events with M ≥ {mc:g}; too few to train")
    t0 = df["time"].iloc[0]
    t = days_since(df["time"], t0)
    xy = event_locations(catalog) if d.use_location else None
    labels = time_split(t, d.train_fraction, d.val_fraction, d.split_by)
    segments, windows = {}, {}
    for k, name in enumerate(SPLITS):
        sel = labels == k
        segments[name] = catalog.select(sel)
        stride = d.stride if name == "train" else d.window
        try:
            windows[name] = extract_windows(
                t[sel],
                df["magnitude"].to_numpy()[sel],
                None if xy is None else xy[sel],
                mc,
                d.window,
                stride,
                d.tau_min_days,
            )
        except DataError as exc:
            raise DataError(f"{source}: {name} split: {exc}") from exc
    affine = None
    if xy is not None and {"longitude", "latitude"} <= set(df.columns):
        sel = labels == 0
        design = np.column_stack([xy[sel], np.ones(sel.sum())])
        target = df.loc[sel, ["longitude", "latitude"]].to_numpy(dtype=np.float64)
        affine = np.linalg.lstsq(design, target, rcond=None)[0]
    return PreparedData(
        mc=mc,
        dm=dm,
        t0=t0,
        use_location=xy is not None,
        n_below_mc=int((~keep).sum()),
        segments=segments,
        windows=windows,
        normaliser=Normaliser.fit(windows["train"].features),
        lonlat_affine=affine,
    )


def _metadata(
    cfg: VAEConfig, data: PreparedData, source: str, fingerprint: dict[str, Any]
) -> dict[str, Any]:
    from seismoalice import __version__

    seg = {k: v.df for k, v in data.segments.items()}
    depth = seg["train"]["depth"]
    return {
        "config": cfg.model_dump(),
        "version": __version__,
        "source": str(source),
        "features": list(feature_names(data.use_location)),
        "mc": data.mc,
        "dm": data.dm,
        "t0": data.t0.isoformat(),
        "split_start": {k: seg[k]["time"].iloc[0].isoformat() for k in SPLITS},
        "split_end": {k: seg[k]["time"].iloc[-1].isoformat() for k in SPLITS},
        "n_events": {k: len(seg[k]) for k in SPLITS},
        "n_windows": {k: len(data.windows[k].features) for k in SPLITS},
        "n_below_mc": data.n_below_mc,
        "n_tau_floored": {
            k: int((data.windows[k].features[..., 0] <= np.log10(cfg.data.tau_min_days)).sum())
            for k in SPLITS
        },
        "log10_tau_max_days": float(data.windows["train"].features[..., 0].max()),
        "depth_km": float(depth.median()) if depth.notna().any() else None,
        "fingerprint": fingerprint,
    }


def _tensors(model, data: PreparedData) -> dict[str, Any]:
    import torch

    out = {f"model.{k}": v.detach().contiguous() for k, v in model.state_dict().items()}
    out["norm.shift"] = torch.as_tensor(data.normaliser.shift)
    out["norm.scale"] = torch.as_tensor(data.normaliser.scale)
    if data.windows["train"].centroid is not None:
        out["centroids"] = torch.as_tensor(data.windows["train"].centroid)
    if data.lonlat_affine is not None:
        out["lonlat_affine"] = torch.as_tensor(data.lonlat_affine)
    return out


def _save_tensors(path: Path, tensors: dict[str, Any]) -> None:
    from safetensors.torch import save_file

    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp))


def _optimizer_tensors(optimizer) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    state = optimizer.state_dict()
    tensors = {
        f"opt.{idx}.{name}": value.detach().clone().contiguous()
        for idx, entry in state["state"].items()
        for name, value in entry.items()
    }
    return tensors, state["param_groups"]


def _restore_optimizer(optimizer, tensors: dict[str, Any], groups: list[dict[str, Any]]) -> None:
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("opt."):
            _, idx, name = key.split(".", 2)
            state.setdefault(int(idx), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": groups})


def beta_at(cfg: VAEConfig, epoch: int) -> float:
    """KL weight at ``epoch`` (0-based): linear warm-up from β/warmup to β over warmup epochs."""
    w = cfg.train.warmup_epochs
    return cfg.train.beta * (min(1.0, (epoch + 1) / w) if w > 0 else 1.0)


def train_vae(
    catalog: Catalog,
    cfg: VAEConfig,
    out_dir: str | Path,
    resume: bool = True,
    progress: bool = True,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Train on ``catalog`` (x, y or longitude/latitude used for locations when present).

    Resumes from ``out_dir/last.*`` when present and ``resume``; a directory holding a model of
    another catalog or config is refused unless ``overwrite`` (see :func:`prepare_model_dir`).
    Writes the train and test segments as ``split_train.csv``/``split_test.csv``. Returns the
    metadata stored in ``config.json`` with the training history.
    """
    import torch
    from torch.utils.tensorboard import SummaryWriter
    from tqdm import tqdm

    from seismoalice.catalog.vae.model import kl_divergence, reconstruction_loss
    from seismoalice.seeding import seed_everything

    out = Path(out_dir)
    fingerprint = {"catalog": catalog_fingerprint(catalog), "config": _architecture(cfg)}
    prepare_model_dir(out, fingerprint, overwrite)
    seed_everything(cfg.train.seed)
    source = catalog.source
    data = prepare_data(catalog, cfg)
    out.mkdir(parents=True, exist_ok=True)
    meta = _metadata(cfg, data, source, fingerprint)
    for name in ("train", "test"):
        data.segments[name].to_csv(out / f"split_{name}.csv")

    norm = data.normaliser
    x = {
        k: torch.as_tensor(norm.transform(data.windows[k].features), dtype=torch.float32)
        for k in ("train", "val")
    }
    shift = torch.as_tensor(norm.shift, dtype=torch.float32)
    scale = torch.as_tensor(norm.scale, dtype=torch.float32)
    model = build_model(cfg, x["train"].shape[-1])
    t = cfg.train
    if t.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=t.lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=t.lr, momentum=t.momentum)
    gen = torch.Generator().manual_seed(t.seed)
    state = {"epoch": 0, "best_val": float("inf"), "best_epoch": -1, "bad_epochs": 0, "history": []}
    if resume and (out / "last.json").exists():
        state = _load_last(out, model, opt, gen)

    def losses(xb: torch.Tensor, beta: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        params, mu, logvar = model(xb)
        rec = reconstruction_loss(params, xb, cfg.model.reconstruction, shift, scale, data.dm)
        kl = kl_divergence(mu, logvar)
        return rec.mean() + beta * kl.mean(), rec.mean(), kl.mean()

    tb = SummaryWriter(str(out / "tb"))
    bar = tqdm(range(state["epoch"], t.epochs), disable=not progress, desc="catalog VAE")
    for epoch in bar:
        beta = beta_at(cfg, epoch)
        model.train()
        perm = torch.randperm(len(x["train"]), generator=gen)
        totals = np.zeros(3)
        for i in range(0, len(perm), t.batch_size):
            xb = x["train"][perm[i : i + t.batch_size]]
            loss, rec, kl = losses(xb, beta)
            opt.zero_grad()
            loss.backward()
            opt.step()
            totals += np.array([loss.item(), rec.item(), kl.item()]) * len(xb)
        train_l = totals / len(perm)
        model.eval()
        with torch.no_grad(), torch.random.fork_rng():
            torch.manual_seed(t.seed + 1)
            val_l = np.array([v.item() for v in losses(x["val"], t.beta)])
        for split, vals in (("train", train_l), ("val", val_l)):
            for name, v in zip(("loss", "reconstruction", "kl"), vals, strict=True):
                tb.add_scalar(f"{split}/{name}", v, epoch)
        tb.add_scalar("beta", beta, epoch)
        state["history"].append(
            {"epoch": epoch, "beta": beta, "train": train_l.tolist(), "val": val_l.tolist()}
        )
        state["epoch"] = epoch + 1
        if val_l[0] < state["best_val"]:
            state.update(best_val=float(val_l[0]), best_epoch=epoch, bad_epochs=0)
            _save_tensors(out / "model.safetensors", _tensors(model, data))
            write_json(out / "config.json", {**meta, "best_epoch": epoch, "best_val": val_l[0]})
        else:
            state["bad_epochs"] += 1
        _save_last(out, model, opt, gen, {**state, "fingerprint": fingerprint})
        bar.set_postfix(train=f"{train_l[0]:.1f}", val=f"{val_l[0]:.1f}", best=state["best_epoch"])
        if state["bad_epochs"] >= t.patience:
            break
    tb.close()
    if not (out / "config.json").exists():
        raise DataError(f"{source}: training produced no finite validation loss")
    result = json.loads((out / "config.json").read_text())
    result["history"] = state["history"]
    return result


def _architecture(cfg: VAEConfig) -> dict[str, Any]:
    """The parts of the config a resumed run must share (data and model sections)."""
    return {"data": cfg.data.model_dump(), "model": cfg.model.model_dump()}


def _save_last(out: Path, model, opt, gen, state: dict[str, Any]) -> None:
    import torch

    tensors = {f"model.{k}": v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    opt_tensors, groups = _optimizer_tensors(opt)
    tensors.update(opt_tensors)
    tensors["rng.shuffle"] = gen.get_state()
    tensors["rng.torch"] = torch.get_rng_state()
    _save_tensors(out / "last.safetensors", tensors)
    write_json(out / "last.json", {**state, "param_groups": groups})


def _load_last(out: Path, model, opt, gen) -> dict[str, Any]:
    import torch

    state = read_json_object(out / "last.json")
    state.pop("fingerprint", None)
    tensors = load_tensors(out / "last.safetensors")
    try:
        model.load_state_dict(
            {k[6:]: v for k, v in tensors.items() if k.startswith("model.")}, strict=True
        )
        _restore_optimizer(opt, tensors, state.pop("param_groups"))
        gen.set_state(tensors["rng.shuffle"])
        torch.set_rng_state(tensors["rng.torch"])
    except (ValueError, RuntimeError, KeyError, TypeError) as exc:
        raise CheckpointError(
            f"{out}: cannot resume from last.safetensors/last.json ({exc}); "
            "train into a new directory or pass --overwrite"
        ) from None
    state["best_val"] = float("inf") if state["best_val"] is None else state["best_val"]
    return state
