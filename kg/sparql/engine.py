"""SPARQL over the graph: an embedded Oxigraph store (default) or rdflib (remote endpoints: kg.sparql.remote).

Every engine answers :meth:`Engine.query` with the same :class:`Result`, whose terms are normalised
(plain strings without ``xsd:string``, decimals in one canonical form) so that results from different
engines compare equal. Standard prefixes are predeclared; a user's own ``PREFIX`` line wins. Requests
are checked by :mod:`kg.sparql.safety` first: updates, ``SERVICE`` and ``FROM`` are refused unless
allowed, and parameters are bound as RDF terms.

>>> from kg.sparql.engine import open_engine   # doctest: +SKIP
>>> open_engine(kg).query("SELECT ?l WHERE { hgnc:12680 rdfs:label ?l }").rows  # doctest: +SKIP
[(RDFTerm(kind='lit', value='VEGF-A', datatype=None, lang=None),)]
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kg.core.model import KG, Curie, CurieError
from kg.core.vocab import IVKG
from kg.graphs.rdf import NAMESPACES, ontology_dir, triples
from kg.sparql.safety import XSD, QueryInfo, RDFTerm, SparqlError, analyse, bind, check_safe, first_line, tokenize

__all__ = ["PREFIXES", "Engine", "QueryTimeout", "RDFTerm", "Result", "SparqlError", "fill_store",
           "open_engine", "to_term"]

#: Prefixes every query may use without declaring them.
PREFIXES: dict[str, str] = {**NAMESPACES, "uniprot": NAMESPACES["uniprotkb"],
                            "pubmed": NAMESPACES["pmid"], "measure": IVKG + "measure/",
                            "evidence": IVKG + "evidence/", "section": IVKG + "section/"}

ENGINES = ("oxigraph", "rdflib")


#: The time limit of a query when none is given, in seconds (``kg sparql --timeout``).
DEFAULT_TIMEOUT_S = 60.0


class QueryTimeout(SparqlError):
    pass


Row = tuple[RDFTerm | None, ...]
Triple = tuple[RDFTerm, RDFTerm, RDFTerm]


@dataclass
class Result:
    """A query result: ``form`` is ``select`` (vars, rows), ``ask`` (boolean) or ``graph`` (triples)."""

    form: str
    vars: tuple[str, ...] = ()
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)

    def records(self) -> list[dict[str, RDFTerm | None]]:
        return [dict(zip(self.vars, row, strict=True)) for row in self.rows]

    def values(self) -> list[dict[str, str | None]]:
        """Rows as dictionaries of plain lexical values (handy in tests and notebooks)."""
        return [{k: (t.value if t else None) for k, t in rec.items()} for rec in self.records()]


# ------------------------------------------------------------------------------------------------
# Terms: normalisation and conversion from each engine
# ------------------------------------------------------------------------------------------------

_NUMERIC = {XSD + "decimal", XSD + "double", XSD + "float"}


def _canonical_number(value: str, datatype: str) -> str:
    """One lexical form per number: engines differ ("45" vs "45.0", 18 vs 28 decimal places)."""
    try:
        num = Decimal(value)
    except InvalidOperation:
        return value
    if not num.is_finite():
        return value
    try:
        num = round(num, 9).normalize()
    except InvalidOperation:  # more digits than the decimal context holds (a 5,000-digit value)
        return value
    text = format(num, "f")
    if "." not in text and datatype == XSD + "decimal":
        text += ".0"
    return text


def literal(value: str, datatype: str | None = None, lang: str | None = None) -> RDFTerm:
    if lang:
        return RDFTerm("lit", value, None, lang.lower())
    if datatype in (None, XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"):
        return RDFTerm("lit", value)
    if datatype in _NUMERIC:
        value = _canonical_number(value, datatype)
    return RDFTerm("lit", value, datatype)


def _from_ox(t: Any) -> RDFTerm | None:
    import pyoxigraph as ox

    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return RDFTerm("iri", t.value)
    if isinstance(t, ox.BlankNode):
        return RDFTerm("bnode", t.value)
    if isinstance(t, ox.Literal):
        return literal(t.value, t.datatype.value if t.datatype else None, t.language)
    raise SparqlError(f"unsupported term in result: {t!r}")


def _from_rdflib(t: Any) -> RDFTerm | None:
    from rdflib import BNode, Literal, URIRef

    if t is None:
        return None
    if isinstance(t, URIRef):
        return RDFTerm("iri", str(t))
    if isinstance(t, BNode):
        return RDFTerm("bnode", str(t))
    if isinstance(t, Literal):
        return literal(str(t), str(t.datatype) if t.datatype else None, t.language)
    raise SparqlError(f"unsupported term in result: {t!r}")


def _from_json(b: Mapping[str, str] | None) -> RDFTerm | None:
    if b is None:
        return None
    kind = b["type"]
    if kind == "uri":
        return RDFTerm("iri", b["value"])
    if kind == "bnode":
        return RDFTerm("bnode", b["value"])
    return literal(b["value"], b.get("datatype"), b.get("xml:lang"))


def to_term(value: str | int | float | Decimal | RDFTerm, *,
            resolve: Callable[[str], str] | None = None) -> RDFTerm:
    """A parameter value as an RDF term.

    ``<iri>`` or ``http(s)://...`` become IRIs, a CURIE with a known prefix becomes its IRI, integers
    and decimals become typed literals, anything else a plain string literal. ``resolve`` (name ->
    IRI) is tried for values that are not IRIs or CURIEs, for parameters that name an entity.
    """
    if isinstance(value, RDFTerm):
        return value
    if isinstance(value, bool):
        return RDFTerm("lit", str(value).lower(), XSD + "boolean")
    if isinstance(value, int):
        return RDFTerm("lit", str(value), XSD + "integer")
    if isinstance(value, float | Decimal):
        return literal(str(value), XSD + "decimal")
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        return RDFTerm("iri", text[1:-1])
    if re.match(r"^(https?|urn|ftp):\S+$", text):
        return RDFTerm("iri", text)
    iri = expand_curie(text)
    if iri is not None:
        return RDFTerm("iri", iri)
    if resolve is not None:
        return RDFTerm("iri", resolve(text))
    if re.fullmatch(r"[+-]?\d+", text):
        return RDFTerm("lit", text, XSD + "integer")
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+)", text):
        return literal(text, XSD + "decimal")
    return RDFTerm("lit", value)


def expand_curie(text: str) -> str | None:
    """The IRI of ``prefix:local`` for an identifier prefix or a predeclared SPARQL prefix, else None."""
    if Curie.looks_like(text):
        try:
            return Curie.parse(text).uri
        except CurieError as exc:
            raise SparqlError(str(exc)) from None
    m = re.fullmatch(r"([A-Za-z][\w.-]*):([^\s<>\"{}|^`\\]*)", text)
    if m and m.group(1).lower() in PREFIXES and not text.startswith(("http:", "https:")):
        return PREFIXES[m.group(1).lower()] + m.group(2)
    return None


def compact(iri: str) -> str:
    """``hgnc:12680`` for ``http://identifiers.org/hgnc/12680``; the IRI itself when no prefix fits."""
    best = ""
    for prefix, ns in NAMESPACES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    if best and re.fullmatch(r"[\w.%-]*[\w%-]|", iri[len(PREFIXES[best]):]):
        return f"{best}:{iri[len(PREFIXES[best]):]}"
    return iri


