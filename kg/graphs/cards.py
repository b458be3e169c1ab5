"""JSON-ready summaries of the graph: entity cards (``kg show``), statistics, search hits.

These are the documented, stable payloads of the CLI's ``--format json``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from kg.core.model import KG, Entity, Statement
from kg.core.vocab import EVIDENCE_LEVELS, MEASURES
from kg.curation.lookup import NameIndex


def statement_json(kg: KG, st: Statement) -> dict[str, Any]:
    return {
        "id": st.id,
        "subject": str(st.subject),
        "subject_label": kg.label(st.subject),
        "predicate": st.predicate,
        "object": str(st.object),
        "object_label": kg.label(st.object),
        "sign": st.sign,
        "evidence": st.evidence,
        "species": st.species or None,
        "model_system": st.model_system or None,
        "setting": st.setting or None,
        "sections": list(st.sections),
        "refs": list(st.refs),
        "citations": [c.to_json() for c in kg.citations(st.refs, st.sources)],
        "statement": st.text,
        "note": st.note or None,
        "curated_at": str(st.location) if st.location else None,
    }


def entity_card(kg: KG, ent: Entity) -> dict[str, Any]:
    order = lambda st: (-st.evidence_rank, st.predicate, kg.label(st.object).lower())  # noqa: E731
    card: dict[str, Any] = {
        "id": str(ent.id),
        "label": ent.label,
        "category": ent.category,
        "synonyms": list(ent.synonyms),
        "xrefs": [str(x) for x in ent.xrefs],
        "description": ent.description or None,
        "verification": ent.verification,
        "url": ent.id.link,
        "sections": list(ent.sections),
        "outgoing": [statement_json(kg, st) for st in sorted(kg.outgoing(ent.id), key=order)],
        "incoming": [statement_json(kg, st) for st in sorted(kg.incoming(ent.id), key=order)],
    }
    trial = kg.trials.get(ent.id)
    if trial is not None:
        card["trial"] = {
            "design": trial.design, "phase": trial.phase, "centres": trial.centres or None,
            "population": trial.population, "condition": str(trial.condition),
            "setting": trial.setting or None, "line": trial.line or None,
            "n_patients": trial.n_patients, "drugs": [str(d) for d in trial.drugs],
            "publication": str(trial.publication) if trial.publication else None,
        }
    outcomes = kg.outcomes_of(ent.id)
    if outcomes:
        card["outcomes"] = [
            {"measure": o.measure, "label": MEASURES[o.measure].label, "arm": o.arm or None,
             "value": None if o.value is None else float(o.value),
             "low": None if o.low is None else float(o.low),
             "high": None if o.high is None else float(o.high),
             "unit": o.unit, "display": o.display(), "note": o.note or None,
             "refs": list(o.refs)}
            for o in outcomes
        ]
    return card


def stats(kg: KG) -> dict[str, Any]:
    by_category = Counter(e.category for e in kg.entities.values())
    by_predicate = Counter(st.predicate for st in kg.statements)
    by_evidence = Counter(st.evidence for st in kg.statements)
    by_section: Counter[str] = Counter()
    for st in kg.statements:
        for sec in st.sections:
            by_section[sec] += 1
    return {
        "entities": len(kg.entities),
        "statements": len(kg.statements),
        "trials": len(kg.trials),
        "outcomes": len(kg.outcomes),
        "publications": len(kg.publications),
        "by_category": dict(sorted(by_category.items())),
        "by_predicate": dict(sorted(by_predicate.items())),
        "by_evidence": {k: by_evidence[k] for k in EVIDENCE_LEVELS if by_evidence[k]},
        "by_section": dict(sorted(by_section.items())),
    }


def search(kg: KG, index: NameIndex, text: str, limit: int = 20) -> list[dict[str, Any]]:
    return [
        {"id": str(e.id), "label": e.label, "category": e.category, "score": score}
        for e, score in index.search(text, limit)
    ]
