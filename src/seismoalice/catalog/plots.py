"""Paper-style catalog plots (PNG, written atomically): magnitude–frequency, cumulative count,
magnitude–time. matplotlib is imported inside the functions (Agg backend)."""

from __future__ import annotations

import os

import numpy as np

from seismoalice.catalog.catalog import Catalog
from seismoalice.catalog.stats import frequency_magnitude
from seismoalice.io_utils import atomic_path


def _figure(width: float = 6.0, height: float = 4.0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), constrained_layout=True)
    return plt, fig, ax


def _save(plt, fig, path: str | os.PathLike[str]) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=150, format="png")
    plt.close(fig)


def plot_magnitude_frequency(
    catalog: Catalog,
    path: str | os.PathLike[str],
    dm: float = 0.1,
    mc: float | None = None,
    b: float | None = None,
) -> None:
    """Cumulative N(≥ m) and incremental counts per bin of width ``dm`` (log y), with Mc and the
    Gutenberg–Richter line of slope −b through N(≥ Mc) when given."""
    centres, counts, cumulative = frequency_magnitude(catalog.magnitudes, dm)
    plt, fig, ax = _figure()
    ax.semilogy(centres, cumulative, "o", ms=3, color="k", label="cumulative N(≥ M)")
    ax.semilogy(
        centres,
        np.where(counts > 0, counts, np.nan),
        "s",
        ms=3,
        mfc="none",
        color="C0",
        label=f"incremental (ΔM = {dm:g})",
    )
    if mc is not None:
        ax.axvline(mc, color="C3", ls="--", lw=1, label=f"Mc = {mc:.2f}")
        if b is not None:
            n_mc = cumulative[np.argmin(np.abs(centres - mc))]
            m = np.linspace(mc, centres.max(), 50)
            ax.semilogy(
                m,
                n_mc * 10 ** (-b * (m - mc)),
                color="C3",
                lw=1.2,
                label=f"Gutenberg–Richter, b = {b:.2f}",
            )
    ax.set_xlabel("Magnitude")
    ax.set_ylabel("Number of events")
    ax.set_title("Magnitude–frequency distribution")
    ax.legend(frameon=False)
    _save(plt, fig, path)


def plot_cumulative_count(catalog: Catalog, path: str | os.PathLike[str]) -> None:
    """Cumulative number of events against time (UTC)."""
    plt, fig, ax = _figure()
    times = catalog.df["time"].dt.tz_localize(None)
    ax.step(
        times,
        np.arange(1, len(catalog) + 1),
        where="post",
        color="k",
        lw=1,
        label=f"{len(catalog)} events, M ≥ {catalog.magnitudes.min():.2f}",
    )
    ax.set_xlabel("Time (UTC)")
    ax.set_ylabel("Cumulative number of events")
    ax.set_title("Cumulative count")
    ax.legend(frameon=False, loc="upper left")
    _save(plt, fig, path)


def plot_magnitude_time(catalog: Catalog, path: str | os.PathLike[str]) -> None:
    """Magnitude of each event against time (UTC), marker size growing with magnitude."""
    plt, fig, ax = _figure(7.0, 3.5)
    mags = catalog.magnitudes
    times = catalog.df["time"].dt.tz_localize(None)
    size = 2 + 4.0 ** (mags - mags.min())
    ax.scatter(times, mags, s=np.minimum(size, 200), c="k", alpha=0.4, lw=0, label="events")
    ax.set_xlabel("Time (UTC)")
    ax.set_ylabel("Magnitude")
    ax.set_title("Magnitude–time")
    ax.legend(frameon=False, loc="upper left")
    _save(plt, fig, path)
