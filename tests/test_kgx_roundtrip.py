"""Our KGX export through the real ``kgx`` command line and back (the facts of docs/kgx.md):

- ``kgx transform --stream`` to JSON Lines, then ``kg import``: every curated statement whole (subject,
  signed predicate, object, id, evidence);
- streaming to TSV: every statement's id and ends, in kgx's default columns only;
- in memory (no ``--stream``): every statement but those kgx's subject-predicate-object key overwrites;
- ``kgx validate``: nothing wrong but the project-local ``ivkg:`` ids, which no Biolink context holds.

The ``kgx`` processes run offline through a ``sitecustomize`` module written for them (:data:`OFFLINE`):
sockets disabled, bmt pointed at the Biolink Model YAML of the installed ``biolink-model`` package and kgx
given that package's prefix map as its Biolink context (what kgx would download; no prefix of ours).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
KGX_BIN = Path(sys.executable).with_name("kgx")
pytestmark = [pytest.mark.slow, pytest.mark.curated]


#: Imported by the kgx process at start-up (a sitecustomize module, written to a temporary folder: a
#: module under tests/ would be imported by pytest's --doctest-modules and cut this process's network).
OFFLINE = '''
import json
import socket
from importlib import resources


def _no_network(*args, **kwargs):
    raise OSError("network disabled: kgx runs offline in tests")


socket.socket.connect = _no_network  # type: ignore[method-assign]
socket.getaddrinfo = _no_network  # type: ignore[assignment]

try:
    import bmt
    from bmt import toolkit as _tk
except ImportError:  # not a kgx process
    pass
else:
    _YAML = str(resources.files("biolink_model") / "schema" / "biolink_model.yaml")

    class OfflineToolkit(_tk.Toolkit):
        def __init__(self, schema=_YAML, predicate_map=None, **kwargs):
            super().__init__(schema, predicate_map or {"predicate mappings": []}, **kwargs)

    bmt.Toolkit = OfflineToolkit
    _tk.Toolkit = OfflineToolkit
    import kgx.config

    kgx.config.jsonld_context_map["biolink"] = json.loads(
        (resources.files("biolink_model") / "prefixmaps" / "biolink-model-prefix-map.json").read_text())
'''


def kgx(*args: str) -> subprocess.CompletedProcess[str]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kgx-offline-") as hook:
        (Path(hook) / "sitecustomize.py").write_text(OFFLINE, encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=hook)
        return subprocess.run([str(KGX_BIN), *args], capture_output=True, text=True, env=env, timeout=600)


def kg(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not KGX_BIN.exists():
        pytest.skip("the kgx command line is in the test extra")
    out = tmp_path_factory.mktemp("kgx") / "ours"
    code, _, err = kg("export", "--format", "kgx", "--out", str(out))
    assert code == 0, err
    return out


def tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_booleans_and_publications_as_kgx_reads_them(exported: Path, curated_kg) -> None:
    from kg.core.vocab import REVIEW_DOI

    edges = tsv(exported / "edges.tsv")
    assert len(edges) == len(curated_kg.statements)
    assert {e["negated"] for e in edges} == {""}  # never "False", which bool() reads as true
    assert all(f"doi:{REVIEW_DOI}" in e["publications"].split("|") for e in edges)
    assert len({e["id"] for e in edges}) == len(edges)


def imported(store: Path) -> tuple[Counter, set[str]]:
    """The statements of a store as (subject, predicate, object, evidence rank) and their ids."""
    from kg.store.store import Store

    st = Store(store)
    # The store keeps evidence as its rank (levels of equal rank share it).
    got = Counter((e["subject"], e["predicate"], e["object"], e["evidence_rank"])
                  for e in map(st.edge, range(st.n_edges)))
    q = "PREFIX ivkg: <https://w3id.org/ivkg/> SELECT ?st WHERE { ?st a ivkg:Statement }"
    code, out, err = kg("--store", str(store), "sparql", q, "--format", "json")
    assert code == 0, err
    ids = {b["st"]["value"].rsplit("/", 1)[1] for b in json.loads(out)["results"]["bindings"]}
    return got, ids


def spo_ids(statements) -> tuple[Counter, set[str]]:  # type: ignore[no-untyped-def]
    return (Counter((str(s.subject), s.predicate, str(s.object), s.evidence_rank) for s in statements),
            {s.id for s in statements})


def test_round_trip_through_kgx_transform_keeps_every_statement(exported: Path, curated_kg,
                                                                 tmp_path: Path) -> None:
    # Streaming to JSON Lines writes every record as it is (kgx's in-memory graph would merge edges
    # that share subject, predicate and object, whatever their context).
    run = kgx("transform", "--stream", "-i", "tsv", "-f", "jsonl", "-o", str(tmp_path / "t"),
              str(exported / "nodes.tsv"), str(exported / "edges.tsv"))
    assert run.returncode == 0, run.stderr[-2000:]
    store = tmp_path / "store"
    code, out, err = kg("--store", str(store), "import", str(tmp_path / "t_nodes.jsonl"),
                        str(tmp_path / "t_edges.jsonl"), "--without-curated", "--report", "json")
    assert code == 0, err
    report = json.loads(out)
    n = len(curated_kg.statements)
    assert report["counts"]["edges imported"] == report["counts"]["edges mapped onto our predicates"] == n
    assert report["skipped"] == {}
    assert imported(store) == spo_ids(curated_kg.statements)


def test_streaming_tsv_to_tsv_keeps_every_edge_but_few_columns(exported: Path, curated_kg,
                                                               tmp_path: Path) -> None:
    """Streaming TSV out, kgx writes every edge but only its default columns (the command line cannot
    name more: kgx/transformer.py warns "'node_properties' and 'edge_properties' must be defined"). Every
    statement comes back with its id and ends; the qualifiers that sign ``biolink:affects`` do not."""
    run = kgx("transform", "--stream", "-i", "tsv", "-f", "tsv", "-o", str(tmp_path / "t"),
              str(exported / "nodes.tsv"), str(exported / "edges.tsv"))
    assert run.returncode == 0, run.stderr[-2000:]
    header = (tmp_path / "t_edges.tsv").read_text(encoding="utf-8").split("\n", 1)[0].split("\t")
    assert header == ["id", "subject", "predicate", "object", "category", "relation", "knowledge_source"]
    code, out, err = kg("--store", str(tmp_path / "s"), "import", str(tmp_path / "t_nodes.tsv"),
                        str(tmp_path / "t_edges.tsv"), "--without-curated", "--report", "json")
    assert code == 0, err
    assert json.loads(out)["skipped"] == {}
    got, ids = imported(tmp_path / "s")
    assert ids == {s.id for s in curated_kg.statements}
    assert Counter((s, o) for (s, _p, o, _r), n in got.items() for _ in range(n)) == Counter(
        (str(s.subject), str(s.object)) for s in curated_kg.statements)


def test_kgx_transform_tsv_keeps_negated_false(exported: Path, curated_kg, tmp_path: Path) -> None:
    """Non-streaming, kgx 2.6 keys its in-memory graph by subject-predicate-object alone (see
    docs/kgx.md): of statements sharing those three, the last one read is the one written. Exactly those
    are lost; every other statement comes back whole, ``negated`` false."""
    run = kgx("transform", "-i", "tsv", "-f", "tsv", "-o", str(tmp_path / "t"),
              str(exported / "nodes.tsv"), str(exported / "edges.tsv"))
    assert run.returncode == 0, run.stderr[-2000:]
    edges = tsv(tmp_path / "t_edges.tsv")
    assert {e.get("negated", "") for e in edges} <= {"", "False"}
    # The edge each subject-predicate-object key keeps: the last of its group in our file's order.
    last = {(e["subject"], e["predicate"], e["object"]): e["id"] for e in tsv(exported / "edges.tsv")}
    assert sorted(e["id"] for e in edges) == sorted(last.values())
    assert len(curated_kg.statements) - len(edges) == 7  # 6 groups of 2 or 3 statements (see docs/kgx.md)
    code, out, err = kg("--store", str(tmp_path / "s"), "import", str(tmp_path / "t_nodes.tsv"),
                        str(tmp_path / "t_edges.tsv"), "--without-curated", "--report", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["skipped"] == {}
    kept = set(last.values())
    assert imported(tmp_path / "s") == spo_ids([s for s in curated_kg.statements if s.id in kept])


def test_kgx_edge_key_column_fails_in_kgx(exported: Path, tmp_path: Path) -> None:
    """Why the export has no ``key`` column: kgx's graph sink would take it as the edge key, but passes it
    to networkx twice (kgx/sink/graph_sink.py write_edge, kgx/graph/nx_graph.py add_edge)."""
    rows = (exported / "edges.tsv").read_text(encoding="utf-8").splitlines()
    keyed = [f"{rows[0]}\tkey", *(f"{r}\t{r.split(chr(9), 1)[0]}" for r in rows[1:])]
    (tmp_path / "edges.tsv").write_text("\n".join(keyed) + "\n", encoding="utf-8")
    run = kgx("transform", "-i", "tsv", "-f", "tsv", "-o", str(tmp_path / "t"),
              str(exported / "nodes.tsv"), str(tmp_path / "edges.tsv"))
    assert "got multiple values for keyword argument 'key'" in run.stdout + run.stderr
    assert not (tmp_path / "t_edges.tsv").exists()


def test_kgx_validate_command_line(exported: Path) -> None:
    """``kgx validate`` checks CURIE prefixes against the Biolink JSON-LD context only (no option or input
    file adds to it; see docs/kgx.md): it reports exactly our local ``ivkg:`` ids and nothing else."""
    run = kgx("validate", "-i", "tsv", str(exported / "nodes.tsv"), str(exported / "edges.tsv"))
    text = run.stdout + run.stderr  # the report is printed as JSON, before kgx's closing log line
    start = text.find("{")
    errors = json.loads(text[start:text.rfind("}") + 1]) if start >= 0 else {}
    assert set(errors) == {"ERROR"}
    local = [n["id"] for n in tsv(exported / "nodes.tsv") if n["id"].startswith("ivkg:")]
    assert {k: set(v) for k, v in errors["ERROR"].items()} == {
        "INVALID_NODE_PROPERTY_VALUE": {
            f"Node property 'id' has a value '{n}' with a CURIE prefix 'ivkg' is not represented in "
            "Biolink Model JSON-LD context" for n in local},
        "INVALID_EDGE_PROPERTY_VALUE": {
            f"Edge property '{end}' has a value '{e[end]}' with a CURIE prefix 'ivkg' that is not "
            "represented in Biolink Model JSON-LD context"
            for e in tsv(exported / "edges.tsv") for end in ("subject", "object") if e[end].startswith("ivkg:")},
    }
    assert run.returncode == 1
