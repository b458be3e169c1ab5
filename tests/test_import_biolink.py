"""A Biolink KGX graph (tests/fixtures/kgx_biolink, written to the KGX format specification: TSV with
``|``-separated lists, trailing empty columns left out, columns in any order) imports with every
well-formed edge kept: 17 prefixes (ours and bioregistry's), 37 Biolink predicates, qualifiers mapped onto
our signed predicates and everything else kept unsigned; three rows are refused and counted.
"""

from __future__ import annotations

import bz2
import io
import json
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import main

KGX = Path(__file__).parent / "fixtures" / "kgx_biolink"
NODES, EDGES = KGX / "graph_nodes.tsv", KGX / "graph_edges.tsv"
CURATED = Path(__file__).parent / "fixtures" / "store"
BIOLINK = "https://w3id.org/biolink/vocab/"


def kg(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, ["--data", str(CURATED), *args], catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


def rows(path: Path) -> list[dict[str, str]]:
    """The fixture's rows as KGX reads them (short rows padded), independent of our reader."""
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split("\t")
    out = []
    for line in lines[1:]:
        cells = line.split("\t")
        out.append(dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True)))
    return out


WELL_FORMED = [r for r in rows(EDGES) if r["predicate"] and r["negated"] != "True"
               and not r["subject"].startswith("NOTAREGISTEREDPREFIX")]


def test_the_fixture_is_a_real_biolink_graph() -> None:
    """Many prefixes and predicates, short rows; every predicate is a Biolink Model 4 predicate."""
    from importlib import resources

    import yaml

    edges = rows(EDGES)
    assert any(len(line.split("\t")) < 13 for line in EDGES.read_text().splitlines()[1:])  # short rows
    predicates = {r["predicate"] for r in edges if r["predicate"]}
    prefixes = {r[k].split(":")[0] for r in WELL_FORMED for k in ("subject", "object")}
    assert len(predicates) == 37 and len(prefixes) == 17
    model = yaml.safe_load((resources.files("biolink_model") / "schema" / "biolink_model.yaml").read_text())
    slots = {name.replace(" ", "_") for name in model["slots"]}
    assert {p.removeprefix("biolink:") for p in predicates} <= slots


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    d = tmp_path_factory.mktemp("biolink") / "store"
    code, out, err = kg("import", str(NODES), str(EDGES), "--store", str(d), "--report", "json")
    assert code == 0, err
    return d, json.loads(out)


def test_every_well_formed_edge_is_kept_with_its_meaning(store: tuple[Path, dict]) -> None:
    from kg.store.store import Store

    d, report = store
    st = Store(d)
    imported = sorted((e["subject"], e["predicate"], e["object"]) for e in map(st.edge, range(st.n_edges))
                      if e["source"] == "graph_edges.tsv")
    assert len(imported) == len(WELL_FORMED) == 40
    assert report["counts"]["edges imported"] == 40
    assert report["counts"]["edges mapped onto our predicates"] == 13
    assert report["counts"]["edges kept with their own predicate"] == 27
    assert report["skipped"] == {"edge without a usable predicate": 1, "negated edge": 1,
                                 "unknown prefix or malformed identifier": 1}
    # Qualifiers give the sign: IFNG affects (causes) CD274 expression, increased; regulates upregulated.
    assert ("NCBIGene:3458", "increases_expression", "NCBIGene:29126") in imported
    assert ("DRUGBANK:DB00112", "decreases_activity", "NCBIGene:7422") in imported
    assert ("NCBIGene:7422", "positively_regulates", "GO:0001525") in imported
    assert ("CHEBI:15365", "biolink:affects", "NCBIGene:7422") in imported  # no direction: kept unsigned
    # Kept as they are: unsigned, non-causal, their Biolink CURIE as predicate.
    signs = {(st.edge(e)["predicate"], st.edge_sign(e), st.edge_causal(e)) for e in range(st.n_edges)}
    assert {(p, s, c) for p, s, c in signs if p.startswith("biolink:")} == {
        (p, 0, False) for _, p, _ in imported if p.startswith("biolink:")}
    kept = {p for _, p, _ in imported if p.startswith("biolink:")}
    assert {"biolink:interacts_with", "biolink:has_phenotype", "biolink:part_of", "biolink:related_to",
            "biolink:orthologous_to", "biolink:expressed_in", "biolink:contributes_to"} <= kept
    assert len(kept) == 27
    # Node rows with trailing columns left out are read; lists are |-separated.
    vegfa = st.node("NCBIGene:7422")
    assert vegfa is not None and st.labels[vegfa] == "VEGFA" and st.synonyms[vegfa] == "VEGF|VPF"
    assert st.node("OMIM:155600") is not None and st.node("FB:FBgn0000490") is not None  # Biolink spells FlyBase FB


def test_the_path_graph_sees_unsigned_edges(store: tuple[Path, dict]) -> None:
    from kg.store.pathgraph import StorePathGraph
    from kg.store.store import Store

    g = StorePathGraph(Store(store[0]))
    out = {(o, e.predicate): e for o, e in g.out_edges("NCBIGene:7010")}
    e = out[("NCBIGene:7422", "biolink:interacts_with")]
    assert (e.sign, e.causal) == (0, False)
    assert out[("NCBIGene:285", "binds")].sign == 0
    (_, signed), = [(o, e) for o, e in g.in_edges("NCBIGene:29126") if e.predicate == "increases_expression"]
    assert (signed.sign, signed.causal) == (1, True)


