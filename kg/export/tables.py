"""Tabular exports of a view: KGX TSV (Biolink Model pipelines), Neo4j bulk-import CSV and a plain CSV of
statements for spreadsheets."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from kg.core.vocab import CATEGORIES, EVIDENCE_LEVELS, PREDICATES, REVIEW_DOI, SPECIES, category_ancestors
from kg.graphs.mapping import predicate_of
from kg.views.records import edge_record, node_record, provenance, sorted_edges

if TYPE_CHECKING:
    from kg.views.select import View

#: The knowledge source of every edge (a local infores; the project is not registered with Translator).
INFORES = "infores:ivkg"

#: Where the Biolink Model's prefix map spells a prefix differently from ours (``ivkg:`` stays: a local
#: prefix for concepts with no public identifier, which a KGX consumer must be told about).
KGX_PREFIXES = {"DOI": "doi", "NCT": "CLINICALTRIALS"}


def kgx_curie(text: str) -> str:
    """Our CURIE in the Biolink Model's spelling (``NCT:NCT0..`` -> ``CLINICALTRIALS:NCT0..``,
    ``PMC:PMC1`` -> ``PMC:1``)."""
    prefix, _, local = text.partition(":")
    if prefix == "PMC" and local.startswith("PMC"):
        return f"PMC:{local[3:]}"
    return f"{KGX_PREFIXES.get(prefix, prefix)}:{local}" if local else text


KGX_NODE_COLUMNS = ("id", "category", "name", "description", "synonym", "xref", "iri", "provided_by")
KGX_EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "qualified_predicate",
    "object_aspect_qualifier",
    "object_direction_qualifier",
    "species_context_qualifier",
    "negated",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "publications",
    "has_evidence",
    "original_predicate",
    "description",
    "ivkg_evidence",
)


def _table(columns: tuple[str, ...], rows: list[dict[str, str]], delimiter: str) -> str:
    if delimiter == "\t":
        # TSV without quoting (what KGX reads): cells never hold tabs or newlines (see _one_line).
        lines = ["\t".join(columns)]
        lines += ["\t".join(_one_line(str(row.get(c, "")), "\t") for c in columns) for row in rows]
        return "\n".join(lines) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()


def _one_line(text: str, forbid: str = "") -> str:
    text = " ".join(text.split())
    for ch in forbid:
        text = text.replace(ch, " ")
    return text


# --------------------------------------------------------------------------------------------------
# KGX
# --------------------------------------------------------------------------------------------------


def kgx(view: View) -> dict[str, str]:
    """``nodes.tsv`` and ``edges.tsv`` in KGX TSV: Biolink categories and predicates, the direction and
    aspect qualifiers of the predicate, publications, knowledge level and agent type."""
    from kg.graphs.prefixes import curie_of

    nodes = []
    for n in view.nodes:
        rec = node_record(view, n)
        nodes.append(
            {
                "id": kgx_curie(n),
                "category": rec["biolink_category"],
                "name": _one_line(rec["label"], "\t|"),
                "description": _one_line(rec["description"], "\t|"),
                "synonym": "|".join(_one_line(s, "\t|") for s in rec["synonyms"]),
                "xref": "|".join(kgx_curie(x) for x in rec["xrefs"]),
                "iri": curie_of(n).uri,
                "provided_by": INFORES,
            }
        )
    edges = []
    for key in sorted_edges(view):
        rec = edge_record(view, key)
        pred = predicate_of(rec["predicate"])
        # An edge kept with its own Biolink predicate (imported, not ours) says no more than it did.
        ours = pred.key in PREDICATES
        quals = dict(pred.biolink_qualifiers)
        # Every statement traces to the review: its DOI first, then the primary sources it cites.
        pubs = [f"doi:{REVIEW_DOI}", *(kgx_curie(c) for c in rec["citations"] if not c.startswith("review ref"))]
        pubs = list(dict.fromkeys(pubs))
        edges.append(
            {
                "id": key,
                "subject": kgx_curie(rec["subject"]),
                "predicate": pred.biolink,
                "object": kgx_curie(rec["object"]),
                "qualified_predicate": "biolink:causes" if quals else "",
                "object_aspect_qualifier": quals.get("object_aspect_qualifier", ""),
                "object_direction_qualifier": quals.get("object_direction_qualifier", ""),
                "species_context_qualifier": SPECIES.get(rec["species"], ""),
                # KGX reads any non-empty negated cell as true (bool("False")): leave it out when false.
                "negated": "",
                "knowledge_level": ("knowledge_assertion" if pred.causal or pred.sign == 0
                                    else "statistical_association") if ours else "not_provided",
                "agent_type": "manual_agent" if ours else "not_provided",
                "primary_knowledge_source": INFORES,
                "publications": "|".join(pubs),
                "has_evidence": EVIDENCE_LEVELS[rec["evidence"]].eco,
                "original_predicate": f"ivkg:{pred.key}" if ours else "",
                "description": _one_line(rec["statement"], "\t|"),
                # Our evidence level (has_evidence's ECO term is shared by some levels), for re-import.
                "ivkg_evidence": rec["evidence"],
            }
        )
    return {
        "nodes.tsv": _table(KGX_NODE_COLUMNS, nodes, "\t"),
        "edges.tsv": _table(KGX_EDGE_COLUMNS, edges, "\t"),
    }


# --------------------------------------------------------------------------------------------------
# Neo4j
# --------------------------------------------------------------------------------------------------

NEO4J_NODE_COLUMNS = (
    "id:ID",
    ":LABEL",
    "name",
    "category",
    "biolink_category",
    "description",
    "synonyms:string[]",
    "xrefs:string[]",
    "url",
    "outcomes:string[]",
)
NEO4J_EDGE_COLUMNS = (
    ":START_ID",
    ":END_ID",
    ":TYPE",
    "id",
    "predicate",
    "sign:int",
    "causal:boolean",
    "evidence",
    "evidence_rank:int",
    "species",
    "model_system",
    "setting",
    "sections:string[]",
    "citations:string[]",
    "citation_urls:string[]",
    "statement",
    "note",
    "source",
)


def neo4j_labels(category: str) -> str:
    """``Antibody;Drug;Entity``: the category's ontology class and its ancestors (array delimiter ``;``)."""
    return (
        ";".join(CATEGORIES[c].cls for c in category_ancestors(category))
        if category in CATEGORIES
        else "Entity"
    )


