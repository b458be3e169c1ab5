"""Issue 15.1: path, neighbors, loops, show, effect and explain over a real SPARQL endpoint.

Two real servers, started on 127.0.0.1 on a free port: ``kg serve`` over the curated graph, and the
``oxigraph serve-read-only`` binary over a generated graph. Every answer must equal the local one exactly
(JSON payloads, apart from the ``remote`` cost report), in round trips bounded by the search depth.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import serving, stop

from kg.core.model import KG, Curie, Entity, Statement
from kg.core.vocab import EVIDENCE_LEVELS, PREDICATES
from kg.graphs.nx import to_networkx
from kg.graphs.rdf import to_ntriples
from kg.paths.graph import as_pathgraph
from kg.paths.reach import find_loops, neighbors
from kg.paths.search import find_paths
from kg.sparql.pathgraph import RemotePathGraph
from kg.sparql.remote import open_remote

KG_BIN = str(Path(sys.executable).parent / "kg")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """`kg serve --port 0` over the curated graph; the URL it prints."""
    with serving("--workers", "1", "--timeout-s", "60") as (_, url):
        yield url


def _json(cli: Any, *args: str) -> dict[str, Any]:
    r = cli(*args, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)  # type: ignore[no-any-return]


def _both(cli: Any, url: str, *args: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    local = _json(cli, *args)
    remote = _json(cli, *args, "--endpoint", url)  # accepted after the command, like --store
    report = remote.pop("remote")
    return local, remote, report


CASES = [
    ("path", "bevacizumab", "CD8+ T cell", "--max-length", "4", "--timeout", "60"),
    ("path", "VEGF-A", "PD-1", "--species", "human", "--timeout", "60"),
    ("path", "atezolizumab", "vascular normalization", "--timeout", "60"),
    ("path", "bevacizumab", "CD8+ T cell", "--min-evidence", "preclinical_in_vivo", "--species", "mouse",
     "--timeout", "60"),
    ("neighbors", "VEGF-A", "--depth", "3", "--direction", "both", "--timeout", "60"),
    ("neighbors", "PD-L1", "--depth", "2", "--direction", "up", "--unsigned", "--timeout", "60"),
    ("loops", "VEGF-A", "--max-length", "3", "--timeout", "60"),
    ("loops", "--max-length", "2", "--timeout", "60"),
    ("effect", "atezolizumab + bevacizumab", "--timeout", "120"),
]


@pytest.mark.curated
@pytest.mark.parametrize("args", CASES, ids=[" ".join(c[:3]) for c in CASES])
def test_curated_answers_equal_local(cli, endpoint, args):
    local, remote, report = _both(cli, endpoint, *args)
    assert remote == local
    found = local.get("paths") or local.get("neighbors") or local.get("loops") or local.get("outcomes")
    assert found, "a case that finds nothing proves nothing"
    assert report["cut"] is None and report["round_trips"] >= 1
    if args[0] == "path":
        # Two queries (edges, then labels and degrees) per level of the breadth-first pass and of the
        # best-first pass, per level of class hops, and the names: bounded by the depth, not the nodes.
        # (Measured on the curated graph: 16-24 queries for these searches.)
        assert report["round_trips"] <= 4 * 4 + 12, report
    if args[:2] == ("loops", "--max-length"):
        # Every loop of the graph: the node list, their degrees, then every causal edge in one query.
        assert report["round_trips"] <= 4, report
    if args[0] == "neighbors":
        depth = int(args[args.index("--depth") + 1])
        assert report["round_trips"] <= 2 * depth * (2 if "both" in args else 1) + 8, report


@pytest.mark.curated
def test_round_trips_do_not_grow_with_nodes(cli, endpoint):
    local, remote, report = _both(cli, endpoint, "neighbors", "VEGF-A", "--depth", "6", "--direction",
                                  "both", "--timeout", "60")
    assert remote == local
    # Every level's nodes in one query (and one for their names): fewer queries than nodes reached.
    assert report["round_trips"] <= 2 * 6 * 2 + 8 and report["round_trips"] < len(local["neighbors"]) / 2


@pytest.mark.curated
def test_show_explain_and_names_over_the_endpoint(cli, endpoint):
    for name in ("bevacizumab", "PD-L1", "HGNC:12680", "CD274"):
        local = _json(cli, "show", name)
        assert _json(cli, "--endpoint", endpoint, "show", name) == local
        assert local["outgoing"] or local["incoming"]
    local, remote, _ = _both(cli, endpoint, "explain", "atezolizumab + bevacizumab", "--timeout", "120")
    assert remote == local
    hits = _json(cli, "search", "PD-L1", "--endpoint", endpoint)
    assert hits[0]["id"] == "HGNC:17635" and hits[0]["score"] == 1.0
    r = cli("--endpoint", endpoint, "path", "no such thing", "PD-L1")
    assert r.exit_code == 1 and "unknown entity 'no such thing' at the endpoint" in r.output


@pytest.mark.curated
def test_budgets_say_when_they_cut(cli, endpoint):
    full = _json(cli, "neighbors", "VEGF-A", "--depth", "3", "--timeout", "60")
    assert not full["truncated"]
    for opt, n, why in (("--max-round-trips", "6", "round-trip budget"), ("--max-rows", "120", "row budget")):
        cut = _json(cli, "neighbors", "VEGF-A", "--depth", "3", "--endpoint", endpoint, opt, n)
        assert cut["truncated"] is True and cut["reason"] == why, cut["remote"]
        assert cut["remote"]["cut"] == why and 0 < len(cut["neighbors"]) < len(full["neighbors"])
        # What was found before the cut is what the full search found (a prefix of its levels).
        assert all(r in full["neighbors"] for r in cut["neighbors"] if r["depth"] == 1)
    cut = _json(cli, "path", "bevacizumab", "CD8+ T cell", "--endpoint", endpoint, "--max-round-trips", "5")
    assert cut["truncated"] is True and "round-trip budget" in cut["reason"]
    assert cut["remote"]["round_trips"] == 5
    limited = _json(cli, "neighbors", "VEGF-A", "--depth", "3", "--limit", "5", "--endpoint", endpoint)
    assert limited["truncated"] is True and limited["reason"] == "limit" and len(limited["neighbors"]) == 5


def test_unreachable_endpoint_is_one_line(cli):
    r = cli("--endpoint", "http://127.0.0.1:9/query", "path", "A", "B")
    assert r.exit_code == 1 and r.output.startswith("kg: error: cannot reach http://127.0.0.1:9/query")


# ------------------------------------------------------------------------------------------------
# A generated graph on the oxigraph server binary
# ------------------------------------------------------------------------------------------------

def generated_kg(n: int = 80, m: int = 400, seed: int = 15) -> KG:
    rnd = random.Random(seed)
    kg = KG()
    nodes = [Curie("ivkg", f"g{i}") for i in range(n)]
    for i, c in enumerate(nodes):
        kg.entities[c] = Entity(c, f"node {i}", "gene" if i % 3 else "process")
    preds = [p for p, v in PREDICATES.items() if v.causal and v.sign] + ["binds"]
    seen: set[str] = set()
    for j in range(m):
        # A few hubs, so that hub penalties and skipped hubs are compared too.
        s = nodes[rnd.choice([0, 1, rnd.randrange(n)]) if j % 4 == 0 else rnd.randrange(n)]
        o = nodes[rnd.randrange(n)]
        st = Statement(
            s, rnd.choice(preds), o, rnd.choice(list(EVIDENCE_LEVELS)), (rnd.choice(["3", "4.2"]),),
            f"generated claim {j}", rnd.choice(["", "", "human", "mouse"]), rnd.choice(["", "a model"]),
            "", (rnd.randrange(1, 5),), tuple(Curie("PMID", str(1000 + j + k)) for k in range(j % 3)))
        if s != o and st.id not in seen:  # statement ids come from the content: keep them unique
            seen.add(st.id)
            kg.statements.append(st)
    return kg


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Iterator[tuple[KG, str]]:
    from kg.cli.cmd_sparql import oxigraph_binary

    kg = generated_kg()
    folder = tmp_path_factory.mktemp("gen")
    (folder / "graph.nt").write_text(to_ntriples(kg), encoding="utf-8")
    binary = oxigraph_binary()
    subprocess.run([binary, "load", "--location", str(folder / "db"), "--file", str(folder / "graph.nt")],
                   check=True, capture_output=True)
    with serving_binary(binary, folder / "db") as url:
        yield kg, url


def test_generated_graph_paths_equal_local(generated):
    kg, url = generated
    local = as_pathgraph(to_networkx(kg))
    remote = RemotePathGraph(open_remote(url))  # no local data: every record from the RDF
    rnd = random.Random(1)
    nodes = sorted(str(c) for c in kg.entities)
    found = 0
    for _ in range(12):
        a, b = rnd.sample(nodes, 2)
        for kw in ({}, {"min_evidence": "preclinical_in_vivo"}, {"species": "human", "unsigned": True}):
            want = find_paths(local, a, b, max_length=4, hub_degree=30, timeout=60, **kw).to_json()
            before = remote.stats.round_trips
            got = find_paths(remote, a, b, max_length=4, hub_degree=30, timeout=60, **kw).to_json()
            assert got == want, (a, b, kw)
            assert remote.stats.round_trips - before <= 4 * 4 + 4
            found += len(want["paths"])
    assert found > 20
    for node in nodes[:6]:
        want_n = neighbors(local, node, "both", 3, timeout=60)
        got_n = neighbors(remote, node, "both", 3, timeout=60)
        assert [r.to_json() for r in got_n] == [r.to_json() for r in want_n]
        assert (got_n.truncated, got_n.reason) == (want_n.truncated, want_n.reason)
    loops = find_loops(local, max_length=3, timeout=60).to_json()
    assert loops["loops"] and find_loops(remote, max_length=3, timeout=60).to_json() == loops


def test_generated_graph_cards_and_names_from_rdf_alone(generated):
    from kg.curation.lookup import NameIndex
    from kg.graphs.cards import entity_card
    from kg.sparql.names import RemoteNames

    kg, url = generated
    names = RemoteNames(RemotePathGraph(open_remote(url)))
    index = NameIndex.build(kg.entities.values())
    for i in (0, 1, 7, 42):
        ent = names.resolve(f"Node {i}")  # a label, matched as locally (case and spaces ignored)
        assert ent == index.resolve(f"node {i}") == kg.entities[Curie("ivkg", f"g{i}")]
        card, want = entity_card(names.card_graph(ent), ent), entity_card(kg, ent)
        # RDF keeps no row order: statements tied on the card's sort key are compared as sets.
        for key in ("outgoing", "incoming"):
            card[key], want[key] = (sorted(c[key], key=lambda st: st["id"]) for c in (card, want))
        assert card == want and card["outgoing"]
    assert names.resolve("IVKG:g3").id == Curie("ivkg", "g3")
    assert [h["id"] for h in names.search("node 4", 3)] == [h[0].id.__str__() for h in index.search("node 4", 3)]


# ------------------------------------------------------------------------------------------------
# An imported Biolink graph (bioregistry prefixes: NCBIGene, DRUGBANK, ...) on the oxigraph binary
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Iterator[tuple[Path, str]]:
    """The Biolink KGX fixture imported into a store; the store's own RDF served read-only."""
    import pyoxigraph as ox

    from kg.cli.cmd_sparql import oxigraph_binary
    from kg.store.store import Store, current

    kgx = Path(__file__).parent / "fixtures" / "kgx_biolink"
    folder = tmp_path_factory.mktemp("biolink")
    store = folder / "store"
    r = subprocess.run([KG_BIN, "import", str(kgx / "graph_nodes.tsv"), str(kgx / "graph_edges.tsv"),
                        "--format", "kgx", "--store", str(store), "--without-curated"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    Store(store)  # a valid store
    dump = folder / "graph.nt"
    ox.Store.read_only(str(current(store) / "oxigraph")).dump(str(dump), ox.RdfFormat.N_TRIPLES,
                                                                from_graph=ox.DefaultGraph())
    binary = oxigraph_binary()
    subprocess.run([binary, "load", "--location", str(folder / "db"), "--file", str(dump)],
                   check=True, capture_output=True)
    with serving_binary(binary, folder / "db") as url:
        yield store, url


def serving_binary(binary: str, db: Path) -> Any:
    import contextlib
    import socket
    import time
    import urllib.request

    @contextlib.contextmanager
    def run() -> Iterator[str]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen([binary, "serve-read-only", "--location", str(db), "--bind",
                                 f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/query"
        try:
            for _ in range(150):
                try:
                    urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.2)
            yield url
        finally:
            stop(proc)

    return run()


IMPORTED_CASES = [
    ("path", "DRUGBANK:DB00112", "GO:0001525", "--max-length", "3", "--unsigned"),
    ("path", "DRUGBANK:DB00112", "GO:0001525", "--max-length", "3"),
    ("neighbors", "NCBIGene:7422", "--depth", "1", "--direction", "both", "--unsigned"),
]


def _statement_ids(payload: Any, out: list[str]) -> list[str]:
    if isinstance(payload, dict):
        for k, v in payload.items():
            if k == "statement_id":
                out.append(v)
            elif k == "parallel":
                out.extend(v)
            else:
                _statement_ids(v, out)
    elif isinstance(payload, list):
        for v in payload:
            _statement_ids(v, out)
    return out


@pytest.mark.parametrize("args", IMPORTED_CASES, ids=[" ".join(c[:2]) + (" unsigned" if "--unsigned" in c else "")
                                                      for c in IMPORTED_CASES])
def test_imported_bioregistry_ids_answer_over_the_endpoint(cli, imported, args):
    """Ids under prefixes only bioregistry knows (NCBIGene, DRUGBANK) name nodes remotely as in the store,
    and the answers are the store's. One difference is by design: the store names an imported edge by its
    file and row (``graph_edges.tsv#e1``), the endpoint by its RDF statement node (``st-...``); the test
    checks that the two namings correspond one to one, then compares everything else exactly."""
    store, url = imported
    local = _json(cli, "--store", str(store), *args)
    remote = _json(cli, "--endpoint", url, *args)
    remote.pop("remote", None)
    found = local.get("paths") or local.get("neighbors")
    assert found, "a case that finds nothing proves nothing"
    ids_l, ids_r = _statement_ids(local, []), _statement_ids(remote, [])
    assert len(ids_l) == len(ids_r) and all(i.startswith("graph_edges.tsv#e") for i in ids_l)
    pairs = dict(zip(ids_l, ids_r, strict=True))
    assert len(set(pairs.values())) == len(pairs)  # one to one
    assert all(pairs[a] == b for a, b in zip(ids_l, ids_r, strict=True))
    renamed = json.loads(json.dumps(local), object_hook=lambda d: {
        k: (pairs[v] if k == "statement_id" else [pairs[x] for x in v] if k == "parallel" else v)
        for k, v in d.items()})
    assert remote == renamed


def test_imported_entity_shown_over_the_endpoint(cli, imported):
    """`show NCBIGene:7422` (VEGFA) over the endpoint: the same entity and the same statements."""
    store, url = imported
    local = _json(cli, "--store", str(store), "show", "NCBIGene:7422")
    remote = _json(cli, "--endpoint", url, "show", "NCBIGene:7422")
    for key in ("id", "label", "category"):
        assert remote[key] == local[key]
    assert (local["id"], local["label"]) == ("NCBIGene:7422", "VEGFA")

    def statements(card: dict[str, Any]) -> list[tuple[str, str, str, int]]:
        return sorted((st["subject"], st["predicate"], st["object"], st["sign"])
                      for k in ("outgoing", "incoming") for st in card[k])
    assert statements(remote) == statements(local)
    assert ("DRUGBANK:DB00112", "decreases_activity", "NCBIGene:7422", -1) in statements(local)
    # Edges kept with their own Biolink predicate are shown too, unsigned, on both sides.
    assert any(p.startswith("biolink:") and sign == 0 for _, p, _, sign in statements(local))
