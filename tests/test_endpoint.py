"""`kg serve` (issue 14): the endpoint applies kg's guards, refuses deep queries, stops timed-out work."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import serving

from kg.sparql.endpoint import negotiate
from kg.sparql.safety import MAX_DEPTH, QueryTooDeep, QueryTooLarge, SparqlError, analyse

MINI = Path(__file__).parent / "fixtures" / "mini"
KG = str(Path(sys.executable).parent / "kg")
DEEP = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        out.update(int(x) for x in (task / "children").read_text().split())
    return out


@pytest.fixture(scope="module")
def server():
    with serving("--timeout-s", "2", "--workers", "1") as running:
        yield running


def _get(url: str, query: str, accept: str | None = None, method: str = "GET",
         path: str = "/query") -> tuple[int, Any, str]:
    data = urllib.parse.urlencode({"query" if path == "/query" else "update": query})
    base = url.removesuffix("/query") + path
    req = (urllib.request.Request(base + "?" + data) if method == "GET" else
           urllib.request.Request(base, data=data.encode(), method="POST",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"}))
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


def test_serve_refuses_service_and_deep_queries_times_out_and_keeps_serving(server):
    proc, url = server
    status, _, body = _get(url, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }")
    assert status == 403 and body.startswith("refused: SERVICE (federated query to <http://127.0.0.1:9/x>)")
    status, _, body = _get(url, DEEP, method="POST")
    assert status == 400
    assert body == "refused: the query nests 5000 levels of { ( [ at line 1, column 80; the limit is 64\n"
    before = _children(proc.pid)
    status, headers, body = _get(url, CARTESIAN)
    assert status == 503 and body == "query timed out after 2 s (the work was stopped)\n"
    assert headers["Content-Type"].startswith("text/plain")
    # The one worker was killed and replaced; the server answers the next query from the new one.
    status, headers, body = _get(url, "SELECT ?l WHERE { hgnc:12680 rdfs:label ?l }")
    assert status == 200, body
    assert json.loads(body)["results"]["bindings"] == [{"l": {"type": "literal", "value": "VEGF-A"}}]
    assert headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    assert headers["Access-Control-Allow-Origin"] == "*"
    after = _children(proc.pid)
    assert before - after and after - before, (before, after)
    assert proc.poll() is None


def test_serve_formats_and_read_only(server):
    _, url = server
    status, headers, body = _get(url, "SELECT ?l WHERE { hgnc:12680 rdfs:label ?l }", accept="text/csv")
    assert (status, body) == (200, "l\r\nVEGF-A\r\n") and headers["Content-Type"].startswith("text/csv")
    status, _, body = _get(url, "ASK { hgnc:12680 ?p ?o }", accept="application/sparql-results+xml")
    assert status == 200 and "<boolean>true</boolean>" in body
    status, headers, body = _get(url, "CONSTRUCT { hgnc:12680 rdfs:label ?l } WHERE { hgnc:12680 rdfs:label ?l }",
                                 accept="application/n-triples")
    assert status == 200
    assert body == ('<http://identifiers.org/hgnc/12680> <http://www.w3.org/2000/01/rdf-schema#label> '
                    '"VEGF-A" .\n')
    status, _, body = _get(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", accept="image/png")
    assert status == 406 and "application/sparql-results+json" in body
    status, _, body = _get(url, "DROP ALL", method="POST")
    assert status == 403 and "SPARQL update" in body
    status, headers, body = _get(url, "DROP ALL", method="POST", path="/update")
    assert status == 403 and "read-only" in body and "Access-Control-Allow-Origin" not in headers
    status, _, body = _get(url, "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")
    assert status == 403 and "FROM" in body
    status, _, body = _get(url, "SELECT * WHERE { ?s ?p }")
    assert status == 400 and body.startswith("syntax error: line 1, column")
    pre = urllib.request.Request(url, method="OPTIONS", headers={"Origin": "http://x.example",
                                                                 "Access-Control-Request-Method": "POST"})
    with urllib.request.urlopen(pre, timeout=10) as resp:
        assert resp.status == 204 and resp.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"


def test_limits_are_refused_before_parsing():
    with pytest.raises(QueryTooDeep, match="nests 10000 levels"):
        analyse("SELECT * WHERE " + "{" * 10000 + "}" * 10000)
    with pytest.raises(QueryTooDeep, match="nests 65 levels"):
        analyse("SELECT * WHERE { FILTER(" + "(" * 63 + "1" + ")" * 63 + ") }")
    analyse("SELECT * WHERE { FILTER(" + "(" * (MAX_DEPTH - 2) + "1" + ")" * (MAX_DEPTH - 2) + ") }")
    with pytest.raises(QueryTooLarge, match="100,001 characters"):
        analyse("SELECT * WHERE { ?s ?p ?o }" + " " * (100_001 - 27))
    # Braces inside strings and IRIs do not count.
    analyse('SELECT * WHERE { ?s ?p "' + "{" * 100 + '" }')
    assert issubclass(QueryTooDeep, SparqlError)


def test_negotiate():
    assert negotiate("text/tab-separated-values", graph=False) == "TSV"
    assert negotiate("application/rdf+xml;q=0.9, text/turtle;q=0.1", graph=True) == "RDF_XML"
    assert negotiate("*/*", graph=False) == "JSON"


def test_kg_sparql_refuses_10000_levels_without_crashing():
    deep = "SELECT * WHERE " + "{" * 10000 + "}" * 10000
    r = subprocess.run([KG, "--data", str(MINI), "sparql", deep], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr[-500:]
    assert r.stderr == ("kg: error: refused: the query nests 10000 levels of { ( [ at line 1, column 80; "
                        "the limit is 64\n")


def test_serve_a_store_and_updates_only_when_allowed(tmp_path):
    nt = tmp_path / "g.nt"
    nt.write_text('<http://identifiers.org/hgnc/1111> <http://www.w3.org/2000/01/rdf-schema#label> "gene one" .\n')
    store = tmp_path / "store"
    subprocess.run([KG, "--data", str(MINI), "--store", str(store), "import", str(nt)], check=True,
                   capture_output=True)
    with serving(f"--store={store}") as (_, url):
        status, _, body = _get(url, "SELECT ?l WHERE { hgnc:1111 rdfs:label ?l }", accept="text/csv")
        assert (status, body) == (200, "l\r\ngene one\r\n")
    with serving("--allow-update") as (_, url):
        status, _, body = _get(url, 'INSERT DATA { hgnc:1111 rdfs:label "added" }', method="POST", path="/update")
        assert (status, body) == (200, "ok: update applied to the served copy\n")
        status, _, body = _get(url, "SELECT ?l WHERE { hgnc:1111 rdfs:label ?l }", accept="text/csv")
        assert (status, body) == (200, "l\r\nadded\r\n")


def test_a_query_whose_client_leaves_is_stopped():
    import socket
    import time

    with serving("--timeout-s", "600", "--workers", "1") as (proc, url):
        port = int(url.split(":")[2].split("/")[0])
        before = _children(proc.pid)
        with socket.create_connection(("127.0.0.1", port)) as sock:
            query = urllib.parse.urlencode({"query": CARTESIAN})
            sock.sendall(f"GET /query?{query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            time.sleep(1)
        # Far before the 600 s limit, the worker running the abandoned query is replaced.
        for _ in range(300):
            if before - _children(proc.pid):
                break
            time.sleep(0.1)
        assert before - _children(proc.pid), "the abandoned query's worker is still running"
        status, _, _ = _get(url, "ASK { hgnc:12680 ?p ?o }")
        assert status == 200
