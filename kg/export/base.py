"""What every exporter shares besides the view's records: the format enum, its aliases and the error.

>>> parse_format("ttl") is Format.TURTLE
True
"""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"
    GRAPHML = "graphml"
    GEXF = "gexf"
    NODE_LINK = "node-link"
    CYTOSCAPE = "cytoscape"
    KGX = "kgx"
    NEO4J = "neo4j"
    DOT = "dot"
    MERMAID = "mermaid"
    CSV = "csv"
    SIF = "sif"
    CYTOSCAPE_STYLE = "cytoscape-style"


#: Other names people type for a format.
ALIASES: dict[str, Format] = {
    "ttl": Format.TURTLE,
    "nt": Format.NTRIPLES,
    "n-triples": Format.NTRIPLES,
    "json-ld": Format.JSONLD,
    "node_link": Format.NODE_LINK,
    "nodelink": Format.NODE_LINK,
    "json": Format.NODE_LINK,
    "cytoscape.js": Format.CYTOSCAPE,
    "cyjs": Format.CYTOSCAPE,
    "kgx-tsv": Format.KGX,
    "neo4j-csv": Format.NEO4J,
    "graphviz": Format.DOT,
    "gv": Format.DOT,
    "mmd": Format.MERMAID,
    "cyjs-style": Format.CYTOSCAPE_STYLE,
}

#: Formats written as a folder of files rather than one file.
FOLDER_FORMATS = frozenset({Format.KGX, Format.NEO4J, Format.SIF})


class ExportError(ValueError):
    """An export that cannot be made: unknown format, unusable output path, view without its model."""


def parse_format(text: str) -> Format:
    key = text.strip().lower()
    if key in Format._value2member_map_:
        return Format(key)
    if key in ALIASES:
        return ALIASES[key]
    raise ExportError(f"unknown export format {text!r} (choose from {', '.join(f.value for f in Format)})")
