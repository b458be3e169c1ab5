"""SPARQL to SQL for a subset that the store's columnar tables answer exactly (:mod:`kg.store.columnar`).

The query is parsed with rdflib into SPARQL algebra. :func:`translate` accepts it only when every
operator is one it can carry over with the same results as Oxigraph, and raises :class:`Unsupported`
(with the reason) for anything else; the caller then sends the query to Oxigraph unchanged.

Accepted: ``SELECT`` (listed variables, not ``*``) over one basic graph pattern whose triples are

* statement properties with a constant predicate (``?st ivkg:subject ?s ; ivkg:evidence ?ev``: one
  row of ``statements`` per subject term) and ``?st a ivkg:Statement``;
* direct triples with a constant predicate of the store (``?x ivkg:increases_activity ?y``);
* property paths over those direct predicates built from ``|``, ``/``, ``^`` and ``?`` (``+`` and ``*``
  are not), in ``SELECT DISTINCT`` queries only (engines differ in how often they repeat a path row),
  and never of length zero (Oxigraph matches ``<x> p? <x>`` only when the store holds ``<x>``);

with ``FILTER`` of ``=``/``!=`` on IRIs, ``= != < <= > >=`` on integers, ``&&``, ``||`` and ``!``;
``GROUP BY`` variables with ``COUNT(*)``, ``COUNT(?v)`` and ``COUNT(DISTINCT ?v)``; ``DISTINCT``;
``ORDER BY`` projected variables; ``LIMIT``/``OFFSET`` only under an ``ORDER BY`` that orders every
projected variable (otherwise which rows come first is the engine's choice). Everything else
(OPTIONAL, UNION, MINUS, BIND, VALUES, subqueries, HAVING, other aggregates and functions, literals
other than integers, variable predicates, named graphs) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
STATEMENT_CLASS = "https://w3id.org/ivkg/Statement"
#: Columns of ``statements`` and the kind of term each holds (``sign`` is an xsd:integer literal).
COLUMN_KIND = {"st": "iri", "s": "iri", "p": "iri", "o": "iri", "sign": "int", "evidence": "iri", "source": "iri"}
MAX_PATH_BRANCHES = 64


class Unsupported(Exception):
    """The query is outside the subset; the message says which part."""


@dataclass(frozen=True)
class Schema:
    #: Statement property IRI -> column of ``statements``.
    props: dict[str, str]
    #: Predicate IRIs whose triples are exactly the rows of ``edges``.
    direct: frozenset[str]
    #: Whether ``?st a ivkg:Statement`` is answered by ``statements``.
    statement_type: bool


@dataclass
class Plan:
    sql: str
    vars: tuple[str, ...]
    kinds: tuple[str, ...]  # "iri" or "int" per variable


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class _Builder:
    schema: Schema
    sources: list[str] = field(default_factory=list)
    conds: list[str] = field(default_factory=list)
    #: variable -> (SQL expression, kind)
    binds: dict[str, tuple[str, str]] = field(default_factory=dict)

    def alias(self, sql: str, prefix: str) -> str:
        name = f"{prefix}{len(self.sources)}"
        self.sources.append(f"{sql} AS {name}")
        return name

    def term(self, term: Any, expr: str, kind: str) -> None:
        """Bind or constrain ``term`` (a variable, blank node, IRI or literal) to column ``expr``."""
        from rdflib import BNode, Literal, URIRef, Variable

        if isinstance(term, Variable | BNode):
            key = f"{'?' if isinstance(term, Variable) else '_:'}{term}"
            if key in self.binds:
                other, other_kind = self.binds[key]
                if other_kind != kind:
                    raise Unsupported(f"{key} is bound to both an IRI and an integer")
                self.conds.append(f"{other} = {expr}")
            else:
                self.binds[key] = (expr, kind)
        elif isinstance(term, URIRef):
            if kind != "iri":
                raise Unsupported(f"IRI <{term}> where the column holds integers")
            self.conds.append(f"{expr} = {_q(str(term))}")
        elif isinstance(term, Literal):
            if kind != "int":
                raise Unsupported(f"literal {term.n3()} where the column holds IRIs")
            self.conds.append(f"{expr} = {_int_literal(term)}")
        else:
            raise Unsupported(f"term {term!r}")


def _int_literal(term: Any) -> int:
    from rdflib import Literal

    text = str(term)
    if not (isinstance(term, Literal) and str(term.datatype) == XSD_INTEGER and term.language is None
            and re.fullmatch(r"-?(0|[1-9]\d*)", text)):
        raise Unsupported(f"literal {term.n3() if hasattr(term, 'n3') else term} (only integers in canonical form)")
    return int(text)


_REFUSED = re.compile(r"\b(OPTIONAL|UNION|MINUS|BIND|VALUES|SERVICE|GRAPH|HAVING|EXISTS|FROM|CONSTRUCT|DESCRIBE|ASK)\b",
                      re.IGNORECASE)


def translate(text: str, schema: Schema) -> Plan:
    """The SQL that answers SPARQL ``text`` from the columnar tables; :class:`Unsupported` if none does."""
    from kg.sparql.engine import with_prefixes

    refused = _REFUSED.search(text)
    if refused:  # before parsing: a keyword of the query (or of an IRI or string) outside the subset
        raise Unsupported(refused.group(0).upper())
    if re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", text, re.IGNORECASE):
        raise Unsupported("SELECT * (the order of its columns is the engine's choice)")
    try:
        from rdflib.plugins.sparql import prepareQuery

        query = prepareQuery(with_prefixes(text))
    except Exception as exc:  # rdflib raises many types; Oxigraph then gives the user its own message
        raise Unsupported(f"rdflib cannot parse it ({type(exc).__name__})") from None
    alg = query.algebra
    if alg.name != "SelectQuery":
        raise Unsupported(f"{alg.name}")
    if alg.get("datasetClause"):
        raise Unsupported("FROM / FROM NAMED")
    node = alg.p
    limit = offset = None
    if node.name == "Slice":
        offset, limit = node.start or None, node.length
        node = node.p
    distinct = node.name == "Distinct"
    if distinct:
        node = node.p
    if node.name != "Project":
        raise Unsupported(node.name)
    pv = [str(v) for v in node.PV]
    node = node.p
    order: list[Any] = []
    if node.name == "OrderBy":
        order, node = list(node.expr), node.p
    extends: dict[str, str] = {}
    while node.name == "Extend":
        if type(node.expr).__name__ != "Variable" or not str(node.expr).startswith("__agg_"):
            raise Unsupported("an expression in SELECT or BIND")
        extends[str(node.var)] = str(node.expr)
        node = node.p
    aggregates: dict[str, Any] = {}
    group: list[str] | None = None
    if node.name == "AggregateJoin":
        aggregates = {str(a.res): a for a in node.A}
        node = node.p
        if node.name != "Group":
            raise Unsupported(node.name)
        exprs = node.expr or []
        if any(type(e).__name__ != "Variable" for e in exprs):
            raise Unsupported("GROUP BY an expression")
        group = [str(e) for e in exprs]
        node = node.p
    filters: list[Any] = []
    while node.name == "Filter":
        filters.append(node.expr)
        node = node.p
    if node.name != "BGP" or not node.triples:
        raise Unsupported(node.name if node.name != "BGP" else "an empty pattern")

    b = _Builder(schema)
    has_path = _pattern(b, node.triples)
    if has_path and not distinct:
        raise Unsupported("a property path outside SELECT DISTINCT")
    for f in filters:
        b.conds.append(_filter(b, f))

    # Projection: variables of the pattern, group variables (rdflib wraps them in SAMPLE) and COUNTs.
    select: list[str] = []
    kinds: list[str] = []
    out_kind: dict[str, tuple[str, str]] = {}
    for v in pv:
        if v in extends:
            agg = aggregates.get(extends[v])
            if agg is None:
                raise Unsupported(f"?{v}")
            expr, kind = _aggregate(b, agg, group)
        elif group is not None:
            raise Unsupported(f"?{v} is neither grouped nor aggregated")
        else:
            if f"?{v}" not in b.binds:
                raise Unsupported(f"?{v} is not bound by the pattern")
            expr, kind = b.binds[f"?{v}"]
        select.append(f'{expr} AS "{v}"')
        kinds.append(kind)
        out_kind[v] = (f'"{v}"', kind)
    sql = f"SELECT {'DISTINCT ' if distinct else ''}{', '.join(select)} FROM {', '.join(b.sources)}"
    if b.conds:
        sql += " WHERE " + " AND ".join(b.conds)
    if group:
        for g in group:
            if f"?{g}" not in b.binds:
                raise Unsupported(f"GROUP BY ?{g}, which the pattern does not bind")
        sql += " GROUP BY " + ", ".join(b.binds[f"?{g}"][0] for g in group)
    keys: list[str] = []
    ordered: set[str] = set()
    for cond in order:
        expr, desc = (cond.expr, cond.order == "DESC") if type(cond).__name__ == "CompValue" else (cond, False)
        if type(expr).__name__ != "Variable" or str(expr) not in out_kind:
            raise Unsupported("ORDER BY something other than a projected variable")
        keys.append(f"{out_kind[str(expr)][0]}{' DESC' if desc else ''}")
        ordered.add(str(expr))
    if keys:
        sql += " ORDER BY " + ", ".join(keys)
    if limit is not None or offset is not None:
        if not set(pv) <= ordered:
            raise Unsupported("LIMIT/OFFSET without an ORDER BY over every projected variable")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        if offset:
            sql += f" OFFSET {int(offset)}"
    return Plan(sql, tuple(pv), tuple(kinds))


def _aggregate(b: _Builder, agg: Any, group: list[str] | None) -> tuple[str, str]:
    name = agg.name
    if name == "Aggregate_Sample" and type(agg.vars).__name__ == "Variable" and group and str(agg.vars) in group:
        return b.binds[f"?{agg.vars}"]
    if name != "Aggregate_Count":
        raise Unsupported(f"{name.removeprefix('Aggregate_').upper()} (only COUNT is rewritten)")
    distinct = agg.get("distinct") == "DISTINCT"
    if agg.vars == "*":
        if distinct:
            raise Unsupported("COUNT(DISTINCT *)")
        return "count(*)", "int"
    if type(agg.vars).__name__ != "Variable" or f"?{agg.vars}" not in b.binds:
        raise Unsupported("COUNT of an expression or of an unbound variable")
    return f"count({'DISTINCT ' if distinct else ''}{b.binds[f'?{agg.vars}'][0]})", "int"


def _pattern(b: _Builder, triples: Iterable[tuple[Any, Any, Any]]) -> bool:
    """Add the pattern's tables and joins to ``b``; True when it holds a property path."""
    from rdflib import Literal, URIRef

    stars: dict[str, str] = {}  # subject term -> alias of its statements row
    has_path = False

    def star(subject: Any) -> str:
        key = subject.n3()
        if key not in stars:
            if isinstance(subject, Literal):
                raise Unsupported("a literal subject")
            stars[key] = b.alias("statements", "t")
            b.term(subject, f"{stars[key]}.st", "iri")
        return stars[key]

    for s, p, o in triples:
        if isinstance(p, URIRef):
            iri = str(p)
            if iri in b.schema.props:
                col = b.schema.props[iri]
                t = star(s)
                if col == "evidence":
                    b.conds.append(f"{t}.evidence IS NOT NULL")
                b.term(o, f"{t}.{col}", COLUMN_KIND[col])
            elif iri == RDF_TYPE and isinstance(o, URIRef) and str(o) == STATEMENT_CLASS and b.schema.statement_type:
                star(s)
            elif iri in b.schema.direct:
                e = b.alias("edges", "e")
                b.conds.append(f"{e}.p = {_q(iri)}")
                b.term(s, f"{e}.s", "iri")
                b.term(o, f"{e}.o", "iri")
            else:
                raise Unsupported(f"predicate <{iri}> is not in the columnar tables")
        elif type(p).__module__ == "rdflib.paths":
            has_path = True
            sql = _path_sql(b.schema, p, s, o)
            a = b.alias(f"({sql})", "pp")
            b.term(s, f"{a}.s", "iri")
            b.term(o, f"{a}.o", "iri")
        else:
            raise Unsupported("a variable predicate")
    return has_path


