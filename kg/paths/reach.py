"""What one entity reaches: the feedback loops through it and its up- or downstream neighbours.

Both are built on the path machinery of :mod:`kg.paths.search` (the same causal, signed steps, the same
scoring and the same budgets), so a loop or a neighbour's path reads exactly like a path of ``kg path``.

>>> from kg.paths.graph import ListGraph
>>> g = ListGraph.from_edges([("A", "B", "increases_activity"), ("B", "A", "decreases_activity")])
>>> [(loop.nodes, loop.net_sign) for loop in find_loops(g, "A").loops]
[(['A', 'B', 'A'], -1)]
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kg.paths.graph import EdgeFilter, graph_cut, know
from kg.paths.graph import FilteredAdjacency as _Adjacency
from kg.paths.search import (
    CHECK_EVERY,
    DEFAULT_HUB_DEGREE,
    MAX_RANK,
    Path,
    PathError,
    Step,
    as_pathgraph,
    build_path,
    check_node,
    class_prefix,
    find_paths,
    step_of,
)

__all__ = ["LoopSearch", "Neighbors", "Reached", "find_loops", "neighbors"]


@dataclass
class LoopSearch:
    entity: str | None
    loops: list[Path] = field(default_factory=list)
    truncated: bool = False
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"entity": self.entity,
                "loops": [{**p.to_json(), "sign": p.net_sign} for p in self.loops],
                "truncated": self.truncated, "reason": self.reason}


# ------------------------------------------------------------------------------------------------
# Loops
# ------------------------------------------------------------------------------------------------

def find_loops(g: Any, entity: str | None = None, max_length: int = 4, limit: int = 20, *,
               predicates: Iterable[str] | None = None, min_evidence: str | None = None,
               species: str | None = None, timeout: float = 10.0,
               hub_degree: int = DEFAULT_HUB_DEGREE, max_loops: int = 10_000) -> LoopSearch:
    """Directed causal cycles up to ``max_length`` steps, each with its sign (product of step signs).

    With ``entity``, the loops through it (starting there); otherwise every loop, each written from its
    smallest node id. Loops are ranked like paths (weakest evidence, length, hubs).
    """
    g = as_pathgraph(g)
    if max_length < 1 or limit < 1:
        raise PathError("max_length and limit must be at least 1")
    if entity is not None:
        res = find_paths(g, entity, entity, max_length=max_length, limit=limit, predicates=predicates,
                         min_evidence=min_evidence, species=species, timeout=timeout,
                         hub_degree=hub_degree, classes=False)
        return LoopSearch(entity, res.paths, res.truncated, res.reason)
    deadline = time.monotonic() + timeout
    adj = _Adjacency(g, EdgeFilter.make(predicates, min_evidence, species))
    out = LoopSearch(None)
    loops: list[Path] = []
    ticks = 0
    starts = sorted(g.nodes())
    know(g, starts)  # a remote graph: every node's degree, then every causal edge, in chunks,
    adj.prefetch(starts)  # within its row budget
    for s in starts:
        if adj.degree(s) > hub_degree or not adj.succ(s):
            continue
        stack: list[tuple[str, list[Step]]] = [(s, [])]
        while stack:
            ticks += 1
            if ticks % CHECK_EVERY == 0 and time.monotonic() > deadline:
                out.truncated, out.reason = True, "timeout"
                break
            u, steps = stack.pop()
            on_path = {s, *(st.object for st in steps)}
            for v, sg, e, par in reversed(adj.succ(u)):
                step = step_of(g, u, v, sg, e, par)
                if v == s:
                    loops.append(build_path(g, adj, [*steps, step], skip_hub=[s]))
                elif v > s and v not in on_path and len(steps) + 1 < max_length \
                        and adj.degree(v) <= hub_degree:
                    stack.append((v, [*steps, step]))
            if len(loops) >= max_loops:
                out.truncated, out.reason = True, "loop budget"
                break
        if out.truncated:
            break
    cut = graph_cut(g)
    if cut is not None:
        out.truncated, out.reason = True, out.reason or cut
    loops.sort(key=lambda p: (-p.score, p.length, p.nodes, [st.sign for st in p.steps]))
    if len(loops) > limit:
        out.truncated, out.reason = True, out.reason or "limit"
    out.loops = loops[:limit]
    return out


# ------------------------------------------------------------------------------------------------
# Neighbours
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reached:
    node: str
    label: str
    category: str
    direction: str
    depth: int
    #: +1 or -1 when every shortest path agrees; 0 when they disagree (both are in ``signs``).
    net_sign: int
    signs: tuple[int, ...]
    paths: tuple[Path, ...]

    def to_json(self) -> dict[str, Any]:
        return {"node": self.node, "label": self.label, "category": self.category,
                "direction": self.direction, "depth": self.depth, "net_sign": self.net_sign,
                "signs": list(self.signs), "conflict": len(self.signs) > 1,
                "paths": [p.to_json() for p in self.paths]}


class Neighbors(list[Reached]):
    """The reached nodes, and whether the search stopped early (``truncated``) and why (``reason``)."""

    truncated: bool = False
    reason: str | None = None


def neighbors(g: Any, entity: str, direction: str = "down", depth: int = 1, *,
              predicates: Iterable[str] | None = None, min_evidence: str | None = None,
              species: str | None = None, perturbation: int = 1, limit: int = 500,
              hub_degree: int = DEFAULT_HUB_DEGREE, timeout: float = 10.0,
              unsigned: bool = False) -> Neighbors:
    """Nodes reachable downstream (effects) or upstream (regulators) within ``depth`` causal steps.

    Each reached node carries the net sign of the shortest paths (``perturbation=-1`` answers "what does
    blocking ``entity`` do?" by flipping downstream signs). Hubs are reached but not expanded further.
    The result says when it stopped early: ``truncated`` with ``reason`` ``limit`` (more nodes than
    ``limit``) or ``timeout``. ``unsigned=True`` walks sign-0 edges too (their nodes get net sign 0).
    """
    g = as_pathgraph(g)
    check_node(g, entity, "entity")
    if direction not in ("up", "down", "both"):
        raise PathError("direction must be up, down or both")
    if depth < 1:
        raise PathError("depth must be at least 1")
    adj = _Adjacency(g, EdgeFilter.make(predicates, min_evidence, species, unsigned))
    deadline = time.monotonic() + timeout
    result: list[Reached] = []
    out = Neighbors()
    for d in (("down", "up") if direction == "both" else (direction,)):
        down = d == "down"
        starts: list[tuple[str, list[Step]]] = [(entity, [])]
        if down:
            starts += sorted(class_prefix(g, entity).items())
        frontier: dict[tuple[str, int], list[Any]] = {(n, 1): st for n, st in starts}
        settled = {n for n, _ in starts}
        for level in range(1, depth + 1):
            if time.monotonic() > deadline:
                out.truncated, out.reason = True, "timeout"
                break
            reached: dict[tuple[str, int], list[Any]] = {}
            adj.prefetch([u for (u, _), _ in frontier.items() if level == 1 or adj.degree(u) <= hub_degree],
                         down)  # one round trip per level on a remote graph
            for i, ((u, net), steps) in enumerate(sorted(frontier.items())):
                if i % CHECK_EVERY == CHECK_EVERY - 1 and time.monotonic() > deadline:
                    out.truncated, out.reason = True, "timeout"
                    break
                if level > 1 and adj.degree(u) > hub_degree:
                    continue
                for v, s, e, par in (adj.succ(u) if down else adj.pred(u)):
                    if v in settled:
                        continue
                    step = (u, v, s, e, par) if down else (v, u, s, e, par)  # a Step once reported
                    key = (v, net * s)
                    new = [*steps, step] if down else [step, *steps]
                    old = reached.get(key)
                    if old is None or _weakest(new) > _weakest(old):
                        reached[key] = new
            by_node: dict[str, list[tuple[int, list[Any]]]] = {}
            for (v, net), steps in reached.items():
                by_node.setdefault(v, []).append((net, steps))
            for v in sorted(by_node):
                if len(result) > limit:  # rows past limit + 1 are cut anyway: build none of them
                    break
                variants = sorted(by_node[v], key=lambda x: -x[0])
                signs = tuple(n * (perturbation if down else 1) for n, _ in variants)
                info = g.node_info(v)
                paths = tuple(build_path(g, adj, [x if isinstance(x, Step) else step_of(g, *x) for x in st])
                              for _, st in variants)
                result.append(Reached(v, info.label, info.category, d, level,
                                      signs[0] if len(signs) == 1 else 0, signs, paths))
            settled |= set(by_node)
            frontier = reached
            if len(result) >= limit:
                # More levels (or the other direction) were left: the answer may be incomplete.
                if level < depth or (direction == "both" and d == "down"):
                    out.truncated, out.reason = True, out.reason or "limit"
                break
        if len(result) >= limit:
            break
    if len(result) > limit:
        out.truncated, out.reason = True, out.reason or "limit"
    cut = graph_cut(g)
    if cut is not None:
        out.truncated, out.reason = True, out.reason or cut
    out.extend(result[:limit])
    return out


def _weakest(steps: list[Any]) -> int:
    """Weakest rank of the causal steps: Steps (class hops) and the (subject, object, sign, edge,
    parallel) tuples that become Steps when their node is reported."""
    return min((s[3].evidence_rank if type(s) is tuple else s.evidence_rank for s in steps
                if type(s) is tuple or not s.membership), default=MAX_RANK)
