"""Exporting a :class:`~kg.views.View` to the formats other tools read: one :func:`export` with a format
enum (like ``pyoxigraph.serialize``), the renderers split by family into ``kg/export_*.py``.

Every renderer returns text in memory; :func:`export` then writes all files of the format atomically, so
an error never leaves a partial file. Output is sorted and carries no timestamps: the same view always
gives the same bytes. Provenance (the source review, the selection that made the view, each statement's
citations) goes wherever the format can hold it.

>>> parse_format("ttl") is Format.TURTLE
True
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.model import Curie, CurieError
from kg.vocab import CATEGORIES, EVIDENCE_LEVELS, PREDICATES, REVIEW_CITATION, REVIEW_DOI

if TYPE_CHECKING:
    from kg.views import View


class Format(StrEnum):
    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"
    GRAPHML = "graphml"
    GEXF = "gexf"
    NODE_LINK = "node-link"
    CYTOSCAPE = "cytoscape"
    KGX = "kgx"
    NEO4J = "neo4j"
    DOT = "dot"
    MERMAID = "mermaid"
    CSV = "csv"


#: Other names people type for a format.
ALIASES: dict[str, Format] = {
    "ttl": Format.TURTLE,
    "nt": Format.NTRIPLES,
    "n-triples": Format.NTRIPLES,
    "json-ld": Format.JSONLD,
    "node_link": Format.NODE_LINK,
    "nodelink": Format.NODE_LINK,
    "json": Format.NODE_LINK,
    "cytoscape.js": Format.CYTOSCAPE,
    "cyjs": Format.CYTOSCAPE,
    "kgx-tsv": Format.KGX,
    "neo4j-csv": Format.NEO4J,
    "graphviz": Format.DOT,
    "gv": Format.DOT,
    "mmd": Format.MERMAID,
}

#: Formats written as a folder of files rather than one file.
FOLDER_FORMATS = frozenset({Format.KGX, Format.NEO4J})


class ExportError(ValueError):
    """An export that cannot be made: unknown format, unusable output path, view without its model."""


def parse_format(text: str) -> Format:
    key = text.strip().lower()
    if key in Format._value2member_map_:
        return Format(key)
    if key in ALIASES:
        return ALIASES[key]
    raise ExportError(f"unknown export format {text!r} (choose from {', '.join(f.value for f in Format)})")


def render(view: View, fmt: Format | str) -> dict[str, str]:
    """The files of ``fmt`` for ``view`` as ``{relative name: text}`` (name ``""`` for one-file formats)."""
    fmt = parse_format(fmt) if not isinstance(fmt, Format) else fmt
    from kg import export_graph, export_rdf, export_tables, export_text

    renderers: dict[Format, Callable[[View], dict[str, str]]] = {
        Format.TURTLE: lambda v: {"": export_rdf.turtle(v)},
        Format.NTRIPLES: lambda v: {"": export_rdf.ntriples(v)},
        Format.JSONLD: lambda v: {"": export_rdf.jsonld(v)},
        Format.GRAPHML: lambda v: {"": export_graph.graphml(v)},
        Format.GEXF: lambda v: {"": export_graph.gexf(v)},
        Format.NODE_LINK: lambda v: {"": export_graph.node_link(v)},
        Format.CYTOSCAPE: lambda v: {"": export_graph.cytoscape(v)},
        Format.KGX: export_tables.kgx,
        Format.NEO4J: export_tables.neo4j,
        Format.DOT: lambda v: {"": export_text.dot(v)},
        Format.MERMAID: lambda v: {"": export_text.mermaid(v)},
        Format.CSV: lambda v: {"": export_tables.csv_edges(v)},
    }
    return renderers[fmt](view)


def export(view: View, path: Path | str, fmt: Format | str) -> list[Path]:
    """Write ``view`` as ``fmt`` to ``path`` (a file, or a folder for KGX and Neo4j); return the files."""
    fmt = parse_format(fmt) if not isinstance(fmt, Format) else fmt
    path = Path(path)
    if fmt in FOLDER_FORMATS:
        if path.exists() and not path.is_dir():
            raise ExportError(f"{path} is a file; the {fmt.value} export writes a folder of files")
    elif path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name for the {fmt.value} export")
    files = render(view, fmt)
    targets = {(path / name if name else path): text for name, text in files.items()}
    write_all(targets)
    return sorted(targets)


def write_all(files: dict[Path, str]) -> None:
    """Write several files so that either all appear complete or none changes (temp files, then renames)."""
    temps: list[tuple[str, Path]] = []
    try:
        for target, text in sorted(files.items()):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            temps.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(text.encode("utf-8"))
        mode = 0o666 & ~_umask()
        for tmp, target in temps:
            os.chmod(tmp, mode)  # mkstemp makes 0600 files; exports are ordinary files
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in temps:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------------------------------
# Records shared by the renderers
# --------------------------------------------------------------------------------------------------


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as pkg_version

    try:
        return pkg_version("ivkg")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


def provenance(view: View) -> dict[str, str]:
    """What every export says about where it came from (no timestamps, so output stays reproducible)."""
    return {
        "title": view.title,
        "generator": f"ivkg {version()}",
        "source": "ivkg: the immune-vascular knowledge graph",
        "review": f"https://doi.org/{REVIEW_DOI}",
        "review_citation": REVIEW_CITATION,
        "view": view.kind,
        "selection": json.dumps(dict(view.selection), sort_keys=True, ensure_ascii=False),
    }


def curie_link(text: str) -> str:
    try:
        return Curie.parse(text).link or ""
    except CurieError:
        return ""


def node_record(view: View, node: str) -> dict[str, Any]:
    d = view.graph.nodes[node]
    cat = str(d.get("category", "entity"))
    info = CATEGORIES.get(cat, CATEGORIES["entity"])
    return {
        "id": node,
        "label": str(d.get("label", node)),
        "category": cat,
        "category_label": info.label,
        "biolink_category": info.biolink,
        "synonyms": list(d.get("synonyms", []) or []),
        "xrefs": list(d.get("xrefs", []) or []),
        "description": str(d.get("description", "") or ""),
        "url": curie_link(node),
    }


def citation_ids(citations: list[dict[str, Any]]) -> list[str]:
    """``PMID:...``/``DOI:...`` where resolved, else ``review ref N``."""
    return [str(c["id"]) if c.get("id") else f"review ref {c.get('ref')}" for c in citations]


def edge_record(view: View, key: str) -> dict[str, Any]:
    u, v = view.edge_ends[key]
    d = view.graph.edges[u, v, key]
    pred = PREDICATES[str(d["predicate"])]
    cites = list(d.get("citations", []) or [])
    return {
        "id": key,
        "subject": u,
        "object": v,
        "subject_label": view.label(u),
        "object_label": view.label(v),
        "predicate": pred.key,
        "predicate_label": pred.label,
        "sign": int(d.get("sign", pred.sign)),
        "causal": bool(d.get("causal", pred.causal)),
        "evidence": str(d.get("evidence", "")),
        "evidence_label": EVIDENCE_LEVELS[str(d["evidence"])].label
        if d.get("evidence") in EVIDENCE_LEVELS
        else "",
        "evidence_rank": int(d.get("evidence_rank", 0)),
        "species": str(d.get("species", "") or ""),
        "model_system": str(d.get("model_system", "") or ""),
        "setting": str(d.get("setting", "") or ""),
        "sections": [str(s) for s in d.get("sections", []) or []],
        "refs": [int(r) for r in d.get("refs", []) or []],
        "citations": citation_ids(cites),
        "citation_urls": [str(c["url"]) for c in cites if c.get("url")],
        "statement": str(d.get("statement", "") or ""),
        "note": str(d.get("note", "") or ""),
    }


def sorted_edges(view: View) -> list[str]:
    """The view's statement ids ordered by subject, object, id (the order every renderer uses)."""
    ends = view.edge_ends
    return sorted(view.edges, key=lambda k: (*ends[k], k))
