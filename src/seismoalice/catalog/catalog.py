"""The :class:`Catalog` type: a time-sorted, validated pandas table of earthquakes, and its I/O.

Columns of :attr:`Catalog.df`: ``time`` (datetime64[ns, UTC]), ``latitude``, ``longitude`` (deg),
``depth`` (km), ``magnitude``; optional ``x``, ``y`` (projected km), and for simulated catalogs
``parent`` (−1 background, row index of the parent, −2 when the parent is not in the catalog:
burn-in period or outside the region) and ``generation`` (0 background, ≥ 1 triggered).

CSV files are written in the pyCSEP ``csep-csv`` layout (``lon,lat,M,time_string,depth,
catalog_id,event_id``; Savran et al. 2022) followed by the optional columns, which pyCSEP ignores.
Reading also accepts the native layout (``time,latitude,longitude,depth,magnitude[,x_km,y_km]``)
and the EarthquakeNPP layout (``index,time,longitude,latitude,magnitude,x,y``).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from seismoalice.errors import DataError
from seismoalice.io_utils import atomic_path

REQUIRED = ("time", "latitude", "longitude", "depth", "magnitude")
OPTIONAL = ("x", "y", "parent", "generation")
CSEP_COLUMNS = ("lon", "lat", "M", "time_string", "depth", "catalog_id", "event_id")
KM_PER_DEG = 111.195  # mean Earth radius 6371 km × π/180
#: largest |time| from_days accepts (days): datetime64[ns] spans ±292 years around 1970
MAX_SPAN_DAYS = 100_000.0
#: accepted value ranges (inclusive); beyond them a value is an error in the file, not an event
RANGES = {
    "magnitude": (-5.0, 10.5),
    "latitude": (-90.0, 90.0),
    "longitude": (-360.0, 360.0),
    "depth": (-20.0, 1.0e6),  # km, or m in catalogs that store metres (SeismoStats)
    "x": (-1.0e5, 1.0e5),
    "y": (-1.0e5, 1.0e5),
}


def parse_times(values: pd.Series | np.ndarray | list, source: str) -> pd.Series:
    """Parse ISO 8601 strings or datetimes to datetime64[ns, UTC]; DataError naming the row."""
    series = pd.Series(values)
    parsed = pd.to_datetime(series, utc=True, format="ISO8601", errors="coerce")
    bad = parsed.isna() & series.notna() | series.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{source}: row {row}: unparseable time {series.iloc[row]!r}")
    return parsed.astype("datetime64[ns, UTC]")


class Catalog:
    """An earthquake catalog sorted by time.

    Parameters
    ----------
    df : table with at least the columns ``time, latitude, longitude, depth, magnitude``
        (missing ``depth``/``latitude``/``longitude`` of a simulated catalog may be NaN, but the
        columns must exist). ``time`` may hold strings or datetimes; it is parsed to UTC.
    sort : sort unsorted times instead of raising a DataError.
    source : name of the file/record, used in error messages.
    """

    def __init__(self, df: pd.DataFrame, *, sort: bool = False, source: str = "catalog") -> None:
        missing = [c for c in REQUIRED if c not in df.columns]
        if missing:
            raise DataError(f"{source}: missing column(s) {', '.join(missing)}")
        keep = [c for c in (*REQUIRED, *OPTIONAL) if c in df.columns]
        table = df[keep].copy().reset_index(drop=True)
        table["time"] = parse_times(table["time"], source)
        for col in ("latitude", "longitude", "depth", "magnitude", "x", "y"):
            if col in table.columns:
                table[col] = pd.to_numeric(table[col], errors="coerce").astype(float)
                _check_range(table[col].to_numpy(), col, source)
        nan_mag = np.flatnonzero(table["magnitude"].isna().to_numpy())
        if nan_mag.size:
            raise DataError(f"{source}: row {int(nan_mag[0])}: magnitude is NaN or not a number")
        #: what the constructor changed in the input, one line each (also issued as warnings)
        self.notes: list[str] = []
        table = self._checked_branching(table, source)
        order = table["time"].to_numpy()
        if np.any(order[1:] < order[:-1]):
            if not sort:
                row = int(np.flatnonzero(order[1:] < order[:-1])[0]) + 1
                raise DataError(
                    f"{source}: times are not sorted (row {row} is earlier than row {row - 1}); "
                    "sort the catalog by time (command line: --sort)"
                )
            table = _sorted_by_time(table)
        table = self._without_duplicates(table, source)
        self.df = table
        self.source = source

    def _note(self, text: str) -> None:
        self.notes.append(text)
        warnings.warn(text, CatalogWarning, stacklevel=3)

    def _checked_branching(self, table: pd.DataFrame, source: str) -> pd.DataFrame:
        """Drop ``parent``/``generation`` (with a note) when ``parent`` does not index rows of
        this table: a subset of a simulated catalog keeps the original row numbers."""
        if "parent" not in table.columns:
            return table
        parent = pd.to_numeric(table["parent"], errors="coerce").to_numpy(float)
        rows = np.arange(len(table))
        valid = np.isin(parent, (-1, -2)) | (
            (parent >= 0) & (parent < len(table)) & (parent == np.round(parent))
        )
        if valid.all():
            table["parent"] = parent.astype(np.int64)
            ok_time = parent < 0
            idx = np.where(ok_time, 0, parent).astype(np.int64)
            times = table["time"].to_numpy()
            if np.all(ok_time | ((times[idx] <= times) & (idx != rows))):
                return table
        bad = int((~valid).sum())
        self._note(
            f"{source}: column 'parent' does not index the rows of this file "
            f"({bad} value(s) outside -2..{len(table) - 1} or pointing at a later event; "
            "a subset of a simulated catalog?): branching columns ignored"
        )
        return table.drop(columns=[c for c in ("parent", "generation") if c in table.columns])

    def _without_duplicates(self, table: pd.DataFrame, source: str) -> pd.DataFrame:
        """Drop exact duplicate events (same time, location, depth and magnitude), with a note."""
        dup = table.duplicated(subset=list(REQUIRED), keep="first").to_numpy()
        if not dup.any():
            return table
        rows = np.flatnonzero(dup)
        shown = ", ".join(str(r) for r in rows[:5]) + (", …" if rows.size > 5 else "")
        self._note(
            f"{source}: dropped {rows.size} duplicate event(s) (same time, location, depth "
            f"and magnitude as an earlier row; rows {shown} after sorting)"
        )
        kept = _select_rows(table, ~dup)
        return kept

    def __len__(self) -> int:
        return len(self.df)

    def __repr__(self) -> str:
        if not len(self):
            return "Catalog(0 events)"
        t = self.df["time"]
        m = self.df["magnitude"]
        return (
            f"Catalog({len(self)} events, {t.iloc[0]} – {t.iloc[-1]}, "
            f"M {m.min():.2f}–{m.max():.2f})"
        )

    @property
    def magnitudes(self) -> np.ndarray:
        """Magnitudes, shape (N,)."""
        return self.df["magnitude"].to_numpy(dtype=float)

    def times_days(self, t0: str | pd.Timestamp | None = None) -> np.ndarray:
        """Event times in float days since ``t0`` (default: the first event), shape (N,)."""
        if t0 is None:
            origin = self.df["time"].iloc[0] if len(self) else pd.Timestamp(0, tz="UTC")
        else:
            origin = pd.Timestamp(t0)
            origin = origin.tz_localize("UTC") if origin.tzinfo is None else origin
        delta = (self.df["time"] - origin).to_numpy().astype("timedelta64[ns]").astype(np.int64)
        return delta / 86_400e9

    def xy_km(self) -> tuple[np.ndarray, np.ndarray]:
        """Projected coordinates (x, y) in km, each shape (N,).

        The ``x``/``y`` columns when present; otherwise a local equirectangular projection of
        longitude/latitude about their mean (adequate for regions of a few hundred km).
        """
        if "x" in self.df.columns and "y" in self.df.columns:
            return self.df["x"].to_numpy(float), self.df["y"].to_numpy(float)
        lat = self.df["latitude"].to_numpy(float)
        lon = self.df["longitude"].to_numpy(float)
        if np.isnan(lat).any() or np.isnan(lon).any():
            raise DataError(f"{self.source}: events without x/y need latitude and longitude")
        lat0, lon0 = lat.mean(), lon.mean()
        x = (lon - lon0) * KM_PER_DEG * np.cos(np.deg2rad(lat0))
        return x, (lat - lat0) * KM_PER_DEG

    def select(self, mask: np.ndarray) -> Catalog:
        """Sub-catalog of the rows where ``mask`` is true; ``parent`` indices are remapped
        (−2 where the parent was not selected)."""
        return Catalog(_select_rows(self.df, np.asarray(mask, bool)), source=self.source)

    @classmethod
    def from_days(
        cls,
        t_days: np.ndarray,
        magnitudes: np.ndarray,
        origin: str | pd.Timestamp = "2000-01-01T00:00:00Z",
        **columns: np.ndarray,
    ) -> Catalog:
        """Build a catalog from float days since ``origin`` (sorted) and extra columns.

        Missing ``latitude``/``longitude``/``depth`` are filled with NaN.
        """
        n = len(t_days)
        start = pd.Timestamp(origin)
        start = start.tz_localize("UTC") if start.tzinfo is None else start
        days = np.asarray(t_days, float)
        bad = np.flatnonzero(~np.isfinite(days) | (np.abs(days) > MAX_SPAN_DAYS))
        if bad.size:
            raise DataError(
                f"simulated catalog: event {int(bad[0])}: time {days[bad[0]]!r} days after "
                f"{start} is not finite or beyond ±{MAX_SPAN_DAYS:g} days"
            )
        ns = np.round(days * 86_400e9).astype("timedelta64[ns]")
        data: dict[str, object] = {"time": start + pd.to_timedelta(ns)}
        for col in ("latitude", "longitude", "depth"):
            data[col] = columns.pop(col, np.full(n, np.nan))
        data["magnitude"] = np.asarray(magnitudes, float)
        data.update(columns)
        return cls(pd.DataFrame(data), source="simulated catalog")

    @classmethod
    def read_csv(cls, path: str | os.PathLike[str], *, sort: bool = False) -> Catalog:
        """Read a pyCSEP ``csep-csv``, native or EarthquakeNPP CSV catalog (see module doc)."""
        path = Path(path)
        if not path.is_file():
            raise DataError(f"{path}: catalog file not found")
        try:
            raw = pd.read_csv(path, dtype={"time_string": str, "time": str})
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise DataError(f"{path}: not a readable CSV catalog ({_first_line(exc)})") from None
        cols = set(raw.columns)
        if {"lon", "lat", "M", "time_string"} <= cols:
            raw = raw.rename(
                columns={
                    "lon": "longitude",
                    "lat": "latitude",
                    "M": "magnitude",
                    "time_string": "time",
                }
            )
        elif "time" not in cols:
            raise DataError(
                f"{path}: no 'time' or 'time_string' column; expected the pyCSEP layout "
                f"({','.join(CSEP_COLUMNS)}) or time,latitude,longitude,depth,magnitude"
            )
        raw = raw.rename(columns={"x_km": "x", "y_km": "y", "mag": "magnitude"})
        if "depth" not in raw.columns and {"latitude", "longitude", "magnitude"} <= set(
            raw.columns
        ):
            raw["depth"] = np.nan  # EarthquakeNPP layout has no depth
        return cls(raw, sort=sort, source=str(path))

    def to_csv(self, path: str | os.PathLike[str], catalog_id: int = -1) -> None:
        """Write the pyCSEP ``csep-csv`` layout plus the optional columns, atomically."""
        df = self.df
        out = pd.DataFrame(
            {
                "lon": df["longitude"],
                "lat": df["latitude"],
                "M": df["magnitude"],
                "time_string": df["time"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f"),
                "depth": df["depth"],
                "catalog_id": catalog_id,
                "event_id": np.arange(len(df)),
            }
        )
        for col in OPTIONAL:
            if col in df.columns:
                out[col] = df[col].to_numpy()
        with atomic_path(path) as tmp:
            out.to_csv(tmp, index=False, float_format="%.6f")

    @classmethod
    def read_quakeml(cls, path: str | os.PathLike[str], *, sort: bool = True) -> Catalog:
        """Read QuakeML through ObsPy (preferred origin and magnitude of each event; km depth)."""
        from obspy import read_events

        try:
            events = read_events(str(path), format="QUAKEML")
        except Exception as exc:  # ObsPy raises many types for malformed XML
            raise DataError(f"{path}: not a readable QuakeML file ({_first_line(exc)})") from None
        rows = []
        for k, ev in enumerate(events):
            try:
                rows.append(_quakeml_row(ev))
            except (AttributeError, TypeError, ValueError) as exc:
                raise DataError(f"{path}: event {k}: {_first_line(exc)}") from None
        return cls(pd.DataFrame(rows, columns=list(REQUIRED)), sort=sort, source=str(path))

    def to_quakeml(self, path: str | os.PathLike[str], magnitude_type: str = "M") -> None:
        """Write QuakeML through ObsPy, atomically (depth in m as QuakeML requires)."""
        from obspy import UTCDateTime
        from obspy.core.event import Catalog as ObsCatalog
        from obspy.core.event import Event, Magnitude, Origin

        events = []
        for row in self.df.itertuples(index=False):
            origin = Origin(
                time=UTCDateTime(row.time.to_pydatetime()),
                latitude=None if np.isnan(row.latitude) else float(row.latitude),
                longitude=None if np.isnan(row.longitude) else float(row.longitude),
                depth=None if np.isnan(row.depth) else float(row.depth) * 1000.0,
            )
            magnitude = Magnitude(
                mag=float(row.magnitude),
                magnitude_type=magnitude_type,
                origin_id=origin.resource_id,
            )
            event = Event(origins=[origin], magnitudes=[magnitude])
            event.preferred_origin_id = origin.resource_id
            event.preferred_magnitude_id = magnitude.resource_id
            events.append(event)
        with atomic_path(path) as tmp:
            ObsCatalog(events=events).write(str(tmp), format="QUAKEML")


def _sorted_by_time(table: pd.DataFrame) -> pd.DataFrame:
    """Stable sort by time, remapping ``parent`` row indices to the new order."""
    order = np.argsort(table["time"].to_numpy(), kind="stable")
    out = table.iloc[order].reset_index(drop=True)
    if "parent" in out.columns:
        new_pos = np.empty(len(order), dtype=np.int64)
        new_pos[order] = np.arange(len(order))
        parent = out["parent"].to_numpy(np.int64)
        out["parent"] = np.where(parent >= 0, new_pos[np.clip(parent, 0, None)], parent)
    return out


class CatalogWarning(UserWarning):
    """Something in a catalog was dropped or ignored; the text says what and how many."""


def _first_line(exc: Exception) -> str:
    """First line of an exception's message (its type name when empty)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _quakeml_row(event) -> dict[str, object]:
    """time, latitude, longitude, depth [km], magnitude of an ObsPy event's preferred (or first)
    origin and magnitude; ValueError when one is missing."""
    origin = event.preferred_origin() or (event.origins[0] if event.origins else None)
    mag = event.preferred_magnitude() or (event.magnitudes[0] if event.magnitudes else None)
    if origin is None or mag is None or origin.time is None or mag.mag is None:
        raise ValueError("no origin time or no magnitude")
    return {
        "time": origin.time.datetime.isoformat(),
        "latitude": origin.latitude,
        "longitude": origin.longitude,
        "depth": np.nan if origin.depth is None else origin.depth / 1000.0,
        "magnitude": mag.mag,
    }


def _check_range(values: np.ndarray, column: str, source: str) -> None:
    """DataError naming the first row whose value is ±inf or outside :data:`RANGES`."""
    lo, hi = RANGES[column]
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(np.isinf(values) | (values < lo) | (values > hi))
    if bad.size:
        row = int(bad[0])
        raise DataError(
            f"{source}: row {row}: {column} {values[row]!r} is outside the accepted range "
            f"[{lo:g}, {hi:g}]"
        )


def _select_rows(table: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """Rows where ``keep`` is true, ``parent`` remapped to the new row numbers (−2 when the
    parent was not kept)."""
    df = table.loc[keep].copy().reset_index(drop=True)
    if "parent" in df.columns:
        new_pos = np.full(len(table), -2, dtype=np.int64)
        new_pos[keep] = np.arange(int(keep.sum()))
        parent = df["parent"].to_numpy(np.int64)
        df["parent"] = np.where(parent >= 0, new_pos[np.clip(parent, 0, None)], parent)
    return df