# An atom: (predicate IRIs, inverse). A branch: a sequence of atoms (empty: the zero-length path).
Atom = tuple[tuple[str, ...], bool]


def _expand(schema: Schema, path: Any) -> list[list[Atom]]:
    from rdflib import URIRef
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

    if isinstance(path, URIRef):
        if str(path) not in schema.direct:
            raise Unsupported(f"path step <{path}> is not a direct predicate of the store")
        return [[((str(path),), False)]]
    if isinstance(path, InvPath):
        return [[(iris, not inv) for iris, inv in reversed(branch)] for branch in _expand(schema, path.arg)]
    if isinstance(path, AlternativePath):
        out: list[list[Atom]] = []
        for arg in path.args:
            out.extend(_expand(schema, arg))
        # Single steps in the same direction become one step over several predicates.
        singles = [br[0] for br in out if len(br) == 1]
        for inv in (False, True):
            same = [a for a in singles if a[1] == inv]
            if len(same) > 1:
                merged = (tuple(sorted({i for a in same for i in a[0]})), inv)
                out = [br for br in out if not (len(br) == 1 and br[0][1] == inv)] + [[merged]]
        return _capped(out)
    if isinstance(path, SequencePath):
        branches: list[list[Atom]] = [[]]
        for arg in path.args:
            branches = _capped([a + b for a in branches for b in _expand(schema, arg)])
        return branches
    if isinstance(path, MulPath) and path.mod == "?":
        return _capped([[], *_expand(schema, path.path)])
    raise Unsupported(f"path {path.n3() if hasattr(path, 'n3') else path} (only |, /, ^ and ?)")


