#!/usr/bin/env python
"""Seeded synthetic graphs with ivkg's schema, written as Biolink KGX TSV and as N-Triples.

Degrees follow a power law (a few hubs with tens of thousands of edges, most nodes with a handful), as in
real biological networks. The N-Triples hold exactly the triples ``kg import`` produces from the KGX
files, so the two can be compared (our import against Oxigraph's own bulk load of the same triples).

    python bench/generate.py --edges 10000 --out bench/data/e4     # nodes.tsv, edges.tsv, graph.nt

A handful of nodes reuse identifiers of the curated graph (VEGF-A, PD-L1, ...) spelled in lower case,
so an import shows them meeting the curated nodes.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

# The project's vocabulary decides categories, predicates and the RDF shape.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.core.vocab import CATEGORIES, EVIDENCE_LEVELS, IVKG, PREDICATES, PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"

# (category, share of nodes, prefix, first local number, id width)
_KINDS = (
    ("gene", 0.62, "HGNC", 1, 0),
    ("small_molecule", 0.16, "CHEBI", 100000, 0),
    ("process", 0.12, "GO", 1000000, 7),
    ("cell_type", 0.04, "CL", 1000000, 7),
    ("phenotype", 0.04, "HP", 1000000, 7),
    ("disease", 0.02, "MONDO", 1000000, 7),
)
# Curated identifiers that synthetic nodes reuse (written in lower case on purpose).
_SHARED = ("hgnc:12680", "hgnc:17635", "hgnc:8760", "hgnc:5438", "hgnc:6018", "hgnc:3236")

_BY_OBJECT = {
    "gene": ("increases_activity", "decreases_activity", "increases_expression", "decreases_expression",
             "increases_secretion", "decreases_secretion", "binds"),
    "small_molecule": ("binds",),
    "process": ("positively_regulates", "negatively_regulates", "positively_correlated_with"),
    "cell_type": ("increases_abundance", "decreases_abundance", "increases_activity"),
    "phenotype": ("positively_regulates", "negatively_regulates", "negatively_correlated_with"),
    "disease": ("positively_regulates", "negatively_regulates", "treats"),
}
# inhibits/activates are left out: in Biolink they read as "affects activity decreased/increased",
# which maps back to decreases_activity/increases_activity, so they would not round-trip.
_EVIDENCE = tuple(EVIDENCE_LEVELS)
SOURCE = "infores:ivkg-synthetic"


def _local(prefix: str, start: int, width: int, i: int) -> str:
    n = start + i
    return f"{n:0{width}d}" if width else str(n)


def generate(n_edges: int, seed: int = 42) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]:
    """Nodes as (curie, label, category) and edges as (subject, predicate, object, evidence)."""
    rng = np.random.default_rng(seed)
    n_nodes = max(200, n_edges // 10)
    nodes: list[tuple[str, str, str]] = []
    for cat, share, prefix, start, width in _KINDS:
        count = max(5, int(n_nodes * share))
        if prefix == "HGNC":
            count = min(count, 99000)
        for i in range(count):
            curie = f"{prefix}:{_local(prefix, start, width, i)}"
            nodes.append((curie, f"{cat.replace('_', ' ')} {i}", cat))
    for i, raw in enumerate(_SHARED):
        # Replace a few gene nodes with curated identifiers.
        nodes[i] = (raw, f"shared {raw.split(':')[1]}", "gene")
    # Power-law popularity: rank r gets weight (r + 1) ** -0.9, over a shuffled node order.
    n = len(nodes)
    weights = 1.0 / np.arange(1, n + 1) ** 0.9
    weights /= weights.sum()
    order = rng.permutation(n)
    # The shared ids get well-connected but not hub ranks (a path search may pass through them).
    rank = min(300, n // 4)
    for i in range(len(_SHARED)):
        j = int(np.flatnonzero(order == i)[0])
        order[j], order[rank + i] = order[rank + i], order[j]
    cats = np.array([c for _, _, c in nodes])
    edges: list[tuple[str, str, str, str]] = []
    seen: set[tuple[int, int, int]] = set()
    pred_keys = sorted(PREDICATES)
    pred_code = {k: i for i, k in enumerate(pred_keys)}
    while len(edges) < n_edges:
        batch = int((n_edges - len(edges)) * 1.2) + 16
        s = order[rng.choice(n, size=batch, p=weights)]
        o = order[rng.choice(n, size=batch, p=weights)]
        r = rng.random(batch)
        ev = rng.integers(0, len(_EVIDENCE), size=batch)
        for si, oi, ri, ei in zip(s.tolist(), o.tolist(), r.tolist(), ev.tolist(), strict=True):
            if si == oi:
                continue
            choices = _BY_OBJECT[str(cats[oi])]
            pred = choices[int(ri * len(choices))]
            key = (si, pred_code[pred], oi)
            if key in seen:
                continue
            seen.add(key)
            edges.append((nodes[si][0], pred, nodes[oi][0], _EVIDENCE[ei]))
            if len(edges) == n_edges:
                break
    return nodes, edges


def _canonical(raw: str) -> str:
    prefix, local = raw.split(":", 1)
    for p in PREFIXES.values():
        if p.prefix.lower() == prefix.lower():
            return f"{p.prefix}:{local}"
    return raw


def _uri(curie: str) -> str:
    prefix, local = _canonical(curie).split(":", 1)
    return PREFIXES[prefix].uri + local


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_kgx(nodes: list[tuple[str, str, str]], edges: list[tuple[str, str, str, str]], out: Path) -> None:
    with (out / "nodes.tsv").open("w", encoding="utf-8", newline="\n") as f:
        f.write("id\tcategory\tname\tsynonym\tprovided_by\n")
        for curie, label, cat in nodes:
            f.write(f"{curie}\t{CATEGORIES[cat].biolink}\t{label}\t{label.replace(' ', '')}\t{SOURCE}\n")
    with (out / "edges.tsv").open("w", encoding="utf-8", newline="\n") as f:
        f.write("id\tsubject\tpredicate\tobject\tobject_aspect_qualifier\tobject_direction_qualifier\t"
                "knowledge_level\tprimary_knowledge_source\tivkg_evidence\n")
        for i, (s, pred, o, ev) in enumerate(edges):
            p = PREDICATES[pred]
            quals = dict(p.biolink_qualifiers)
            f.write(f"e{i}\t{s}\t{p.biolink}\t{o}\t{quals.get('object_aspect_qualifier', '')}\t"
                    f"{quals.get('object_direction_qualifier', '')}\tknowledge_assertion\t{SOURCE}\t{ev}\n")


def statement_iri(s: str, pred: str, o: str) -> str:
    key = "\t".join((_canonical(s), pred, _canonical(o), "", "", ""))
    return IVKG + "statement/st-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def write_ntriples(nodes: list[tuple[str, str, str]], edges: list[tuple[str, str, str, str]], out: Path,
                   source_iri: str) -> int:
    """The triples ``kg import`` makes of the KGX files (see ``kg.store.builder.node_ntriples``)."""
    from kg.store.builder import edge_ntriples, node_ntriples

    count = 0
    with (out / "graph.nt").open("w", encoding="utf-8", newline="\n") as f:
        for curie, label, cat in nodes:
            text = node_ntriples(_uri(curie), _canonical(curie), label, cat,
                                 (label.replace(" ", ""),))
            count += text.count("\n")
            f.write(text)
        for s, pred, o, ev in edges:
            text = edge_ntriples(_uri(s), pred, _uri(o), ev, statement_iri(s, pred, o), source_iri)
            count += text.count("\n")
            f.write(text)
    return count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--edges", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--no-nt", action="store_true", help="Only write the KGX files.")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    nodes, edges = generate(args.edges, args.seed)
    write_kgx(nodes, edges, args.out)
    triples = 0
    if not args.no_nt:
        from kg.store.builder import source_iri

        triples = write_ntriples(nodes, edges, args.out, source_iri("edges.tsv"))
    print(f"{len(nodes)} nodes, {len(edges)} edges, {triples} triples -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
