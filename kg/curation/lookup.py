"""Naming entities the way people type them: by CURIE, label, synonym or cross-reference.

Matching ignores case, spaces, hyphens and Greek spelling, so "PD-L1", "pdl1", "CD274" and "HGNC:17635"
all name the same entity. An unknown or ambiguous name raises an error listing the closest candidates.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from kg.core.model import Curie, CurieError, Entity

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "ε": "epsilon"}
_DROP = re.compile(r"[^a-z0-9+]")


def normalise(name: str) -> str:
    """The matching key of a name: lower case, Greek letters spelled out, punctuation dropped."""
    text = name.strip().lower()
    for letter, spelled in _GREEK.items():
        text = text.replace(letter, spelled)
    text = unicodedata.normalize("NFKD", text)
    text = text.replace("tumour", "tumor")
    return _DROP.sub("", text)


class EntityLookupError(LookupError):
    def __init__(self, message: str, name: str, candidates: list[Entity]):
        super().__init__(message)
        self.name = name
        self.candidates = candidates


class UnknownEntity(EntityLookupError):
    pass


class AmbiguousEntity(EntityLookupError):
    pass


@dataclass
class NameIndex:
    """Maps every normalised name to the entities that carry it."""

    by_id: dict[Curie, Entity]
    by_name: dict[str, set[Curie]]
    #: Names that are an entity's own id or label (stronger than a synonym when names collide).
    primary: dict[str, set[Curie]]

    @classmethod
    def build(cls, entities: Iterable[Entity]) -> NameIndex:
        by_id: dict[Curie, Entity] = {}
        by_name: dict[str, set[Curie]] = {}
        primary: dict[str, set[Curie]] = {}
        for ent in entities:
            by_id[ent.id] = ent
            for name in ent.names():
                by_name.setdefault(normalise(name), set()).add(ent.id)
            for name in (str(ent.id), ent.label):
                primary.setdefault(normalise(name), set()).add(ent.id)
        return cls(by_id, by_name, primary)

    def ambiguous_names(self) -> dict[str, set[Curie]]:
        return {k: v for k, v in self.by_name.items() if len(v) > 1}

    def resolve(self, name: str) -> Entity:
        """The one entity ``name`` refers to, or :class:`UnknownEntity` / :class:`AmbiguousEntity`."""
        if Curie.looks_like(name):
            try:
                curie = Curie.parse(name)
            except CurieError:
                curie = None
            if curie is not None and curie in self.by_id:
                return self.by_id[curie]
        key = normalise(name)
        hits = self.primary.get(key) or self.by_name.get(key, set())
        if len(hits) == 1:
            return self.by_id[next(iter(hits))]
        if len(hits) > 1:
            cands = sorted((self.by_id[c] for c in hits), key=lambda e: str(e.id))
            listed = ", ".join(f"{e.label} ({e.id})" for e in cands)
            raise AmbiguousEntity(f"{name!r} is ambiguous: it names {listed}", name, cands)
        cands = self.closest(name)
        hint = ""
        if cands:
            hint = "; closest: " + ", ".join(f"{e.label} ({e.id})" for e in cands)
        raise UnknownEntity(f"unknown entity {name!r}{hint}", name, cands)

    def closest(self, name: str, n: int = 5) -> list[Entity]:
        key = normalise(name)
        keys = difflib.get_close_matches(key, list(self.by_name), n=n * 2, cutoff=0.6)
        keys += [k for k in self.by_name if key and key in k and k not in keys]
        seen: dict[Curie, Entity] = {}
        for k in keys:
            for c in sorted(self.by_name[k]):
                seen.setdefault(c, self.by_id[c])
        return list(seen.values())[:n]

    def search(self, text: str, limit: int = 20) -> list[tuple[Entity, float]]:
        """Entities matching free text, best first, with a score in [0, 1]."""
        key = normalise(text)
        if not key:
            return []
        scores: dict[Curie, float] = {}
        words = text.lower().split()
        for ent in self.by_id.values():
            best = 0.0
            for i, name in enumerate(ent.names()):
                nk = normalise(name)
                if not nk:
                    continue
                primary = i < 2
                if nk == key:
                    s = 1.0 if primary else 0.95
                elif nk.startswith(key):
                    s = 0.85 if primary else 0.8
                elif key in nk:
                    s = 0.7 if primary else 0.65
                else:
                    s = difflib.SequenceMatcher(None, key, nk).ratio() * 0.6
                best = max(best, s)
            desc = ent.description.lower()
            if best < 0.5 and words and all(w in desc for w in words):
                best = 0.5
            if best >= 0.45:
                scores[ent.id] = round(best, 3)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self.by_id[kv[0]].label.lower()))
        return [(self.by_id[c], s) for c, s in ranked[:limit]]