# ------------------------------------------------------------------------------------------------
# Engines
# ------------------------------------------------------------------------------------------------


class Engine:
    """Base class: checks and binds the request, runs it with a deadline, returns a :class:`Result`."""

    name = "engine"

    def query(self, text: str, params: Mapping[str, Any] | None = None, timeout: float | None = None,
              *, allow_remote: bool = False) -> Result:
        """Check, bind and run ``text``; past ``timeout`` seconds (None: :data:`DEFAULT_TIMEOUT_S`) raise
        :class:`QueryTimeout`. The work cannot be interrupted inside this process: it stops when the
        process ends (as ``kg sparql`` does right away); ``kg serve`` runs queries in processes it kills."""
        info = analyse(text)
        check_safe(info, allow_remote=allow_remote)
        self._check_syntax(text, allow_remote)
        if params:
            text = bind(text, {k: to_term(v) for k, v in params.items()}, info)
        return _with_deadline(lambda: self._run(text, info), DEFAULT_TIMEOUT_S if timeout is None else timeout)

    def update(self, text: str) -> None:
        """Run an update on this engine's copy of the graph (never on the curated files)."""
        info = analyse(text)
        if not info.is_update:
            raise SparqlError(f"{info.form} is a query, not an update")
        self._update(text)

    def _check_syntax(self, text: str, allow_remote: bool) -> None:
        _oxigraph_syntax(text)

    def _run(self, text: str, info: QueryInfo) -> Result:
        raise NotImplementedError

    def _update(self, text: str) -> None:
        raise NotImplementedError


