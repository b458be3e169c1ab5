"""Regimens: parse "DRUG + DRUG", predict the net effect on key outcomes, and explain a regimen.

:func:`regimen_effect` traces mechanism paths (:func:`kg.paths.search.find_paths`) from every drug of a regimen
to each key outcome and reports the net sign per outcome. An outcome reached by paths of opposite sign is
a **conflict**: both sides are kept and shown, with the sign of the best-scoring path as ``leaning``.
:func:`explain_regimen` adds the drugs' classes and targets, the trials that tested the regimen with
their outcomes, relevant biomarkers and expected adverse events with their management.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from kg.core.model import KG, Curie, Entity, Statement
from kg.core.vocab import MEASURES, is_a
from kg.curation.lookup import EntityLookupError, NameIndex
from kg.paths.graph import as_pathgraph
from kg.paths.search import Path, find_paths

#: The outcomes a clinician-researcher asks about, looked up by name (missing ones are skipped).
KEY_OUTCOMES: tuple[str, ...] = (
    "T-cell infiltration", "CD8+ T-cell infiltration", "antitumour immunity", "angiogenesis",
    "vascular normalization", "immunosuppression", "tumour hypoxia", "Treg recruitment",
    "MDSC recruitment",
)

_SPLIT = re.compile(r"\s+\+\s+|(?<=\w)\+(?=\w)|\s*,\s*|\s+and\s+|\s*&\s*", re.IGNORECASE)


class RegimenError(ValueError):
    """A regimen string that does not name drugs or drug classes."""


def split_regimen(text: str) -> list[str]:
    """The drug names in a regimen string.

    >>> split_regimen("atezolizumab + bevacizumab"), split_regimen("nivolumab, ipilimumab and axitinib")
    (['atezolizumab', 'bevacizumab'], ['nivolumab', 'ipilimumab', 'axitinib'])
    """
    return [p.strip() for p in _SPLIT.split(text) if p and p.strip()]


def resolve_regimen(index: NameIndex, text: str) -> list[Entity]:
    """The drugs or drug classes a regimen names, in order, each once."""
    names = split_regimen(text)
    if not names:
        raise RegimenError("empty regimen: name drugs like \"atezolizumab + bevacizumab\"")
    out: dict[Curie, Entity] = {}
    for name in names:
        try:
            ent = index.resolve(name)
        except EntityLookupError as exc:
            raise RegimenError(str(exc)) from None
        if not (is_a(ent.category, "drug") or ent.category == "drug_class"):
            raise RegimenError(f"{name!r} is {ent.label} ({ent.id}), a {ent.category_label}, "
                               "not a drug or drug class")
        out.setdefault(ent.id, ent)
    return list(out.values())


def key_outcomes(kg: KG, names: Iterable[str] = KEY_OUTCOMES,
                 index: NameIndex | None = None) -> list[Curie]:
    """The entities of the key outcomes present in ``kg`` (names that resolve to nothing are skipped).

    Pass the graph's ``index`` when you have it; otherwise one is built."""
    index = index or NameIndex.build(kg.entities.values())
    out: list[Curie] = []
    for name in names:
        try:
            ent = index.resolve(name)
        except EntityLookupError:
            continue
        if ent.id not in out:
            out.append(ent.id)
    return out


@dataclass
class OutcomeEffect:
    outcome: str
    label: str
    paths: list[tuple[str, Path]] = field(default_factory=list)

    @property
    def signs(self) -> list[int]:
        return sorted({p.net_sign for _, p in self.paths}, reverse=True)

    @property
    def conflict(self) -> bool:
        return len(self.signs) > 1

    @property
    def net_sign(self) -> int:
        """+1 or -1 when all paths agree; 0 on conflict or when nothing reaches the outcome."""
        return self.signs[0] if len(self.signs) == 1 else 0

    @property
    def leaning(self) -> int | None:
        """The sign of the best-scoring path (the tie-breaker a reader may use; conflicts stay shown)."""
        return self.paths[0][1].net_sign if self.paths else None

    @property
    def effect(self) -> str:
        if not self.paths:
            return "no path"
        if self.conflict:
            return "conflict"
        return "increases" if self.net_sign > 0 else "decreases"

    def to_json(self) -> dict[str, Any]:
        by_drug: dict[str, list[int]] = {}
        for drug, p in self.paths:
            by_drug.setdefault(drug, [])
            if p.net_sign not in by_drug[drug]:
                by_drug[drug].append(p.net_sign)
        return {
            "outcome": self.outcome, "label": self.label, "effect": self.effect,
            "net_sign": self.net_sign, "conflict": self.conflict, "leaning": self.leaning,
            "support": {"positive": sum(p.net_sign > 0 for _, p in self.paths),
                        "negative": sum(p.net_sign < 0 for _, p in self.paths)},
            "by_drug": {d: sorted(s, reverse=True) for d, s in sorted(by_drug.items())},
            "paths": [{"drug": d, **p.to_json()} for d, p in self.paths],
        }


