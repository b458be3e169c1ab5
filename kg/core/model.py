"""The in-memory model: identifiers, entities, statements with evidence, trials, outcomes, publications.

Everything is a frozen dataclass parsed once from the curated files (see :mod:`kg.curation.read`) and passed
around as values. :class:`KG` is the container every other module takes as its first argument.

>>> c = Curie.parse("hgnc:17635")
>>> str(c), c.uri
('HGNC:17635', 'http://identifiers.org/hgnc/17635')
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from kg.core.vocab import (
    CATEGORIES,
    EVIDENCE_LEVELS,
    PREDICATES,
    PREFIX_ALIASES,
    PREFIXES,
    Predicate,
)

#: Prefixes whose local ids carry their own namespace, so the bare id is unambiguous.
_SELF_NAMING = frozenset({"NCT", "DRUGBANK", "PMC"})
_CURIE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9._-]*):(\S+)$")


#: What an IRI may not hold (RFC 3987 excludes these; ``#`` and ``?`` would start a fragment or query,
#: ``%`` an escape), each written as %XX of its UTF-8 bytes.
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\#?%\x7f-\x9f]')


def iri_escape(local: str) -> str:
    """``local`` with every character an IRI cannot hold percent-encoded (other text kept as is)."""
    return _IRI_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), local)


class CurieError(ValueError):
    """A string that is not a valid CURIE with a known prefix and a matching local identifier."""


class UnknownPrefix(CurieError):
    """A well-formed CURIE or IRI whose prefix nobody declared (an import skips it as unmappable)."""


@dataclass(frozen=True, order=True)
class Curie:
    """A compact identifier ``PREFIX:local``, with the prefix in its canonical spelling."""

    prefix: str
    identifier: str

    @classmethod
    def parse(cls, text: str) -> Curie:
        """Parse and normalise a CURIE; raise :class:`CurieError` naming the problem."""
        text = text.strip()
        m = _CURIE_RE.match(text)
        if not m:
            raise CurieError(f"{text!r} is not a CURIE (expected PREFIX:identifier)")
        raw_prefix, local = m.groups()
        prefix = PREFIX_ALIASES.get(raw_prefix.lower())
        if prefix is None:
            raise UnknownPrefix(f"unknown prefix {raw_prefix!r} in {text!r}")
        # NCT ids are commonly written without the doubled prefix ("NCT:02158520"); accept and fix.
        if prefix == "NCT" and not local.upper().startswith("NCT"):
            local = "NCT" + local
        if prefix in ("NCT", "DRUGBANK", "PMC"):
            local = local.upper()
        if not PREFIXES[prefix].matches(local):
            raise CurieError(
                f"{prefix}:{local} does not match the {prefix} pattern {PREFIXES[prefix].pattern}"
            )
        return cls(prefix, local)

    @staticmethod
    def looks_like(text: str) -> bool:
        """True when ``text`` is written as a CURIE with a known prefix (valid or not)."""
        m = _CURIE_RE.match(text.strip())
        return bool(m) and m.group(1).lower() in PREFIX_ALIASES  # type: ignore[union-attr]

    @property
    def uri(self) -> str:
        """The identifier's IRI; characters an IRI cannot hold are percent-encoded, as identifiers.org
        and doi.org resolve them (SICI DOIs hold ``<`` and ``>``).

        >>> Curie("DOI", "10.1000/(SICI)1:2<3::AID>4.0.CO;2-X").uri
        'https://doi.org/10.1000/(SICI)1:2%3C3::AID%3E4.0.CO;2-X'
        """
        return PREFIXES[self.prefix].uri + iri_escape(self.identifier)

    @property
    def link(self) -> str | None:
        """A page a person can open for this identifier, when the authority has one."""
        template = PREFIXES[self.prefix].link
        return template.format(id=iri_escape(self.identifier)) if template else None

    def __str__(self) -> str:
        return f"{self.prefix}:{self.identifier}"


@dataclass(frozen=True)
class Location:
    """Where a record was curated: a file (relative to the data folder) and a 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Entity:
    id: Curie
    label: str
    category: str
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[Curie, ...] = ()
    description: str = ""
    verification: str = ""
    sections: tuple[str, ...] = ()
    refs: tuple[int, ...] = ()
    location: Location | None = field(default=None, compare=False)

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category].label

    def names(self) -> tuple[str, ...]:
        """Every name the entity answers to: its id, label, synonyms and cross-references (and the bare
        local id where it names itself, as "NCT02681549" or "DB00112" do)."""
        bare = tuple(str(c.identifier) for c in (self.id, *self.xrefs) if c.prefix in _SELF_NAMING)
        return (str(self.id), self.label, *self.synonyms, *(str(x) for x in self.xrefs), *bare)


@dataclass(frozen=True)
class Publication:
    """One reference of the review, resolved to its primary paper where that was verified."""

    ref: int
    id: Curie | None
    doi: Curie | None
    pmcid: Curie | None
    citation: str
    verification: str
    location: Location | None = field(default=None, compare=False)

    @property
    def best_id(self) -> Curie | None:
        return self.id or self.doi or self.pmcid


