"""Every export format, read back by an independent client: pyoxigraph and rdflib for RDF, networkx and
igraph for GraphML, networkx (and a plain XML read into igraph) for GEXF, networkx for the JSON formats,
pydot for DOT, csv for Neo4j and plain CSV, line checks for Mermaid."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kg.export import Format, export, parse_format, render

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "views"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def views():
    from kg.curation.read import load
    from kg.graphs.nx import to_networkx
    from kg.views.select import select

    kg = load(FIXTURE)
    g = to_networkx(kg)
    return {
        "whole": select(g, kg=kg),
        "focus": select(g, focus="HGNC:12680", radius=1, kg=kg),
        "path": select(g, path=("DRUGBANK:DB00112", "ivkg:cd8-t-cell-infiltration"), kg=kg),
    }


def one(view, fmt: Format) -> str:
    return render(view, fmt)[""]


def test_format_names():
    assert [f.value for f in Format] == [
        "turtle",
        "ntriples",
        "jsonld",
        "graphml",
        "gexf",
        "node-link",
        "cytoscape",
        "kgx",
        "neo4j",
        "dot",
        "mermaid",
        "csv",
        "sif",  # issue 13: SIF with signed attribute tables, and a Cytoscape.js style
        "cytoscape-style",
    ]
    assert parse_format("TTL") is Format.TURTLE and parse_format("cyjs") is Format.CYTOSCAPE


# ---------------------------------------------------------------------------------------------- RDF


@pytest.mark.parametrize("name", ["whole", "focus", "path"])
def test_rdf_formats_reparse_in_pyoxigraph_with_the_same_triples(views, name):
    import pyoxigraph as ox

    view = views[name]
    nt = one(view, Format.NTRIPLES)
    expected = sum(1 for line in nt.splitlines() if line and not line.startswith("#"))
    sets = {}
    for fmt, ox_fmt in (
        (Format.NTRIPLES, ox.RdfFormat.N_TRIPLES),
        (Format.TURTLE, ox.RdfFormat.TURTLE),
        (Format.JSONLD, ox.RdfFormat.JSON_LD),
    ):
        quads = list(ox.parse(one(view, fmt).encode("utf-8"), format=ox_fmt))
        assert len(quads) == expected, fmt
        sets[fmt] = {str(q.triple) for q in quads}
    assert sets[Format.NTRIPLES] == sets[Format.TURTLE] == sets[Format.JSONLD]


def test_rdf_counts_of_the_views(views):
    counts = {
        name: sum(1 for line in one(v, Format.NTRIPLES).splitlines() if line and line[0] != "#")
        for name, v in views.items()
    }
    # The path view: 3 entities, 2 statements and the publication-free provenance of each.
    assert counts["path"] < counts["focus"] < counts["whole"]
    whole = views["whole"]
    from kg.graphs.rdf import to_ntriples

    # The whole-graph view holds exactly what `kg build` writes.
    assert one(whole, Format.NTRIPLES).split("\n", 7)[-1] == to_ntriples(whole.kg)


def test_jsonld_has_a_context_and_reads_in_rdflib(views):
    import rdflib

    text = one(views["focus"], Format.JSONLD)
    doc = json.loads(text)
    assert doc["@context"]["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"
    assert doc["@context"]["ivkg"] == "https://w3id.org/ivkg/"
    g = rdflib.Graph().parse(data=text, format="json-ld")
    nt = one(views["focus"], Format.NTRIPLES)
    assert len(g) == sum(1 for line in nt.splitlines() if line and line[0] != "#")


def test_rdf_carries_provenance(views):
    ttl = one(views["path"], Format.TURTLE)
    assert ttl.startswith("# title: Mechanism paths from bevacizumab to CD8+ T-cell infiltration\n")
    assert "prov:wasDerivedFrom" in ttl
    assert '# selection: {"limit": 10, "max_length": 4, "path": ["DRUGBANK:DB00112", ' in ttl


# --------------------------------------------------------------------------------------- graph tools


@pytest.mark.parametrize("name", ["whole", "focus", "path"])
def test_graphml_reread_by_networkx_and_igraph(views, name, tmp_path):
    import igraph
    import networkx as nx

    view = views[name]
    path = tmp_path / "v.graphml"
    export(view, path, Format.GRAPHML)
    g = nx.read_graphml(path, force_multigraph=True)
    assert (g.number_of_nodes(), g.number_of_edges()) == (len(view.nodes), len(view.edges))
    ig = igraph.Graph.Read_GraphML(str(path))
    assert (ig.vcount(), ig.ecount()) == (len(view.nodes), len(view.edges))
    assert ig.is_directed()
    labels = dict(zip(ig.vs["id"], ig.vs["label"], strict=True))
    assert labels["HGNC:12680"] == "VEGF-A"
    assert g.graph["review"] == "https://doi.org/10.3389/fimmu.2026.1760044"
    edge = next(d for _, _, d in g.edges(data=True) if d["predicate"] == "inhibits")
    assert edge["citations"] == "DRUGBANK:DB00112" and edge["evidence"] == "established_pharmacology"


@pytest.mark.parametrize("name", ["whole", "focus", "path"])
def test_gexf_reread_by_networkx_and_as_xml_by_igraph(views, name, tmp_path):
    import igraph
    import networkx as nx

    view = views[name]
    path = tmp_path / "v.gexf"
    export(view, path, Format.GEXF)
    g = nx.read_gexf(path)
    assert (g.number_of_nodes(), g.number_of_edges()) == (len(view.nodes), len(view.edges))
    # igraph has no GEXF reader: build its graph from the XML (ids and endpoints) to cross-check counts.
    ns = {"g": "http://www.gexf.net/1.2draft"}
    root = ET.parse(path).getroot()
    ids = [n.get("id") for n in root.iterfind(".//g:node", ns)]
    index = {i: k for k, i in enumerate(ids)}
    pairs = [(index[e.get("source")], index[e.get("target")]) for e in root.iterfind(".//g:edge", ns)]
    ig = igraph.Graph(n=len(ids), edges=pairs, directed=True)
    assert (ig.vcount(), ig.ecount()) == (len(view.nodes), len(view.edges))
    assert "lastmodifieddate" not in path.read_text()
    assert "Xie Y" in root.find(".//g:meta/g:description", ns).text


def test_node_link_and_cytoscape_reread_by_networkx(views):
    import networkx as nx

    view = views["whole"]
    g = nx.node_link_graph(json.loads(one(view, Format.NODE_LINK)), edges="links")  # issue 13: links
    assert (g.number_of_nodes(), g.number_of_edges()) == (13, 13)
    assert g.is_multigraph() and g.is_directed()
    data = json.loads(one(view, Format.CYTOSCAPE))
    cy = nx.cytoscape_graph(data)
    assert (cy.number_of_nodes(), cy.number_of_edges()) == (13, 13)
    edge = next(
        e["data"] for e in data["elements"]["edges"] if e["data"]["interaction"] == "increases_expression"
    )
    assert edge["source"] == "HGNC:12680" and edge["citations"] == ["PMID:12345678", "DOI:10.1000/xyz-17"]
    assert edge["species"] == "human" and edge["sign"] == 1
    assert data["data"]["review"] == "https://doi.org/10.3389/fimmu.2026.1760044"


# ------------------------------------------------------------------------------------------- tables


def test_neo4j_headers_and_rows(views, tmp_path):
    view = views["whole"]
    written = export(view, tmp_path / "neo", Format.NEO4J)
    assert [p.name for p in written] == ["nodes.csv", "relationships.csv"]
    nodes = list(csv.reader(io.StringIO((tmp_path / "neo" / "nodes.csv").read_text())))
    rels = list(csv.reader(io.StringIO((tmp_path / "neo" / "relationships.csv").read_text())))
    assert nodes[0][:2] == ["id:ID", ":LABEL"]
    assert rels[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert all(
        h.split(":")[-1] in ("", "ID", "LABEL", "START_ID", "END_ID", "TYPE", "int", "boolean", "string[]")
        or ":" not in h
        for h in nodes[0] + rels[0]
    )
    assert len(nodes) - 1 == 13 and len(rels) - 1 == 13
    ids = {row[0] for row in nodes[1:]}
    assert all(r[0] in ids and r[1] in ids for r in rels[1:])
    bev = next(r for r in nodes[1:] if r[0] == "DRUGBANK:DB00112")
    assert bev[1] == "Antibody;Drug;Entity"
    assert {r[2] for r in rels[1:]} >= {"INHIBITS", "INCREASES_EXPRESSION", "TESTED_IN"}


def test_plain_csv(views):
    rows = list(csv.DictReader(io.StringIO(one(views["path"], Format.CSV))))
    assert [(r["subject_label"], r["predicate"], r["object_label"], r["sign"]) for r in rows] == [
        ("bevacizumab", "inhibits", "VEGF-A", "-"),
        ("VEGF-A", "negatively_regulates", "CD8+ T-cell infiltration", "-"),
    ]
    assert rows[0]["citations"] == "DRUGBANK:DB00112"
    assert rows[0]["citation_urls"] == "https://go.drugbank.com/drugs/DB00112"


def test_kgx_columns(views):
    files = render(views["whole"], Format.KGX)
    nodes = list(csv.DictReader(io.StringIO(files["nodes.tsv"]), delimiter="\t", quoting=csv.QUOTE_NONE))
    edges = list(csv.DictReader(io.StringIO(files["edges.tsv"]), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(nodes) == 13 and len(edges) == 13
    trial = next(n for n in nodes if n["id"] == "CLINICALTRIALS:NCT02681549")
    assert trial["category"] == "biolink:ClinicalTrial"
    expr = next(e for e in edges if e["original_predicate"] == "ivkg:increases_expression")
    assert (
        expr["predicate"],
        expr["qualified_predicate"],
        expr["object_aspect_qualifier"],
        expr["object_direction_qualifier"],
    ) == ("biolink:affects", "biolink:causes", "expression", "increased")
    # The review's DOI comes first in every edge's publications (issue 13).
    assert expr["publications"] == "doi:10.3389/fimmu.2026.1760044|PMID:12345678|doi:10.1000/xyz-17"
    assert expr["negated"] == ""  # KGX reads "False" as true
    assert expr["species_context_qualifier"] == "NCBITaxon:9606"
    assert (expr["knowledge_level"], expr["agent_type"]) == ("knowledge_assertion", "manual_agent")


# --------------------------------------------------------------------------------------------- text


def test_dot_parses_with_pydot(views):
    pydot = pytest.importorskip("pydot")
    view = views["whole"]
    text = one(view, Format.DOT)
    (graph,) = pydot.graph_from_dot_data(text)
    assert len(graph.get_nodes()) - sum(
        n.get_name() in ("node", "edge", "graph") for n in graph.get_nodes()
    ) == len(view.nodes)
    assert len(graph.get_edges()) == len(view.edges)
    probe = graph.get_node('"ivkg:xss-probe"')[0]
    assert probe.get("label") == '"<img src=x onerror=\\"document.title=\'pwned\'\\">"'
    inhibit = next(e for e in graph.get_edges() if e.get("arrowhead") == "tee")
    assert inhibit.get("color") == '"#c62828"'


def test_mermaid_lines_are_well_formed(views):
    import re

    text = one(views["whole"], Format.MERMAID)
    lines = text.splitlines()
    body = [line for line in lines if not line.startswith("%%")]
    assert body[0] == "flowchart LR"
    node = re.compile(r'^  n\d+\["[^"<>]*"\]:::cat_[a-z_]+$')
    edge = re.compile(r'^  n\d+ (-->|--x|-\.->|-\.-x)\|"[^"<>]*"\| n\d+$')
    other = re.compile(
        r"^  (linkStyle \d+ stroke:#[0-9a-f]{6},stroke-width:[\d.]+px|classDef cat_[a-z_]+ .+)$"
    )
    assert all(node.match(x) or edge.match(x) or other.match(x) for x in body[1:]), body
    assert sum(bool(node.match(x)) for x in body) == 13 and sum(bool(edge.match(x)) for x in body) == 13
    assert "#60;img src=x onerror=#34;" in text


# ------------------------------------------------------------------------------ determinism, errors


def test_exports_are_byte_identical_across_processes(tmp_path):
    """Same view, different hash seeds: the same bytes in every format."""
    script = (
        "import sys; from kg.curation.read import load; from kg.graphs.nx import to_networkx\n"
        "from kg.views.select import select\n"
        "from kg.export import Format, export\n"
        f"kg = load({str(FIXTURE)!r}); v = select(to_networkx(kg), kg=kg)\n"
        "for f in Format: export(v, sys.argv[1] + '/' + f.value, f)\n"
    )
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        out.mkdir()
        subprocess.run(
            [sys.executable, "-c", script, str(out)],
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert len(outs[0]) == 18  # + sif (3 files) and cytoscape-style (issue 13)
    assert outs[0] == outs[1]


def test_errors_leave_no_file(views, tmp_path):
    from kg.export import ExportError

    with pytest.raises(ExportError, match="unknown export format 'xlsx'"):
        export(views["path"], tmp_path / "v.xlsx", "xlsx")
    with pytest.raises(ExportError, match="is a folder"):
        export(views["path"], tmp_path, Format.CSV)
    (tmp_path / "f").write_text("keep")
    with pytest.raises(ExportError, match="is a file"):
        export(views["path"], tmp_path / "f", Format.KGX)
    with pytest.raises(OSError):
        export(views["path"], tmp_path / "f" / "v.csv", Format.CSV)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_rdf_needs_the_model(views):
    from dataclasses import replace

    from kg.export import ExportError

    with pytest.raises(ExportError, match="need the model"):
        render(replace(views["path"], kg=None), Format.TURTLE)
