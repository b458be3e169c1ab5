"""``kg push`` and ``kg sparql --endpoint`` against a second, independent triple store: Debian's
``virtuoso-opensource`` (installed by .ci/run), started here on free loopback ports with its own ini and
database folder, its dba password changed before anything is pushed.

Virtuoso has no writable default graph and asks for HTTP digest authentication on its Graph Store
endpoint: both are what an operator meets, and what ``kg`` must explain. Every named query must then give,
row for row, what the embedded Oxigraph engine gives.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from conftest import stop

from kg.cli.main import main
from kg.sparql.engine import open_engine
from kg.sparql.library import bind_params, list_queries
from kg.sparql.remote import open_remote

pytestmark = [pytest.mark.slow, pytest.mark.curated]
VIRTUOSO, ISQL = shutil.which("virtuoso-t"), shutil.which("isql-vt")
PASSWORD = "kg-test-Pw-7q"
GRAPH = "https://w3id.org/ivkg/graph"
VAD = "/usr/share/virtuoso-opensource-7/vad"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {vad}
VADInstallDir = {vad}/
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 1
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 120
"""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (VIRTUOSO and ISQL):
        pytest.skip("virtuoso-opensource is not installed (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("virtuoso")
    (folder / "db").mkdir()
    sql, http = _free_port(), _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(db=folder / "db", sql=sql, http=http, vad=VAD), encoding="utf-8")
    log = (folder / "out.log").open("w")
    proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=folder, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while "Server online at" not in (folder / "out.log").read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("virtuoso did not start: " + (folder / "out.log").read_text()[-2000:])
            time.sleep(0.5)
        run = subprocess.run([ISQL, str(sql), "dba", "dba", f"exec=USER_SET_PASSWORD('dba', '{PASSWORD}');"],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stdout + run.stderr
        yield f"http://127.0.0.1:{http}"
    finally:
        stop(proc, 30)
        log.close()


def kg(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    res = CliRunner(env=env).invoke(main, list(args), catch_exceptions=False)
    return res.exit_code, res.output


def test_push_explains_credentials_and_the_named_graph(virtuoso: str) -> None:
    crud = virtuoso + "/sparql-graph-crud-auth"
    code, out = kg("push", "--endpoint", crud, "--graph", GRAPH)
    assert code == 1 and "HTTP 401" in out and "give credentials" in out
    # Credentials in the URL are used, not resolved as a host name, and never printed back.
    code, out = kg("push", "--endpoint", crud.replace("//", f"//dba:{PASSWORD}@"), "--auth", "digest")
    assert code == 1 and PASSWORD not in out
    assert "not configured to have default graph" in out  # the server's own text, from its HTML page
    assert "give a named graph with --graph IRI" in out
    code, out = kg("push", "--endpoint", crud, "--graph", GRAPH, "--user", "dba:wrong", "--auth", "digest")
    assert code == 1 and "HTTP 401" in out and "refused digest credentials for user 'dba'" in out
    assert "wrong" not in out.replace("'dba'", "")


@pytest.fixture(scope="module")
def pushed(virtuoso: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    netrc = tmp_path_factory.mktemp("netrc") / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login dba password {PASSWORD}\n", encoding="utf-8")
    netrc.chmod(0o600)
    code, out = kg("push", "--endpoint", virtuoso + "/sparql-graph-crud-auth", "--graph", GRAPH, "--auth",
                   "digest", "--netrc", str(netrc))
    assert code == 0, out
    assert out.startswith("pushed ") and PASSWORD not in out
    return virtuoso


def test_password_from_the_environment(pushed: str) -> None:
    env = {"KG_ENDPOINT_USER": "dba", "KG_ENDPOINT_PASSWORD": PASSWORD}
    code, out = kg("push", "--endpoint", pushed + "/sparql-graph-crud-auth", "--graph", GRAPH + "/2",
                   "--auth", "digest", env=env)
    assert code == 0 and PASSWORD not in out, out
    code, out = kg("sparql", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <" + GRAPH + "/2> { ?s ?p ?o } }",
                   "--endpoint", pushed + "/sparql-auth", "--auth", "digest", "--user", "dba",
                   "--format", "csv", env={"KG_ENDPOINT_PASSWORD": PASSWORD})
    assert code == 0 and int(out.split()[1]) > 1000, out


def test_every_named_query_equals_the_embedded_engine(pushed: str, curated_kg) -> None:
    local = open_engine(curated_kg)
    remote = open_remote(pushed + "/sparql", default_graph=GRAPH)
    compared = 0
    for q in list_queries():
        params = bind_params(q, {})
        here, there = local.query(q.text, params), remote.query(q.text, params)
        assert there.rows == here.rows, q.name
        assert there.rows or there.boolean is not None or there.triples, q.name
        compared += 1
    assert compared == len(list_queries()) >= 18
