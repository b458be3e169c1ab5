"""The store's array fast path answers exactly as the generic per-edge path; the memory budget cuts.

Stores are imported from a seeded graph of bench/generate.py (4,000 edges, hubs, parallel edges of the
same sign), once with the curated graph (curated nodes take the generic path inside the fast graph) and
once without it.
"""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from kg.cli.main import main
from kg.paths.graph import EdgeFilter, EdgeInfo, ListGraph
from kg.paths.reach import find_loops, neighbors
from kg.paths.search import find_paths
from kg.store.pathgraph import StorePathGraph
from kg.store.store import Store

ROOT = Path(__file__).resolve().parent.parent


class Generic:
    """Only the six PathGraph methods of a store graph: the algorithms take the generic path."""

    def __init__(self, g: StorePathGraph):
        self.has_node, self.node_info, self.nodes = g.has_node, g.node_info, g.nodes
        self.out_edges, self.in_edges = g.out_edges, g.in_edges
        self.out_degree, self.in_degree = g.out_degree, g.in_degree


@pytest.fixture(scope="module", params=["curated", "imported"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    d = tmp_path_factory.mktemp(f"fast-{request.param}")
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--edges", "4000", "--out",
                    str(d / "g"), "--no-nt"], check=True, capture_output=True)
    args = ["--store", str(d / "s"), "import", str(d / "g" / "nodes.tsv"), str(d / "g" / "edges.tsv"),
            "--format", "kgx"]
    if request.param == "imported":
        args.append("--without-curated")
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    return Store(d / "s")


def _busiest(st: Store, n: int) -> list[str]:
    deg = np.diff(st.out_ptr) + np.diff(st.in_ptr)
    return [st.ids[int(i)] for i in np.argsort(-deg, kind="stable")[:n]]


def _pairs(st: Store) -> list[tuple[str, str]]:
    busy = _busiest(st, 40)
    return [(busy[i], busy[j]) for i, j in itertools.combinations(range(3, 40, 4), 2)][:24]


def _both(st: Store, fn: Any, *args: Any, **kw: Any) -> tuple[Any, Any]:
    fast = fn(StorePathGraph(st), *args, **kw)
    slow = fn(Generic(StorePathGraph(st)), *args, **kw)
    return fast, slow


def _json(res: Any) -> Any:
    if isinstance(res, list):
        return ([r.to_json() for r in res], res.truncated, res.reason)
    out = res.to_json()
    out.pop("elapsed", None)
    return out


@pytest.mark.parametrize("options", [
    {},
    {"max_length": 5, "limit": 25, "hub_degree": 60},
    {"sign": -1, "min_evidence": "preclinical_in_vivo"},
    {"species": "human", "max_length": 3},
    {"unsigned": True, "max_length": 3, "limit": 15},
    {"predicates": ["increases_activity", "decreases_activity", "positively_regulates"]},
])
def test_paths_are_identical(store: Store, options: dict[str, Any]) -> None:
    found = 0
    for src, dst in _pairs(store):
        fast, slow = _both(store, find_paths, src, dst, timeout=600.0, **options)
        assert _json(fast) == _json(slow), (src, dst)
        found += len(fast.paths)
    assert found > 0


@pytest.mark.parametrize(("direction", "depth", "limit"), [("down", 2, 500), ("up", 2, 40), ("both", 1, 500)])
def test_neighbors_are_identical(store: Store, direction: str, depth: int, limit: int) -> None:
    for node in _busiest(store, 12):
        fast, slow = _both(store, neighbors, node, direction, depth, limit=limit, timeout=600.0,
                           hub_degree=200)
        assert _json(fast) == _json(slow), node


def test_loops_are_identical(store: Store) -> None:
    for node in _busiest(store, 6):
        fast, slow = _both(store, find_loops, node, 3, 20, timeout=600.0)
        assert _json(fast) == _json(slow), node


def _plain(hops: list[Any]) -> list[Any]:
    return [(v, s, dataclasses.astuple(e), par) for v, s, e, par in hops]


