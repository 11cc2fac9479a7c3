"""Checkpoints without pickle: weights in safetensors, everything else in JSON, written atomically.

A checkpoint directory holds

- ``model.safetensors``: every network's state dict, keys ``<net>.<parameter>``;
- ``config.json``: a JSON object (for ALICE stages: stage, run config, architecture,
  preprocessing, package version, data summary, validation metrics, epoch);
- for exact resume, ``state.safetensors`` (optimiser tensors, torch RNG states) and
  ``state.json`` (optimiser hyper-parameters, scheduler states, python/numpy RNG, counters).

The directory is written beside its target and swapped in with renames, so a killed run leaves
either the previous complete checkpoint or the new one.

Weights and config (models, baselines, generation): :func:`save_checkpoint`,
:func:`read_checkpoint`, :func:`load_modules`, :func:`check_compatible`.
Training state (any training loop): pass ``optimizers``/``schedulers``/``counters`` to
:func:`save_checkpoint` and get them back with :func:`restore_state`; loops with their own
file layout can use the four building blocks :func:`optimizer_state`,
:func:`load_optimizer_state`, :func:`rng_state` and :func:`set_rng_state`.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from seismoalice.errors import CheckpointError
from seismoalice.io_utils import atomic_path, write_json

PREPROCESSING_KEYS = ("sampling_rate", "nt", "fc")
READ_ERRORS = (OSError, ValueError, RuntimeError, SafetensorError)


def _save_tensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    with atomic_path(path) as tmp:
        save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(tmp))


def _load_tensors(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file; CheckpointError naming it if missing or corrupt."""
    try:
        return load_file(str(path))
    except READ_ERRORS as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CheckpointError(f"{path}: unreadable safetensors file ({reason})") from None


def _load_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; CheckpointError naming it if missing, corrupt or no object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except READ_ERRORS as exc:
        raise CheckpointError(f"{path}: unreadable JSON ({exc})") from None
    if not isinstance(value, dict):
        raise CheckpointError(f"{path}: must hold a JSON object, got a {type(value).__name__}")
    return value


def module_tensors(modules: dict[str, nn.Module]) -> dict[str, torch.Tensor]:
    """Flatten the state dicts of named modules into ``{"<net>.<key>": tensor}``."""
    return {f"{name}.{k}": v for name, m in modules.items() for k, v in m.state_dict().items()}


def load_modules(
    tensors: dict[str, torch.Tensor], modules: dict[str, nn.Module], source: str
) -> None:
    """Load ``tensors`` into ``modules``; CheckpointError on missing/unexpected keys or shapes."""
    for name, module in modules.items():
        prefix = f"{name}."
        sub = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
        if not sub:
            raise CheckpointError(f"{source}: no weights for network '{name}'")
        expected = module.state_dict()
        missing = sorted(set(expected) - set(sub))
        unexpected = sorted(set(sub) - set(expected))
        wrong = [k for k in expected.keys() & sub.keys() if expected[k].shape != sub[k].shape]
        if missing or unexpected or wrong:
            raise CheckpointError(
                f"{source}: network '{name}' was built for another architecture "
                f"(missing {missing[:3]}, unexpected {unexpected[:3]}, wrong shape {wrong[:3]})"
            )
        module.load_state_dict(sub)


def optimizer_state(name: str, opt: torch.optim.Optimizer) -> tuple[dict, dict]:
    """The state of optimiser ``opt`` split into tensors (keys ``optim.<name>.<param>.<key>``,
    for safetensors) and a JSON-able rest (param groups and scalar state)."""
    sd = opt.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for idx, st in sd["state"].items():
        for key, val in st.items():
            if torch.is_tensor(val):
                tensors[f"optim.{name}.{idx}.{key}"] = val
            else:
                scalars.setdefault(str(idx), {})[key] = val
    return tensors, {"param_groups": sd["param_groups"], "scalars": scalars}


def load_optimizer_state(
    name: str, opt: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], meta: dict
) -> None:
    """Inverse of :func:`optimizer_state`: load the state saved under ``name`` into ``opt``."""
    state: dict[int, dict[str, Any]] = {}
    prefix = f"optim.{name}."
    for key, val in tensors.items():
        if key.startswith(prefix):
            idx, sub = key[len(prefix) :].split(".", 1)
            state.setdefault(int(idx), {})[sub] = val
    for idx, vals in meta["scalars"].items():
        state.setdefault(int(idx), {}).update(vals)
    opt.load_state_dict({"state": state, "param_groups": meta["param_groups"]})


