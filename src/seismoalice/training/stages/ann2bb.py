"""Stage ``ann2bb``: the ANN2BB baseline's MLP ensembles (Paolucci et al. 2018, BSSA 108(3A)).

The training set becomes feature rows (:meth:`Ann2bbStage.training_data`): log10 PSA [cm/s²,
5 %] at the periods T ≥ T* (inputs) and T < T* (targets), for the geometric mean of the
horizontals (``gh``) and the vertical (``ud``), min–max scaled to [−1, 1] on the records that
component does not hold out (a row pairs a gh record with a ud record; the two are trained
independently). Each ensemble (:class:`~seismoalice.baselines.ann2bb.MLPEnsemble`, every net
from its own initialisation, the ``gh`` one seeded with the run's seed, ``ud`` with seed + 1)
minimises the sum over its nets of the scaled MSE, full batch with Adam as the original; validation
reports the hold-out MSE of every net and of the ensemble mean. The checkpoints hold what
:class:`~seismoalice.baselines.ann2bb.Ann2bbModel` loads.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from seismoalice.baselines.ann2bb import (
    COMPONENTS,
    Ann2bbModel,
    ComponentNet,
    MLPEnsemble,
    ann_periods,
    holdout_scores,
    log_component_psa,
    minmax,
    scale,
)
from seismoalice.errors import DataError
from seismoalice.training.config import Ann2bbStageConfig
from seismoalice.training.stages.base import Networks, Stage, Term, physical


class FeatureRows(Dataset):
    """Scaled log-PSA rows: items ``{"x": (2, n_in), "y": (2, n_out)}`` (gh, ud)."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x = torch.as_tensor(x, dtype=torch.float32)
        self.y = torch.as_tensor(y, dtype=torch.float32)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"x": self.x[i], "y": self.y[i]}


class Ann2bbStage(Stage):
    """Networks ``gh`` and ``ud`` (no discriminator)."""

    name = "ann2bb"

    @property
    def settings(self) -> Ann2bbStageConfig:
        return self.cfg.stages.ann2bb

    def build(self) -> Networks:
        s = self.settings
        inputs, outputs = ann_periods(s.t_star)
        gen = {}
        for i, component in enumerate(COMPONENTS):
            torch.manual_seed(self.cfg.seed + i)
            gen[component] = MLPEnsemble(s.n_nets, inputs.size, outputs.size, s.hidden)
        self.nets = Networks(gen, {})
        return self.nets

    def training_data(self, train_set: Dataset) -> Dataset:
        """Feature rows of the records not held out: per component a random ``holdout`` fraction
        (≥ 1 record; ``gh`` drawn with the run's seed, ``ud`` with seed + 1, as the original)."""
        bb = [physical(b, "bb").double().numpy() for b in DataLoader(train_set, batch_size=256)]
        records = np.concatenate(bb)
        inputs, outputs = ann_periods(self.settings.t_star)
        dt = 1.0 / float(self.preprocessing["sampling_rate"])
        x, y = log_component_psa(records, dt, inputs), log_component_psa(records, dt, outputs)
        n = len(records)
        n_hold = max(1, round(self.settings.holdout * n))
        if n - n_hold < 2:
            raise DataError(f"ANN2BB needs at least 3 training records, got {n}")
        orders = [np.random.default_rng(self.cfg.seed + i).permutation(n) for i in range(2)]
        hold = [order[:n_hold] for order in orders]
        train = [order[n_hold:] for order in orders]
        self.ranges = [(minmax(x[t, i]), minmax(y[t, i])) for i, t in enumerate(train)]
        self.holdout = self._scaled(x, y, hold)
        return self._scaled(x, y, train)

    def _scaled(self, x: np.ndarray, y: np.ndarray, rows: list[np.ndarray]) -> FeatureRows:
        """Rows ``rows[i]`` of component i, scaled with that component's ranges."""
        xs = [scale(x[r, i], *self.ranges[i][0]) for i, r in enumerate(rows)]
        ys = [scale(y[r, i], *self.ranges[i][1]) for i, r in enumerate(rows)]
        return FeatureRows(np.stack(xs, axis=1), np.stack(ys, axis=1))

    def generator_losses(self, batch: dict[str, torch.Tensor]) -> list[Term]:
        weights = {"gh": self.settings.loss.gh, "ud": self.settings.loss.ud}
        terms = []
        for i, component in enumerate(COMPONENTS):
            if weights[component] > 0:
                pred = self.nets.gen[component](batch["x"][:, i])
                value = ((pred - batch["y"][:, i]) ** 2).mean(dim=(1, 2)).sum()
                terms.append(Term(component, weights[component], value))
        return terms

    def model(self) -> Ann2bbModel:
        """The current networks with their scalers and hold-out scores."""
        nets = {}
        for i, component in enumerate(COMPONENTS):
            ensemble = self.nets.gen[component]
            device = next(ensemble.parameters()).device
            x, y = self.holdout.x[:, i].to(device), self.holdout.y[:, i].to(device)
            per_net, mean_mse = holdout_scores(ensemble, x, y)
            x_range, y_range = self.ranges[i]
            nets[component] = ComponentNet(ensemble, x_range, y_range, per_net, mean_mse)
        return Ann2bbModel(self.settings.t_star, nets, self.settings.hidden)

    def validate(self, dev_set: Dataset, device: torch.device) -> dict[str, Any]:
        """Hold-out MSE (scaled units) per net and of the ensemble mean, per component (the
        original's choice of net); ``dev_set`` is not used."""
        model = self.model()
        out: dict[str, Any] = {
            f"holdout_mse_{c}": n.holdout_mse.tolist() for c, n in model.nets.items()
        }
        out.update({f"holdout_mse_mean_{c}": n.holdout_mse_mean for c, n in model.nets.items()})
        return out

    def score(self, metrics: dict[str, Any]) -> float:
        """Mean over components of the ensemble-mean hold-out MSE."""
        return float(np.mean([metrics[f"holdout_mse_mean_{c}"] for c in COMPONENTS]))

    def checkpoint_config(self) -> dict[str, Any]:
        return self.model().config()
