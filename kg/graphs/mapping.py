"""Mapping external identifiers, Biolink categories and Biolink predicates onto our vocabulary.

Used by :mod:`kg.store.importer`. Signed Biolink statements are ``biolink:affects`` with an
``object_direction_qualifier`` (increased/decreased, the sign) and an ``object_aspect_qualifier`` (the
aspect); older Biolink releases spell the same claims as predicates (``biolink:increases_expression_of``),
which are mapped too. Anything else is never guessed: :func:`import_predicate` keeps it with its own
Biolink predicate, as an unsigned, non-causal edge (the store's predicate table grows beyond ours).

>>> map_predicate("biolink:affects", "expression", "decreased")
('decreases_expression', '')
>>> map_category("biolink:Protein|biolink:NamedThing")
'gene'
>>> import_predicate("biolink:interacts_with")
('biolink:interacts_with', False)
>>> predicate_sign("biolink:interacts_with"), predicate_causal("biolink:interacts_with")
(0, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.core.model import Curie, Statement, UnknownPrefix
from kg.core.vocab import CATEGORIES, IVKG, PREDICATES, Predicate

BIOLINK = "https://w3id.org/biolink/vocab/"

# (biolink predicate, aspect, direction) -> our predicate key; the first predicate of kg.core.vocab wins,
# so "affects activity increased" is increases_activity (activates is the pharmacological reading).
_QUALIFIED: dict[tuple[str, str, str], str] = {}
#: Ours that export to a broader Biolink predicate than they mean: an imported biolink:has_part (an
#: anatomical or molecular part) is not a regimen's drug component, so it stays biolink:has_part.
_EXPORT_ONLY = {"has_component"}
for _p in PREDICATES.values():
    if _p.key in _EXPORT_ONLY:
        continue
    _q = dict(_p.biolink_qualifiers)
    _QUALIFIED.setdefault((_p.biolink, _q.get("object_aspect_qualifier", ""),
                           _q.get("object_direction_qualifier", "")), _p.key)
del _p, _q

# biolink:related_to stands for several of our relations: too generic to map.
_AMBIGUOUS = {"biolink:related_to", "biolink:related_to_at_instance_level"}

_LEGACY: dict[str, str] = {
    "biolink:positively_regulates": "positively_regulates",
    "biolink:negatively_regulates": "negatively_regulates",
    "biolink:increases_activity_of": "increases_activity",
    "biolink:decreases_activity_of": "decreases_activity",
    "biolink:increases_expression_of": "increases_expression",
    "biolink:decreases_expression_of": "decreases_expression",
    "biolink:increases_secretion_of": "increases_secretion",
    "biolink:decreases_secretion_of": "decreases_secretion",
    "biolink:increases_abundance_of": "increases_abundance",
    "biolink:decreases_abundance_of": "decreases_abundance",
    "biolink:physically_interacts_with": "binds",
    "biolink:directly_physically_interacts_with": "binds",
    "biolink:subclass_of": "subtype_of",
    "biolink:member_of": "member_of",
    "biolink:treats": "treats",
    "biolink:has_adverse_event": "has_adverse_event",
    "biolink:biomarker_for": "biomarker_of",
    "biolink:has_participant": "has_participant",
    "biolink:positively_correlated_with": "positively_correlated_with",
    "biolink:negatively_correlated_with": "negatively_correlated_with",
    "biolink:predisposes_to_condition": "risk_factor_for",
    "biolink:treated_by": "managed_by",
}
_ASPECTS = {"activity_or_abundance": "activity", "degradation": "abundance", "synthesis": "abundance",
            "level": "abundance", "expression": "expression", "secretion": "secretion",
            "activity": "activity", "abundance": "abundance"}
_DIRECTIONS = {"increased": "increased", "upregulated": "increased", "decreased": "decreased",
               "downregulated": "decreased"}


def _short(pred: str) -> str:
    pred = pred.strip()
    if pred.startswith(BIOLINK):
        return "biolink:" + pred[len(BIOLINK):]
    if pred.startswith(IVKG):
        return pred[len(IVKG):]
    if pred.lower().startswith("ivkg:"):
        return pred[5:]
    return pred


def map_predicate(pred: str, aspect: str = "", direction: str = "") -> tuple[str | None, str]:
    """Our predicate key for a Biolink predicate and its qualifiers, or (None, why not)."""
    short = _short(pred)
    if short in PREDICATES:  # our own keys and IRIs round-trip
        return short, ""
    aspect = aspect.strip()
    direction = _DIRECTIONS.get(direction.strip().lower(), direction.strip().lower())
    if short == "biolink:affects" or short == "biolink:regulates":
        if direction not in ("increased", "decreased"):
            return None, f"{short} without an increased/decreased direction qualifier (no sign)"
        mapped_aspect = _ASPECTS.get(aspect, "" if not aspect else None)
        if mapped_aspect is None:
            return None, f"{short} with unmapped aspect qualifier {aspect!r}"
        key = _QUALIFIED.get(("biolink:affects", mapped_aspect, direction))
        if key is None:
            return None, f"{short} with aspect {aspect!r} has no counterpart"
        return key, ""
    if short in _AMBIGUOUS:
        return None, f"{short} is too generic to map"
    key = _LEGACY.get(short)
    if key is not None:
        return key, ""
    key = _QUALIFIED.get((short, "", ""))
    if key is not None:
        return key, ""
    return None, f"unmapped predicate {short}"


def import_predicate(pred: str, aspect: str = "", direction: str = "", qualified: str = "",
                     prefixes: Any = None) -> tuple[str | None, bool]:
    """What an imported edge's predicate becomes: ``(our key, True)`` when it maps onto our vocabulary
    (a qualified predicate such as ``biolink:causes`` with an aspect and a direction counts as its
    ``biolink:affects`` reading), ``(CURIE, False)`` when it is kept with its own meaning, unsigned, and
    ``(None, False)`` when it is not a predicate at all (empty or not a CURIE under a known prefix)."""
    key, _ = map_predicate(pred, aspect, direction)
    if key is None and qualified.strip() and direction.strip():
        key, _ = map_predicate("biolink:affects", aspect, direction)
    if key is not None:
        return key, True
    short = _short(pred)
    if not short:
        return None, False
    if prefixes is None:
        from kg.graphs.prefixes import Prefixes

        prefixes = Prefixes()
    kept = prefixes.predicate(short)
    return kept, False


def predicate_sign(key: str) -> int:
    """The sign of one of our predicates; 0 for a predicate kept as imported."""
    p = PREDICATES.get(key)
    return p.sign if p is not None else 0


def predicate_causal(key: str) -> bool:
    """Whether one of our predicates is causal; False for a predicate kept as imported."""
    p = PREDICATES.get(key)
    return p.causal if p is not None else False


def predicate_of(key: str) -> Predicate:
    """Our predicate ``key``, or for a Biolink predicate kept as imported (``biolink:interacts_with``) an
    unsigned, non-causal stand-in that names it (label ``interacts with``, ``biolink`` the CURIE itself).

    >>> p = predicate_of("biolink:interacts_with"); (p.key, p.label, p.sign, p.causal, p.biolink)
    ('biolink:interacts_with', 'interacts with', 0, False, 'biolink:interacts_with')
    """
    if key in PREDICATES:
        return PREDICATES[key]
    if not key.startswith("biolink:"):
        raise KeyError(key)
    return Predicate(key, key.removeprefix("biolink:").replace("_", " "), 0, False, None, key)


@dataclass(frozen=True)
class BiolinkStatement(Statement):
    """An imported statement whose predicate is a Biolink predicate outside our vocabulary (kept as it was
    imported): no sign, not causal, labelled with the Biolink predicate's own name."""

    @property
    def pred(self) -> Predicate:
        return predicate_of(self.predicate)

    @property
    def sign(self) -> int:
        return 0


