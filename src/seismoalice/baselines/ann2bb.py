"""ANN2BB (Paolucci et al. 2018, BSSA 108(3A):1272–1286): short-period PSA from long-period PSA.

An ensemble of one-hidden-layer MLPs (default 50 nets × 30 tanh units, linear output; inputs and
targets min–max scaled to [−1, 1]) predicts log10 PSA [cm/s², 5%] at the periods T < T* from log10
PSA at T ≥ T* (period lists of the original code, shared reference ann2bb.md §2), one
ensemble for the geometric mean of the horizontals (``gh``) and one for the vertical (``ud``).
A random 5% of the training records is held out; the original keeps the net with the lowest
hold-out MSE (``combine="best"``), the ensemble mean is an option (``combine="mean"``). Training
(every net full-batch with Adam on the scaled MSE from its own initialisation) is the ``ann2bb``
stage of ``seismoalice train`` (:mod:`seismoalice.training.stages.ann2bb`).

Application (:class:`Ann2bbMethod`): the LF input is hybridised with stochastic high frequencies
(:class:`~seismoalice.baselines.stochastic.StochasticMethod`); the target spectrum of each
component is the ANN prediction below T* (``gh`` net fed with that horizontal's own PSA, ``ud``
for Z) and the hybrid's own PSA at T ≥ T*; the hybrid is spectrally matched to it
(:func:`~seismoalice.baselines.spectral_matching.spectral_match`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from torch import nn

from seismoalice import __version__
from seismoalice.baselines.base import check_lf
from seismoalice.baselines.spectral_matching import Method, spectral_match
from seismoalice.baselines.stochastic import StochasticMethod
from seismoalice.checkpoint import load_modules, read_checkpoint, save_checkpoint
from seismoalice.errors import CheckpointError, ConfigError
from seismoalice.metrics.psa import response_spectrum

Combine = Literal["best", "mean"]
STAGE = "ann2bb"
COMPONENTS = ("gh", "ud")
M_TO_CM = 100.0


def _grid(start: float, stop: float, step: float) -> list[float]:
    return [round(v, 4) for v in np.arange(start, stop + step / 2, step)]


PERIOD_TABLE: dict[float, tuple[list[float], list[float]]] = {
    0.5: (_grid(0.5, 1.0, 0.1) + _grid(1.25, 5.0, 0.25), [0.0, 0.05, *_grid(0.1, 0.4, 0.1)]),
    0.6: (_grid(0.6, 1.0, 0.1) + _grid(1.25, 5.0, 0.25), [0.0, 0.05, *_grid(0.1, 0.5, 0.1)]),
    0.75: (
        [0.75, *_grid(0.8, 1.0, 0.1), *_grid(1.25, 5.0, 0.25)],
        [0.0, 0.05, *_grid(0.1, 0.7, 0.1)],
    ),
    1.0: (_grid(1.0, 5.0, 0.25), [0.0, 0.05, *_grid(0.1, 0.9, 0.1)]),
}


def ann_periods(t_star: float) -> tuple[np.ndarray, np.ndarray]:
    """Input periods (T ≥ T*) and output periods (T < T*, 0 = PGA) [s] of the original code."""
    if t_star not in PERIOD_TABLE:
        raise ConfigError(f"T* must be one of {sorted(PERIOD_TABLE)} s, got {t_star}")
    inputs, outputs = PERIOD_TABLE[t_star]
    return np.asarray(inputs), np.asarray(outputs)


def log_component_psa(acc: np.ndarray, dt: float, periods: np.ndarray) -> np.ndarray:
    """log10 PSA [cm/s²] of ``acc`` ``(N, 3, T)`` [m/s², ZNE]: ``(N, 2, P)``, gh (geometric mean
    of N and E) then ud (Z)."""
    log_psa = np.log10(np.maximum(response_spectrum(acc, dt, periods) * M_TO_CM, 1e-12))
    return np.stack([0.5 * (log_psa[:, 1] + log_psa[:, 2]), log_psa[:, 0]], axis=1)


class MLPEnsemble(nn.Module):
    """E independent MLPs n_in → hidden (tanh) → n_out evaluated together; ``(B, n_in)`` →
    ``(E, B, n_out)``."""

    def __init__(self, n_nets: int, n_in: int, n_out: int, hidden: int = 30) -> None:
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(n_nets, n_in, hidden) / np.sqrt(n_in))
        self.b1 = nn.Parameter(torch.zeros(n_nets, 1, hidden))
        self.w2 = nn.Parameter(torch.randn(n_nets, hidden, n_out) / np.sqrt(hidden))
        self.b2 = nn.Parameter(torch.zeros(n_nets, 1, n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x @ self.w1 + self.b1) @ self.w2 + self.b2


def minmax(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column (min, max) of ``values`` ``(N, D)``; constant columns get max = min + 1."""
    lo, hi = values.min(axis=0), values.max(axis=0)
    return lo, np.where(hi > lo, hi, lo + 1.0)