def test_fast_path_is_taken_only_without_curated_edges(store: Store) -> None:
    g = StorePathGraph(store)
    flt = EdgeFilter.make()
    answers = [g.hops(store.ids[i], True, flt) for i in range(store.n_nodes)]
    curated = [bool((store.e_src[store.out_edges(i)] == 0).any()) for i in range(store.n_nodes)]
    assert [a is None for a in answers] == curated
    # Grouped hops equal the generic grouping, and the degrees returned are the store's.
    from kg.paths.graph import FilteredAdjacency

    plain = FilteredAdjacency(Generic(g), flt)  # type: ignore[arg-type]
    for i, a in enumerate(answers):
        if a is not None:
            assert _plain(a[0]) == _plain(plain.succ(store.ids[i]))
            assert a[1] == {v: plain.degree(v) for v, *_ in a[0]}


# ------------------------------------------------------------------------------------------------
# Memory budget
# ------------------------------------------------------------------------------------------------

def _dense(n: int) -> ListGraph:
    """Every ordered pair of n nodes joined by an activating and an inhibiting edge."""
    g = ListGraph()
    k = 0
    for a, b in itertools.permutations(range(n), 2):
        for pred in ("increases_activity", "decreases_activity"):
            g.add_edge(f"n{a}", f"n{b}", EdgeInfo.of(f"e{k}", pred, "in_vitro"))
            k += 1
    return g


def test_memory_budget_cuts_and_returns_a_prefix() -> None:
    g = _dense(7)
    full = find_paths(g, "n0", "n1", max_length=5, limit=100_000, timeout=600.0, max_expansions=10**7)
    assert (full.truncated, full.reason) == (False, None)
    # 2 signs per step: 2 + 5*4 + 5*4*8 + 5*4*3*16 + 5*4*3*2*32 routes of 1..5 steps.
    assert len(full.paths) == 2 + 20 + 160 + 960 + 3840
    cut = find_paths(g, "n0", "n1", max_length=5, limit=100_000, timeout=600.0, max_expansions=10**7,
                     max_states=2_000)
    assert (cut.truncated, cut.reason) == (True, "memory budget")
    assert 0 < len(cut.paths) < len(full.paths)
    assert [p.to_json() for p in cut.paths] == [p.to_json() for p in full.paths[:len(cut.paths)]]


def test_memory_budget_default_holds_a_dense_graph_at_length_8() -> None:
    # Unbounded, this search would hold ~10^8 partial paths; the budget stops it, and says so.
    res = find_paths(_dense(10), "n0", "n1", max_length=8, limit=10**6, timeout=600.0,
                     max_expansions=10**8, max_states=50_000)
    assert (res.truncated, res.reason) == (True, "memory budget")
    assert len(res.paths) > 0


def test_max_states_option_cuts_a_dense_store_search(tmp_path: Path) -> None:
    """`kg path --max-states N` on a store: the memory budget stops the search and the answer says so."""
    import json

    edges = ["subject\tpredicate\tobject\tqualified_predicate\tobject_aspect_qualifier\tobject_direction_qualifier"]
    for a, b in itertools.permutations(range(1, 11), 2):
        for direction in ("increased", "decreased"):
            edges.append(f"HGNC:{a}\tbiolink:affects\tHGNC:{b}\tbiolink:causes\tactivity\t{direction}")
    (tmp_path / "dense_edges.tsv").write_text("\n".join(edges) + "\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(main, ["import", str(tmp_path / "dense_edges.tsv"), "--format", "kgx", "--store",
                             str(tmp_path / "s"), "--without-curated"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    args = ["--store", str(tmp_path / "s"), "path", "HGNC:1", "HGNC:2", "--max-length", "8", "--limit", "1000",
            "--timeout", "600", "--format", "json"]
    cut = json.loads(runner.invoke(main, [*args, "--max-states", "1000"], catch_exceptions=False).output)
    assert (cut["truncated"], cut["reason"]) == (True, "memory budget") and cut["paths"]
    r = runner.invoke(main, [*args, "--max-states", "10"])
    assert r.exit_code == 2 and "--max-states" in r.output