_CATEGORY_EXTRA: dict[str, str] = {
    "biolink:Protein": "gene", "biolink:GeneProduct": "gene", "biolink:GeneOrGeneProduct": "gene",
    "biolink:Polypeptide": "gene", "biolink:RNAProduct": "gene", "biolink:Transcript": "gene",
    "biolink:ChemicalEntity": "small_molecule", "biolink:MolecularEntity": "small_molecule",
    "biolink:ChemicalSubstance": "small_molecule", "biolink:ChemicalMixture": "small_molecule",
    "biolink:MolecularMixture": "small_molecule",
    "biolink:Pathway": "process", "biolink:MolecularActivity": "process",
    "biolink:PhysiologicalProcess": "process", "biolink:CellularComponent": "entity",
    "biolink:Disease": "disease", "biolink:DiseaseOrPhenotypicFeature": "phenotype",
    "biolink:PhenotypicFeature": "phenotype", "biolink:Cell": "cell_type", "biolink:CellLine": "cell_type",
    "biolink:Protein Family": "protein_family", "biolink:ProteinFamily": "protein_family",
    "biolink:MacromolecularComplex": "protein_family",
}
_CATEGORY: dict[str, str] = {}
for _c in CATEGORIES.values():
    _CATEGORY.setdefault(_c.biolink, _c.key)
    _CATEGORY.setdefault(IVKG + _c.cls, _c.key)
_CATEGORY.update(_CATEGORY_EXTRA)
del _c


def map_category(cell: str) -> str:
    """The first of a ``|``-separated list of Biolink categories that we know; ``entity`` otherwise."""
    for raw in cell.split("|"):
        raw = raw.strip()
        if raw.startswith(BIOLINK):
            raw = "biolink:" + raw[len(BIOLINK):]
        key = _CATEGORY.get(raw)
        if key is not None and key != "entity":
            return key
    return "entity"


def category_of_class(iri: str) -> str | None:
    """Our category for an RDF class IRI (ours or Biolink's), None when unknown."""
    if iri.startswith(BIOLINK):
        iri = "biolink:" + iri[len(BIOLINK):]
    key = _CATEGORY.get(iri)
    return None if key in (None, "entity") else key


# IRI bases of our prefixes, longest first, to turn IRIs back into CURIEs.
def _bases() -> list[tuple[str, str]]:
    from kg.core.vocab import PREFIXES

    return sorted(((p.uri, p.prefix) for p in PREFIXES.values()), key=lambda t: -len(t[0]))


_BASES = _bases()


def curie_of_iri(iri: str) -> Curie:
    """The CURIE of an IRI under one of our prefixes' bases; CurieError otherwise."""
    for base, prefix in _BASES:
        if iri.startswith(base):
            return Curie.parse(f"{prefix}:{iri[len(base):]}")
    raise UnknownPrefix(f"IRI <{iri}> is under no known prefix")


def normalise_id(text: str) -> Curie:
    """A CURIE (any accepted spelling of the prefix) or an IRI, as our canonical CURIE."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        return curie_of_iri(text)
    return Curie.parse(text)
