"""Which (subject category, predicate, object category) combinations the schema allows.

Like hetnetpy's MetaGraph: an explicit, enumerable list of allowed triples that every edge is checked
against. The list is derived from each predicate's allowed subject and object categories in
:mod:`kg.core.vocab`, expanded down the category hierarchy to concrete categories.
"""

from __future__ import annotations

from functools import cache

from kg.core.vocab import CATEGORIES, PREDICATES, is_a


def _concrete(roots: tuple[str, ...]) -> list[str]:
    return sorted(k for k, c in CATEGORIES.items()
                  if not c.abstract and any(is_a(k, r) for r in roots))


@cache
def metaedges() -> frozenset[tuple[str, str, str]]:
    """Every allowed (subject category, predicate, object category), with concrete categories."""
    out = set()
    for key, pred in PREDICATES.items():
        for s in _concrete(pred.subjects):
            for o in _concrete(pred.objects):
                out.add((s, key, o))
    return frozenset(out)


def allowed(subject_category: str, predicate: str, object_category: str) -> bool:
    """Whether the schema allows this triple: the same answer as membership in :func:`metaedges`, checked
    directly so that validating a graph does not first enumerate every allowed triple.

    >>> allowed("antibody", "inhibits", "gene"), allowed("gene", "tested_in", "clinical_trial")
    (True, False)
    """
    pred = PREDICATES.get(predicate)
    s, o = CATEGORIES.get(subject_category), CATEGORIES.get(object_category)
    if pred is None or s is None or o is None or s.abstract or o.abstract:
        return False
    return (any(is_a(subject_category, r) for r in pred.subjects)
            and any(is_a(object_category, r) for r in pred.objects))


def explain(predicate: str) -> str:
    """A one-line description of what a predicate connects, for error messages."""
    pred = PREDICATES[predicate]
    return f"{predicate} goes from {' / '.join(pred.subjects)} to {' / '.join(pred.objects)}"
