"""Fixed-size windows of consecutive events, their features and normalisation.

Each window holds ``L`` consecutive events ``i .. i+L-1`` (``i ≥ 1``) and, per event, the features

- ``log10_dt``: log10 of the inter-event time τ_i = t_i − t_{i−1} [days], floored at ``tau_min``;
- ``dmag``: magnitude above completeness, m_i − Mc;
- ``x_rel``, ``y_rel`` (optional): epicentre minus the window centroid [km].

The first event's τ refers to the event just before the window, so a window carries its own
time scale. Concatenating the windows of a catalog (stride = L) and summing τ from the time of
the event before the first window restores the catalog exactly (:func:`events_from_windows`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from seismoalice.errors import DataError

if TYPE_CHECKING:
    from seismoalice.catalog.catalog import Catalog

TIME_FEATURES = ("log10_dt", "dmag")
LOCATION_FEATURES = ("x_rel", "y_rel")
LOG_DT, DMAG = 0, 1


def feature_names(use_location: bool) -> tuple[str, ...]:
    """Names of the per-event features, in order along the last axis."""
    return TIME_FEATURES + (LOCATION_FEATURES if use_location else ())


@dataclass(frozen=True)
class Windows:
    """Windows of one catalog segment.

    features: (W, L, F) physical units (see module docstring); start: (W,) index of each window's
    first event; t_prev: (W,) time of the event before each window [days]; centroid: (W, 2) [km]
    or None without locations.
    """

    features: np.ndarray
    start: np.ndarray
    t_prev: np.ndarray
    centroid: np.ndarray | None


def extract_windows(
    t_days: np.ndarray,
    mags: np.ndarray,
    xy: np.ndarray | None,
    mc: float,
    window: int,
    stride: int,
    tau_min: float,
) -> Windows:
    """Cut windows of ``window`` consecutive events every ``stride`` events.

    t_days: (N,) sorted event times [days]; mags: (N,); xy: (N, 2) [km] or None; events must all
    have m ≥ ``mc``. Windows start at event 1 (event 0 only provides the first τ).
    """
    t_days = np.asarray(t_days, dtype=np.float64)
    mags = np.asarray(mags, dtype=np.float64)
    n = t_days.size
    if np.any(np.diff(t_days) < 0):
        raise DataError("event times are not sorted")
    if np.any(mags < mc - 1e-9):
        raise DataError(f"magnitudes below Mc = {mc} must be removed before windowing")
    starts = np.arange(1, n - window + 1, stride)
    if starts.size == 0:
        raise DataError(f"{n} events are too few for one window of {window} events (+1)")
    idx = starts[:, None] + np.arange(window)[None, :]
    tau = np.maximum(t_days[idx] - t_days[idx - 1], tau_min)
    columns = [np.log10(tau), mags[idx] - mc]
    centroid = None
    if xy is not None:
        pts = np.asarray(xy, dtype=np.float64)[idx]
        centroid = pts.mean(axis=1)
        rel = pts - centroid[:, None, :]
        columns += [rel[..., 0], rel[..., 1]]
    return Windows(np.stack(columns, axis=-1), starts, t_days[starts - 1], centroid)


def events_from_windows(
    features: np.ndarray, mc: float, t_start: float, centroid: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Stitch windows in order into one event sequence (inverse of :func:`extract_windows`).

    features: (W, L, F) physical units; t_start: time before the first event [days];
    centroid: (W, 2) [km] added back to the relative locations. Returns times (W·L,) [days]
    (cumulative inter-event times), magnitudes (W·L,) = Mc + dmag, and xy (W·L, 2) or None.
    """
    flat = features.reshape(-1, features.shape[-1])
    t = t_start + np.cumsum(10.0 ** flat[:, LOG_DT])
    m = mc + flat[:, DMAG]
    xy = None
    if centroid is not None and features.shape[-1] >= 4:
        xy = (features[..., 2:4] + centroid[:, None, :]).reshape(-1, 2)
    return t, m, xy


@dataclass(frozen=True)
class Normaliser:
    """Per-feature affine normalisation x_n = (x − shift) / scale, fitted on the training split."""

    shift: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, features: np.ndarray) -> Normaliser:
        """Mean and standard deviation of each feature over all windows and events (W, L, F)."""
        flat = features.reshape(-1, features.shape[-1])
        scale = flat.std(axis=0)
        return cls(flat.mean(axis=0), np.where(scale > 0, scale, 1.0))

    def transform(self, features: np.ndarray) -> np.ndarray:
        return (features - self.shift) / self.scale

    def inverse(self, normalised: np.ndarray) -> np.ndarray:
        return normalised * self.scale + self.shift


def split_edges(
    t_days: np.ndarray, train_fraction: float, val_fraction: float, by: str = "time"
) -> tuple[float, float]:
    """Start times [days] of the validation and test periods of a chronological split.

    ``by="time"``: fractions of the time span; ``by="events"``: fractions of the event count
    (boundaries halfway between the events on either side), for catalogs whose rate changes a
    lot, such as a single aftershock sequence.
    """
    t_days = np.asarray(t_days, dtype=np.float64)
    fractions = np.array([train_fraction, train_fraction + val_fraction])
    if by == "events":
        k = np.clip(np.round(fractions * t_days.size).astype(np.int64), 1, t_days.size - 1)
        edges = 0.5 * (t_days[k - 1] + t_days[k])
    elif by == "time":
        edges = t_days[0] + (t_days[-1] - t_days[0]) * fractions
    else:
        raise ValueError(f"split by 'time' or 'events', not {by!r}")
    return float(edges[0]), float(edges[1])


def time_split(
    t_days: np.ndarray, train_fraction: float, val_fraction: float, by: str = "time"
) -> np.ndarray:
    """Segment labels by time: 0 train (the first ``train_fraction``), 1 validation, 2 test;
    fractions of the time span or of the event count (:func:`split_edges`).

    Windows are cut inside each segment separately, so no window shares events (or a τ) with
    another split.
    """
    edges = split_edges(t_days, train_fraction, val_fraction, by)
    return np.searchsorted(edges, np.asarray(t_days, np.float64), side="right").astype(np.int64)


def magnitude_bin_width(mags: np.ndarray, tol: float = 1e-6) -> float:
    """Bin width Δm of binned magnitudes (e.g. 0.01, 0.1), or 0.0 for continuous magnitudes."""
    values = np.unique(np.round(np.asarray(mags, dtype=np.float64), 9))
    if values.size < 2:
        return 0.0
    dm = float(np.round(np.diff(values).min(), 6))
    if dm < 1e-3:
        return 0.0
    k = (values - values[0]) / dm
    return dm if np.all(np.abs(k - np.round(k)) < tol / dm + 1e-6) else 0.0


def event_locations(catalog: Catalog) -> np.ndarray | None:
    """(N, 2) epicentres in km (:meth:`Catalog.xy_km`: x, y columns or a local projection of
    longitude/latitude), or None when the catalog has no usable locations (temporal ETAS)."""
    df = catalog.df
    has_xy = {"x", "y"} <= set(df.columns) and df[["x", "y"]].notna().all().all()
    has_lonlat = df[["longitude", "latitude"]].notna().all().all()
    if not (has_xy or has_lonlat) or len(df) == 0:
        return None
    xy = np.column_stack(catalog.xy_km())
    return xy if np.ptp(xy, axis=0).max() > 0 else None
