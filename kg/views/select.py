"""Selecting a view of the graph: the one selection mechanism shared by ``kg viz`` and ``kg export``.

A :class:`View` is a set of node ids (CURIE strings) and statement ids, chosen from the networkx
``MultiDiGraph`` of :func:`kg.graphs.nx.to_networkx`. Filters are applied first, to the whole graph; the
selection (whole graph, a focus and radius, the mechanism paths between two entities, a regimen's
mechanism subgraph) then runs on what the filters kept. The entities a selection is anchored on (the
focus, a path's ends, a regimen's drugs) are never removed by ``--category``.

>>> from kg.graphs.nx import to_networkx  # doctest: +SKIP
>>> view = select(to_networkx(kg), focus="HGNC:12680", radius=1)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kg.core.vocab import CATEGORIES, EVIDENCE_LEVELS, PREDICATES, SPECIES, is_a

if TYPE_CHECKING:
    from kg.core.model import KG

#: Accepted spellings of ``--sign``.
SIGNS: dict[str, int] = {
    "+": 1,
    "up": 1,
    "increase": 1,
    "positive": 1,
    "1": 1,
    "+1": 1,
    "-": -1,
    "−": -1,
    "down": -1,
    "decrease": -1,
    "negative": -1,
    "-1": -1,
    "0": 0,
    "none": 0,
    "unsigned": 0,
}
KINDS = ("graph", "focus", "path", "regimen")
#: Default radius of a regimen's mechanism subgraph (drug -> target -> two further causal steps).
REGIMEN_RADIUS = 3


class ViewError(ValueError):
    """A selection that cannot be made: unknown filter value, entity not in the graph, no path."""


@dataclass(frozen=True)
class Filters:
    """Restrictions applied to the whole graph before selecting. Empty means no restriction."""

    categories: tuple[str, ...] = ()
    predicates: tuple[str, ...] = ()
    min_evidence: str | None = None
    sign: int | None = None
    species: str | None = None

    @classmethod
    def parse(
        cls,
        categories: Iterable[str] = (),
        predicates: Iterable[str] = (),
        min_evidence: str | None = None,
        sign: str | int | None = None,
        species: str | None = None,
    ) -> Filters:
        """Check every value against the vocabulary; raise :class:`ViewError` naming the valid ones."""
        cats = tuple(sorted({c.strip() for c in categories if c.strip()}))
        for c in cats:
            if c not in CATEGORIES:
                raise ViewError(f"unknown category {c!r} (choose from {', '.join(CATEGORIES)})")
        preds = tuple(sorted({p.strip().replace(" ", "_") for p in predicates if p.strip()}))
        for p in preds:
            if p not in PREDICATES:
                raise ViewError(f"unknown predicate {p!r} (choose from {', '.join(PREDICATES)})")
        if min_evidence is not None and min_evidence not in EVIDENCE_LEVELS:
            raise ViewError(
                f"unknown evidence level {min_evidence!r} (choose from {', '.join(EVIDENCE_LEVELS)})"
            )
        sign_value: int | None = None
        if sign is not None:
            key = str(sign).strip().lower()
            if key not in SIGNS:
                raise ViewError(f"unknown sign {sign!r} (use +, - or 0)")
            sign_value = SIGNS[key]
        if species is not None and species not in SPECIES:
            raise ViewError(f"unknown species {species!r} (choose from {', '.join(SPECIES)})")
        return cls(cats, preds, min_evidence, sign_value, species)

    @property
    def on_edges(self) -> bool:
        return bool(self.predicates or self.min_evidence or self.sign is not None or self.species)

    def node_ok(self, data: Mapping[str, Any]) -> bool:
        if not self.categories:
            return True
        cat = str(data.get("category", "entity"))
        return cat in CATEGORIES and any(is_a(cat, c) for c in self.categories)

    def edge_ok(self, data: Mapping[str, Any]) -> bool:
        if self.predicates and data.get("predicate") not in self.predicates:
            return False
        if self.min_evidence and int(data.get("evidence_rank", 0)) < EVIDENCE_LEVELS[self.min_evidence].rank:
            return False
        if self.sign is not None and int(data.get("sign", 0)) != self.sign:
            return False
        # A statement without a species is a general claim: it holds for either species.
        return not (self.species and data.get("species") not in ("", None, self.species))

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.categories:
            out["category"] = list(self.categories)
        if self.predicates:
            out["predicate"] = list(self.predicates)
        if self.min_evidence:
            out["min_evidence"] = self.min_evidence
        if self.sign is not None:
            out["sign"] = {1: "+", -1: "-", 0: "0"}[self.sign]
        if self.species:
            out["species"] = self.species
        return out


@dataclass(frozen=True)
class View:
    """Node ids and statement ids selected from ``graph`` (the full ``MultiDiGraph``)."""

    graph: Any = field(repr=False, compare=False)
    nodes: tuple[str, ...]
    edges: tuple[str, ...]
    kind: str = "graph"
    title: str = "ivkg"
    #: The entities the selection starts from (focus, path source and target, regimen drugs).
    anchors: tuple[str, ...] = ()
    #: Layer of each node for a left-to-right layout (paths and regimens); empty for free layouts.
    levels: Mapping[str, int] = field(default_factory=dict)
    #: The options that made the view, recorded as provenance in every export.
    selection: Mapping[str, Any] = field(default_factory=dict)
    #: The model the graph was built from (needed by RDF exports); optional for graph-only uses.
    kg: KG | None = field(default=None, repr=False, compare=False)

    @cached_property
    def edge_ends(self) -> dict[str, tuple[str, str]]:
        """Statement id -> (subject, object) for the view's edges."""
        wanted = set(self.edges)
        return {k: (u, v) for u, v, k in self.graph.edges(keys=True) if k in wanted}

    def subgraph(self):  # type: ignore[no-untyped-def]
        """A new ``MultiDiGraph`` with the view's nodes and edges in sorted order (attributes shared)."""
        import networkx as nx

        g = nx.MultiDiGraph()
        g.graph.update(title=self.title, kind=self.kind, selection=dict(self.selection))
        for n in self.nodes:
            g.add_node(n, **self.graph.nodes[n])
        ends = self.edge_ends
        for key in sorted(self.edges, key=lambda k: (*ends[k], k)):
            u, v = ends[key]
            g.add_edge(u, v, key=key, **self.graph.edges[u, v, key])
        return g

    def label(self, node: str) -> str:
        return str(self.graph.nodes[node].get("label", node))


