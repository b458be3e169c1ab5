"""Mechanism paths: signed path tracing ranked by evidence (loops and neighbours: :mod:`kg.paths.reach`).

Only causal, signed statements (``Predicate.causal`` and ``sign != 0``) are steps of a mechanism; the net
sign of a path is the product of its step signs. A path's score is explained by four components::

    score = weakest-step evidence rank (1..6) - 0.5 per step beyond the first - hub penalty
            - inheritance penalty

where each intermediate node of total degree ``d`` costs ``max(0, log10(d / 20))``. A drug, drug class or
regimen inherits the effects of the classes it belongs to: a path may start with ``member_of`` steps
(sign +1), which are shown but do not count toward ``max_length``. Such a path is **inherited from** its
class and costs ``0.5 * max_length`` (2 at the default length 4): more than the length penalty of any
path the search may return, so an entity's own mechanism always outranks a claim inherited from its class
at the same or weaker evidence. See docs/paths.md for a worked example.

A step whose statement has no species but whose evidence is an animal study (``preclinical_in_vivo``)
counts as mouse work: ``species="human"`` drops it, and every path says how many of its steps rest on
mouse data (``mouse_steps``).

The search is bounded: a bidirectional breadth-first pass measures distances to the target (expanding
the cheaper side each level), then a best-first search over partial paths pops paths in score order, so
the first complete paths found are the best ones. Intermediate nodes above ``hub_degree`` are skipped
(and reported), and the search stops at ``limit`` paths, ``max_expansions`` pops, ``timeout`` seconds or
``max_states`` partial paths held at once (its memory: reason ``memory budget``), saying so in
``truncated`` and ``reason``. Paths come out best first, so a cut search returns a prefix of the answer.

>>> from kg.paths.graph import ListGraph
>>> g = ListGraph.from_edges([("drug", "X", "inhibits"), ("X", "Y", "increases_activity")])
>>> res = find_paths(g, "drug", "Y")
>>> res.paths[0].nodes, res.paths[0].net_sign
(['drug', 'X', 'Y'], -1)
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from kg.core.vocab import EVIDENCE_LEVELS, is_a
from kg.paths.graph import (
    EdgeFilter,
    EdgeInfo,
    FilterError,
    PathGraph,
    as_pathgraph,
    batch_edges,
    graph_cut,
    know,
)
from kg.paths.graph import FilteredAdjacency as _Adjacency

LENGTH_PENALTY = 0.5

DEFAULT_HUB_DEGREE = 1000
MAX_RANK = max(e.rank for e in EVIDENCE_LEVELS.values())
CHECK_EVERY = 256
#: Partial paths the best-first search may hold at once (a few hundred bytes each at length 8).
DEFAULT_MAX_STATES = 1_000_000

__all__ = ["Path", "PathError", "PathSearch", "Step", "as_pathgraph", "build_path", "find_paths"]


class PathError(FilterError):
    """A request the search cannot answer (unknown node, source equals target, bad predicate)."""


@dataclass(frozen=True)
class Step:
    subject: str
    predicate: str
    object: str
    sign: int
    evidence: str
    evidence_rank: int
    edge_id: str
    subject_label: str = ""
    object_label: str = ""
    citations: tuple[Any, ...] = ()
    species: str = ""
    model_system: str = ""
    setting: str = ""
    statement: str = ""
    sections: tuple[str, ...] = ()
    #: Ids of other statements on the same pair with the same sign (weaker or equal evidence).
    parallel: tuple[str, ...] = ()
    #: A drug -> class step: the path uses an effect the class is known for.
    membership: bool = False
    #: For a causal step of a path that starts with class hops: the class whose claim it is.
    inherited_from: str = ""
    inherited_from_label: str = ""

    @property
    def mouse(self) -> bool:
        """The step rests on mouse work: stated in mouse, or an animal study with no species given."""
        return not self.membership and (self.species == "mouse" or (
            not self.species and self.evidence == "preclinical_in_vivo"))

    @property
    def context(self) -> str:
        return "; ".join(x for x in (self.species, self.model_system, self.setting) if x)

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject, "subject_label": self.subject_label, "predicate": self.predicate,
            "object": self.object, "object_label": self.object_label, "sign": self.sign,
            "evidence": self.evidence, "evidence_rank": self.evidence_rank,
            "statement_id": self.edge_id, "statement": self.statement,
            "species": self.species or None, "model_system": self.model_system or None,
            "setting": self.setting or None, "sections": list(self.sections),
            "citations": [dict(c) for c in self.citations], "parallel": list(self.parallel),
            "membership": self.membership, "inherited_from": self.inherited_from or None,
            "inherited_from_label": self.inherited_from_label or None, "mouse": self.mouse,
        }


@dataclass(frozen=True)
class Path:
    nodes: list[str]
    labels: list[str]
    steps: list[Step]
    net_sign: int
    score: float
    components: dict[str, Any]
    explanation: str

    @property
    def length(self) -> int:
        return sum(1 for s in self.steps if not s.membership)

    @property
    def inherited_from(self) -> str | None:
        """The class whose claim the path uses (the last class hop), or None for the entity's own."""
        hops = [s for s in self.steps if s.membership]
        return hops[-1].object if hops else None

    @property
    def mouse_steps(self) -> int:
        return sum(1 for s in self.steps if s.mouse)

    def to_json(self) -> dict[str, Any]:
        hops = [s for s in self.steps if s.membership]
        return {"nodes": self.nodes, "labels": self.labels, "steps": [s.to_json() for s in self.steps],
                "net_sign": self.net_sign, "length": self.length, "score": self.score,
                "score_components": self.components, "explanation": self.explanation,
                "net_effect": {1: "increases", -1: "decreases"}.get(self.net_sign, "unknown"),
                "inherited_from": hops[-1].object if hops else None,
                "inherited_from_label": hops[-1].object_label if hops else None,
                "mouse_steps": self.mouse_steps}


