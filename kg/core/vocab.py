"""Controlled vocabulary: identifier prefixes, node categories, predicates, evidence levels, units.

This module is the code side of the ontology in ``ontology/ivkg.ttl``; ``tests/test_ontology.py`` checks
that both agree. The sign of a regulatory statement lives on its predicate (``increases_expression`` is +1,
``decreases_secretion`` is -1), so a statement never carries a separate sign that could contradict it.

Nothing here does I/O; importing it is cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

#: Namespace of the project's own terms (classes, predicates, local concepts).
IVKG = "https://w3id.org/ivkg/"
#: The source review every curated fact ultimately traces to.
REVIEW_DOI = "10.3389/fimmu.2026.1760044"
REVIEW_CITATION = (
    "Xie Y, Ho I, Liu Z, et al. Tumor immune-vascular crosstalk: synergy and translation of immune "
    "checkpoint inhibitors and anti-angiogenic agents in melanoma. Front Immunol. 2026."
)


@dataclass(frozen=True)
class Prefix:
    """An identifier namespace: canonical CURIE prefix, IRI base, local-id pattern and accepted aliases."""

    prefix: str
    uri: str
    pattern: str
    aliases: tuple[str, ...] = ()
    #: The bioregistry prefix this one corresponds to (checked by a test against bioregistry's pattern).
    bioregistry: str | None = None
    #: Where a person can look the identifier up (for links in reports and pages).
    link: str | None = None

    def matches(self, local_id: str) -> bool:
        return re.fullmatch(self.pattern, local_id) is not None


# Canonical prefixes follow the Biolink Model's prefix map where it has one, so KGX exports need no
# remapping; aliases are what people type (lower case, bioregistry names, common variants).
PREFIXES: dict[str, Prefix] = {
    p.prefix: p
    for p in (
        Prefix("HGNC", "http://identifiers.org/hgnc/", r"\d{1,5}", ("hgnc",), "hgnc",
               "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:{id}"),
        Prefix("UniProtKB", "http://purl.uniprot.org/uniprot/",
               r"([OPQ]\d[A-Z0-9]{3}\d|[A-NR-Z]\d([A-Z][A-Z0-9]{2}\d){1,2})",
               ("uniprot", "uniprotkb"), "uniprot", "https://www.uniprot.org/uniprotkb/{id}"),
        Prefix("DRUGBANK", "http://identifiers.org/drugbank/", r"DB\d{5}", ("drugbank",), "drugbank",
               "https://go.drugbank.com/drugs/{id}"),
        Prefix("CHEBI", "http://purl.obolibrary.org/obo/CHEBI_", r"\d+", ("chebi",), "chebi",
               "https://www.ebi.ac.uk/chebi/searchId.do?chebiId=CHEBI:{id}"),
        Prefix("MESH", "http://id.nlm.nih.gov/mesh/", r"(C|D|Q)\d+", ("mesh",), "mesh",
               "https://meshb.nlm.nih.gov/record/ui?ui={id}"),
        Prefix("CL", "http://purl.obolibrary.org/obo/CL_", r"\d{7}", ("cl",), "cl",
               "http://purl.obolibrary.org/obo/CL_{id}"),
        Prefix("GO", "http://purl.obolibrary.org/obo/GO_", r"\d{7}", ("go",), "go",
               "http://purl.obolibrary.org/obo/GO_{id}"),
        Prefix("MONDO", "http://purl.obolibrary.org/obo/MONDO_", r"\d{7}", ("mondo",), "mondo",
               "http://purl.obolibrary.org/obo/MONDO_{id}"),
        Prefix("HP", "http://purl.obolibrary.org/obo/HP_", r"\d{7}", ("hp", "hpo"), "hp",
               "http://purl.obolibrary.org/obo/HP_{id}"),
        Prefix("EFO", "http://www.ebi.ac.uk/efo/EFO_", r"\d{7}", ("efo",), "efo",
               "http://www.ebi.ac.uk/efo/EFO_{id}"),
        Prefix("NCIT", "http://purl.obolibrary.org/obo/NCIT_", r"(C|R|P|A|NHC)\d+", ("ncit",), "ncit",
               "http://purl.obolibrary.org/obo/NCIT_{id}"),
        Prefix("PUBCHEM.COMPOUND", "http://identifiers.org/pubchem.compound/", r"\d+",
               ("pubchem.compound", "pubchem", "cid"), "pubchem.compound",
               "https://pubchem.ncbi.nlm.nih.gov/compound/{id}"),
        Prefix("MGI", "http://identifiers.org/mgi/", r"\d+", ("mgi",), "mgi",
               "http://www.informatics.jax.org/accession/MGI:{id}"),
        Prefix("PMID", "http://www.ncbi.nlm.nih.gov/pubmed/", r"\d+", ("pmid", "pubmed"), "pubmed",
               "https://pubmed.ncbi.nlm.nih.gov/{id}/"),
        Prefix("PMC", "http://europepmc.org/articles/", r"PMC\d+(\.\d+)?", ("pmc", "pmcid"), "pmc",
               "https://pmc.ncbi.nlm.nih.gov/articles/{id}/"),
        Prefix("DOI", "https://doi.org/", r"10\.\d{2,9}/.+", ("doi",), "doi", "https://doi.org/{id}"),
        Prefix("NCT", "https://clinicaltrials.gov/study/", r"NCT\d{8}", ("nct", "clinicaltrials"),
               "clinicaltrials", "https://clinicaltrials.gov/study/{id}"),
        Prefix("ECO", "http://purl.obolibrary.org/obo/ECO_", r"\d{7}", ("eco",), "eco",
               "http://purl.obolibrary.org/obo/ECO_{id}"),
        Prefix("RO", "http://purl.obolibrary.org/obo/RO_", r"(HOM)?\d{7}", ("ro",), "ro",
               "http://purl.obolibrary.org/obo/RO_{id}"),
        Prefix("NCBITaxon", "http://purl.obolibrary.org/obo/NCBITaxon_", r"\d+",
               ("ncbitaxon", "taxonomy"), "ncbitaxon", "http://purl.obolibrary.org/obo/NCBITaxon_{id}"),
        Prefix("UO", "http://purl.obolibrary.org/obo/UO_", r"\d{7}", ("uo",), "uo",
               "http://purl.obolibrary.org/obo/UO_{id}"),
        # Project-local concepts that have no public identifier (a biomarker panel, a process the
        # public ontologies do not name). Local ids are lower-case words joined by hyphens.
        Prefix("ivkg", IVKG + "entity/", r"[a-z0-9]+(-[a-z0-9]+)*", ("IVKG",), None, None),
    )
}

PREFIX_ALIASES: dict[str, str] = {}
for _p in PREFIXES.values():
    PREFIX_ALIASES[_p.prefix.lower()] = _p.prefix
    for _alias in _p.aliases:
        PREFIX_ALIASES[_alias.lower()] = _p.prefix
del _p, _alias


# --------------------------------------------------------------------------------------------------
# Node categories
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    parent: str | None
    biolink: str
    #: The ontology class local name (``ivkg:<cls>``).
    cls: str
    abstract: bool = False


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category("entity", "entity", None, "biolink:NamedThing", "Entity", abstract=True),
        Category("gene", "gene or protein", "entity", "biolink:Gene", "GeneOrProtein"),
        Category("protein_family", "protein family or complex", "entity",
                 "biolink:GeneFamily", "ProteinFamilyOrComplex"),
        Category("drug", "drug", "entity", "biolink:Drug", "Drug", abstract=True),
        Category("antibody", "therapeutic antibody", "drug", "biolink:Drug", "Antibody"),
        Category("small_molecule", "small-molecule drug", "drug", "biolink:SmallMolecule",
                 "SmallMoleculeDrug"),
        Category("natural_compound", "natural compound", "drug", "biolink:SmallMolecule",
                 "NaturalCompound"),
        Category("drug_class", "drug class", "entity", "biolink:ChemicalEntity", "DrugClass"),
        Category("cell_type", "cell type", "entity", "biolink:Cell", "CellType"),
        Category("process_or_phenotype", "biological process or phenotype", "entity",
                 "biolink:BiologicalProcessOrActivity", "ProcessOrPhenotype", abstract=True),
        Category("process", "biological process", "process_or_phenotype", "biolink:BiologicalProcess",
                 "BiologicalProcess"),
        Category("phenotype", "phenotype or tumour state", "process_or_phenotype",
                 "biolink:PhenotypicFeature", "Phenotype"),
        Category("disease", "disease or subtype", "entity", "biolink:Disease", "Disease"),
        Category("clinical_trial", "clinical study", "entity", "biolink:ClinicalTrial",
                 "ClinicalStudy"),
        Category("biomarker", "biomarker", "entity", "biolink:ClinicalAttribute", "Biomarker"),
        Category("adverse_event", "adverse event", "entity", "biolink:DiseaseOrPhenotypicFeature",
                 "AdverseEvent"),
        Category("intervention", "management intervention", "entity", "biolink:Procedure",
                 "ManagementIntervention"),
        Category("host_factor", "host or clinical factor", "entity", "biolink:ClinicalEntity",
                 "HostFactor"),
        Category("publication", "publication", "entity", "biolink:Publication", "Publication"),
        # A combination of drugs given together (ipilimumab + bevacizumab); its components are linked
        # by has_component, and what a single-arm trial of the combination observed is said of it.
        Category("regimen", "combination regimen", "entity", "biolink:Treatment", "Regimen"),
    )
}


@cache
def category_ancestors(key: str) -> tuple[str, ...]:
    """The category and all its parents, most specific first."""
    out: list[str] = []
    cur: str | None = key
    while cur is not None:
        out.append(cur)
        cur = CATEGORIES[cur].parent
    return tuple(out)


def is_a(category: str, ancestor: str) -> bool:
    return ancestor in category_ancestors(category)


# --------------------------------------------------------------------------------------------------
# Predicates
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Predicate:
    key: str
    label: str
    #: +1 increases, -1 decreases, 0 for relations that carry no sign.
    sign: int
    #: Causal (regulatory) predicates take part in mechanism paths; correlations and
    #: structural relations do not.
    causal: bool
    #: What is affected: activity, expression, secretion, process, abundance (cells or levels).
    aspect: str | None
    biolink: str
    #: Biolink qualifiers for the statement (object_aspect_qualifier, object_direction_qualifier).
    biolink_qualifiers: tuple[tuple[str, str], ...] = ()
    ro: str | None = None
    #: Allowed object categories (checked with the category hierarchy) and subject categories.
    subjects: tuple[str, ...] = ("entity",)
    objects: tuple[str, ...] = ("entity",)
    inverse_label: str | None = None

    @property
    def signed(self) -> bool:
        return self.sign != 0


_AGENTS = ("gene", "protein_family", "drug", "drug_class", "cell_type", "process_or_phenotype",
           "host_factor", "intervention", "disease", "adverse_event", "regimen")
_MOLECULES = ("gene", "protein_family")


def _pair(aspect: str, up: str, down: str, objects: tuple[str, ...], ro_up: str | None,
          ro_down: str | None, biolink_aspect: str | None,
          subjects: tuple[str, ...] = _AGENTS) -> tuple[Predicate, Predicate]:
    quals_up: tuple[tuple[str, str], ...] = (("object_direction_qualifier", "increased"),)
    quals_down: tuple[tuple[str, str], ...] = (("object_direction_qualifier", "decreased"),)
    if biolink_aspect:
        quals_up = (("object_aspect_qualifier", biolink_aspect),) + quals_up
        quals_down = (("object_aspect_qualifier", biolink_aspect),) + quals_down
    return (
        Predicate(up.replace(" ", "_"), up, +1, True, aspect, "biolink:affects", quals_up, ro_up,
                  subjects, objects),
        Predicate(down.replace(" ", "_"), down, -1, True, aspect, "biolink:affects", quals_down,
                  ro_down, subjects, objects),
    )


PREDICATES: dict[str, Predicate] = {
    p.key: p
    for p in (
        # Regulatory, signed. The RO terms are the nearest Relation Ontology relations.
        *_pair("activity", "increases activity", "decreases activity",
               _MOLECULES + ("cell_type",), "RO:0002213", "RO:0002212", "activity"),
        *_pair("expression", "increases expression", "decreases expression", _MOLECULES,
               "RO:0002213", "RO:0002212", "expression"),
        *_pair("secretion", "increases secretion", "decreases secretion", _MOLECULES,
               "RO:0002213", "RO:0002212", "secretion"),
        *_pair("abundance", "increases abundance", "decreases abundance",
               _MOLECULES + ("cell_type", "biomarker"), "RO:0002213", "RO:0002212", "abundance"),
        *_pair("process", "positively regulates", "negatively regulates",
               ("process_or_phenotype", "adverse_event", "disease"), "RO:0002213", "RO:0002212",
               None),
        Predicate("inhibits", "inhibits", -1, True, "activity", "biolink:affects",
                  (("object_aspect_qualifier", "activity"), ("object_direction_qualifier", "decreased")),
                  "RO:0002449", ("drug", "drug_class", "gene", "protein_family"), _MOLECULES),
        Predicate("activates", "activates", +1, True, "activity", "biolink:affects",
                  (("object_aspect_qualifier", "activity"), ("object_direction_qualifier", "increased")),
                  "RO:0002450", ("drug", "drug_class", "gene", "protein_family"), _MOLECULES),
        # A causal influence the source states without a direction (sign 0: never in signed paths).
        Predicate("modulates", "modulates", 0, True, None, "biolink:affects", (), "RO:0002211",
                  _AGENTS, _MOLECULES + ("cell_type", "process_or_phenotype", "adverse_event")),
        # Associations with or without a direction, and no claim of causation.
        Predicate("associated_with", "associated with", 0, False, None, "biolink:associated_with", (), None),
        Predicate("positively_correlated_with", "positively correlated with", +1, False, None,
                  "biolink:positively_correlated_with", (), None),
        Predicate("negatively_correlated_with", "negatively correlated with", -1, False, None,
                  "biolink:negatively_correlated_with", (), None),
        # Structural and clinical relations, unsigned.
        Predicate("binds", "binds", 0, False, None, "biolink:directly_physically_interacts_with", (),
                  "RO:0002436", _MOLECULES + ("drug",), _MOLECULES),
        Predicate("member_of", "member of", 0, False, None, "biolink:member_of", (), "RO:0002350",
                  ("gene", "protein_family", "drug", "drug_class", "cell_type", "regimen"),
                  ("protein_family", "drug_class", "cell_type", "regimen")),
        Predicate("subtype_of", "subtype of", 0, False, None, "biolink:subclass_of", (), None,
                  ("disease", "process_or_phenotype", "cell_type", "adverse_event"),
                  ("disease", "process_or_phenotype", "cell_type", "adverse_event")),
        Predicate("has_participant", "has participant", 0, False, None, "biolink:has_participant",
                  (), "RO:0000057", ("process_or_phenotype",), ("cell_type",) + _MOLECULES),
        Predicate("tested_in", "tested in", 0, False, None, "biolink:related_to", (), None,
                  ("drug", "drug_class", "regimen"), ("clinical_trial",), inverse_label="tests"),
        Predicate("studies", "studies condition", 0, False, None, "biolink:related_to", (), None,
                  ("clinical_trial",), ("disease",)),
        Predicate("has_adverse_event", "has adverse event", 0, False, None,
                  "biolink:has_adverse_event", (), None, ("drug", "drug_class", "regimen"),
                  ("adverse_event",)),
        Predicate("managed_by", "managed by", 0, False, None, "biolink:treated_by", (), None,
                  ("adverse_event", "disease", "host_factor", "phenotype"), ("intervention",)),
        Predicate("biomarker_of", "biomarker of", 0, False, None, "biolink:biomarker_for", (), None,
                  ("biomarker",), ("disease", "process_or_phenotype", "adverse_event", "drug_class")),
        Predicate("measures", "measures", 0, False, None, "biolink:related_to", (), None,
                  ("biomarker",), _MOLECULES + ("cell_type", "process_or_phenotype", "host_factor")),
        Predicate("risk_factor_for", "risk factor for", 0, False, None,
                  "biolink:predisposes_to_condition", (), None,
                  ("host_factor", "disease", "gene", "protein_family", "biomarker", "drug_class"),
                  ("adverse_event", "disease", "phenotype")),
        Predicate("treats", "treats", 0, False, None, "biolink:treats", (), None,
                  ("drug", "drug_class", "regimen"), ("disease",)),
        # A regimen and the drugs (or, for a regimen type, the drug classes) it combines.
        Predicate("has_component", "has component", 0, False, None, "biolink:has_part", (), None,
                  ("regimen",), ("drug", "drug_class"), inverse_label="component of"),
    )
}


# --------------------------------------------------------------------------------------------------
# Evidence levels (ordered strongest first) and context
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLevel:
    key: str
    label: str
    #: Higher is stronger. Used to rank paths by their weakest step and for --min-evidence.
    rank: int
    eco: str
    description: str


EVIDENCE_LEVELS: dict[str, EvidenceLevel] = {
    e.key: e
    for e in (
        EvidenceLevel("established_pharmacology", "established pharmacology", 6, "ECO:0000312",
                      "A drug's mechanism of action as recorded by drug authorities."),
        EvidenceLevel("established_biology", "established biology", 6, "ECO:0000312",
                      "A molecular fact (a ligand and its receptor, a family membership) as recorded by "
                      "a curated authority such as UniProt or MeSH."),
        EvidenceLevel("clinical", "clinical", 5, "ECO:0007121",
                      "Observed in patients in a clinical study."),
        EvidenceLevel("clinical_translational", "clinical-translational", 4, "ECO:0007121",
                      "Measured on patient samples (biopsies, blood) in a clinical study."),
        EvidenceLevel("preclinical_in_vivo", "preclinical in vivo", 3, "ECO:0007120",
                      "Observed in an animal model."),
        EvidenceLevel("in_vitro", "in vitro", 2, "ECO:0007122",
                      "Observed in cultured cells or a cell-free system."),
        EvidenceLevel("review_assertion", "review assertion", 1, "ECO:0000303",
                      "Stated by the review without a specific primary study behind it."),
    )
}

SPECIES: dict[str, str] = {"human": "NCBITaxon:9606", "mouse": "NCBITaxon:10090"}


@dataclass(frozen=True)
class Unit:
    key: str
    label: str
    uo: str | None
    #: Conversion factor to the canonical unit of the same dimension (months for time).
    to_months: float | None = None


UNITS: dict[str, Unit] = {
    u.key: u
    for u in (
        Unit("percent", "%", "UO:0000187"),
        Unit("month", "months", "UO:0000035", 1.0),
        Unit("year", "years", "UO:0000036", 12.0),
        Unit("week", "weeks", "UO:0000034", 12.0 / 52.0),
        Unit("count", "patients", "UO:0000189"),
        Unit("p_value", "p", "UO:0000186"),
    )
}


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    units: tuple[str, ...]
    description: str


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("ORR", "objective response rate", ("percent",),
                "Share of patients with a complete or partial response."),
        Measure("DCR", "disease control rate", ("percent",),
                "Share of patients with a response or stable disease."),
        Measure("PFS_median", "median progression-free survival", ("month", "year", "week"),
                "Median time to progression or death."),
        Measure("OS_median", "median overall survival", ("month", "year", "week"),
                "Median time to death from any cause."),
        Measure("pCR_rate", "pathological complete response rate", ("percent",),
                "Share of operated patients with no viable tumour in the resected specimen."),
        Measure("pPR_rate", "pathological partial response rate", ("percent",),
                "Share of operated patients with a partial pathological response."),
        Measure("grade3_4_AE_rate", "grade 3-4 adverse event rate", ("percent",),
                "Share of patients with a grade 3 or 4 adverse event."),
        Measure("AE_rate", "adverse event rate", ("percent",),
                "Share of patients with the adverse event named in the row's note or subject."),
        Measure("treatment_related_deaths", "treatment-related deaths", ("count",),
                "Number of deaths attributed to treatment."),
        Measure("patients_treated", "patients treated", ("count",),
                "Number of patients who received the regimen."),
        Measure("patients_operated", "patients operated", ("count",),
                "Number of patients who went on to surgery."),
        Measure("p_value", "p-value", ("p_value",), "Significance of the change described in the note."),
    )
}

#: Columns of each curated table, in file order. The README in data/ documents every one.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "entities": ("id", "label", "category", "synonyms", "xrefs", "description", "verification",
                 "section", "refs"),
    "statements": ("subject", "predicate", "object", "species", "model_system", "setting",
                   "evidence", "section", "refs", "sources", "statement", "note"),
    "trials": ("id", "label", "synonyms", "design", "phase", "centres", "population", "condition",
               "setting", "line", "n_patients", "drugs", "publication", "section", "refs",
               "verification"),
    "outcomes": ("subject", "arm", "measure", "value", "low", "high", "unit", "section", "refs",
                 "note"),
    "publications": ("ref", "id", "doi", "pmcid", "citation", "verification"),
    "exclusions": ("name", "section", "reason"),
}
#: Columns that may be empty.
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    "entities": frozenset({"synonyms", "xrefs", "description", "section", "refs"}),
    "statements": frozenset({"species", "model_system", "setting", "refs", "sources", "note"}),
    "trials": frozenset({"synonyms", "centres", "n_patients", "publication", "refs", "line",
                         "setting"}),
    "outcomes": frozenset({"arm", "value", "low", "high", "refs", "note"}),
    "publications": frozenset({"id", "doi", "pmcid"}),
    "exclusions": frozenset(),
}
#: How a curator verified an identifier: the first word of the verification column.
VERIFICATION_METHODS: dict[str, str] = {
    "offline": "checked against an offline copy of the authority (package and file named)",
    "web": "checked against the authority's public record (address named)",
    "local": "project-local concept: no public identifier exists for it",
    "unverified": "could not be verified; kept with this flag so nobody relies on it",
}

#: Review sections that statements can cite (Table 1 and 2 are cited as "T1" and "T2").
REVIEW_SECTIONS: dict[str, str] = {
    "abstract": "Abstract",
    "1": "Introduction",
    "2": "Synergistic mechanisms of combination therapy",
    "2.1": "Cross-regulation between ICIs and angiogenic factors",
    "2.2": "Immunomodulatory effects of anti-angiogenic agents on the tumour microenvironment",
    "2.3": "Feedback regulation of angiogenesis by ICIs",
    "3": "Evidence from preclinical studies",
    "4": "Clinical advances",
    "4.1": "Overview of published combination regimens",
    "4.2": "Differences in the efficacy of various anti-angiogenic agents",
    "5": "Safety analysis and management of adverse events",
    "5.1": "Toxicity profile of combination therapy",
    "5.2": "Monitoring and management of special adverse events",
    "6": "Conclusion",
    "T1": "Table 1: clinical studies of ICI plus anti-angiogenic combinations",
    "T2": "Table 2: candidate biomarkers",
    # For statements added from other sources (a user extending the graph): not in the review.
    "external": "Not from the review: added from the source named in the row",
}
