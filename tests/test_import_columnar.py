"""The columnar KGX TSV pass (kg.store.kgxpass) against the row pass it replaces: on messy input both
build the same store, exactly (triples, arrays, manifest, report), and refuse bad input alike."""

from __future__ import annotations

import gzip
import json
import random
import re
from pathlib import Path

import pytest

from kg.curation.read import load
from kg.store import formats as fm
from kg.store.importer import ImportFailed, import_files

FIXTURE = Path(__file__).parent / "fixtures" / "store"
EDGE_HEADER = ("id\tsubject\tpredicate\tobject\tobject_aspect_qualifier\tobject_direction_qualifier\tnegated\t"
               "has_evidence\tivkg_evidence\tpublications\toriginal_predicate\tqualified_predicate")
PREDS = [("biolink:affects", "activity", "increased"), ("biolink:affects", "expression", "decreased"),
         ("biolink:affects", "activity_or_abundance", "upregulated"), ("biolink:interacts_with", "", ""),
         ("biolink:related_to", "", ""), ("biolink:treats", "", ""), ("biolink:affects", "", ""),
         ("biolink:affects", "bogus", "increased"), ("", "", ""), ("foo:bar", "", ""),
         ("biolink:increases_expression_of", "", ""), ("biolink:physically_interacts_with", "", "")]
ODD_IDS = ["FOO:1", "HGNC:abc", "nocolon", "http://identifiers.org/hgnc/5", " HGNC:77 ", "hgnc:12680",
           "NCBIGene:7422", "MESH:D000001", "http://example.org/x/1", "GO:123", "CHEBI:15365", "NCBIGene:a b"]


def _node_rows(rng: random.Random) -> list[str]:
    rows = []
    for i in range(1500):
        r = rng.random()
        cid = f"HGNC:{i + 1}" if r < 0.6 else f"hgnc:{i + 1}" if r < 0.7 else rng.choice(ODD_IDS)
        label = rng.choice([f"gene {i}", f'a "q" \\ é {i}', "", "ctl \x1b[31m", "tab\\t"])
        syn = rng.choice(["", f"G{i}||g{i}|", "|", f"s{i}"])
        cat = rng.choice(["biolink:Gene", "biolink:Protein|biolink:NamedThing", "biolink:SmallMolecule", "",
                          "biolink:Disease"])
        rows.append(f"{label}\t{syn}\t{cid}\t{cat}\tsrc")
    return rows


def _edge_row(rng: random.Random, i: int, st: list[tuple[str, str, str]]) -> str:
    if st and rng.random() < 0.05:
        s, p, o = rng.choice(st)
        pred, aspect, direction = f"ivkg:{p}", "", ""
    else:
        s = rng.choice([f"HGNC:{rng.randint(1, 1600)}", f"hgnc:{rng.randint(1, 40)}", *ODD_IDS[:3], "CHEBI:15365"]
                       if rng.random() < 0.2 else [f"HGNC:{rng.randint(1, 1600)}"])
        o = f"HGNC:{rng.randint(1, 1600)}" if rng.random() < 0.9 else rng.choice(ODD_IDS)
        pred, aspect, direction = rng.choice(PREDS)
    ident = rng.choice(["", f"e{i}", f"e{i % 50}", "st-0123456789ab", f" e{i} "])
    neg = rng.choice(["", "", "", "", "True", "false", "TRUE"])
    eco = rng.choice(["", "ECO:0000006|ECO:0007636", "ECO:0000304"])
    ev = rng.choice(["", "", "rct", "bogus", "in_vitro"])
    pubs = rng.choice(["", "PMID:1|PMID:2"])
    orig = rng.choice(["", "", "ivkg:increases_activity", "ivkg:decreases_expression"])
    qual = rng.choice(["", "", "biolink:causes"])
    return "\t".join((ident, s, pred, o, aspect, direction, neg, eco, ev, pubs, orig, qual))


