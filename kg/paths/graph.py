"""The minimal graph access that mechanism-path algorithms need, and two implementations of it.

:mod:`kg.paths.search` is written against the :class:`PathGraph` protocol only, so the same search runs on the
networkx graph of :func:`kg.graphs.nx.to_networkx` (through :func:`as_pathgraph`), on the small in-memory
:class:`ListGraph` used by tests, or on a compact on-disk store of a million edges that implements the
same six methods.

>>> g = ListGraph.from_edges([("A", "B", "increases_activity"), ("B", "C", "inhibits")])
>>> [t for t, _ in g.out_edges("A")], g.in_degree("C")
(['B'], 1)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from kg.core.vocab import EVIDENCE_LEVELS, PREDICATES


@dataclass(frozen=True)
class NodeInfo:
    """What the algorithms need to know about a node besides its edges."""

    label: str
    category: str


@dataclass(frozen=True)
class EdgeInfo:
    """One statement as an edge: what is claimed, how strongly, in which context, citing what.

    ``id`` is the statement id (``st-...``); ``citations`` are the JSON-ready dicts of
    :meth:`kg.core.model.Citation.to_json` (``ref``, ``id``, ``url``).
    """

    id: str
    predicate: str
    sign: int
    causal: bool
    evidence: str
    evidence_rank: int
    species: str = ""
    model_system: str = ""
    setting: str = ""
    statement: str = ""
    sections: tuple[str, ...] = ()
    citations: tuple[Mapping[str, Any], ...] = field(default=(), compare=False)

    @classmethod
    def from_mapping(cls, key: str, data: Mapping[str, Any]) -> EdgeInfo:
        """From the edge attributes written by :func:`kg.graphs.nx.edge_data`."""
        predicate = str(data.get("predicate", ""))
        pred = PREDICATES.get(predicate)
        evidence = str(data.get("evidence", "review_assertion"))
        level = EVIDENCE_LEVELS.get(evidence)
        return cls(
            id=str(data.get("id", key)),
            predicate=predicate,
            sign=int(data.get("sign", pred.sign if pred else 0)),
            causal=bool(data.get("causal", pred.causal if pred else False)),
            evidence=evidence,
            evidence_rank=int(data.get("evidence_rank", level.rank if level else 0)),
            species=str(data.get("species", "") or ""),
            model_system=str(data.get("model_system", "") or ""),
            setting=str(data.get("setting", "") or ""),
            statement=str(data.get("statement", "") or ""),
            sections=tuple(data.get("sections", ()) or ()),
            citations=tuple(data.get("citations", ()) or ()),
        )

    @classmethod
    def of(cls, id: str, predicate: str, evidence: str = "review_assertion", **context: Any) -> EdgeInfo:
        """An edge whose sign, causality and rank come from the vocabulary (for tests and generators)."""
        pred = PREDICATES[predicate]
        return cls(id=id, predicate=predicate, sign=pred.sign, causal=pred.causal, evidence=evidence,
                   evidence_rank=EVIDENCE_LEVELS[evidence].rank, **context)


class FilterError(ValueError):
    """An edge filter naming an unknown or unsuitable predicate, evidence level or species."""


@runtime_checkable
class PathGraph(Protocol):
    """Read-only access to a directed multigraph of statements. Nodes are CURIE strings."""

    def has_node(self, node: str) -> bool: ...

    def node_info(self, node: str) -> NodeInfo: ...

    def out_edges(self, node: str) -> Iterable[tuple[str, EdgeInfo]]:
        """``(object, edge)`` for every statement whose subject is ``node``."""
        ...

    def in_edges(self, node: str) -> Iterable[tuple[str, EdgeInfo]]:
        """``(subject, edge)`` for every statement whose object is ``node``."""
        ...

    def out_degree(self, node: str) -> int: ...

    def in_degree(self, node: str) -> int: ...

    def nodes(self) -> Iterable[str]: ...


class NxPathGraph:
    """:class:`PathGraph` over a networkx (Multi)DiGraph built by :func:`kg.graphs.nx.to_networkx`.

    Edge records are converted once per node and cached; the wrapped graph must not change afterwards.
    """

    def __init__(self, graph: Any):
        self.graph = graph
        self._multi = bool(graph.is_multigraph())
        self._out: dict[str, list[tuple[str, EdgeInfo]]] = {}
        self._in: dict[str, list[tuple[str, EdgeInfo]]] = {}

    def has_node(self, node: str) -> bool:
        return node in self.graph

    def node_info(self, node: str) -> NodeInfo:
        data = self.graph.nodes[node]
        return NodeInfo(str(data.get("label", node)), str(data.get("category", "entity")))

    def _edges(self, node: str, out: bool) -> list[tuple[str, EdgeInfo]]:
        cache = self._out if out else self._in
        hit = cache.get(node)
        if hit is not None:
            return hit
        view = self.graph.out_edges if out else self.graph.in_edges
        rows: list[tuple[str, EdgeInfo]] = []
        if self._multi:
            for u, v, key, data in view(node, keys=True, data=True):
                rows.append((v if out else u, EdgeInfo.from_mapping(str(key), data)))
        else:
            for u, v, data in view(node, data=True):
                rows.append((v if out else u, EdgeInfo.from_mapping(f"{u}>{v}", data)))
        cache[node] = rows
        return rows

    def out_edges(self, node: str) -> Iterable[tuple[str, EdgeInfo]]:
        return self._edges(node, True)

    def in_edges(self, node: str) -> Iterable[tuple[str, EdgeInfo]]:
        return self._edges(node, False)

    def out_degree(self, node: str) -> int:
        return int(self.graph.out_degree(node))

    def in_degree(self, node: str) -> int:
        return int(self.graph.in_degree(node))

    def nodes(self) -> Iterator[str]:
        return iter(self.graph.nodes)


class ListGraph:
    """A plain in-memory :class:`PathGraph` from adjacency lists (tests, generated graphs)."""

    def __init__(self) -> None:
        self._info: dict[str, NodeInfo] = {}
        self._out: dict[str, list[tuple[str, EdgeInfo]]] = {}
        self._in: dict[str, list[tuple[str, EdgeInfo]]] = {}

    @classmethod
    def from_edges(cls, edges: Iterable[tuple[str, str, str] | tuple[str, str, str, str]],
                   categories: Mapping[str, str] | None = None) -> ListGraph:
        """Edges as ``(subject, object, predicate[, evidence])``; ids are ``e<n>`` in input order."""
        g = cls()
        for i, edge in enumerate(edges):
            s, o, p = edge[0], edge[1], edge[2]
            ev = edge[3] if len(edge) > 3 else "review_assertion"  # type: ignore[misc]
            g.add_edge(s, o, EdgeInfo.of(f"e{i}", p, ev))
        for node, cat in (categories or {}).items():
            g.add_node(node, node, cat)
        return g

    def add_node(self, node: str, label: str | None = None, category: str = "entity") -> None:
        self._info[node] = NodeInfo(label or node, category)
        self._out.setdefault(node, [])
        self._in.setdefault(node, [])

    def add_edge(self, subject: str, obj: str, edge: EdgeInfo) -> None:
        for n in (subject, obj):
            if n not in self._info:
                self.add_node(n)
        self._out[subject].append((obj, edge))
        self._in[obj].append((subject, edge))

    def has_node(self, node: str) -> bool:
        return node in self._info

    def node_info(self, node: str) -> NodeInfo:
        return self._info[node]

    def out_edges(self, node: str) -> Iterable[tuple[str, EdgeInfo]]:
        return self._out.get(node, ())

    def in_edges(self, node: str) -> Iterable[tuple[str, EdgeInfo]]:
        return self._in.get(node, ())

    def out_degree(self, node: str) -> int:
        return len(self._out.get(node, ()))

    def in_degree(self, node: str) -> int:
        return len(self._in.get(node, ()))

    def nodes(self) -> Iterator[str]:
        return iter(self._info)


def batch_edges(g: PathGraph, nodes: Iterable[str], out: bool = True) -> None:
    """Warm a graph that answers many nodes per call (an optional ``batch_edges(nodes, out, filter)``
    method, as :class:`kg.sparql.pathgraph.RemotePathGraph` has) with the unfiltered edges of ``nodes``."""
    fetch = getattr(g, "batch_edges", None)
    if fetch is not None:
        fetch(list(nodes), out, None)


def know(g: PathGraph, nodes: Iterable[str]) -> None:
    """Let a graph that answers many nodes per call learn about ``nodes`` at once (an optional
    ``fetch_info(nodes)`` method: labels, categories, degrees) before they are checked one by one."""
    fetch = getattr(g, "fetch_info", None)
    if fetch is not None:
        fetch(list(nodes))


def graph_cut(g: Any) -> str | None:
    """Why a graph stopped answering (a remote graph's round-trip, row or time budget), or None."""
    cut = getattr(g, "cut", None)
    return cut if isinstance(cut, str) else None


def as_pathgraph(graph: Any) -> PathGraph:
    """Wrap a networkx graph (or return a :class:`PathGraph` unchanged)."""
    if hasattr(graph, "is_multigraph") and hasattr(graph, "out_edges"):
        return NxPathGraph(graph)
    if isinstance(graph, PathGraph):
        return graph
    raise TypeError(f"not a graph the path search can read: {type(graph).__name__}")


# ------------------------------------------------------------------------------------------------
# Filtered access used by the algorithms of kg.paths.search
# ------------------------------------------------------------------------------------------------

#: Intermediate nodes up to this total degree cost nothing in a path's score.
HUB_FREE_DEGREE = 20


@dataclass(frozen=True)
class EdgeFilter:
    predicates: frozenset[str] | None = None
    min_rank: int = 0
    species: str | None = None
    #: Walk sign-0 edges of any predicate too (an imported interactome's ``biolink:interacts_with``,
    #: ``binds``, ...), except ``member_of``, which the search handles as class inheritance.
    unsigned: bool = False

    @classmethod
    def make(cls, predicates: Iterable[str] | None = None, min_evidence: str | None = None,
             species: str | None = None, unsigned: bool = False) -> EdgeFilter:
        preds = None
        if predicates is not None:
            preds = frozenset(predicates)
            for p in sorted(preds):
                pred = PREDICATES.get(p)
                if pred is None:
                    raise FilterError(f"unknown predicate {p!r}")
                if not (pred.causal and pred.signed):
                    signed = ", ".join(k for k, v in PREDICATES.items() if v.causal and v.signed)
                    raise FilterError(f"{p} is not a causal signed predicate (choose from {signed})")
        rank = 0
        if min_evidence is not None:
            if min_evidence not in EVIDENCE_LEVELS:
                raise FilterError(f"unknown evidence level {min_evidence!r} "
                                f"(expected one of {', '.join(EVIDENCE_LEVELS)})")
            rank = EVIDENCE_LEVELS[min_evidence].rank
        if species is not None and species not in ("human", "mouse"):
            raise FilterError(f"unknown species {species!r} (expected human or mouse)")
        return cls(preds, rank, species, unsigned)

    def ok(self, e: EdgeInfo) -> bool:
        if e.evidence_rank < self.min_rank:
            return False
        if e.sign == 0:
            if not self.unsigned or e.predicate == "member_of":
                return False
        elif not e.causal:
            return False
        if self.predicates is not None and e.predicate not in self.predicates:
            return False
        if not self.species:
            return True
        # A statement without species is stated generally and counts for both, unless its evidence
        # is an animal study: that is mouse work, never human evidence.
        species = e.species or ("mouse" if e.evidence == "preclinical_in_vivo" else "")
        return not species or species == self.species


#: (neighbour, sign, best edge, ids of the other edges with that neighbour and sign)
Hop = tuple[str, int, EdgeInfo, tuple[str, ...]]


def _edge_order(e: EdgeInfo) -> tuple[int, str, str]:
    return (-e.evidence_rank, e.predicate, e.id)


class FilteredAdjacency:
    """Filtered adjacency grouped by (neighbour, sign), computed once per node per search.

    A graph may offer an array-level fast path (as :class:`kg.store.pathgraph.StorePathGraph` does over
    its CSR arrays): ``hops(node, out, flt)`` returning the grouped hops and the total degrees of their
    neighbours (or ``hop_table``, the same as columns with hops built on demand),
    ``neighbour_names(node, out, flt)`` returning the allowed neighbours in first-edge order
    with their degrees, ``degree_sum(nodes, out)`` and ``total_degree(node)``. The first two may return
    None for a node they cannot answer that way; the generic per-edge path over the :class:`PathGraph`
    protocol then answers, with the same result. The degrees they return fill the degree cache, so hub
    checks cost no graph calls.
    """

    def __init__(self, g: PathGraph, flt: EdgeFilter):
        self.g, self.flt = g, flt
        self._out: dict[str, list[Hop]] = {}
        self._in: dict[str, list[Hop]] = {}
        self._deg: dict[str, int] = {}
        self._fast_hops = getattr(g, "hops", None)
        self._fast_names = getattr(g, "neighbour_names", None)
        self._fast_sum = getattr(g, "degree_sum", None)
        self._fast_degree = getattr(g, "total_degree", None)
        self._fast_table = getattr(g, "hop_table", None)

    @property
    def batched(self) -> bool:
        """The graph answers many nodes per call (a remote endpoint): the algorithms prefetch frontiers."""
        return hasattr(self.g, "batch_edges")

    def prefetch(self, nodes: Iterable[str], out: bool = True) -> None:
        """Fetch the filtered edges of a whole frontier in one call, when the graph can (see
        :func:`batch_edges`); a no-op for local graphs, whose per-node access is cheap."""
        fetch = getattr(self.g, "batch_edges", None)
        if fetch is None:
            return
        cache = self._out if out else self._in
        todo = [u for u in dict.fromkeys(nodes) if u not in cache]
        if todo:
            for u, edges in fetch(todo, out, self.flt).items():
                cache[u] = self._group(edges)

    def cached(self, u: str, out: bool = True) -> bool:
        return u in (self._out if out else self._in)

    def _group(self, edges: Iterable[tuple[str, EdgeInfo]]) -> list[Hop]:
        groups: dict[tuple[str, int], list[EdgeInfo]] = {}
        for v, e in edges:
            if self.flt.ok(e):
                groups.setdefault((v, e.sign), []).append(e)
        out = []
        for (v, sign), es in sorted(groups.items()):
            es.sort(key=_edge_order)
            out.append((v, sign, es[0], tuple(x.id for x in es[1:])))
        return out

    def _nodes(self, edges: Iterable[tuple[str, EdgeInfo]]) -> list[str]:
        ok = self.flt.ok
        return list(dict.fromkeys(v for v, e in edges if ok(e)))

    def _neighbours(self, u: str, out: bool) -> list[str]:
        hit = (self._out if out else self._in).get(u)
        if hit is not None:
            return [h[0] for h in hit]
        if self._fast_names is not None:
            fast = self._fast_names(u, out, self.flt)
            if fast is not None:
                self._deg.update(fast[1])
                return fast[0]
        return self._nodes(self.g.out_edges(u) if out else self.g.in_edges(u))

    def succ_nodes(self, u: str) -> list[str]:
        """Neighbours through at least one allowed edge (cheaper than :meth:`succ`, for the BFS)."""
        return self._neighbours(u, True)

    def pred_nodes(self, u: str) -> list[str]:
        return self._neighbours(u, False)

    def _hops(self, u: str, out: bool) -> list[Hop]:
        cache = self._out if out else self._in
        hit = cache.get(u)
        if hit is None:
            fast = self._fast_hops(u, out, self.flt) if self._fast_hops is not None else None
            if fast is not None:
                hit = fast[0]
                self._deg.update(fast[1])
            else:
                hit = self._group(self.g.out_edges(u) if out else self.g.in_edges(u))
            cache[u] = hit
        return hit

    def succ(self, u: str) -> list[Hop]:
        return self._hops(u, True)

    def succ_table(self, u: str) -> Any:
        """The graph's column view of :meth:`succ` (``hop_table(node, out, flt)``: neighbour names, signs,
        degrees and a function building the k-th hop), or None: then use :meth:`succ`."""
        if self._fast_table is None or u in self._out:
            return None
        return self._fast_table(u, True, self.flt)

    def pred(self, u: str) -> list[Hop]:
        return self._hops(u, False)

    def degree(self, u: str) -> int:
        d = self._deg.get(u)
        if d is None:
            if self._fast_degree is not None:
                d = self._deg[u] = self._fast_degree(u)
            else:
                d = self._deg[u] = self.g.out_degree(u) + self.g.in_degree(u)
        return d

    def degree_sum(self, nodes: list[str], out: bool) -> int:
        """Sum of out- (or in-) degrees of a frontier (the BFS's choice of the cheaper side)."""
        if self._fast_sum is not None:
            return int(self._fast_sum(nodes, out))
        deg = self.g.out_degree if out else self.g.in_degree
        return sum(deg(u) for u in nodes)

    def hub_penalty(self, u: str) -> float:
        d = self.degree(u)
        return max(0.0, math.log10(d / HUB_FREE_DEGREE)) if d > HUB_FREE_DEGREE else 0.0
