"""The model as RDF, with ``ontology/ivkg.ttl`` as its schema.

Every regulatory statement appears twice, on purpose: as a direct triple ``subject ivkg:<predicate>
object`` (so SPARQL property paths can walk mechanisms) and as an ``ivkg:Statement`` node carrying its
sign, evidence level, context, review section, reference numbers and citations. Outcomes and statements
get IRIs derived from their content (no blank nodes), so the same data always gives the same graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.core.model import KG, Curie, Publication
from kg.core.vocab import (
    CATEGORIES,
    EVIDENCE_LEVELS,
    IVKG,
    MEASURES,
    PREDICATES,
    PREFIXES,
    REVIEW_CITATION,
    REVIEW_DOI,
    SPECIES,
    UNITS,
)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
BIOLINK = "https://w3id.org/biolink/vocab/"

#: Prefixes bound when serialising and predeclared for SPARQL.
NAMESPACES: dict[str, str] = {
    "ivkg": IVKG,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "biolink": BIOLINK,
    "entity": IVKG + "entity/",
    "statement": IVKG + "statement/",
    **{p.prefix.lower(): p.uri for p in PREFIXES.values() if p.prefix != "ivkg"},
}

ONTOLOGY_DIR_NAME = "ontology"


def ontology_dir() -> Path:
    package = Path(__file__).resolve().parent.parent
    repo = package.parent / ONTOLOGY_DIR_NAME
    return repo if (repo / "ivkg.ttl").is_file() else package / "_ontology"


# A term is (kind, value, datatype): kind "iri" or "lit".
Term = tuple[str, str, str | None]


def _iri(value: str) -> Term:
    return ("iri", value, None)


def _lit(value: str, datatype: str | None = None) -> Term:
    return ("lit", value, datatype)


def ivkg(local: str) -> str:
    return IVKG + local


def publication_iri(pub: Publication) -> str:
    best = pub.best_id
    return best.uri if best else ivkg(f"reference/{pub.ref}")


def triples(kg: KG) -> Iterator[tuple[str, str, Term]]:
    """Every triple of the graph as plain tuples (subject IRI, predicate IRI, object term).

    Engines (rdflib, Oxigraph) are filled from this one generator, so they hold the same triples.
    """
    a = RDF + "type"
    label = RDFS + "label"
    review = Curie("DOI", REVIEW_DOI).uri
    yield review, a, _iri(ivkg("Publication"))
    yield review, label, _lit(REVIEW_CITATION)

    for ent in kg.entities.values():
        s = ent.id.uri
        yield s, a, _iri(ivkg(CATEGORIES[ent.category].cls))
        yield s, label, _lit(ent.label)
        yield s, ivkg("category"), _lit(ent.category)
        yield s, ivkg("curie"), _lit(str(ent.id))
        for syn in ent.synonyms:
            yield s, SKOS + "altLabel", _lit(syn)
        for x in ent.xrefs:
            yield s, SKOS + "exactMatch", _iri(x.uri)
        if ent.description:
            yield s, DCTERMS + "description", _lit(ent.description)
        if ent.verification:
            yield s, ivkg("verification"), _lit(ent.verification)
        for sec in ent.sections:
            yield s, ivkg("reviewSection"), _lit(sec)
        for ref in ent.refs:
            yield s, ivkg("reviewReference"), _lit(str(ref), XSD + "integer")

    for pub in kg.publications.values():
        p = publication_iri(pub)
        yield p, a, _iri(ivkg("Publication"))
        yield p, label, _lit(pub.citation)
        yield p, ivkg("reviewReference"), _lit(str(pub.ref), XSD + "integer")
        yield p, DCTERMS + "bibliographicCitation", _lit(pub.citation)
        yield p, ivkg("verification"), _lit(pub.verification)
        for other in (pub.id, pub.doi, pub.pmcid):
            if other is not None and other.uri != p:
                yield p, SKOS + "exactMatch", _iri(other.uri)
        yield review, DCTERMS + "references", _iri(p)

    for trial in kg.trials.values():
        t = trial.id.uri
        yield t, ivkg("design"), _lit(trial.design)
        yield t, ivkg("phase"), _lit(trial.phase)
        yield t, ivkg("population"), _lit(trial.population)
        if trial.centres:
            yield t, ivkg("centres"), _lit(trial.centres)
        if trial.setting:
            yield t, ivkg("therapySetting"), _lit(trial.setting)
        if trial.line:
            yield t, ivkg("line"), _lit(trial.line)
        if trial.n_patients is not None:
            yield t, ivkg("enrolled"), _lit(str(trial.n_patients), XSD + "integer")
        if trial.publication is not None:
            yield t, ivkg("publication"), _iri(trial.publication.uri)

    for oc in kg.outcomes:
        o = ivkg(f"outcome/{oc.id}")
        yield oc.subject.uri, ivkg("hasOutcome"), _iri(o)
        yield o, a, _iri(ivkg("Outcome"))
        yield o, ivkg("measure"), _iri(ivkg(f"measure/{oc.measure}"))
        yield o, label, _lit(f"{MEASURES[oc.measure].label}: {oc.display()}")
        for col in ("value", "low", "high"):
            num = getattr(oc, col)
            if num is not None:
                yield o, ivkg(col), _lit(str(num), XSD + "decimal")
        uo = UNITS[oc.unit].uo
        yield o, ivkg("unit"), _iri(Curie.parse(uo).uri if uo else ivkg(f"unit/{oc.unit}"))
        yield o, ivkg("reviewSection"), _lit(oc.section)
        if oc.arm:
            yield o, ivkg("arm"), _lit(oc.arm)
        if oc.note:
            yield o, ivkg("note"), _lit(oc.note)
        for ref in oc.refs:
            yield o, ivkg("reviewReference"), _lit(str(ref), XSD + "integer")

    for st in kg.statements:
        pred = PREDICATES[st.predicate]
        yield st.subject.uri, ivkg(pred.key), _iri(st.object.uri)
        n = ivkg(f"statement/{st.id}")
        yield n, a, _iri(ivkg("Statement"))
        yield n, ivkg("subject"), _iri(st.subject.uri)
        yield n, ivkg("predicate"), _iri(ivkg(pred.key))
        yield n, ivkg("object"), _iri(st.object.uri)
        yield n, ivkg("sign"), _lit(str(pred.sign), XSD + "integer")
        yield n, ivkg("evidence"), _iri(ivkg(f"evidence/{st.evidence}"))
        yield n, ivkg("statementText"), _lit(st.text)
        if st.species:
            yield n, ivkg("species"), _iri(Curie.parse(SPECIES[st.species]).uri)
        if st.model_system:
            yield n, ivkg("modelSystem"), _lit(st.model_system)
        if st.setting:
            yield n, ivkg("setting"), _lit(st.setting)
        if st.note:
            yield n, ivkg("note"), _lit(st.note)
        for sec in st.sections:
            yield n, ivkg("reviewSection"), _lit(sec)
        for ref in st.refs:
            yield n, ivkg("reviewReference"), _lit(str(ref), XSD + "integer")
            cited = kg.publications.get(ref)
            if cited is not None:
                yield n, ivkg("citation"), _iri(publication_iri(cited))
        for src in st.sources:
            yield n, ivkg("citation"), _iri(src.uri)
        yield n, PROV + "wasDerivedFrom", _iri(review)


def to_rdflib(kg: KG, include_ontology: bool = False):  # type: ignore[no-untyped-def]
    """An ``rdflib.Graph`` of the model (and the ontology, when asked)."""
    from rdflib import Graph, Literal, URIRef

    g = Graph()
    for prefix, ns in NAMESPACES.items():
        g.bind(prefix, ns, override=True)
    for s, p, (kind, value, dt) in triples(kg):
        o = URIRef(value) if kind == "iri" else Literal(value, datatype=URIRef(dt) if dt else None)
        g.add((URIRef(s), URIRef(p), o))
    if include_ontology:
        g.parse(ontology_dir() / "ivkg.ttl", format="turtle")
    return g


def _nt_term(term: Term) -> str:
    kind, value, dt = term
    if kind == "iri":
        return f"<{value}>"
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"' + (f"^^<{dt}>" if dt else "")


def to_ntriples(kg: KG) -> str:
    """Sorted N-Triples: byte-identical for identical data, and diff-friendly."""
    lines = {f"<{s}> <{p}> {_nt_term(o)} ." for s, p, o in triples(kg)}
    return "\n".join(sorted(lines)) + "\n"


def to_turtle(kg: KG) -> str:
    g = to_rdflib(kg)
    return str(g.serialize(format="turtle"))


def evidence_iris() -> dict[str, str]:
    return {k: ivkg(f"evidence/{k}") for k in EVIDENCE_LEVELS}
