"""The registry of waveform formats SeismoALICE reads: adding a format touches this module only.

Each :class:`WaveformFormat` names a format, says what it reads and how to turn paths into
records (:class:`~seismoalice.data.records.Record` or a counted
:class:`~seismoalice.data.records.Skip`). ``seismoalice data import <format>`` offers exactly
the names of :data:`FORMATS`; :func:`read_waveform_files` (used to read evaluation inputs)
picks a format per file by the formats' file-name rules, ObsPy's allow-listed formats for the
rest.

| name | what | units in the data set |
|---|---|---|
| ``at2`` | PEER NGA ``.AT2`` (g) | m/s² |
| ``esm`` | ESM/ITACA ASCII ``.ASC`` (DYNA 1.2) | m/s² |
| ``afad`` | AFAD TADAS ASCII ``.asc`` (DYNA 1.2) | m/s² |
| ``itaca`` | ITACA ``.cor.acc`` + ``.metadata`` | m/s² |
| ``knet`` | K-NET/KiK-net ASCII (surface and borehole apart) | m/s² |
| ``cosmos`` | CSMIP/COSMOS ``.V2`` | m/s² |
| ``obspy`` | every allow-listed ObsPy format (miniSEED, SAC, ...) | as given by ``units`` |
| ``stead`` | STEAD ``merged.hdf5`` + CSV | counts |
| ``seisbench`` | a SeisBench-format data set | as the source |
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from seismoalice.data.components import COMPONENTS, component_mask
from seismoalice.data.readers.assembly import Component, find_files, read_files
from seismoalice.data.readers.at2 import is_at2, read_at2_component
from seismoalice.data.readers.cosmos_v2 import is_v2, read_v2_components
from seismoalice.data.readers.esm import is_esm, read_esm_component
from seismoalice.data.readers.itaca import is_itaca, read_itaca_component
from seismoalice.data.readers.knet import is_knet, read_knet_component
from seismoalice.data.readers.obspy_files import data_format_for_units, read_obspy_records
from seismoalice.data.readers.seisbench import read_seisbench_records, seisbench_data_format
from seismoalice.data.readers.stead import STEAD_DATA_FORMAT, read_stead, select_stead
from seismoalice.data.readers.tables import load_record_table
from seismoalice.data.records import Record, Skip
from seismoalice.data.seisbench_format import WaveformDataset
from seismoalice.errors import DataError

ACCELERATION_FORMAT: dict[str, Any] = {
    "dimension_order": "CW",
    "component_order": "ZNE",
    "measurement": "acceleration",
    "unit": "mps2",
    "instrument_response": "restituted",
}
"""``data_format`` of the strong-motion formats (rates are per trace: they differ by record)."""


class ReadOptions(BaseModel):
    """Options of the readers; each format uses the ones its description names."""

    model_config = ConfigDict(extra="forbid")

    metadata: Path | None = Field(None, description="per-file table (text formats), STEAD CSV")
    units: str = Field("counts", description="obspy: units of the files")
    sampling_rate: float | None = Field(None, gt=0, description="obspy: common rate [Hz]")
    trace_category: str | None = Field("earthquake_local", description="STEAD category")
    min_magnitude: float | None = None
    max_distance_km: float | None = None
    n: int | None = Field(None, gt=0, description="STEAD: seeded sample of n traces")
    seed: int = 0


Reader = Callable[[list[Path], ReadOptions], Iterator[Record | Skip]]


@dataclass(frozen=True)
class WaveformFormat:
    """One readable format: ``read(paths, options)`` yields records; ``data_format(paths,
    options)`` is the SeisBench ``data_format`` of the data set they make. One-component-per-
    file text formats also give ``accepts(path)``, the file-name rule used when searching
    directories, and ``parse(path)``, the file's components (records are assembled from them
    by :func:`seismoalice.data.readers.assembly.read_files`)."""

    name: str
    description: str
    read: Reader
    data_format: Callable[[list[Path], ReadOptions], dict[str, Any]]
    accepts: Callable[[Path], bool] | None = None
    parse: Callable[[Path], list[Component]] | None = None


def _table(options: ReadOptions) -> dict[str, dict[str, Any]] | None:
    return load_record_table(options.metadata) if options.metadata is not None else None


def _text_format(
    name: str,
    description: str,
    parse: Callable[[Path], list[Component]],
    accepts: Callable[[Path], bool],
) -> WaveformFormat:
    return WaveformFormat(
        name,
        description,
        lambda paths, options: read_files(find_files(paths, accepts), parse, _table(options)),
        lambda paths, options: dict(ACCELERATION_FORMAT),
        accepts,
        parse,
    )


def _one(paths: list[Path], what: str) -> Path:
    if len(paths) != 1:
        raise DataError(f"{what} takes one path, got {len(paths)}")
    return paths[0]


def _read_stead(paths: list[Path], options: ReadOptions) -> Iterator[Record | Skip]:
    hdf5 = _one(paths, "stead (the merged .hdf5)")
    csv = options.metadata or hdf5.with_suffix(".csv")
    selection = select_stead(
        csv,
        options.trace_category or None,
        options.min_magnitude,
        options.max_distance_km,
        options.n,
        options.seed,
    )
    return read_stead(hdf5, selection)


FORMATS: dict[str, WaveformFormat] = {
    f.name: f
    for f in (
        _text_format("at2", "PEER NGA .AT2 files (g)", read_at2_component, is_at2),
        _text_format("esm", "ESM/ITACA ASCII .ASC files (DYNA 1.2)", read_esm_component, is_esm),
        _text_format(
            "afad", "AFAD TADAS ASCII .asc files (DYNA 1.2, as esm)", read_esm_component, is_esm
        ),
        _text_format(
            "itaca", "ITACA .cor.acc files with their .metadata", read_itaca_component, is_itaca
        ),
        _text_format("knet", "K-NET/KiK-net ASCII (.NS/.EW/.UD[12])", read_knet_component, is_knet),
        _text_format("cosmos", "CSMIP/COSMOS .V2 corrected records", read_v2_components, is_v2),
        WaveformFormat(
            "obspy",
            "files ObsPy reads (allow-listed formats: miniSEED, SAC, GSE2, SEG-Y, ...)",
            lambda paths, o: read_obspy_records(paths, o.sampling_rate),
            lambda paths, o: data_format_for_units(o.units, o.sampling_rate),
        ),
        WaveformFormat(
            "stead",
            "STEAD merged.hdf5 (+ merged.csv, or --metadata)",
            _read_stead,
            lambda paths, o: dict(STEAD_DATA_FORMAT),
        ),
        WaveformFormat(
            "seisbench",
            "a SeisBench-format data set (chunked or not)",
            lambda paths, o: read_seisbench_records(
                WaveformDataset(
                    _one(paths, "seisbench (a data set directory)"), require_finite=True
                )
            ),
            lambda paths, o: seisbench_data_format(WaveformDataset(_one(paths, "seisbench"))),
        ),
    )
}


def get_format(name: str) -> WaveformFormat:
    """The registered format ``name``.

    Raises:
        DataError: unknown name (the message lists the known ones).
    """
    if name not in FORMATS:
        raise DataError(f"unknown waveform format {name!r}; use one of {', '.join(FORMATS)}")
    return FORMATS[name]


def read_waveform_files(
    paths: Iterable[str | os.PathLike[str]], required: str = ""
) -> Iterator[Record | Skip]:
    """Records of files of any registered file format: each file goes to the first format
    whose file-name rule accepts it (AT2, ESM/AFAD, ITACA, K-NET, V2, in registry order), the
    others to the allow-listed ObsPy formats. Directories are searched recursively.

    Args:
        required: components every record must have (e.g. ``"ZNE"`` for a consumer that
            cannot mask missing ones); a record lacking one is a :class:`Skip`.
    """
    files = find_files(paths, lambda p: True)
    by_format: dict[str, list[Path]] = {}
    for path in files:
        name = next((f.name for f in FORMATS.values() if f.accepts and f.accepts(path)), "obspy")
        by_format.setdefault(name, []).append(path)
    for name, group in by_format.items():
        for item in FORMATS[name].read(group, ReadOptions()):
            missing = (
                ""
                if isinstance(item, Skip)
                else "".join(
                    c
                    for c, ok in zip(COMPONENTS, component_mask(item.metadata), strict=True)
                    if c in required and not ok
                )
            )
            yield Skip(item.name, f"missing component(s) {missing}") if missing else item
