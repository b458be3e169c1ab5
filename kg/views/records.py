"""Flat records of a view's nodes and edges, shared by the interactive page (:mod:`kg.views.viz`) and every
exporter (:mod:`kg.export`): one place decides what a node or a statement says outside the graph.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from kg.core.model import Curie, CurieError
from kg.core.vocab import CATEGORIES, EVIDENCE_LEVELS, REVIEW_CITATION, REVIEW_DOI
from kg.graphs.mapping import predicate_of

if TYPE_CHECKING:
    from kg.views.select import View


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
        **outcome_fields(d.get("outcomes") or []),
    }


def outcome_text(o: dict[str, Any]) -> str:
    """``ORR 45%`` / ``PFS_median 8.2 month (arm)`` from an outcome as :func:`kg.graphs.nx.to_networkx`
    stores it on its trial's node."""
    from kg.core.vocab import UNITS

    def num(x: Any) -> str:
        return f"{x:g}" if isinstance(x, float) else str(x)

    value = num(o["value"]) if o.get("value") is not None else f"{num(o.get('low'))}-{num(o.get('high'))}"
    unit = UNITS[o["unit"]].label if o.get("unit") in UNITS else str(o.get("unit", ""))
    text = f"{o['measure']} {value}{unit}" if unit == "%" else f"{o['measure']} {value} {unit}".rstrip()
    return f"{text} ({o['arm']})" if o.get("arm") else text


def outcome_fields(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """A node's reported outcomes as properties: ``outcomes`` (every one as text) and one
    ``outcome_<measure>[_<arm>]`` per outcome, for property-graph tools that filter on a column."""
    out: dict[str, Any] = {"outcomes": [outcome_text(o) for o in outcomes]}
    for o in outcomes:
        arm = "_".join("".join(c if c.isalnum() else " " for c in o.get("arm", "")).split())
        key = f"outcome_{o['measure']}" + (f"_{arm}" if arm else "")
        out[key] = outcome_text(o).removeprefix(f"{o['measure']} ")
    return out


def citation_ids(citations: list[dict[str, Any]]) -> list[str]:
    """``PMID:...``/``DOI:...`` where resolved, else ``review ref N``."""
    return [str(c["id"]) if c.get("id") else f"review ref {c.get('ref')}" for c in citations]


def edge_record(view: View, key: str) -> dict[str, Any]:
    u, v = view.edge_ends[key]
    d = view.graph.edges[u, v, key]
    pred = predicate_of(str(d["predicate"]))
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