def _messy(tmp: Path, kg) -> list[Path]:
    rng = random.Random(15)
    st = [(str(s.subject), s.predicate, str(s.object)) for s in kg.statements]
    nodes = ["name\tsynonym\tid\tcategory\tprovided_by", *_node_rows(rng)]
    edges = [EDGE_HEADER, *(_edge_row(rng, i, st) for i in range(4000))]
    dup = edges[: 1] + edges[1:400] + [_edge_row(rng, 5000 + i, st) for i in range(400)]  # overlaps file one
    rows = edges[:1] + [_edge_row(rng, 9000 + i, st) for i in range(2000)]
    # Structural mess in the last file, spread over blocks: short, long, blank, CR, bad UTF-8, blank keys.
    for at, bad in ((30, "e1\tHGNC:1\tbiolink:treats"), (90, "x\t" * 20), (150, ""), (151, " \t \t"),
                    (300, "e2\tHGNC:2\tbiolink:treats\tHGNC:3\r"), (600, "\t\tbiolink:treats\tHGNC:4"),
                    (1200, "\t" * 11), (1500, "e5\tHGNC:5\tbiolink:treats\tHGNC:\udcff")):
        rows.insert(at, bad)
    paths = [tmp / "nodes.tsv", tmp / "edges.tsv", tmp / "more_edges.tsv.gz", tmp / "rows_edges.tsv"]
    paths[0].write_text("\n".join(nodes) + "\n", encoding="utf-8")
    paths[1].write_text("\n".join(edges) + "\n", encoding="utf-8")
    with gzip.open(paths[2], "wt", encoding="utf-8", newline="") as f:
        f.write("\n".join(dup) + "\n")
    paths[3].write_bytes("\n".join(rows).encode("utf-8", "surrogateescape") + b"\nlast\tHGNC:9")
    return paths


def _store(store: Path) -> dict[str, object]:
    import pyoxigraph as ox

    gen = (store / "CURRENT").resolve()
    ox_store = ox.Store.read_only(str(gen / "oxigraph"))
    # Blank nodes (of the bulk-loaded ontology) get fresh labels in every store: compared without them.
    triples = sorted(re.sub(r"_:[0-9a-f]+", "_:b", f"{q.subject} {q.predicate} {q.object}") for q in ox_store)
    arrays = {p.name: p.read_bytes() for p in sorted((gen / "arrays").iterdir())}
    import duckdb

    # The columnar statement table (kg.store.columnar) that answers aggregate SPARQL: the same rows.
    meta = json.loads((gen / "columnar" / "meta.json").read_text())
    table = duckdb.connect().execute(
        f"SELECT * FROM read_parquet('{gen / 'columnar' / 'statements.parquet'}') ORDER BY ALL").fetchall() \
        if meta.get("enabled") else None
    return {"triples": triples, "arrays": arrays, "manifest": json.loads((gen / "manifest.json").read_text()),
            "columnar": (meta.get("enabled"), table)}


def _both(tmp: Path, kg, files: list[Path], **kw) -> tuple[dict, dict]:
    out = []
    for columnar in (False, True):
        d = tmp / f"store-{columnar}-{len(files)}"
        summary = import_files(kg, files, "kgx", d, columnar=columnar, **kw).to_json()
        summary.pop("seconds"), summary.pop("store")
        out.append({"summary": summary, **_store(d)})
    return out[0], out[1]


