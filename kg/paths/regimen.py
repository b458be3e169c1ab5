"""Regimens: parse "DRUG + DRUG", predict the net effect on key outcomes, and explain a regimen.

:func:`regimen_effect` traces mechanism paths (:func:`kg.paths.search.find_paths`) from every drug of a regimen
to each key outcome and reports the net sign per outcome. An outcome reached by paths of opposite sign is
a **conflict**: both sides are kept and shown, with the sign of the best-scoring path as ``leaning``.
:func:`explain_regimen` adds the drugs' classes and targets, the trials that tested the regimen with
their outcomes, relevant biomarkers and expected adverse events with their management.

When the drugs are the components of a curated regimen entity (category ``regimen``, linked to each drug
by ``has_component``), the regimen's own statements - what a single-arm trial of the combination
observed - are traced too, labelled as observed for the combination, and every statement is counted
once however many drugs reach it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from kg.core.model import KG, Curie, Entity, Statement
from kg.core.vocab import EVIDENCE_LEVELS, MEASURES, PREDICATES, is_a
from kg.curation.lookup import EntityLookupError, NameIndex, normalise
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


def components(kg: KG, regimen: Curie) -> list[Curie]:
    """The drugs (or drug classes) of a regimen entity, in curated order."""
    return [st.object for st in kg.outgoing(regimen) if st.predicate == "has_component"]


def regimen_entity(kg: KG, drug_ids: Iterable[str | Curie]) -> Curie | None:
    """The regimen entity whose components are exactly these drugs (in any order), or None."""
    want = {str(d) for d in drug_ids}
    if len(want) < 2:
        return None
    for ent in sorted(kg.iter_entities("regimen"), key=lambda e: str(e.id)):
        if {str(c) for c in components(kg, ent.id)} == want:
            return ent.id
    return None


def resolve_regimen(index: NameIndex, text: str, kg: KG | None = None) -> list[Entity]:
    """The drugs or drug classes a regimen names, in order, each once.

    With ``kg``, a regimen entity's own name ("CAP 03 regimen") gives its components."""
    whole: Entity | None = None
    if kg is not None:
        try:
            whole = index.resolve(text)
        except EntityLookupError:
            whole = None
    if whole is not None and whole.category == "regimen" and kg is not None:
        # The drugs in the order typed when the text lists them, else the regimen's curated order.
        parts = [index.by_name.get(normalise(n), set()) for n in split_regimen(text)]
        comps = components(kg, whole.id)
        if len(parts) == len(comps) and all(len(p) == 1 for p in parts) \
                and {next(iter(p)) for p in parts} == set(comps):
            return [kg.entities[next(iter(p))] for p in parts]
        return [kg.entities[c] for c in comps]
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
    #: For a drug asked about alone: what a combination containing it observed on the outcome, marked
    #: "with <other drugs>, in <study>" and never counted in the net effect.
    combination_evidence: list[dict[str, Any]] = field(default_factory=list)

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

    def to_json(self, regimen: str | None = None, regimen_label: str = "") -> dict[str, Any]:
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
            "paths": [{"drug": d, **p.to_json(), **_observed(d, p, regimen, regimen_label)}
                      for d, p in self.paths],
            "combination_evidence": self.combination_evidence,
        }


def _observed(source: str, p: Path, regimen: str | None, label: str) -> dict[str, Any]:
    """How a regimen's own path is labelled: observed for the combination, in the study it names."""
    own = source == regimen and p.inherited_from is None
    where = p.steps[0].model_system if own and p.steps else ""
    return {"combination_observation": own,
            "observed_for": f"observed for {label}" + (f", in {where}" if where else "") if own else None}


