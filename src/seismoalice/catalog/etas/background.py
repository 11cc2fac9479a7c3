"""Background density of space–time ETAS by stochastic declustering (Zhuang, Ogata & Vere-Jones
2002; etas.md §5).

u(x, y) = Σ_i φ_i·N(x − x_i, y − y_i; h_i²) / Σ_i φ_i·m_i [1/km²]: Gaussian kernels at the
events, weighted by their background probabilities φ_i = μ·u(x_i, y_i)/λ(t_i, x_i, y_i), with
variable bandwidths h_i = max(h_min, distance to the n_p-th nearest neighbour) (R ``ETAS``:
``nnp = 5``, ``bwm``), and normalised over the rectangular region (m_i: the share of kernel i
inside it), so that ∫_R u = 1 and μ stays the background rate in events/day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from scipy.spatial import cKDTree
from scipy.special import ndtr

#: kernels are cut at this many bandwidths (e^{−18} of the peak)
CUTOFF_SIGMAS = 6.0


def adaptive_bandwidths(
    x: np.ndarray, y: np.ndarray, n_neighbours: int = 5, h_min: float = 0.5
) -> np.ndarray:
    """h_i = max(h_min, distance from event i to its ``n_neighbours``-th nearest neighbour) [km]."""
    k = min(n_neighbours, x.size - 1)
    if k < 1:
        return np.full(x.size, h_min)
    dist, _ = cKDTree(np.column_stack([x, y])).query(np.column_stack([x, y]), k=k + 1)
    return np.maximum(dist[:, -1], h_min)


@numba.njit(cache=True)
def _kernel_sum(
    qx: np.ndarray,
    qy: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    h: np.ndarray,
    cutoff: float,
) -> np.ndarray:
    """Σ_i weight_i·N(q − p_i; h_i²) at each query point (M,), kernels cut at ``cutoff``·h_i."""
    out = np.zeros(qx.size)
    for m in range(qx.size):
        total = 0.0
        for i in range(x.size):
            r2 = (qx[m] - x[i]) ** 2 + (qy[m] - y[i]) ** 2
            h2 = h[i] * h[i]
            if r2 < cutoff * cutoff * h2:
                total += weight[i] * np.exp(-0.5 * r2 / h2) / (2.0 * np.pi * h2)
        out[m] = total
    return out


@dataclass(frozen=True)
class BackgroundDensity:
    """Normalised background density u(x, y) over ``region`` (xmin, xmax, ymin, ymax) [km]:
    Gaussian kernels at (x, y) (K,) with weights (K,) and bandwidths h (K,) [km]."""

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    h: np.ndarray
    region: tuple[float, float, float, float]

    @property
    def norm(self) -> float:
        """Σ_i weight_i·(share of kernel i inside the region)."""
        xmin, xmax, ymin, ymax = self.region
        inside_x = ndtr((xmax - self.x) / self.h) - ndtr((xmin - self.x) / self.h)
        inside_y = ndtr((ymax - self.y) / self.h) - ndtr((ymin - self.y) / self.h)
        return float(np.sum(self.weight * inside_x * inside_y))

    def density(self, qx: np.ndarray, qy: np.ndarray) -> np.ndarray:
        """u at the points (qx, qy) [1/km²], shape of qx; 0 outside the region."""
        qx, qy = np.asarray(qx, float), np.asarray(qy, float)
        xmin, xmax, ymin, ymax = self.region
        inside = (qx >= xmin) & (qx <= xmax) & (qy >= ymin) & (qy <= ymax)
        dens = _kernel_sum(
            qx.ravel(), qy.ravel(), self.x, self.y, self.weight, self.h, CUTOFF_SIGMAS
        )
        return np.where(inside, dens.reshape(qx.shape) / self.norm, 0.0)

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """n points drawn from u (kernel chosen ∝ weight, Gaussian offset; draws that fall
        outside the region are redrawn)."""
        xmin, xmax, ymin, ymax = self.region
        prob = self.weight / self.weight.sum()
        out_x, out_y = np.empty(0), np.empty(0)
        while out_x.size < n:
            k = rng.choice(self.x.size, size=2 * (n - out_x.size) + 16, p=prob)
            px = self.x[k] + self.h[k] * rng.standard_normal(k.size)
            py = self.y[k] + self.h[k] * rng.standard_normal(k.size)
            ok = (px >= xmin) & (px <= xmax) & (py >= ymin) & (py <= ymax)
            out_x, out_y = np.concatenate([out_x, px[ok]]), np.concatenate([out_y, py[ok]])
        return out_x[:n], out_y[:n]

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON (kernel centres, weights, bandwidths, region)."""
        return {
            "x": self.x,
            "y": self.y,
            "weight": self.weight,
            "h": self.h,
            "region": list(self.region),
        }