def _filtered(graph: Any, filters: Filters, anchors: Sequence[str]):  # type: ignore[no-untyped-def]
    import networkx as nx

    fg = nx.MultiDiGraph()
    keep = {n for n, d in graph.nodes(data=True) if filters.node_ok(d)} | set(anchors)
    fg.add_nodes_from((n, graph.nodes[n]) for n in sorted(keep))
    for u, v, k, d in graph.edges(keys=True, data=True):
        if u in keep and v in keep and filters.edge_ok(d):
            fg.add_edge(u, v, key=k, **d)
    return fg


def _induced_edges(fg: Any, nodes: set[str]) -> list[str]:
    return [k for u, v, k in fg.edges(keys=True) if u in nodes and v in nodes]


def select(
    graph: Any,
    *,
    focus: str | None = None,
    radius: int | None = None,
    path: tuple[str, str] | None = None,
    regimen: Sequence[str] | None = None,
    filters: Filters | None = None,
    max_length: int = 4,
    limit: int = 10,
    kg: KG | None = None,
) -> View:
    """Select a view. At most one of ``focus``, ``path`` and ``regimen``; none selects the whole graph.

    Node arguments are CURIE strings already resolved by the caller (see :meth:`kg.cli.common.State.resolve`).
    """
    filters = filters or Filters()
    chosen = [name for name, value in (("focus", focus), ("path", path), ("regimen", regimen)) if value]
    if len(chosen) > 1:
        raise ViewError(f"choose one of --focus, --path and --regimen (got {', '.join(chosen)})")
    if radius is not None and radius < 0:
        raise ViewError(f"radius must be 0 or more (got {radius})")
    anchors: list[str] = []
    if focus:
        anchors = [focus]
    elif path:
        anchors = [path[0], path[1]]
    elif regimen:
        anchors = list(dict.fromkeys(regimen))
    for a in anchors:
        if a not in graph:
            raise ViewError(f"{a} is not a node of the graph")
    fg = _filtered(graph, filters, anchors)
    selection: dict[str, Any] = {}
    levels: dict[str, int] = {}
    if focus:
        r = 1 if radius is None else radius
        nodes = _neighbourhood(fg, focus, r)
        edges = _induced_edges(fg, nodes)
        kind, title = "focus", f"{_label(graph, focus)} and its neighbours within {r} step(s)"
        selection = {"focus": focus, "radius": r}
    elif path:
        nodes, edges, levels = _paths(fg, path[0], path[1], max_length, limit)
        kind = "path"
        title = f"Mechanism paths from {_label(graph, path[0])} to {_label(graph, path[1])}"
        selection = {"path": list(path), "max_length": max_length, "limit": limit}
    elif regimen:
        r = REGIMEN_RADIUS if radius is None else radius
        nodes, edges, levels = _regimen(fg, anchors, r, kg)
        kind = "regimen"
        title = "Mechanism subgraph of " + " + ".join(_label(graph, d) for d in anchors)
        selection = {"regimen": anchors, "radius": r}
    else:
        edges = [k for _, _, k in fg.edges(keys=True)]
        nodes = set(fg.nodes)
        if filters.on_edges:
            # An edge filter asks for statements: entities left without one are noise.
            nodes = {n for n in nodes if fg.degree(n) > 0}
        kind, title = "graph", "The whole graph"
    selection.update(filters.describe())
    if filters.describe():
        title += " (filtered)"
    return View(
        graph, tuple(sorted(nodes)), tuple(sorted(edges)), kind, title, tuple(anchors), levels, selection, kg
    )