def _oxigraph_syntax(text: str) -> None:
    """Parse ``text`` with Oxigraph's parser (on an empty store, nothing is evaluated beyond parsing)."""
    import pyoxigraph as ox

    try:
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise SparqlError(f"syntax error: {_where(str(exc))}") from None


def _where(message: str) -> str:
    m = re.match(r"error at (\d+):(\d+)(?:-\S+)?: (.*)", message, re.DOTALL)
    if m:
        return f"line {m.group(1)}, column {m.group(2)}: {m.group(3)}"
    return message


def _with_deadline(fn: Callable[[], Result], timeout: float | None) -> Result:
    if timeout is None:
        return fn()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:
            # Drop the traceback here: its frames hold engine objects that must die on this thread.
            exc.__traceback__ = exc.__context__ = exc.__cause__ = None
            box["error"] = exc

    # Oxigraph releases the GIL while evaluating, so the caller regains control at the deadline; the
    # abandoned worker is a daemon thread and dies with the process (the CLI exits right away).
    worker = threading.Thread(target=work, name="sparql-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise QueryTimeout(f"query timed out after {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["result"]  # type: ignore[no-any-return]


class OxigraphEngine(Engine):
    name = "oxigraph"

    def __init__(self, store: Any):
        self.store = store

    def _check_syntax(self, text: str, allow_remote: bool) -> None:
        pass  # the store's own parser reports syntax errors in _run

    def _run(self, text: str, info: QueryInfo) -> Result:
        import pyoxigraph as ox

        try:
            res = self.store.query(text, prefixes=PREFIXES)
            # Solutions are computed lazily: engine errors (a SERVICE answering HTML) come while reading.
            if isinstance(res, ox.QueryBoolean):
                return Result("ask", boolean=bool(res))
            if isinstance(res, ox.QuerySolutions):
                names = tuple(v.value for v in res.variables)
                rows = [tuple(_from_ox(sol[n]) for n in names) for sol in res]
                return Result("select", names, rows)
            trips = [(_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)) for t in res]
            return Result("graph", triples=sorted(trips))  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise SparqlError(f"syntax error: {_where(str(exc))}") from None
        except (OSError, RuntimeError) as exc:
            raise SparqlError(f"query failed: {first_line(exc)}") from None

    def _update(self, text: str) -> None:
        try:
            self.store.update(text, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise SparqlError(f"syntax error: {_where(str(exc))}") from None


class RdflibEngine(Engine):
    name = "rdflib"

    def __init__(self, graph: Any):
        self.graph = graph

    def _check_syntax(self, text: str, allow_remote: bool) -> None:
        _oxigraph_syntax(text)
        if allow_remote:
            return
        # rdflib fetches SERVICE and FROM graphs itself: double-check on its own parse tree.
        from rdflib.plugins.sparql.parser import parseQuery

        try:
            tree = repr(parseQuery(text))
        except Exception as exc:  # pyparsing's ParseException carries line and column
            raise SparqlError(f"syntax error (rdflib): {exc}") from None
        if "ServiceGraphPattern" in tree or "datasetClause" in tree:
            raise SparqlError("refused: SERVICE/FROM needs --allow-remote")

    def _run(self, text: str, info: QueryInfo) -> Result:
        # Prefixes go in as text: rdflib's initNs keeps one prefix per namespace, dropping aliases.
        try:  # rdflib evaluates lazily and raises many types (a SERVICE's bad reply: a JSON error)
            res = self.graph.query(with_prefixes(text))
            if res.type == "ASK":
                return Result("ask", boolean=bool(res.askAnswer))
            if res.type == "SELECT":
                names = tuple(str(v) for v in res.vars)
                rows = [tuple(_from_rdflib(row[i]) for i in range(len(names))) for row in res]
                return Result("select", names, rows)
            trips = [(_from_rdflib(s), _from_rdflib(p), _from_rdflib(o)) for s, p, o in res.graph]
            return Result("graph", triples=sorted(trips))  # type: ignore[arg-type]
        except SparqlError:
            raise
        except Exception as exc:
            raise SparqlError(f"query failed: {type(exc).__name__}: {first_line(exc)}") from None

    def _update(self, text: str) -> None:
        self.graph.update(with_prefixes(text))


def with_prefixes(text: str) -> str:
    """``text`` preceded by a PREFIX line for each predeclared prefix it uses but does not declare.

    Only used prefixes are declared: rdflib keeps one prefix per namespace, so declaring both
    ``pmid`` and its alias ``pubmed`` would make one of them unknown.
    """
    declared = analyse(text).declared_prefixes
    used = {t.text.split(":", 1)[0] for t in tokenize(text) if t.kind == "word" and ":" in t.text}
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p in used and p not in declared]
    return " ".join(lines) + "\n" + text


# ------------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------------


def ontology_file() -> Path | None:
    path = ontology_dir() / "ivkg.ttl"
    return path if path.is_file() else None


def _ox_quads(kg: KG) -> Iterable[Any]:
    import pyoxigraph as ox

    iris: dict[str, Any] = {}

    def iri(value: str) -> Any:
        node = iris.get(value)
        if node is None:
            node = iris[value] = ox.NamedNode(value)
        return node

    for s, p, (kind, value, dt) in triples(kg):
        o = iri(value) if kind == "iri" else ox.Literal(value, datatype=iri(dt) if dt else None)
        yield ox.Quad(iri(s), iri(p), o)


def fill_store(store: Any, kg: KG, *, ontology: bool = True) -> Any:
    """Add the graph (and the ontology, when present) to a ``pyoxigraph.Store``'s default graph."""
    import pyoxigraph as ox

    store.extend(_ox_quads(kg))
    path = ontology_file()
    if ontology and path is not None:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def to_rdflib_graph(kg: KG) -> Any:
    from kg.graphs.rdf import to_rdflib

    return to_rdflib(kg, include_ontology=ontology_file() is not None)


def open_engine(kg: KG | None = None, *, engine: str = "oxigraph", store: Any = None) -> Engine:
    """An engine over ``kg`` (or over an opened ``pyoxigraph.Store``); remote endpoints are
    :func:`kg.sparql.remote.open_remote`."""
    if engine == "oxigraph":
        import pyoxigraph as ox

        if store is None:
            if kg is None:
                raise SparqlError("open_engine needs a graph or a store")
            store = fill_store(ox.Store(), kg)
        elif kg is not None and next(iter(store.quads_for_pattern(None, None, None)), None) is None:
            fill_store(store, kg)
        return OxigraphEngine(store)
    if engine == "rdflib":
        if kg is None:
            raise SparqlError("the rdflib engine needs a graph")
        return RdflibEngine(to_rdflib_graph(kg))
    raise SparqlError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")


def graph_ntriples(kg: KG) -> bytes:
    """The graph and the ontology as N-Triples (what ``kg push`` and ``kg serve`` load)."""
    import pyoxigraph as ox

    store = fill_store(ox.Store(), kg)
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())  # type: ignore[no-any-return]
