"""How the fixtures in this folder were made from the shared strong-motion set (kept for the
record; the tests do not run it).

    python tests/data/strongmotion/trim_fixtures.py <shared data folder>/strongmotion_3c

Each selected file is copied with its header untouched except the sample count, and its data
cut after the samples that hold every component's PGA and largest sample-to-sample jump
(+ 2 s); the components of a record keep their length differences. records.csv gets the
matching rows of the shared records.csv with ``npts`` set to the kept count and, for K-NET/KiK-
net (whose PGA is taken after removing the record's mean), ``pga`` recomputed with numpy from
the kept counts. The truncated ESM file (CIT.MRN) keeps its header's NDATA, as in the source.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
SELECTION = {  # record_id -> layout: (values per line, field width; 0 = whitespace tokens)
    "PEER_RSN1": (5, 15),
    "PEER_RSN730": (5, 15),
    "ESM_IT.AQK_20090406013240": (1, 0),
    "ESM_CIT.MRN_20120529070002": (1, 0),
    "AFAD_20230206102447_4409": (1, 0),
    "ITACA_LAQ2009_16833": (5, 14),
    "KIKNET_KMMH16_1604160146_borehole": (8, 9),
    "KIKNET_KMMH16_1604160146_surface": (8, 9),
    "KNET_KNG001_2408091957": (8, 9),
    "CSMIP_89486_20221220": (8, 10),
}
ONLY_FILES = {"ESM_CIT.MRN_20120529070002": ("HNE",)}  # a single-component record
MARGIN_S = 2.0


def data_start(lines: list[str], fmt: str) -> int:
    """Index of the first data line of a file."""
    if fmt == "PEER_AT2":
        return 4
    if fmt in ("KIKNET_ASCII", "KNET_ASCII"):
        return 17
    if fmt == "SMTK_CORACC":
        return next(i for i, line in enumerate(lines) if "time series in" in line) + 1
    if fmt in ("ESM_ASCII", "AFAD_ASCII"):
        number = re.compile(r"^\s*[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?\s*$")
        return next(i for i, line in enumerate(lines) if number.match(line))
    raise ValueError(fmt)


def values(lines: list[str], per_line: int, width: int) -> np.ndarray:
    """Numbers of fixed-width (or whitespace-separated, ``width`` 0) data lines."""
    if width == 0:
        return np.array(" ".join(lines).split(), dtype=float)
    fields = [line[i * width : (i + 1) * width] for line in lines for i in range(per_line)]
    return np.array([f for f in fields if f.strip()], dtype=float)


def cut(lines: list[str], n: int, per_line: int, width: int) -> list[str]:
    """The data lines holding the first ``n`` values."""
    full, rest = divmod(n, per_line)
    kept = lines[:full]
    if rest:
        line = lines[full]
        kept.append(line[: rest * width] if width else " ".join(line.split()[:rest]))
    return kept


def keep_count(parts: list[np.ndarray], dt: float) -> int:
    """Samples to keep of the shortest component: past every PGA and largest jump + margin."""
    last = max(max(np.argmax(np.abs(x)), np.argmax(np.abs(np.diff(x))) + 1) for x in parts)
    n = last + 1 + round(MARGIN_S / dt)
    return int(min(-(-n // 100) * 100, min(x.size for x in parts)))


def set_count(header: list[str], keep: int, change_ndata: bool) -> list[str]:
    """Header lines with the sample count (NPTS, NDATA, Number of Data, K-NET duration) set."""
    rules = [
        (r"(NPTS=\s*)\d+", rf"\g<1>{keep}"),
        (r"^(Number of Data\s+: )\d+", rf"\g<1>{keep}"),
        (r"^(Duration Time\(s\)\s+)\d+", rf"\g<1>{keep // 100}"),
    ]
    if change_ndata:
        rules.append((r"^(NDATA: )\d+", rf"\g<1>{keep}"))
    for pattern, replacement in rules:
        header = [re.sub(pattern, replacement, h) for h in header]
    return header


def trim_v2(text: str, n: int) -> str:
    """Every section of every channel of a V2 file cut to ``n`` points (8 per line)."""
    out: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        section = re.match(r"^(\s*)(\d+)( points of (accel|veloc|displ) data.*)$", line)
        head = re.match(r"^(\s*)(\d+)( points of instrument.*)$", line)
        if head:
            line = f"{head.group(1)}{n:{len(head.group(2))}d}{head.group(3)}"
        if not section:
            out.append(line)
            i += 1
            continue
        total = int(section.group(2))
        out.append(f"{section.group(1)}{n:{len(section.group(2))}d}{section.group(3)}")
        n_lines = -(-total // 8)
        out.extend(cut(lines[i + 1 : i + 1 + n_lines], n, 8, 10))
        i += 1 + n_lines
    return "\n".join(out)


def main(shared_3c: Path) -> None:
    table = pd.read_csv(shared_3c / "records.csv")
    rows = []
    for record_id, (per_line, width) in SELECTION.items():
        group = table[table.record_id == record_id]
        if record_id in ONLY_FILES:
            group = group[group.component.isin(ONLY_FILES[record_id])]
        source = [shared_3c / f for f in dict.fromkeys(group.file)]
        fmt = group.format.iloc[0]
        if fmt == "CSMIP_V2":
            text = source[0].read_bytes().decode("latin-1").replace("\r", "")
            body = text.split("\n")
            accel = []
            for k, line in enumerate(body):
                section = re.match(r"\s*(\d+) points of accel data", line)
                if section:
                    total = int(section.group(1))
                    accel.append(values(body[k + 1 : k + 1 - (-total // 8)], 8, 10))
            n = keep_count(accel, float(group.dt_s.iloc[0]))
            (HERE / source[0].name).write_bytes(trim_v2(text, n).encode("latin-1"))
            rows.append(group.assign(npts=n, file=source[0].name))
            continue
        texts = {p: p.read_bytes().decode("latin-1") for p in source}
        split = {p: t.split("\n") for p, t in texts.items()}
        starts = {p: data_start(split[p], fmt) for p in source}
        data = {p: values(split[p][starts[p] :], per_line, width) for p in source}
        n = keep_count(list(data.values()), float(group.dt_s.iloc[0]))
        shortest = min(x.size for x in data.values())
        for row in group.itertuples():
            path = shared_3c / row.file
            keep = data[path].size - (shortest - n)
            lines = split[path]
            header = lines[: starts[path]]
            header = set_count(header, keep, record_id not in ONLY_FILES)
            body = cut(lines[starts[path] :], keep, per_line, width)
            (HERE / path.name).write_bytes("\n".join([*header, *body, ""]).encode("latin-1"))
            if path.with_name(f"{path.name.split('_')[0]}.metadata").is_file():
                shutil.copy(path.with_name(f"{path.name.split('_')[0]}.metadata"), HERE)
            updated: dict[str, object] = {"npts": keep, "file": path.name}
            if fmt in ("KIKNET_ASCII", "KNET_ASCII"):
                scale = re.search(r"([\d.]+)\(gal\)/([\d.]+)", texts[path])
                counts = data[path][:keep]
                gal = (counts - counts.mean()) * float(scale.group(1)) / float(scale.group(2))
                updated["pga"] = float(np.abs(gal).max())
            rows.append(pd.DataFrame([row._asdict()]).drop(columns="Index").assign(**updated))
    pd.concat(rows, ignore_index=True).to_csv(HERE / "records.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