@dataclass
class RegimenEffect:
    drugs: list[str]
    outcomes: list[OutcomeEffect]
    truncated: bool = False
    reasons: list[str] = field(default_factory=list)
    #: The regimen entity whose own statements were traced too (None for a single drug or a free mix).
    regimen: str | None = None
    regimen_label: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"drugs": self.drugs, "regimen_id": self.regimen,
                "outcomes": [o.to_json(self.regimen, self.regimen_label) for o in self.outcomes],
                "conflicts": [o.outcome for o in self.outcomes if o.conflict],
                "truncated": self.truncated, "reasons": self.reasons}


def regimen_effect(g: Any, kg: KG, drug_ids: Sequence[str | Curie],
                   outcomes: Sequence[str | Curie] | None = None, *, max_length: int = 4,
                   paths_per_drug: int = 3, timeout: float = 10.0, regimen: str | Curie | None = None,
                   **filters: Any) -> RegimenEffect:
    """Net effect of a regimen on each outcome, from the best paths of each drug (both signs kept).

    ``regimen`` (found from the drugs when not given) adds the regimen entity's own paths; a chain of
    statements reached from two sources is counted once."""
    pg = as_pathgraph(g)
    drugs = [str(d) for d in drug_ids]
    found = regimen if regimen is not None else regimen_entity(kg, drugs)
    reg = str(found) if found is not None and pg.has_node(str(found)) else None
    sources = ([reg] if reg else []) + drugs
    targets = [str(o) for o in (outcomes if outcomes is not None else key_outcomes(kg))]
    res = RegimenEffect(drugs, [], regimen=reg, regimen_label=pg.node_info(reg).label if reg else "")
    started = time.monotonic()
    budget = timeout / max(1, len(sources) * len(targets) * 2)
    for out in targets:
        if not pg.has_node(out):
            continue
        eff = OutcomeEffect(out, pg.node_info(out).label)
        for drug in sources:
            if drug == out:
                continue
            # Search each sign separately so that a weaker opposite-sign path is never crowded out.
            for sign in (1, -1):
                left = timeout - (time.monotonic() - started)
                if left <= 0:
                    res.truncated = True
                    res.reasons.append(f"{drug} -> {out}: timeout (not searched)")
                    continue
                search = find_paths(pg, drug, out, max_length=max_length, limit=paths_per_drug,
                                    sign=sign, timeout=min(budget, left), **filters)
                eff.paths.extend((drug, p) for p in search.paths)
                if search.truncated and search.reason and search.reason != "limit":
                    res.truncated = True
                    res.reasons.append(f"{drug} -> {out}: {search.reason}")
        eff.paths.sort(key=lambda dp: (-dp[1].score, dp[1].length, dp[0], dp[1].nodes))
        # Count each chain of statements once (two drugs reaching it through a shared class).
        seen: set[tuple[str, ...]] = set()
        unique = []
        for dp in eff.paths:
            key = tuple(st.edge_id for st in dp[1].steps if not st.membership)
            if key not in seen:
                seen.add(key)
                unique.append(dp)
        eff.paths = unique
        if reg is None:
            eff.combination_evidence = _combination_evidence(kg, drugs, out)
        res.outcomes.append(eff)
    return res


def _combination_evidence(kg: KG, drugs: Sequence[str], outcome: str) -> list[dict[str, Any]]:
    """One-step findings on ``outcome`` of the regimens that contain one of ``drugs``, marked as such."""
    out: list[dict[str, Any]] = []
    target = Curie.parse(outcome)
    for ent in sorted(kg.iter_entities("regimen"), key=lambda e: str(e.id)):
        comps = components(kg, ent.id)
        given = [c for c in comps if str(c) in drugs]
        if not given:
            continue
        others = [kg.label(c) for c in comps if str(c) not in drugs]
        for st in kg.outgoing(ent.id):
            pred = PREDICATES[st.predicate]
            if st.object != target or not (pred.causal and pred.sign):
                continue
            where = st.model_system or "the trials of the regimen"
            out.append({"regimen": str(ent.id), "regimen_label": ent.label,
                        "drugs": [str(c) for c in given], "with": others,
                        "predicate": st.predicate, "sign": pred.sign, "evidence": st.evidence,
                        "statement": st.text,
                        "marked": f"with {', '.join(others)}, in {where}" if others else f"in {where}",
                        "citations": [c.to_json() for c in kg.citations(st.refs, st.sources)]})
    return out


