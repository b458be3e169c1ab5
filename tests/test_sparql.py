"""SPARQL engines, safety and binding on the small fixture graph (no dependence on curation progress)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.sparql.engine import QueryTimeout, RDFTerm, SparqlError, open_engine, to_term
from kg.sparql.format import format_result
from kg.sparql.library import get_query, list_queries
from kg.sparql.safety import analyse, bind

MINI = Path(__file__).parent / "fixtures" / "mini"
XSD = "http://www.w3.org/2001/XMLSchema#"
INJECTION = 'x" } ; DROP ALL ; #'


@pytest.fixture(scope="module")
def mini_kg():
    from kg.curation.read import load

    return load(MINI)


@pytest.fixture(scope="module")
def engines(mini_kg):
    return {"oxigraph": open_engine(mini_kg), "rdflib": open_engine(mini_kg, engine="rdflib")}


def test_predeclared_prefix_and_both_engines_agree(engines):
    q = "SELECT ?l WHERE { hgnc:12680 rdfs:label ?l }"
    res = {name: e.query(q) for name, e in engines.items()}
    assert res["oxigraph"].values() == [{"l": "VEGF-A"}]
    assert res["oxigraph"] == res["rdflib"]


def test_user_prefix_overrides_predeclared(engines):
    q = "PREFIX hgnc: <http://example.org/nothing/> SELECT ?l WHERE { hgnc:12680 rdfs:label ?l }"
    for e in engines.values():
        assert e.query(q).rows == []


def test_library_has_at_least_15_documented_queries():
    qs = list_queries()
    assert len(qs) >= 15
    for q in qs:
        assert q.title and q.description
        assert q.text.lstrip().startswith("#")
        if q.text.lstrip("#").find("CONSTRUCT") == -1:
            assert "ORDER BY" in q.text, q.name


def test_library_runs_identically_on_both_engines_on_fixture(engines):
    from kg.sparql.library import bind_params

    for q in list_queries():
        params = bind_params(q, {})
        assert engines["oxigraph"].query(q.text, params) == engines["rdflib"].query(q.text, params), q.name


def test_update_refused_and_graph_unchanged(engines):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for e in engines.values():
        before = e.query(count).rows
        for update in ("DROP ALL", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "CLEAR DEFAULT",
                       "PREFIX x: <urn:x> DELETE WHERE { ?s ?p ?o }", "LOAD <http://example.org/x>"):
            with pytest.raises(SparqlError, match="refused"):
                e.query(update)
        assert e.query(count).rows == before


def test_service_and_from_refused(engines):
    for e in engines.values():
        with pytest.raises(SparqlError, match="SERVICE"):
            e.query("SELECT * WHERE { service <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
        with pytest.raises(SparqlError, match="FROM"):
            e.query("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")


def test_keywords_inside_strings_iris_and_comments_are_ignored(engines):
    q = ('SELECT ?l WHERE { # SERVICE DROP ALL\n hgnc:12680 rdfs:label ?l '
         'FILTER(?l != "SERVICE <http://x> DROP ALL" && ?l != "FROM") }')
    info = analyse(q)
    assert (info.form, info.service, info.from_iris) == ("SELECT", False, [])
    assert engines["oxigraph"].query(q).values() == [{"l": "VEGF-A"}]


def test_injection_is_bound_as_a_literal(engines):
    term = to_term(INJECTION)
    assert term == RDFTerm("lit", INJECTION)
    for e in engines.values():
        before = e.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        res = e.query("SELECT ?v WHERE { }", {"v": INJECTION})
        assert res.values() == [{"v": INJECTION}]
        assert e.query("SELECT ?s WHERE { ?s rdfs:label ?v }", {"v": INJECTION}).rows == []
        assert e.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows == before


@pytest.mark.parametrize("value", ['a\\u0022b', "line\nbreak 'q'", "back\\slash", "\x01", "é"])
def test_awkward_literals_round_trip(engines, value):
    for e in engines.values():
        assert e.query("SELECT ?v WHERE { }", {"v": value}).values() == [{"v": value}]


def test_parameter_typing():
    assert to_term("hgnc:12680") == RDFTerm("iri", "http://identifiers.org/hgnc/12680")
    assert to_term("30") == RDFTerm("lit", "30", XSD + "integer")
    assert to_term("54.10") == RDFTerm("lit", "54.1", XSD + "decimal")
    assert to_term("<urn:x>") == RDFTerm("iri", "urn:x")
    assert to_term("VEGF-A") == RDFTerm("lit", "VEGF-A")
    with pytest.raises(SparqlError):
        bind("SELECT * WHERE { }", {"bad name": RDFTerm("lit", "x")})


def test_syntax_error_has_position(engines):
    for e in engines.values():
        with pytest.raises(SparqlError, match=r"line 1, column \d+"):
            e.query("SELECT * WHERE { ?s ?p }")


def test_timeout(engines):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?t ?h }"
    with pytest.raises(QueryTimeout, match=r"timed out after 0\.2 s"):
        engines["oxigraph"].query(heavy, timeout=0.2)


def test_formats(engines):
    res = engines["oxigraph"].query(
        "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s", {"s": "hgnc:12680"})
    assert format_result(res, "csv") == "s,l\r\nhttp://identifiers.org/hgnc/12680,VEGF-A\r\n"
    assert format_result(res, "tsv") == '?s\t?l\n<http://identifiers.org/hgnc/12680>\t"VEGF-A"\n'
    assert format_result(res, "md").splitlines()[2] == "| hgnc:12680 | VEGF-A |"
    assert '"type": "uri"' in format_result(res, "json")
    ask = engines["oxigraph"].query("ASK { hgnc:12680 ?p ?o }")
    assert ask.boolean is True and '"boolean": true' in format_result(ask, "json")
    graph = engines["oxigraph"].query(get_query("entity-card").text, {"entity": "hgnc:12680"})
    nt = format_result(graph, "nt")
    assert '<http://identifiers.org/hgnc/12680> <http://www.w3.org/2000/01/rdf-schema#label> "VEGF-A" .' in nt
    assert format_result(graph, "turtle").startswith("@prefix")


def test_cli(cli):
    r = cli("sparql", "SELECT ?l WHERE { ?e rdfs:label ?l }", "--param", "e=hgnc:12680",
            "--format", "csv", data=MINI)
    assert (r.exit_code, r.output.replace("\r\n", "\n")) == (0, "l\nVEGF-A\n")
    r = cli("sparql", "--name", "regulators-of", "--param", "entity=PD-L1", "--format", "csv", data=MINI)
    assert r.exit_code == 0
    r = cli("sparql", "DROP ALL", data=MINI)
    assert r.exit_code == 1 and "refused" in r.output
    r = cli("sparql", "SELECT * WHERE { ?s ?p }", data=MINI)
    assert r.exit_code == 1 and "line 1, column" in r.output and "Traceback" not in r.output
    r = cli("sparql", "--name", "regulators-of", "--param", "nope=1", data=MINI)
    assert r.exit_code == 1 and "no parameter 'nope'" in r.output
    r = cli("queries")
    assert r.exit_code == 0 and "table1" in r.output
    r = cli("queries", "show", "table1")  # issue 13: PREFIX lines first, so it runs in any client
    assert r.exit_code == 0 and r.output.startswith("PREFIX ") and "\n# title:" in r.output
    r = cli("queries", "show", "table1", "--raw")
    assert r.exit_code == 0 and r.output.startswith("# title:")
    r = cli("sparql", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", "http://127.0.0.1:1/query", data=MINI)
    assert r.exit_code == 1 and "http://127.0.0.1:1/query" in r.output
