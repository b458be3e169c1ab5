"""``kg import``: mapping, merging, source attribution and malformed input (each leaves the store intact)."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import main
from kg.graphs.mapping import map_category, map_predicate, normalise_id

FIXTURE = Path(__file__).parent / "fixtures" / "store"
ROOT = Path(__file__).resolve().parent.parent

NODES = ("id\tcategory\tname\tsynonym\n"
         "hgnc:12680\tbiolink:Gene\tVEGFA imported\t\n"
         "HGNC:1111\tbiolink:Protein\tgene one\tG1|geneone\n"
         "CHEBI:15365\tbiolink:SmallMolecule\taspirin\t\n")
EDGES_HEADER = "subject\tpredicate\tobject\tobject_aspect_qualifier\tobject_direction_qualifier\n"
EDGES = (EDGES_HEADER
         + "HGNC:1111\tbiolink:affects\thgnc:12680\texpression\tincreased\n"
         + "CHEBI:15365\tbiolink:affects\tHGNC:1111\tactivity\tdecreased\n"
         + "CHEBI:15365\tbiolink:related_to\tHGNC:1111\t\t\n")


def kg_run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, ["--data", str(FIXTURE), *args], catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


def write(tmp: Path, name: str, text: str | bytes) -> Path:
    p = tmp / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def generation(store: Path) -> tuple[str, str]:
    cur = store / "CURRENT"
    return str(cur.readlink()), (cur / "manifest.json").read_text("utf-8")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store built from the fixture curated graph and a small good KGX pair."""
    d = tmp_path / "store"
    nodes, edges = write(tmp_path, "nodes.tsv", NODES), write(tmp_path, "edges.tsv", EDGES)
    code, _, err = kg_run("import", str(nodes), str(edges), "--store", str(d))
    assert code == 0, err
    return d


# -- mapping -------------------------------------------------------------------------------------------

def test_biolink_predicates_and_qualifiers_map_to_signed_predicates() -> None:
    assert map_predicate("biolink:affects", "expression", "increased") == ("increases_expression", "")
    assert map_predicate("biolink:affects", "secretion", "decreased") == ("decreases_secretion", "")
    assert map_predicate("biolink:affects", "activity", "downregulated") == ("decreases_activity", "")
    assert map_predicate("biolink:affects", "", "increased") == ("positively_regulates", "")
    assert map_predicate("https://w3id.org/biolink/vocab/treats") == ("treats", "")
    assert map_predicate("biolink:increases_expression_of") == ("increases_expression", "")
    assert map_predicate("ivkg:inhibits") == ("inhibits", "")
    assert map_predicate("biolink:affects", "expression", "")[0] is None
    assert map_predicate("biolink:related_to") == (None, "biolink:related_to is too generic to map")
    assert map_predicate("biolink:coexists_with") == (None, "unmapped predicate biolink:coexists_with")


def test_categories_and_identifiers_are_normalised() -> None:
    assert map_category("biolink:Protein|biolink:NamedThing") == "gene"
    assert map_category("biolink:SmallMolecule") == "small_molecule"
    assert map_category("biolink:AnatomicalEntity") == "entity"
    assert str(normalise_id("hgnc:12680")) == "HGNC:12680"
    assert str(normalise_id("http://identifiers.org/hgnc/12680")) == "HGNC:12680"
    assert str(normalise_id("DrugBank:db00112")) == "DRUGBANK:DB00112"


# -- merging and attribution ---------------------------------------------------------------------------

def test_import_merges_with_curated_and_attributes_sources(store: Path) -> None:
    from kg.store.store import Store

    st = Store(store)
    assert st.sources == ["curated", "edges.tsv"]
    vegfa = st.node("HGNC:12680")
    assert vegfa is not None and st.node("hgnc:12680") is None
    # The curated label wins over the imported one; the node is curated.
    assert st.labels[vegfa] == "VEGF-A" and bool(st.node_curated[vegfa])
    incoming = [st.edge(int(e)) for e in st.in_edges(vegfa)]
    by_source = sorted((e["subject"], e["predicate"], e["source"]) for e in incoming)
    assert by_source == [("DRUGBANK:DB00112", "inhibits", "curated"),
                         ("HGNC:1111", "increases_expression", "edges.tsv"),
                         ("HGNC:17635", "increases_secretion", "curated")]
    aspirin = st.node("CHEBI:15365")
    assert aspirin is not None and st.category(aspirin) == "small_molecule"
    # biolink:related_to has no counterpart of ours: kept as it is, unsigned and non-causal (issue 13).
    out = sorted((e["predicate"], e["sign"], e["causal"], e["object"])
                 for e in (st.edge(int(e)) for e in st.out_edges(aspirin)))
    assert out == [("biolink:related_to", 0, False, "HGNC:1111"), ("decreases_activity", -1, True, "HGNC:1111")]
    assert st.nodes_named("geneone") == [st.node("HGNC:1111")]


