"""The review's key facts are in the curated graph with the right direction, sign, context and numbers.

One block per review section: exact subject, predicate, object and sign (and, where the review says so,
species and reference numbers). Then every number of Table 1 and section 4.1, the trial designs, and the
drug identity facts (apatinib is rivoceranib; DC101 is a mouse-only reagent).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.core.model import KG, Statement, Trial
from kg.curation.lookup import NameIndex

pytestmark = pytest.mark.curated


@pytest.fixture(scope="module")
def kg(curated_kg: KG) -> KG:
    return curated_kg


@pytest.fixture(scope="module")
def index(kg: KG) -> NameIndex:
    return NameIndex.build(kg.entities.values())


def find(kg: KG, index: NameIndex, subject: str, predicate: str, obj: str) -> list[Statement]:
    s = index.resolve(subject).id
    o = index.resolve(obj).id
    return [st for st in kg.statements if st.subject == s and st.predicate == predicate and st.object == o]


# (section, subject, predicate, object, sign, species or None (any), refs that must be cited or ())
KEY_STATEMENTS = [
    # 2.1 cross-regulation of checkpoints and angiogenic factors
    ("2.1", "PD-L1", "increases_secretion", "VEGF-A", +1, None, (16, 17)),
    ("2.1", "VEGF-A", "increases_expression", "PD-L1", +1, None, (16, 17)),
    ("2.1", "VEGF-A", "negatively_regulates", "T-cell function", -1, None, (14,)),
    ("2.1", "VEGF-A", "positively_regulates", "angiogenesis", +1, None, (14,)),
    ("2.1", "immune checkpoint inhibitor", "negatively_regulates", "immunosuppression", -1, None, (14,)),
    ("2.1", "ANG-2", "negatively_regulates", "vascular stability", -1, None, (15,)),
    ("2.1", "ANG-2", "positively_regulates", "pathological angiogenesis", +1, None, (15,)),
    ("2.1", "ANG-2", "positively_regulates", "tumour progression", +1, None, (15,)),
    ("2.1", "ANG-2", "member_of", "angiopoietin family", 0, None, ()),
    ("2.1", "PD-L1", "positively_regulates", "tumour progression", +1, None, (16, 17)),
    # 2.2 anti-angiogenic agents remodel the microenvironment
    ("2.2", "anti-angiogenic agent", "negatively_regulates", "Treg recruitment", -1, None, (15, 18)),
    ("2.2", "anti-angiogenic agent", "negatively_regulates", "MDSC recruitment", -1, None, (15, 18)),
    ("2.2", "anti-angiogenic agent", "positively_regulates", "T-cell infiltration", +1, None, (15, 18)),
    ("2.2", "anti-angiogenic agent", "positively_regulates", "T-cell activation", +1, None, (15, 18)),
    ("2.2", "anti-angiogenic agent", "positively_regulates", "vascular normalization", +1, "mouse", (19,)),
    ("2.2", "anti-angiogenic agent", "positively_regulates", "tumour perfusion", +1, "mouse", (19,)),
    ("2.2", "anti-angiogenic agent", "positively_regulates", "tumour oxygenation", +1, "mouse", (19,)),
    ("2.2", "lenvatinib", "negatively_regulates", "tumour vascular density", -1, "mouse", (19,)),
    ("2.2", "anti-VEGF antibody", "negatively_regulates", "tumour vascular density", -1, "mouse", (19,)),
    # 2.3 feedback of ICIs on angiogenesis
    ("2.3", "anti-PD-1 antibody", "decreases_secretion", "VEGF-A", -1, None, (16,)),
    ("2.3", "anti-PD-1 antibody", "decreases_secretion", "FGF family", -1, None, (16,)),
    ("2.3", "anti-PD-L1 antibody", "decreases_secretion", "VEGF-A", -1, None, (16,)),
    ("2.3", "anti-PD-L1 antibody", "decreases_secretion", "FGF family", -1, None, (16,)),
    ("2.3", "IFN-γ", "negatively_regulates", "endothelial cell proliferation", -1, None, (20,)),
    ("2.3", "IFN-γ", "negatively_regulates", "endothelial cell migration", -1, None, (20,)),
    ("2.3", "immune checkpoint inhibitor", "increases_secretion", "IFN-γ", +1, None, (20,)),
    ("2.3", "PD-1", "positively_regulates", "tumour vascular density", +1, "mouse", (19,)),
    ("2.3", "PD-1", "negatively_regulates", "vessel maturation", -1, "mouse", (19,)),
    ("2.3", "gut microbiota", "positively_regulates", "response to immune checkpoint inhibitors", +1, None,
     (3,)),
    # 3 preclinical evidence
    ("3", "DC101", "increases_expression", "PD-1", +1, "mouse", (22,)),
    ("3", "DC101", "increases_expression", "PD-L1", +1, "mouse", (22,)),
    ("3", "DC101", "inhibits", "mouse VEGFR2", -1, "mouse", (22,)),
    ("3", "DC101", "positively_regulates", "vascular normalization", +1, "mouse", (22,)),
    ("3", "anti-ANG-2 agent", "positively_regulates", "CD8+ T-cell infiltration", +1, "mouse", (23,)),
    ("3", "anti-ANG-2 agent", "negatively_regulates", "vascular leakage", -1, "mouse", (23,)),
    ("3", "anti-ANG-2 agent", "decreases_abundance", "regulatory T cell", -1, "mouse", (23,)),
    ("3", "anti-ANG-2 agent", "positively_regulates", "M1 macrophage polarization", +1, "mouse", (23,)),
    ("3", "anti-ANG-2 agent", "positively_regulates", "CD8+ T-cell cytotoxicity", +1, "mouse", (23,)),
    ("3", "steppogenin", "positively_regulates", "vascular normalization", +1, "mouse", (24,)),
    ("3", "steppogenin", "positively_regulates", "T-cell infiltration", +1, "mouse", (24,)),
    ("3", "DLL4", "activates", "NOTCH1", +1, None, (24,)),
    # 4.1 clinical translational findings
    ("4.1", "toripalimab + axitinib", "positively_regulates", "CD8+ T-cell infiltration", +1, "human", (32,)),
    ("4.1", "toripalimab + axitinib", "positively_regulates", "T-cell infiltration", +1, "human", (32,)),
    ("4.1", "ipilimumab + bevacizumab", "positively_regulates", "endothelial activation", +1, "human", (34,)),
    ("4.1", "ipilimumab + bevacizumab", "increases_abundance", "macrophage", +1, "human", (34,)),
    ("4.1", "tremelimumab + MEDI3617", "positively_correlated_with", "IL-2", +1, "human", (26,)),
    ("4.1", "tremelimumab + MEDI3617", "positively_correlated_with", "IL-10", +1, "human", (26,)),
    ("4.1", "tremelimumab + MEDI3617", "positively_correlated_with", "CD8+ T cell", +1, "human", (26,)),
    ("4.1", "MEDI3617", "inhibits", "ANG-2", -1, None, ()),
    ("4.1", "circulating ANG-2", "negatively_correlated_with", "response to immune checkpoint inhibitors", -1,
     "human", (30,)),
    ("4.1", "tumour vascular density", "positively_correlated_with", "response to immune checkpoint inhibitors",
     +1, "human", (30,)),
    # 4.2 agent classes
    ("4.2", "apatinib", "positively_regulates", "vascular normalization", +1, None, (35,)),
    ("4.2", "apatinib", "positively_regulates", "T-cell infiltration", +1, None, (35,)),
    ("4.2", "VEGFR tyrosine kinase inhibitor", "positively_regulates", "T-cell infiltration", +1, None, (35,)),
    ("4.2", "anti-VEGF antibody", "negatively_regulates", "tumour hypoxia", -1, None, (36, 37)),
    ("4.2", "anti-VEGF antibody", "decreases_abundance", "myeloid-derived suppressor cell", -1, None,
     (36, 37)),
    ("4.2", "bevacizumab", "negatively_regulates", "tumour hypoxia", -1, None, (36, 37)),
    ("4.2", "anti-ANG-2 agent", "positively_regulates", "CD8+ T-cell infiltration", +1, None, (15, 23)),
    ("4.2", "serum LDH", "biomarker_of", "advanced melanoma", 0, None, (40, 41)),
    # 5.1 toxicity
    ("5.1", "anti-angiogenic agent", "has_adverse_event", "hypertension", 0, None, (49,)),
    ("5.1", "anti-angiogenic agent", "has_adverse_event", "thrombosis", 0, None, (49,)),
    ("5.1", "anti-angiogenic agent", "has_adverse_event", "bleeding", 0, None, (49,)),
    ("5.1", "anti-angiogenic agent", "positively_regulates", "hypertension", +1, "human", (45, 50)),
    ("5.1", "ICI + anti-angiogenic combination", "positively_regulates", "myocarditis", +1, "human", (45,)),
    ("5.1", "ICI + anti-angiogenic combination", "positively_regulates", "heart failure", +1, "human", (45,)),
    ("5.1", "ICI + anti-angiogenic combination", "positively_regulates", "immune-related adverse event", +1, "human",
     (44,)),
    ("5.1", "ICI + anti-angiogenic combination", "positively_regulates", "skin toxicity", +1, "human", (44, 52, 53)),
    ("5.1", "immune checkpoint inhibitor", "has_adverse_event", "myocarditis", 0, None, (47, 48)),
    ("5.1", "immune checkpoint inhibitor", "has_adverse_event", "cardiomyopathy", 0, None, (47, 48)),
    ("5.1", "immune checkpoint inhibitor", "has_adverse_event", "ischemic heart disease", 0, None, (47, 48)),
    ("5.1", "immune checkpoint inhibitor", "has_adverse_event", "immune-related adverse event", 0, None,
     (42,)),
    ("5.1", "anti-angiogenic agent", "positively_regulates", "skin toxicity", +1, None, (44,)),
    # 5.2 monitoring and management
    ("5.2", "hypertension", "managed_by", "ACE inhibitor", 0, None, (45,)),
    ("5.2", "hypertension", "managed_by", "calcium channel blocker", 0, None, (45,)),
    ("5.2", "rash", "managed_by", "topical corticosteroid", 0, None, (53, 56)),
    ("5.2", "rash", "managed_by", "systemic corticosteroid", 0, None, (53, 56)),
    ("5.2", "rash", "managed_by", "pausing immunotherapy", 0, None, (53, 56)),
    ("5.2", "vitiligo", "positively_correlated_with", "response to immune checkpoint inhibitors", +1, "human",
     (56,)),
    ("5.2", "cutaneous immune-related adverse event", "positively_correlated_with",
     "response to immune checkpoint inhibitors", +1, "human", (57,)),
    ("5.2", "pre-existing autoimmune disease", "risk_factor_for", "immune-related adverse event", 0, None,
     (58,)),
    ("5.2", "pre-existing autoimmune disease", "managed_by", "autoantibody monitoring", 0, None, (58,)),
    ("5.2", "circulating IL-23", "risk_factor_for", "severe immune-related adverse event", 0, None, (59,)),
    ("5.2", "circulating IL-23", "measures", "IL-23", 0, None, (59,)),
    ("5.2", "brain metastases", "risk_factor_for", "bleeding", 0, None, (61,)),
    ("5.2", "advanced age", "managed_by", "lower starting dose", 0, None, (64,)),
    ("5.2", "cardiovascular toxicity", "managed_by", "cardiac monitoring", 0, None, (45, 54)),
    ("5.2", "immune-related adverse event", "managed_by", "multidisciplinary team care", 0, None, (64,)),
    ("5.2", "insufficient anti-angiogenic dosing", "positively_regulates", "angiogenesis", +1, None, (7, 60)),
    ("5.2", "excessive anti-angiogenic dosing", "negatively_regulates", "T-cell infiltration", -1, None,
     (7, 60)),
    # Table 2 biomarkers
    ("T2", "circulating VEGF-A", "measures", "VEGF-A", 0, None, ()),
    ("T2", "circulating ANG-2", "measures", "ANG-2", 0, None, (30,)),
    ("T2", "serum LDH", "measures", "LDH", 0, None, (40, 41)),
    ("T2", "endothelial activation signature", "measures", "endothelial activation", 0, None, ()),
    ("T2", "T-cell-inflamed GEP", "biomarker_of", "response to immune checkpoint inhibitors", 0, None, ()),
    ("T2", "tumour mutational burden", "positively_correlated_with", "response to immune checkpoint inhibitors",
     +1, None, ()),
    ("T2", "serum LDH", "positively_correlated_with", "high tumour burden", +1, None, ()),
]


@pytest.mark.parametrize(("section", "subject", "predicate", "obj", "sign", "species", "refs"),
                         KEY_STATEMENTS, ids=[f"{r[0]}:{r[1]}-{r[2]}-{r[3]}" for r in KEY_STATEMENTS])
def test_key_statement(kg: KG, index: NameIndex, section: str, subject: str, predicate: str, obj: str,
                       sign: int, species: str | None, refs: tuple[int, ...]) -> None:
    hits = find(kg, index, subject, predicate, obj)
    assert hits, f"missing: {subject} {predicate} {obj}"
    assert all(st.sign == sign for st in hits)
    if species is not None:
        hits = [st for st in hits if st.species == species]
        assert hits, f"{subject} {predicate} {obj}: no statement with species {species}"
    assert any(section in st.sections for st in hits), [st.sections for st in hits]
    cited = {r for st in hits for r in st.refs}
    assert set(refs) <= cited, (refs, cited)


# Statements that must NOT be in the graph with this sign (a direction error would put them there).
WRONG_WAY = [
    ("VEGF-A", "decreases_expression", "PD-L1"),
    ("anti-angiogenic agent", "positively_regulates", "Treg recruitment"),
    ("anti-angiogenic agent", "positively_regulates", "MDSC recruitment"),
    ("IFN-γ", "positively_regulates", "endothelial cell proliferation"),
    ("anti-PD-1 antibody", "increases_secretion", "VEGF-A"),
    ("DC101", "decreases_expression", "PD-L1"),
    ("vitiligo", "negatively_correlated_with", "response to immune checkpoint inhibitors"),
    ("circulating ANG-2", "positively_correlated_with", "response to immune checkpoint inhibitors"),
]


@pytest.mark.parametrize(("subject", "predicate", "obj"), WRONG_WAY)
def test_no_wrong_way_statement(kg: KG, index: NameIndex, subject: str, predicate: str, obj: str) -> None:
    assert not find(kg, index, subject, predicate, obj)


def test_dc101_is_mouse_specific(kg: KG, index: NameIndex) -> None:
    dc101 = index.resolve("DC101")
    assert dc101.category == "antibody"
    assert "mouse" in (dc101.description + " " + " ".join(dc101.synonyms)).lower()
    out = kg.outgoing(dc101.id)
    assert len(out) >= 6
    for st in out:
        if st.predicate != "member_of":
            assert st.species == "mouse", st.location
    targets = {kg.label(st.object) for st in out if st.predicate == "inhibits"}
    assert targets == {"mouse VEGFR2"}


def test_apatinib_is_rivoceranib(kg: KG, index: NameIndex) -> None:
    apatinib = index.resolve("apatinib")
    assert index.resolve("rivoceranib").id == apatinib.id
    assert str(apatinib.id) == "DRUGBANK:DB14765"
    assert [e.id for e in kg.entities.values() if "rivoceranib" in e.label.lower()] == []
    assert {kg.label(st.object) for st in kg.outgoing(apatinib.id) if st.predicate == "inhibits"} >= {"VEGFR2"}


def test_drug_classes_and_targets(kg: KG, index: NameIndex) -> None:
    expected = {
        "atezolizumab": ("anti-PD-L1 antibody", {"PD-L1"}),
        "bevacizumab": ("anti-VEGF antibody", {"VEGF-A"}),
        "pembrolizumab": ("anti-PD-1 antibody", {"PD-1"}),
        "nivolumab": ("anti-PD-1 antibody", {"PD-1"}),
        "toripalimab": ("anti-PD-1 antibody", {"PD-1"}),
        "camrelizumab": ("anti-PD-1 antibody", {"PD-1"}),
        "ipilimumab": ("anti-CTLA-4 antibody", {"CTLA-4"}),
        "tremelimumab": ("anti-CTLA-4 antibody", {"CTLA-4"}),
        "MEDI3617": ("anti-ANG-2 agent", {"ANG-2"}),
        "lenvatinib": ("VEGFR tyrosine kinase inhibitor", {"VEGFR1", "VEGFR2", "VEGFR3", "FGFR1", "FGFR2",
                                                            "FGFR3", "FGFR4", "PDGFRα", "KIT", "RET"}),
        "axitinib": ("VEGFR tyrosine kinase inhibitor", {"VEGFR1", "VEGFR2", "VEGFR3"}),
        "apatinib": ("VEGFR tyrosine kinase inhibitor", {"VEGFR2"}),
        "temozolomide": ("alkylating chemotherapy", set()),
        "DC101": ("anti-angiogenic agent", {"mouse VEGFR2"}),
        "steppogenin": ("anti-angiogenic agent", set()),
    }
    for drug, (cls, targets) in expected.items():
        out = kg.outgoing(index.resolve(drug).id)
        assert cls in {kg.label(st.object) for st in out if st.predicate == "member_of"}, drug
        assert targets <= {kg.label(st.object) for st in out if st.predicate == "inhibits"}, drug


# ------------------------------------------------------------------------------------ trials (T1, 4.1)


def trial(kg: KG, label_part: str) -> Trial:
    hits = [t for t in kg.trials.values() if label_part in t.label]
    assert len(hits) == 1, (label_part, [t.label for t in hits])
    return hits[0]


ATEZO = "atezolizumab + bevacizumab"
MBM = "pembrolizumab + bevacizumab"
LEAP = "LEAP-004"
TORI = "toripalimab + axitinib"
CAP = "camrelizumab + apatinib"
IPI = "ipilimumab + bevacizumab"
TREME = "tremelimumab + MEDI3617"

# (trial, arm, measure, value, unit)
OUTCOMES = [
    (ATEZO, "", "ORR", "45.0", "percent"),
    (ATEZO, "", "DCR", "65", "percent"),
    (ATEZO, "", "PFS_median", "8.2", "month"),
    (MBM, "", "ORR", "54.1", "percent"),
    (MBM, "", "PFS_median", "1.2", "year"),
    (MBM, "", "OS_median", "4.3", "year"),
    (MBM, "", "patients_treated", "37", "count"),
    (LEAP, "", "ORR", "21.4", "percent"),
    (LEAP, "", "PFS_median", "4.2", "month"),
    (LEAP, "", "OS_median", "14.0", "month"),
    (TORI, "operated", "ORR", "33.3", "percent"),
    (TORI, "operated", "pCR_rate", "16.7", "percent"),
    (TORI, "operated", "pPR_rate", "16.7", "percent"),
    (TORI, "", "grade3_4_AE_rate", "27.5", "percent"),
    (TORI, "", "patients_operated", "24", "count"),
    (TORI, "", "treatment_related_deaths", "0", "count"),
    (TORI, "", "p_value", "0.0032", "p_value"),
    (TORI, "", "p_value", "0.0038", "p_value"),
    (CAP, "", "ORR", "64.0", "percent"),
    (CAP, "", "PFS_median", "18.4", "month"),
    (IPI, "", "patients_treated", "46", "count"),
    (IPI, "", "ORR", "19.6", "percent"),
    (IPI, "", "DCR", "67.4", "percent"),
    (IPI, "", "OS_median", "25.1", "month"),
    (TREME, "", "patients_treated", "15", "count"),
    (TREME, "", "DCR", "40", "percent"),
    (TREME, "", "OS_median", "15.4", "month"),
]


@pytest.mark.parametrize(("name", "arm", "measure", "value", "unit"), OUTCOMES,
                         ids=[f"{o[0]}-{o[2]}-{o[3]}" for o in OUTCOMES])
def test_trial_outcome(kg: KG, name: str, arm: str, measure: str, value: str, unit: str) -> None:
    t = trial(kg, name)
    hits = [o for o in kg.outcomes_of(t.id) if o.measure == measure and o.value == Decimal(value)]
    assert len(hits) == 1, (name, measure, value, [(o.measure, o.value) for o in kg.outcomes_of(t.id)])
    assert hits[0].unit == unit
    assert hits[0].arm == arm
    assert hits[0].value is not None and str(hits[0].value) == value  # exact, trailing zero kept


def test_no_unexpected_trial_outcomes(kg: KG) -> None:
    ids = {t.id for t in kg.trials.values()}
    assert len([o for o in kg.outcomes if o.subject in ids]) == len(OUTCOMES)


def test_mbm_pfs_converts_to_table_1_months(kg: KG) -> None:
    from kg.core.vocab import UNITS

    (pfs,) = [o for o in kg.outcomes_of(trial(kg, MBM).id) if o.measure == "PFS_median"]
    assert pfs.value is not None
    assert round(float(pfs.value) * (UNITS[pfs.unit].to_months or 0), 1) == 14.4


# (trial, phase, centres, condition label, setting, n_patients, drugs, a word the design must contain)
DESIGNS = [
    (ATEZO, "II", "multi", "mucosal melanoma", "first-line", 43, {"atezolizumab", "bevacizumab"},
     "single-arm"),
    (MBM, "II", "two", "melanoma brain metastasis", "treatment-naive", 37, {"pembrolizumab", "bevacizumab"},
     "non-randomized"),
    (LEAP, "II", "multi", "advanced melanoma", "after prior ICI", 103, {"pembrolizumab", "lenvatinib"},
     "single-arm"),
    (TORI, "II", "single", "mucosal melanoma", "neoadjuvant", 29, {"toripalimab", "axitinib"}, "single-arm"),
    (CAP, "II", "single", "acral melanoma", "first-line", 50, {"camrelizumab", "apatinib", "temozolomide"},
     "single-arm"),
    (IPI, "I", "", "advanced melanoma", "", 46, {"ipilimumab", "bevacizumab"}, "dose"),
    (TREME, "I", "", "advanced melanoma", "", 15, {"tremelimumab", "MEDI3617"}, "3+3"),
]


@pytest.mark.parametrize(("name", "phase", "centres", "condition", "setting", "n", "drugs", "word"), DESIGNS,
                         ids=[d[0] for d in DESIGNS])
def test_trial_design(kg: KG, name: str, phase: str, centres: str, condition: str, setting: str, n: int,
                      drugs: set[str], word: str) -> None:
    t = trial(kg, name)
    assert t.phase == phase
    assert t.centres == centres
    assert kg.label(t.condition) == condition
    assert t.setting == setting
    assert t.n_patients == n
    assert {kg.label(d) for d in t.drugs} == drugs
    assert word in t.design
    assert "open-label" in t.design or name in (IPI, CAP)


def test_seven_trials(kg: KG) -> None:
    assert len(kg.trials) == 7


def test_authority_recorded_molecular_facts_are_established_biology(curated_kg) -> None:
    """Ligand-receptor pairs and family memberships sourced to UniProt/MeSH are not review assertions."""
    from kg.core.model import Curie

    pairs = {("HGNC:12680", "HGNC:6307"), ("HGNC:485", "HGNC:11724"), ("HGNC:17635", "HGNC:8760")}
    found = {(str(st.subject), str(st.object)): st for st in curated_kg.statements if st.predicate == "binds"}
    for pair in pairs:
        st = found[pair]
        assert st.evidence == "established_biology", pair
        assert any(s.prefix == "UniProtKB" for s in st.sources)
    assert Curie.parse("UniProtKB:P35968") in found[("HGNC:12680", "HGNC:6307")].sources  # VEGFR2 record
