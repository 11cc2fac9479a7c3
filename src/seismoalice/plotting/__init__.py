"""Shared matplotlib style for paper-quality figures (units on axes, log axes where they belong)."""

from seismoalice.plotting.style import (
    axis_label,
    new_figure,
    paper_style,
    save_figure,
    set_log_axes,
)

__all__ = ["axis_label", "new_figure", "paper_style", "save_figure", "set_log_axes"]