def _capped(branches: list[list[Atom]]) -> list[list[Atom]]:
    if len(branches) > MAX_PATH_BRANCHES:
        raise Unsupported(f"a property path with more than {MAX_PATH_BRANCHES} alternatives")
    return branches


def _path_sql(schema: Schema, path: Any, s: Any, o: Any) -> str:
    """A relation (s, o) of the pairs the path links (the query is DISTINCT, so repeats do not matter).

    The branches of the path share their prefixes: each prefix is one step from its parent's pairs,
    computed once (a materialised CTE), so ``a/b?/c?`` costs three joins, not six."""
    from rdflib import URIRef

    start = str(s) if isinstance(s, URIRef) else None
    end = str(o) if isinstance(o, URIRef) else None
    branches = list(dict.fromkeys(tuple(br) for br in _expand(schema, path)))
    if any(not br for br in branches):  # Oxigraph matches it only for terms the store holds
        raise Unsupported("a property path that may have length zero")
    if len(branches) == 1:  # one chain of steps: plain joins, which DuckDB can reorder and filter
        return _chain(branches[0], start, end)
    names: dict[tuple[Atom, ...], str] = {}
    ctes = []
    for br in branches:
        for k in range(1, len(br) + 1):
            prefix = br[:k]
            if prefix in names:
                continue
            iris, inv = prefix[-1]
            a, z = ("o", "s") if inv else ("s", "o")
            pred = f"x.p = {_q(iris[0])}" if len(iris) == 1 else f"x.p IN ({', '.join(_q(i) for i in iris)})"
            if k == 1:
                anchor = f" AND x.{a} = {_q(start)}" if start is not None else ""
                body = f"SELECT DISTINCT x.{a} AS s, x.{z} AS o FROM edges AS x WHERE {pred}{anchor}"
            else:
                body = (f"SELECT DISTINCT q.s AS s, x.{z} AS o FROM {names[prefix[:-1]]} AS q "
                        f"JOIN edges AS x ON x.{a} = q.o WHERE {pred}")
            names[prefix] = f"w{len(names)}"
            ctes.append(f"{names[prefix]} AS MATERIALIZED ({body})")
    where = f" WHERE o = {_q(end)}" if end is not None else ""
    union = " UNION ALL ".join(f"SELECT s, o FROM {names[br]}{where}" for br in branches)
    return f"WITH {', '.join(ctes)} {union}"