@dataclass
class RegimenEffect:
    drugs: list[str]
    outcomes: list[OutcomeEffect]
    truncated: bool = False
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"drugs": self.drugs, "outcomes": [o.to_json() for o in self.outcomes],
                "conflicts": [o.outcome for o in self.outcomes if o.conflict],
                "truncated": self.truncated, "reasons": self.reasons}


def regimen_effect(g: Any, kg: KG, drug_ids: Sequence[str | Curie],
                   outcomes: Sequence[str | Curie] | None = None, *, max_length: int = 4,
                   paths_per_drug: int = 3, timeout: float = 10.0, **filters: Any) -> RegimenEffect:
    """Net effect of a regimen on each outcome, from the best paths of each drug (both signs kept)."""
    pg = as_pathgraph(g)
    drugs = [str(d) for d in drug_ids]
    targets = [str(o) for o in (outcomes if outcomes is not None else key_outcomes(kg))]
    res = RegimenEffect(drugs, [])
    budget = timeout / max(1, len(drugs) * len(targets))
    for out in targets:
        if not pg.has_node(out):
            continue
        eff = OutcomeEffect(out, pg.node_info(out).label)
        for drug in drugs:
            if drug == out:
                continue
            # Search each sign separately so that a weaker opposite-sign path is never crowded out.
            for sign in (1, -1):
                search = find_paths(pg, drug, out, max_length=max_length, limit=paths_per_drug,
                                    sign=sign, timeout=budget, **filters)
                eff.paths.extend((drug, p) for p in search.paths)
                if search.truncated and search.reason and search.reason != "limit":
                    res.truncated = True
                    res.reasons.append(f"{drug} -> {out}: {search.reason}")
        eff.paths.sort(key=lambda dp: (-dp[1].score, dp[1].length, dp[0], dp[1].nodes))
        res.outcomes.append(eff)
    return res


# ------------------------------------------------------------------------------------------------
# explain
# ------------------------------------------------------------------------------------------------

def _classes(kg: KG, drug: Curie) -> list[Curie]:
    """Classes of a drug up the member_of chain, nearest first."""
    out: list[Curie] = []
    frontier = [drug]
    while frontier:
        nxt = []
        for u in frontier:
            for st in kg.outgoing(u):
                if st.predicate == "member_of" and st.object not in out and st.object != drug \
                        and kg.entities[st.object].category == "drug_class":
                    out.append(st.object)
                    nxt.append(st.object)
        frontier = nxt
    return out


def _members(kg: KG, item: Curie) -> set[Curie]:
    """The item and every drug or class below it (incoming member_of, transitively)."""
    out = {item}
    frontier = [item]
    while frontier:
        nxt = []
        for u in frontier:
            for st in kg.incoming(u):
                if st.predicate == "member_of" and st.subject not in out:
                    out.add(st.subject)
                    nxt.append(st.subject)
        frontier = nxt
    return out


def _st(kg: KG, st: Statement) -> dict[str, Any]:
    from kg.graphs.cards import statement_json

    return statement_json(kg, st)


def _outcome_json(kg: KG, subject: Curie) -> list[dict[str, Any]]:
    return [{"measure": o.measure, "label": MEASURES[o.measure].label, "arm": o.arm or None,
             "value": None if o.value is None else float(o.value),
             "low": None if o.low is None else float(o.low),
             "high": None if o.high is None else float(o.high), "unit": o.unit,
             "display": o.display(), "note": o.note or None, "refs": list(o.refs),
             "citations": [c.to_json() for c in kg.citations(o.refs)]}
            for o in kg.outcomes_of(subject)]


