"""RDF exports of a view (Turtle, N-Triples, JSON-LD), all from :func:`kg.graphs.rdf.triples` of the view's
part of the model, so they hold exactly the triples ``kg build`` would write for those nodes and edges."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kg.core.model import KG
from kg.core.vocab import PREDICATES
from kg.export.base import ExportError
from kg.graphs.prefixes import curie_of
from kg.graphs.rdf import NAMESPACES, RDF, XSD, Term, to_ntriples, to_rdflib, triples
from kg.views.records import provenance

if TYPE_CHECKING:
    from kg.views.select import View


def view_kg(view: View) -> KG:
    """The part of the model a view shows: its entities, statements, trials, their outcomes and the
    publications they cite. Statements of a store kept with a Biolink predicate outside our vocabulary are
    left out: our RDF model has no terms for them (the store's own SPARQL graph holds them)."""
    kg = view.kg
    if kg is None:
        raise ExportError("RDF exports need the model the view was selected from (View.kg)")
    nodes = {curie_of(n) for n in view.nodes}
    wanted = set(view.edges)
    statements = sorted((st for st in kg.statements if st.id in wanted and st.predicate in PREDICATES),
                        key=lambda st: st.key)
    outcomes = [o for o in kg.outcomes if o.subject in nodes]
    refs: set[int] = set()
    for st in statements:
        refs.update(st.refs)
    for o in outcomes:
        refs.update(o.refs)
    return KG(
        entities={c: e for c, e in sorted(kg.entities.items()) if c in nodes},
        statements=statements,
        trials={c: t for c, t in sorted(kg.trials.items()) if c in nodes},
        outcomes=outcomes,
        publications={r: p for r, p in sorted(kg.publications.items()) if r in refs},
    )


def ntriples(view: View) -> str:
    return _comment(view) + to_ntriples(view_kg(view))


def turtle(view: View) -> str:
    g = to_rdflib(view_kg(view))
    return _comment(view) + str(g.serialize(format="turtle"))


def context() -> dict[str, Any]:
    """The JSON-LD ``@context``: the project's prefixes, so keys read ``rdfs:label``, ``ivkg:sign``."""
    return {prefix: ns for prefix, ns in sorted(NAMESPACES.items())}


def _compact(iri: str) -> str:
    # Only property names are compacted, and only with prefixes ending in '/' or '#' (JSON-LD 1.1 uses
    # no other term as a prefix); node ids stay absolute IRIs so every processor reads them alike.
    best = ""
    for prefix, ns in NAMESPACES.items():
        if ns[-1] in "/#" and iri.startswith(ns) and len(ns) > len(NAMESPACES.get(best, "")):
            local = iri[len(ns) :]
            if local and ":" not in local and "/" not in local:
                best = prefix
    return f"{best}:{iri[len(NAMESPACES[best]) :]}" if best else iri


def _value(term: Term) -> Any:
    kind, value, dt = term
    if kind == "iri":
        return {"@id": value}
    if dt and dt != XSD + "string":
        return {"@value": value, "@type": dt}
    return value


def _grouped(kg: KG) -> Iterator[tuple[str, dict[str, list[Term]]]]:
    by_subject: dict[str, dict[str, set[Term]]] = {}
    for s, p, o in triples(kg):
        by_subject.setdefault(s, {}).setdefault(p, set()).add(o)
    for s in sorted(by_subject):
        yield (
            s,
            {
                p: sorted(objs, key=lambda t: (t[0], t[1], t[2] or ""))
                for p, objs in sorted(by_subject[s].items())
            },
        )


def jsonld(view: View) -> str:
    graph: list[dict[str, Any]] = []
    for s, props in _grouped(view_kg(view)):
        node: dict[str, Any] = {"@id": s}
        for p, objs in props.items():
            if p == RDF + "type" and all(o[0] == "iri" for o in objs):
                node["@type"] = [o[1] for o in objs]
            else:
                node[_compact(p)] = [_value(o) for o in objs]
        graph.append(node)
    doc = {"@context": context(), "@graph": graph}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _comment(view: View) -> str:
    """A ``#`` header (Turtle and N-Triples allow comments; they add no triples)."""
    lines = [f"# {key}: {value}" for key, value in provenance(view).items()]
    return "\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines) + "\n"