def test_neighbors_and_sparql_answer_over_it(store: tuple[Path, dict]) -> None:
    d = store[0]
    code, out, err = kg("--store", str(d), "neighbors", "NCBIGene:3458", "--format", "json")
    assert code == 0, err
    reached = {n["node"]: n["net_sign"] for n in json.loads(out)["neighbors"]}
    assert reached["NCBIGene:29126"] == 1
    q = f"SELECT ?s ?o WHERE {{ ?s <{BIOLINK}interacts_with> ?o }}"
    code, out, err = kg("--store", str(d), "sparql", q, "--format", "json")
    assert code == 0, err
    assert [{k: v["value"] for k, v in b.items()} for b in json.loads(out)["results"]["bindings"]] == [
        {"s": "https://www.ncbi.nlm.nih.gov/gene/7010", "o": "https://www.ncbi.nlm.nih.gov/gene/7422"}]
    q = ("PREFIX ivkg: <https://w3id.org/ivkg/> SELECT (COUNT(?st) AS ?n) WHERE { ?st a ivkg:Statement ; "
         "ivkg:sign 0 ; ivkg:predicate ?p . FILTER(STRSTARTS(STR(?p), \"" + BIOLINK + "\")) }")
    code, out, err = kg("--store", str(d), "sparql", q, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["results"]["bindings"][0]["n"]["value"] == "27"


def test_archives_and_declared_prefixes(tmp_path: Path) -> None:
    """A .tar.gz of nodes and edges, a .bz2 table and a prefix declared by a curie_map or --prefix."""
    extra = ("subject\tpredicate\tobject\n"
             "NCBIGene:7422\tbiolink:interacts_with\tMYLAB:0001\n")
    archive = tmp_path / "graph.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (("g/graph_nodes.tsv", NODES.read_bytes()), ("g/graph_edges.tsv", EDGES.read_bytes()),
                           ("g/extra_edges.tsv", extra.encode()),
                           ("g/curie_map.json", json.dumps({"curie_map": {"MYLAB": "https://lab.example/"}})
                            .encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    code, out, err = kg("import", str(archive), "--store", str(tmp_path / "a"), "--report", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["counts"]["edges imported"] == 41
    from kg.store.store import Store

    st = Store(tmp_path / "a")
    assert st.node("MYLAB:0001") is not None
    assert st.manifest["declared_prefixes"] == {"MYLAB": "https://lab.example/"}
    # Without the declaration MYLAB is unknown; --prefix declares it; bz2 is read like gzip.
    bz = tmp_path / "extra_edges.tsv.bz2"
    bz.write_bytes(bz2.compress(extra.encode()))
    code, out, err = kg("import", str(bz), "--store", str(tmp_path / "b"), "--report", "json")
    # Its one edge names the undeclared prefix, so the file holds nothing to import: refused (issue 14).
    assert code == 1 and "nothing to import (1 unknown prefix or malformed identifier)" in err
    code, out, _ = kg("import", str(bz), "--prefix", "MYLAB=https://lab.example/", "--store",
                      str(tmp_path / "b"), "--report", "json")
    assert code == 0 and json.loads(out)["counts"]["edges kept with their own predicate"] == 1
    code, _, err = kg("import", str(bz), "--prefix", "MYLAB", "--store", str(tmp_path / "b"))
    assert code == 2 and "--prefix 'MYLAB': expected NAME=IRI" in err


def test_views_and_exports_see_bioregistry_nodes(store: tuple[Path, dict], tmp_path: Path) -> None:
    """Nodes under bioregistry prefixes reach show, viz and every export (with their bioregistry IRI);
    the model these render holds our predicates, so edges kept as imported stay in the store."""
    import rdflib

    d = store[0]
    code, out, err = kg("--store", str(d), "show", "NCBIGene:7422", "--format", "json")
    assert code == 0, err
    card = json.loads(out)
    assert (card["label"], card["url"]) == ("VEGFA", None)
    assert {(s["predicate"], s["object"]) for s in card["outgoing"]} >= {
        ("positively_regulates", "GO:0001525"), ("associated_with", "MESH:D008545")}
    ttl = tmp_path / "v.ttl"
    code, _, err = kg("--store", str(d), "export", "--format", "turtle", "--focus", "NCBIGene:7422",
                      "--radius", "1", "--out", str(ttl))
    assert code == 0, err
    g = rdflib.Graph().parse(ttl)
    label = g.value(rdflib.URIRef("https://www.ncbi.nlm.nih.gov/gene/7422"), rdflib.RDFS.label)
    assert str(label) == "VEGFA"
    code, _, err = kg("--store", str(d), "export", "--format", "kgx", "--focus", "NCBIGene:7422",
                      "--radius", "1", "--out", str(tmp_path / "kgx"))
    assert code == 0, err
    nodes = {r["id"]: r for r in rows(tmp_path / "kgx" / "nodes.tsv")}
    assert nodes["NCBIGene:7422"]["iri"] == "https://www.ncbi.nlm.nih.gov/gene/7422"
