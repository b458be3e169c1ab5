"""What every command shares: the global options, loading the graph once, naming entities, errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from kg.core.model import KG, Entity
    from kg.curation.lookup import NameIndex
    from kg.paths.graph import PathGraph
    from kg.store.store import Store

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A mistake in the user's input or data: one line on stderr, exit 1, no traceback."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        from kg.core.render import printable

        click.echo(f"kg: error: {printable(self.format_message())}", err=True)


class Group(click.Group):
    """A click group that turns library errors about user input into :class:`UserError`."""

    #: Group options also accepted after the command (`kg path A B --store DIR`).
    HOISTED = ("--store", "--endpoint", "--max-round-trips", "--max-rows")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Each hoisted group option is accepted after the command too, unless that command defines an
        # option of the same name (`kg sparql --endpoint URL`, `kg push --endpoint URL`).
        args = list(args)
        sub = next((self.commands[a] for a in args if a in self.commands), None)
        own = {o for p in sub.params for o in p.opts} if sub is not None else set()
        names = [n for n in self.HOISTED if n not in own]
        hoisted: list[str] = []
        i = 0
        while i < len(args):
            if args[i] == "--":
                break
            if args[i] in names and i + 1 < len(args) and i > 0:
                hoisted += args[i:i + 2]
                del args[i:i + 2]
                continue
            if i > 0 and any(args[i].startswith(n + "=") for n in names):
                hoisted.append(args.pop(i))
                continue
            i += 1
        return super().parse_args(ctx, hoisted + args)

    def invoke(self, ctx: click.Context) -> Any:
        from kg.core.model import CurieError
        from kg.core.render import TerminalGuard
        from kg.curation.lookup import EntityLookupError
        from kg.curation.read import DataError
        from kg.sparql.safety import SparqlError

        if os.environ.get("NO_COLOR"):  # https://no-color.org: any non-empty value turns colour off
            ctx.color = False
        if sys.stdout.isatty() and not isinstance(sys.stdout, TerminalGuard):
            # Text from data reaches the terminal as text: escapes other than kg's colours are shown.
            sys.stdout = TerminalGuard(sys.stdout)
        try:
            return super().invoke(ctx)
        except DataError as exc:
            for problem in exc.problems[:5]:
                click.echo(str(problem), err=True)
            raise UserError(f"the curated data has {len(exc.problems)} error(s); "
                            "run `kg validate` for the full list") from None
        except (EntityLookupError, CurieError) as exc:
            raise UserError(str(exc)) from None
        except SparqlError as exc:  # an --endpoint that cannot be reached or refuses a query
            raise UserError(str(exc)) from None
        except FileNotFoundError as exc:
            raise UserError(f"{exc.strerror or 'not found'}: {exc.filename or exc}") from None
        except PermissionError as exc:
            raise UserError(f"permission denied: {exc.filename or exc}") from None
        except IsADirectoryError as exc:
            raise UserError(f"is a directory: {exc.filename or exc}") from None
        except BrokenPipeError:
            sys.stderr.close()
            return None
        except UnicodeDecodeError as exc:  # a --file or input that is not UTF-8
            raise UserError(f"not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
                            ) from None
        except OSError as exc:  # a full disk, a read-only folder, an I/O error: one line naming the file
            what = exc.strerror or str(exc)
            raise UserError(f"{what}: {exc.filename}" if exc.filename else what) from None


class State:
    """Per-invocation state: the data folder and the graph, loaded at most once."""

    def __init__(self, data_dir: Path | None, store_dir: Path | None = None, endpoint: str | None = None,
                 max_round_trips: int | None = None, max_rows: int | None = None):
        self.data_dir = data_dir
        #: ``--store DIR``: a persistent store built by ``kg import`` (None: the curated graph only).
        self.store_dir = store_dir
        #: ``--endpoint URL``: a SPARQL endpoint holding a graph in our RDF shape; paths and names go there.
        self.endpoint = endpoint
        self.max_round_trips = max_round_trips
        self.max_rows = max_rows
        self._names: Any = None
        self._kg: KG | None = None
        self._index: NameIndex | None = None
        self._store: Store | None = None
        self._path_graph: PathGraph | None = None
        self._sparql_store: Any = None
        self._nx: Any = None

    def check_data_folder(self) -> None:
        """An empty (or wrong) --data folder is an error, not an empty graph that validates."""
        d = self.data_dir
        if d is not None and d.is_dir() and not any(d.glob("*.tsv")) and not any(d.glob("*/*.tsv")):
            raise UserError(f"--data {d}: no curated tables here (expected entities/*.tsv, statements/*.tsv, ...)")

    @property
    def kg(self) -> KG:
        if self._kg is None:
            from kg.curation.read import load_indexed

            self.check_data_folder()
            self._kg, self._index = load_indexed(self.data_dir)
        return self._kg

    @property
    def index(self) -> NameIndex:
        if self._index is None:
            self.kg  # noqa: B018  (loading the graph builds its index)
        assert self._index is not None
        return self._index

    def nx_graph(self) -> Any:
        """The curated graph as a networkx MultiDiGraph, built once per invocation."""
        if self._nx is None:
            from kg.graphs.nx import to_networkx

            self._nx = to_networkx(self.kg)
        return self._nx

    def resolve(self, name: str) -> Entity:
        """The entity ``name`` names: curated first, then (with --store) the store's node table."""
        from kg.core.model import Curie
        from kg.curation.lookup import UnknownEntity
        from kg.curation.read import DataError

        if self.endpoint is not None:
            return self.remote_names().resolve(name)
        if self.store is None:
            return self.index.resolve(name)
        if self._kg is None and Curie.looks_like(name):
            # A CURIE the store knows needs no curated graph (keeps `kg path --store` fast).
            found = self._store_entity(name)
            if found is not None:
                return found
        try:
            return self.index.resolve(name)
        except (UnknownEntity, DataError):
            # With --store, names the curated graph does not know (or cannot load) go to the store.
            found = self._store_entity(name)
            if found is None:
                raise
            return found

    def _store_entity(self, name: str) -> Entity | None:
        from kg.core.model import Curie, CurieError, Entity
        from kg.curation.lookup import AmbiguousEntity

        st = self.store
        assert st is not None
        hits: list[int] = []
        if Curie.looks_like(name):
            try:
                i = st.node(str(Curie.parse(name)))
            except CurieError:
                i = None
            hits = [i] if i is not None else []
        hits = hits or st.nodes_named(name)
        ents = [Entity(_store_curie(st.ids[i]), st.labels[i], st.category(i),
                       tuple(s for s in st.synonyms[i].split("|") if s)) for i in hits[:10]]
        if len(ents) > 1:
            listed = ", ".join(f"{e.label} ({e.id})" for e in ents)
            raise AmbiguousEntity(f"{name!r} is ambiguous: it names {listed}", name, ents)
        return ents[0] if ents else None

    @property
    def store(self) -> Store | None:
        """The opened ``--store`` (memory-mapped; milliseconds to open), or None without --store."""
        if self._store is None and self.store_dir is not None:
            from kg.store.store import Store, StoreError

            try:
                self._store = Store(self.store_dir)
            except StoreError as exc:
                raise UserError(str(exc)) from None
        return self._store

    def path_graph(self) -> PathGraph:
        """The graph mechanism paths run on: the store's arrays with --store, else the curated graph.

        With --store the curated graph is loaded only if it validates (its statements give curated
        edges their full records); the store already holds the curated edges themselves.
        """
        if self._path_graph is None:
            if self.endpoint is not None:
                from kg.curation.read import DataError
                from kg.sparql.pathgraph import DEFAULT_MAX_ROUND_TRIPS, DEFAULT_MAX_ROWS, RemotePathGraph
                from kg.sparql.remote import open_remote

                def local() -> KG | None:
                    try:
                        return self.kg
                    except DataError:
                        return None

                self._path_graph = RemotePathGraph(
                    open_remote(self.endpoint),  # credentials from the URL, $KG_ENDPOINT_PASSWORD or netrc
                    max_round_trips=self.max_round_trips or DEFAULT_MAX_ROUND_TRIPS,
                    max_rows=self.max_rows or DEFAULT_MAX_ROWS, curated=local)
            elif self.store is not None:
                from kg.curation.read import DataError
                from kg.store.pathgraph import StorePathGraph

                def curated() -> KG | None:
                    try:
                        return self.kg
                    except DataError:
                        return None

                self._path_graph = StorePathGraph(self.store, curated)
            else:
                from kg.paths.graph import as_pathgraph

                self._path_graph = as_pathgraph(self.nx_graph())
        return self._path_graph

    def remote_names(self) -> Any:
        """Names at the ``--endpoint`` (:class:`kg.sparql.names.RemoteNames`), sharing the path graph."""
        if self._names is None:
            from kg.sparql.names import RemoteNames

            self._names = RemoteNames(self.path_graph())  # type: ignore[arg-type]
        return self._names

    def remote_report(self) -> dict[str, Any] | None:
        """What the ``--endpoint`` cost this command (JSON ``remote`` key), or None without one."""
        if self.endpoint is None or self._path_graph is None:
            return None
        g: Any = self._path_graph
        return {"endpoint": self.endpoint, **g.stats.to_json(), "max_round_trips": g.max_round_trips,
                "max_rows": g.max_rows, "cut": g.cut}

    def sparql_store(self) -> Any:
        """A ``pyoxigraph.Store`` to query: the store's on-disk Oxigraph (read-only) with --store,
        else an in-memory one filled from the curated graph and the ontology (:func:`kg.sparql.engine.fill_store`).
        Both hold the ontology when the curated graph is in them."""
        if self._sparql_store is None:
            if self.store is not None:
                from kg.store.store import StoreError

                try:
                    self._sparql_store = self.store.oxigraph()
                except StoreError as exc:
                    raise UserError(str(exc)) from None
            else:
                import pyoxigraph

                from kg.sparql.engine import fill_store

                self._sparql_store = fill_store(pyoxigraph.Store(), self.kg)
        return self._sparql_store


pass_state = click.make_pass_decorator(State)


def read_text_file(path: Path) -> str:
    """A UTF-8 text file given on the command line; otherwise one error naming it and the byte."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(f"{path}:{line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x})") from None

FORMAT_TABLE_JSON = click.Choice(["table", "json"])
FORMAT_TABLE_JSON_MD = click.Choice(["table", "json", "md"])


def format_option(choices: click.Choice = FORMAT_TABLE_JSON, default: str = "table") -> Callable[[F], F]:
    def deco(fn: F) -> F:
        return click.option("--format", "fmt", type=choices, default=default, show_default=True,
                            help="Output format: table for people, json for scripts.")(fn)
    return deco


def _store_curie(text: str) -> Any:
    """A store node id as a Curie: ours parsed, an imported (bioregistry) prefix as an ImportedCurie."""
    from kg.graphs.prefixes import curie_of

    return curie_of(text)
