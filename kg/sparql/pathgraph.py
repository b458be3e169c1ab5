"""A :class:`kg.paths.graph.PathGraph` over any SPARQL 1.1 endpoint holding a graph in our RDF shape.

The shape is the one :mod:`kg.graphs.rdf` writes (``kg build``, ``kg export --format ntriples``, ``kg push``):
each statement is a node ``?st ivkg:subject ?s ; ivkg:predicate ?p ; ivkg:object ?o`` with its evidence,
species, context, review sections, reference numbers and citations; entities carry ``rdfs:label``,
``ivkg:category`` and ``ivkg:curie``. Nothing is downloaded up front: the path algorithms ask for a whole
frontier at once (:meth:`RemotePathGraph.batch_edges`), which becomes one query with a ``VALUES`` block of
the frontier's nodes and the search's predicate, evidence and species filters in its ``FILTER``, followed by
one query for the labels, categories and degrees of the nodes it reached. So a search costs about two round
trips per level of its breadth-first pass, whatever the number of nodes.

Budgets: ``max_round_trips`` and ``max_rows`` cap the work; ``timeout`` caps each query. When one cuts, the
graph answers "no more edges" from then on and says why in :attr:`RemotePathGraph.cut`, which the
algorithms report as ``truncated`` with that reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.core.model import Curie, CurieError
from kg.core.vocab import EVIDENCE_LEVELS, IVKG, PREDICATES, PREFIXES, SPECIES
from kg.graphs.prefixes import curie_of as parse_node  # a node id as a Curie: ours or bioregistry's
from kg.graphs.prefixes import default_prefixes
from kg.paths.graph import EdgeFilter, EdgeInfo, NodeInfo

if TYPE_CHECKING:
    from kg.core.model import KG

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
HEADER = f"PREFIX ivkg: <{IVKG}>\nPREFIX rdfs: <{RDFS}>\n"
#: Nodes per VALUES block: keeps every query far below the 100k-character request limit.
CHUNK = 400
DEFAULT_MAX_ROUND_TRIPS = 200
DEFAULT_MAX_ROWS = 200_000
_BAD_IRI = re.compile(r'[\s<>"{}|^`\\]')
_TAXON = {Curie.parse(t).uri: k for k, t in SPECIES.items()}
_EVIDENCE = {IVKG + f"evidence/{k}": k for k in EVIDENCE_LEVELS}
_REFERENCE = IVKG + "reference/"

Edges = list[tuple[str, EdgeInfo]]


def curie_of(iri: str) -> str:
    """Our CURIE for an identifier IRI (``HGNC:12680``), bioregistry's where none of ours fits
    (``NCBIGene:7422``, as ``kg import`` names such nodes), or the IRI itself when no prefix fits."""
    best = None
    for p in PREFIXES.values():
        if iri.startswith(p.uri) and (best is None or len(p.uri) > len(best.uri)):
            best = p
    if best is None:
        try:
            return default_prefixes().curie(iri)
        except CurieError:
            return iri
    from urllib.parse import unquote

    try:
        return str(Curie.parse(f"{best.prefix}:{unquote(iri[len(best.uri):])}"))
    except CurieError:
        return iri


def iri_of(node: str) -> str:
    try:
        return parse_node(node).uri
    except CurieError:
        return node


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in iris)


@dataclass
class RemoteStats:
    """What a remote graph cost so far (reported by ``kg --endpoint``)."""

    round_trips: int = 0
    rows: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"round_trips": self.round_trips, "rows": self.rows}


class RemotePathGraph:
    """Read-only path graph of a SPARQL endpoint; node ids are our CURIE strings.

    ``engine`` is anything with the :meth:`kg.sparql.engine.Engine.query` API (a ``RemoteEngine``, or a
    local engine in tests)."""

    def __init__(self, engine: Any, *, timeout: float = 30.0, max_round_trips: int = DEFAULT_MAX_ROUND_TRIPS,
                 max_rows: int = DEFAULT_MAX_ROWS, curated: KG | Callable[[], KG | None] | None = None):
        self.engine = engine
        #: Local curated data (or a function loading it): a statement it also holds keeps its curated
        #: record, as in a store; RDF keeps a statement's other sources as a set, the curated row in order.
        self._kg = curated
        self._statements: dict[str, Any] | None = None
        self._kg_loaded: KG | None = None
        self.timeout = timeout
        self.max_round_trips = max_round_trips
        self.max_rows = max_rows
        self.stats = RemoteStats()
        #: Why the graph stopped answering (``round-trip budget``, ``row budget``, ``timeout``), or None.
        self.cut: str | None = None
        self._iri: dict[str, str] = {}
        self._name: dict[str, str] = {}
        self._info: dict[str, NodeInfo] = {}
        self._deg: dict[str, tuple[int, int]] = {}
        self._absent: set[str] = set()
        #: Unfiltered edges, and filtered ones per (filter, direction).
        self._all: dict[tuple[str, bool], Edges] = {}
        self._some: dict[tuple[EdgeFilter, bool], dict[str, Edges]] = {}

    # -- queries -----------------------------------------------------------------------------------
    def select(self, text: str) -> list[dict[str, Any]]:
        """One round trip, within the budgets; ``[]`` once a budget is spent."""
        if self.cut is not None:
            return []
        if self.stats.round_trips >= self.max_round_trips:
            self.cut = "round-trip budget"
            return []
        self.stats.round_trips += 1
        from kg.sparql.engine import QueryTimeout

        try:
            res = self.engine.query(HEADER + text, timeout=self.timeout)
        except QueryTimeout:
            self.cut = "timeout"
            return []
        self.stats.rows += len(res.rows)
        if self.stats.rows > self.max_rows:
            self.cut = "row budget"
        return [{k: (t.value if t is not None else None) for k, t in rec.items()} for rec in res.records()]

    def _node(self, iri: str, curie: str | None = None) -> str:
        name = self._name.get(iri)
        if name is None:
            name = curie or curie_of(iri)
            self._name[iri] = name
            self._iri.setdefault(name, iri)
        return name

    def iri(self, node: str) -> str:
        hit = self._iri.get(node)
        if hit is None:
            hit = self._iri[node] = iri_of(node)
            self._name.setdefault(hit, node)
        return hit

    def _curated(self, r: Mapping[str, Any]) -> EdgeInfo | None:
        if self._kg is None:
            return None
        if self._statements is None:
            kg = self._kg() if callable(self._kg) else self._kg
            self._statements = {st.id: st for st in kg.statements} if kg is not None else {}
            self._kg_loaded = kg
        st = self._statements.get(_local(r["st"], IVKG + "statement/"))
        if st is None or self._kg_loaded is None:
            return None
        from kg.graphs.nx import edge_data

        return EdgeInfo.from_mapping(st.id, edge_data(self._kg_loaded, st))

    # -- node information --------------------------------------------------------------------------
    def fetch_info(self, nodes: Iterable[str]) -> None:
        """Labels, categories and degrees of ``nodes`` not known yet: one round trip per chunk."""
        todo = [n for n in dict.fromkeys(nodes) if n not in self._info and n not in self._absent]
        todo = [n for n in todo if not _BAD_IRI.search(self.iri(n))]
        for i in range(0, len(todo), CHUNK):
            chunk = todo[i:i + CHUNK]
            rows = self.select(
                "SELECT ?n ?k (SAMPLE(?v) AS ?val) (COUNT(?v) AS ?c) WHERE {\n"
                f"  VALUES ?n {{ {_values(self.iri(n) for n in chunk)} }}\n"
                '  { ?n rdfs:label ?v BIND("label" AS ?k) } UNION { ?n ivkg:category ?v BIND("category" AS ?k) }'
                '\n  UNION { ?v ivkg:subject ?n BIND("out" AS ?k) } UNION { ?v ivkg:object ?n BIND("in" AS ?k) }'
                "\n} GROUP BY ?n ?k")
            got: dict[str, dict[str, Any]] = {}
            for r in rows:
                got.setdefault(r["n"], {})[r["k"]] = (r["val"], int(r["c"]))
            if self.cut is not None:
                return  # an answer cut short: do not record nodes as missing
            for n in chunk:
                g = got.get(self.iri(n))
                if not g:
                    self._absent.add(n)
                    continue
                label = g.get("label", (n, 0))[0]
                self._info[n] = NodeInfo(str(label), str(g.get("category", ("entity", 0))[0]))
                self._deg[n] = (g.get("out", ("", 0))[1], g.get("in", ("", 0))[1])

    def has_node(self, node: str) -> bool:
        # Once a budget is spent the endpoint cannot tell: the search goes on, finds no more edges
        # and reports the cut, rather than calling the node unknown.
        self.fetch_info([node])
        return node in self._info or (self.cut is not None and node not in self._absent)

    def node_info(self, node: str) -> NodeInfo:
        self.fetch_info([node])
        info = self._info.get(node)
        if info is None:
            if self.cut is not None and node not in self._absent:
                return NodeInfo(node, "entity")
            raise KeyError(node)
        return info

    def out_degree(self, node: str) -> int:
        self.fetch_info([node])
        return self._deg.get(node, (0, 0))[0]

    def in_degree(self, node: str) -> int:
        self.fetch_info([node])
        return self._deg.get(node, (0, 0))[1]

    def nodes(self) -> Iterator[str]:
        """Every entity (one query: ids only, never their edges)."""
        rows = self.select("SELECT DISTINCT ?n ?curie WHERE { ?n ivkg:category ?c "
                           "OPTIONAL { ?n ivkg:curie ?curie } }")
        return iter([self._node(r["n"], r["curie"]) for r in rows])

    # -- edges -------------------------------------------------------------------------------------
    def out_edges(self, node: str) -> Iterable[tuple[str, EdgeInfo]]:
        if (node, True) not in self._all:
            self.batch_edges([node], True, None)
        return self._all.get((node, True), [])

    def in_edges(self, node: str) -> Iterable[tuple[str, EdgeInfo]]:
        if (node, False) not in self._all:
            self.batch_edges([node], False, None)
        return self._all.get((node, False), [])

    def batch_edges(self, nodes: Iterable[str], out: bool,
                    flt: EdgeFilter | None) -> Mapping[str, Edges]:
        """The edges of many nodes in one direction, the filter ``flt`` applied in the query (a superset
        of what ``flt.ok`` accepts; the caller still applies it). One round trip per :data:`CHUNK` nodes,
        then one for the labels and degrees of the nodes reached."""
        nodes = list(dict.fromkeys(nodes))
        if flt is None:
            done = {n: self._all[(n, out)] for n in nodes if (n, out) in self._all}
        else:
            done = {n: self._all[(n, out)] for n in nodes if (n, out) in self._all}
            cache = self._some.setdefault((flt, out), {})
            done.update({n: cache[n] for n in nodes if n in cache and n not in done})
        todo = [n for n in nodes if n not in done and not _BAD_IRI.search(self.iri(n))]
        fetched: dict[str, Edges] = {}
        for i in range(0, len(todo), CHUNK):
            chunk = todo[i:i + CHUNK]
            rows = self.select(_edge_query([self.iri(n) for n in chunk], out, flt))
            if self.cut is not None and not rows:
                break
            by: dict[str, Edges] = {n: [] for n in chunk}
            for r in rows:
                here = self._node(r["n"])
                other = self._node(r["other"], r.get("oc"))
                s, o = (here, other) if out else (other, here)
                by.setdefault(here, []).append((other, self._curated(r) or _edge(r, s, o)))
            if self.cut is None:
                fetched.update(by)
        self.fetch_info({v for es in fetched.values() for v, _ in es})
        if self.cut is not None:  # cut before the far ends were named: keep only the edges to known nodes
            fetched = {n: [(v, e) for v, e in es if v in self._info] for n, es in fetched.items()}
        for n, es in fetched.items():
            es.sort(key=lambda ve: (ve[0], ve[1].id))
            if flt is None:
                self._all[(n, out)] = es
            else:
                self._some[(flt, out)][n] = es
        done.update(fetched)
        return done


def _edge_query(iris: list[str], out: bool, flt: EdgeFilter | None) -> str:
    here, there = ("ivkg:subject", "ivkg:object") if out else ("ivkg:object", "ivkg:subject")
    filters = []
    if flt is not None:
        if flt.predicates is not None:
            preds = sorted(flt.predicates)
        elif not flt.unsigned:
            preds = sorted(k for k, p in PREDICATES.items() if p.causal and p.sign != 0)
        else:
            preds = []
            filters.append("?p != ivkg:member_of")
        if preds:
            filters.append("?p IN (" + ", ".join(f"ivkg:{p}" for p in preds) + ")")
        if flt.min_rank > 0:
            evs = [k for k, lv in EVIDENCE_LEVELS.items() if lv.rank >= flt.min_rank]
            filters.append("?ev IN (" + ", ".join(f"<{IVKG}evidence/{k}>" for k in evs) + ")")
        if flt.species:
            taxon = Curie.parse(SPECIES[flt.species]).uri
            general = "!BOUND(?sp)"
            if flt.species != "mouse":
                general += f" && ?ev != <{IVKG}evidence/preclinical_in_vivo>"
            filters.append(f"(({general}) || ?sp = <{taxon}>)")
    where = "".join(f"\n  FILTER({f})" for f in filters)
    keys = "?n ?st ?p ?other ?ev ?sign ?sp ?ms ?set ?text ?note"
    return (
        f"SELECT {keys} (SAMPLE(?curie) AS ?oc)\n"
        '  (GROUP_CONCAT(DISTINCT ?sec; separator="|") AS ?secs)\n'
        '  (GROUP_CONCAT(DISTINCT STR(?ref); separator=" ") AS ?refs)\n'
        '  (GROUP_CONCAT(DISTINCT CONCAT(STR(?cit), " ", COALESCE(STR(?cref), "")); separator="|") AS ?cits)\n'
        "WHERE {\n"
        f"  VALUES ?n {{ {_values(iris)} }}\n"
        f"  ?st {here} ?n ; ivkg:predicate ?p ; {there} ?other .\n"
        "  OPTIONAL { ?st ivkg:evidence ?ev } OPTIONAL { ?st ivkg:sign ?sign }\n"
        "  OPTIONAL { ?st ivkg:species ?sp } OPTIONAL { ?st ivkg:modelSystem ?ms }\n"
        "  OPTIONAL { ?st ivkg:setting ?set } OPTIONAL { ?st ivkg:statementText ?text }\n"
        "  OPTIONAL { ?st ivkg:note ?note }"
        f"{where}\n"
        "  OPTIONAL { ?other ivkg:curie ?curie } OPTIONAL { ?st ivkg:reviewSection ?sec }\n"
        "  OPTIONAL { ?st ivkg:reviewReference ?ref }\n"
        "  OPTIONAL { ?st ivkg:citation ?cit OPTIONAL { ?cit ivkg:reviewReference ?cref } }\n"
        f"}} GROUP BY {keys}")


def _local(iri: str | None, base: str) -> str:
    return iri[len(base):] if iri and iri.startswith(base) else ""


def _predicate(iri: str) -> str:
    key = _local(iri, IVKG)
    if key in PREDICATES:
        return key
    from kg.sparql.engine import compact

    return compact(iri)


def _edge(r: Mapping[str, Any], s: str, o: str) -> EdgeInfo:
    """The edge record of one statement row, as :meth:`EdgeInfo.from_mapping` makes it locally."""
    predicate = _predicate(r["p"])
    pred = PREDICATES.get(predicate)
    # No evidence given (most imported edges): rank 0, as the local store reports it.
    evidence = _EVIDENCE.get(r["ev"] or "", "")
    sign = int(r["sign"]) if r.get("sign") not in (None, "") else (pred.sign if pred else 0)
    return EdgeInfo(
        id=_local(r["st"], IVKG + "statement/") or r["st"], predicate=predicate, sign=sign,
        causal=bool(pred.causal) if pred else False, evidence=evidence,
        evidence_rank=EVIDENCE_LEVELS[evidence].rank if evidence else 0, species=_TAXON.get(r.get("sp") or "", ""),
        model_system=r.get("ms") or "", setting=r.get("set") or "", statement=r.get("text") or "",
        sections=tuple(sorted(x for x in (r.get("secs") or "").split("|") if x)),
        citations=tuple(c.to_json() for c in citations_of(r.get("refs") or "", r.get("cits") or "")))


def citations_of(refs: str, cits: str) -> list[Any]:
    """The citations of a statement, in the order :meth:`kg.core.model.KG.citations` gives them: its
    review references (resolved through the publication that carries the number), then other sources."""
    from kg.core.model import Citation

    numbers = sorted({int(x) for x in refs.split()})
    by_ref: dict[int, str] = {}
    sources: list[str] = []
    for item in (c for c in cits.split("|") if c):
        iri, _, ref = item.partition(" ")
        if ref and int(ref) in numbers:
            by_ref[int(ref)] = iri
        else:
            sources.append(iri)
    out = []
    for n in numbers:
        pub = by_ref.get(n)
        cid = None
        if pub and not pub.startswith(_REFERENCE):
            name = curie_of(pub)
            cid = Curie.parse(name) if name != pub else None
        out.append(Citation(n, cid))
    for iri in sorted(set(sources)):
        name = curie_of(iri)
        if name != iri:
            out.append(Citation(None, Curie.parse(name)))
    return out
