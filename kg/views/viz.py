"""Interactive, self-contained HTML pages of a view, drawn with pyvis (vis-network).

The page works from a file with no network: vis-network's script and stylesheet are inlined from the
copy pyvis ships, and pyvis's own template (which links Bootstrap and vis-network from CDNs) is not
used. A Content-Security-Policy allows only the page's own scripts (by hash) and no requests at all.

Every data string travels in one JSON block (``<`` ``>`` ``&`` escaped as ``\\u003c``...) and is put on
the page with ``textContent`` by the page's script; tooltips are DOM elements, never HTML strings, so a
label like ``<img src=x onerror=...>`` shows as text. Links are set only for ``http(s)`` addresses that
:attr:`kg.core.model.Curie.link` builds.

pyvis (which imports IPython) is imported only inside :func:`render_html`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.core.render import printable
from kg.core.vocab import CATEGORIES, EVIDENCE_LEVELS, PREDICATES
from kg.views.style import SIGN_COLOURS, SIGN_NAMES, category_style, edge_width, sign_colour

if TYPE_CHECKING:
    from kg.views.select import View


#: Views larger than this get a short, capped physics stabilisation and no initial clustering layout.
LARGE_VIEW = 150


def _arrows(sign: int) -> dict[str, Any]:
    kind = {1: "arrow", -1: "bar", 0: "vee"}.get(sign, "vee")
    return {"to": {"enabled": True, "type": kind, "scaleFactor": 0.5 if sign == 0 else 0.9}}


def _options(view: View, n_nodes: int) -> dict[str, Any]:
    interaction = {
        "hover": True,
        "tooltipDelay": 150,
        "navigationButtons": False,
        "hideEdgesOnDrag": n_nodes > LARGE_VIEW,
        "multiselect": False,
    }
    if view.levels:
        return {
            "layout": {
                "hierarchical": {
                    "enabled": True,
                    "direction": "LR",
                    "sortMethod": "directed",
                    "levelSeparation": 260,
                    "nodeSpacing": 110,
                    "treeSpacing": 160,
                }
            },
            "physics": {"enabled": False},
            "edges": {
                "smooth": {
                    "enabled": True,
                    "type": "cubicBezier",
                    "forceDirection": "horizontal",
                    "roundness": 0.4,
                },
                "font": {"size": 11, "align": "middle"},
            },
            "interaction": interaction,
        }
    large = n_nodes > LARGE_VIEW
    return {
        "layout": {"improvedLayout": not large, "randomSeed": 7},
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -6000 if not large else -3000,
                "springLength": 140,
                "springConstant": 0.03,
                "damping": 0.5,
                "avoidOverlap": 0.1,
            },
            # Stabilise once, capped, then the page turns physics off (see viz_page.js).
            "stabilization": {
                "enabled": True,
                "updateInterval": 50,
                "iterations": 400 if not large else (150 if n_nodes <= 1000 else 60),
                "fit": True,
            },
        },
        "edges": {"smooth": {"enabled": not large, "type": "dynamic"}, "font": {"size": 10}},
        "interaction": interaction,
    }


def page_data(view: View) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready records (the vis options come from pyvis)."""
    from pyvis.network import Network

    from kg.views.records import edge_record, node_record, sorted_edges

    net = Network(directed=True)
    nodes: list[dict[str, Any]] = []
    for n in view.nodes:
        rec = node_record(view, n)
        style = category_style(rec["category"])
        extra: dict[str, Any] = {"level": view.levels[n]} if n in view.levels else {}
        net.add_node(
            n,
            label=rec["label"],
            shape=style.shape,
            color={
                "background": style.colour,
                "border": "#333333",
                "highlight": {"background": style.colour, "border": "#000000"},
            },
            borderWidth=3 if n in view.anchors else 1,
            font={"size": 14},
            **extra,
        )
        nodes.append(
            {
                k: rec[k]
                for k in (
                    "id",
                    "label",
                    "category",
                    "category_label",
                    "url",
                    "description",
                    "synonyms",
                    "xrefs",
                )
            }
        )
    edges: list[dict[str, Any]] = []
    for key in sorted_edges(view):
        rec = edge_record(view, key)
        net.add_edge(
            rec["subject"],
            rec["object"],
            id=key,
            color={
                "color": sign_colour(rec["sign"]),
                "highlight": sign_colour(rec["sign"]),
                "hover": sign_colour(rec["sign"]),
            },
            arrows=_arrows(rec["sign"]),
            width=round(edge_width(rec["evidence_rank"]), 2),
            dashes=not rec["causal"],
            label=rec["predicate_label"] if view.levels else None,
        )
        cites = []
        ends = view.edge_ends[key]
        data = view.graph.edges[ends[0], ends[1], key]
        for c in data.get("citations", []) or []:
            text = str(c["id"]) if c.get("id") else f"review reference {c.get('ref')}"
            cites.append({"text": text, "url": c.get("url") or ""})
        context = "; ".join(x for x in (rec["species"], rec["model_system"], rec["setting"]) if x)
        edges.append(
            {
                "id": key,
                "subject_label": rec["subject_label"],
                "object_label": rec["object_label"],
                # An edge kept with its own Biolink predicate names it: "enables (biolink:enables)".
                "predicate": rec["predicate_label"] if rec["predicate"] in PREDICATES
                else f"{rec['predicate_label']} ({rec['predicate']})",
                "sign": rec["sign"],
                "causal": rec["causal"],
                "evidence": rec["evidence_label"],
                "context": context,
                "sections": rec["sections"],
                "statement": rec["statement"],
                "note": rec["note"],
                "citations": cites,
            }
        )
    vis_nodes, vis_edges = net.get_network_data()[:2]
    for rec, vis in zip(nodes, vis_nodes, strict=True):
        rec["vis"] = vis
    for rec, vis in zip(edges, vis_edges, strict=True):
        rec["vis"] = {k: v for k, v in vis.items() if v is not None}
    present = sorted({n["category"] for n in nodes})
    legend = {
        "categories": [
            {
                "label": CATEGORIES[c].label if c in CATEGORIES else c,
                "colour": category_style(c).colour,
                "shape": category_style(c).shape,
            }
            for c in present
        ],
        "signs": [{"label": SIGN_NAMES[s], "colour": SIGN_COLOURS[s]} for s in (1, -1, 0)],
        "evidence": [
            {"label": e.label, "width": edge_width(e.rank)}
            for e in sorted(EVIDENCE_LEVELS.values(), key=lambda e: -e.rank)
        ],
    }
    return _visible({
        "title": view.title,
        "kind": view.kind,
        "selection": dict(view.selection),
        "nodes": nodes,
        "edges": edges,
        "legend": legend,
        "options": _options(view, len(nodes)),
    })


