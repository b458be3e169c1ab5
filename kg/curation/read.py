"""Curated tables -> one validated :class:`~kg.core.model.KG` (the canonical formatter is :mod:`kg.curation.fmt`).

``read`` builds as much of the graph as it can and returns every problem it met; ``load`` is the strict
form that refuses data with errors. Rows name entities by CURIE; a label or synonym is accepted too (it is
resolved, and reported as non-canonical so that ``kg fmt`` rewrites it as the CURIE).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.core.model import (
    KG,
    Curie,
    CurieError,
    Entity,
    Outcome,
    Publication,
    Statement,
    Trial,
)
from kg.core.vocab import (
    CATEGORIES,
    EVIDENCE_LEVELS,
    MEASURES,
    OPTIONAL_COLUMNS,
    PREDICATES,
    REVIEW_SECTIONS,
    SPECIES,
    TABLE_COLUMNS,
    UNITS,
    VERIFICATION_METHODS,
)
from kg.curation.lookup import EntityLookupError, NameIndex
from kg.curation.tables import Problem, Row, read_tables, split_cell


class DataError(Exception):
    """The curated data has errors; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = problems[0] if problems else "no problems"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}")


def default_data_dir() -> Path:
    """``$IVKG_DATA``, else the repository's ``data/`` next to the package, else the packaged copy."""
    env = os.environ.get("IVKG_DATA")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parent.parent
    repo = package.parent / "data"
    if (repo / "entities").is_dir():
        return repo
    return package / "_data"


@dataclass
class ReadResult:
    kg: KG
    problems: list[Problem]
    #: (file, line, column, written, canonical) for names that ``kg fmt`` rewrites.
    rewrites: list[tuple[str, int, str, str, str]] = field(default_factory=list)
    #: The name index built while reading (every entity's id, label, synonyms, xrefs).
    index: NameIndex | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def load(data_dir: Path | None = None) -> KG:
    """Load the curated graph; raise :class:`DataError` if it has any error."""
    return load_indexed(data_dir)[0]


def load_indexed(data_dir: Path | None = None) -> tuple[KG, NameIndex]:
    """The curated graph and the name index built while reading it (so callers need not rebuild it)."""
    result = read(data_dir)
    if result.errors:
        raise DataError(result.errors)
    assert result.index is not None
    return result.kg, result.index