def explain_regimen(kg: KG, g: Any, drug_ids: Sequence[str | Curie],
                    outcomes: Sequence[str | Curie] | None = None, *, timeout: float = 10.0,
                    **filters: Any) -> dict[str, Any]:
    """One JSON-ready report for a regimen (keys: ``regimen``, ``drugs``, ``targets``, ``paths``,
    ``conflicts``, ``trials``, ``biomarkers``, ``adverse_events``, ``truncated``)."""
    ids = [c if isinstance(c, Curie) else Curie.parse(c) for c in drug_ids]
    for c in ids:
        if c not in kg.entities:
            raise RegimenError(f"unknown drug {c}")
    label = kg.label
    drugs_json: list[dict[str, Any]] = []
    targets: dict[Curie, dict[str, Any]] = {}
    chains: dict[Curie, list[Curie]] = {}
    for d in ids:
        classes = _classes(kg, d)
        chains[d] = [d, *classes]
        drug_targets: list[dict[str, Any]] = []
        for holder in chains[d]:
            for st in kg.outgoing(holder):
                if st.predicate in ("inhibits", "binds", "activates") and st.subject == holder:
                    if any(r["id"] == str(st.object) and r["predicate"] == st.predicate
                           for r in drug_targets):
                        continue  # the class says what the drug already says
                    row = {"id": str(st.object), "label": label(st.object), "predicate": st.predicate,
                           "via_class": None if holder == d else str(holder),
                           "via_class_label": None if holder == d else label(holder),
                           "evidence": st.evidence,
                           "citations": [c.to_json() for c in kg.citations(st.refs, st.sources)]}
                    drug_targets.append(row)
                    t = targets.setdefault(st.object, {"id": str(st.object), "label": label(st.object),
                                                       "drugs": [], "predicates": []})
                    if str(d) not in t["drugs"]:
                        t["drugs"].append(str(d))
                    if st.predicate not in t["predicates"]:
                        t["predicates"].append(st.predicate)
        ent = kg.entities[d]
        drugs_json.append({"id": str(d), "label": ent.label, "category": ent.category,
                           "description": ent.description or None, "url": d.link,
                           "classes": [{"id": str(c), "label": label(c)} for c in classes],
                           "targets": drug_targets})

    effect = regimen_effect(g, kg, [str(d) for d in ids], outcomes, timeout=timeout, **filters)
    outcome_ids = {Curie.parse(o.outcome) for o in effect.outcomes}

    # Trials: all given drugs (or a member of each given class) first, then partial matches.
    accept = {d: _members(kg, d) for d in ids}
    trials: list[dict[str, Any]] = []
    for trial in sorted(kg.trials.values(), key=lambda t: str(t.id)):
        tdrugs = set(trial.drugs)
        matched = [d for d in ids if accept[d] & tdrugs]
        if not matched:
            continue
        full = len(matched) == len(ids)
        trials.append(cast(dict[str, Any], {
            "id": str(trial.id), "label": trial.label, "match": "full" if full else "partial",
            "matched_drugs": [str(d) for d in matched],
            "matched_labels": [label(d) for d in matched],
            "drugs": [{"id": str(x), "label": label(x)} for x in trial.drugs],
            "phase": trial.phase, "design": trial.design, "condition": str(trial.condition),
            "condition_label": label(trial.condition), "setting": trial.setting or None,
            "n_patients": trial.n_patients, "url": trial.id.link,
            "publication": str(trial.publication) if trial.publication else None,
            "publication_url": trial.publication.link if trial.publication else None,
            "citations": [c.to_json() for c in kg.citations(trial.refs)],
            "outcomes": _outcome_json(kg, trial.id),
        }))
    trials.sort(key=lambda t: (t["match"] != "full", t["label"].lower()))

    # Biomarkers whose measures / biomarker_of statements touch the targets, outcomes, conditions,
    # drugs or their classes.
    relevant = set(targets) | outcome_ids | {Curie.parse(t["condition"]) for t in trials}
    for chain in chains.values():
        relevant |= set(chain)
    biomarkers = []
    for ent in sorted(kg.iter_entities("biomarker"), key=lambda e: e.label.lower()):
        outgoing = kg.outgoing(ent.id)
        why = [st for st in outgoing
               if st.predicate in ("measures", "biomarker_of") and st.object in relevant]
        if not why:
            continue
        biomarkers.append({"id": str(ent.id), "label": ent.label,
                           "description": ent.description or None,
                           "relevance": [_st(kg, st) for st in why],
                           "statements": [_st(kg, st) for st in outgoing if st not in why]})

    # Adverse events of the drugs and their classes, with management.
    aes: dict[Curie, dict[str, Any]] = {}
    for d in ids:
        for holder in chains[d]:
            for st in kg.outgoing(holder):
                if st.predicate != "has_adverse_event":
                    continue
                ae = aes.setdefault(st.object, {
                    "id": str(st.object), "label": label(st.object), "from": [], "from_labels": [],
                    "statements": [],
                    "management": [_st(kg, m) for m in kg.outgoing(st.object)
                                   if m.predicate == "managed_by"],
                    "risk_factors": [_st(kg, r) for r in kg.incoming(st.object)
                                     if r.predicate == "risk_factor_for"],
                    "outcomes": _outcome_json(kg, st.object)})
                if str(holder) not in ae["from"]:
                    ae["from"].append(str(holder))
                    ae["from_labels"].append(label(holder))
                    ae["statements"].append(_st(kg, st))
    adverse = sorted(aes.values(), key=lambda a: a["label"].lower())

    return {
        "regimen": " + ".join(label(d) for d in ids),
        "drugs": drugs_json,
        "targets": sorted(targets.values(), key=lambda t: t["label"].lower()),
        "paths": [o.to_json() for o in effect.outcomes],
        "conflicts": [o.outcome for o in effect.outcomes if o.conflict],
        "trials": trials,
        "biomarkers": biomarkers,
        "adverse_events": adverse,
        "truncated": effect.truncated,
    }
