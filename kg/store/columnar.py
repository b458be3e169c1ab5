"""The columnar copy of a store's statements, and the SPARQL engine that answers from it when it can.

At import, next to the Oxigraph store, ``gen-<n>/columnar/`` receives:

``statements.parquet``
    one row per statement node: ``st`` (its IRI), ``s``, ``p``, ``o`` (subject, predicate, object IRIs),
    ``sign`` (the ``ivkg:sign`` integer), ``evidence`` (the ``ivkg:evidence`` IRI, NULL when the edge
    gave none) and ``source`` (the ``prov:wasDerivedFrom`` IRI);
``edges.parquet``
    the direct triples ``s p o`` (distinct);
``meta.json``
    which SPARQL predicates the tables answer for exactly (see :func:`write_columnar`).

Both tables come from the same edge arrays the store's paths read, with IRIs spelt exactly as the
N-Triples handed to Oxigraph spell them (:mod:`kg.store.builder`, :mod:`kg.graphs.rdf`).
:class:`kg.store.sqlengine.StoreEngine` rewrites a query into SQL (:mod:`kg.sparql.tosql`) and runs it
with DuckDB over these files when the query stays inside what they hold; any other query goes to Oxigraph
unchanged. This module imports nothing heavy at load time (``kg store`` reads :func:`read_meta`).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from kg.core.vocab import IVKG, PREDICATES

FOLDER = "columnar"
VERSION = 1
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
STATEMENT_CLASS = IVKG + "Statement"
#: Statement properties held as columns of ``statements.parquet``; every statement has exactly one of
#: each (``evidence`` may be missing: NULL).
STATEMENT_COLUMNS: dict[str, str] = {IVKG + "subject": "s", IVKG + "predicate": "p", IVKG + "object": "o",
                                     IVKG + "sign": "sign", IVKG + "evidence": "evidence",
                                     PROV + "wasDerivedFrom": "source"}


def write_columnar(gen: Path, b: Any, kg: Any, fmt: str) -> dict[str, Any]:
    """Write ``gen/columnar/`` from the builder ``b`` of an import (``kg``: the curated graph or None).

    The tables answer a SPARQL pattern only when the store holds no other triple with its predicate, so
    ``meta.json`` lists the predicates that hold exactly: those also used by the ontology or by other
    curated triples are left out (``ivkg:sign`` is an annotation of the ontology's properties). Stores
    built from RDF files (loaded as they are) get no tables: the RDF may hold any shape.
    """
    import duckdb
    import numpy as np

    from kg.graphs.mapping import predicate_sign
    from kg.store.builder import source_iri

    clock = time.perf_counter()
    folder = gen / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"version": VERSION, "enabled": False}
    if fmt != "kgx":
        meta["reason"] = "RDF inputs are loaded into Oxigraph as they are; only Oxigraph knows their shape"
        return _finish(folder, meta, clock)
    if not (len(b.st_iris) == len(b.st_ev) == len(b.refs)):  # every edge must come through Builder.edge
        meta["reason"] = "the import did not record a statement id and evidence for every edge"
        return _finish(folder, meta, clock)
    n_cur = len(kg.statements) if kg is not None else 0
    review = ""
    if kg is not None:
        from kg.core.model import Curie
        from kg.core.vocab import REVIEW_DOI

        review = Curie("DOI", REVIEW_DOI).uri
    pred_iri = [IVKG + k if k in PREDICATES else b.uri(k) for k in b.preds]
    con = duckdb.connect()
    e = [np.frombuffer(a, dtype=np.int32) if len(a) else np.zeros(0, np.int32) for a in b.e]
    imp = {"s": e[0][n_cur:], "o": e[1][n_cur:], "pc": e[2][n_cur:], "src": e[4][n_cur:],
           "st": np.array(b.st_iris[n_cur:], dtype=object), "ev": np.array(b.st_ev[n_cur:], dtype=object)}
    nodes = {"i": np.arange(len(b.ids), dtype=np.int32), "curie": np.array(b.ids, dtype=object),
             "iri": np.array([b.uri(c) for c in b.ids], dtype=object)}
    preds = {"code": np.arange(len(b.preds), dtype=np.int32), "pkey": np.array(b.preds, dtype=object),
             "iri": np.array(pred_iri, dtype=object),
             "sign": np.array([predicate_sign(k) for k in b.preds], dtype=np.int64)}
    srcs = {"code": np.arange(len(b.sources), dtype=np.int32),
            "iri": np.array([source_iri(s) for s in b.sources], dtype=object)}
    for name, table in (("imp", imp), ("nodes", nodes), ("preds", preds), ("srcs", srcs)):
        con.register(name, table)
    con.execute("CREATE TABLE st (st VARCHAR, s VARCHAR, p VARCHAR, o VARCHAR, sign BIGINT, evidence VARCHAR, "
                "source VARCHAR)")
    if len(imp["s"]):
        # The statement IRIs are those the import wrote to Oxigraph (Builder.edge records them).
        con.execute(f"""
        INSERT INTO st SELECT imp.st AS st,
            ns.iri AS s, pr.iri AS p, no.iri AS o, pr.sign AS sign,
            CASE WHEN imp.ev = '' THEN NULL ELSE '{IVKG}evidence/' || imp.ev END AS evidence,
            sr.iri AS source
        FROM imp JOIN nodes ns ON imp.s = ns.i JOIN nodes no ON imp.o = no.i
             JOIN preds pr ON imp.pc = pr.code JOIN srcs sr ON imp.src = sr.code""")
    if n_cur:
        rows = [(f"{IVKG}statement/{st.id}", st.subject.uri, IVKG + st.predicate, st.object.uri,
                 PREDICATES[st.predicate].sign, f"{IVKG}evidence/{st.evidence}", review) for st in kg.statements]
        con.executemany("INSERT INTO st VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    n_rows, n_st = con.execute("SELECT count(*), count(DISTINCT st) FROM (SELECT DISTINCT * FROM st)").fetchall()[0]
    if n_rows != n_st:
        meta["reason"] = "two statements share an IRI with different values"
        return _finish(folder, meta, clock)
    opts = "(FORMAT parquet, COMPRESSION zstd)"
    con.execute(f"COPY (SELECT DISTINCT * FROM st) TO {sql_path(folder / 'statements.parquet')} {opts}")
    # Sorted by predicate and subject, in small row groups: a step from given nodes reads few of them.
    con.execute(f"COPY (SELECT DISTINCT s, p, o FROM st ORDER BY p, s) TO {sql_path(folder / 'edges.parquet')} "
                "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)")
    n_edges = con.execute(f"SELECT count(*) FROM {sql_path(folder / 'edges.parquet')}").fetchall()[0][0]
    con.close()
    claimed = set(STATEMENT_COLUMNS) | set(pred_iri)
    used, typed = _used_elsewhere(kg, claimed)
    # A predicate kept as imported that is spelt like a statement property or rdf:type: both kinds of row
    # would hold it, so neither answers for it.
    used |= set(pred_iri) & set(STATEMENT_COLUMNS)
    typed = typed or RDF_TYPE in pred_iri
    meta.update(enabled=True, statements=n_st, edges=n_edges,
                statement_properties={k: v for k, v in STATEMENT_COLUMNS.items() if k not in used},
                direct_predicates=sorted(set(pred_iri) - used), statement_type=not typed,
                left_out=sorted(used))
    return _finish(folder, meta, clock)


def sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _used_elsewhere(kg: Any, claimed: set[str]) -> tuple[set[str], bool]:
    """Claimed predicates that triples outside the tables also use (curated entities, outcomes, the
    ontology), and whether anything but a statement is typed ``ivkg:Statement``."""
    if kg is None:
        return set(), False  # imported nodes carry only type, label, category, CURIE and synonyms
    import pyoxigraph as ox

    from kg.graphs.rdf import triples
    from kg.sparql.engine import ontology_file

    statements = {f"{IVKG}statement/{st.id}" for st in kg.statements}
    direct = {(st.subject.uri, IVKG + st.predicate, st.object.uri) for st in kg.statements}
    used: set[str] = set()
    typed = False
    for s, p, (_, value, _) in triples(kg):
        if s in statements or (s, p, value) in direct:
            continue
        used.update({p} & claimed)
        typed = typed or (p == RDF_TYPE and value == STATEMENT_CLASS)
    path = ontology_file()
    if path is not None:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            used.update({t.predicate.value} & claimed)
            typed = typed or (t.predicate.value == RDF_TYPE and getattr(t.object, "value", "") == STATEMENT_CLASS)
    return used, typed


def _finish(folder: Path, meta: dict[str, Any], clock: float) -> dict[str, Any]:
    meta["seconds"] = round(time.perf_counter() - clock, 3)
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def read_meta(gen: Path) -> dict[str, Any] | None:
    """The columnar tables' ``meta.json`` of a generation, or None when it has none (older stores)."""
    try:
        meta: dict[str, Any] = json.loads((gen / FOLDER / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return meta if meta.get("version") == VERSION else None
