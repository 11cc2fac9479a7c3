"""The broadband methods by name: the one place that lists them (``seismoalice compare``).

A method is given as ``NAME`` or, for a trained one, ``NAME=DIR`` (its checkpoint folder); a
``NAME=DIR`` whose NAME is not listed here is an ALICE hb checkpoint scored under that name. To
add a method, add its entry to :data:`METHODS` (a method that learns from data also needs its
training stage, :mod:`seismoalice.training.stages`, as ``ann2bb``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from seismoalice.baselines.ann2bb import Ann2bbMethod, Ann2bbModel
from seismoalice.baselines.base import AliceMethod, BroadbandMethod
from seismoalice.baselines.lf import LFMethod
from seismoalice.baselines.stochastic import StochasticMethod
from seismoalice.errors import ConfigError


@dataclass(frozen=True)
class MethodEntry:
    """How to build a method from the LF corner fc [Hz] and, if it needs one, its checkpoint
    folder (``seismoalice train --stage NAME`` writes it)."""

    build: Callable[[float, Path | None], BroadbandMethod]
    description: str
    needs_checkpoint: bool = False


def _ann2bb(fc: float, path: Path | None) -> BroadbandMethod:
    return Ann2bbMethod(Ann2bbModel.load(path), StochasticMethod("informed", fc=fc))


METHODS: dict[str, MethodEntry] = {
    "lf": MethodEntry(lambda fc, _: LFMethod(), "the LF input itself"),
    "stochastic": MethodEntry(
        lambda fc, _: StochasticMethod("informed", fc=fc),
        "LF + stochastic HF for the metadata's magnitude and distance",
    ),
    "stochastic_oracle": MethodEntry(
        lambda fc, _: StochasticMethod("oracle", fc=fc),
        "as stochastic, also with the metadata's stress drop, kappa0 and Vs30",
    ),
    "stochastic_estimated": MethodEntry(
        lambda fc, _: StochasticMethod("estimated", fc=fc),
        "as stochastic, magnitude and distance estimated from the LF signal",
    ),
    "ann2bb": MethodEntry(
        _ann2bb,
        "ANN2BB (Paolucci et al. 2018) on the informed stochastic hybrid",
        needs_checkpoint=True,
    ),
}


def build_method(spec: str, fc: float) -> BroadbandMethod:
    """The method of ``NAME`` or ``NAME=DIR`` (see the module docstring); ConfigError for an
    unknown NAME without a checkpoint or a missing checkpoint."""
    name, _, path = (part.strip() for part in spec.partition("="))
    entry = METHODS.get(name)
    if entry is None:
        if not path:
            listed = ", ".join(METHODS)
            raise ConfigError(
                f"method {name!r}: unknown; use one of {listed}, or NAME=DIR for an ALICE hb "
                "checkpoint"
            )
        return AliceMethod.from_checkpoint(path, name)
    if entry.needs_checkpoint and not path:
        raise ConfigError(f"method {name!r} needs its checkpoint: {name}=DIR")
    if path and not entry.needs_checkpoint:
        raise ConfigError(f"method {name!r} takes no checkpoint (got {spec!r})")
    return entry.build(fc, Path(path) if path else None)
