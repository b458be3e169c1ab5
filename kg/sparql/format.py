"""Writing a :class:`kg.sparql.engine.Result`: table, csv, tsv, json (W3C), md; Turtle or N-Triples for graphs.

csv and tsv follow the W3C SPARQL 1.1 Query Results CSV and TSV formats (csv: plain values and full
IRIs; tsv: terms in SPARQL syntax). table and md show IRIs compacted with the predeclared prefixes.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from kg.graphs.rdf import NAMESPACES
from kg.sparql.engine import Result, compact
from kg.sparql.safety import RDFTerm, SparqlError, term_sparql

RESULT_FORMATS = ("table", "csv", "tsv", "json", "md", "turtle", "nt")


def _plain(t: RDFTerm | None) -> str:
    if t is None:
        return ""
    return compact(t.value) if t.kind == "iri" else ("_:" + t.value if t.kind == "bnode" else t.value)


def _json_term(t: RDFTerm) -> dict[str, str]:
    if t.kind == "iri":
        return {"type": "uri", "value": t.value}
    if t.kind == "bnode":
        return {"type": "bnode", "value": t.value}
    out = {"type": "literal", "value": t.value}
    if t.lang:
        out["xml:lang"] = t.lang
    elif t.datatype:
        out["datatype"] = t.datatype
    return out


def _nt(t: RDFTerm) -> str:
    return "_:" + t.value if t.kind == "bnode" else term_sparql(t)


def to_w3c_json(result: Result) -> dict[str, Any]:
    if result.form == "ask":
        return {"head": {}, "boolean": result.boolean}
    return {"head": {"vars": list(result.vars)},
            "results": {"bindings": [{v: _json_term(t) for v, t in zip(result.vars, row, strict=True)
                                      if t is not None} for row in result.rows]}}


def _graph(result: Result, fmt: str) -> str:
    lines = [f"{_nt(s)} {_nt(p)} {_nt(o)} ." for s, p, o in result.triples]
    if fmt == "nt":
        return "\n".join(lines) + ("\n" if lines else "")
    import pyoxigraph as ox

    data = "\n".join(lines).encode("utf-8")
    trips = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    used = {p: ns for p, ns in NAMESPACES.items() if any(ns in line for line in lines)}
    out = ox.serialize(trips, format=ox.RdfFormat.TURTLE, prefixes=used)
    text = out.decode("utf-8") if isinstance(out, bytes) else str(out)
    # The serialiser's prefix order is not stable: write the header sorted, for identical output.
    body = [line for line in text.splitlines() if not line.startswith("@prefix")]
    head = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(used.items())]
    return "\n".join(head + body) + "\n"


def format_result(result: Result, fmt: str) -> str:
    """The result as text in ``fmt``; graphs only as ``turtle`` or ``nt`` (table and md give Turtle)."""
    if result.form == "graph":
        if fmt in ("table", "md", "turtle"):
            return _graph(result, "turtle")
        if fmt == "nt":
            return _graph(result, "nt")
        raise SparqlError(f"CONSTRUCT/DESCRIBE results come as turtle or nt, not {fmt}")
    if fmt in ("turtle", "nt"):
        raise SparqlError(f"{fmt} is for CONSTRUCT/DESCRIBE results; use table, csv, tsv, json or md")
    if fmt == "json":
        return json.dumps(to_w3c_json(result), indent=2, ensure_ascii=False) + "\n"
    if result.form == "ask":
        if fmt == "csv":
            return "_askResult\r\n" + str(result.boolean).lower() + "\r\n"
        return str(result.boolean).lower() + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(result.vars)
        for row in result.rows:
            writer.writerow(["" if t is None else ("_:" + t.value if t.kind == "bnode" else t.value)
                             for t in row])
        return buf.getvalue()
    if fmt == "tsv":
        head = "\t".join("?" + v for v in result.vars)
        body = ["\t".join("" if t is None else _nt(t) for t in row) for row in result.rows]
        return "\n".join([head, *body]) + "\n"
    if fmt == "md":
        def cell(t: RDFTerm | None) -> str:
            return _plain(t).replace("|", "\\|").replace("\n", " ")
        lines = ["| " + " | ".join(result.vars) + " |", "|" + "---|" * len(result.vars)]
        lines += ["| " + " | ".join(cell(t) for t in row) + " |" for row in result.rows]
        return "\n".join(lines) + "\n"
    from kg.core.render import table

    return table(result.vars, [[_plain(t) for t in row] for row in result.rows]) + "\n"
