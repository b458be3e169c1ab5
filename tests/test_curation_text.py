"""Curated text is our own, well formed, and the review is covered.

- No statement text, description, note or trial design shares a run of 8 or more consecutive words
  (lower case, punctuation dropped) with the review. The review's text lives in ``shared/sources/`` beside
  the repository (``../shared`` in CI); outside CI the check skips when it is absent, in CI it fails.
- Every statement is one full sentence: it starts with a capital letter (or a symbol such as a digit or
  Greek letter) and ends with a full stop.
- ``kg.curation.coverage`` reports statements for every content section of the review.
- Every entity the review names resolves in the graph or is listed in ``data/exclusions/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kg.core.model import KG
from kg.curation.coverage import CONTENT_SECTIONS, coverage, exclusions
from kg.curation.lookup import NameIndex, UnknownEntity, normalise

pytestmark = pytest.mark.curated

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
REVIEW_NAME = "review-xie-2026-fimmu-1760044.txt"
RUN = 8


def review_path() -> Path:
    for base in (ROOT.parent / "shared", Path("/work/shared")):
        path = base / "sources" / REVIEW_NAME
        if path.exists():
            return path
    if os.environ.get("CI"):
        pytest.fail(f"the source review {REVIEW_NAME} must be at ../shared/sources/ in CI")
    pytest.skip(f"the source review is not at {ROOT.parent / 'shared' / 'sources' / REVIEW_NAME}")


def words(text: str) -> list[str]:
    text = text.lower().replace("^", "")
    return re.findall(r"[^\W_]+", text)


def shingles(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def curated_texts(kg: KG) -> list[tuple[str, str]]:
    out = []
    for st in kg.statements:
        where = f"{st.location.file}:{st.location.line}"
        out.append((where + " statement", st.text))
        out.append((where + " note", st.note))
    for ent in kg.entities.values():
        out.append((f"{ent.location.file}:{ent.location.line} description", ent.description))
    for t in kg.trials.values():
        where = f"{t.location.file}:{t.location.line}"
        out += [(where + " design", t.design), (where + " population", t.population)]
    for o in kg.outcomes:
        out.append((f"{o.location.file}:{o.location.line} note", o.note))
    for row in exclusions(DATA):
        out.append((row["file"] + " reason", row["reason"]))
    return [(w, t) for w, t in out if t]


def test_shingles_detects_a_copied_run() -> None:
    review = "Alpha beta, gamma delta epsilon zeta eta theta iota."
    assert shingles("ALPHA beta gamma delta epsilon zeta eta theta!") & shingles(review)
    assert not (shingles("alpha beta gamma delta epsilon zeta eta") & shingles(review))


def test_no_run_of_eight_words_copied_from_the_review(curated_kg: KG) -> None:
    source = shingles(review_path().read_text(encoding="utf-8"))
    copied = []
    for where, text in curated_texts(curated_kg):
        common = shingles(text) & source
        if common:
            copied.append(f"{where}: {' '.join(sorted(common)[0])!r}")
    assert not copied, "\n".join(copied)


def test_statements_are_full_sentences(curated_kg: KG) -> None:
    bad = []
    for st in curated_kg.statements:
        text = st.text.strip()
        if not text or text[0].islower() or not text.endswith(".") or len(words(text)) < 4:
            bad.append(f"{st.location.file}:{st.location.line}: {text!r}")
    assert not bad, "\n".join(bad)


def test_every_content_section_has_statements(curated_kg: KG) -> None:
    report = coverage(curated_kg, DATA)
    assert report["uncovered"] == []
    for section in CONTENT_SECTIONS:
        assert report["sections"][section]["statements"] > 0, section
    # The sections the review develops at length carry many statements.
    for section, at_least in {"2.1": 15, "2.2": 15, "2.3": 15, "3": 25, "4.1": 40, "4.2": 15,
                              "5.1": 25, "5.2": 25, "T1": 10, "T2": 10}.items():
        assert report["sections"][section]["statements"] >= at_least, section


#: Every name the review uses for a gene, protein, cell, drug, disease, process, biomarker, adverse
#: event, intervention or host factor (section in brackets in the comment when not obvious).
REVIEW_NAMES = [
    # genes, proteins, families
    "VEGF", "VEGF-A", "VEGFR2", "ANG-2", "Ang2", "angiopoietin-2", "TIE2", "Tie2", "PD-1", "PD-L1",
    "CTLA-4", "IFN-γ", "interferon-γ", "FGF", "DLL4", "NOTCH1", "IL-2", "IL-10", "IL-23", "ICOS", "HLA-DR",
    "CD3", "CD8", "CD4", "LDH", "lactate dehydrogenase", "angiopoietin family",
    # cells
    "T cell", "CD8+ T cell", "CD4+ T cell", "regulatory T cell", "Tregs", "myeloid-derived suppressor cells",
    "MDSCs", "cytotoxic T lymphocytes", "macrophage", "M1 macrophage", "endothelial cells",
    "tumor-associated fibroblast", "tumor cell", "tumor-infiltrating lymphocytes", "microglia",
    # drugs and classes
    "atezolizumab", "bevacizumab", "pembrolizumab", "nivolumab", "ipilimumab", "tremelimumab", "toripalimab",
    "camrelizumab", "lenvatinib", "axitinib", "apatinib", "temozolomide", "MEDI3617", "DC101",
    "steppogenin", "immune checkpoint inhibitor", "ICIs", "anti-angiogenic agent", "VEGFR TKIs",
    "anti-VEGF monoclonal antibody", "Ang2 inhibitor", "PD-1 inhibitor", "PD-L1 inhibitor",
    "CTLA-4 inhibitor", "endostatin", "chemotherapy",
    # diseases
    "melanoma", "cutaneous melanoma", "mucosal melanoma", "acral melanoma", "melanoma brain metastasis",
    "MBM", "advanced melanoma", "metastatic melanoma", "non-small cell lung cancer", "renal cell carcinoma",
    "hepatocellular carcinoma", "colorectal cancer", "skin cancer",
    # processes and phenotypes
    "angiogenesis", "pathological angiogenesis", "vascular normalization", "T-cell infiltration",
    "CD8+ T-cell infiltration", "T-cell activation", "T-cell function", "endothelial cell proliferation",
    "endothelial cell migration", "vascular leakage", "vessel maturation", "tumor vascular density",
    "tumor perfusion", "tumor oxygenation", "tumor hypoxia", "immunosuppression", "immune evasion",
    "antitumor immunity", "tumor progression", "M1 macrophage polarization", "vascular stability",
    "endothelial activation", "neuroinflammation", "mitochondrial dysfunction",
    # biomarkers (Table 2, 5.2, 6)
    "circulating VEGF-A", "circulating ANG-2", "endothelial activation signatures", "T-cell-inflamed GEP",
    "tumor mutational burden", "TMB", "serum LDH", "tumor-associated antibodies", "microbiome signatures",
    "randomized controlled trial",
    # safety
    "hypertension", "myocarditis", "heart failure", "thrombosis", "bleeding", "cardiomyopathy",
    "ischemic heart disease", "rash", "pruritus", "depigmentation", "vitiligo", "irAEs",
    "cardiovascular toxicity", "hepatotoxicity", "endocrine toxicity", "neurotoxicity", "skin toxicity",
    "ACE inhibitor", "calcium channel blocker", "topical corticosteroid", "systemic corticosteroid",
    "pausing immunotherapy", "multidisciplinary team", "cardiac monitoring", "perfusion imaging",
    "autoantibody monitoring", "lower starting dose", "patient education",
    "pre-existing autoimmune disease", "pAID", "advanced age", "gut microbiota", "brain metastases",
    "high tumor burden",
]


def name_words(name: str) -> list[str]:
    return [normalise(w) for w in re.split(r"[\s/()]+", name) if normalise(w)]


def test_every_review_name_is_in_the_graph_or_excluded(curated_kg: KG) -> None:
    index = NameIndex.build(curated_kg.entities.values())
    excluded = [name_words(row["name"]) for row in exclusions(DATA)]
    missing = []
    for name in REVIEW_NAMES:
        key = name_words(name)
        # An exclusion row names the thing, possibly with a qualifier after it ("X (as ...)", "X in ...").
        if any(row[:len(key)] == key for row in excluded):
            continue
        try:
            index.resolve(name)
        except UnknownEntity:
            missing.append(name)
    assert not missing, f"neither in the graph nor in data/exclusions/: {missing}"


def test_exclusions_give_reasons() -> None:
    rows = exclusions(DATA)
    assert len(rows) >= 20
    for row in rows:
        assert len(words(row["reason"])) >= 4, row
        assert all(s in CONTENT_SECTIONS for s in row["section"].split(";")), row
