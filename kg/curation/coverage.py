"""How much of the review is in the graph: per section, the statements, entities, outcomes and trials
curated from it, and the names deliberately left out (``data/exclusions/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.core.model import KG
from kg.core.vocab import REVIEW_SECTIONS
from kg.curation.tables import read_table, table_files

#: Sections with content of their own (section 2 and 4 are only headings over their subsections).
CONTENT_SECTIONS = ("1", "2.1", "2.2", "2.3", "3", "4.1", "4.2", "5.1", "5.2", "6", "T1", "T2")


def exclusions(data_dir: Path) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for path in table_files(data_dir, "exclusions"):
        rows, _ = read_table(path, "exclusions", data_dir)
        out.extend({**r.values, "file": str(r.location)} for r in rows)
    return out


def coverage(kg: KG, data_dir: Path | None = None) -> dict[str, Any]:
    sections: dict[str, dict[str, Any]] = {}
    for sec in CONTENT_SECTIONS:
        sections[sec] = {"title": REVIEW_SECTIONS[sec], "statements": 0, "entities": 0,
                         "outcomes": 0, "trials": 0, "excluded": 0, "refs": set()}
    for st in kg.statements:
        for sec in st.sections:
            if sec in sections:
                sections[sec]["statements"] += 1
                sections[sec]["refs"].update(st.refs)
    for ent in kg.entities.values():
        for sec in ent.sections:
            if sec in sections:
                sections[sec]["entities"] += 1
    for oc in kg.outcomes:
        if oc.section in sections:
            sections[oc.section]["outcomes"] += 1
    for trial in kg.trials.values():
        for sec in trial.sections:
            if sec in sections:
                sections[sec]["trials"] += 1
    excluded = exclusions(data_dir) if data_dir else []
    for row in excluded:
        for sec in row["section"].split(";"):
            if sec in sections:
                sections[sec]["excluded"] += 1
    for info in sections.values():
        info["refs"] = sorted(info["refs"])
    cited = sorted({r for st in kg.statements for r in st.refs})
    return {
        "sections": sections,
        "uncovered": [s for s, info in sections.items() if info["statements"] == 0],
        "review_refs_cited": cited,
        "publications_verified": sum(1 for p in kg.publications.values() if p.best_id is not None),
        "publications": len(kg.publications),
        "exclusions": len(excluded),
    }
