"""The house rules that code review would otherwise have to catch: imports flow one way, modules stay
small, nothing in the library imports the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

KG = Path(__file__).resolve().parent.parent / "kg"

# Lower layers never import higher ones. Modules not listed sit at layer 5 (features).
LAYERS = {
    "kg.vocab": 0,
    "kg.model": 1,
    "kg.tables": 2,
    "kg.lookup": 2,
    "kg.metagraph": 2,
    "kg.validate": 3,
    "kg.curation": 4,
    "kg.cards": 5,
    "kg.render": 5,
    "kg.graph": 5,
    "kg.rdf": 5,
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


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return {m for m in found if m == "kg" or m.startswith("kg.")}


def test_library_never_imports_the_cli():
    for name, path in _modules().items():
        if name.startswith("kg.cli") or name == "kg.__main__":  # the entry points themselves
            continue
        bad = [m for m in _imports(path) if m.startswith("kg.cli")]
        assert not bad, f"{name} imports {bad}"


def test_imports_flow_downward():
    for name, path in _modules().items():
        if name not in LAYERS:
            continue  # feature modules may use any library module (never the CLI, checked above)
        for imp in _imports(path) - {name, "kg"}:
            assert imp in LAYERS and LAYERS[imp] < LAYERS[name], (
                f"{name} (layer {LAYERS[name]}) imports {imp} (layer {LAYERS.get(imp, 'feature')})")


def test_core_modules_have_no_heavy_imports_at_module_level():
    heavy = {"rdflib", "networkx", "pyvis", "pyoxigraph", "pandas", "numpy", "curies", "IPython"}
    for name in ("kg.vocab", "kg.model", "kg.tables", "kg.lookup", "kg.curation", "kg.cards",
                 "kg.render", "kg.cli.main", "kg.cli.common"):
        path = _modules()[name]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                for m in mods:
                    assert (m or "").split(".")[0] not in heavy, f"{name} imports {m} at module level"


def test_modules_stay_small():
    for name, path in _modules().items():
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 600, f"{name} has {lines} lines; split it"
