"""What the web application answers, as JSON-ready payloads, independent of HTTP.

A :class:`Service` holds the graph open for the life of the server (loaded once: the curated model, its
name index, the path graph, the SPARQL store) and answers each request through the same library functions
as the CLI's ``--format json``: :func:`kg.graphs.cards.entity_card`, :func:`kg.graphs.cards.search`,
:func:`kg.paths.search.find_paths`, :func:`kg.paths.regimen.explain_regimen`, the SPARQL engine with the
query library and the read-only guards of :mod:`kg.sparql.safety`. Every input is bounded (length, path
budget, time) and every refusal is a :class:`WebError` with an HTTP status, never a traceback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from kg.core.model import KG, Curie, CurieError, Entity
from kg.curation.lookup import AmbiguousEntity, EntityLookupError, NameIndex, UnknownEntity
from kg.paths.graph import PathGraph

#: Bounds on what one request may ask for.
MAX_NAME = 200
MAX_QUERY = 8000
MAX_SUGGEST = 12
MAX_PATH_LENGTH = 6
MAX_PATHS = 50
MAX_VIA = 5
PATH_TIMEOUT = 5.0
REGIMEN_TIMEOUT = 10.0
SPARQL_TIMEOUT = 10.0
MAX_ROWS = 10_000


class WebError(Exception):
    """A request the application refuses: ``status`` is the HTTP status, ``message`` says why."""

    def __init__(self, status: int, message: str, suggestions: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.suggestions = suggestions or []

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.message, "status": self.status}
        if self.suggestions:
            out["suggestions"] = self.suggestions
        return out


def bounded(value: str | None, what: str, limit: int = MAX_NAME, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise WebError(400, f"{what} is required")
    if len(text) > limit:
        raise WebError(400, f"{what} is too long ({len(text)} characters; at most {limit})")
    return text


def _entity_json(ent: Entity) -> dict[str, Any]:
    return {"id": str(ent.id), "label": ent.label, "category": ent.category}


@dataclass
class PathQuery:
    """The filters of ``kg path`` as the web form sends them (names, not yet resolved)."""

    source: str
    target: str
    max_length: int = 4
    limit: int = 10
    sign: str = ""
    via: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    min_evidence: str = ""
    species: str = ""
    direct_only: bool = False
    #: Also walk edges without a sign (``kg path --unsigned``), when the path library offers it.
    unsigned: bool = False

    @classmethod
    def parse(cls, args: Mapping[str, Any], getlist: Callable[[str], list[str]]) -> PathQuery:
        from kg.core.vocab import EVIDENCE_LEVELS

        def integer(name: str, default: int, low: int, high: int) -> int:
            raw = str(args.get(name) or default)
            if not raw.isdigit() or not low <= int(raw) <= high:
                raise WebError(400, f"{name} must be a whole number from {low} to {high}")
            return int(raw)

        sign = str(args.get("sign") or "")
        if sign not in ("", "+", "-"):
            raise WebError(400, "sign must be + or - (or empty for both)")
        evidence = str(args.get("min_evidence") or "")
        if evidence and evidence not in EVIDENCE_LEVELS:
            raise WebError(400, f"unknown evidence level {evidence!r} (choose from {', '.join(EVIDENCE_LEVELS)})")
        species = str(args.get("species") or "")
        if species not in ("", "human", "mouse"):
            raise WebError(400, "species must be human or mouse")
        via = tuple(bounded(v, "via") for v in getlist("via") if v.strip())
        avoid = tuple(bounded(v, "avoid") for v in getlist("avoid") if v.strip())
        if len(via) > MAX_VIA or len(avoid) > MAX_VIA:
            raise WebError(400, f"at most {MAX_VIA} via and {MAX_VIA} avoid entities")
        return cls(bounded(args.get("source"), "source"), bounded(args.get("target"), "target"),
                   integer("max_length", 4, 1, MAX_PATH_LENGTH), integer("limit", 10, 1, MAX_PATHS),
                   sign, via, avoid, evidence, species, str(args.get("direct_only") or "") in ("1", "on", "true"),
                   str(args.get("unsigned") or "") in ("1", "on", "true"))

    def params(self) -> list[tuple[str, str]]:
        """The query string that reproduces this search."""
        out = [("source", self.source), ("target", self.target), ("max_length", str(self.max_length)),
               ("limit", str(self.limit))]
        out += [(k, v) for k, v in (("sign", self.sign), ("min_evidence", self.min_evidence),
                                     ("species", self.species)) if v]
        out += [("via", v) for v in self.via] + [("avoid", a) for a in self.avoid]
        if self.direct_only:
            out.append(("direct_only", "1"))
        if self.unsigned:
            out.append(("unsigned", "1"))
        return out


def unsigned_supported() -> bool:
    """Whether :func:`kg.paths.search.find_paths` takes ``unsigned`` (the path library adds it)."""
    import inspect

    from kg.paths.search import find_paths

    return "unsigned" in inspect.signature(find_paths).parameters


class IncidentEdges:
    """A :class:`~kg.paths.graph.PathGraph` seen through one node: only the edges into or out of it."""

    def __init__(self, g: PathGraph, node: str):
        self.g, self.node = g, node
        self._into: dict[str, list[tuple[str, Any]]] = {}
        for other, edge in g.in_edges(node):
            self._into.setdefault(other, []).append((node, edge))
        source_of = getattr(g, "source_of", None)
        if source_of is not None:
            self.source_of = source_of

    def has_node(self, node: str) -> bool:
        return self.g.has_node(node)

    def node_info(self, node: str) -> Any:
        return self.g.node_info(node)

    def out_edges(self, node: str) -> list[tuple[str, Any]]:
        if node == self.node:
            return list(self.g.out_edges(node))
        return self._into.get(node, [])


@dataclass
class Service:
    """The open graph and everything the pages and the API ask of it."""

    kg: KG
    index: NameIndex
    path_graph: PathGraph
    #: Resolves a name as the CLI does (curated first, then a --store's nodes).
    resolver: Callable[[str], Entity]
    #: Returns the ``pyoxigraph.Store`` to query (built on first use, then kept).
    sparql_store: Callable[[], Any]
    store: Any = None
    #: Seconds a SPARQL query may run before it is abandoned (504).
    sparql_timeout: float = SPARQL_TIMEOUT
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _engine: Any = field(default=None, repr=False)

    # -- names ------------------------------------------------------------------------------------
    def resolve(self, name: str, what: str = "entity") -> Entity:
        name = bounded(name, what)
        try:
            return self.resolver(name)
        except AmbiguousEntity as exc:
            raise WebError(409, str(exc), [_entity_json(e) for e in exc.candidates]) from None
        except UnknownEntity as exc:
            raise WebError(404, f"no entity is named {name!r}",
                           [_entity_json(e) for e in exc.candidates]) from None
        except (EntityLookupError, CurieError) as exc:
            raise WebError(404, str(exc)) from None

    def search(self, text: str, limit: int = MAX_SUGGEST) -> dict[str, Any]:
        """Hits for ``text`` (the payload of ``kg search --format json`` under ``hits``), with the name that
        matched, and close names when nothing does."""
        from kg.curation.lookup import normalise
        from kg.graphs.cards import search

        text = bounded(text, "q", required=False)
        limit = max(1, min(limit, 50))
        hits = search(self.kg, self.index, text, limit) if text else []
        if self.store is not None and text:
            st = self.store
            known = {h["id"] for h in hits}
            extra = [{"id": st.ids[i], "label": st.labels[i], "category": st.category(i), "score": round(sc, 3)}
                     for i, sc in st.search(text, limit) if st.ids[i] not in known]
            hits = sorted(hits + extra, key=lambda h: -float(h["score"]))[:limit]
        key = normalise(text)
        for h in hits:  # say which synonym or brand name matched (B7-H1 -> PD-L1)
            ent = self._entity(h["id"])
            h["category_label"] = ent.category_label if ent else h["category"]
            h["matched"] = None
            if ent is not None and key and normalise(ent.label) != key:
                h["matched"] = next((n for n in ent.names() if normalise(n) == key), None) or next(
                    (n for n in ent.names() if key in normalise(n)), None)
        out: dict[str, Any] = {"query": text, "hits": hits}
        if text and not hits:
            out["suggestions"] = [_entity_json(e) for e in self.close_names(text)]
        return out

    def close_names(self, text: str, n: int = 5) -> list[Entity]:
        """Names like ``text`` when nothing matches it: the index's closest, else a looser comparison."""
        import difflib

        from kg.curation.lookup import normalise

        found = self.index.closest(text, n)
        if found:
            return found
        keys = difflib.get_close_matches(normalise(text), list(self.index.by_name), n=n * 2, cutoff=0.4)
        seen: dict[Curie, Entity] = {}
        for k in keys:
            for c in sorted(self.index.by_name[k]):
                seen.setdefault(c, self.index.by_id[c])
        return list(seen.values())[:n]

    def _entity(self, curie: str) -> Entity | None:
        try:
            return self.index.by_id.get(Curie.parse(curie))
        except CurieError:
            return None

    # -- entities ---------------------------------------------------------------------------------
    def entity(self, name: str) -> tuple[dict[str, Any], KG]:
        """The card of ``kg show --format json`` and the model it was made from (for the drawing)."""
        from kg.graphs.cards import entity_card

        ent = self.resolve(name)
        graph = self.kg
        if self.store is not None:  # the entity's statements in the merged graph, as `kg show --store`
            graph = self.star(str(ent.id))[0]
        return entity_card(graph, ent), graph

    def star(self, node: str, max_nodes: int | None = None) -> tuple[KG, bool]:
        """With a store: the model of ``node``, its neighbours (as ``kg show --store`` gathers them) and
        the statements that touch ``node``, and whether the neighbours were cut at ``max_nodes``.

        The card needs no statement between two neighbours, and in a large graph those are most of the
        work (a hub's neighbours hold tens of thousands), so :func:`kg.store.views.kg_of` is given a graph
        that shows it only the edges at ``node``."""
        from kg.store.views import MAX_NODES, kg_of, neighbourhood

        nodes, cut = neighbourhood(self.path_graph, [node], 1, max_nodes or MAX_NODES)
        # kg_of reads only has_node, node_info, out_edges and source_of, all of which IncidentEdges has.
        return kg_of(cast(PathGraph, IncidentEdges(self.path_graph, node)), nodes, self.kg), cut

    # -- paths ------------------------------------------------------------------------------------
    def paths(self, q: PathQuery) -> Any:
        """The :class:`kg.paths.search.PathSearch` of ``kg path`` for the query (``.to_json()`` is the API)."""
        from kg.paths.graph import FilterError
        from kg.paths.search import find_paths

        src, dst = str(self.resolve(q.source, "source").id), str(self.resolve(q.target, "target").id)
        if src == dst:
            raise WebError(400, f"source and target are the same entity ({src})")
        extra: dict[str, Any] = {}
        if q.unsigned:
            if not unsigned_supported():
                raise WebError(400, "unsigned paths are not available in this version of the path search")
            extra["unsigned"] = True
        try:
            return find_paths(self.path_graph, src, dst, max_length=q.max_length, limit=q.limit,
                              sign={"+": 1, "-": -1}.get(q.sign), via=[str(self.resolve(v, "via").id) for v in q.via],
                              avoid=[str(self.resolve(a, "avoid").id) for a in q.avoid],
                              min_evidence=q.min_evidence or None, species=q.species or None,
                              direct_only=q.direct_only, timeout=PATH_TIMEOUT, **extra)
        except FilterError as exc:
            raise WebError(400, str(exc)) from None

    # -- regimens ---------------------------------------------------------------------------------
    def regimen(self, text: str) -> dict[str, Any]:
        """The report of ``kg explain --format json`` for a regimen string."""
        from kg.paths.regimen import RegimenError, explain_regimen, key_outcomes, resolve_regimen

        text = bounded(text, "regimen")
        try:
            drugs = resolve_regimen(self.index, text)
            return explain_regimen(self.kg, self.path_graph, [str(e.id) for e in drugs],
                                   [str(c) for c in key_outcomes(self.kg, index=self.index)],
                                   timeout=REGIMEN_TIMEOUT)
        except RegimenError as exc:
            raise WebError(400, str(exc)) from None

    def regimens(self) -> list[dict[str, Any]]:
        """The drug combinations of the curated trials: the regimens worth a report."""
        out: dict[str, dict[str, Any]] = {}
        for trial in sorted(self.kg.trials.values(), key=lambda t: t.label.lower()):
            if len(trial.drugs) < 2:
                continue
            text = " + ".join(self.kg.label(d) for d in trial.drugs)
            out.setdefault(text, {"regimen": text, "trials": []})["trials"].append(trial.label)
        return list(out.values())

    # -- SPARQL -----------------------------------------------------------------------------------
    def engine(self) -> Any:
        with self._lock:
            if self._engine is None:
                from kg.sparql.engine import open_engine

                self._engine = open_engine(store=self.sparql_store())
            return self._engine

    def sparql(self, text: str | None, name: str | None, given: Mapping[str, str]) -> tuple[Any, str]:
        """Run a query (text, or a library query by name with its parameters) read-only; return the
        :class:`kg.sparql.engine.Result` and the query text that ran."""
        from kg.sparql.engine import SparqlError, to_term
        from kg.sparql.library import bind_params, get_query
        from kg.sparql.safety import analyse, check_safe

        try:
            terms: dict[str, Any]
            if name:
                named = get_query(bounded(name, "name"))
                query = named.text
                for k, v in given.items():
                    bounded(v, f"parameter {k}")
                terms = dict(bind_params(named, dict(given), lambda n: self.resolve(n).id.uri))
            else:
                query = bounded(text, "query", MAX_QUERY)
                terms = {k: to_term(bounded(v, f"parameter {k}")) for k, v in given.items()}
            info = analyse(query)
            check_safe(info)  # never an update, SERVICE or FROM: the server is read-only and offline
            result = self.engine().query(query, terms, self.sparql_timeout)
        except SparqlError as exc:
            status = 504 if type(exc).__name__ == "QueryTimeout" else 400
            raise WebError(status, str(exc)) from None
        if len(result.rows) > MAX_ROWS or len(result.triples) > MAX_ROWS:
            raise WebError(413, f"the result has more than {MAX_ROWS} rows; add a LIMIT")
        return result, query

    def queries(self) -> list[dict[str, Any]]:
        from kg.sparql.library import list_queries

        return [{"name": q.name, "title": q.title, "description": q.description,
                 "params": [{"name": p.name, "type": p.type, "default": p.default, "help": p.help}
                            for p in q.params], "text": q.text} for q in list_queries()]
