"""The house rules that code review would otherwise have to catch: subpackages import only the layers below
them, no two modules import each other (directly or round a longer circle), modules stay small, nothing in
the library imports the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KG = Path(__file__).resolve().parent.parent / "kg"

#: The pipeline, lowest first. A subpackage may import its own modules, those of lower layers, and those
#: of other subpackages in its own layer (never round a circle, checked below).
LAYERS: dict[str, int] = {
    "core": 0,
    "curation": 1,
    "graphs": 2,
    "paths": 3,
    "sparql": 3,
    "views": 4,
    "export": 4,
    "store": 4,
    "web": 5,
    "cli": 6,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in KG.rglob("*.py"):
        rel = path.relative_to(KG.parent).with_suffix("")
        name = ".".join(rel.parts)
        if name.endswith(".__init__"):
            name = name[: -len(".__init__")]
        out[name] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """The kg modules a file imports anywhere (module level, inside functions, under TYPE_CHECKING);
    ``from kg.x import y`` counts as importing ``kg.x.y`` when that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES]
            found.update(subs or [node.module])
    return {m for m in found if m == "kg" or m.startswith("kg.")}


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def test_every_module_lives_in_a_layer():
    loose = [m for m in MODULES if m not in ("kg", "kg.__main__") and _package(m) not in LAYERS]
    assert not loose, f"modules outside the layered subpackages: {loose}"


def test_the_subpackages_are_the_pipeline():
    assert {_package(m) for m in MODULES} - {None, "__main__"} == set(LAYERS)


def test_library_never_imports_the_cli():
    for name, imports in GRAPH.items():
        if name.startswith("kg.cli") or name == "kg.__main__":  # the entry points themselves
            continue
        bad = [m for m in imports if m.startswith("kg.cli")]
        assert not bad, f"{name} imports {bad}"


def test_imports_flow_downward():
    bad = []
    for name, imports in GRAPH.items():
        pkg = _package(name)
        if pkg not in LAYERS:
            continue
        for imp in imports:
            other = _package(imp)
            if other is None:
                bad.append(f"{name} imports the top-level package {imp}")
            elif other in LAYERS and LAYERS[other] > LAYERS[pkg]:
                bad.append(f"{name} (layer {pkg}) imports {imp} (layer {other})")
    assert not bad, "\n".join(bad)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_circle_between_modules():
    assert _cycles(GRAPH) == []


def test_no_import_circle_between_subpackages():
    packages: dict[str, set[str]] = {}
    for name, imports in GRAPH.items():
        pkg = _package(name)
        if pkg in LAYERS:
            packages.setdefault(pkg, set()).update(
                p for p in (_package(i) for i in imports) if p in LAYERS and p != pkg)
    assert _cycles(packages) == []


def test_the_cycle_check_finds_a_planted_circle():
    planted = {"kg.a.x": {"kg.b.y"}, "kg.b.y": {"kg.c.z"}, "kg.c.z": {"kg.a.x"}, "kg.d": set()}
    assert _cycles(planted) == [["kg.a.x", "kg.b.y", "kg.c.z"]]


@pytest.mark.parametrize("name", ["kg.core.vocab", "kg.core.model", "kg.core.render", "kg.core.files",
                                  "kg.curation.tables", "kg.curation.lookup", "kg.curation.read",
                                  "kg.graphs.cards", "kg.cli.main", "kg.cli.common"])
def test_cheap_modules_have_no_heavy_imports_at_module_level(name: str):
    heavy = {"rdflib", "networkx", "pyvis", "pyoxigraph", "pandas", "numpy", "curies", "IPython"}
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for m in mods:
                assert (m or "").split(".")[0] not in heavy, f"{name} imports {m} at module level"


def test_core_imports_no_other_subpackage():
    for name, imports in GRAPH.items():
        if _package(name) == "core":
            assert all(_package(i) == "core" for i in imports), f"{name} imports {imports}"


def test_modules_stay_small():
    for name, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 500, f"{name} has {lines} lines; split it"
