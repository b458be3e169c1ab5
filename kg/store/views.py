"""Views of a large ``--store`` graph: the small part a view needs, as a :class:`~kg.core.model.KG`.

A store built by ``kg import`` can hold millions of edges; views (``kg viz``, ``kg export``) never load
all of it. They gather the nodes a view can touch (a neighbourhood of the focus or the regimen's drugs, or
the nodes of the ranked paths), then build an ordinary model of just those nodes and the edges among them:
curated rows keep their full records, imported edges become statements attributed to their file (review
section ``external``). Edges kept with their own Biolink predicate (``biolink:interacts_with``, not ours)
become :class:`BiolinkStatement`: unsigned, non-causal, the predicate shown as imported. Everything
downstream (filters, pages, every export format) then works unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kg.core.model import KG, CurieError, Entity, Statement
from kg.core.vocab import CATEGORIES, EVIDENCE_LEVELS, PREDICATES
from kg.graphs.mapping import BiolinkStatement
from kg.graphs.prefixes import curie_of
from kg.paths.graph import PathGraph

#: Beyond this many nodes a neighbourhood is cut (hubs of imported graphs have tens of thousands).
MAX_NODES = 3000


def neighbourhood(g: PathGraph, seeds: Iterable[str], radius: int,
                  max_nodes: int = MAX_NODES) -> tuple[list[str], bool]:
    """Nodes within ``radius`` steps of the seeds (either direction), breadth first, and whether the
    search was cut at ``max_nodes``."""
    seen = [s for s in dict.fromkeys(seeds) if g.has_node(s)]
    known = set(seen)
    frontier = list(seen)
    for _ in range(radius):
        nxt: list[str] = []
        for node in frontier:
            for other, _edge in [*g.out_edges(node), *g.in_edges(node)]:
                if other not in known:
                    if len(known) >= max_nodes:
                        return seen, True
                    known.add(other)
                    seen.append(other)
                    nxt.append(other)
        frontier = nxt
    return seen, False


def kg_of(g: PathGraph, nodes: Iterable[str], curated: KG | None = None) -> KG:
    """The model of ``nodes`` and every edge among them, curated records first."""
    wanted = {n for n in nodes if g.has_node(n)}
    out = KG()
    for node in sorted(wanted):
        try:
            curie = curie_of(node)
        except CurieError:
            continue
        ent = curated.entities.get(curie) if curated else None
        if ent is None:
            info = g.node_info(node)
            category = info.category if info.category in CATEGORIES else "entity"
            if CATEGORIES[category].abstract:
                category = "process" if category == "process_or_phenotype" else "gene"
            ent = Entity(curie, info.label or node, category)
        out.entities[curie] = ent
    by_id = {st.id: st for st in curated.statements} if curated else {}
    source_of = getattr(g, "source_of", None)
    for node in sorted(wanted):
        for other, edge in g.out_edges(node):
            if other not in wanted:
                continue
            st = by_id.get(edge.id)
            if st is None:
                st = _imported(node, other, edge, source_of(edge.id) if source_of else "imported")
            if st is not None and st.subject in out.entities and st.object in out.entities:
                out.statements.append(st)
    if curated:
        present = set(out.entities)
        out.trials = {c: t for c, t in curated.trials.items() if c in present}
        out.outcomes = [o for o in curated.outcomes if o.subject in present]
        refs = {r for st in out.statements for r in st.refs}
        out.publications = {r: p for r, p in curated.publications.items() if r in refs}
    return out


def _imported(subject: str, obj: str, edge: Any, source: str) -> Statement | None:
    if edge.predicate not in PREDICATES and not str(edge.predicate).startswith("biolink:"):
        return None
    try:
        s, o = curie_of(subject), curie_of(obj)
    except CurieError:
        return None
    evidence = edge.evidence if edge.evidence in EVIDENCE_LEVELS else "review_assertion"
    kind = Statement if edge.predicate in PREDICATES else BiolinkStatement
    return kind(
        subject=s, predicate=edge.predicate, object=o, evidence=evidence,
        sections=tuple(edge.sections) or ("external",),
        text=edge.statement or f"Imported from {source}.",
        species=edge.species, model_system=edge.model_system or f"imported from {source}",
        setting=edge.setting, derived_from=f"imported {source}",
    )
