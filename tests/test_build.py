"""One model, two graphs: the RDF graph and the networkx graph hold the same entities and statements, the
build is deterministic, and the RDF conforms to the SHACL shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.curation.read import load

MINI = Path(__file__).parent / "fixtures" / "mini"
IVKG = "https://w3id.org/ivkg/"


def _rdf_view(kg):
    from rdflib import RDF, URIRef

    from kg.graphs.rdf import to_rdflib

    g = to_rdflib(kg)
    curie = URIRef(IVKG + "curie")
    entities = {str(o) for o in g.objects(None, curie)}
    uri_to_curie = {str(s): str(o) for s, o in g.subject_objects(curie)}
    statements = set()
    for node in g.subjects(RDF.type, URIRef(IVKG + "Statement")):
        s = uri_to_curie[str(g.value(node, URIRef(IVKG + "subject")))]
        p = str(g.value(node, URIRef(IVKG + "predicate"))).removeprefix(IVKG)
        o = uri_to_curie[str(g.value(node, URIRef(IVKG + "object")))]
        statements.add((s, p, o, str(node).rsplit("/", 1)[-1]))
        # the direct triple is there too, so property paths can walk it
        assert (g.value(node, URIRef(IVKG + "subject")), URIRef(IVKG + p),
                g.value(node, URIRef(IVKG + "object"))) in g
    return entities, statements


def _nx_view(kg):
    from kg.graphs.nx import to_networkx

    g = to_networkx(kg)
    entities = set(g.nodes)
    statements = {(u, d["predicate"], v, k) for u, v, k, d in g.edges(keys=True, data=True)}
    return entities, statements


@pytest.mark.parametrize("which", ["mini", "curated"])
def test_rdf_and_networkx_hold_the_same_graph(which):
    kg = load(MINI if which == "mini" else None)
    rdf_entities, rdf_statements = _rdf_view(kg)
    nx_entities, nx_statements = _nx_view(kg)
    assert rdf_entities == nx_entities == {str(e) for e in kg.entities}
    assert rdf_statements == nx_statements
    assert len(nx_statements) == len(kg.statements)
    if which == "mini":
        assert len(nx_statements) == 6
        assert ("HGNC:17635", "increases_secretion", "HGNC:12680") in {s[:3] for s in nx_statements}


def test_build_is_deterministic_and_complete(tmp_path, cli):
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("build", "--out", str(a), data=MINI).exit_code == 0
    assert cli("build", "--out", str(b), data=MINI).exit_code == 0
    for name in ("ivkg.ttl", "ivkg.nt", "manifest.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    import json

    manifest = json.loads((a / "manifest.json").read_text())
    assert manifest["counts"]["entities"] == 6
    assert manifest["counts"]["statements"] == 6
    lines = (a / "ivkg.nt").read_text().splitlines()
    assert lines == sorted(lines) and len(lines) == manifest["counts"]["triples"]
    from rdflib import Graph

    assert len(Graph().parse(a / "ivkg.ttl")) == len(lines)


def test_failed_build_leaves_no_file(tmp_path, cli):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    with (data / "statements" / "core.tsv").open("a") as fh:
        fh.write("HGNC:12680\tincreases_expression\tHGNC:99999\t\t\t\treview_assertion\t2.1\t16\t\tx.\t\n")
    out = tmp_path / "out"
    result = cli("build", "--out", str(out), data=data)
    assert result.exit_code == 1
    assert "dangling reference: no entity HGNC:99999" in result.output
    assert not out.exists()


@pytest.mark.parametrize("which", ["mini", "curated"])
def test_rdf_conforms_to_shacl_shapes(which):
    from pyshacl import validate
    from rdflib import Graph

    from kg.graphs.rdf import ontology_dir, to_rdflib

    kg = load(MINI if which == "mini" else None)
    data = to_rdflib(kg, include_ontology=True)
    shapes = Graph().parse(ontology_dir() / "shapes.ttl")
    conforms, _graph, text = validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text[:3000]
