"""Paper-like matplotlib style shared by every SeismoALICE figure.

Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot, no GUI backend), in
column (3.5 in) or page (7.2 in) widths, with serif 8-pt text, inward ticks on all sides, and
axis labels that carry their units (``axis_label("Frequency", "Hz")`` → ``"Frequency [Hz]"``).
Spectra and distances go on log axes (:func:`set_log_axes`). Files are written atomically.

Usage::

    with paper_style():
        fig, ax = new_figure()
        ax.loglog(f, fas)
        ax.set_xlabel(axis_label("Frequency", "Hz"))
        save_figure(fig, "fas.png")
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from seismoalice.io_utils import atomic_path

COLUMN_WIDTH_IN = 3.5
PAGE_WIDTH_IN = 7.2

PAPER_RC: dict[str, Any] = {
    "font.family": "serif",
    "font.serif": ["DejaVu Serif"],
    "mathtext.fontset": "dejavuserif",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "axes.linewidth": 0.6,
    "lines.linewidth": 0.8,
    "lines.markersize": 3,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.top": True,
    "ytick.right": True,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.minor.visible": True,
    "ytick.minor.visible": True,
    "legend.frameon": False,
    "axes.grid": False,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    "figure.constrained_layout.use": True,
}


@contextlib.contextmanager
def paper_style() -> Iterator[None]:
    """Context in which matplotlib uses :data:`PAPER_RC`."""
    import matplotlib

    with matplotlib.rc_context(PAPER_RC):
        yield


def axis_label(quantity: str, unit: str | None = None) -> str:
    """Axis label with its unit in brackets, e.g. ``"Acceleration [m/s²]"``."""
    return f"{quantity} [{unit}]" if unit else quantity


def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    width: Literal["column", "page"] = "column",
    aspect: float = 0.75,
    **subplot_kw: Any,
) -> tuple[Any, Any]:
    """A figure of column or page width and height ``aspect·width·nrows/ncols``.

    Returns:
        ``(figure, axes)`` as from ``Figure.subplots`` (one axis or an array of axes).
    """
    from matplotlib.figure import Figure

    inches = COLUMN_WIDTH_IN if width == "column" else PAGE_WIDTH_IN
    fig = Figure(figsize=(inches, inches * aspect * nrows / ncols))
    axes = fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)
    return fig, axes


def set_log_axes(ax: Any, x: bool = True, y: bool = True) -> None:
    """Log scale on the chosen axes with a light grid on major and minor decades."""
    if x:
        ax.set_xscale("log")
    if y:
        ax.set_yscale("log")
    ax.grid(True, which="major", linewidth=0.3, alpha=0.5)
    ax.grid(True, which="minor", linewidth=0.2, alpha=0.25)


def save_figure(fig: Any, path: str | os.PathLike[str], dpi: int | None = None) -> Path:
    """Write ``fig`` atomically; the format follows the suffix (``.png``, ``.pdf``, ``.svg``)."""
    target = Path(path)
    fmt = target.suffix.lstrip(".").lower() or "png"
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi or PAPER_RC["savefig.dpi"])
    return target