@dataclass(frozen=True)
class Citation:
    """What a statement cites: a review reference (resolved when verified) or another source."""

    ref: int | None
    id: Curie | None
    text: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "id": str(self.id) if self.id else None,
            "url": self.id.link if self.id else None,
        }

    def __str__(self) -> str:
        if self.ref is not None and self.id is not None:
            return f"ref {self.ref} ({self.id})"
        if self.ref is not None:
            return f"ref {self.ref}"
        return str(self.id)


@dataclass(frozen=True)
class Statement:
    """A directed claim ``subject predicate object`` with its context and provenance (INDRA's
    Statement + Evidence, flattened: one curated row is one piece of evidence for one claim)."""

    subject: Curie
    predicate: str
    object: Curie
    evidence: str
    sections: tuple[str, ...]
    text: str
    species: str = ""
    model_system: str = ""
    setting: str = ""
    refs: tuple[int, ...] = ()
    sources: tuple[Curie, ...] = ()
    note: str = ""
    #: Statements derived from another table (a trial's drugs) rather than curated as a row.
    derived_from: str = ""
    location: Location | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str, str, str, str, str]:
        return (str(self.subject), self.predicate, str(self.object), self.species,
                self.model_system, self.setting)

    @cached_property
    def id(self) -> str:
        """A stable identifier derived from the statement's key (subject, predicate, object, context)."""
        digest = hashlib.sha1("\t".join(self.key).encode("utf-8")).hexdigest()
        return "st-" + digest[:12]

    @property
    def pred(self) -> Predicate:
        return PREDICATES[self.predicate]

    @property
    def sign(self) -> int:
        return PREDICATES[self.predicate].sign

    @property
    def evidence_rank(self) -> int:
        return EVIDENCE_LEVELS[self.evidence].rank


@dataclass(frozen=True)
class Outcome:
    """A reported number: a trial outcome or a rate, in the unit it was reported in."""

    subject: Curie
    measure: str
    unit: str
    section: str
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    arm: str = ""
    refs: tuple[int, ...] = ()
    note: str = ""
    location: Location | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (str(self.subject), self.arm, self.measure, str(self.low or ""), str(self.value or ""))

    @cached_property
    def id(self) -> str:
        digest = hashlib.sha1("\t".join(self.key).encode("utf-8")).hexdigest()
        return "oc-" + digest[:12]

    def display(self) -> str:
        from kg.core.vocab import UNITS

        unit = UNITS[self.unit].label
        if self.value is not None:
            num = f"{self.value}"
        else:
            num = f"{self.low}-{self.high}"
        return f"{num}{unit}" if unit == "%" else f"{num} {unit}"


@dataclass(frozen=True)
class Trial:
    id: Curie
    label: str
    design: str
    phase: str
    population: str
    condition: Curie
    drugs: tuple[Curie, ...]
    sections: tuple[str, ...]
    refs: tuple[int, ...]
    verification: str
    synonyms: tuple[str, ...] = ()
    centres: str = ""
    setting: str = ""
    line: str = ""
    n_patients: int | None = None
    publication: Curie | None = None
    location: Location | None = field(default=None, compare=False)


@dataclass
class KG:
    """The curated knowledge graph in memory. Build it with :func:`kg.curation.read.load`."""

    entities: dict[Curie, Entity] = field(default_factory=dict)
    statements: list[Statement] = field(default_factory=list)
    trials: dict[Curie, Trial] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    publications: dict[int, Publication] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._out: dict[Curie, list[Statement]] | None = None
        self._in: dict[Curie, list[Statement]] | None = None

    def _index(self) -> None:
        out: dict[Curie, list[Statement]] = {}
        inc: dict[Curie, list[Statement]] = {}
        for st in self.statements:
            out.setdefault(st.subject, []).append(st)
            inc.setdefault(st.object, []).append(st)
        self._out, self._in = out, inc

    def outgoing(self, curie: Curie) -> list[Statement]:
        if self._out is None:
            self._index()
        assert self._out is not None
        return self._out.get(curie, [])

    def incoming(self, curie: Curie) -> list[Statement]:
        if self._in is None:
            self._index()
        assert self._in is not None
        return self._in.get(curie, [])

    def label(self, curie: Curie) -> str:
        ent = self.entities.get(curie)
        return ent.label if ent else str(curie)

    def citations(self, refs: tuple[int, ...], sources: tuple[Curie, ...] = ()) -> list[Citation]:
        """Resolve review reference numbers through the publications table, then other sources."""
        out = []
        for ref in refs:
            pub = self.publications.get(ref)
            out.append(Citation(ref, pub.best_id if pub else None, pub.citation if pub else ""))
        out.extend(Citation(None, s) for s in sources)
        return out

    def outcomes_of(self, curie: Curie) -> list[Outcome]:
        return [o for o in self.outcomes if o.subject == curie]

    def iter_entities(self, category: str | None = None) -> Iterator[Entity]:
        from kg.core.vocab import is_a

        for ent in self.entities.values():
            if category is None or is_a(ent.category, category):
                yield ent