def test_import_summary_counts_mapped_and_skipped(tmp_path: Path) -> None:
    nodes, edges = write(tmp_path, "nodes.tsv", NODES), write(tmp_path, "edges.tsv", EDGES)
    code, out, _ = kg_run("import", str(nodes), str(edges), "--store", str(tmp_path / "s"),
                          "--report", "json")
    assert code == 0
    summary = json.loads(out)
    assert summary["counts"]["edges imported"] == 3
    assert summary["counts"]["edges mapped onto our predicates"] == 2
    assert summary["counts"]["edges kept with their own predicate"] == 1  # related_to (was dropped)
    assert summary["counts"]["nodes imported"] == 2
    assert summary["counts"]["nodes merged with an existing node"] == 1
    assert summary["skipped"] == {}
    assert summary["mapped"]["predicate increases_expression"] == 1


# -- malformed input -----------------------------------------------------------------------------------

BAD_CASES = {
    "wrong column count": (EDGES_HEADER + "HGNC:1111\tbiolink:affects\tHGNC:1\t\tincreased\tx\n",
                           "edges.tsv:2: 6 columns where the header has 5"),
    "short row without an object": (EDGES_HEADER + "HGNC:1111\tbiolink:affects\n", "edges.tsv:2: object is empty"),
    "truncated": (EDGES + "HGNC:1111\tbiolink:affects\tHGN",
                  "edges.tsv:5: 3 columns where the header has 5; the file ends mid-line (truncated?)"),
    "bad utf-8": ((EDGES_HEADER + "HGNC:1111\tbiolink:affects\tHGNC:1\t\tincreased\n").encode()
                  + b"HGNC:1\tbiolink:affects\tHGNC:\xff\t\tincreased\n",
                  "edges.tsv:3: not valid UTF-8 (byte 0xff at column 29)"),
    "unknown prefix": (EDGES_HEADER + "FOO:1\tbiolink:affects\tHGNC:1111\t\tincreased\n",
                       "edges.tsv:2: subject: unknown prefix 'FOO' in 'FOO:1'"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_malformed_rows_are_reported_with_file_and_line(store: Path, tmp_path: Path, case: str) -> None:
    text, message = BAD_CASES[case]
    before = generation(store)
    bad = write(tmp_path, "edges.tsv", text)
    code, _, err = kg_run("import", str(bad), "--format", "kgx", "--store", str(store), "--strict")
    assert code == 1
    assert err.strip() == f"kg: error: {message}; import refused, the existing store is unchanged"
    assert generation(store) == before
    # Without --strict a file whose only row is bad (or 25% bad) keeps too little: refused too.
    code, _, err = kg_run("import", str(bad), "--format", "kgx", "--store", str(store))
    assert code == 1 and "import refused, the existing store is unchanged" in err
    assert generation(store) == before
    # Among 200 good rows (under MAX_BAD_SHARE) the row is reported and skipped, and the import goes through.
    good = "".join(f"HGNC:{i}\tbiolink:affects\thgnc:12680\texpression\tincreased\n" for i in range(2000, 2200))
    raw = text.encode() if isinstance(text, str) else text
    head, _, body = raw.partition(b"\n")
    write(tmp_path, "edges.tsv", head + b"\n" + good.encode() + body)
    line = int(message.split(":")[1])
    shifted = message.replace(f"edges.tsv:{line}:", f"edges.tsv:{line + 200}:")
    code, _, err = kg_run("import", str(bad), "--format", "kgx", "--store", str(store))
    assert code == 0, err
    assert f"warning: {shifted}" in err
    assert generation(store) != before


def test_nothing_valid_or_too_many_bad_rows_is_refused(store: Path, tmp_path: Path) -> None:
    from kg.store.importer import MAX_BAD_SHARE

    before = generation(store)
    bad = write(tmp_path, "edges.tsv", EDGES_HEADER + "FOO:1\tbiolink:affects\tHGNC:1111\t\tincreased\n" * 535)
    code, _, err = kg_run("import", str(bad), "--store", str(store))
    assert (code, err) == (1, "kg: error: edges.tsv: nothing to import (535 unknown prefix or malformed "
                              "identifier); import refused, the existing store is unchanged\n")
    good = "".join(f"HGNC:{i}\tbiolink:affects\thgnc:12680\texpression\tincreased\n" for i in range(2000, 2094))
    mixed = write(tmp_path, "edges.tsv", EDGES_HEADER + good + "HGNC:abc\tbiolink:affects\tHGNC:1\t\tincreased\n" * 6)
    code, _, err = kg_run("import", str(mixed), "--store", str(store))
    assert MAX_BAD_SHARE == 0.05
    assert code == 1 and err.startswith("kg: error: edges.tsv: 6 of 100 rows are malformed, over the 5% an "
                                        "import may skip; first: edges.tsv:96: subject: ")
    assert generation(store) == before
    code, _, err = kg_run("import", str(mixed), "--store", str(store), "--max-bad-share", "0.01")
    assert code == 1 and "over the 1% an import may skip" in err
    code, _, _ = kg_run("import", str(mixed), "--store", str(store), "--max-bad-share", "0.1")
    assert code == 0
    before = generation(store)
    # Rows that only name an unknown prefix are well-formed but unmappable: skipped and counted, not refused.
    unknown = write(tmp_path, "edges.tsv", EDGES_HEADER + good + "FOO:1\tbiolink:affects\tHGNC:1\t\tincreased\n" * 2)
    code, out, _ = kg_run("import", str(unknown), "--store", str(store), "--report", "json")
    report = json.loads(out)
    assert code == 0 and report["n_problems"] == report["n_unmappable"] == 2
    before = generation(store)
    empty = write(tmp_path, "g.nt", "# nothing here\n")
    code, _, err = kg_run("import", str(empty), "--store", str(store))
    assert code == 1 and "g.nt: nothing to import (no rows)" in err
    assert generation(store) == before


def test_a_100_mb_line_is_reported_without_being_held(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "edges.tsv"
    with bad.open("wb") as f:
        f.write(EDGES.encode())
        f.write(b"x" * (100 * 1024 * 1024) + b"\n")
        f.write(b"HGNC:1111\tbiolink:affects\tHGNC:2222\t\tincreased\n")
        # Enough good rows for one bad row to stay under MAX_BAD_SHARE.
        f.write("".join(f"HGNC:{i}\tbiolink:affects\thgnc:12680\texpression\tincreased\n"
                        for i in range(2000, 2200)).encode())
    before = generation(store)
    code, _, err = kg_run("import", str(bad), "--store", str(store), "--strict")
    assert code == 1
    assert "edges.tsv:5: line longer than 1048576 bytes (104857601 bytes); skipped" in err
    assert generation(store) == before
    code, out, err = kg_run("import", str(bad), "--store", str(store), "--report", "json")
    assert code == 0
    # the rows after the long line are read; the related_to row is kept too (unsigned, issue 13)
    assert json.loads(out)["counts"]["edges imported"] == 204


def test_not_a_kgx_file_and_unreadable_gzip_are_refused(store: Path, tmp_path: Path) -> None:
    before = generation(store)
    other = write(tmp_path, "other.tsv", "a\tb\n1\t2\n")
    code, _, err = kg_run("import", str(other), "--store", str(store))
    assert code == 1 and "other.tsv:1: not a KGX nodes or edges file" in err
    gz = tmp_path / "edges.tsv.gz"
    gz.write_bytes(gzip.compress(EDGES.encode())[:30])
    code, _, err = kg_run("import", str(gz), "--store", str(store), "--strict")
    assert code == 1 and "edges.tsv.gz" in err and "truncated or corrupt" in err
    assert generation(store) == before


NT_GOOD = ("<http://identifiers.org/hgnc/1111> <https://w3id.org/ivkg/increases_expression> "
           "<http://identifiers.org/hgnc/12680> .\n"
           '<http://identifiers.org/hgnc/1111> <http://www.w3.org/2000/01/rdf-schema#label> "gene one" .\n')


def test_ntriples_import_and_a_bad_line(store: Path, tmp_path: Path) -> None:
    from kg.store.store import Store

    bad = write(tmp_path, "g.nt", NT_GOOD + '<http://identifiers.org/hgnc/2> <http://x/p> "open .\n')
    before = generation(store)
    code, _, err = kg_run("import", str(bad), "--store", str(store), "--strict")
    assert code == 1 and "g.nt:3: RDF syntax error" in err
    assert generation(store) == before
    # An RDF syntax error is a refusal in every mode.
    code, _, err = kg_run("import", str(bad), "--store", str(store))
    assert code == 1 and "g.nt:3: RDF syntax error" in err
    assert generation(store) == before
    good = write(tmp_path, "g.nt", NT_GOOD)
    code, _, err = kg_run("import", str(good), "--store", str(store))
    assert code == 0, err
    st = Store(store)
    gene = st.node("HGNC:1111")
    assert gene is not None and st.labels[gene] == "gene one"
    assert [st.edge(int(e))["source"] for e in st.out_edges(gene)] == ["g.nt"]


def test_turtle_syntax_error_is_refused(store: Path, tmp_path: Path) -> None:
    bad = write(tmp_path, "g.ttl", "@prefix ex: <http://x/> .\nex:a ex:b ex:c ;\n")
    before = generation(store)
    code, _, err = kg_run("import", str(bad), "--store", str(store))
    assert code == 1 and err.startswith("kg: error: g.ttl:") and "syntax error" in err
    assert generation(store) == before


# -- end to end on a generated graph -------------------------------------------------------------------

def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated 10^4-edge KGX graph imported into a store (shared by the end-to-end tests)."""
    tmp = tmp_path_factory.mktemp("e4")
    assert _generator().main(["--edges", "10000", "--out", str(tmp / "data"), "--no-nt"]) == 0
    code, out, err = kg_run("import", str(tmp / "data" / "nodes.tsv"), str(tmp / "data" / "edges.tsv"),
                            "--store", str(tmp / "store"), "--report", "json")
    assert code == 0, err
    counts = json.loads(out)["counts"]
    assert counts["edges imported"] + counts.get("edges merged into a curated statement", 0) == 10000
    return tmp / "store"


def test_generated_graph_is_seeded() -> None:
    gen = _generator()
    nodes, edges = gen.generate(1000, seed=7)
    assert (len(nodes), len(edges)) == (201, 1000)
    assert gen.generate(1000, seed=7) == (nodes, edges)
    degrees: dict[str, int] = {}
    for s, _, o, _ in edges:
        degrees[s] = degrees.get(s, 0) + 1
        degrees[o] = degrees.get(o, 0) + 1
    assert max(degrees.values()) > 10 * (2 * len(edges) / len(nodes))  # hubs


def test_end_to_end_path_on_the_store(big: Path) -> None:
    from kg.cli.common import State
    from kg.paths.search import find_paths

    state = State(FIXTURE, big)
    g = state.path_graph()
    res = find_paths(g, "DRUGBANK:DB00112", "HGNC:5438", max_length=4, limit=10)
    assert res.paths and all(p.nodes[0] == "DRUGBANK:DB00112" for p in res.paths)
    # Paths mix curated and imported edges: the first step is the curated inhibition of VEGF-A.
    assert any(p.steps[0].edge_id.startswith("st-") and p.steps[-1].edge_id.startswith("edges.tsv#e")
               for p in res.paths)


def test_end_to_end_sparql_on_the_store(big: Path) -> None:
    state_store = __import__("kg.cli.common", fromlist=["State"]).State(FIXTURE, big).sparql_store()
    q = ("SELECT (COUNT(*) AS ?n) WHERE { ?st <http://www.w3.org/ns/prov#wasDerivedFrom> "
         "<https://w3id.org/ivkg/source/edges.tsv> }")
    (row,) = list(state_store.query(q))
    assert int(row["n"].value) == 10000 - _merged(big)


def _merged(store: Path) -> int:
    man = json.loads((store / "CURRENT" / "manifest.json").read_text("utf-8"))
    return int(man["counts"].get("edges merged into a curated statement", 0))


def _has_command(name: str) -> bool:
    return name in main.commands


@pytest.mark.parametrize("args", [
    ("path", "bevacizumab", "IFN-γ", "--max-length", "4", "--limit", "10", "--format", "json"),
    ("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "json"),
    ("export", "--help"),
])
def test_end_to_end_cli_with_store(big: Path, args: tuple[str, ...]) -> None:
    if not _has_command(args[0]):
        pytest.skip(f"kg {args[0]} is not registered yet")
    code, out, err = kg_run(*args, "--store", str(big))
    assert code == 0, err
    if args[0] == "path":
        paths = json.loads(out)["paths"]
        assert any(any(st.get("object") not in {"HGNC:12680", "HGNC:5438", "HGNC:17635"}
                       for st in p["steps"]) for p in paths), "expected paths through imported nodes"
    if args[0] == "sparql":
        from kg.store.store import Store

        (row,) = json.loads(out)["results"]["bindings"]
        assert int(row["n"]["value"]) == len(Store(big).oxigraph())


@pytest.mark.curated
def test_imported_ids_meet_the_real_curated_nodes(tmp_path: Path) -> None:
    """"hgnc:12680" in an imported file and HGNC:12680 (VEGF-A) in data/ are one node."""
    from kg.store.store import Store

    nodes, edges = write(tmp_path, "nodes.tsv", NODES), write(tmp_path, "edges.tsv", EDGES)
    res = CliRunner().invoke(main, ["import", str(nodes), str(edges), "--store", str(tmp_path / "s")])
    assert res.exit_code == 0, res.stderr
    st = Store(tmp_path / "s")
    vegfa = st.node("HGNC:12680")
    assert vegfa is not None and st.labels[vegfa] == "VEGF-A" and bool(st.node_curated[vegfa])
    sources = {st.edge(int(e))["source"] for e in st.in_edges(vegfa)}
    assert sources == {"curated", "edges.tsv"}


def test_views_show_and_search_on_the_store(big: Path, tmp_path: Path) -> None:
    """viz, export, show and search accept --store and reach imported nodes and edges."""
    code, out, err = kg_run("--store", str(big), "export", "--format", "graphml", "--focus", "VEGF-A",
                            "--radius", "1", "--out", str(tmp_path / "v.graphml"))
    assert code == 0, err
    import networkx as nx

    g = nx.read_graphml(tmp_path / "v.graphml")
    assert "HGNC:12680" in g
    imported = [d for _u, _v, d in g.edges(data=True) if "imported" in str(d.get("model_system", ""))]
    assert imported, "the focus view should include edges imported from the KGX file"
    code, out, err = kg_run("--store", str(big), "export", "--format", "ntriples", "--path", "bevacizumab",
                            "IFN-γ", "--out", str(tmp_path / "p.nt"))
    assert code == 0, err
    import pyoxigraph as ox

    assert len(list(ox.parse(path=str(tmp_path / "p.nt"), format=ox.RdfFormat.N_TRIPLES))) > 0
    code, out, err = kg_run("--store", str(big), "viz", "--focus", "VEGF-A", "--out", str(tmp_path / "v.html"))
    assert code == 0, err and (tmp_path / "v.html").stat().st_size > 10_000
    code, out, err = kg_run("--store", str(big), "show", "VEGF-A", "--format", "json")
    assert code == 0, err
    card = json.loads(out)
    statements = card["outgoing"] + card["incoming"]
    assert any("imported" in (st["model_system"] or "") for st in statements)  # imported edges too
    assert any(st["predicate"] == "inhibits" and st["subject"] == "DRUGBANK:DB00112" for st in statements)
    # the whole merged graph (small enough here; above 50,000 edges a view must be selected)
    code, out, err = kg_run("--store", str(big), "export", "--format", "csv", "--out", str(tmp_path / "all.csv"))
    assert code == 0, err
    assert len((tmp_path / "all.csv").read_text("utf-8").splitlines()) > 10_000
