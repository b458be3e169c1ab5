"""Naming entities and showing them over a SPARQL endpoint, without downloading every label.

A name is matched by one query: a CURIE by its IRI (the entity's own, or a ``skos:exactMatch``
cross-reference); any other name by a case-insensitive regular expression derived from its matching key
(:func:`kg.curation.lookup.normalise`), which every label, synonym or id with that key satisfies. The
candidates are then matched exactly, with the same rules as the local index (:class:`NameIndex`).

>>> name_pattern("PD-L1")
'^[^a-z0-9+]*p[^a-z0-9+]*d[^a-z0-9+]*l[^a-z0-9+]*1[^a-z0-9+]*$'
"""

from __future__ import annotations

import re
from typing import Any

from kg.core.model import KG, Curie, CurieError, Entity, Statement
from kg.core.vocab import CATEGORIES, EVIDENCE_LEVELS
from kg.curation.lookup import NameIndex, UnknownEntity, normalise
from kg.graphs.mapping import BiolinkStatement
from kg.graphs.prefixes import curie_of as parse_node
from kg.sparql.pathgraph import RemotePathGraph, curie_of

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
_SEP = "[^a-z0-9+]*"
_SPELLED = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "kappa": "κ", "epsilon": "ε"}
#: Candidates read per name or search (a name shared by more entities than this is cut).
MAX_CANDIDATES = 200


