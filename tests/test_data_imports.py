"""The data layer has no import circle (issue 11) and imports nothing from the layers above it
(imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import seismoalice

PACKAGE = Path(seismoalice.__file__).parent
DATA = PACKAGE / "data"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("seismoalice")
        ):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("seismoalice"))
    return found


def test_data_modules_form_no_cycle_and_stay_below_the_other_layers() -> None:
    graph = {module_name(p): imports_of(p) for p in DATA.rglob("*.py")}
    outside = {
        (m, i)
        for m, deps in graph.items()
        for i in deps
        if not i.startswith("seismoalice.data")
        and i not in {"seismoalice", "seismoalice.errors", "seismoalice.io_utils"}
    }
    assert not outside  # data/ needs nothing from metrics, models, training, commands, ...
    edges = {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}
    # a package's __init__ re-exporting its own submodules is not a circle
    for m in edges:
        edges[m] = {d for d in edges[m] if not d.startswith(m + ".") and not m.startswith(d + ".")}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in edges[node]:
            assert state.get(nxt) != 1, f"import circle: {' -> '.join([*path, nxt])}"
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in edges:
        if node not in state:
            visit(node, [node])