def _chain(branch: tuple[Atom, ...], start: str | None, end: str | None) -> str:
    cols, conds = [], []
    for i, (iris, inv) in enumerate(branch):
        a, z = ("o", "s") if inv else ("s", "o")
        cols.append((f"x{i}.{a}", f"x{i}.{z}"))
        conds.append(f"x{i}.p = {_q(iris[0])}" if len(iris) == 1 else f"x{i}.p IN ({', '.join(_q(x) for x in iris)})")
        if i:
            conds.append(f"{cols[i - 1][1]} = {cols[i][0]}")
    if start is not None:
        conds.append(f"{cols[0][0]} = {_q(start)}")
    if end is not None:
        conds.append(f"{cols[-1][1]} = {_q(end)}")
    tables = ", ".join(f"edges AS x{i}" for i in range(len(branch)))
    return f"SELECT {cols[0][0]} AS s, {cols[-1][1]} AS o FROM {tables} WHERE {' AND '.join(conds)}"


_OPS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _filter(b: _Builder, expr: Any) -> str:
    name = getattr(expr, "name", None)
    if name == "ConditionalAndExpression":
        return "(" + " AND ".join(_filter(b, e) for e in [expr.expr, *(expr.other or [])]) + ")"
    if name == "ConditionalOrExpression":
        return "(" + " OR ".join(_filter(b, e) for e in [expr.expr, *(expr.other or [])]) + ")"
    if name == "UnaryNot":
        return f"(NOT {_filter(b, expr.expr)})"
    if name == "RelationalExpression" and expr.op in _OPS:
        left, lk = _operand(b, expr.expr)
        right, rk = _operand(b, expr.other)
        if lk != rk:
            raise Unsupported("a comparison of an IRI with a number")
        if lk == "iri" and expr.op not in ("=", "!="):
            raise Unsupported(f"{expr.op} on IRIs")
        return f"({left} {_OPS[expr.op]} {right})"
    raise Unsupported(f"FILTER {name or type(expr).__name__}")


def _operand(b: _Builder, term: Any) -> tuple[str, str]:
    from rdflib import Literal, URIRef, Variable

    if isinstance(term, Variable):
        if f"?{term}" not in b.binds:
            raise Unsupported(f"FILTER on ?{term}, which the pattern does not bind")
        return b.binds[f"?{term}"]
    if isinstance(term, URIRef):
        return _q(str(term)), "iri"
    if isinstance(term, Literal):
        return str(_int_literal(term)), "int"
    raise Unsupported(f"FILTER operand {type(term).__name__}")
