"""Issue 14: imports resolve relative IRIs, escape identifiers into valid IRIs, and keep a store readable
while another import publishes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kg.cli.main import main

FIXTURE = Path(__file__).parent / "fixtures" / "store"
NT = '<http://identifiers.org/hgnc/1111> <http://www.w3.org/2000/01/rdf-schema#label> "gene one" .\n'
RELATIVE = '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<a> rdfs:label "relative a" .\n'


def kg_run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, ["--data", str(FIXTURE), *args], catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


def _labels(store: Path) -> dict[str, str]:
    code, out, err = kg_run("--store", str(store), "sparql", "--format", "tsv",
                            "SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(STRSTARTS(?l, 'relative')) }")
    assert code == 0, err
    return dict(line.split("\t") for line in out.splitlines()[1:])


def test_turtle_with_relative_iris_uses_base_or_the_file_uri(tmp_path: Path):
    ttl = tmp_path / "rel.ttl"
    ttl.write_text(RELATIVE, "utf-8")
    store = tmp_path / "store"
    code, _, err = kg_run("import", str(ttl), "--store", str(store))
    assert code == 0, err
    assert _labels(store) == {f"<{ttl.resolve().as_uri().rsplit('/', 1)[0]}/a>": '"relative a"'}
    code, _, err = kg_run("import", str(ttl), "--base", "http://example.org/base/", "--store", str(store))
    assert code == 0, err
    assert _labels(store) == {"<http://example.org/base/a>": '"relative a"'}


def test_kgx_ids_that_are_not_iris_as_written_are_escaped(tmp_path: Path):
    import pyoxigraph as ox

    nodes = tmp_path / "nodes.tsv"
    nodes.write_text("id\tcategory\tname\n"
                     "DOI:10.1000/x{y}\tbiolink:Publication\tbraces\n"
                     'DOI:10.1000/a>"b\tbiolink:Publication\tquote\n', "utf-8")
    store = tmp_path / "store"
    code, _, err = kg_run("import", str(nodes), "--strict", "--store", str(store))
    assert code == 0, err
    code, out, err = kg_run("--store", str(store), "sparql", "--format", "nt",
                            "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l "
                            "FILTER(?l IN ('braces', 'quote')) }")
    assert code == 0, err
    subjects = sorted(t.subject.value for t in ox.parse(out.encode(), format=ox.RdfFormat.N_TRIPLES))
    assert subjects == ["https://doi.org/10.1000/a%3E%22b", "https://doi.org/10.1000/x%7By%7D"]


def test_a_reader_opened_before_a_publish_can_still_open_its_rdf_store(tmp_path: Path):
    from kg.store.store import Store, StoreError

    src = tmp_path / "g.nt"
    src.write_text(NT, "utf-8")
    store = tmp_path / "store"
    assert kg_run("import", str(src), "--store", str(store))[0] == 0
    reader = Store(store)  # resolved CURRENT and mapped the arrays; Oxigraph opens lazily
    assert kg_run("import", str(src), "--store", str(store))[0] == 0
    assert reader.gen.is_dir() and len(reader.oxigraph()) > 0
    late = Store(store)
    assert kg_run("import", str(src), "--store", str(store))[0] == 0
    assert kg_run("import", str(src), "--store", str(store))[0] == 0
    assert len(list(store.glob("gen-*"))) == 2  # the live generation and the one it replaced
    try:
        late.oxigraph()
    except StoreError as exc:
        assert str(exc).startswith(f"{late.gen}/oxigraph: cannot open the RDF store (")
        assert "\n" not in str(exc)
    else:  # pragma: no cover - the generation was removed two imports ago
        raise AssertionError("opened a removed generation")


def test_names_with_terminal_controls_are_reported(tmp_path: Path):
    nodes = tmp_path / "nodes.tsv"
    nodes.write_text("id\tcategory\tname\nHGNC:1111\tbiolink:Gene\tgene\x1b]0;x\x07 \u202eone\n", "utf-8")
    code, _, err = kg_run("import", str(nodes), "--store", str(tmp_path / "store"))
    assert code == 0, err
    assert "warning: HGNC:1111: name holds control or bidi characters (U+0007, U+001B, U+202E); shown escaped" \
        in err.splitlines()