def name_pattern(name: str, anchored: bool = True) -> str:
    """A regular expression (for SPARQL ``REGEX(?x, p, "i")``) matched by every text whose
    :func:`normalise` key equals that of ``name``, and by few others."""
    key = normalise(name)
    parts: list[str] = []
    i = 0
    while i < len(key):
        spelled = next((w for w in _SPELLED if key.startswith(w, i)), None)
        if spelled:
            parts.append(f"({_SEP.join(spelled)}|{_SPELLED[spelled]})")
            i += len(spelled)
        else:
            parts.append(re.escape(key[i]))
            i += 1
    body = _SEP + _SEP.join(parts) + _SEP
    body = body.replace("t" + _SEP + "u" + _SEP + "m" + _SEP + "o" + _SEP + "r",
                        "t" + _SEP + "u" + _SEP + "m" + _SEP + "o" + _SEP + "u?" + _SEP + "r")
    return f"^{body}$" if anchored else body


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class RemoteNames:
    """Entities of an endpoint by name (``kg --endpoint ... show "PD-L1"``)."""

    def __init__(self, graph: RemotePathGraph):
        self.graph = graph
        self._entities: dict[str, Entity] = {}

    def entities(self, iris: list[str]) -> list[Entity]:
        """Full entity records (label, category, synonyms, xrefs, description...) of ``iris``: one query."""
        todo = [i for i in dict.fromkeys(iris) if i not in self._entities and '>' not in i and ' ' not in i]
        if todo:
            rows = self.graph.select(
                "SELECT ?n ?k ?v WHERE {\n"
                f"  VALUES ?n {{ {' '.join(f'<{i}>' for i in todo)} }}\n"
                '  { ?n rdfs:label ?v BIND("label" AS ?k) } UNION { ?n ivkg:category ?v BIND("category" AS ?k) }\n'
                f'  UNION {{ ?n <{SKOS}altLabel> ?v BIND("syn" AS ?k) }} UNION {{ ?n <{SKOS}exactMatch> ?v '
                'BIND("xref" AS ?k) }\n'
                f'  UNION {{ ?n <{DCTERMS}description> ?v BIND("desc" AS ?k) }}\n'
                '  UNION { ?n ivkg:verification ?v BIND("ver" AS ?k) }\n'
                '  UNION { ?n ivkg:reviewSection ?v BIND("sec" AS ?k) }\n'
                '  UNION { ?n ivkg:reviewReference ?v BIND("ref" AS ?k) }\n'
                '  UNION { ?n ivkg:curie ?v BIND("curie" AS ?k) }\n}')
            by: dict[str, dict[str, list[str]]] = {}
            for r in rows:
                by.setdefault(r["n"], {}).setdefault(r["k"], []).append(r["v"])
            for iri, f in by.items():
                ent = _entity(iri, f)
                if ent is not None:
                    self._entities[iri] = ent
                    self.graph._node(iri, str(ent.id))
        return [self._entities[i] for i in dict.fromkeys(iris) if i in self._entities]

    def _candidates(self, where: str) -> list[Entity]:
        rows = self.graph.select(f"SELECT DISTINCT ?n WHERE {{ {where} ?n ivkg:category ?cat }} "
                                 f"LIMIT {MAX_CANDIDATES}")
        return self.entities([r["n"] for r in rows])

    def resolve(self, name: str) -> Entity:
        """The one entity ``name`` names, with the local index's rules (ids, then labels, then synonyms)."""
        cands: list[Entity] = []
        if Curie.looks_like(name) or (":" in name and " " not in name.strip()):
            try:
                iri = parse_node(name).uri
            except CurieError:
                iri = ""
            if iri:
                own = self.entities([iri])
                if own:
                    return own[0]
                cands = self._candidates(f"?n <{SKOS}exactMatch> <{iri}> .")
        if not cands:
            pat = _literal(name_pattern(name))
            tail = _literal(":" + name_pattern(name, anchored=False) + "$")
            cands = self._candidates(
                "{ ?n rdfs:label ?name } UNION { ?n <" + SKOS + "altLabel> ?name } UNION "
                "{ ?n ivkg:curie ?name } UNION { ?n <" + SKOS + "exactMatch> ?x BIND(STR(?x) AS ?name) }\n"
                f"FILTER(REGEX(?name, {pat}, \"i\") || (isLiteral(?name) && REGEX(?name, {tail}, \"i\"))"
                f" || REGEX(?name, {_literal('/' + name_pattern(name, anchored=False) + '$')}, \"i\"))")
        if not cands:
            raise UnknownEntity(f"unknown entity {name!r} at the endpoint", name, [])
        return NameIndex.build(cands).resolve(name)

    def search(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Entities whose label, synonym or id contains ``text`` (normalised), scored as the local search."""
        key = normalise(text)
        if not key:
            return []
        pat = _literal(name_pattern(text, anchored=False))
        words = [w for w in text.lower().split() if w]
        desc = " && ".join(f"CONTAINS(LCASE(?d), {_literal(w)})" for w in words) or "false"
        cands = self._candidates(
            "{ ?n rdfs:label ?name } UNION { ?n <" + SKOS + "altLabel> ?name } UNION { ?n ivkg:curie ?name }"
            " UNION { ?n <" + DCTERMS + "description> ?d BIND(\"\" AS ?name) FILTER(" + desc + ") }\n"
            f"FILTER(REGEX(?name, {pat}, \"i\") || BOUND(?d))")
        hits = NameIndex.build(cands).search(text, limit)
        return [{"id": str(e.id), "label": e.label, "category": e.category, "score": s} for e, s in hits]

    def card_graph(self, ent: Entity, curated: KG | None = None) -> KG:
        """The entity, its statements in and out at the endpoint and their other ends, as a small model
        for :func:`kg.graphs.cards.entity_card` (curated records where the local data has the same
        statement or entity)."""
        g = self.graph
        node = str(ent.id)
        g.batch_edges([node], True, None)
        g.batch_edges([node], False, None)
        edges = [(node, v, e) for v, e in g.out_edges(node)] + [(u, node, e) for u, e in g.in_edges(node)]
        iris = [g.iri(x) for x in dict.fromkeys([node, *(v for _, v, _ in edges), *(u for u, _, _ in edges)])]
        out = KG()
        remote = {str(e.id): e for e in self.entities(iris)}
        for name in dict.fromkeys([node, *(v for _, v, _ in edges), *(u for u, _, _ in edges)]):
            have = (curated.entities.get(remote[name].id) if curated and name in remote else None)
            picked = have or remote.get(name)
            if picked is not None:
                out.entities[picked.id] = picked
        out.entities[ent.id] = ent
        by_id = {st.id: st for st in curated.statements} if curated else {}
        seen: set[str] = set()
        for s, o, e in edges:
            if e.id in seen:
                continue
            seen.add(e.id)
            st = by_id.get(e.id) or _statement(s, o, e)
            if st is not None and st.subject in out.entities and st.object in out.entities:
                out.statements.append(st)
        # Cards list statements of equal rank and predicate in the curated files' order.
        pos = {st_id: i for i, st_id in enumerate(by_id)}
        out.statements.sort(key=lambda st: (pos.get(st.id, len(pos)), str(st.subject), str(st.object), st.id))
        if curated:
            out.trials = {c: t for c, t in curated.trials.items() if c in out.entities}
            out.outcomes = [x for x in curated.outcomes if x.subject in out.entities]
            refs = {r for st in out.statements for r in st.refs}
            out.publications = {r: p for r, p in curated.publications.items() if r in refs}
        return out


def _entity(iri: str, f: dict[str, list[str]]) -> Entity | None:
    name = (f.get("curie") or [curie_of(iri)])[0]
    try:
        curie = parse_node(name)
    except CurieError:
        return None
    category = (f.get("category") or ["entity"])[0]
    if category not in CATEGORIES or CATEGORIES[category].abstract:
        category = "gene" if category not in ("process", "phenotype") else category
    xrefs = []
    for x in sorted(f.get("xref", [])):
        try:
            xrefs.append(parse_node(curie_of(x)))
        except CurieError:
            continue
    return Entity(curie, (f.get("label") or [name])[0], category, tuple(sorted(f.get("syn", []))),
                  tuple(sorted(xrefs, key=str)), (f.get("desc") or [""])[0], (f.get("ver") or [""])[0],
                  tuple(sorted(f.get("sec", []))), tuple(sorted(int(r) for r in f.get("ref", []))))


def _statement(s: str, o: str, e: Any) -> Statement | None:
    from kg.core.vocab import PREDICATES

    if e.predicate not in PREDICATES and not str(e.predicate).startswith("biolink:"):
        return None
    try:
        subject, obj = parse_node(s), parse_node(o)
    except CurieError:
        return None
    refs = tuple(c["ref"] for c in e.citations if c["ref"] is not None)
    sources = tuple(Curie.parse(c["id"]) for c in e.citations if c["ref"] is None and c["id"])
    # A statement needs an evidence level; an edge given none is shown as the store's views show it.
    evidence = e.evidence if e.evidence in EVIDENCE_LEVELS else "review_assertion"
    kind = Statement if e.predicate in PREDICATES else BiolinkStatement  # kept as imported, as in the store
    return kind(subject, e.predicate, obj, evidence, e.sections, e.statement, e.species,
                     e.model_system, e.setting, refs, sources)