def scale(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Min–max scaling to [−1, 1] (MATLAB ``mapminmax``)."""
    return 2.0 * (values - lo) / (hi - lo) - 1.0


def unscale(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Inverse of :func:`scale`."""
    return (values + 1.0) * 0.5 * (hi - lo) + lo


@dataclass
class ComponentNet:
    """One component's ensemble with its scalers and hold-out scores."""

    ensemble: MLPEnsemble
    x_range: tuple[np.ndarray, np.ndarray]
    y_range: tuple[np.ndarray, np.ndarray]
    holdout_mse: np.ndarray
    holdout_mse_mean: float

    @property
    def best(self) -> int:
        """Index of the net with the lowest hold-out MSE (the original's choice)."""
        return int(np.argmin(self.holdout_mse))

    def predict(self, x: np.ndarray, combine: Combine = "best") -> np.ndarray:
        """log10 PSA at the output periods ``(N, n_out)`` from log10 PSA inputs ``(N, n_in)``."""
        with torch.no_grad():
            xs = torch.as_tensor(scale(x, *self.x_range), dtype=torch.float32)
            out = self.ensemble(xs).double().numpy()
        pred = out[self.best] if combine == "best" else out.mean(axis=0)
        return unscale(pred, *self.y_range)


def holdout_scores(
    ensemble: MLPEnsemble, x: torch.Tensor, y: torch.Tensor
) -> tuple[np.ndarray, float]:
    """Hold-out MSE (scaled units) of every net ``(E,)`` and of the ensemble mean, for scaled
    inputs ``x`` ``(B, n_in)`` and targets ``y`` ``(B, n_out)``."""
    with torch.no_grad():
        out = ensemble(x)
        per_net = ((out - y) ** 2).mean(dim=(1, 2)).double().cpu().numpy()
        mean_mse = float(((out.mean(dim=0) - y) ** 2).mean())
    return per_net, mean_mse


@dataclass
class Ann2bbModel:
    """The trained ANN2BB networks: ``nets`` {"gh", "ud"}, corner period ``t_star`` [s]."""

    t_star: float
    nets: dict[str, ComponentNet]
    hidden: int

    @property
    def periods(self) -> tuple[np.ndarray, np.ndarray]:
        return ann_periods(self.t_star)

    def predict(self, log_inputs: np.ndarray, combine: Combine = "best") -> np.ndarray:
        """log10 PSA [cm/s²] at the output periods ``(N, 2, n_out)`` from ``(N, 2, n_in)``
        (gh, ud)."""
        return np.stack(
            [self.nets[c].predict(log_inputs[:, i], combine) for i, c in enumerate(COMPONENTS)],
            axis=1,
        )

    def config(self) -> dict[str, Any]:
        """What :meth:`load` needs besides the weights: periods, sizes, scalers, hold-out MSE."""
        inputs, outputs = self.periods
        return {
            "stage": STAGE,
            "t_star": self.t_star,
            "input_periods": inputs.tolist(),
            "output_periods": outputs.tolist(),
            "hidden": self.hidden,
            "n_nets": int(next(iter(self.nets.values())).ensemble.w1.shape[0]),
            "units": "log10 PSA [cm/s^2], 5% damping; gh = geometric mean of N, E; ud = Z",
            "components": {
                c: {
                    "x_min": net.x_range[0].tolist(),
                    "x_max": net.x_range[1].tolist(),
                    "y_min": net.y_range[0].tolist(),
                    "y_max": net.y_range[1].tolist(),
                    "holdout_mse": net.holdout_mse.tolist(),
                    "holdout_mse_mean": net.holdout_mse_mean,
                    "best": net.best,
                }
                for c, net in self.nets.items()
            },
        }

    def save(self, directory: str | Path, extra: dict[str, Any] | None = None) -> Path:
        """Checkpoint (``model.safetensors`` + ``config.json``, atomic)."""
        config = {**self.config(), "package_version": __version__, **(extra or {})}
        return save_checkpoint(directory, {c: n.ensemble for c, n in self.nets.items()}, config)

    @classmethod
    def load(cls, directory: str | Path) -> Ann2bbModel:
        """Read a checkpoint written by :meth:`save` or by ``seismoalice train --stage ann2bb``
        (given its checkpoint or its stage folder, whose ``last`` holds the final networks, as the
        original uses); CheckpointError if it is not ANN2BB."""
        directory = Path(directory)
        if not (directory / "model.safetensors").exists() and (directory / "last").is_dir():
            directory = directory / "last"
        tensors, config = read_checkpoint(directory)
        if config.get("stage") != STAGE:
            raise CheckpointError(
                f"{directory}: not an ANN2BB checkpoint (stage {config.get('stage')!r})"
            )
        inputs, outputs = ann_periods(float(config["t_star"]))
        nets = {}
        for c in COMPONENTS:
            meta = config["components"][c]
            ensemble = MLPEnsemble(config["n_nets"], inputs.size, outputs.size, config["hidden"])
            load_modules(tensors, {c: ensemble}, str(directory))
            nets[c] = ComponentNet(
                ensemble,
                (np.asarray(meta["x_min"]), np.asarray(meta["x_max"])),
                (np.asarray(meta["y_min"]), np.asarray(meta["y_max"])),
                np.asarray(meta["holdout_mse"]),
                float(meta["holdout_mse_mean"]),
            )
        return cls(float(config["t_star"]), nets, int(config["hidden"]))


class Ann2bbMethod:
    """ANN2BB as a broadband method (see the module docstring).

    Args:
        model: trained networks.
        hybrid: the LF + stochastic method whose output is matched (default informed, fc 1 Hz).
        combine: ``"best"`` (original) or ``"mean"`` of the ensemble.
        matching: spectral-matching update, ``"gauss-newton"`` (default) or ``"ratio"`` (the
            original's; :func:`~seismoalice.baselines.spectral_matching.spectral_match`).
        iterations: spectral-matching iterations; None: the method's default (10 Gauss–Newton
            updates, which bring every period within 10 % of the target where the original's 5
            ratio updates leave 10–24 %; see the spectral_matching module docstring).
    """

    def __init__(
        self,
        model: Ann2bbModel,
        hybrid: StochasticMethod | None = None,
        combine: Combine = "best",
        matching: Method = "gauss-newton",
        iterations: int | None = None,
        name: str = "ann2bb",
    ) -> None:
        self.model = model
        self.hybrid = hybrid or StochasticMethod("informed")
        self.combine: Combine = combine
        self.matching: Method = matching
        self.iterations = iterations
        self.name = name

    def target_spectrum(self, hybrid: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
        """Target periods ``(K,)`` [s] (outputs then inputs) and target PSA ``(N, 3, K)`` [m/s²]:
        ANN below T*, the hybrid's own PSA at T ≥ T*."""
        inputs, outputs = self.model.periods
        own = response_spectrum(hybrid, dt, inputs)
        log_own = np.log10(np.maximum(own * M_TO_CM, 1e-12))
        per_component = np.stack([log_own[:, 1], log_own[:, 2], log_own[:, 0]], axis=1)
        predictions = [
            self.model.nets["gh" if k < 2 else "ud"].predict(per_component[:, k], self.combine)
            for k in range(3)
        ]
        ann = 10.0 ** np.stack([predictions[2], predictions[0], predictions[1]], axis=1) / M_TO_CM
        return np.concatenate([outputs, inputs]), np.concatenate([ann, own], axis=-1)

    def generate(
        self,
        lf: np.ndarray,
        fs: float,
        metadata: pd.DataFrame | None,
        rng: np.random.Generator,
    ) -> np.ndarray:
        arr = check_lf(lf, metadata)
        hybrid = self.hybrid.generate(arr, fs, metadata, rng)
        periods, target = self.target_spectrum(hybrid, 1.0 / fs)
        return spectral_match(hybrid, 1.0 / fs, periods, target, self.iterations, self.matching)
