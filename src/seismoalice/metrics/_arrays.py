"""Input validation and conversion shared by all ground-motion metrics.

Every metric accepts a NumPy array or a torch tensor of shape ``(T,)``, ``(C, T)`` or
``(N, C, T)`` (time on the last axis), validates it once here, computes in float64 NumPy, and
hands results back as the caller's type (a torch tensor in, a torch tensor out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from seismoalice.errors import DataError

#: Standard gravity [m/s²].
G = 9.80665


@dataclass(frozen=True)
class ArrayKind:
    """How a metric's input arrived, so results can be returned the same way."""

    torch_dtype: Any = None
    torch_device: Any = None

    def wrap(self, result: np.ndarray) -> Any:
        """Return ``result`` as a torch tensor on the input's device if the input was torch."""
        if self.torch_device is None:
            return result
        import torch

        dtype = self.torch_dtype if self.torch_dtype.is_floating_point else torch.float64
        return torch.from_numpy(np.ascontiguousarray(result)).to(
            device=self.torch_device, dtype=dtype
        )


def _is_torch(x: Any) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def as_signal(x: Any, name: str = "acc", max_ndim: int = 3) -> tuple[np.ndarray, ArrayKind]:
    """Validate a time series batch and return it as float64 NumPy plus its :class:`ArrayKind`.

    Args:
        x: array or tensor of shape ``(T,)``, ``(C, T)`` or ``(N, C, T)``.
        name: argument name used in error messages.
        max_ndim: largest accepted number of dimensions.

    Raises:
        DataError: wrong shape, empty time axis, non-numeric or non-finite samples (the message
            names the first offending record as its index tuple).
    """
    kind = ArrayKind()
    if _is_torch(x):
        kind = ArrayKind(torch_dtype=x.dtype, torch_device=x.device)
        x = x.detach().cpu().numpy()
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name}: cannot convert to an array ({exc})") from exc
    if arr.dtype.kind not in "biuf":
        raise DataError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    if not 1 <= arr.ndim <= max_ndim:
        raise DataError(
            f"{name}: expected shape (T,), (C, T) or (N, C, T) with time last; got {arr.shape}"
        )
    if arr.shape[-1] == 0 or arr.size == 0:
        raise DataError(f"{name}: empty signal, shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    finite = np.isfinite(arr)
    if not finite.all():
        bad = np.argwhere(~finite)[0]
        record = tuple(int(i) for i in bad[:-1])
        raise DataError(
            f"{name}: non-finite sample (NaN or inf) in record {record} at time index {bad[-1]}"
        )
    return arr, kind


def as_records(x: Any, name: str = "acc", min_components: int = 1) -> tuple[np.ndarray, bool]:
    """Validate multi-component records ``(N, C, T)`` or one record ``(C, T)``.

    Returns:
        ``(records (N, C, T) float64, single)``, ``single`` True for ``(C, T)`` input (then
        ``N = 1``: callers drop that axis from their results).

    Raises:
        DataError: as :func:`as_signal`, or not 2-D/3-D, or fewer than ``min_components``.
    """
    arr, _ = as_signal(x, name)
    if arr.ndim < 2 or arr.shape[-2] < min_components:
        raise DataError(
            f"{name}: expected records (N, C, T) or (C, T) with C ≥ {min_components} "
            f"components, got {arr.shape}"
        )
    return (arr[None], True) if arr.ndim == 2 else (arr, False)


def check_dt(dt: float) -> float:
    """Return the time step as a float after checking that it is a finite positive number [s]."""
    try:
        value = float(dt)
    except (TypeError, ValueError) as exc:
        raise DataError(f"dt: expected a positive number of seconds, got {dt!r}") from exc
    if not math.isfinite(value) or value <= 0:
        raise DataError(f"dt: expected a positive number of seconds, got {dt!r}")
    return value


def check_pair(h1: np.ndarray, h2: np.ndarray, names: tuple[str, str] = ("h1", "h2")) -> None:
    """Raise :class:`DataError` unless two horizontal components have the same shape."""
    if h1.shape != h2.shape:
        raise DataError(
            f"{names[0]} and {names[1]} must have the same shape; got {h1.shape} and {h2.shape}"
        )


def as_positive_vector(values: Any, name: str, allow_zero: bool = False) -> np.ndarray:
    """Return a 1-D float64 array of finite positive values (e.g. periods [s], frequencies [Hz])."""
    arr = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if arr.ndim != 1 or arr.size == 0:
        raise DataError(f"{name}: expected a non-empty 1-D sequence, got shape {arr.shape}")
    low_ok = arr >= 0 if allow_zero else arr > 0
    if not (np.isfinite(arr).all() and low_ok.all()):
        bound = "non-negative" if allow_zero else "positive"
        raise DataError(f"{name}: expected finite {bound} values, got {arr}")
    return arr


def record_lengths(acc: np.ndarray) -> np.ndarray:
    """Samples up to and including each record's last non-zero sample, over its components.

    For records stacked with trailing zero padding (``(N, C, T)``, as the evaluation's readers
    return them), this recovers each record's own length; shape ``acc.shape[:-2]`` (``(N,)``).
    An all-zero record has length 0.
    """
    nonzero = np.any(acc != 0, axis=-2)
    last = acc.shape[-1] - np.argmax(nonzero[..., ::-1], axis=-1)
    return np.where(nonzero.any(axis=-1), last, 0)


def as_lengths(lengths: Any, lead_shape: tuple[int, ...], n_t: int) -> np.ndarray:
    """Validate record lengths [samples] for signals of leading shape ``lead_shape`` and ``n_t``
    samples: one per record (``(N,)``, the first leading axis) or one per trace
    (``lead_shape``); ``None`` means every trace is ``n_t`` long. Returns ``lead_shape`` ints.

    Raises:
        DataError: wrong shape, or a length outside ``1 … n_t``.
    """
    if lengths is None:
        return np.full(lead_shape, n_t, dtype=np.int64)
    arr = np.asarray(lengths)
    if arr.dtype.kind not in "iuf" or not np.all(arr == np.round(arr)):
        raise DataError(f"lengths: expected whole numbers of samples, got {lengths!r}")
    arr = arr.astype(np.int64)
    if lead_shape and arr.shape == lead_shape[:1]:
        arr = arr.reshape(arr.shape + (1,) * (len(lead_shape) - 1))
    try:
        arr = np.broadcast_to(arr, lead_shape).copy()
    except ValueError:
        raise DataError(
            f"lengths: expected shape {lead_shape[:1]} or {lead_shape}, got {arr.shape}"
        ) from None
    if arr.size and not (arr.min() >= 1 and arr.max() <= n_t):
        raise DataError(f"lengths: every length must lie in 1…{n_t} samples, got {arr.ravel()}")
    return arr


def length_groups(lengths: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """``[(L, indices)]``: the flat indices of ``lengths`` that equal each distinct length ``L``
    (records of one length are then processed as one batch)."""
    flat = lengths.ravel()
    return [(int(n), np.flatnonzero(flat == n)) for n in np.unique(flat)]


def as_component_mask(mask: Any, acc: np.ndarray) -> np.ndarray:
    """Boolean ``acc.shape[:-1]`` mask of the components to use: ``mask`` if given (validated;
    ``(C,)`` for a single record stored as ``(1, C, T)`` is accepted), and only where the
    component is not all zeros (a missing component is stored as zeros).

    Raises:
        DataError: ``mask`` has the wrong shape.
    """
    present = np.any(acc != 0, axis=-1)
    if mask is None:
        return present
    arr = np.asarray(mask, dtype=bool)
    if arr.size != present.size:
        raise DataError(f"mask: expected shape {present.shape}, got {arr.shape}")
    return arr.reshape(present.shape) & present
