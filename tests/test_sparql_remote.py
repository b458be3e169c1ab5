"""kg.sparql.remote without a triple store: credentials from each source (never echoed), HTTP basic
against a loopback server that checks the Authorization header, the server's own error text, and
`kg queries show` printing a query another SPARQL client runs as it is."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from kg.sparql.remote import credentials, redact, server_text
from kg.sparql.safety import SparqlError

FIXTURE = Path(__file__).parent / "fixtures" / "store"


class _Handler(BaseHTTPRequestHandler):
    expected = "Basic " + base64.b64encode(b"alice:pa55-word").decode()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Authorization") != self.expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="kg"')
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><head><title>401</title></head><body><h1>Unauthorized</h1>"
                             b"<p>login required for this store</p></body></html>")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", '
                         b'"value": "ok"}}]}}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_basic_auth_from_option_url_and_environment(cli, server, monkeypatch) -> None:
    q = "SELECT ?x WHERE { ?x ?p ?o }"
    r = cli("sparql", q, "--endpoint", server, "--format", "csv", data=FIXTURE)
    assert r.exit_code == 1 and "HTTP 401" in r.output and "login required for this store" in r.output
    assert "<" not in r.output  # the page's text, not its markup
    r = cli("sparql", q, "--endpoint", server, "--user", "alice:pa55-word", "--format", "csv", data=FIXTURE)
    assert (r.exit_code, r.output.split()) == (0, ["x", "ok"])
    r = cli("sparql", q, "--endpoint", server.replace("//", "//alice:pa55-word@"), "--format", "csv",
            data=FIXTURE)
    assert r.exit_code == 0 and "pa55" not in r.output
    r = cli("sparql", q, "--endpoint", server, "--user", "alice:wrong-one", data=FIXTURE)
    assert r.exit_code == 1 and "refused basic credentials for user 'alice'" in r.output
    assert "wrong-one" not in r.output
    monkeypatch.setenv("KG_ENDPOINT_USER", "alice")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "pa55-word")
    r = cli("sparql", q, "--endpoint", server, "--format", "csv", data=FIXTURE)
    assert r.exit_code == 0, r.output


def test_credentials_sources(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "from-env")
    url, auth = credentials("http://h.example/sparql", "bob", "digest")
    assert (url, auth.user, auth.password, auth.scheme) == ("http://h.example/sparql", "bob", "from-env", "digest")
    assert "from-env" not in repr(auth)
    netrc = tmp_path / "netrc"
    netrc.write_text("machine h.example login carol password n3trc\n")
    netrc.chmod(0o600)
    _, auth = credentials("http://h.example/sparql", netrc_file=str(netrc))
    assert (auth.user, auth.password) == ("carol", "n3trc")
    assert credentials("http://other.example/q", netrc_file=str(netrc))[1] is None
    with pytest.raises(SparqlError, match="netrc file not found"):
        credentials("http://h.example/q", netrc_file=str(tmp_path / "none"))
    assert redact("https://u:p%40ss@[::1]:8890/sparql?x=1") == "https://[::1]:8890/sparql?x=1"


def test_server_text_of_an_html_error_page() -> None:
    page = (b"<html><head><title>Error</title><style>p{}</style></head><body><h1>HTTP/1.1 500 Request Failed"
            b"</h1><h3>Error 22023</h3><xmp>the endpoint is not configured to have default graph</xmp>"
            b"</body></html>")
    assert server_text(page, "text/html") == ("HTTP/1.1 500 Request Failed Error 22023 the endpoint is not "
                                              "configured to have default graph")


def test_queries_show_prints_a_query_another_client_runs(cli) -> None:
    import pyoxigraph as ox

    from kg.curation.read import load
    from kg.sparql.engine import fill_store

    store = fill_store(ox.Store(), load(FIXTURE))
    r = cli("queries", "show", "regulators-of", "--param", "entity=HGNC:12680", data=FIXTURE)
    assert r.exit_code == 0
    assert r.output.startswith("PREFIX ") and "VALUES (?entity) { (<http://identifiers.org/hgnc/12680>) }" in r.output
    rows = list(store.query(r.output))  # pyoxigraph with no predeclared prefixes
    from kg.sparql.engine import open_engine
    from kg.sparql.library import bind_params, get_query

    q = get_query("regulators-of")
    ours = open_engine(load(FIXTURE)).query(q.text, bind_params(q, {"entity": "HGNC:12680"})).values()
    assert sorted(str(s["regulator_label"].value) for s in rows) == sorted(r["regulator_label"] for r in ours)
    assert rows