def _visible(obj: Any) -> Any:
    """Every string of the page data with control and bidi-override characters shown as escapes (a
    U+202E in a label would otherwise show the rest of it reversed, on the canvas and in the panels)."""
    if isinstance(obj, str):
        return printable(obj)
    if isinstance(obj, dict):
        return {k: _visible(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_visible(v) for v in obj]
    return obj


def script_json(data: Any) -> str:
    """JSON safe inside a ``<script>`` block: no ``<``, ``>`` or ``&`` survive, nor JS line separators."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, esc)
    return text


def _asset(package: str, *parts: str) -> str:
    return resources.files(package).joinpath(*parts).read_text(encoding="utf-8")


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def render_html(view: View) -> str:
    """The whole page as one string (deterministic for the same view and pyvis version)."""
    data = page_data(view)
    vis_js = _asset("pyvis", "templates", "lib", "vis-9.1.2", "vis-network.min.js")
    vis_css = _asset("pyvis", "templates", "lib", "vis-9.1.2", "vis-network.css")
    page_js = _asset("kg.views", "viz_page.js")
    page_css = _asset("kg.views", "viz_page.css")
    for name, text in (("vis-network.min.js", vis_js), ("viz_page.js", page_js)):
        if "</script" in text.lower():  # pragma: no cover - a changed asset would break the page
            raise ValueError(f"{name} contains '</script' and cannot be inlined")
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(vis_js)} {_csp_hash(page_js)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'"
    )
    title = html.escape(printable(view.title), quote=True)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="ivkg kg viz">',
            f"<title>{title}</title>",
            f"<style>{vis_css}</style>",
            f"<style>{page_css}</style>",
            "</head>",
            "<body>",
            '<header><h1 id="ivkg-title"></h1><p id="ivkg-summary"></p>'
            '<input id="ivkg-search" type="search" placeholder="Find an entity by name" aria-label="Find">'
            "</header>",
            '<main><div id="ivkg-network"></div>'
            '<aside id="ivkg-side"><section id="ivkg-details"></section><section id="ivkg-legend"></section>'
            "</aside></main>",
            f'<script type="application/json" id="ivkg-data">{script_json(data)}</script>',
            f"<script>{vis_js}</script>",
            f"<script>{page_js}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def write_html(view: View, path: Path | str) -> Path:
    """Render and write the page atomically (a failure leaves no file behind)."""
    from kg.core.files import write_all

    text = render_html(view)
    target = Path(path)
    write_all({target: text})
    return target
