"""``kg serve``: a SPARQL 1.1 Protocol endpoint (starlette + uvicorn) with the guards of ``kg sparql``.

Every request is checked here before any engine sees it (:func:`kg.sparql.safety.analyse`: length and
nesting limits, query form; :func:`~kg.sparql.safety.check_safe`: no update, ``SERVICE`` or ``FROM``
unless the operator allowed them). Queries then run in worker *processes* that open the store read-only:
pyoxigraph cannot be interrupted inside a thread, so a query past its deadline is stopped by killing its
worker, which is replaced, and the client gets HTTP 503 with a message instead of a late or partial
result. The server itself only parses HTTP and never evaluates SPARQL, so a query that crashes an
engine takes down one worker, not the endpoint.

Protocol: ``GET /query?query=...``, ``POST /query`` (form ``query=...`` or an ``application/sparql-query``
body). Results by ``Accept``: SPARQL results JSON (default), XML, CSV or TSV for SELECT/ASK; Turtle
(default), N-Triples, RDF/XML or N-Quads for CONSTRUCT/DESCRIBE. Browsers' SPARQL tools are answered with
CORS headers on ``/query`` only. ``/update`` answers 403 unless started with ``--allow-update``.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.sparql.safety import SparqlError, analyse, check_safe, first_line

#: ``kg serve``'s default per-query time limit, in seconds (``--timeout-s``).
DEFAULT_TIMEOUT_S = 30.0
#: Largest request body read, in bytes (the query limit is in characters; UTF-8 takes up to 4 per char).
MAX_BODY = 4 * 100_000 + 1024

SELECT_TYPES = {
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "application/xml": "XML", "text/xml": "XML",
    "text/csv": "CSV", "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {
    "text/turtle": "TURTLE", "application/x-turtle": "TURTLE", "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES", "application/rdf+xml": "RDF_XML", "application/n-quads": "N_QUADS",
}
CANONICAL = {"JSON": "application/sparql-results+json", "XML": "application/sparql-results+xml",
             "CSV": "text/csv", "TSV": "text/tab-separated-values", "TURTLE": "text/turtle",
             "N_TRIPLES": "application/n-triples", "RDF_XML": "application/rdf+xml",
             "N_QUADS": "application/n-quads"}


class QueryRefused(SparqlError):
    """A request answered with an HTTP error status (``status``) and a one-line message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def negotiate(accept: str | None, graph: bool) -> str:
    """The result format (a key of :data:`CANONICAL`) best matching an ``Accept`` header.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", graph=False)
    'XML'
    >>> negotiate(None, graph=True)
    'TURTLE'
    """
    table = GRAPH_TYPES if graph else SELECT_TYPES
    default = "TURTLE" if graph else "JSON"
    if not accept:
        return default
    offers: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")):
        media, *params = (x.strip() for x in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            offers.append((-q, i, media.lower()))
    for _, _, media in sorted(offers):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*"):
            return default
    raise QueryRefused(406, f"cannot answer {accept!r}: this query's results come as "
                            + ", ".join(sorted({CANONICAL[v] for v in table.values()})))


# ------------------------------------------------------------------------------------------------
# Worker processes
# ------------------------------------------------------------------------------------------------


def _serve_queries(conn: Any, location: str, writable: bool) -> None:
    """A worker's loop: open the store, answer (text, format) with (status, content type, body)."""
    import pyoxigraph as ox

    from kg.sparql.engine import PREFIXES

    try:
        store = ox.Store(location) if writable else ox.Store.read_only(location)
    except OSError as exc:  # said by the pool in one line, not as a child's traceback
        conn.send(("error", (str(exc).strip().splitlines() or ["cannot open"])[0]))
        return
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        kind, text, fmt = job
        try:
            if kind == "update":
                store.update(text, prefixes=PREFIXES)
                conn.send((200, "text/plain; charset=utf-8", b"ok: update applied to the served copy\n"))
                continue
            res = store.query(text, prefixes=PREFIXES)
            if isinstance(res, ox.QueryTriples):
                body = ox.serialize(res, format=getattr(ox.RdfFormat, fmt))
            else:
                body = res.serialize(format=getattr(ox.QueryResultsFormat, fmt))
            conn.send((200, CANONICAL[fmt] + ("; charset=utf-8" if fmt != "RDF_XML" else ""), body))
        except SyntaxError as exc:
            from kg.sparql.engine import _where

            conn.send((400, "", f"syntax error: {_where(str(exc))}".encode()))
        except (OSError, RuntimeError, ValueError) as exc:
            conn.send((500, "", f"query failed: {first_line(exc)}".encode()))


@dataclass
class _Worker:
    proc: Any
    conn: Any


class WorkerPool:
    """Processes that run queries on a store opened read-only; a query past its deadline kills its worker.

    ``location`` is called each time a worker starts, so a worker replaced after an import published a
    new store generation opens the live one.
    """

    def __init__(self, location: Callable[[], Path], size: int = 2, *, writable: bool = False,
                 start_timeout: float = 60.0):
        self.location, self.size, self.writable = location, size, writable
        self.start_timeout = start_timeout
        self._ctx = mp.get_context("spawn")  # never fork a process that runs server threads
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        try:
            where = str(self.location())
        except Exception as exc:  # the store's CURRENT may be unreadable (StoreError)
            raise SparqlError(f"cannot locate the store to serve: {exc}") from None
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_serve_queries, args=(child, where, self.writable),
                                 name="kg-serve-worker", daemon=True)
        proc.start()
        child.close()
        if not parent.poll(self.start_timeout):
            proc.kill()
            raise SparqlError("a query worker did not start")
        try:
            hello = parent.recv()
        except EOFError:
            hello = ("error", "the worker exited")
        if hello[0] != "ready":
            proc.join(5)
            raise SparqlError(f"a query worker could not open {where}: {hello[1]}")
        return _Worker(proc, parent)

    def _replace(self, dead: _Worker) -> None:
        dead.proc.kill()
        dead.proc.join(5)
        dead.conn.close()
        if not self._closed:
            try:
                self._idle.put(self._start())
            except SparqlError:
                pass  # the next request will find no idle worker and say so

    def run(self, kind: str, text: str, fmt: str, timeout: float,
            cancel: threading.Event | None = None) -> tuple[int, str, bytes]:
        """Run one request within ``timeout`` seconds (waiting for a free worker counts); setting
        ``cancel`` (the client went away) stops the work as a timeout does."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryRefused(503, f"query timed out after {timeout:g} s waiting for a free worker "
                                    "(all are busy)") from None
        try:
            worker.conn.send((kind, text, fmt))
            while (left := deadline - time.monotonic()) > 0 and not (cancel and cancel.is_set()):
                if worker.conn.poll(min(left, 0.2)):
                    answer: tuple[int, str, bytes] = worker.conn.recv()
                    self._idle.put(worker)
                    return answer
        except (EOFError, OSError):
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            raise QueryRefused(500, "the query stopped its worker (it has been restarted)") from None
        # Past the deadline (or abandoned): kill the work, answer now, start a replacement in the background.
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        if cancel is not None and cancel.is_set():
            raise QueryRefused(499, "the client went away (the work was stopped)")
        raise QueryRefused(503, f"query timed out after {timeout:g} s (the work was stopped)")

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                return
            w.proc.kill()
            w.proc.join(5)


# ------------------------------------------------------------------------------------------------
# The application
# ------------------------------------------------------------------------------------------------

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Content-Type", "Access-Control-Max-Age": "600"}


def check_request(text: str, *, allow_update: bool, allow_remote: bool, update: bool) -> bool:
    """Check one request as ``kg sparql`` does; True when it is a CONSTRUCT or DESCRIBE."""
    try:
        info = analyse(text)  # too long, too deep, or not SPARQL: the client must fix the request
    except SparqlError as exc:
        raise QueryRefused(400, str(exc)) from None
    try:
        check_safe(info, allow_update=allow_update, allow_remote=allow_remote)
    except SparqlError as exc:  # a well-formed request this endpoint's policy does not allow
        raise QueryRefused(403, str(exc).replace("--allow-", "kg serve --allow-")) from None
    if update and not info.is_update:
        raise QueryRefused(400, f"{info.form} is a query: send it to /query")
    if not update and info.is_update:
        raise QueryRefused(400 if allow_update else 403,
                           f"{info.form} is an update: send it to /update" if allow_update else
                           f"refused: {info.form} is a SPARQL update and this endpoint is read-only")
    return info.form in ("CONSTRUCT", "DESCRIBE")


def create_app(pool: WorkerPool, *, timeout: float = DEFAULT_TIMEOUT_S, allow_update: bool = False,
               allow_remote: bool = False) -> Any:
    """The starlette application over ``pool``."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    def error(status: int, message: str, cors: bool) -> Response:
        return PlainTextResponse(message + "\n", status, headers=CORS if cors else None)

    async def request_text(request: Request, field: str) -> str:
        """The request's ``query=``/``update=`` text, from the URL, a form, or a direct POST body."""
        params = request.query_params
        for bad in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
            if bad in params and not allow_remote:
                raise QueryRefused(403, f"refused: {bad} would select a remote dataset; the operator must "
                                        "start kg serve with --allow-remote")
        if request.method == "GET":
            if field not in params:
                raise QueryRefused(400, f"missing the {field}= parameter")
            return params[field]
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise QueryRefused(413, f"refused: the request body is over {MAX_BODY:,} bytes")
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            raw = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise QueryRefused(400, "the request body is not UTF-8") from None
        if ctype == f"application/sparql-{field}":
            return raw
        if ctype in ("application/x-www-form-urlencoded", ""):
            from urllib.parse import parse_qs

            values = parse_qs(raw, keep_blank_values=True).get(field)
            if not values:
                raise QueryRefused(400, f"missing the {field}= form field")
            return values[0]
        raise QueryRefused(415, f"unsupported content type {ctype!r}: use application/x-www-form-urlencoded "
                                f"or application/sparql-{field}")

    async def run_watched(request: Request, kind: str, text: str, fmt: str) -> tuple[int, str, bytes]:
        """``pool.run`` on a thread while watching the connection: a client that leaves stops its query."""
        import asyncio

        cancel = threading.Event()
        task = asyncio.ensure_future(run_in_threadpool(pool.run, kind, text, fmt, timeout, cancel))
        while not task.done():
            await asyncio.wait({task}, timeout=0.25)
            if not task.done() and await request.is_disconnected():
                cancel.set()
        return task.result()

    async def answer(request: Request, update: bool) -> Response:
        cors = not update
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=CORS) if cors else error(405, "no CORS for updates", False)
        try:
            if update and not allow_update:
                raise QueryRefused(403, "refused: this endpoint is read-only (the operator can start kg serve "
                                        "with --allow-update to change the served copy)")
            text = await request_text(request, "update" if update else "query")
            graph = check_request(text, allow_update=allow_update, allow_remote=allow_remote, update=update)
            fmt = "" if update else negotiate(request.headers.get("accept"), graph)
            status, ctype, body = await run_watched(request, "update" if update else "query", text, fmt)
        except QueryRefused as exc:
            return error(exc.status, str(exc), cors)
        if status != 200:
            return error(status, body.decode("utf-8", "replace"), cors)
        return Response(body, 200, media_type=ctype, headers=CORS if cors else None)

    async def query(request: Request) -> Response:
        return await answer(request, update=False)

    async def update(request: Request) -> Response:
        return await answer(request, update=True)

    return Starlette(routes=[Route("/query", query, methods=["GET", "POST", "OPTIONS"]),
                             Route("/sparql", query, methods=["GET", "POST", "OPTIONS"]),
                             Route("/update", update, methods=["POST", "OPTIONS"])])
