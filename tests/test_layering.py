"""Layer contracts of the package, read from the source with ``ast`` (no import executed).

- inference does not depend on training: ``seismoalice.generation``, ``seismoalice.models`` and
  ``seismoalice.baselines`` import nothing from ``seismoalice.training``;
- command modules are the CLI's: only ``seismoalice.cli`` imports ``seismoalice.commands.*``;
- no import cycle anywhere in the package. Every ``import`` statement counts, at module level or
  inside a function (a lazy import still ties the two modules together); ``from P import name``
  points at the submodule ``P.name`` when there is one, else at ``P``.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "seismoalice"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def imports_of(name: str, unresolved: set[str] | None = None) -> set[str]:
    """Package modules that module ``name`` imports (imports of package modules that do not
    exist are added to ``unresolved``)."""
    path = MODULES[name]
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: len(name.split(".")) - node.level + is_package]
                parent = ".".join([*base, *([node.module] if node.module else [])])
            else:
                parent = node.module or ""
            targets = [
                f"{parent}.{a.name}" if f"{parent}.{a.name}" in MODULES else parent
                for a in node.names
            ]
        else:
            continue
        out.update(t for t in targets if t in MODULES)
        if unresolved is not None:
            unresolved.update(t for t in targets if t.startswith(PACKAGE) and t not in MODULES)
    out.discard(name)
    return out


GRAPH = {name: imports_of(name) for name in MODULES}


def in_layer(module: str, layer: str) -> bool:
    return module == layer or module.startswith(layer + ".")


@pytest.mark.parametrize(
    "layer", ["seismoalice.generation", "seismoalice.models", "seismoalice.baselines"]
)
def test_inference_layers_import_nothing_from_training(layer):
    bad = {
        (m, t)
        for m, targets in GRAPH.items()
        if in_layer(m, layer)
        for t in targets
        if in_layer(t, "seismoalice.training")
    }
    assert not bad, sorted(bad)


def test_only_the_cli_imports_commands():
    bad = {
        (m, t)
        for m, targets in GRAPH.items()
        for t in targets
        if in_layer(t, "seismoalice.commands")
        and t != "seismoalice.commands"
        and m != "seismoalice.cli"
    }
    assert not bad, sorted(bad)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_known_cycle():
    """The checker itself: a → b → c → a is one cycle, d alone is none."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_graph_sees_known_imports():
    """The parser itself: a few imports that exist in the source."""
    assert "seismoalice.models.factory" in GRAPH["seismoalice.models.hybrid"]
    assert "seismoalice.checkpoint" in GRAPH["seismoalice.models.factory"]
    assert "seismoalice.training.stages" in GRAPH["seismoalice.training.loop"]


def test_every_package_import_resolves():
    """An import of a module that no longer exists would hide an edge from the checks above."""
    unresolved: set[str] = set()
    for name in MODULES:
        imports_of(name, unresolved)
    assert not unresolved, sorted(unresolved)


def test_no_import_cycle():
    assert cycles(GRAPH) == []
