"""Semantic checks on a loaded graph (syntax and reference checks happen while reading).

Each check is a pure function returning :class:`~kg.curation.tables.Problem` values that name the file, line and
column of the offending row.
"""

from __future__ import annotations

from collections import defaultdict

from kg.core import metagraph
from kg.core.model import KG, Outcome, Statement
from kg.curation.lookup import NameIndex
from kg.curation.tables import Problem


def _problem(st: Statement | Outcome, column: str, message: str, severity: str = "error") -> Problem:
    loc = st.location
    return Problem(loc.file if loc else "?", loc.line if loc else 0, column, message, severity)


def check_metagraph(kg: KG) -> list[Problem]:
    out = []
    for st in kg.statements:
        s, o = kg.entities[st.subject], kg.entities[st.object]
        if not metagraph.allowed(s.category, st.predicate, o.category):
            out.append(_problem(st, "predicate", f"{s.label} ({s.category}) {st.predicate} "
                                f"{o.label} ({o.category}) is not allowed: {metagraph.explain(st.predicate)}"))
    return out


def check_duplicates(kg: KG) -> list[Problem]:
    out = []
    seen: dict[tuple[str, ...], Statement] = {}
    for st in kg.statements:
        first = seen.get(st.key)
        if first is not None and not st.derived_from:
            out.append(_problem(st, "subject", f"duplicate statement {st.subject} {st.predicate} "
                                f"{st.object} in the same context (first at {first.location})"))
        else:
            seen.setdefault(st.key, st)
    seen_o: dict[tuple[str, ...], Outcome] = {}
    for oc in kg.outcomes:
        first_o = seen_o.get(oc.key)
        if first_o is not None:
            out.append(_problem(oc, "measure", f"duplicate outcome {oc.measure} for {oc.subject} "
                                f"(first at {first_o.location})"))
        else:
            seen_o[oc.key] = oc
    return out


def check_contradictions(kg: KG) -> list[Problem]:
    """Opposite signs on the same subject and object must be explained in a note."""
    by_pair: dict[tuple[str, str], list[Statement]] = defaultdict(list)
    for st in kg.statements:
        if st.sign != 0:
            by_pair[(str(st.subject), str(st.object))].append(st)
    out = []
    for group in by_pair.values():
        signs = {st.sign for st in group}
        if len(signs) > 1 and not any(st.note for st in group):
            for st in group:
                out.append(_problem(st, "note", f"{st.subject} {st.predicate} {st.object} contradicts a "
                                    "statement of opposite sign on the same pair; explain it in note"))
    return out


def check_references(kg: KG) -> list[Problem]:
    out = []
    for st in kg.statements:
        if st.derived_from:
            continue
        for ref in st.refs:
            if ref not in kg.publications:
                out.append(_problem(st, "refs", f"review reference {ref} has no row in publications/"))
    for oc in kg.outcomes:
        for ref in oc.refs:
            if ref not in kg.publications:
                out.append(_problem(oc, "refs", f"review reference {ref} has no row in publications/"))
    return out


def check_names(index: NameIndex) -> list[Problem]:
    """A name shared by several entities makes lookups ambiguous: warn (the CLI lists both)."""
    out = []
    for key, ids in sorted(index.ambiguous_names().items()):
        primary = [c for c in ids if c in index.primary.get(key, set())]
        if len(primary) == 1:
            continue  # one entity's own label wins over others' synonyms
        ents = sorted((index.by_id[c] for c in ids), key=lambda e: str(e.id))
        loc = ents[-1].location
        listed = ", ".join(f"{e.label} ({e.id})" for e in ents)
        out.append(Problem(loc.file if loc else "?", loc.line if loc else 0, "synonyms",
                           f"name {key!r} is shared by {listed}", "warning"))
    return out


def check_kg(kg: KG, index: NameIndex) -> list[Problem]:
    return [*check_metagraph(kg), *check_duplicates(kg), *check_contradictions(kg),
            *check_references(kg), *check_names(index)]
