"""SPARQL over a ``--store``: DuckDB over the columnar tables (:mod:`kg.store.columnar`) when the query's
algebra fits them (:mod:`kg.sparql.tosql`), else the store's Oxigraph with the query unchanged."""

from __future__ import annotations

from typing import Any

from kg.sparql.engine import Engine, OxigraphEngine, Result, SparqlError, _oxigraph_syntax
from kg.sparql.safety import XSD, QueryInfo, RDFTerm
from kg.store.columnar import FOLDER, read_meta, sql_path

ENGINE_CHOICES = ("auto", "oxigraph", "columnar")


class StoreEngine(Engine):
    """SPARQL over a ``--store``: the columnar tables when the query's algebra fits them (``auto``),
    else the store's Oxigraph. ``mode`` ``oxigraph`` or ``columnar`` forces one (``columnar`` refuses a
    query it cannot answer). After each query, :attr:`answered` names the engine that answered."""

    name = "store"

    def __init__(self, store: Any, mode: str = "auto"):
        if mode not in ENGINE_CHOICES:
            raise SparqlError(f"unknown engine {mode!r}: choose one of {', '.join(ENGINE_CHOICES)}")
        self.store, self.mode = store, mode
        self.meta = read_meta(store.gen)
        self.answered = ""
        self._con: Any = None

    def _check_syntax(self, text: str, allow_remote: bool) -> None:
        # In auto mode a query rdflib cannot parse goes to Oxigraph, whose parser reports the error.
        if self.mode == "columnar":
            _oxigraph_syntax(text)

    def plan(self, text: str) -> tuple[Any, str]:
        """(the SQL plan, "") when the columnar tables answer ``text``; else (None, the reason)."""
        if self.mode == "oxigraph":
            return None, "--engine oxigraph"
        meta = self.meta
        if meta is None:
            return None, "this store has no columnar tables (imported by an older version; re-run `kg import`)"
        if not meta.get("enabled"):
            return None, f"this store has no columnar tables: {meta.get('reason', '')}"
        from kg.sparql.tosql import Schema, Unsupported, translate

        schema = Schema(props=meta["statement_properties"], direct=frozenset(meta["direct_predicates"]),
                        statement_type=bool(meta["statement_type"]))
        try:
            return translate(text, schema), ""
        except Unsupported as exc:
            return None, str(exc)

    def explain(self, text: str) -> str:
        plan, reason = self.plan(text)
        if plan is None:
            return f"engine: oxigraph\nreason: {reason}\n"
        return f"engine: columnar (DuckDB over {self.store.gen / FOLDER})\nsql: {plan.sql}\n"

    def _run(self, text: str, info: QueryInfo) -> Result:
        plan, reason = self.plan(text) if info.form == "SELECT" else (None, f"{info.form} queries")
        if plan is None:
            if self.mode == "columnar":
                raise SparqlError(f"the columnar engine cannot answer this query: {reason}")
            self.answered = "oxigraph"
            from kg.store.store import StoreError

            try:
                ox = self.store.oxigraph()
            except StoreError as exc:
                raise SparqlError(str(exc)) from None
            return OxigraphEngine(ox)._run(text, info)
        self.answered = "columnar"
        return Result("select", plan.vars, [tuple(_term(v, k) for v, k in zip(row, plan.kinds, strict=True))
                                            for row in self._connection().execute(plan.sql).fetchall()])

    def _connection(self) -> Any:
        if self._con is None:
            import duckdb

            con = duckdb.connect()
            folder = self.store.gen / FOLDER
            for name in ("statements", "edges"):
                parquet = sql_path(folder / f"{name}.parquet")
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({parquet})")
            self._con = con
        return self._con


def _term(value: Any, kind: str) -> RDFTerm:
    if kind == "iri":
        return RDFTerm("iri", str(value))
    return RDFTerm("lit", str(int(value)), XSD + "integer")
