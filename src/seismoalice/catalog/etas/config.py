"""YAML configuration of an ETAS simulation (see configs/etas.yaml)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from seismoalice.catalog.etas.params import ETASParams, SpaceTimeETASParams
from seismoalice.errors import ConfigError

KEYS = {"model", "seed", "origin", "t_start", "t_end", "burn_in_days", "params"}


@dataclass(frozen=True)
class SimulationConfig:
    """ETAS simulation settings: window [t_start, t_end] days after ``origin`` (ISO 8601 UTC),
    burn-in length (days), seed and the model parameters."""

    params: ETASParams
    t_start: float = 0.0
    t_end: float = 3650.0
    burn_in_days: float = 3650.0
    seed: int = 0
    origin: str = "2000-01-01T00:00:00Z"


def load_simulation_config(path: str | os.PathLike[str]) -> SimulationConfig:
    """Read and validate an ETAS simulation YAML file; ConfigError naming the file and key."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML ({exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("params"), dict):
        raise ConfigError(f"{path}: expected a mapping with a 'params' mapping")
    unknown = set(raw) - KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    model = raw.get("model", "temporal")
    classes = {"temporal": ETASParams, "spacetime": SpaceTimeETASParams}
    if model not in classes:
        raise ConfigError(f"{path}: model must be 'temporal' or 'spacetime', got {model!r}")
    try:
        params = classes[model].from_dict(raw["params"])
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    settings = {
        k: raw[k] for k in ("t_start", "t_end", "burn_in_days", "seed", "origin") if k in raw
    }
    return SimulationConfig(params=params, **settings)
