"""The model as a networkx ``MultiDiGraph`` (composition: we build one, never subclass it).

Nodes are CURIE strings with ``label``, ``category`` and the entity's other fields; each statement is an
edge keyed by its statement id with ``predicate``, ``sign``, ``causal``, ``evidence``, ``evidence_rank``,
context and provenance (``refs``, ``citations``, ``sections``, ``statement``).
"""

from __future__ import annotations

from typing import Any

from kg.core.model import KG, Statement


def edge_data(kg: KG, st: Statement) -> dict[str, Any]:
    pred = st.pred
    return {
        "id": st.id,
        "predicate": st.predicate,
        "sign": pred.sign,
        "causal": pred.causal,
        "evidence": st.evidence,
        "evidence_rank": st.evidence_rank,
        "species": st.species,
        "model_system": st.model_system,
        "setting": st.setting,
        "sections": list(st.sections),
        "refs": list(st.refs),
        "citations": [c.to_json() for c in kg.citations(st.refs, st.sources)],
        "statement": st.text,
        "note": st.note,
        "derived_from": st.derived_from,
        "location": str(st.location) if st.location else "",
    }


def to_networkx(kg: KG):  # type: ignore[no-untyped-def]
    """A ``networkx.MultiDiGraph`` holding every entity and statement of ``kg``."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for ent in kg.entities.values():
        g.add_node(
            str(ent.id),
            label=ent.label,
            category=ent.category,
            synonyms=list(ent.synonyms),
            xrefs=[str(x) for x in ent.xrefs],
            description=ent.description,
            verification=ent.verification,
        )
    for trial in kg.trials.values():
        node = g.nodes[str(trial.id)]
        node.update(phase=trial.phase, design=trial.design, n_patients=trial.n_patients,
                    drugs=[str(d) for d in trial.drugs])
    for oc in kg.outcomes:
        g.nodes[str(oc.subject)].setdefault("outcomes", []).append({
            "measure": oc.measure, "value": None if oc.value is None else float(oc.value),
            "low": None if oc.low is None else float(oc.low),
            "high": None if oc.high is None else float(oc.high),
            "unit": oc.unit, "arm": oc.arm, "note": oc.note,
        })
    for st in kg.statements:
        g.add_edge(str(st.subject), str(st.object), key=st.id, **edge_data(kg, st))
    return g
