"""The persistent store: layout, atomic swap, memory-mapped opening, name resolution, State wiring."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from kg.cli.main import main
from kg.store.store import Store, StoreError

FIXTURE = Path(__file__).parent / "fixtures" / "store"

NODES = ("id\tcategory\tname\tsynonym\n"
         "HGNC:1111\tbiolink:Gene\tgene one\tG1\n"
         "HGNC:2222\tbiolink:Gene\tgene two\t\n")
EDGES = ("subject\tpredicate\tobject\tobject_aspect_qualifier\tobject_direction_qualifier\tpublications\n"
         "HGNC:17635\tbiolink:affects\tHGNC:1111\tactivity\tincreased\tPMID:1|PMID:2\n"
         "HGNC:1111\tbiolink:affects\tHGNC:2222\texpression\tdecreased\t\n"
         "HGNC:2222\tbiolink:affects\tivkg:t-cell-infiltration\t\tincreased\t\n")


def kg_run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, ["--data", str(FIXTURE), *args], catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def store(tmp_path: Path) -> Path:
    (tmp_path / "nodes.tsv").write_text(NODES, encoding="utf-8")
    (tmp_path / "edges.tsv").write_text(EDGES, encoding="utf-8")
    code, _, err = kg_run("import", str(tmp_path / "nodes.tsv"), str(tmp_path / "edges.tsv"),
                          "--store", str(tmp_path / "s"))
    assert code == 0, err
    return tmp_path / "s"


def test_layout_and_arrays(store: Path) -> None:
    gens = sorted(p.name for p in store.iterdir())
    assert gens[0] == "CURRENT" and len(gens) == 2 and gens[1].startswith("gen-1-")
    st = Store(store)
    assert (st.n_nodes, st.n_edges) == (9, 10)  # 6 entities + 1 trial curated, 2 imported
    man = json.loads((store / "CURRENT" / "manifest.json").read_text("utf-8"))
    assert man["counts"]["store edges"] == 10 and man["sources"] == ["curated", "edges.tsv"]
    # CSR indexes agree with the edge arrays.
    for i in range(st.n_nodes):
        assert all(int(st.e_s[e]) == i for e in st.out_edges(i))
        assert all(int(st.e_o[e]) == i for e in st.in_edges(i))
    assert sum(st.out_degree(i) for i in range(st.n_nodes)) == st.n_edges
    # Memory-mapped, not read: the array's buffer is the mapped file.
    assert isinstance(st.e_s.base, np.memmap) or not st.e_s.flags.owndata


def test_edges_carry_sign_evidence_source_and_publications(store: Path) -> None:
    st = Store(store)
    pdl1, g1 = st.node("HGNC:17635"), st.node("HGNC:1111")
    assert pdl1 is not None and g1 is not None
    (e,) = st.edges_between(pdl1, g1)
    assert st.edge(e) == {"subject": "HGNC:17635", "predicate": "increases_activity", "object": "HGNC:1111",
                          "sign": 1, "causal": True, "evidence": "", "evidence_rank": 0,
                          "source": "edges.tsv", "publications": ["PMID:1", "PMID:2"]}
    curated = [st.edge(int(x)) for x in st.out_edges(pdl1) if st.edge(int(x))["source"] == "curated"]
    assert [(c["predicate"], c["object"], c["evidence"]) for c in curated] == [
        ("increases_secretion", "HGNC:12680", "review_assertion")]
    assert curated[0]["statement_id"].startswith("st-")


def test_name_resolution(store: Path) -> None:
    st = Store(store)
    assert st.nodes_named("G1") == [st.node("HGNC:1111")]
    assert st.nodes_named("gene-one") == [st.node("HGNC:1111")]
    assert st.nodes_named("pdl1") == [st.node("HGNC:17635")]
    assert st.nodes_named("nothing") == []
    assert [st.labels[i] for i, _ in st.search("gene")] == ["gene one", "gene two"]


def test_open_maps_arrays_and_missing_store_is_a_clear_error(store: Path, tmp_path: Path) -> None:
    import numpy as np

    st = Store(store)
    # Opening maps the arrays instead of reading them, which is why it costs milliseconds at any size
    # (timed in bench/): the edge arrays are views on the files.
    assert isinstance(st.e_s, np.memmap) or isinstance(getattr(st.e_s, "base", None), np.memmap)
    with pytest.raises(StoreError, match="store not found"):
        Store(tmp_path / "nope")
    code, _, err = kg_run("--store", str(tmp_path / "nope"), "store")
    assert code == 1 and err.startswith("kg: error: store not found:")


def test_reimport_swaps_generations(store: Path, tmp_path: Path) -> None:
    first = (store / "CURRENT").readlink()
    code, _, _ = kg_run("import", str(tmp_path / "edges.tsv"), "--store", str(store))
    assert code == 0
    second = (store / "CURRENT").readlink()
    # The replaced generation stays for readers that resolved CURRENT before the swap (issue 14) ...
    assert second != first and (store / first).exists()
    assert str(second).startswith("gen-2-")
    # ... until the next import replaces the live one.
    assert kg_run("import", str(tmp_path / "edges.tsv"), "--store", str(store))[0] == 0
    assert not (store / first).exists() and (store / second).exists()


def test_state_gives_store_backed_graph_and_sparql(store: Path) -> None:
    from kg.cli.common import State
    from kg.paths.graph import PathGraph
    from kg.paths.search import find_paths

    state = State(FIXTURE, store)
    g = state.path_graph()
    assert isinstance(g, PathGraph)
    assert g.node_info("HGNC:1111").label == "gene one"
    res = find_paths(g, "HGNC:17635", "ivkg:t-cell-infiltration", max_length=4, limit=10)
    got = sorted((p.nodes, p.net_sign) for p in res.paths)
    assert got == [(["HGNC:17635", "HGNC:1111", "HGNC:2222", "ivkg:t-cell-infiltration"], -1),
                   (["HGNC:17635", "HGNC:12680", "ivkg:t-cell-infiltration"], -1)]
    ox = state.sparql_store()
    q = ("SELECT ?o WHERE { <http://identifiers.org/hgnc/1111> "
         "<https://w3id.org/ivkg/decreases_expression> ?o }")
    assert [r["o"].value for r in ox.query(q)] == ["http://identifiers.org/hgnc/2222"]
    assert state.resolve("gene one").id.identifier == "1111"
    assert state.resolve("PD-L1").label == "PD-L1"


def test_store_option_after_the_command_and_show(store: Path) -> None:
    code, out, _ = kg_run("store", "--store", str(store), "--format", "json")
    assert code == 0 and json.loads(out)["edges"] == 10
    code, out, err = kg_run("show", "gene one", "--store", str(store))
    assert code == 0, err
    assert "gene one" in out


def test_curated_graph_path_graph_without_store() -> None:
    from kg.cli.common import State

    state = State(FIXTURE)
    g = state.path_graph()
    assert g.has_node("HGNC:12680") and not g.has_node("HGNC:1111")
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://w3id.org/ivkg/inhibits> ?o }"
    (row,) = list(state.sparql_store().query(q))
    assert row["n"].value == "1"
