"""What INDRA and OmniPath users load into Cytoscape first: SIF with signed edge and node attribute
tables, and a Cytoscape.js style (also importable by Cytoscape desktop) for our ``cytoscape`` export that
colours and shapes nodes by category and draws edges by sign as our page does (kg.views.style).

SIF lines are ``source<TAB>interaction<TAB>target``; Cytoscape names an imported edge
``source (interaction) target``, the ``shared name`` key of ``edge_attributes.tsv``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from kg.core.vocab import CATEGORIES
from kg.views.records import edge_record, node_record, sorted_edges
from kg.views.style import SIGN_COLOURS, category_style, edge_width

if TYPE_CHECKING:
    from kg.views.select import View

#: vis-network shapes (kg.views.style) as Cytoscape.js node shapes.
CY_SHAPES = {"ellipse": "ellipse", "dot": "ellipse", "diamond": "diamond", "triangle": "triangle",
             "triangleDown": "vee", "hexagon": "hexagon", "box": "round-rectangle", "square": "rectangle",
             "database": "barrel", "star": "star", "text": "round-rectangle"}
#: Arrowheads by sign, as the page draws them: increase an arrow, decrease a bar, unsigned none.
CY_ARROWS = {1: "triangle", -1: "tee", 0: "none"}


def _cell(value: Any) -> str:
    text = "|".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return " ".join(text.replace("\t", " ").split())


def sif(view: View) -> dict[str, str]:
    """``network.sif``, ``edge_attributes.tsv`` (sign, evidence, statement id, citations per edge) and
    ``node_attributes.tsv`` (label, category)."""
    lines, edges = [], ["shared name\tsign\tsign_label\tcausal\tevidence\tevidence_rank\tstatement_id\tcitations"]
    labels = {1: "+", -1: "-", 0: "?"}
    for key in sorted_edges(view):
        r = edge_record(view, key)
        lines.append(f"{r['subject']}\t{r['predicate']}\t{r['object']}")
        edges.append("\t".join(_cell(x) for x in (
            f"{r['subject']} ({r['predicate']}) {r['object']}", r["sign"], labels.get(r["sign"], "?"),
            str(r["causal"]).lower(), r["evidence"], r["evidence_rank"], key, r["citations"])))
    nodes = ["shared name\tlabel\tcategory"]
    for n in view.nodes:
        rec = node_record(view, n)
        nodes.append("\t".join(_cell(x) for x in (n, rec["label"], rec["category"])))
    return {"network.sif": "\n".join(lines) + "\n", "edge_attributes.tsv": "\n".join(edges) + "\n",
            "node_attributes.tsv": "\n".join(nodes) + "\n"}


def cytoscape_style(view: View | None = None) -> str:
    """A Cytoscape.js style (``[{"format_version", "title", "style": [{selector, css}]}]``, the form
    Cytoscape desktop exports and imports) for the ``cytoscape`` export's ``category``, ``sign`` and
    ``evidence_rank`` data fields."""
    rules: list[dict[str, Any]] = [
        {"selector": "node", "css": {"label": "data(name)", "font-size": 10, "text-valign": "center",
                                     "background-color": category_style("entity").colour}},
        {"selector": "edge", "css": {"curve-style": "bezier", "width": edge_width(1),
                                     "line-color": SIGN_COLOURS[0], "target-arrow-color": SIGN_COLOURS[0],
                                     "target-arrow-shape": CY_ARROWS[0]}},
    ]
    for key in CATEGORIES:
        style = category_style(key)
        rules.append({"selector": f"node[category = '{key}']",
                      "css": {"background-color": style.colour, "shape": CY_SHAPES.get(style.shape, "ellipse")}})
    for sign, op in ((1, "> 0"), (-1, "< 0")):
        rules.append({"selector": f"edge[sign {op}]",
                      "css": {"line-color": SIGN_COLOURS[sign], "target-arrow-color": SIGN_COLOURS[sign],
                              "target-arrow-shape": CY_ARROWS[sign]}})
    for rank in range(1, 7):
        rules.append({"selector": f"edge[evidence_rank = {rank}]", "css": {"width": edge_width(rank)}})
    doc = [{"format_version": "1.0", "generated_by": "ivkg", "target_cytoscapejs_version": "~3.2",
            "title": "ivkg", "style": rules}]
    return json.dumps(doc, indent=1) + "\n"
