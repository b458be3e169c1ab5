"""Graph-tool exports of a view: GraphML (yEd, Cytoscape, igraph), GEXF (Gephi), node-link JSON (networkx,
D3) and Cytoscape.js JSON (Cytoscape desktop and web).

GraphML and GEXF hold only scalar attributes, so lists (synonyms, sections, citations) are joined with
``|``; the JSON formats keep them as lists.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from kg.views.records import edge_record, node_record, provenance, sorted_edges

if TYPE_CHECKING:
    from kg.views.select import View

_JOIN = "|"


def _scalar(value: Any) -> Any:
    if isinstance(value, list):
        return _JOIN.join(str(v) for v in value)
    return value


def flat_graph(view: View):  # type: ignore[no-untyped-def]
    """A ``MultiDiGraph`` of the view with scalar attributes only, nodes and edges in sorted order."""
    import networkx as nx

    g = nx.MultiDiGraph()
    g.graph.update(provenance(view))
    for n in view.nodes:
        rec = node_record(view, n)
        g.add_node(n, **{k: _scalar(v) for k, v in rec.items() if k != "id"})
    for key in sorted_edges(view):
        rec = edge_record(view, key)
        attrs = {k: _scalar(v) for k, v in rec.items() if k not in ("subject", "object")}
        g.add_edge(rec["subject"], rec["object"], key=key, **attrs)
    return g


def graphml(view: View) -> str:
    import networkx as nx

    g = flat_graph(view)
    # networkx writes GraphML ids from the edge key; keep the statement id also as an attribute.
    return "\n".join(nx.generate_graphml(g, encoding="utf-8", prettyprint=True)) + "\n"


def _rgb(hex_colour: str) -> dict[str, Any]:
    h = hex_colour.lstrip("#")
    return {"r": int(h[0:2], 16), "g": int(h[2:4], 16), "b": int(h[4:6], 16), "a": 1.0}


#: vis-network shapes (kg.views.style) as the shapes GEXF's viz module has.
_GEXF_SHAPES = {"diamond": "diamond", "triangle": "triangle", "triangleDown": "triangle", "square": "square",
                "box": "square", "database": "square"}


def gexf(view: View) -> str:
    """GEXF 1.2 with the ``viz`` module: nodes coloured and shaped by category and sized by degree, edges
    coloured by sign and as thick as their evidence is strong (kg.views.style), so Gephi draws the graph
    as the page does."""
    import math

    import networkx as nx

    from kg.views.style import category_style, edge_width, sign_colour

    g = flat_graph(view)
    for n, d in g.nodes(data=True):
        # GEXF has its own 'label' column; networkx maps a node attribute 'label' onto it.
        d.setdefault("label", n)
        style = category_style(str(d.get("category", "entity")))
        d["viz"] = {"color": _rgb(style.colour), "size": round(8 + 4 * math.sqrt(g.degree(n)), 2),
                    "shape": _GEXF_SHAPES.get(style.shape, "disc")}
    for _, _, d in g.edges(data=True):
        d["viz"] = {"color": _rgb(sign_colour(int(d.get("sign", 0)))),
                    "thickness": round(edge_width(int(d.get("evidence_rank", 0))), 2)}
    text = "\n".join(nx.generate_gexf(g, encoding="utf-8", prettyprint=True, version="1.2draft"))
    # networkx also writes each multigraph edge's key as a 'networkx_key' attribute; ours is the edge id.
    m = re.search(r'\s*<attribute id="(\d+)" title="networkx_key" type="string" />', text)
    if m:
        text = text.replace(m.group(0), "", 1)
        text = re.sub(rf'\s*<attvalue for="{m.group(1)}" value="[^"]*" />', "", text)
    # networkx stamps today's date into <meta>; drop it so the same view gives the same bytes.
    text = re.sub(r' lastmodifieddate="[^"]*"', "", text, count=1)
    prov = provenance(view)
    desc = (
        f"{prov['title']}. Source: {prov['review_citation']} {prov['review']}. Selection: {prov['selection']}"
    )
    from xml.sax.saxutils import escape

    text = text.replace("</creator>", f"</creator>\n    <description>{escape(desc)}</description>", 1)
    return text + "\n"


def node_link(view: View) -> str:
    """Node-link JSON with ``links``, as D3 and networkx < 3.4 expect (networkx 3.4 and later:
    ``node_link_graph(data, edges="links")``)."""
    nodes = [node_record(view, n) for n in view.nodes]
    edges = []
    for key in sorted_edges(view):
        rec = edge_record(view, key)
        edges.append({"source": rec.pop("subject"), "target": rec.pop("object"), "key": key, **rec})
    data = {"directed": True, "multigraph": True, "graph": provenance(view), "nodes": nodes, "links": edges}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def cytoscape(view: View) -> str:
    """Cytoscape.js elements JSON (also ``networkx.cytoscape_graph``); ``interaction`` is the predicate."""
    nodes = []
    for n in view.nodes:
        rec = node_record(view, n)
        nodes.append({"data": {"id": n, "name": rec["label"], "value": n, **rec}})
    edges = []
    for key in sorted_edges(view):
        rec = edge_record(view, key)
        data = {
            "id": key,
            "source": rec["subject"],
            "target": rec["object"],
            "key": key,
            "interaction": rec["predicate"],
            "name": f"{rec['subject_label']} ({rec['predicate_label']}) {rec['object_label']}",
            **{k: v for k, v in rec.items() if k not in ("id",)},
        }
        edges.append({"data": data})
    doc = {
        "format_version": "1.0",
        "generated_by": provenance(view)["generator"],
        "target_cytoscapejs_version": "~3.2",
        "directed": True,
        "multigraph": True,
        "data": {"name": view.title, **provenance(view)},
        "elements": {"nodes": nodes, "edges": edges},
    }
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
