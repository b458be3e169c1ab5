"""Issue 14: curated tables drop nothing silently, and identifiers always become valid IRIs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

MINI = Path(__file__).parent / "fixtures" / "mini"
#: A synthetic DOI in the SICI style (DOI handbook example prefix 10.1000), with the <, > and # of real ones.
SICI = "10.1000/(SICI)1:2<3::AID-X>4.0.CO;2-#"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(MINI, dst)
    return dst


def _validate(cli, data: Path) -> tuple[int, list[str]]:
    r = cli("validate", data=data)
    return r.exit_code, r.output.splitlines()


def test_a_directory_or_dangling_symlink_in_place_of_a_table_is_an_error(cli, mini: Path):
    table = mini / "statements" / "core.tsv"
    table.unlink()
    table.mkdir()
    code, errors = _validate(cli, mini)
    assert code == 1
    assert "statements/core.tsv: is a directory in a table folder (tables are .tsv files)" in "\n".join(errors)
    table.rmdir()
    os.symlink(mini / "nowhere.tsv", table)
    code, errors = _validate(cli, mini)
    assert code == 1 and "statements/core.tsv: dangling symlink in a table folder" in "\n".join(errors)


def test_a_table_folder_that_is_a_file_is_an_error(cli, mini: Path):
    shutil.rmtree(mini / "statements")
    (mini / "statements").write_text("not a folder\n")
    code, errors = _validate(cli, mini)
    assert code == 1 and "statements: is a file, not a folder of .tsv tables" in "\n".join(errors)


def _problems(mini: Path) -> list[str]:
    from kg.curation.tables import read_tables

    return [str(p) for p in read_tables(mini)[1]]


def test_nul_truncation_and_cr_only_endings(mini: Path):
    path = mini / "entities" / "core.tsv"
    original = path.read_bytes()
    lines = original.split(b"\n")
    label_at = lines[0].split(b"\t").index(b"label")
    cells = lines[1].split(b"\t")
    cells[label_at] = cells[label_at][:3] + b"\x00" + cells[label_at][3:]
    path.write_bytes(b"\n".join([lines[0], b"\t".join(cells), *lines[2:]]))
    assert _problems(mini) == ["data/entities/core.tsv:2: label: a NUL byte in the cell at character 4: "
                               "curated text must be plain"]
    path.write_bytes(original.rstrip(b"\n")[:-3])  # cut inside the last row
    n = original.rstrip(b"\n").count(b"\n") + 1
    assert f"data/entities/core.tsv:{n}: no newline at the end of the file: it may have been cut inside its " \
           "last row (end the file with a newline)" in _problems(mini)
    path.write_bytes(original.replace(b"\n", b"\r"))
    assert _problems(mini) == ["data/entities/core.tsv:1: CR-only line endings (old Mac style): save the file "
                               "with LF (or CRLF) line endings"]
    path.write_bytes(original.replace(b"\n", b"\r\n"))
    assert _problems(mini) == []


def test_bidi_and_escape_characters_in_curated_text_are_flagged(mini: Path):
    path = mini / "entities" / "core.tsv"
    path.write_text(path.read_text("utf-8").replace("VEGF-A", "VEGF\u202eA\x1b[2J", 1), "utf-8")
    probs = _problems(mini)
    assert len(probs) == 1 and "a bidirectional-text control (U+202E)" in probs[0]


def _with_sici_doi(mini: Path) -> None:
    pubs = mini / "publications" / "core.tsv"
    lines = pubs.read_text("utf-8").splitlines()
    head = lines[0].split("\t")
    row = lines[1].split("\t")
    assert row[0] == "14"
    row[head.index("doi")] = "DOI:" + SICI
    pubs.write_text("\n".join([lines[0], "\t".join(row), *lines[2:]]) + "\n", "utf-8")


def test_a_doi_with_angle_brackets_builds_queries_and_exports_valid_rdf(cli, mini: Path, tmp_path: Path):
    import pyoxigraph as ox
    import rdflib

    from kg.core.model import Curie

    _with_sici_doi(mini)
    iri = "https://doi.org/10.1000/(SICI)1:2%3C3::AID-X%3E4.0.CO;2-%23"
    assert Curie.parse("DOI:" + SICI).uri == iri
    assert cli("validate", data=mini).exit_code == 0
    r = cli("build", "--out", str(tmp_path / "build"), data=mini)
    assert r.exit_code == 0, r.output
    nt = (tmp_path / "build" / "ivkg.nt").read_bytes()
    assert any(str(t.object) == f"<{iri}>" for t in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    rdflib.Graph().parse(tmp_path / "build" / "ivkg.ttl", format="turtle")
    r = cli("sparql", "SELECT ?d WHERE { ?s ?p ?d FILTER(CONTAINS(STR(?d), 'SICI')) } LIMIT 1", "--format",
            "csv", data=mini)
    assert (r.exit_code, r.output.splitlines()) == (0, ["d", iri])
    out = tmp_path / "exports"
    for fmt in ("turtle", "ntriples", "jsonld"):
        r = cli("export", "--format", fmt, "--out", str(out / fmt), data=mini)
        assert r.exit_code == 0, r.output
    rdf = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
    for fmt, rdf_format in rdf.items():
        triples = list(ox.parse(path=str(out / fmt), format=rdf_format))
        assert any(getattr(t.object, "value", None) == iri for t in triples), fmt
    for fmt in ("graphml", "gexf", "node-link", "cytoscape", "dot", "csv"):
        r = cli("export", "--format", fmt, "--out", str(out / fmt), data=mini)
        assert r.exit_code == 0, r.output
    import networkx as nx
    import pydot

    nx.read_graphml(out / "graphml")
    nx.read_gexf(out / "gexf")
    json.loads((out / "node-link").read_text("utf-8"))
    json.loads((out / "cytoscape").read_text("utf-8"))
    assert pydot.graph_from_dot_data((out / "dot").read_text("utf-8"))
