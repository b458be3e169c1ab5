"""Text diagram exports of a view: Graphviz DOT and Mermaid (for slides, wikis and Markdown).

Both use the page's styling (:mod:`kg.views.viz`): nodes coloured by category, edges coloured by sign, a tee
for a decrease and an arrowhead for an increase, pen width by evidence level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.views.records import edge_record, node_record, provenance, sorted_edges
from kg.views.style import category_style, edge_width, sign_colour

if TYPE_CHECKING:
    from kg.views.select import View

_DOT_SHAPES = {
    "ellipse": "ellipse",
    "box": "box",
    "diamond": "diamond",
    "triangle": "triangle",
    "triangleDown": "invtriangle",
    "dot": "circle",
    "square": "square",
    "hexagon": "hexagon",
    "star": "star",
    "database": "cylinder",
    "text": "plaintext",
}


def dot_string(text: str) -> str:
    """A DOT double-quoted string: backslashes, quotes and line breaks escaped."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{text}"'


def dot(view: View) -> str:
    prov = provenance(view)
    lines = [f"// {k}: {' '.join(v.split())}" for k, v in prov.items()]
    lines.append("digraph ivkg {")
    lines.append(f"  graph [rankdir=LR, label={dot_string(view.title)}, labelloc=t, fontname=Helvetica];")
    lines.append("  node [style=filled, fontname=Helvetica, fontsize=11];")
    lines.append("  edge [fontname=Helvetica, fontsize=9];")
    for n in view.nodes:
        rec = node_record(view, n)
        style = category_style(rec["category"])
        attrs = [
            f"label={dot_string(rec['label'])}",
            f"shape={_DOT_SHAPES.get(style.shape, 'ellipse')}",
            f"fillcolor={dot_string(style.colour)}",
            f"tooltip={dot_string(rec['category_label'] + ' ' + n)}",
        ]
        if rec["url"]:
            attrs.append(f"URL={dot_string(rec['url'])}")
        lines.append(f"  {dot_string(n)} [{', '.join(attrs)}];")
    for key in sorted_edges(view):
        rec = edge_record(view, key)
        head = {1: "normal", -1: "tee", 0: "vee"}[rec["sign"]]
        tip = f"{rec['statement']} [{rec['evidence_label']}; {'; '.join(rec['citations'])}]"
        attrs = [
            f"id={dot_string(key)}",
            f"label={dot_string(rec['predicate_label'])}",
            f"color={dot_string(sign_colour(rec['sign']))}",
            f"arrowhead={head}",
            f"penwidth={edge_width(rec['evidence_rank']):.1f}",
            f"tooltip={dot_string(tip)}",
        ]
        if not rec["causal"]:
            attrs.append("style=dashed")
        lines.append(f"  {dot_string(rec['subject'])} -> {dot_string(rec['object'])} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label: characters Mermaid would read as syntax or HTML become entity
    codes (``#quot;``, ``#lt;``), so a label can never break out of its quotes or inject markup."""
    out = []
    for ch in " ".join(text.split()):
        if ch.isalnum() or ch in " .,-+_/()'?!%=*~^@$[]{}":
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


def mermaid(view: View) -> str:
    prov = provenance(view)
    lines = [f"%% {k}: {' '.join(v.split())}" for k, v in prov.items()]
    lines.append("flowchart LR")
    ids = {n: f"n{i}" for i, n in enumerate(view.nodes)}
    classes: dict[str, str] = {}
    for n in view.nodes:
        rec = node_record(view, n)
        style = category_style(rec["category"])
        cls = f"cat_{rec['category']}"
        classes[cls] = style.colour
        lines.append(f'  {ids[n]}["{mermaid_text(rec["label"])}"]:::{cls}')
    link_styles = []
    for i, key in enumerate(sorted_edges(view)):
        rec = edge_record(view, key)
        arrow = {1: "-->", -1: "--x", 0: "-.->"}[rec["sign"]]
        if not rec["causal"] and rec["sign"] != 0:
            arrow = {1: "-.->", -1: "-.-x"}[rec["sign"]]
        lines.append(
            f'  {ids[rec["subject"]]} {arrow}|"{mermaid_text(rec["predicate_label"])}"| {ids[rec["object"]]}'
        )
        link_styles.append(
            f"  linkStyle {i} stroke:{sign_colour(rec['sign'])},"
            f"stroke-width:{edge_width(rec['evidence_rank']):.1f}px"
        )
    lines.extend(link_styles)
    for cls, colour in sorted(classes.items()):
        lines.append(f"  classDef {cls} fill:{colour},stroke:#333333,color:#000000")
    lines.extend(f"%% {ids[n]} = {n}" for n in view.nodes)
    return "\n".join(lines) + "\n"
