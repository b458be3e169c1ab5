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


def gexf(view: View) -> str:
    import networkx as nx

    g = flat_graph(view)
    for n, d in g.nodes(data=True):
        # GEXF has its own 'label' column; networkx maps a node attribute 'label' onto it.
        d.setdefault("label", n)
    text = "\n".join(nx.generate_gexf(g, encoding="utf-8", prettyprint=True, version="1.2draft"))
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
    """networkx node-link JSON (``networkx.node_link_graph(data, edges="edges")`` reads it back)."""
    nodes = [node_record(view, n) for n in view.nodes]
    edges = []
    for key in sorted_edges(view):
        rec = edge_record(view, key)
        edges.append({"source": rec.pop("subject"), "target": rec.pop("object"), "key": key, **rec})
    data = {"directed": True, "multigraph": True, "graph": provenance(view), "nodes": nodes, "edges": edges}
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