@dataclass
class PathSearch:
    source: str
    target: str
    paths: list[Path] = field(default_factory=list)
    truncated: bool = False
    reason: str | None = None
    skipped_hubs: list[tuple[str, int]] = field(default_factory=list)
    expanded: int = 0
    elapsed: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "paths": [p.to_json() for p in self.paths],
                "truncated": self.truncated, "reason": self.reason,
                "skipped_hubs": [{"node": n, "degree": d} for n, d in self.skipped_hubs],
                "params": self.params}


# ------------------------------------------------------------------------------------------------
# Filters, adjacency, scoring
# ------------------------------------------------------------------------------------------------

def _score(weakest: int, length: int, hub: float) -> float:
    return weakest - LENGTH_PENALTY * max(0, length - 1) - hub


def inheritance_penalty(max_length: int) -> float:
    """What a path inherited from a class costs: more than any length penalty within ``max_length``."""
    return LENGTH_PENALTY * max(max_length, 4)


def _label(g: PathGraph, node: str) -> str:
    return g.node_info(node).label if g.has_node(node) else node


def step_of(g: PathGraph, u: str, v: str, sign: int, e: EdgeInfo, parallel: tuple[str, ...],
          membership: bool = False) -> Step:
    return Step(u, e.predicate, v, sign, e.evidence, e.evidence_rank, e.id, _label(g, u), _label(g, v),
                tuple(e.citations), e.species, e.model_system, e.setting, e.statement, e.sections,
                parallel, membership)


