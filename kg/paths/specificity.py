"""How often a drug reaches a key outcome through its own mechanism rather than a claim of its class.

For every drug x key outcome, :func:`specificity` runs :func:`kg.paths.search.find_paths` and records
whether a path was found and whether the top path is **drug-specific**: its first step is one of the
drug's own statements, not a ``member_of`` hop to a class. ``kg specificity`` prints the table and the two
shares, so a change to data or ranking shows how it moves them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.core.model import KG
from kg.curation.lookup import EntityLookupError, NameIndex
from kg.paths.graph import as_pathgraph
from kg.paths.search import find_paths

#: The outcomes of the issue's measure (T-cell infiltration, angiogenesis, vascular normalization,
#: immunosuppression), with CD8+ infiltration as the T-cell outcome clinicians quote most.
SPECIFICITY_OUTCOMES: tuple[str, ...] = (
    "T-cell infiltration", "CD8+ T-cell infiltration", "angiogenesis", "vascular normalization",
    "immunosuppression",
)


@dataclass(frozen=True)
class Search:
    drug: str
    drug_label: str
    outcome: str
    outcome_label: str
    found: bool
    specific: bool
    top: str
    net_sign: int | None

    def to_json(self) -> dict[str, Any]:
        return {"drug": self.drug, "drug_label": self.drug_label, "outcome": self.outcome,
                "outcome_label": self.outcome_label, "found": self.found, "specific": self.specific,
                "top_path": self.top or None, "net_sign": self.net_sign}


@dataclass
class Specificity:
    searches: list[Search] = field(default_factory=list)

    @property
    def found(self) -> int:
        return sum(s.found for s in self.searches)

    @property
    def specific(self) -> int:
        return sum(s.specific for s in self.searches)

    @property
    def found_share(self) -> float:
        return self.found / len(self.searches) if self.searches else 0.0

    @property
    def specific_share(self) -> float:
        """Share of the searches that found a path whose top path is drug-specific."""
        return self.specific / self.found if self.found else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"searches": len(self.searches), "found": self.found, "specific": self.specific,
                "found_share": round(self.found_share, 4),
                "specific_share": round(self.specific_share, 4),
                "rows": [s.to_json() for s in self.searches]}


def specificity(kg: KG, g: Any, index: NameIndex | None = None,
                outcomes: Sequence[str] = SPECIFICITY_OUTCOMES, *, timeout: float = 5.0) -> Specificity:
    """Every drug of ``kg`` (categories under ``drug``) against each outcome name present in it."""
    pg = as_pathgraph(g)
    index = index or NameIndex.build(kg.entities.values())
    targets = []
    for name in outcomes:
        try:
            targets.append(index.resolve(name))
        except EntityLookupError:
            continue
    res = Specificity()
    for drug in sorted(kg.iter_entities("drug"), key=lambda e: e.label.lower()):
        for out in targets:
            search = find_paths(pg, str(drug.id), str(out.id), limit=1, timeout=timeout)
            top = search.paths[0] if search.paths else None
            chain = " -> ".join(top.labels) if top else ""
            res.searches.append(Search(
                str(drug.id), drug.label, str(out.id), out.label, top is not None,
                top is not None and not top.steps[0].membership, chain,
                top.net_sign if top else None))
    return res


def render_specificity(rep: Specificity, fmt: str = "table") -> str:
    from kg.core.render import table
    from kg.paths.explain import md_table

    head = ["drug", "outcome", "found", "drug-specific", "top path"]
    rows = [[s.drug_label, s.outcome_label, "yes" if s.found else "no",
             "yes" if s.specific else ("no" if s.found else ""), s.top] for s in rep.searches]
    body = md_table(head, rows) if fmt == "md" else table(head, rows)
    summary = (f"found: {rep.found}/{len(rep.searches)} ({rep.found_share:.0%}); drug-specific top path: "
               f"{rep.specific}/{rep.found} of those found ({rep.specific_share:.0%})")
    return body + "\n\n" + summary