def rng_state() -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Current python, numpy and torch (CPU, CUDA) RNG states: (tensors, JSON part)."""
    tensors = {"rng.torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng.cuda.{i}"] = s
    kind, keys, pos, has_gauss, cached = np.random.get_state()  # noqa: NPY002
    meta = {
        "python": [random.getstate()[0], list(random.getstate()[1]), random.getstate()[2]],
        "numpy": [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)],
    }
    return tensors, meta


def set_rng_state(tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    """Restore the states saved by :func:`rng_state`."""
    torch.set_rng_state(tensors["rng.torch"])
    cuda = sorted(k for k in tensors if k.startswith("rng.cuda."))
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([tensors[k] for k in cuda])
    version, internal, gauss = meta["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = meta["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))  # noqa: NPY002


def save_checkpoint(
    directory: str | Path,
    modules: dict[str, nn.Module],
    config: dict[str, Any],
    optimizers: dict[str, torch.optim.Optimizer] | None = None,
    schedulers: dict[str, Any] | None = None,
    counters: dict[str, Any] | None = None,
) -> Path:
    """Write a checkpoint directory atomically (see the module docstring); returns its path.

    With ``optimizers`` it also holds the training state: their states, the ``schedulers``'
    states, every RNG state and the JSON-able ``counters`` (e.g. epoch, step).
    """
    target = Path(directory)
    staging = target.with_name(f".{target.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    _save_tensors(staging / "model.safetensors", module_tensors(modules))
    write_json(staging / "config.json", config)
    if optimizers is not None:
        tensors, rng_meta = rng_state()
        opt_meta = {}
        for name, opt in optimizers.items():
            t, m = optimizer_state(name, opt)
            tensors.update(t)
            opt_meta[name] = m
        _save_tensors(staging / "state.safetensors", tensors)
        sched = {k: s.state_dict() for k, s in (schedulers or {}).items()}
        state = {"optimizers": opt_meta, "schedulers": sched, "rng": rng_meta, **(counters or {})}
        write_json(staging / "state.json", state)
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def resolve(directory: str | Path) -> Path:
    """The checkpoint directory to read: ``directory``, or its ``.old`` twin after a killed swap."""
    path = Path(directory)
    if (path / "model.safetensors").exists():
        return path
    old = path.with_name(f".{path.name}.old")
    if (old / "model.safetensors").exists():
        return old
    raise CheckpointError(f"{path}: no checkpoint here (model.safetensors missing)")


def read_checkpoint(directory: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Weights and config of a checkpoint; CheckpointError naming the file if one is missing,
    corrupt, truncated or (config.json) not a JSON object."""
    path = resolve(directory)
    return _load_tensors(path / "model.safetensors"), _load_json_object(path / "config.json")


def restore_state(
    directory: str | Path,
    optimizers: dict[str, torch.optim.Optimizer],
    schedulers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Load the training state of a checkpoint written with optimisers: optimiser and scheduler
    states (same names as saved) and every RNG state; returns the saved counters.

    CheckpointError naming the file if the state is missing, corrupt or for other optimisers.
    """
    path = resolve(directory)
    if not (path / "state.json").exists():
        raise CheckpointError(f"{path}: no resumable training state (state.json missing)")
    tensors = _load_tensors(path / "state.safetensors")
    state = _load_json_object(path / "state.json")
    try:
        for name, opt in optimizers.items():
            load_optimizer_state(name, opt, tensors, state["optimizers"][name])
        for name, sched in (schedulers or {}).items():
            sched.load_state_dict(state["schedulers"][name])
        set_rng_state(tensors, state["rng"])
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"{path}: training state does not fit this run ({exc})") from None
    return {k: v for k, v in state.items() if k not in ("optimizers", "schedulers", "rng")}


def check_compatible(
    config: dict[str, Any],
    source: str,
    *,
    model: dict[str, Any] | None = None,
    preprocessing: dict[str, Any] | None = None,
) -> None:
    """Raise CheckpointError if ``config`` (a checkpoint's) has another architecture/preprocessing.

    Architectures are compared on the keys of ``model`` (a model config or part of one);
    preprocessing on sampling rate, nt and fc.
    """
    if model is not None:
        saved = config.get("model") or {}
        diff = sorted(k for k in model if saved.get(k) != model[k])
        if diff:
            pairs = ", ".join(f"{k}: checkpoint {saved.get(k)!r} vs {model.get(k)!r}" for k in diff)
            raise CheckpointError(f"{source}: built for another architecture ({pairs})")
    if preprocessing is not None:
        saved = config.get("preprocessing") or {}
        diff = [k for k in PREPROCESSING_KEYS if saved.get(k) != preprocessing.get(k)]
        if diff:
            pairs = ", ".join(
                f"{k}: checkpoint {saved.get(k)!r} vs data {preprocessing.get(k)!r}" for k in diff
            )
            raise CheckpointError(f"{source}: built for another preprocessing ({pairs})")
