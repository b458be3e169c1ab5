"""Exporting a :class:`~kg.views.select.View` to the formats other tools read: one :func:`export` with a
format enum (like ``pyoxigraph.serialize``), the renderers split by family into the modules of this package
(:mod:`kg.export.rdf`, :mod:`~kg.export.graph`, :mod:`~kg.export.tables`, :mod:`~kg.export.text`).

Every renderer returns text in memory; :func:`export` then writes all files of the format atomically, so
an error never leaves a partial file. Output is sorted and carries no timestamps: the same view always
gives the same bytes. Provenance (the source review, the selection that made the view, each statement's
citations) goes wherever the format can hold it; the records every renderer shares are in
:mod:`kg.views.records`. The renderers import neither this module nor each other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.core.files import write_all
from kg.export.base import ALIASES, FOLDER_FORMATS, ExportError, Format, parse_format

if TYPE_CHECKING:
    from kg.views.select import View

__all__ = ["ALIASES", "FOLDER_FORMATS", "ExportError", "Format", "export", "parse_format", "render"]


def render(view: View, fmt: Format | str) -> dict[str, str]:
    """The files of ``fmt`` for ``view`` as ``{relative name: text}`` (name ``""`` for one-file formats)."""
    fmt = parse_format(fmt) if not isinstance(fmt, Format) else fmt
    from kg.export import cytoscape as export_cy
    from kg.export import graph as export_graph
    from kg.export import rdf as export_rdf
    from kg.export import tables as export_tables
    from kg.export import text as export_text

    renderers: dict[Format, Callable[[View], dict[str, str]]] = {
        Format.TURTLE: lambda v: {"": export_rdf.turtle(v)},
        Format.NTRIPLES: lambda v: {"": export_rdf.ntriples(v)},
        Format.JSONLD: lambda v: {"": export_rdf.jsonld(v)},
        Format.GRAPHML: lambda v: {"": export_graph.graphml(v)},
        Format.GEXF: lambda v: {"": export_graph.gexf(v)},
        Format.NODE_LINK: lambda v: {"": export_graph.node_link(v)},
        Format.CYTOSCAPE: lambda v: {"": export_graph.cytoscape(v)},
        Format.KGX: export_tables.kgx,
        Format.NEO4J: export_tables.neo4j,
        Format.DOT: lambda v: {"": export_text.dot(v)},
        Format.MERMAID: lambda v: {"": export_text.mermaid(v)},
        Format.CSV: lambda v: {"": export_tables.csv_edges(v)},
        Format.SIF: export_cy.sif,
        Format.CYTOSCAPE_STYLE: lambda v: {"": export_cy.cytoscape_style(v)},
    }
    return renderers[fmt](view)


def export(view: View, path: Path | str, fmt: Format | str) -> list[Path]:
    """Write ``view`` as ``fmt`` to ``path`` (a file, or a folder for KGX and Neo4j); return the files."""
    fmt = parse_format(fmt) if not isinstance(fmt, Format) else fmt
    path = Path(path)
    if fmt in FOLDER_FORMATS:
        if path.exists() and not path.is_dir():
            raise ExportError(f"{path} is a file; the {fmt.value} export writes a folder of files")
    elif path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name for the {fmt.value} export")
    files = render(view, fmt)
    targets = {(path / name if name else path): text for name, text in files.items()}
    write_all(targets)
    return sorted(targets)
