"""The path search stays bounded on a generated graph of 200,000 edges with hubs (fixed seed)."""

from __future__ import annotations

import random

import pytest

from kg.paths.graph import EdgeInfo, ListGraph
from kg.paths.reach import find_loops, neighbors
from kg.paths.search import find_paths

N_NODES = 40_000
N_EDGES = 200_000
HUBS = [f"n{i}" for i in range(5)]
PREDICATES = ("increases_activity", "decreases_activity", "positively_regulates", "negatively_regulates")
EVIDENCE = ("in_vitro", "preclinical_in_vivo", "clinical")
SOURCE, TARGET = "src", "dst"


@pytest.fixture(scope="module")
def big() -> ListGraph:
    rng = random.Random(20260101)
    g = ListGraph()
    names = [f"n{i}" for i in range(N_NODES)]
    for name in names:
        g.add_node(name)
    # Edges share a few prototype records (ids repeat; the search does not rely on them).
    protos = [EdgeInfo.of(f"{p}-{e}", p, e) for p in PREDICATES for e in EVIDENCE]
    pairs: list[tuple[str, str]] = []
    # Hubs: each touches ~5,000 random nodes in each direction (a quarter of the edges).
    for h in HUBS:
        pairs += [(h, v) for v in rng.choices(names, k=N_EDGES // 40)]
        pairs += [(v, h) for v in rng.choices(names, k=N_EDGES // 40)]
    rest = N_EDGES - len(pairs) - 30
    pairs += list(zip(rng.choices(names, k=rest), rng.choices(names, k=rest), strict=True))
    # Source and target: wired to the hubs and to the random bulk, plus one planted chain.
    pairs += [(SOURCE, h) for h in HUBS] + [(h, TARGET) for h in HUBS]
    pairs += [(SOURCE, v) for v in rng.choices(names[5:], k=10)]
    pairs += [(v, TARGET) for v in rng.choices(names[5:], k=10)]
    for (s, o), proto in zip(pairs, rng.choices(protos, k=len(pairs)), strict=True):
        g.add_edge(s, o, proto)
    g.add_edge(SOURCE, "chain1", EdgeInfo.of("planted1", "inhibits", "clinical"))
    g.add_edge("chain1", "chain2", EdgeInfo.of("planted2", "increases_activity", "clinical"))
    g.add_edge("chain2", TARGET, EdgeInfo.of("planted3", "positively_regulates", "clinical"))
    g.add_edge("chain2", "chain1", EdgeInfo.of("planted4", "decreases_activity", "in_vitro"))
    return g


def test_graph_size(big):
    assert sum(big.out_degree(v) for v in big.nodes()) == N_EDGES + 4
    assert min(big.out_degree(h) + big.in_degree(h) for h in HUBS) > 9_000


def test_hubs_are_skipped_and_search_stays_small(big):
    res = find_paths(big, SOURCE, TARGET, limit=5)
    # The work done, not the wall time, is what the test pins down (speed is measured in bench/).
    assert res.expanded < 100, res.expanded
    assert res.paths[0].nodes == [SOURCE, "chain1", "chain2", TARGET]
    assert res.paths[0].net_sign == -1 and res.paths[0].score == 4.0
    assert res.truncated is True
    assert "hubs skipped" in (res.reason or "")
    assert {n for n, _ in res.skipped_hubs} == set(HUBS)
    assert all(not (set(p.nodes[1:-1]) & set(HUBS)) for p in res.paths)


def test_limit_on_hub_paths(big):
    res = find_paths(big, SOURCE, TARGET, limit=3, max_length=2, hub_degree=10**9)
    assert len(res.paths) == 3 and res.truncated and res.reason == "limit"
    assert all(p.nodes[1] in HUBS for p in res.paths)
    assert all(p.components["hub_penalty"] > 2 for p in res.paths)  # log10(~16000 / 20) each


def test_timeout_without_hub_culling(big):
    # An impossible --via forces the search to look at every path: the time budget, not the
    # (unbounded) expansion budget, is what stops it, and it says so.
    res = find_paths(big, SOURCE, TARGET, via=["chain1", "n7"], hub_degree=10**9, timeout=0.3,
                     max_expansions=10**9)
    assert res.truncated and res.reason == "timeout"
    assert res.paths == []


def test_expansion_budget(big):
    res = find_paths(big, SOURCE, TARGET, via=["chain1", "n7"], max_expansions=10)
    assert res.truncated and res.reason == "expansion budget; hubs skipped" and res.expanded == 11


def test_loops_and_neighbors_are_bounded(big):
    loops = find_loops(big, "chain1", max_length=4, limit=10, timeout=1.0)
    assert [(p.nodes, p.net_sign) for p in loops.loops] == [(["chain1", "chain2", "chain1"], -1)]
    everywhere = find_loops(big, max_length=4, limit=10, timeout=0.3)
    assert everywhere.truncated and everywhere.reason == "timeout"
    reached = neighbors(big, SOURCE, "down", 3, limit=1000, timeout=0.5)
    assert {r.node for r in reached if r.depth == 1} >= set(HUBS)
    assert all(not set(p.nodes[1:-1]) & set(HUBS) for r in reached for p in r.paths)
    assert max(r.depth for r in reached) == 3
