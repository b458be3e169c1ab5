"""``kg sparql``, ``kg queries``, ``kg serve`` and ``kg push``: SPARQL over the graph, here or remote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.cli.common import State, UserError, pass_state, read_text_file


def auth_options(f: Any) -> Any:
    """--user, --auth and --netrc: credentials of a remote endpoint (never echoed)."""
    f = click.option("--netrc", "netrc_file", type=click.Path(dir_okay=False),
                     help="netrc file with the endpoint host's login (default: $NETRC or ~/.netrc).")(f)
    f = click.option("--auth", "auth_scheme", type=click.Choice(["basic", "digest"]), default="basic",
                     show_default=True, help="HTTP authentication scheme (Virtuoso's -auth endpoints: digest).")(f)
    f = click.option("--user", "user", metavar="NAME[:PASSWORD]",
                     help="Endpoint login; without :PASSWORD the password is read from "
                          "$KG_ENDPOINT_PASSWORD. Also: $KG_ENDPOINT_USER, user@ in the URL, netrc.")(f)
    return f


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--param expects key=value, got {pair!r}")
        out[key.strip()] = value
    return out


@click.command()
@click.argument("query", required=False)
@click.option("--file", "query_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Read the query from a file.")
@click.option("--name", "query_name", help="Run a query of the library (see `kg queries`).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind ?KEY to VALUE (a CURIE, IRI, number, name or text); repeatable.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "tsv", "json", "md", "turtle", "nt"]),
              help="json is W3C SPARQL results JSON; turtle/nt for CONSTRUCT and DESCRIBE.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
              help="Stop after SECONDS (default 60): an error, and the query's work ends with kg.")
@click.option("--engine", type=click.Choice(["auto", "oxigraph", "rdflib", "columnar"]), default="auto",
              show_default=True,
              help="auto: with --store, the store's columnar tables when they answer the query exactly, "
                   "else Oxigraph; without, Oxigraph. columnar refuses what it cannot answer.")
@click.option("--explain", is_flag=True,
              help="Say which engine would answer (and the SQL, or why not columnar) instead of running.")
@click.option("--endpoint", help="Run the query on a remote SPARQL endpoint (its query URL).")
@click.option("--graph", "graph_iri", metavar="IRI",
              help="With --endpoint: query this named graph as the default graph (where `kg push --graph` put it).")
@click.option("--allow-update", is_flag=True, help="Allow INSERT/DELETE/... on the in-memory copy.")
@click.option("--allow-remote", is_flag=True, help="Allow SERVICE and FROM (remote data).")
@auth_options
@pass_state
def sparql(state: State, query: str | None, query_file: Path | None, query_name: str | None,
           params: tuple[str, ...], fmt: str, timeout: float | None, engine: str, explain: bool,
           endpoint: str | None, graph_iri: str | None, allow_update: bool, allow_remote: bool, user: str | None,
           auth_scheme: str, netrc_file: str | None) -> None:
    """Run a SPARQL query on the graph (standard prefixes predeclared: hgnc:12680 works as is).

    Give the query as QUERY, with --file, or by --name from the library. With the global
    --store DIR it runs on the store built by `kg import` (Oxigraph engine only).
    """
    from kg.sparql.engine import Engine, SparqlError, open_engine, to_term
    from kg.sparql.format import format_result
    from kg.sparql.library import bind_params, get_query
    from kg.sparql.safety import analyse, check_safe

    sources = [x for x in (query, query_file, query_name) if x is not None]
    if len(sources) != 1:
        raise UserError("give exactly one of QUERY, --file or --name")
    given = _params(params)
    try:
        terms: dict[str, Any]
        if query_name is not None:
            named = get_query(query_name)
            text = named.text
            terms = dict(bind_params(named, given, lambda name: state.resolve(name).id.uri))
        else:
            text = read_text_file(query_file) if query_file else str(query)
            terms = {k: to_term(v) for k, v in given.items()}
        info = analyse(text)
        check_safe(info, allow_update=allow_update, allow_remote=allow_remote)
        if graph_iri and endpoint is None:
            raise UserError("--graph names a graph of an --endpoint")
        if endpoint is not None:
            from kg.sparql.remote import open_remote

            eng: Engine = open_remote(endpoint, user, auth_scheme, netrc_file, graph_iri)
        elif state.store_dir is not None:
            if engine == "rdflib":
                raise UserError("--store is queried with Oxigraph or its columnar tables; drop --engine rdflib")
            if info.is_update and allow_update:
                raise UserError("a --store is read-only here: updates run on the in-memory curated graph "
                                "(without --store) or on an --endpoint")
            from kg.store.sqlengine import StoreEngine

            if state.store is None:
                raise UserError(f"{state.store_dir}: not a store")
            eng = StoreEngine(state.store, engine)
        else:
            if engine == "columnar":
                raise UserError("--engine columnar answers from a --store's tables; give --store DIR")
            eng = open_engine(state.kg, engine="oxigraph" if engine == "auto" else engine)
        if explain:
            explain_of = getattr(eng, "explain", None)
            if explain_of is None:
                click.echo(f"engine: {eng.name}\n", nl=False)
            else:
                from kg.sparql.safety import bind

                click.echo(explain_of(bind(text, terms, info) if terms else text), nl=False)
            return
        if info.is_update:
            eng.update(text)
            click.echo(f"ok: update applied to the {'remote' if endpoint else 'in-memory'} graph "
                       "(curated files unchanged)")
            return
        result = eng.query(text, terms, timeout, allow_remote=allow_remote)
        click.echo(format_result(result, fmt), nl=False)
    except SparqlError as exc:
        raise UserError(str(exc)) from None


@click.group(invoke_without_command=True)
@click.pass_context
def queries(ctx: click.Context) -> None:
    """List the named query library (kg/sparql/queries/*.rq) with titles and parameters."""
    if ctx.invoked_subcommand is not None:
        return
    from kg.core.render import table
    from kg.sparql.library import list_queries

    rows = [[q.name, q.title, ", ".join(f"{p.name}={p.default}" for p in q.params)]
            for q in list_queries()]
    click.echo(table(["name", "title", "parameters (defaults)"], rows))


@queries.command("show")
@click.argument("name")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind ?KEY to VALUE instead of its default (as `kg sparql --name` does).")
@click.option("--raw", is_flag=True, help="The library file as it is (no PREFIX lines, parameters unbound).")
@pass_state
def queries_show(state: State, name: str, params: tuple[str, ...], raw: bool) -> None:
    """Print one query of the library, ready to paste into any SPARQL client: the PREFIX lines it uses
    and its parameters bound, as a VALUES block, to the defaults (or to --param values)."""
    from kg.sparql.engine import SparqlError, with_prefixes
    from kg.sparql.library import bind_params, get_query
    from kg.sparql.safety import bind

    try:
        named = get_query(name)
        if raw:
            click.echo(named.text, nl=False)
            return
        terms = bind_params(named, _params(params), lambda n: state.resolve(n).id.uri)
        text = bind(named.text, terms) if terms else named.text
        head, _, body = with_prefixes(text).partition("\n")
        click.echo(head.replace(" PREFIX ", "\nPREFIX ") + "\n" + body, nl=False)
    except SparqlError as exc:
        raise UserError(str(exc)) from None


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary (a test-only dependency: tests push to a real Oxigraph server)."""
    import shutil
    import sys

    found = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if not found:
        raise UserError("the oxigraph server binary was not found; install it with `pip install oxigraph`")
    return found


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port, printed at start).")
@click.option("--timeout-s", "timeout_s", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, help="Per-query time limit; a query past it is stopped and answered 503.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Queries evaluated at once (one process each).")
@click.option("--allow-remote", is_flag=True, help="Allow SERVICE, FROM and dataset parameters (remote data).")
@click.option("--allow-update", is_flag=True,
              help="Accept updates on /update (they change the served copy only; one worker; not with --store).")
@pass_state
def serve(state: State, host: str, port: int, timeout_s: float, workers: int, allow_remote: bool,
          allow_update: bool) -> None:
    """Serve the graph (or the --store) as a read-only SPARQL 1.1 endpoint at /query until interrupted.

    Requests get the checks of `kg sparql`: no update, SERVICE or FROM unless allowed here, queries over
    100,000 characters or nesting over 64 levels refused (HTTP 400), policy refusals HTTP 403, and a
    query past --timeout-s stopped and answered HTTP 503 with a message. Results by Accept header: SPARQL
    JSON (default), XML, CSV, TSV; Turtle, N-Triples, RDF/XML for CONSTRUCT and DESCRIBE.
    """
    import socket
    import tempfile

    import uvicorn

    from kg.sparql.endpoint import WorkerPool, create_app
    from kg.sparql.engine import SparqlError, fill_store

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: serving on {host}, reachable from other machines", err=True)
    with tempfile.TemporaryDirectory(prefix="ivkg-serve-") as tmp:
        if state.store_dir is not None:
            if allow_update:
                raise UserError("a --store is served read-only; drop --allow-update")
            from kg.store.store import current

            store_dir = state.store_dir
            state.store  # noqa: B018  (checks the store opens, with its own error)

            def location() -> Path:
                return current(store_dir) / "oxigraph"
        else:
            import pyoxigraph

            path = Path(tmp) / "store"
            loaded = fill_store(pyoxigraph.Store(str(path)), state.kg)
            loaded.flush()
            del loaded

            def location() -> Path:
                return path
        try:  # a writable store has one owner: updates and queries then share one worker
            pool = WorkerPool(location, 1 if allow_update else workers, writable=allow_update)
        except SparqlError as exc:
            raise UserError(str(exc)) from None
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms Nagle stalls on replies
            try:
                sock.bind((host, port))
            except OSError as exc:
                raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
            sock.listen(2048)  # connections wait in the backlog until the server accepts them
            bound = sock.getsockname()[1]
            app = create_app(pool, timeout=timeout_s, allow_update=allow_update, allow_remote=allow_remote)
            mode = "updates allowed at /update" if allow_update else "read-only"
            click.echo(f"serving SPARQL at http://{host}:{bound}/query ({mode}, {timeout_s:g} s per query);"
                       " Ctrl-C to stop", err=True)
            config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
            uvicorn.Server(config).run(sockets=[sock])
        finally:
            pool.close()


@click.command()
@click.option("--endpoint", required=True, help="Graph Store Protocol URL (Oxigraph: http://HOST:PORT/store).")
@click.option("--graph", "graph_iri", help="Named graph IRI (default: the default graph).")
@click.option("--append", is_flag=True, help="POST (add to the graph) instead of PUT (replace it).")
@auth_options
@pass_state
def push(state: State, endpoint: str, graph_iri: str | None, append: bool, user: str | None,
         auth_scheme: str, netrc_file: str | None) -> None:
    """Upload the graph (and ontology) to a SPARQL 1.1 Graph Store Protocol endpoint.

    \b
    Stores without a writable default graph (Virtuoso) need --graph IRI. Virtuoso, for example:
      kg push --endpoint http://HOST:8890/sparql-graph-crud-auth --graph https://w3id.org/ivkg/ \\
              --user dba --auth digest        # password from $KG_ENDPOINT_PASSWORD
    """
    from kg.sparql.engine import SparqlError, graph_ntriples
    from kg.sparql.remote import push as push_graph

    body = graph_ntriples(state.kg)
    try:
        url = push_graph(endpoint, body, graph_iri, append, user, auth_scheme, netrc_file)
    except SparqlError as exc:
        raise UserError(str(exc)) from None
    lines = body.count(b"\n")
    click.echo(f"pushed {lines} triples to {url}")


#: The commands of this family, added to the ``kg`` group by :mod:`kg.cli.main`.
COMMANDS = [sparql, queries, serve, push]
