"""Issue 14: `kg sparql` limits and timeouts, and faults that end in one line instead of a traceback."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

MINI = Path(__file__).parent / "fixtures" / "mini"
KG = str(Path(sys.executable).parent / "kg")
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_kg_sparql_timeout_is_an_error_and_the_work_ends_with_the_process():
    r = subprocess.run([KG, "--data", str(MINI), "sparql", CARTESIAN, "--timeout", "1"],
                       capture_output=True, text=True, timeout=120)
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "kg: error: query timed out after 1 s\n")


def test_default_timeout_applies_when_none_is_given(monkeypatch):
    from kg.curation.read import load
    from kg.sparql import engine

    eng = engine.open_engine(load(MINI))
    monkeypatch.setattr(engine, "DEFAULT_TIMEOUT_S", 0.3)
    with pytest.raises(engine.QueryTimeout, match=r"timed out after 0\.3 s"):
        eng.query(CARTESIAN)
    assert "default 60" in subprocess.run([KG, "sparql", "--help"], capture_output=True, text=True).stdout


@pytest.fixture
def html_service() -> Iterator[str]:
    """An HTTP server that answers every request with an HTML page (200, text/html)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>\nnot SPARQL\n</body></html>\n")

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_an_allowed_service_answering_html_is_one_line(cli, html_service, engine):
    r = cli("sparql", f"SELECT * WHERE {{ SERVICE <{html_service}> {{ ?s ?p ?o }} }}", "--allow-remote",
            "--engine", engine, data=MINI)
    assert r.exit_code == 1
    expected = {"oxigraph": f"Unsupported Content-Type returned by service <{html_service}>: text/html",
                "rdflib": "JSONDecodeError: Expecting value: line 1 column 1 (char 0)"}[engine]
    assert r.output == f"kg: error: query failed: {expected}\n"


def test_a_5000_digit_param_and_a_non_utf8_file_are_one_line(cli, tmp_path):
    r = cli("sparql", "--name", "trials-orr-above", "--param", "threshold=" + "9" * 5000, data=MINI)
    assert (r.exit_code, r.output) == (1, "kg: error: the number 999999999999... has 5,000 characters; a "
                                          "parameter number may have at most 100\n")
    bad = tmp_path / "q.rq"
    bad.write_bytes(b'SELECT * WHERE {\n ?s ?p "\xff" }')
    r = cli("sparql", "--file", str(bad), data=MINI)
    assert (r.exit_code, r.output) == (1, f"kg: error: {bad}:2: not valid UTF-8 (byte 0xff)\n")
