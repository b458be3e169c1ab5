"""The views the pages draw and download: an entity's neighbourhood and the nodes of ranked paths.

Both are :class:`kg.views.select.View` objects, so the drawing data comes from :func:`kg.views.viz.page_data`
(the records ``kg viz`` draws) and the downloads from :func:`kg.export.render` (the formats of
``kg export``). The curated graph's networkx form is built once per server; with a ``--store`` only the
few nodes a view touches are turned into a model (:func:`kg.store.views.kg_of`).
"""

from __future__ import annotations

import io
import threading
import zipfile
from typing import TYPE_CHECKING, Any

from kg.core.model import KG

if TYPE_CHECKING:
    from kg.paths.search import PathSearch
    from kg.views.select import View
    from kg.web.service import Service

#: The formats of ``kg export`` offered as downloads (kgx and neo4j, folders of files, come zipped).
EXPORT_FORMATS = ("turtle", "ntriples", "jsonld", "graphml", "gexf", "node-link", "cytoscape", "kgx", "neo4j",
                  "csv", "dot", "mermaid")
#: Media types of the export formats (the rest are plain text).
MEDIA = {"turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
         "graphml": "application/xml", "gexf": "application/xml", "node-link": "application/json",
         "cytoscape": "application/json", "csv": "text/csv", "dot": "text/vnd.graphviz",
         "mermaid": "text/plain"}
SUFFIX = {"turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld", "graphml": "graphml", "gexf": "gexf",
          "node-link": "json", "cytoscape": "cyjs", "csv": "csv", "dot": "dot", "mermaid": "mmd"}

_nx_lock = threading.Lock()
_nx_cache: dict[int, Any] = {}


def curated_nx(kg: KG) -> Any:
    """The networkx graph of the curated model, built once per model."""
    with _nx_lock:
        if id(kg) not in _nx_cache:
            from kg.graphs.nx import to_networkx

            _nx_cache.clear()
            _nx_cache[id(kg)] = (kg, to_networkx(kg))
        return _nx_cache[id(kg)][1]


def _graph_for(service: Service, model: KG, nodes: list[str]) -> tuple[Any, KG]:
    if service.store is None:
        return curated_nx(service.kg), service.kg
    from kg.graphs.nx import to_networkx
    from kg.store.views import kg_of

    small = model if model is not service.kg else kg_of(service.path_graph, nodes, service.kg)
    return to_networkx(small), small


#: A drawing of a neighbourhood in a --store shows at most this many nodes (hubs have thousands).
MAX_DRAWN = 150


def entity_view(service: Service, model: KG, entity: str) -> View:
    """The entity and its neighbours one step away (what ``kg viz --focus ENTITY --radius 1`` draws); in a
    store, the first :data:`MAX_DRAWN` of them."""
    from kg.views.select import select

    if service.store is not None:  # the card's model: the statements at the entity, to its neighbours
        from kg.graphs.nx import to_networkx
        from kg.views.select import View

        graph = to_networkx(model)
        near = [n for n in dict.fromkeys([*graph.successors(entity), *graph.predecessors(entity)]) if n != entity]
        nodes = {entity, *near[:MAX_DRAWN]}
        edges = sorted(k for u, v, k in graph.edges(keys=True) if u in nodes and v in nodes)
        title = f"{_label(graph, entity)} and its neighbours within 1 step(s)"
        if len(near) > MAX_DRAWN:
            title += f" (the first {MAX_DRAWN} of {len(near)})"
        return View(graph, tuple(sorted(nodes)), tuple(edges), "focus", title, (entity,), {},
                    {"focus": entity, "radius": 1}, model)
    graph, kg = _graph_for(service, model, [entity])
    return select(graph, focus=entity, radius=1, kg=kg)


def path_view(service: Service, search: PathSearch) -> View | None:
    """The nodes and steps of the ranked paths, laid out left to right; None when no path was found."""
    from kg.views.select import View

    if not search.paths:
        return None
    nodes = sorted({n for p in search.paths for n in p.nodes})
    graph, kg = _graph_for(service, service.kg, nodes)
    present = {k for _, _, k in graph.edges(keys=True)}
    edges = sorted({s.edge_id for p in search.paths for s in p.steps} & present)
    levels: dict[str, int] = {search.source: 0}
    longest = max(len(p.nodes) - 1 for p in search.paths)
    for p in search.paths:
        for i, n in enumerate(p.nodes[1:-1], start=1):
            levels[n] = max(levels.get(n, 0), i)
    levels[search.target] = longest
    title = f"Mechanism paths from {_label(graph, search.source)} to {_label(graph, search.target)}"
    selection = {"path": [search.source, search.target],
                 **{k: v for k, v in search.params.items() if v not in (None, [], False)}}
    return View(graph, tuple(n for n in nodes if n in graph), tuple(edges), "path", title,
                (search.source, search.target), levels, selection, kg)


def _label(graph: Any, node: str) -> str:
    return str(graph.nodes[node].get("label", node)) if node in graph else node


def drawing(view: View | None) -> dict[str, Any] | None:
    """The JSON the page's script draws with vis-network (the records of ``kg viz``)."""
    if view is None:
        return None
    from kg.views.viz import page_data

    return page_data(view)


def download(view: View, fmt: str, stem: str) -> tuple[str, bytes, str]:
    """``(file name, body, media type)`` of the view in an export format; folder formats come zipped."""
    from kg.export import FOLDER_FORMATS, parse_format, render

    form = parse_format(fmt)
    files = render(view, form)
    if form in FOLDER_FORMATS or "" not in files:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(files):
                info = zipfile.ZipInfo(f"{stem}-{form.value}/{name}", date_time=(2000, 1, 1, 0, 0, 0))
                zf.writestr(info, files[name])
        return f"{stem}-{form.value}.zip", buf.getvalue(), "application/zip"
    media = MEDIA.get(form.value, "text/plain")
    return f"{stem}.{SUFFIX.get(form.value, 'txt')}", files[""].encode("utf-8"), media + "; charset=utf-8"