def build_path(g: PathGraph, adj: _Adjacency, steps: list[Step], skip_hub: Iterable[str] = (),
               inherit_cost: float = 0.0) -> Path:
    """Score a path from its steps and explain the score (``inherit_cost``: see :func:`inheritance_penalty`,
    charged when the path starts with class hops)."""
    hops = [s for s in steps if s.membership]
    inherited = hops[-1] if hops else None
    if inherited is not None:
        steps = [s if s.membership else replace(s, inherited_from=inherited.object,
                                                   inherited_from_label=inherited.object_label)
                 for s in steps]
    else:
        inherit_cost = 0.0
    nodes = [steps[0].subject] + [s.object for s in steps]
    causal = [s for s in steps if not s.membership]
    weakest = min((s.evidence_rank for s in causal), default=MAX_RANK)
    weakest_ev = min(causal, key=lambda s: s.evidence_rank).evidence if causal else None
    free = set(skip_hub) | {nodes[0], nodes[-1]} | {s.object for s in steps if s.membership}
    hubs = [(n, adj.degree(n), round(adj.hub_penalty(n), 3)) for n in dict.fromkeys(nodes[1:-1])
            if n not in free and adj.hub_penalty(n) > 0]
    hub = sum(p for _, _, p in hubs)
    net = 1
    for s in steps:
        net *= s.sign
    score = round(_score(weakest, len(causal), hub) - inherit_cost, 3)
    mouse = sum(1 for s in steps if s.mouse)
    comps = {"weakest_evidence": weakest_ev, "weakest_rank": weakest, "length": len(causal),
             "length_penalty": LENGTH_PENALTY * max(0, len(causal) - 1), "hub_penalty": round(hub, 3),
             "hubs": [{"node": n, "degree": d, "penalty": p} for n, d, p in hubs],
             "inheritance_penalty": inherit_cost, "mouse_steps": mouse}
    parts = [f"weakest step {weakest_ev} (rank {weakest})", f"{len(causal)} step(s) "
             f"(-{comps['length_penalty']:g})"]
    if hubs:
        parts.append("hubs " + ", ".join(f"{_label(g, n)} degree {d} (-{p:g})" for n, d, p in hubs))
    if inherited is not None:
        parts.append(f"inherited from {inherited.object_label} (-{inherit_cost:g})")
    if mouse:
        parts.append(f"rests on mouse data ({mouse} of {len(causal)} step(s))")
    return Path(nodes, [_label(g, n) for n in nodes], list(steps), net, score, comps,
                "; ".join(parts) + f" => score {score:g}")


def class_prefix(g: PathGraph, node: str) -> dict[str, list[Step]]:
    """Classes a drug (or class) belongs to, up the member_of chain, with the steps to reach them."""
    cat = g.node_info(node).category
    if not (is_a(cat, "drug") or cat in ("drug_class", "regimen")):
        return {}
    kinds = ("regimen",) if cat == "regimen" else ("drug_class",)
    out: dict[str, list[Step]] = {}
    frontier: list[tuple[str, list[Step]]] = [(node, [])]
    seen = {node}
    while frontier:
        batch_edges(g, [u for u, _ in frontier])
        nxt = []
        for u, steps in frontier:
            for v, e in sorted(g.out_edges(u), key=lambda ve: (ve[0], ve[1].id)):
                if e.predicate != "member_of" or v in seen or g.node_info(v).category not in kinds:
                    continue
                seen.add(v)
                chain = [*steps, step_of(g, u, v, 1, e, (), membership=True)]
                out[v] = chain
                nxt.append((v, chain))
        frontier = nxt
    return out


def check_node(g: PathGraph, node: str, what: str) -> None:
    if not g.has_node(node):
        raise PathError(f"unknown {what} node {node!r}")


# ------------------------------------------------------------------------------------------------
# Path search
# ------------------------------------------------------------------------------------------------