@pytest.mark.parametrize("block", [fm.KgxColumns.BLOCK, 4096])
def test_columnar_pass_builds_the_row_pass_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 block: int) -> None:
    kg = load(FIXTURE)
    files = _messy(tmp_path, kg)
    monkeypatch.setattr(fm.KgxColumns, "BLOCK", block)
    used = {"fast": 0, "rows": 0}
    fast_block, rows_block = fm.KgxColumns._block, fm.KgxColumns._rows_block

    def spy_block(self, *a):
        used["fast"] += 1
        return fast_block(self, *a)

    def spy_rows(self, *a):
        used["rows"] += 1
        return rows_block(self, *a)

    monkeypatch.setattr(fm.KgxColumns, "_block", spy_block)
    monkeypatch.setattr(fm.KgxColumns, "_rows_block", spy_rows)
    row, col = _both(tmp_path, kg, files, max_bad_share=1.0)
    assert used["rows"] >= 1 and used["fast"] > used["rows"]
    assert col["summary"] == row["summary"]
    assert col["triples"] == row["triples"]
    assert col["arrays"] == row["arrays"]
    assert col["manifest"] == row["manifest"]
    # The messy input gives one statement id (st-0123456789ab) to different edges: the tables refuse
    # (in both passes), since that statement node holds several subjects.
    assert col["columnar"] == row["columnar"] == (False, None)
    s = row["summary"]
    assert s["n_problems"] > 100 and s["skipped"]["negated edge"] > 0  # the input is as messy as meant
    assert s["counts"]["edges merged into a curated statement"] > 0
    assert s["skipped"]["duplicate edge (same subject, predicate, object)"] > 0


def test_columnar_pass_without_curated_graph_and_refusals(tmp_path: Path) -> None:
    files = _messy(tmp_path, load(FIXTURE))
    row, col = _both(tmp_path, None, files[:3], max_bad_share=1.0)
    assert col == row
    messages = []
    for columnar in (False, True):  # the first problem refuses a strict import, the same one
        with pytest.raises(ImportFailed) as exc:
            import_files(None, files, "kgx", tmp_path / f"strict-{columnar}", strict=True, columnar=columnar)
        messages.append(str(exc.value))
        with pytest.raises(ImportFailed) as exc:  # over the share of malformed rows
            import_files(None, files, "kgx", tmp_path / f"share-{columnar}", columnar=columnar)
        messages.append(str(exc.value))
    assert messages[:2] == messages[2:]


def test_columnar_pass_truncated_gzip(tmp_path: Path) -> None:
    rows = "".join(f"e{i}\tHGNC:{i % 997 + 1}\tbiolink:treats\tHGNC:{i % 991 + 2}\n" for i in range(20000))
    data = gzip.compress(("id\tsubject\tpredicate\tobject\n" + rows).encode())
    cut = tmp_path / "cut_edges.tsv.gz"
    cut.write_bytes(data[: len(data) // 2])
    messages = []
    for columnar in (False, True):
        with pytest.raises(ImportFailed) as exc:
            import_files(None, [cut], "kgx", tmp_path / f"s-{columnar}", columnar=columnar)
        messages.append(str(exc.value))
    assert messages[0] == messages[1] and "truncated or corrupt" in messages[0]


def test_columnar_pass_on_the_biolink_fixture(tmp_path: Path) -> None:
    folder = Path(__file__).parent / "fixtures" / "kgx_biolink"
    row, col = _both(tmp_path, load(FIXTURE), [folder / "graph_nodes.tsv", folder / "graph_edges.tsv"])
    assert col == row
    assert row["columnar"][0] is True and len(row["columnar"][1]) == row["manifest"]["counts"]["store edges"]


def test_short_rows_take_the_columnar_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """KGX leaves out trailing empty cells: such rows are padded for the CSV reader, not sent row by row."""
    header = "id\tsubject\tpredicate\tobject\tpublications\tobject_direction_qualifier"
    rows = [f"e{i}\tHGNC:{i % 97 + 1}\tbiolink:interacts_with\tHGNC:{i % 89 + 2}" + ("\tPMID:1" if i % 3 else "")
            for i in range(3000)]
    edges = tmp_path / "short_edges.tsv"
    edges.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    used = {"rows": 0}
    rows_block = fm.KgxColumns._rows_block

    def spy_rows(self, *a):
        used["rows"] += 1
        return rows_block(self, *a)

    monkeypatch.setattr(fm.KgxColumns, "_rows_block", spy_rows)
    row, col = _both(tmp_path, None, [edges])
    assert used["rows"] == 0
    assert col == row and row["summary"]["counts"]["edges imported"] == 3000
