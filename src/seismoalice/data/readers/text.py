"""Helpers of the plain-text strong-motion readers: read a file as text lines (refusing binary
content), parse numbers with errors that name the file, and quote header lines briefly.

Every problem is a one-line :class:`~seismoalice.errors.DataError` that starts with the file
name: readers never let a ``ValueError`` from ``float`` or numpy escape.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from obspy import UTCDateTime

from seismoalice.errors import DataError

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][-+]?\d+)?"
"""A decimal or E/D-exponent number; numbers written without a separator (fixed-width columns
such as ``-1.37E-07-2.68E-07``) are still found one by one."""
_NUMBER = re.compile(NUMBER)
_TOKEN = re.compile(r"\S+")
MAX_QUOTE = 60
STANDARD_GRAVITY = 9.80665
"""g [m/s²]."""
_UNIT_SCALE = {
    **dict.fromkeys(("CM/S^2", "CM/S/S", "CM/S2", "CM/SEC2", "CM/SEC/SEC", "GAL"), 0.01),
    **dict.fromkeys(("M/S^2", "M/S/S", "M/S2", "M/SEC2", "M/SEC/SEC"), 1.0),
    "G": STANDARD_GRAVITY,
}
MAX_TEXT_BYTES = 512 * 2**20


def quote(text: str, limit: int = MAX_QUOTE) -> str:
    """``repr`` of ``text`` cut to ``limit`` characters, for one-line messages."""
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit] + "…")


def acceleration_scale(units: str, path: Path) -> float:
    """m/s² per unit of an acceleration unit as files write it (``cm/s^2``, ``cm/sec2``,
    ``gal``, ``m/s/s``, ``g``; case and spaces ignored).

    Raises:
        DataError: a unit that is not an acceleration unit, quoted.
    """
    key = units.upper().replace(" ", "").rstrip(".")
    if key not in _UNIT_SCALE:
        raise DataError(f"{path}: unknown acceleration units {quote(units)}")
    return _UNIT_SCALE[key]


def read_lines(path: Path, what: str) -> list[str]:
    """The lines of a text file (latin-1, any of LF, CR LF, CR CR LF, CR line ends).

    Raises:
        DataError: unreadable, empty, over 512 MiB, or binary content (a NUL byte or more than
            1 % control characters in the first 64 kB), named as ``what`` in the message.
    """
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise DataError(f"{path}: {size} bytes is too large for a {what} text file")
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read {what} file ({exc.strerror or exc})") from None
    if not raw.strip():
        raise DataError(f"{path}: empty {what} file")
    head = raw[:65536]
    control = sum(head.count(bytes([b])) for b in (*range(0, 9), 11, 12, *range(14, 32)))
    if b"\x00" in head or control > 0.01 * len(head):
        raise DataError(f"{path}: binary content, not a {what} text file")
    text = raw.decode("latin-1")
    text = text.replace("\r", "") if "\n" in text else text.replace("\r", "\n")
    return text.split("\n")


def parse_number(text: str, path: Path, what: str) -> float:
    """``float(text)`` (Fortran ``D`` exponents accepted) or a DataError naming ``what``."""
    try:
        return float(text.strip().replace("D", "E").replace("d", "e"))
    except ValueError:
        raise DataError(f"{path}: {what} {quote(text)} is not a number") from None


def parse_optional(text: str | None) -> float:
    """A header value as float, NaN when empty, missing or not a number (optional fields)."""
    if text is None:
        return np.nan
    try:
        value = float(text.strip().replace("D", "E").replace("d", "e"))
    except ValueError:
        return np.nan
    return value if np.isfinite(value) else np.nan


def parse_samples(lines: list[str], path: Path, glued: bool = False) -> np.ndarray:
    """Whitespace-separated samples of ``lines`` as float64.

    Args:
        glued: also split numbers written without a separator in fixed-width columns
            (``-1.37E-07-2.68E-07``); every token must still be a number.

    Raises:
        DataError: a token that is not a number, named with its line.
    """
    text = "\n".join(lines)
    if not glued:
        try:
            return np.array(text.split(), dtype=np.float64)
        except ValueError:
            pass
    values: list[float] = []
    for k, line in enumerate(lines):
        for token in _TOKEN.findall(line):
            numbers = _NUMBER.findall(token) if glued else [token]
            try:
                if not numbers or (glued and "".join(numbers) != token):
                    raise ValueError(token)
                values.extend(float(v.replace("D", "E").replace("d", "e")) for v in numbers)
            except ValueError:
                raise DataError(
                    f"{path}: sample {quote(token)} in data line {k + 1} is not a number"
                ) from None
    return np.array(values, dtype=np.float64)


_DATE_TIME = [
    re.compile(  # 2023/02/06 10:25:07.10, 2009-04-06 01:32:39, 2016/04/14 21:26
        r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})[ T_]+"
        r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{1,2}(?:\.\d*)?))?$"
    ),
    re.compile(  # 20120529_065948.000, 20120529 070002
        r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})[ T_]*"
        r"(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2}(?:\.\d*)?)?$"
    ),
    re.compile(  # 12/11/1999 16:57:22.00000 (day first, AFAD)
        r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})[ T_]+"
        r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{1,2}(?:\.\d*)?))?$"
    ),
]


def parse_time(text: str | None, utc_offset_h: float = 0.0) -> UTCDateTime | None:
    """A header date-time as UTC, ``None`` when absent or not understood.

    Accepts ``yyyy-mm-dd HH:MM[:SS.s]`` (``-`` or ``/``), ``yyyymmdd_HHMMSS[.s]`` and
    ``dd/mm/yyyy HH:MM:SS[.s]`` (AFAD); ``utc_offset_h`` is the time zone of the text
    (K-NET: +9, JST).
    """
    if not text:
        return None
    for pattern in _DATE_TIME:
        match = pattern.match(text.strip())
        if match is None:
            continue
        g = match.groupdict()
        try:
            time = UTCDateTime(int(g["y"]), int(g["m"]), int(g["d"]), int(g["H"]), int(g["M"]))
        except (ValueError, TypeError):
            return None
        return time + float(g["S"] or 0.0) - 3600.0 * utc_offset_h
    return None
