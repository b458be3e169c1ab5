"""How the graph looks wherever it is drawn: colour and shape per category, colour per sign, line width per
evidence level. The interactive page (:mod:`kg.views.viz`) and the DOT and Mermaid exports
(:mod:`kg.export.text`) draw with these, so a drug looks the same on a page and on a slide.

>>> category_style("antibody").shape, sign_colour(-1)
('diamond', '#c62828')
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.core.vocab import CATEGORIES


@dataclass(frozen=True)
class CategoryStyle:
    colour: str
    #: A vis-network node shape.
    shape: str


#: Colour and shape per category (colour-blind-safe Tableau 10 hues; shapes tell drugs from targets).
CATEGORY_STYLES: dict[str, CategoryStyle] = {
    "entity": CategoryStyle("#bab0ac", "ellipse"),
    "gene": CategoryStyle("#4e79a7", "ellipse"),
    "protein_family": CategoryStyle("#a0cbe8", "ellipse"),
    "drug": CategoryStyle("#e15759", "diamond"),
    "antibody": CategoryStyle("#e15759", "diamond"),
    "small_molecule": CategoryStyle("#f28e2b", "triangle"),
    "natural_compound": CategoryStyle("#ffbe7d", "triangle"),
    "drug_class": CategoryStyle("#ff9da7", "hexagon"),
    "cell_type": CategoryStyle("#59a14f", "dot"),
    "process_or_phenotype": CategoryStyle("#b07aa1", "box"),
    "process": CategoryStyle("#b07aa1", "box"),
    "phenotype": CategoryStyle("#d4a6c8", "box"),
    "disease": CategoryStyle("#9c755f", "database"),
    "clinical_trial": CategoryStyle("#76b7b2", "square"),
    "biomarker": CategoryStyle("#edc948", "star"),
    "adverse_event": CategoryStyle("#d37295", "triangleDown"),
    "intervention": CategoryStyle("#8cd17d", "square"),
    "host_factor": CategoryStyle("#79706e", "dot"),
    "publication": CategoryStyle("#d7b5a6", "text"),
    # A combination of drugs: the drug red, with the shape of a group.
    "regimen": CategoryStyle("#e15759", "hexagon"),
}
SIGN_COLOURS = {1: "#2e7d32", -1: "#c62828", 0: "#8a8a8a"}
SIGN_NAMES = {1: "increase (arrowhead)", -1: "decrease (bar)", 0: "unsigned relation"}


def category_style(category: str) -> CategoryStyle:
    cur: str | None = category
    while cur is not None:
        if cur in CATEGORY_STYLES:
            return CATEGORY_STYLES[cur]
        cur = CATEGORIES[cur].parent if cur in CATEGORIES else None
    return CATEGORY_STYLES["entity"]


def sign_colour(sign: int) -> str:
    return SIGN_COLOURS.get(sign, SIGN_COLOURS[0])


def edge_width(evidence_rank: int) -> float:
    """Line width grows with the evidence level (1 review assertion -> 1.5, 6 pharmacology -> 6)."""
    return 0.6 + 0.9 * max(1, min(6, evidence_rank))