def read(data_dir: Path | None = None, check: bool = True) -> ReadResult:
    """Parse every table into a KG, collecting problems instead of stopping at the first."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    tables, problems = read_tables(data_dir)
    b = _Builder(problems)
    for row in tables["entities"]:
        b.entity(row)
    for row in tables["trials"]:
        b.trial_entity(row)
    for row in tables["publications"]:
        b.publication(row)
    b.index = NameIndex.build(b.kg.entities.values())
    for row in tables["trials"]:
        b.trial(row)
    for row in tables["statements"]:
        b.statement(row)
    for row in tables["outcomes"]:
        b.outcome(row)
    b.derive_trial_statements()
    result = ReadResult(b.kg, b.problems, b.rewrites, b.index)
    if check:
        from kg.curation.validate import check_kg

        result.problems.extend(check_kg(b.kg, b.index))
    result.problems.sort(key=lambda p: (p.file, p.line, p.column, p.message))
    return result


# --------------------------------------------------------------------------------------------------


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Builder:
    def __init__(self, problems: list[Problem]):
        self.kg = KG()
        self.problems = problems
        self.rewrites: list[tuple[str, int, str, str, str]] = []
        self.index = NameIndex({}, {}, {})
        self._seen_entities: dict[Curie, Row] = {}
        self._trial_rows: dict[Curie, Row] = {}

    # -- helpers ----------------------------------------------------------------------------------
    def err(self, row: Row, column: str, message: str, severity: str = "error") -> None:
        self.problems.append(row.problem(column, message, severity))

    def required(self, row: Row) -> bool:
        ok = True
        for col in TABLE_COLUMNS[row.kind]:
            if col not in OPTIONAL_COLUMNS[row.kind] and not row[col]:
                self.err(row, col, "required value is empty")
                ok = False
        return ok

    def curie(self, row: Row, column: str, text: str) -> Curie | None:
        try:
            return Curie.parse(text)
        except CurieError as exc:
            self.err(row, column, str(exc))
            return None

    def ref_entity(self, row: Row, column: str, text: str) -> Curie | None:
        """A reference to an entity: a CURIE of a known entity, or a name resolved to one."""
        if Curie.looks_like(text):
            curie = self.curie(row, column, text)
            if curie is None:
                return None
            if curie not in self.kg.entities:
                cands = self.index.closest(text, 3)
                hint = ("; closest: " + ", ".join(str(e.id) for e in cands)) if cands else ""
                self.err(row, column, f"dangling reference: no entity {curie}{hint}")
                return None
            if str(curie) != text:
                self.rewrites.append((row.location.file, row.location.line, column, text, str(curie)))
            return curie
        try:
            ent = self.index.resolve(text)
        except EntityLookupError as exc:
            try:  # written like a CURIE with an unknown prefix: say that, not "unknown name"
                Curie.parse(text)
            except CurieError as curie_exc:
                if "unknown prefix" in str(curie_exc):
                    self.err(row, column, str(curie_exc))
                    return None
            self.err(row, column, f"dangling reference: {exc}")
            return None
        self.rewrites.append((row.location.file, row.location.line, column, text, str(ent.id)))
        self.err(row, column, f"{text!r} is a name, not a CURIE: `kg fmt` rewrites it as {ent.id}",
                 "warning")
        return ent.id

    def refs(self, row: Row, column: str = "refs") -> tuple[int, ...]:
        out = []
        for part in split_cell(row[column], ";"):
            if not part.isdigit():
                self.err(row, column, f"review reference {part!r} is not a number")
            else:
                out.append(int(part))
        return tuple(out)

    def sections(self, row: Row, column: str = "section") -> tuple[str, ...]:
        out = []
        for part in split_cell(row[column], ";"):
            if part not in REVIEW_SECTIONS:
                self.err(row, column, f"unknown review section {part!r} "
                                      f"(expected one of {', '.join(REVIEW_SECTIONS)})")
            else:
                out.append(part)
        return tuple(out)

    def verification(self, row: Row, column: str = "verification") -> str:
        text = row[column]
        method = text.split(":", 1)[0].strip()
        if text and method not in VERIFICATION_METHODS:
            self.err(row, column, f"verification must start with one of "
                                  f"{', '.join(m + ':' for m in VERIFICATION_METHODS)} (found {text!r})")
        return text

    # -- tables -----------------------------------------------------------------------------------
    def _add_entity(self, row: Row, ent: Entity) -> None:
        if ent.id in self._seen_entities:
            first = self._seen_entities[ent.id].location
            self.err(row, "id", f"duplicate id {ent.id} (first defined at {first})")
            return
        self._seen_entities[ent.id] = row
        self.kg.entities[ent.id] = ent

    def entity(self, row: Row) -> None:
        self.required(row)
        curie = self.curie(row, "id", row["id"]) if row["id"] else None
        category = row["category"]
        if category and (category not in CATEGORIES or CATEGORIES[category].abstract):
            concrete = [k for k, c in CATEGORIES.items() if not c.abstract and k != "clinical_trial"]
            self.err(row, "category", f"unknown category {category!r} (expected one of "
                                      f"{', '.join(concrete)})")
            return
        if curie is None or not row["label"]:
            return
        xrefs = []
        for x in split_cell(row["xrefs"], "|"):
            c = self.curie(row, "xrefs", x)
            if c is not None:
                xrefs.append(c)
        ent = Entity(
            id=curie, label=row["label"], category=category,
            synonyms=tuple(split_cell(row["synonyms"], "|")), xrefs=tuple(xrefs),
            description=row["description"], verification=self.verification(row),
            sections=self.sections(row), refs=self.refs(row), location=row.location,
        )
        self._add_entity(row, ent)

    def trial_entity(self, row: Row) -> None:
        curie = self.curie(row, "id", row["id"]) if row["id"] else None
        if curie is None or not row["label"]:
            return
        self._trial_rows[curie] = row
        self._add_entity(row, Entity(
            id=curie, label=row["label"], category="clinical_trial",
            synonyms=tuple(split_cell(row["synonyms"], "|")), description=row["population"],
            verification=self.verification(row), sections=self.sections(row),
            refs=self.refs(row), location=row.location,
        ))

    def trial(self, row: Row) -> None:
        if not self.required(row):
            return
        curie = self.curie(row, "id", row["id"])
        if curie is None or self._trial_rows.get(curie) is not row:
            return
        condition = self.ref_entity(row, "condition", row["condition"])
        drugs = [self.ref_entity(row, "drugs", d) for d in split_cell(row["drugs"], ";")]
        publication = self.curie(row, "publication", row["publication"]) if row["publication"] else None
        n = None
        if row["n_patients"]:
            if row["n_patients"].isdigit():
                n = int(row["n_patients"])
            else:
                self.err(row, "n_patients", f"not a whole number: {row['n_patients']!r}")
        if condition is None or any(d is None for d in drugs):
            return
        self.kg.trials[curie] = Trial(
            id=curie, label=row["label"], design=row["design"], phase=row["phase"],
            population=row["population"], condition=condition,
            drugs=tuple(d for d in drugs if d is not None), sections=self.sections(row),
            refs=self.refs(row), verification=row["verification"],
            synonyms=tuple(split_cell(row["synonyms"], "|")), centres=row["centres"],
            setting=row["setting"], line=row["line"], n_patients=n, publication=publication,
            location=row.location,
        )

    def publication(self, row: Row) -> None:
        if not self.required(row):
            return
        if not row["ref"].isdigit():
            self.err(row, "ref", f"review reference {row['ref']!r} is not a number")
            return
        ref = int(row["ref"])
        ids = {}
        for col in ("id", "doi", "pmcid"):
            ids[col] = self.curie(row, col, row[col]) if row[col] else None
        if ids["id"] is not None and ids["id"].prefix not in ("PMID", "DOI"):
            self.err(row, "id", f"expected a PMID or DOI, found {ids['id']}")
        if ref in self.kg.publications:
            first = self.kg.publications[ref].location
            self.err(row, "ref", f"duplicate review reference {ref} (first defined at {first})")
            return
        self.kg.publications[ref] = Publication(
            ref, ids["id"], ids["doi"], ids["pmcid"], row["citation"], self.verification(row),
            row.location,
        )

    def statement(self, row: Row) -> None:
        self.required(row)
        subject = self.ref_entity(row, "subject", row["subject"]) if row["subject"] else None
        obj = self.ref_entity(row, "object", row["object"]) if row["object"] else None
        predicate = row["predicate"]
        ok = subject is not None and obj is not None
        if predicate and predicate not in PREDICATES:
            self.err(row, "predicate", f"unknown predicate {predicate!r} "
                                       f"(expected one of {', '.join(PREDICATES)})")
            ok = False
        if row["evidence"] and row["evidence"] not in EVIDENCE_LEVELS:
            self.err(row, "evidence", f"unknown evidence level {row['evidence']!r} "
                                      f"(expected one of {', '.join(EVIDENCE_LEVELS)})")
            ok = False
        if row["species"] and row["species"] not in SPECIES:
            self.err(row, "species", f"unknown species {row['species']!r} "
                                     f"(expected one of {', '.join(SPECIES)})")
            ok = False
        sources = []
        for s in split_cell(row["sources"], ";"):
            c = self.curie(row, "sources", s)
            if c is not None:
                sources.append(c)
        refs = self.refs(row)
        sections = self.sections(row)
        if not refs and not sources:
            self.err(row, "refs", "missing provenance: give review reference numbers (refs) "
                                  "or verified sources")
        if not (ok and predicate and row["evidence"] and row["statement"] and sections):
            return
        assert subject is not None and obj is not None
        self.kg.statements.append(Statement(
            subject=subject, predicate=predicate, object=obj, evidence=row["evidence"],
            sections=sections, text=row["statement"], species=row["species"],
            model_system=row["model_system"], setting=row["setting"], refs=refs,
            sources=tuple(sources), note=row["note"], location=row.location,
        ))

    def outcome(self, row: Row) -> None:
        if not self.required(row):
            return
        subject = self.ref_entity(row, "subject", row["subject"])
        if row["measure"] not in MEASURES:
            self.err(row, "measure", f"unknown measure {row['measure']!r} "
                                     f"(expected one of {', '.join(MEASURES)})")
            return
        if row["unit"] not in UNITS:
            self.err(row, "unit", f"unknown unit {row['unit']!r} (expected one of {', '.join(UNITS)})")
            return
        if row["unit"] not in MEASURES[row["measure"]].units:
            self.err(row, "unit", f"unit {row['unit']!r} does not fit measure {row['measure']} "
                                  f"(expected {', '.join(MEASURES[row['measure']].units)})")
            return
        nums: dict[str, Decimal | None] = {}
        for col in ("value", "low", "high"):
            nums[col] = None
            if row[col]:
                try:
                    nums[col] = Decimal(row[col])
                except InvalidOperation:
                    self.err(row, col, f"not a decimal number: {row[col]!r}")
                    return
        if nums["value"] is None and (nums["low"] is None or nums["high"] is None):
            self.err(row, "value", "give a value, or both low and high")
            return
        sections = self.sections(row)
        if subject is None or not sections:
            return
        self.kg.outcomes.append(Outcome(
            subject=subject, measure=row["measure"], unit=row["unit"], section=sections[0],
            value=nums["value"], low=nums["low"], high=nums["high"], arm=row["arm"],
            refs=self.refs(row), note=row["note"], location=row.location,
        ))

    def derive_trial_statements(self) -> None:
        """A trial's drugs and condition become statements, with the trial row as their provenance."""
        for trial in self.kg.trials.values():
            pubs: tuple[Curie, ...] = (trial.publication,) if trial.publication else ()
            common = dict(evidence="clinical", sections=trial.sections, refs=trial.refs,
                          sources=pubs, species="human", model_system=f"patients in {trial.id}",
                          derived_from=f"trial {trial.id}", location=trial.location)
            for drug in trial.drugs:
                self.kg.statements.append(Statement(
                    subject=drug, predicate="tested_in", object=trial.id,
                    text=_sentence(f"{self.kg.label(drug)} was given in {trial.label}."), **common))  # type: ignore[arg-type]
            self.kg.statements.append(Statement(
                subject=trial.id, predicate="studies", object=trial.condition,
                text=_sentence(f"{trial.label} enrolled patients with {self.kg.label(trial.condition)}."),
                **common))  # type: ignore[arg-type]
