"""Our KGX export through the real ``kgx`` command line and back: ivkg -> KGX TSV -> ``kgx transform`` ->
``kg import`` keeps every curated statement (subject, predicate, object, id, evidence), and ``kgx validate``
finds nothing wrong but the project-local ``ivkg:`` prefix, which the Biolink context does not hold.

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
    from kg.store.store import Store

    st = Store(store)
    # The store keeps evidence as its rank (levels of equal rank share it).
    got = Counter((e["subject"], e["predicate"], e["object"], e["evidence_rank"])
                  for e in map(st.edge, range(st.n_edges)))
    want = Counter((str(s.subject), s.predicate, str(s.object), s.evidence_rank) for s in curated_kg.statements)
    assert got == want
    q = "PREFIX ivkg: <https://w3id.org/ivkg/> SELECT ?st WHERE { ?st a ivkg:Statement }"
    code, out, err = kg("--store", str(store), "sparql", q, "--format", "json")
    assert code == 0, err
    ids = {b["st"]["value"].rsplit("/", 1)[1] for b in json.loads(out)["results"]["bindings"]}
    assert ids == {s.id for s in curated_kg.statements}


def test_kgx_transform_tsv_keeps_negated_false(exported: Path, curated_kg, tmp_path: Path) -> None:
    run = kgx("transform", "-i", "tsv", "-f", "tsv", "-o", str(tmp_path / "t"),
              str(exported / "nodes.tsv"), str(exported / "edges.tsv"))
    assert run.returncode == 0, run.stderr[-2000:]
    edges = tsv(tmp_path / "t_edges.tsv")
    assert {e.get("negated", "") for e in edges} <= {"", "False"}
    code, out, err = kg("--store", str(tmp_path / "s"), "import", str(tmp_path / "t_nodes.tsv"),
                        str(tmp_path / "t_edges.tsv"), "--without-curated", "--report", "json")
    assert code == 0, err
    report = json.loads(out)
    assert "negated edge" not in report["skipped"]
    # kgx's in-memory graph keys edges by subject-predicate-object: statements that differ only in
    # context (species, model system) become one edge there. Each edge it writes is imported.
    same_spo = Counter((e["subject"], e["predicate"], e["object"]) for e in tsv(exported / "edges.tsv"))
    assert report["counts"]["edges imported"] == len(edges) == len(same_spo)


def test_kgx_validate_command_line(exported: Path) -> None:
    run = kgx("validate", "-i", "tsv", str(exported / "nodes.tsv"), str(exported / "edges.tsv"))
    text = run.stdout + run.stderr  # the report is printed as JSON, before kgx's closing log line
    start = text.find("{")
    errors = json.loads(text[start:text.rfind("}") + 1]) if start >= 0 else {}
    messages = [m for kinds in errors.get("ERROR", {}).values() for m in kinds]
    # Everything but the local prefix validates; ivkg: is not in the Biolink context kgx validates with.
    assert messages and all("CURIE prefix 'ivkg'" in m for m in messages)
    assert run.returncode == 1