def find_paths(g: Any, source: str, target: str, *, max_length: int = 4, limit: int = 10,
               sign: int | None = None, via: Iterable[str] = (), avoid: Iterable[str] = (),
               predicates: Iterable[str] | None = None, min_evidence: str | None = None,
               species: str | None = None, direct_only: bool = False, timeout: float = 10.0,
               hub_degree: int = DEFAULT_HUB_DEGREE, max_expansions: int = 200_000,
               classes: bool = True, unsigned: bool = False,
               max_states: int = DEFAULT_MAX_STATES) -> PathSearch:
    """The best simple causal paths from ``source`` to ``target``, best score first (see module doc).

    ``unsigned=True`` also walks sign-0 edges (``binds``, an imported ``biolink:interacts_with``); a path
    with such a step has net sign 0, "unknown"."""
    g = as_pathgraph(g)
    started = time.monotonic()
    deadline = started + timeout
    via_set, avoid_set = set(via), set(avoid)
    know(g, [source, target, *sorted(via_set | avoid_set)])  # one round trip on a remote graph
    check_node(g, source, "source")
    check_node(g, target, "target")
    loop = source == target
    for n in (*via_set, *avoid_set):
        check_node(g, n, "via/avoid")
    if via_set & avoid_set:
        raise PathError("a node cannot be both --via and --avoid")
    if source in avoid_set or target in avoid_set:
        raise PathError("cannot avoid the source or the target")
    if sign not in (None, 1, -1):
        raise PathError("sign must be +1 or -1")
    if max_length < 1 or limit < 1:
        raise PathError("max_length and limit must be at least 1")
    if direct_only:
        # The entity's own one-step statements: no class hops either.
        max_length, classes = 1, False
    flt = EdgeFilter.make(predicates, min_evidence, species, unsigned)
    adj = _Adjacency(g, flt)
    res = PathSearch(source, target, params={
        "max_length": max_length, "limit": limit, "sign": sign, "via": sorted(via_set),
        "avoid": sorted(avoid_set), "predicates": sorted(flt.predicates) if flt.predicates else None,
        "min_evidence": min_evidence, "species": species, "direct_only": direct_only,
        "hub_degree": hub_degree, "unsigned": unsigned})
    keep = {source, target, *via_set}
    skipped: dict[str, int] = {}

    def blocked(v: str) -> bool:
        if v in avoid_set:
            return True
        if v not in keep and adj.degree(v) > hub_degree:
            skipped[v] = adj.degree(v)
            return True
        return False

    prefix = {} if (loop or not classes) else class_prefix(g, source)
    inherit_cost = inheritance_penalty(max_length)
    starts: list[tuple[str, list[Step]]] = [(source, []), *sorted(prefix.items())]

    # 1. Bidirectional BFS: distances to the target (exact up to depth b, else > b).
    fwd = {s: 0 for s, _ in starts}
    bwd = {target: 0}
    ff, bf = list(fwd), [target]
    a = b = 0
    timed_out = False
    while a + b < max_length and ff and bf:
        if time.monotonic() > deadline:
            timed_out = True
            break
        forward = adj.degree_sum(ff, True) <= adj.degree_sum(bf, False)
        ball, frontier = (fwd, ff) if forward else (bwd, bf)
        depth = (a if forward else b) + 1
        nxt = []
        step = adj.succ_nodes if forward else adj.pred_nodes
        adj.prefetch(frontier, forward)  # one round trip per level on a remote graph
        for i, u in enumerate(frontier):
            if i % CHECK_EVERY == CHECK_EVERY - 1 and time.monotonic() > deadline:
                timed_out = True
                break
            for v in step(u):
                if v not in ball and not blocked(v):
                    ball[v] = depth
                    nxt.append(v)
        if timed_out:
            break
        if forward:
            ff, a = nxt, a + 1
        else:
            bf, b = nxt, b + 1
    meets = any(bwd[u] + d <= max_length for u, d in fwd.items() if u in bwd)
    if not timed_out and not meets and not loop:
        res.skipped_hubs = sorted(skipped.items())
        _finish(res, started, False, None, skipped, graph_cut(g))
        return res

    # 2. Best-first search over partial paths, A*-style with an optimistic bound.
    def h(v: str) -> int:
        return bwd.get(v, b + 1)

    # Per expanded node, its hop numbers sorted once into buckets by the neighbour's target distance
    # (hubs kept apart, reported when met off the path); a bucket's hops are built when first reached.
    # Heap entries never tie on (score, length, nodes, signs): the order of pushes does not matter.
    expanded: dict[str, list[Any]] = {}

    def expansion(u: str) -> list[Any]:
        hit = expanded.get(u)
        if hit is not None:
            return hit
        buckets: list[list[Any]] = [[] for _ in range(max_length)]
        hubs: list[tuple[str, int]] = []
        table = adj.succ_table(u)
        make: Any = None
        if table is None:
            names = [hop[0] for hop in adj.succ(u)]
            degree: Any = lambda k: adj.degree(names[k])  # noqa: E731
        else:
            names, _, degs, make = table
            degree = degs.__getitem__
        for k, v in enumerate(names):
            if v == target:
                buckets[0].append(k)
            elif v in avoid_set:
                continue
            else:
                d = degree(k)
                if v not in keep and d > hub_degree:
                    hubs.append((v, d))
                else:
                    hv = h(v)
                    if hv < max_length:
                        buckets[hv].append(k)
        make = make or adj.succ(u).__getitem__
        hit = expanded[u] = [buckets, hubs, make, [False] * max_length]
        return hit

    heap: list[tuple[float, int, tuple[str, ...], tuple[int, ...], int, Any]] = []
    counter = 0
    for node, steps in starts:
        if h(node) <= max_length:
            nodes = (source, *[s.object for s in steps])
            cost = inherit_cost if steps else 0.0
            heapq.heappush(heap, (-_score(MAX_RANK, max(1, h(node)), cost), 0, nodes, (), counter,
                                  (tuple(steps), (), MAX_RANK, cost)))
            counter += 1
    found: list[Path] = []
    routes: set[tuple[tuple[str, ...], tuple[int, ...]]] = set()
    own_tails: set[tuple[tuple[str, ...], tuple[int, ...], str]] = set()
    reason: str | None = None
    pops = 0
    batched = adj.batched
    while heap:
        pops += 1
        if pops % CHECK_EVERY == 0 and time.monotonic() > deadline:
            reason = "timeout"
            break
        if pops > max_expansions:
            reason = "expansion budget"
            break
        _, length, nodes, signs, _, (prefix_steps, hops, weakest, hub) = heapq.heappop(heap)
        u = nodes[-1]
        if length > 0 and u == target:
            if via_set and not via_set <= set(nodes):
                continue
            net = math.prod(signs)
            if sign is not None and net != sign:
                continue
            # The same chain of statements reached twice (never a drug's own statement and its class's
            # statement to the same node: the route starts at the first causal subject).
            route = (nodes[-(length + 1):], signs[-length:])
            # A class's claim that repeats the entity's own (same predicate to the same next node, same
            # chain after it) is the same mechanism: the entity's own path, found first, stands for it.
            tail = (nodes[-length:], signs[-length:], hops[0][3].predicate)
            inherited = bool(prefix_steps)
            if route in routes or (inherited and tail in own_tails):
                continue
            if len(found) == limit:
                reason = "limit"
                break
            routes.add(route)
            if not inherited:
                own_tails.add(tail)
            steps = [*prefix_steps, *(step_of(g, *hop) for hop in hops)]  # Steps only for reported paths
            found.append(build_path(g, adj, steps, inherit_cost=inherit_cost))
            continue
        if length >= max_length:
            continue
        if batched and not adj.cached(u):
            # A remote graph: fetch the whole open frontier of the heap with this node.
            adj.prefetch([u, *(entry[2][-1] for entry in heap if entry[1] < max_length)])
        pen_u = adj.hub_penalty(u) if length > 0 and u not in prefix else 0.0
        on_path = set(nodes)
        state = expansion(u)
        buckets, hubs, make, built = state
        for v, d in hubs:
            if v not in on_path:
                skipped[v] = d
        new_hub = hub + pen_u
        for hv in range(max_length - length):  # only neighbours that can still reach the target in time
            if not built[hv]:
                buckets[hv] = [make(k) for k in buckets[hv]]
                built[hv] = True
            for v, s, e, par in buckets[hv]:
                if v in on_path and not (loop and v == target):
                    continue
                w = min(weakest, e.evidence_rank)
                bound = _score(w, length + 1 + hv, new_hub)
                heapq.heappush(heap, (-bound, length + 1, (*nodes, v), (*signs, s), counter,
                                      (prefix_steps, (*hops, (u, v, s, e, par)), w, new_hub)))
                counter += 1
        if len(heap) > max_states:
            reason = "memory budget"
            break
    res.paths = found
    res.expanded = pops
    _finish(res, started, reason is not None or timed_out, reason or ("timeout" if timed_out else None),
            skipped, graph_cut(g))
    return res


def _finish(res: PathSearch, started: float, truncated: bool, reason: str | None,
            skipped: dict[str, int], cut: str | None = None) -> None:
    if cut is not None:  # a remote graph's budget stopped answering: the search saw part of the graph
        truncated, reason = True, cut if reason in (None, cut) else f"{reason}; {cut}"
    res.skipped_hubs = sorted(skipped.items())
    res.truncated = truncated
    res.reason = reason
    if skipped and not truncated:
        res.truncated = True
        res.reason = "hubs skipped"
    elif skipped:
        res.reason = f"{reason}; hubs skipped"
    res.elapsed = time.monotonic() - started
