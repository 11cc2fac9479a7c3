"""Exceptions raised for bad user input: each names the file/record and the problem."""


class SeismoAliceError(Exception):
    """Base class of every error SeismoALICE raises on purpose."""


class DataError(SeismoAliceError, ValueError):
    """A data file, record or array is missing, corrupt or of the wrong shape/content."""


class ConfigError(SeismoAliceError, ValueError):
    """A configuration file or value is invalid."""


class CheckpointError(SeismoAliceError, ValueError):
    """A checkpoint is missing, corrupt, or built for another architecture/preprocessing."""