def neo4j_type(predicate: str) -> str:
    """``INCREASES_ACTIVITY``; a Biolink predicate kept as imported: ``BIOLINK_INTERACTS_WITH``."""
    return predicate.replace(":", "_").upper()


def neo4j(view: View) -> dict[str, str]:
    """``nodes.csv`` and ``relationships.csv`` for ``neo4j-admin database import full``
    (``--nodes=nodes.csv --relationships=relationships.csv``); arrays are ``;``-separated."""
    nodes = []
    for n in view.nodes:
        rec = node_record(view, n)
        nodes.append(
            {
                "id:ID": n,
                ":LABEL": neo4j_labels(rec["category"]),
                "name": _one_line(rec["label"]),
                "category": rec["category"],
                "biolink_category": rec["biolink_category"],
                "description": _one_line(rec["description"]),
                "synonyms:string[]": ";".join(_one_line(s, ";") for s in rec["synonyms"]),
                "xrefs:string[]": ";".join(rec["xrefs"]),
                "url": rec["url"],
                # Trial outcomes (ORR, PFS, OS, ...) as reported, e.g. "ORR 45%".
                "outcomes:string[]": ";".join(_one_line(o, ";") for o in rec["outcomes"]),
            }
        )
    source = provenance(view)["review"]
    rels = []
    for key in sorted_edges(view):
        rec = edge_record(view, key)
        rels.append(
            {
                ":START_ID": rec["subject"],
                ":END_ID": rec["object"],
                ":TYPE": neo4j_type(rec["predicate"]),
                "id": key,
                "predicate": rec["predicate"],
                "sign:int": str(rec["sign"]),
                "causal:boolean": "true" if rec["causal"] else "false",
                "evidence": rec["evidence"],
                "evidence_rank:int": str(rec["evidence_rank"]),
                "species": rec["species"],
                "model_system": _one_line(rec["model_system"]),
                "setting": _one_line(rec["setting"]),
                "sections:string[]": ";".join(rec["sections"]),
                "citations:string[]": ";".join(_one_line(c, ";") for c in rec["citations"]),
                "citation_urls:string[]": ";".join(rec["citation_urls"]),
                "statement": _one_line(rec["statement"]),
                "note": _one_line(rec["note"]),
                "source": source,
            }
        )
    return {
        "nodes.csv": _table(NEO4J_NODE_COLUMNS, nodes, ","),
        "relationships.csv": _table(NEO4J_EDGE_COLUMNS, rels, ","),
    }


# --------------------------------------------------------------------------------------------------
# Plain CSV
# --------------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "statement_id",
    "subject",
    "subject_label",
    "predicate",
    "object",
    "object_label",
    "sign",
    "evidence",
    "species",
    "model_system",
    "setting",
    "sections",
    "citations",
    "citation_urls",
    "statement",
    "note",
)


def csv_edges(view: View) -> str:
    """One row per statement, with labels and citations, for a spreadsheet."""
    rows = []
    for key in sorted_edges(view):
        rec = edge_record(view, key)
        rows.append(
            {
                "statement_id": key,
                "subject": rec["subject"],
                "subject_label": rec["subject_label"],
                "predicate": rec["predicate"],
                "object": rec["object"],
                "object_label": rec["object_label"],
                "sign": {1: "+", -1: "-", 0: ""}[rec["sign"]],
                "evidence": rec["evidence"],
                "species": rec["species"],
                "model_system": rec["model_system"],
                "setting": rec["setting"],
                "sections": ";".join(rec["sections"]),
                "citations": ";".join(rec["citations"]),
                "citation_urls": " ".join(rec["citation_urls"]),
                "statement": rec["statement"],
                "note": rec["note"],
            }
        )
    return _table(CSV_COLUMNS, rows, ",")