def _label(graph: Any, node: str) -> str:
    return str(graph.nodes[node].get("label", node))


def _neighbourhood(fg: Any, focus: str, radius: int) -> set[str]:
    seen = {focus}
    frontier = [focus]
    for _ in range(radius):
        nxt = []
        for n in frontier:
            for m in (*fg.successors(n), *fg.predecessors(n)):
                if m not in seen:
                    seen.add(m)
                    nxt.append(m)
        frontier = nxt
    return seen


def _paths(
    fg: Any, source: str, target: str, max_length: int, limit: int
) -> tuple[set[str], list[str], dict[str, int]]:
    from kg.paths.graph import as_pathgraph
    from kg.paths.search import find_paths

    if source == target:
        raise ViewError("a path needs two different entities")
    found = find_paths(as_pathgraph(fg), source, target, max_length=max_length, limit=limit)
    paths = list(found.paths)
    if not paths:
        raise ViewError(
            f"no mechanism path from {_label(fg, source)} to {_label(fg, target)} "
            f"within {max_length} steps with these filters"
        )
    nodes: set[str] = set()
    edges: list[str] = []
    longest = max(len(p.nodes) - 1 for p in paths)
    levels: dict[str, int] = {source: 0}
    for p in paths:
        nodes.update(p.nodes)
        edges.extend(step.edge_id for step in p.steps)
        for i, n in enumerate(p.nodes[1:-1], start=1):
            levels[n] = max(levels.get(n, 0), i)
    levels[target] = longest
    present = {k for _, _, k in fg.edges(keys=True)}
    return nodes, sorted(set(edges) & present), levels


def _regimen(
    fg: Any, drugs: list[str], radius: int, kg: KG | None
) -> tuple[set[str], list[str], dict[str, int]]:
    """Drugs, their targets, and the mechanism paths from the drugs to the key outcomes.

    The paths come from :func:`kg.paths.regimen.regimen_effect` (both signs kept). When the graph has none of
    the key outcomes, or no path reaches them, the view falls back to everything the drugs reach through
    causal statements within ``radius`` steps.
    """
    levels = {d: 0 for d in drugs}
    edges: set[str] = set()
    # Targets: every causal or binding statement out of a drug.
    for d in drugs:
        for _, m, k, data in fg.out_edges(d, keys=True, data=True):
            if data.get("causal") or data.get("predicate") == "binds":
                edges.add(k)
                levels.setdefault(m, 1)
    found = False
    if kg is not None:
        from kg.paths.regimen import regimen_effect

        # Regimen reasoning reads signs from our vocabulary: a store's imported Biolink predicates stay out.
        if any(st.predicate not in PREDICATES for st in kg.statements):
            from kg.core.model import KG

            kg = KG(kg.entities, [st for st in kg.statements if st.predicate in PREDICATES], kg.trials,
                    kg.outcomes, kg.publications)
        effect = regimen_effect(fg, kg, drugs, max_length=max(radius, 1) + 1)
        for outcome in effect.outcomes:
            for _, p in outcome.paths:
                found = True
                for i, n in enumerate(p.nodes):
                    levels[n] = max(levels.get(n, 0), i) if n not in drugs else 0
                edges.update(step.edge_id for step in p.steps)
    if not found:
        frontier = list(levels)
        for depth in range(2, radius + 1):
            nxt: list[str] = []
            for n in frontier:
                for _, m, k, data in fg.out_edges(n, keys=True, data=True):
                    if data.get("causal"):
                        edges.add(k)
                        if m not in levels:
                            levels[m] = depth
                            nxt.append(m)
            frontier = nxt
    present = {k for _, _, k in fg.edges(keys=True)}
    return set(levels), sorted(edges & present), levels
