"""Debian's Virtuoso (``virtuoso-opensource``) as a benchmark baseline: start, bulk-load, query, stop.

    with Virtuoso(HERE / "work" / "e5" / "virtuoso") as v:
        seconds = v.bulk_load(Path("graph.nt"), "https://w3id.org/ivkg/graph")
        rows, seconds = v.select("SELECT ...")
        v.sparql_url  # http://127.0.0.1:PORT/sparql

The server runs in the foreground of a child process (``virtuoso-t +foreground``) with its own ini and
database folder (wiped at start) and free loopback ports for SQL and HTTP. The bulk load is Virtuoso's
documented one: ``ld_dir`` registers the file, ``rdf_loader_run()`` loads it, ``checkpoint`` makes it
durable. Queries go to ``/sparql`` over HTTP (httpx) and ask for SPARQL JSON results.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

VIRTUOSO, ISQL = shutil.which("virtuoso-t"), shutil.which("isql-vt")
VAD = "/usr/share/virtuoso-opensource-7/vad"

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
DirsAllowed = ., {vad}, {data}
VADInstallDir = {vad}/
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 0
"""


class VirtuosoError(RuntimeError):
    pass


def available() -> bool:
    return bool(VIRTUOSO and ISQL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Virtuoso:
    """One Virtuoso server for one benchmark size; a context manager that always stops it."""

    def __init__(self, folder: Path, data_dir: Path, memory_gb: float = 2.0):
        if not available():
            raise VirtuosoError("virtuoso-opensource is not installed (virtuoso-t and isql-vt not on PATH)")
        self.folder, self.data_dir = Path(folder), Path(data_dir).resolve()
        # Virtuoso's own sizing rule: about 85,000 buffers (8 KB pages) per GB given to it.
        self.buffers = int(85_000 * memory_gb)
        self.proc: subprocess.Popen | None = None
        self.sql = self.http = 0

    # -- life cycle ---------------------------------------------------------------------------------
    def start(self, timeout: float = 180) -> float:
        """Start on fresh ports with an empty database; seconds until it accepts connections."""
        shutil.rmtree(self.folder, ignore_errors=True)
        db = self.folder / "db"
        db.mkdir(parents=True)
        self.sql, self.http = free_port(), free_port()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(INI.format(db=db, sql=self.sql, http=self.http, vad=VAD, data=self.data_dir,
                                  buffers=self.buffers, dirty=self.buffers * 3 // 4), encoding="utf-8")
        self._log = (self.folder / "out.log").open("w")
        t = time.perf_counter()
        self.proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=self.folder,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while "Server online at" not in (self.folder / "out.log").read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = (self.folder / "out.log").read_text(errors="replace")[-1500:]
                self.stop()
                raise VirtuosoError(f"virtuoso did not start: {tail}")
            time.sleep(0.3)
        return time.perf_counter() - t

    def stop(self, grace: float = 60) -> None:
        """Shut down cleanly (isql ``shutdown``), killing the process if it does not exit in time."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.isql("shutdown;", timeout=grace)
            except (VirtuosoError, subprocess.TimeoutExpired):
                pass
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None
        self._log.close()

    def __enter__(self) -> Virtuoso:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def peak_rss_mb(self) -> float:
        """The server's peak resident memory so far (VmHWM of /proc), 0 when unknown."""
        if self.proc is None:
            return 0.0
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    # -- SQL and bulk load --------------------------------------------------------------------------
    def isql(self, statements: str, timeout: float = 3600) -> str:
        assert ISQL is not None
        run = subprocess.run([ISQL, str(self.sql), "dba", "dba", f"exec={statements}"], capture_output=True,
                             text=True, timeout=timeout)
        out = run.stdout + run.stderr
        if run.returncode != 0 or "*** Error" in out:
            raise VirtuosoError(f"isql failed: {out.strip()[-1500:]}")
        return out

    def bulk_load(self, nt_file: Path, graph: str) -> float:
        """Load one N-Triples file into ``graph`` with Virtuoso's bulk loader; seconds taken (checkpoint
        included)."""
        nt_file = Path(nt_file).resolve()
        if nt_file.parent != self.data_dir:
            raise VirtuosoError(f"{nt_file} is not in the allowed folder {self.data_dir}")
        t = time.perf_counter()
        self.isql(f"ld_dir('{self.data_dir}', '{nt_file.name}', '{graph}');")
        self.isql("rdf_loader_run();")
        self.isql("checkpoint;")
        seconds = time.perf_counter() - t
        out = self.isql("SELECT ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
        if "ll_error" in out and "0 Rows" not in out:
            raise VirtuosoError(f"bulk load reported errors: {out.strip()[-1500:]}")
        return seconds

    # -- SPARQL -------------------------------------------------------------------------------------
    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http}/sparql"

    def select(self, query: str, graph: str | None = None, timeout: float = 600) -> tuple[int, float]:
        """Run a SELECT through /sparql: (rows, seconds of the HTTP round trip, JSON parse included)."""
        import httpx

        params = {"query": query, "format": "application/sparql-results+json"}
        if graph:
            params["default-graph-uri"] = graph
        t = time.perf_counter()
        resp = httpx.post(self.sparql_url, data=params, timeout=timeout,
                          headers={"Accept": "application/sparql-results+json"})
        if resp.status_code != 200:
            raise VirtuosoError(f"HTTP {resp.status_code}: {resp.text[:500]}")
        if resp.headers.get("X-SQL-State"):  # an "anytime" answer: cut by MaxQueryExecutionTime, partial
            raise VirtuosoError(f"partial result ({resp.headers.get('X-SQL-Message', 'timeout')})")
        rows = len(resp.json()["results"]["bindings"])
        return rows, time.perf_counter() - t

    def count(self, graph: str) -> int:
        import httpx

        resp = httpx.post(self.sparql_url, data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> "
                                                          "{ ?s ?p ?o } }",
                                                 "format": "application/sparql-results+json"}, timeout=600)
        resp.raise_for_status()
        return int(resp.json()["results"]["bindings"][0]["n"]["value"])
