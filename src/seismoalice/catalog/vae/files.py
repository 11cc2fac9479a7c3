"""Files of a catalog-VAE model directory: safe readers with one-line errors, the training
fingerprint, and the guard against training over another model.

Training into a directory that holds a model of another catalog or config is refused unless
``overwrite``, which deletes only the files listed in :data:`MODEL_FILES`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from seismoalice.catalog.catalog import Catalog
from seismoalice.errors import CheckpointError

#: every file and folder ``train_vae`` writes into a model directory
MODEL_FILES = (
    "model.safetensors",
    "config.json",
    "last.safetensors",
    "last.json",
    "split_train.csv",
    "split_test.csv",
    "tb",
)


def catalog_fingerprint(catalog: Catalog) -> str:
    """SHA-256 (hex, 16 characters) of the catalog's times, magnitudes and locations."""
    df = catalog.df
    digest = hashlib.sha256(df["time"].dt.tz_localize(None).to_numpy("datetime64[ns]").tobytes())
    for col in ("magnitude", "latitude", "longitude", "x", "y"):
        if col in df.columns:
            digest.update(col.encode() + df[col].to_numpy(np.float64).tobytes())
    return digest.hexdigest()[:16]


def load_tensors(path: Path) -> dict[str, Any]:
    """Read a safetensors file; CheckpointError (one line) when it is missing, empty or corrupt."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except (OSError, SafetensorError) as exc:
        raise CheckpointError(f"{path}: not a readable safetensors file ({exc})") from None


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON file holding an object; CheckpointError when missing, malformed or not an object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: not a readable JSON file ({exc})") from None
    if not isinstance(value, dict):
        raise CheckpointError(f"{path}: expected a JSON object, got {type(value).__name__}")
    return value


def prepare_model_dir(out: Path, fingerprint: dict[str, Any], overwrite: bool) -> None:
    """Refuse (CheckpointError) a directory holding a model of another catalog or config;
    with ``overwrite`` delete this package's files there (and nothing else)."""
    present = [name for name in MODEL_FILES if (out / name).exists()]
    if not present:
        return
    if overwrite:
        for name in present:
            target = out / name
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        return
    stored = None
    for name in ("last.json", "config.json"):
        if (out / name).is_file():
            stored = read_json_object(out / name).get("fingerprint")
            break
    if stored == fingerprint:
        return
    if stored is None:
        why = f"it already holds {', '.join(present)} without a training fingerprint"
    else:
        what = [k for k in ("catalog", "config") if stored.get(k) != fingerprint[k]]
        why = f"its model was trained on another {' and '.join(what)}"
    raise CheckpointError(
        f"{out}: {why}; train into a new directory or pass --overwrite to replace it"
    )
