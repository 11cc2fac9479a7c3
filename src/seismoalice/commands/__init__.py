"""Command-line commands; see :mod:`seismoalice.cli` for how modules here are registered."""