# ------------------------------------------------------------------------------------------------
# explain
# ------------------------------------------------------------------------------------------------

def _classes(kg: KG, drug: Curie, kind: str = "drug_class") -> list[Curie]:
    """Classes of a drug (or types of a regimen, ``kind="regimen"``) up the member_of chain, nearest
    first."""
    out: list[Curie] = []
    frontier = [drug]
    while frontier:
        nxt = []
        for u in frontier:
            for st in kg.outgoing(u):
                if st.predicate == "member_of" and st.object not in out and st.object != drug \
                        and kg.entities[st.object].category == kind:
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
    """One JSON-ready report for a regimen (keys: ``regimen``, ``regimen_id``, ``drugs``, ``targets``,
    ``paths``, ``conflicts``, ``trials``, ``biomarkers``, ``adverse_events``, ``truncated``,
    ``reasons``)."""
    ids = [c if isinstance(c, Curie) else Curie.parse(c) for c in drug_ids]
    for c in ids:
        if c not in kg.entities:
            raise RegimenError(f"unknown drug {c}")
    reg = regimen_entity(kg, ids)
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

    # What each target does downstream (its own causal statements, strongest evidence first).
    for tid, t in targets.items():
        own = [st for st in kg.outgoing(tid)
               if PREDICATES[st.predicate].causal and PREDICATES[st.predicate].sign]
        own.sort(key=lambda st: (-EVIDENCE_LEVELS[st.evidence].rank, kg.label(st.object).lower()))
        t["mechanisms"] = [_st(kg, st) for st in own]

    effect = regimen_effect(g, kg, [str(d) for d in ids], outcomes, timeout=timeout,
                            regimen=reg, **filters)
    outcome_ids = {Curie.parse(o.outcome) for o in effect.outcomes}

    # Trials: all given drugs (or a member of each given class) first, then partial matches.
    accept = {d: _members(kg, d) for d in ids}
    trials: list[dict[str, Any]] = []
    for trial in sorted(kg.trials.values(), key=lambda t: str(t.id)):
        tdrugs = set(trial.drugs) | {st.subject for st in kg.incoming(trial.id)
                                     if st.predicate == "tested_in" and st.subject == reg}
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

    # Adverse events of the regimen, its type, the drugs and their classes, with management; a statement
    # that the holder raises (or lowers) an adverse event counts too.
    aes: dict[Curie, dict[str, Any]] = {}
    holders = [*([reg, *_classes(kg, reg, "regimen")] if reg else []), *(h for d in ids for h in chains[d])]
    for holder in dict.fromkeys(holders):
        for st in kg.outgoing(holder):
            pred = PREDICATES[st.predicate]
            if st.predicate != "has_adverse_event" and not (
                    pred.causal and pred.sign and kg.entities[st.object].category == "adverse_event"):
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
            if pred.sign:
                ae.setdefault("changes", []).append(
                    {"holder": str(holder), "holder_label": label(holder),
                     "direction": "increases" if pred.sign > 0 else "decreases",
                     "statement": st.text, "evidence": st.evidence})
    for ae in aes.values():
        ae.setdefault("changes", [])
    adverse = sorted(aes.values(), key=lambda a: a["label"].lower())

    return {
        "regimen": label(reg) if reg else " + ".join(label(d) for d in ids),
        "regimen_id": str(reg) if reg else None,
        "drugs": drugs_json,
        "targets": sorted(targets.values(), key=lambda t: t["label"].lower()),
        "paths": [o.to_json() for o in effect.outcomes],
        "conflicts": [o.outcome for o in effect.outcomes if o.conflict],
        "trials": trials,
        "biomarkers": biomarkers,
        "adverse_events": adverse,
        "truncated": effect.truncated,
        "reasons": effect.reasons,
    }
