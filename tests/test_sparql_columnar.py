"""The columnar path of ``kg --store DIR sparql``: the same answers as Oxigraph, or Oxigraph itself.

Every query runs twice on the same store, through :class:`kg.store.columnar.StoreEngine` in ``auto``
mode and forced to Oxigraph; the test asserts which engine answered and that the rows (and their
order where ORDER BY fixes it, and the JSON/CSV/TSV output) are identical.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.sparql.format import format_result
from kg.sparql.safety import RDFTerm
from kg.store.columnar import read_meta
from kg.store.sqlengine import StoreEngine
from kg.store.store import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "store"
NODES = ("id\tcategory\tname\tsynonym\n"
         "HGNC:1111\tbiolink:Gene\tgene one\tG1\n"
         "HGNC:2222\tbiolink:Gene\tgene two\t\n")
EDGES = ("subject\tpredicate\tobject\tobject_aspect_qualifier\tobject_direction_qualifier\tpublications\n"
         "HGNC:17635\tbiolink:affects\tHGNC:1111\tactivity\tincreased\tPMID:1|PMID:2\n"
         "HGNC:1111\tbiolink:affects\tHGNC:2222\texpression\tdecreased\t\n"
         "HGNC:2222\tbiolink:affects\tivkg:t-cell-infiltration\t\tincreased\t\n")


def _bench_queries() -> dict[str, str]:
    loader = importlib.machinery.SourceFileLoader("bench_run", str(ROOT / "bench" / "run"))
    spec = importlib.util.spec_from_loader("bench_run", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return dict(module.QUERIES)


BENCH = _bench_queries()
#: (name, query, whether ORDER BY fixes the whole row order)
COLUMNAR = [
    ("count star", "SELECT (COUNT(*) AS ?n) WHERE { ?st ivkg:subject ?s }", True),
    ("count of a variable", "SELECT (COUNT(?ev) AS ?n) WHERE { ?st ivkg:evidence ?ev }", True),
    ("count distinct by predicate", "SELECT ?p (COUNT(DISTINCT ?o) AS ?n) WHERE { ?st ivkg:predicate ?p ; "
     "ivkg:object ?o } GROUP BY ?p ORDER BY DESC(?n) ?p", True),
    ("type and source", "SELECT ?src (COUNT(?st) AS ?n) WHERE { ?st a ivkg:Statement ; prov:wasDerivedFrom ?src }"
     " GROUP BY ?src ORDER BY ?src", True),
    ("iri filter with and, or, not", "SELECT ?s ?o WHERE { ?s ivkg:increases_activity ?o FILTER((?s != hgnc:12680 "
     "&& ?o != hgnc:12680) || !(?s != ?o)) } ORDER BY ?s ?o LIMIT 7 OFFSET 3", True),
    ("inverse path", "SELECT DISTINCT ?x WHERE { hgnc:12680 ^ivkg:increases_activity|^ivkg:decreases_activity ?x }"
     " ORDER BY ?x", True),
    ("constant object", "SELECT ?ev (COUNT(*) AS ?n) WHERE { ?st ivkg:object hgnc:12680 ; ivkg:evidence ?ev }"
     " GROUP BY ?ev ORDER BY ?ev", True),
    ("edge joined to its statement", "SELECT DISTINCT ?s ?ev WHERE { ?s ivkg:increases_expression ?o . "
     "?st ivkg:subject ?s ; ivkg:object ?o ; ivkg:evidence ?ev } ORDER BY ?s ?ev LIMIT 20", True),
    ("sequence path", "SELECT DISTINCT ?z WHERE { hgnc:12680 ivkg:increases_activity/ivkg:positively_regulates ?z }",
     False),
    ("group by two, top 5", "SELECT ?s ?p (COUNT(DISTINCT ?o) AS ?n) WHERE { ?st ivkg:subject ?s ; "
     "ivkg:predicate ?p ; ivkg:object ?o } GROUP BY ?s ?p ORDER BY DESC(?n) ?s ?p LIMIT 5", True),
    ("order by one of two", "SELECT ?st ?s WHERE { ?st ivkg:subject ?s ; ivkg:predicate ivkg:inhibits } ORDER BY ?s",
     False),
    ("distinct evidence", "SELECT DISTINCT ?ev WHERE { ?st ivkg:evidence ?ev }", False),
]
#: Queries that need ivkg:sign, which the curated ontology also uses (so only generated stores answer them).
SIGNED = [
    ("sign filter", "SELECT ?p (COUNT(*) AS ?n) WHERE { ?st ivkg:predicate ?p ; ivkg:sign ?sg FILTER(?sg < 0) }"
     " GROUP BY ?p ORDER BY ?p", True),
    ("sign constant", "SELECT DISTINCT ?p WHERE { ?st ivkg:predicate ?p ; ivkg:sign 1 } ORDER BY ?p", True),
    ("integer range", "SELECT ?st WHERE { ?st ivkg:sign ?sg FILTER(?sg >= 1 && ?sg <= 1) } ORDER BY ?st LIMIT 4",
     True),
]
FALLBACK = [
    ("optional", "SELECT ?st ?ev WHERE { ?st ivkg:subject ?s OPTIONAL { ?st ivkg:evidence ?ev } }"),
    ("union", "SELECT ?x WHERE { { ?x ivkg:increases_activity ?y } UNION { ?x ivkg:decreases_activity ?y } }"),
    ("label", "SELECT ?l WHERE { hgnc:12680 rdfs:label ?l }"),
    ("one-or-more path", "SELECT DISTINCT ?y WHERE { hgnc:12680 ivkg:increases_activity+ ?y }"),
    ("zero-or-one path alone", "SELECT DISTINCT ?y WHERE { <http://example.org/nowhere> ivkg:increases_activity? ?y }"),
    ("limit without order", "SELECT ?s WHERE { ?st ivkg:subject ?s } LIMIT 3"),
    ("having", "SELECT ?s (COUNT(*) AS ?n) WHERE { ?st ivkg:subject ?s } GROUP BY ?s HAVING (COUNT(*) > 100)"),
    ("bind", "SELECT ?x WHERE { ?st ivkg:subject ?s BIND(?s AS ?x) }"),
    ("select star", "SELECT * WHERE { ?st ivkg:subject ?s }"),
    ("path without distinct", "SELECT ?y WHERE { hgnc:12680 ivkg:increases_activity|ivkg:increases_expression ?y }"),
    ("string literal", 'SELECT ?st WHERE { ?st ivkg:evidence "x" }'),
    ("sum", "SELECT (SUM(?sg) AS ?n) WHERE { ?st ivkg:sign ?sg }"),
    ("named graph", "SELECT ?s WHERE { GRAPH ?g { ?st ivkg:subject ?s } }"),
    ("ask", "ASK { ?st ivkg:subject ?s }"),
]


def _import(args: list[str]) -> None:
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.stderr


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("fixture")
    (tmp / "nodes.tsv").write_text(NODES, encoding="utf-8")
    (tmp / "edges.tsv").write_text(EDGES, encoding="utf-8")
    _import(["--data", str(FIXTURE), "--store", str(tmp / "s"), "import", str(tmp / "nodes.tsv"),
             str(tmp / "edges.tsv")])
    return tmp / "s"


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate  # bench/generate.py
    finally:
        sys.path.remove(str(ROOT / "bench"))
    tmp = tmp_path_factory.mktemp("generated")
    nodes, edges = generate.generate(5000)  # seed 42, as bench/run uses
    generate.write_kgx(nodes, edges, tmp)
    _import(["--store", str(tmp / "s"), "import", str(tmp / "nodes.tsv"), str(tmp / "edges.tsv"),
             "--format", "kgx", "--without-curated"])
    return tmp / "s"


def _same(store: Path, query: str, ordered: bool) -> tuple[str, int]:
    st = Store(store)
    auto, ox = StoreEngine(st), StoreEngine(st, "oxigraph")
    got, want = auto.query(query), ox.query(query)
    assert ox.answered == "oxigraph"
    assert got.vars == want.vars
    if ordered:
        assert got.rows == want.rows
        for fmt in ("json", "csv", "tsv"):
            assert format_result(got, fmt) == format_result(want, fmt)
    else:
        assert sorted(map(repr, got.rows)) == sorted(map(repr, want.rows))
    return auto.answered, len(got.rows)


def _ordered(name: str) -> bool:
    return "ORDER BY" in BENCH[name] or name == "one-hop lookup"


@pytest.mark.parametrize("name", sorted(BENCH))
def test_bench_queries_match_oxigraph(name: str, fixture_store: Path, generated_store: Path) -> None:
    # The one-hop lookup asks for every predicate of a node (labels, types...): outside the tables.
    engine = "oxigraph" if name == "one-hop lookup" else "columnar"
    for store in (fixture_store, generated_store):
        assert _same(store, BENCH[name], _ordered(name))[0] == engine


def test_bench_queries_find_rows(generated_store: Path) -> None:
    # Guards against two empty answers agreeing: the generated graph gives each query rows.
    counts = {name: _same(generated_store, q, _ordered(name))[1] for name, q in BENCH.items()}
    assert counts == {"one-hop lookup": 11, "anchored two-hop join": 2, "bounded property path (1-3 steps)": 6,
                      "GROUP BY count": 14, "GROUP BY top-10 subjects": 10, "GROUP BY count over a join": 98}


@pytest.mark.parametrize(("name", "query", "ordered"), COLUMNAR, ids=[c[0] for c in COLUMNAR])
def test_supported_features_match_oxigraph(name: str, query: str, ordered: bool, fixture_store: Path,
                                           generated_store: Path) -> None:
    for store in (fixture_store, generated_store):
        assert _same(store, query, ordered)[0] == "columnar"


@pytest.mark.parametrize(("name", "query", "ordered"), SIGNED, ids=[c[0] for c in SIGNED])
def test_sign_is_columnar_only_without_the_ontology(name: str, query: str, ordered: bool, fixture_store: Path,
                                                    generated_store: Path) -> None:
    assert _same(generated_store, query, ordered)[0] == "columnar"
    assert _same(fixture_store, query, ordered)[0] == "oxigraph"


@pytest.mark.parametrize(("name", "query"), FALLBACK, ids=[c[0] for c in FALLBACK])
def test_outside_the_subset_goes_to_oxigraph(name: str, query: str, generated_store: Path) -> None:
    st = Store(generated_store)
    auto, ox = StoreEngine(st), StoreEngine(st, "oxigraph")
    got, want = auto.query(query), ox.query(query)
    assert auto.answered == "oxigraph"
    assert (got.form, got.boolean, sorted(map(repr, got.rows))) == (want.form, want.boolean,
                                                                     sorted(map(repr, want.rows)))


def test_optional_never_goes_columnar(generated_store: Path) -> None:
    # Mismatch guard: OPTIONAL leaves ?ev unbound for edges without evidence; the tables would drop them.
    q = "SELECT ?st ?ev WHERE { ?st ivkg:subject ?s OPTIONAL { ?st ivkg:evidence ?ev } }"
    eng = StoreEngine(Store(generated_store))
    plan, reason = eng.plan(q)
    assert plan is None and reason == "OPTIONAL"
    eng.query(q)
    assert eng.answered == "oxigraph"


def test_meta_lists_what_the_tables_answer(fixture_store: Path, generated_store: Path) -> None:
    fx, gen = read_meta(Store(fixture_store).gen), read_meta(Store(generated_store).gen)
    assert fx is not None and gen is not None
    assert (fx["enabled"], fx["statements"], fx["edges"]) == (True, 10, 10)
    # The curated ontology annotates its properties with ivkg:sign: that predicate stays with Oxigraph.
    assert fx["left_out"] == ["https://w3id.org/ivkg/sign"] and gen["left_out"] == []
    assert (gen["statements"], gen["edges"]) == (5000, 5000)


def test_rdf_imports_have_no_tables(tmp_path: Path) -> None:
    nt = tmp_path / "g.nt"
    nt.write_text("<http://identifiers.org/hgnc/1> <https://w3id.org/ivkg/inhibits> "
                  "<http://identifiers.org/hgnc/2> .\n", encoding="utf-8")
    _import(["--store", str(tmp_path / "s"), "import", str(nt), "--without-curated"])
    st = Store(tmp_path / "s")
    meta = read_meta(st.gen)
    assert meta is not None and meta["enabled"] is False
    eng = StoreEngine(st)
    assert len(eng.query("SELECT ?s WHERE { ?s ivkg:inhibits ?o }").rows) == 1
    assert eng.answered == "oxigraph"


def test_cli_engine_and_explain(generated_store: Path) -> None:
    runner = CliRunner()
    q = BENCH["GROUP BY count over a join"]

    def run(*args: str) -> tuple[int, str, str]:
        res = runner.invoke(main, ["--store", str(generated_store), "sparql", *args], catch_exceptions=False)
        return res.exit_code, res.stdout, res.stderr

    code, out, _ = run(q, "--explain")
    assert code == 0 and out.startswith("engine: columnar") and "GROUP BY" in out
    code, out, _ = run("SELECT ?l WHERE { hgnc:12680 rdfs:label ?l }", "--explain")
    assert code == 0 and out.startswith("engine: oxigraph\nreason: predicate <http://www.w3.org/2000/01/")
    outputs = {e: run(q, "--engine", e, "--format", "json") for e in ("auto", "columnar", "oxigraph")}
    assert {o[0] for o in outputs.values()} == {0}
    assert outputs["auto"][1] == outputs["columnar"][1] == outputs["oxigraph"][1]
    assert json.loads(outputs["auto"][1])["results"]["bindings"][0]["n"]["datatype"].endswith("#integer")
    code, out, err = run("SELECT ?s ?e WHERE { ?st ivkg:subject ?s OPTIONAL { ?st ivkg:evidence ?e } }",
                         "--engine", "columnar")
    assert code != 0 and "columnar engine cannot answer this query" in err and len(err.strip().splitlines()) == 1
    code, _, err = run("SELECT ?s WHERE { ?s ivkg:inhibits }", "--engine", "columnar")
    assert code != 0 and err.startswith("kg: error: syntax error: line 1, column 36")  # as with Oxigraph
    # The safety limits still come first, whichever engine would answer.
    code, _, err = run("SELECT ?s WHERE { " + "{" * 200 + " ?s ?p ?o " + "}" * 200 + " }")
    assert code != 0 and "Traceback" not in err


def test_kg_store_reports_the_tables(fixture_store: Path) -> None:
    res = CliRunner().invoke(main, ["--store", str(fixture_store), "store", "--format", "json"],
                             catch_exceptions=False)
    assert res.exit_code == 0
    assert json.loads(res.stdout)["columnar"] == {"enabled": True, "statements": 10, "edges": 10,
                                                  "left_out": ["https://w3id.org/ivkg/sign"]}
    res = CliRunner().invoke(main, ["--store", str(fixture_store), "store"], catch_exceptions=False)
    assert res.stdout.splitlines()[-1] == "columnar tables: 10 statements, 10 edges"


def test_a_store_without_tables_goes_to_oxigraph(generated_store: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "s"
    shutil.copytree(generated_store, copy, symlinks=True)
    st = Store(copy)
    shutil.rmtree(st.gen / "columnar")
    eng = StoreEngine(st)
    q = BENCH["GROUP BY count"]
    assert eng.plan(q) == (None, "this store has no columnar tables (imported by an older version; "
                                 "re-run `kg import`)")
    assert len(eng.query(q).rows) == 14 and eng.answered == "oxigraph"


STATEMENTS_Q = ("SELECT ?st ?s ?p ?o ?src WHERE { ?st ivkg:subject ?s ; ivkg:predicate ?p ; ivkg:object ?o ; "
                "prov:wasDerivedFrom ?src }")
EVIDENCE_Q = "SELECT ?st ?ev WHERE { ?st ivkg:evidence ?ev }"
NETWORKS = Path(__file__).parent / "fixtures" / "networks"
BIOLINK = Path(__file__).parent / "fixtures" / "kgx_biolink"


@pytest.mark.parametrize("flavour", ["biolink", "omnipath", "indra"])
def test_whole_tables_equal_oxigraph_for_each_import_flavour(flavour: str, tmp_path: Path) -> None:
    # Every statement row and direct edge, IRIs spelt as the N-Triples handed to Oxigraph spell them.
    args = {"biolink": [str(BIOLINK / "graph_nodes.tsv"), str(BIOLINK / "graph_edges.tsv")],
            "omnipath": [str(NETWORKS / "omnipath_interactions.tsv"), "--format", "omnipath"],
            "indra": [str(NETWORKS / "indra_statements.json"), "--format", "indra"]}[flavour]
    _import(["--data", str(FIXTURE), "--store", str(tmp_path / "s"), "import", *args])
    st = Store(tmp_path / "s")
    meta = read_meta(st.gen)
    assert meta is not None and meta["enabled"]
    auto, ox = StoreEngine(st), StoreEngine(st, "oxigraph")
    direct = " ".join(f"<{p}>" for p in meta["direct_predicates"])
    edges_q = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {direct} }} ?s ?p ?o }}"
    want_edges = sorted(map(repr, ox.query(edges_q).rows))
    assert len(want_edges) == meta["edges"] > 0
    got_edges = sorted(repr((r[0], RDFTerm("iri", p), r[1])) for p in meta["direct_predicates"]
                       for r in auto.query(f"SELECT ?s ?o WHERE {{ ?s <{p}> ?o }}").rows)
    assert got_edges == want_edges
    for q in (STATEMENTS_Q, EVIDENCE_Q):
        got, want = auto.query(q), ox.query(q)
        assert auto.answered == "columnar"
        assert sorted(map(repr, got.rows)) == sorted(map(repr, want.rows))
    assert len(auto.query(STATEMENTS_Q).rows) == meta["statements"]
