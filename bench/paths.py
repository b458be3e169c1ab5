#!/usr/bin/env python
"""In-process path search of ours against rustworkx, igraph and networkx over the same edges and bounds.

    python bench/paths.py --store DIR --source HGNC:12680 --target HGNC:5438 --max-length 4 --limit 10

The baselines get the edges our default search may walk: causal signed statements, one edge per
(subject, object), none touching a hub (total degree above --hub-degree) other than the source and the
target. They enumerate every simple route of at most --max-length steps; ours is timed twice, for the
best --limit routes (what `kg path` answers) and for all of them (``ours_all_ms``, the same work as the
baselines). ``same_routes`` says our full answer's node sequences are exactly the baselines' (and the
best --limit are among them). The BFS part times ``neighbors --depth D`` (down) against a depth-limited
BFS of each library, hubs reached but not expanded, and compares the reached node sets.

Prints one JSON object; each time is the median of --repeat runs, graph construction timed apart
(``*_build_ms``). ``peak_rss_mb`` is the process peak, ``ours_peak_rss_mb`` the peak before any
baseline graph is built.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.paths.reach import neighbors
from kg.paths.search import DEFAULT_HUB_DEGREE, find_paths
from kg.store.pathgraph import StorePathGraph
from kg.store.store import Store


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2), out


def walkable(st: Store) -> np.ndarray:
    """Edges of the default filter: causal, signed (what EdgeFilter.make() allows)."""
    g = StorePathGraph(st)
    return np.flatnonzero(g._allowed(_default_filter())[st.e_pred])


def _default_filter() -> Any:
    from kg.paths.graph import EdgeFilter

    return EdgeFilter.make()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--max-length", type=int, default=4)
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--depth", type=int, default=2, help="neighbors --depth for the BFS comparison")
    ap.add_argument("--hub-degree", type=int, default=DEFAULT_HUB_DEGREE)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-networkx", action="store_true", help="skip networkx (slow to build at 10^6)")
    a = ap.parse_args()
    st = Store(a.store)
    s, t = st.node(a.source), st.node(a.target)
    if s is None or t is None:
        print(f"error: unknown node {a.source if s is None else a.target!r} in {a.store}", file=sys.stderr)
        return 2
    out: dict[str, Any] = {"edges": st.n_edges, "nodes": st.n_nodes, "max_length": a.max_length,
                           "limit": a.limit}
    bounds = {"max_length": a.max_length, "hub_degree": a.hub_degree, "timeout": 600.0}
    out["ours_ms"], best = _timed(lambda: find_paths(StorePathGraph(st), a.source, a.target, limit=a.limit,
                                                      **bounds), a.repeat)
    out["ours_all_ms"], full = _timed(lambda: find_paths(
        StorePathGraph(st), a.source, a.target, limit=10**7, max_expansions=10**8, max_states=10**8,
        **bounds), a.repeat)
    out["paths"] = len(best.paths)
    out["ours_routes"] = len({tuple(p.nodes) for p in full.paths})
    out["ours_truncated"] = full.reason
    out["ours_neighbors_ms"], reached = _timed(lambda: neighbors(
        StorePathGraph(st), a.source, "down", a.depth, limit=10**7, hub_degree=a.hub_degree, timeout=600.0),
        a.repeat)
    out["ours_peak_rss_mb"] = _rss_mb()

    # The baselines' edges, in store node indices.
    eids = walkable(st)
    subj, obj = st.e_s[eids].astype(np.int64), st.e_o[eids].astype(np.int64)
    deg = np.diff(st.out_ptr) + np.diff(st.in_ptr)
    hub = deg > a.hub_degree
    hub[[s, t]] = False
    pairs = np.unique(np.stack([subj, obj], axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    route_pairs = list(map(tuple, pairs[~hub[pairs[:, 0]] & ~hub[pairs[:, 1]]].tolist()))
    bfs_hub = deg > a.hub_degree
    bfs_hub[s] = False
    bfs_pairs = list(map(tuple, pairs[~bfs_hub[pairs[:, 0]]].tolist()))  # a hub is reached, never expanded
    n = st.n_nodes
    ids = st.ids
    ours_set = {tuple(p.nodes) for p in full.paths}
    ours_best = {tuple(p.nodes) for p in best.paths}
    ours_reached = {r.node for r in reached}
    same, same_bfs = True, True

    def routes(paths: Any) -> set[tuple[str, ...]]:
        return {tuple(ids[int(v)] for v in p) for p in paths}

    import rustworkx as rx

    t0 = time.perf_counter()
    rg = rx.PyDiGraph(multigraph=False)
    rg.add_nodes_from(range(n))
    rg.extend_from_edge_list(route_pairs)
    rb = rx.PyDiGraph(multigraph=False)
    rb.add_nodes_from(range(n))
    rb.extend_from_edge_list(bfs_pairs)
    out["rustworkx_build_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    out["rustworkx_ms"], rp = _timed(lambda: rx.digraph_all_simple_paths(rg, s, t, cutoff=a.max_length + 1),
                                     a.repeat)

    def rx_bfs() -> set[int]:
        seen, frontier = {s}, [s]
        for _ in range(a.depth):
            nxt = []
            for u in frontier:
                for v in rb.successor_indices(u):
                    if v not in seen:
                        seen.add(v)
                        nxt.append(v)
            frontier = nxt
        return seen - {s}

    out["rustworkx_bfs_ms"], rbfs = _timed(rx_bfs, a.repeat)
    base = routes(rp)
    out["routes"] = len(base)
    same &= base == ours_set and ours_best <= base
    same_bfs &= {ids[v] for v in rbfs} == ours_reached

    import igraph as ig

    t0 = time.perf_counter()
    gg = ig.Graph(n=n, edges=route_pairs, directed=True)
    gb = ig.Graph(n=n, edges=bfs_pairs, directed=True)
    out["igraph_build_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    out["igraph_ms"], ip = _timed(lambda: gg.get_all_simple_paths(s, to=t, maxlen=a.max_length, mode="out"),
                                  a.repeat)
    out["igraph_bfs_ms"], ibfs = _timed(lambda: gb.neighborhood(s, order=a.depth, mode="out", mindist=1),
                                        a.repeat)
    same &= routes(ip) == base
    same_bfs &= {ids[v] for v in ibfs} == ours_reached

    if not a.no_networkx:
        import networkx as nx

        t0 = time.perf_counter()
        ng = nx.DiGraph()
        ng.add_nodes_from(range(n))
        ng.add_edges_from(route_pairs)
        nb = nx.DiGraph()
        nb.add_nodes_from(range(n))
        nb.add_edges_from(bfs_pairs)
        out["networkx_build_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        out["networkx_ms"], np_ = _timed(lambda: list(nx.all_simple_paths(ng, s, t, cutoff=a.max_length)),
                                         a.repeat)
        out["networkx_bfs_ms"], nbfs = _timed(
            lambda: set(nx.single_source_shortest_path_length(nb, s, cutoff=a.depth)) - {s}, a.repeat)
        same &= routes(np_) == base
        same_bfs &= {ids[v] for v in nbfs} == ours_reached
    else:
        out["networkx_ms"] = None
    out["same_routes"] = bool(same)
    out["same_neighbours"] = bool(same_bfs)
    out["neighbours"] = len(ours_reached)
    out["ratio_vs_rustworkx"] = round(out["ours_all_ms"] / max(out["rustworkx_ms"], 1e-3), 2)
    out["peak_rss_mb"] = _rss_mb()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
