#!/usr/bin/env python
"""A seeded generator of a knowledge graph with the shape of a real one, written as Biolink KGX TSV.

    python bench/realgraph.py --edges 1000000 --out bench/data/real-e6     # nodes.tsv, edges.tsv, stats.json

Shape. The node kinds, their relative sizes, the relation types and their relative sizes are those of
Hetionet v1.0 (Himmelstein et al., "Systematic integration of biomedical knowledge prioritizes drugs for
repurposing", eLife 2017;6:e26726, doi:10.7554/eLife.26726; the hetio/hetionet repository's README gives
47,031 nodes of 11 kinds and 2,250,197 edges of 24 kinds, and its describe/ tables the per-kind counts used
in ``NODE_KINDS`` and ``RELATIONS`` below; both tables sum exactly to those totals). A graph of E edges
gets each relation type's share of E (largest-remainder rounding, so the total is exactly E), and each
node kind ``count * (E / 2,250,197) ** 0.5`` nodes (at least 3): at Hetionet's own size that is Hetionet's
node count, and smaller graphs stay sparse enough to have non-hub nodes (scaling nodes linearly would make a
10^5-edge graph of 2,090 nodes with a mean degree of 96).

Degrees. Within each relation type, subjects and objects are drawn with weights that are the product of a
node's popularity (lognormal, sigma 1.2, shared by all its relations: a well-studied gene is well connected
everywhere) and a per-relation factor (lognormal, sigma 0.8): heavy-tailed, skewed degree distributions
per relation type, as in Hetionet and other literature-derived graphs. Duplicate (subject, object) pairs of
a relation type are dropped and topped up, so every written edge is distinct and none is a self-loop.

Vocabulary. Categories and predicates are Biolink's. The signed relations (expression and activity
changes, regulation) are written the three ways KGX files spell them: ``biolink:affects`` with
``object_aspect_qualifier`` and ``object_direction_qualifier``, the same with ``qualified_predicate``
``biolink:causes``, and the older predicates (``biolink:increases_expression_of``...). Identifiers use
15 prefixes (NCBIGene, HGNC, UniProtKB, CHEBI, DRUGBANK, PUBCHEM.COMPOUND, MONDO, DOID, UBERON, CL, GO,
REACT, MESH, HP, UMLS) and are syntactically valid for them, but they are SYNTHETIC: they do not name the
real genes, drugs or diseases with those numbers, and names are made up. ``publications`` (PMIDs, also
synthetic), ``has_evidence`` (ECO codes), ``knowledge_level``, ``agent_type`` and
``primary_knowledge_source`` are filled on a share of edges; rows leave out trailing empty columns, as KGX
allows.

``stats.json`` records what was written: edges per Biolink predicate, per expected store predicate (the
generator's own table of how our importer maps each spelling, ``EXPECT``), how many edges should map onto
our vocabulary and how many keep their Biolink predicate, and the prefixes used.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HETIONET_EDGES = 2_250_197
HETIONET_NODES = 47_031

#: Hetionet v1.0 node kinds (count) -> Biolink category, and the prefixes of their ids with shares.
NODE_KINDS: dict[str, tuple[int, str, tuple[tuple[str, float], ...]]] = {
    "Anatomy": (402, "biolink:AnatomicalEntity", (("UBERON", 0.85), ("CL", 0.15))),
    "BiologicalProcess": (11_381, "biolink:BiologicalProcess", (("GO", 1.0),)),
    "CellularComponent": (1_391, "biolink:CellularComponent", (("GO", 1.0),)),
    "Compound": (1_552, "biolink:SmallMolecule", (("CHEBI", 0.5), ("DRUGBANK", 0.4), ("PUBCHEM.COMPOUND", 0.1))),
    "Disease": (137, "biolink:Disease", (("MONDO", 0.6), ("DOID", 0.4))),
    "Gene": (20_945, "biolink:Gene", (("NCBIGene", 0.6), ("HGNC", 0.25), ("UniProtKB", 0.15))),
    "MolecularFunction": (2_884, "biolink:MolecularActivity", (("GO", 1.0),)),
    "Pathway": (1_822, "biolink:Pathway", (("REACT", 1.0),)),
    "PharmacologicClass": (345, "biolink:ChemicalEntity", (("MESH", 1.0),)),
    "SideEffect": (5_734, "biolink:PhenotypicFeature", (("UMLS", 0.7), ("HP", 0.3))),
    "Symptom": (438, "biolink:PhenotypicFeature", (("MESH", 0.5), ("HP", 0.5))),
}

# A spelling of an edge: (predicate, qualified_predicate, object_aspect_qualifier, object_direction_qualifier).
AFF = "biolink:affects"


def _aff(aspect: str, direction: str, causes: bool = False) -> tuple[str, str, str, str]:
    return (AFF, "biolink:causes" if causes else "", aspect, direction)


def _plain(pred: str) -> tuple[str, str, str, str]:
    return (pred, "", "", "")


#: Hetionet v1.0 relation types: (code, subject kind, object kind, Hetionet edge count, share of edges with
#: publications, spellings with shares). Subject and object follow the Biolink reading of the relation
#: (a gene is expressed in an anatomy; a compound has an adverse event).
RELATIONS: tuple[tuple[str, str, str, int, float, tuple[tuple[tuple[str, str, str, str], float], ...]], ...] = (
    ("AdG", "Anatomy", "Gene", 102_240, 0.0, ((_aff("expression", "decreased"), 0.7),
                                              (_aff("expression", "downregulated", True), 0.3))),
    ("AeG", "Gene", "Anatomy", 526_407, 0.0, ((_plain("biolink:expressed_in"), 1.0),)),
    ("AuG", "Anatomy", "Gene", 97_848, 0.0, ((_aff("expression", "increased"), 0.7),
                                             (_aff("expression", "upregulated", True), 0.3))),
    ("CbG", "Compound", "Gene", 11_571, 0.6, ((_plain("biolink:directly_physically_interacts_with"), 0.6),
                                              (_plain("biolink:interacts_with"), 0.4))),
    ("CcSE", "Compound", "SideEffect", 138_944, 0.1, ((_plain("biolink:has_adverse_event"), 1.0),)),
    ("CdG", "Compound", "Gene", 21_102, 0.3, ((_aff("activity_or_abundance", "decreased"), 0.5),
                                              (_plain("biolink:decreases_activity_of"), 0.3),
                                              (_aff("abundance", "decreased", True), 0.2))),
    ("CpD", "Compound", "Disease", 390, 0.7, ((_plain("biolink:ameliorates_condition"), 1.0),)),
    ("CrC", "Compound", "Compound", 6_486, 0.0, ((_plain("biolink:similar_to"), 1.0),)),
    ("CtD", "Compound", "Disease", 755, 0.9, ((_plain("biolink:treats"), 1.0),)),
    ("CuG", "Compound", "Gene", 18_756, 0.3, ((_aff("activity_or_abundance", "increased"), 0.5),
                                              (_plain("biolink:increases_activity_of"), 0.3),
                                              (_aff("abundance", "increased", True), 0.2))),
    ("DaG", "Gene", "Disease", 12_623, 0.8, ((_plain("biolink:gene_associated_with_condition"), 0.6),
                                             (_plain("biolink:associated_with"), 0.4))),
    ("DdG", "Disease", "Gene", 7_623, 0.2, ((_plain("biolink:decreases_expression_of"), 0.5),
                                            (_aff("expression", "decreased"), 0.5))),
    ("DlA", "Disease", "Anatomy", 3_602, 0.5, ((_plain("biolink:disease_has_location"), 1.0),)),
    ("DpS", "Disease", "Symptom", 3_357, 0.5, ((_plain("biolink:has_phenotype"), 1.0),)),
    ("DrD", "Disease", "Disease", 543, 0.3, ((_plain("biolink:related_to"), 0.6),
                                            (_plain("biolink:subclass_of"), 0.4))),
    ("DuG", "Disease", "Gene", 7_731, 0.2, ((_plain("biolink:increases_expression_of"), 0.5),
                                            (_aff("expression", "increased"), 0.5))),
    ("GcG", "Gene", "Gene", 61_690, 0.1, ((_plain("biolink:positively_correlated_with"), 0.7),
                                          (_plain("biolink:negatively_correlated_with"), 0.3))),
    ("GiG", "Gene", "Gene", 147_164, 0.7, ((_plain("biolink:physically_interacts_with"), 0.5),
                                           (_plain("biolink:interacts_with"), 0.5))),
    ("GpBP", "Gene", "BiologicalProcess", 559_504, 0.15, ((_plain("biolink:participates_in"), 0.7),
                                                          (_plain("biolink:actively_involved_in"), 0.3))),
    ("GpCC", "Gene", "CellularComponent", 73_566, 0.15, ((_plain("biolink:part_of"), 0.5),
                                                         (_plain("biolink:located_in"), 0.5))),
    ("GpMF", "Gene", "MolecularFunction", 97_222, 0.15, ((_plain("biolink:enables"), 1.0),)),
    ("GpPW", "Gene", "Pathway", 84_372, 0.1, ((_plain("biolink:participates_in"), 0.6),
                                              (_plain("biolink:member_of"), 0.4))),
    ("Gr>G", "Gene", "Gene", 265_672, 0.4, ((_aff("activity", "increased"), 0.2),
                                            (_aff("activity", "decreased"), 0.15),
                                            (_aff("expression", "increased", True), 0.15),
                                            (_aff("expression", "decreased", True), 0.1),
                                            (_plain("biolink:positively_regulates"), 0.1),
                                            (_plain("biolink:negatively_regulates"), 0.1),
                                            (("biolink:regulates", "", "abundance", "increased"), 0.1),
                                            (("biolink:regulates", "", "abundance", "decreased"), 0.1))),
    ("PCiC", "Compound", "PharmacologicClass", 1_029, 0.0, ((_plain("biolink:member_of"), 1.0),)),
)

#: What our importer makes of each spelling (the generator's own table, checked against a real import by
#: tests/test_bench_realgraph.py): one of our predicate keys, or the Biolink CURIE kept as it is.
EXPECT: dict[tuple[str, str, str, str], str] = {
    _aff("expression", "decreased"): "decreases_expression",
    _aff("expression", "downregulated", True): "decreases_expression",
    _aff("expression", "increased"): "increases_expression",
    _aff("expression", "upregulated", True): "increases_expression",
    _aff("expression", "increased", True): "increases_expression",
    _aff("expression", "decreased", True): "decreases_expression",
    _aff("activity_or_abundance", "decreased"): "decreases_activity",
    _aff("activity_or_abundance", "increased"): "increases_activity",
    _aff("activity", "increased"): "increases_activity",
    _aff("activity", "decreased"): "decreases_activity",
    _aff("abundance", "decreased", True): "decreases_abundance",
    _aff("abundance", "increased", True): "increases_abundance",
    ("biolink:regulates", "", "abundance", "increased"): "increases_abundance",
    ("biolink:regulates", "", "abundance", "decreased"): "decreases_abundance",
    _plain("biolink:decreases_activity_of"): "decreases_activity",
    _plain("biolink:increases_activity_of"): "increases_activity",
    _plain("biolink:decreases_expression_of"): "decreases_expression",
    _plain("biolink:increases_expression_of"): "increases_expression",
    _plain("biolink:positively_regulates"): "positively_regulates",
    _plain("biolink:negatively_regulates"): "negatively_regulates",
    _plain("biolink:directly_physically_interacts_with"): "binds",
    _plain("biolink:physically_interacts_with"): "binds",
    _plain("biolink:has_adverse_event"): "has_adverse_event",
    _plain("biolink:treats"): "treats",
    _plain("biolink:associated_with"): "associated_with",
    _plain("biolink:subclass_of"): "subtype_of",
    _plain("biolink:positively_correlated_with"): "positively_correlated_with",
    _plain("biolink:negatively_correlated_with"): "negatively_correlated_with",
    _plain("biolink:member_of"): "member_of",
}
#: Our signed predicates (the ones `kg path` walks by default).
SIGNED = {"decreases_expression", "increases_expression", "decreases_activity", "increases_activity",
          "decreases_abundance", "increases_abundance", "positively_regulates", "negatively_regulates"}

ECO = ("ECO:0000312", "ECO:0007121", "ECO:0007120", "ECO:0007122", "ECO:0000303")
SOURCES = ("infores:hetionet", "infores:ctd", "infores:string", "infores:gtex", "infores:drugcentral",
           "infores:disgenet", "infores:sider", "infores:goa", "infores:reactome", "infores:lincs")
ALNUM = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def expected(spelling: tuple[str, str, str, str]) -> str:
    """The store predicate a spelling becomes: ours, or the Biolink predicate kept as it is."""
    return EXPECT.get(spelling, spelling[0])


def _ids(prefix: str, n: int, offset: int) -> list[str]:
    """``n`` distinct, syntactically valid, synthetic local ids under ``prefix``."""
    k = np.arange(n) + offset
    if prefix == "UniProtKB":  # [OPQ][0-9][A-Z0-9]{3}[0-9]
        first = np.array(list("OPQ"))[k % 3]
        d1, rest = (k // 3) % 10, k // 30
        c = [ALNUM[(rest // 36 ** i) % 36] for i in range(3)]
        d2 = (rest // 36 ** 3) % 10
        return [f"{f}{a}{x}{y}{z}{e}" for f, a, x, y, z, e in zip(first, d1, c[0], c[1], c[2], d2, strict=True)]
    if prefix == "DRUGBANK":
        return [f"DB{v:05d}" for v in k % 100_000]
    if prefix == "REACT":
        return [f"R-HSA-{v}" for v in 100_000 + k * 7]
    if prefix == "MESH":
        return [f"D{v:06d}" for v in 10_000 + k * 3]
    if prefix == "UMLS":
        return [f"C{v:07d}" for v in 1_000 + k * 11]
    if prefix in ("GO", "UBERON", "CL", "MONDO", "HP"):
        return [f"{v:07d}" for v in 1_000 + k * 3]
    if prefix == "HGNC":
        return [str(v) for v in 1 + k * 2 % 99_999]
    return [str(v) for v in 100 + k * 13]


def make_nodes(n_edges: int, rng: np.random.Generator) -> dict[str, dict]:
    """Per node kind: ids, names, category, popularity weights."""
    scale = (n_edges / HETIONET_EDGES) ** 0.5
    kinds: dict[str, dict] = {}
    used: dict[str, int] = {}
    for kind, (count, category, prefixes) in NODE_KINDS.items():
        n = max(3, round(count * scale))
        ids: list[str] = []
        cats: list[str] = []
        shares = np.array([s for _, s in prefixes])
        per = np.floor(shares * n).astype(int)
        per[0] += n - per.sum()
        for (prefix, _), m in zip(prefixes, per, strict=True):
            local = _ids(prefix, int(m), used.get(prefix, 0))
            used[prefix] = used.get(prefix, 0) + int(m)
            ids.extend(f"{prefix}:{x}" for x in local)
            cat = {"UniProtKB": "biolink:Protein", "CL": "biolink:Cell"}.get(prefix, category)
            cats.extend([f"{cat}|biolink:NamedThing"] * int(m))
        order = rng.permutation(n)
        ids = [ids[i] for i in order]
        cats = [cats[i] for i in order]
        names = [f"synthetic {kind[0].lower()}{kind[1:]} {i}" for i in range(n)]
        kinds[kind] = {"ids": np.array(ids, dtype=object), "cats": cats, "names": names,
                       "pop": rng.lognormal(0.0, 1.2, n)}
    return kinds


def _shares(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer parts of ``total`` proportional to ``weights`` summing exactly to ``total``."""
    raw = weights / weights.sum() * total
    out = np.floor(raw).astype(np.int64)
    out[np.argsort(-(raw - out), kind="stable")[: total - out.sum()]] += 1
    return out


def _draw(weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    cum = np.cumsum(weights)
    return np.minimum(np.searchsorted(cum, rng.random(k) * cum[-1], side="right"), len(weights) - 1)


def _pairs(ns: int, no: int, ws: np.ndarray, wo: np.ndarray, k: int, same: bool,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``k`` distinct (subject, object) pairs (no self-loops when both are of one kind), weighted."""
    k = min(k, ns * no - (min(ns, no) if same else 0))
    s_all = np.empty(0, np.int64)
    o_all = np.empty(0, np.int64)
    for attempt in range(50):
        need = k - len(s_all)
        if need <= 0:
            break
        m = int(need * 1.3) + 16
        s, o = _draw(ws, m, rng), _draw(wo, m, rng)
        s_all, o_all = np.concatenate([s_all, s]), np.concatenate([o_all, o])
        keep = s_all != o_all if same else np.ones(len(s_all), bool)
        key = s_all[keep] * no + o_all[keep]
        _, first = np.unique(key, return_index=True)
        idx = np.flatnonzero(keep)[np.sort(first)]
        s_all, o_all = s_all[idx], o_all[idx]
        if len(s_all) < k and attempt > 5:  # the weights are too concentrated: flatten them a little
            ws, wo = np.sqrt(ws), np.sqrt(wo)
    return s_all[:k], o_all[:k]


HEADER_EDGES = ("subject", "predicate", "object", "knowledge_level", "agent_type", "primary_knowledge_source",
                "has_evidence", "publications", "qualified_predicate", "object_aspect_qualifier",
                "object_direction_qualifier")


def generate(n_edges: int, out: Path, seed: int = 7) -> dict:
    """Write nodes.tsv, edges.tsv and stats.json for a graph of exactly ``n_edges`` edges."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    kinds = make_nodes(n_edges, rng)
    counts = _shares(n_edges, np.array([r[3] for r in RELATIONS], dtype=float))
    by_pred: dict[str, int] = {}
    by_store: dict[str, int] = {}
    lines: list[str] = []
    kl = np.array(["knowledge_assertion", "statistical_association", "prediction", "observation"], dtype=object)
    ag = np.array(["manual_agent", "automated_agent", "text_mining_agent", "data_analysis_pipeline"],
                  dtype=object)
    short = 0
    last = [r[0] for r in RELATIONS].index("GpBP")  # the largest relation, drawn last, takes up any shortfall
    for r in [*range(last), *range(last + 1, len(RELATIONS)), last]:
        _, sk, ok, _, pub_share, spellings = RELATIONS[r]
        k = int(counts[r]) + (short if r == last else 0)
        S, O = kinds[sk], kinds[ok]
        ws = S["pop"] * rng.lognormal(0.0, 0.8, len(S["pop"]))
        wo = O["pop"] * rng.lognormal(0.0, 0.8, len(O["pop"]))
        s, o = _pairs(len(ws), len(wo), ws, wo, k, sk == ok, rng)
        short += k - len(s)  # a kind too small to hold k distinct pairs
        m = len(s)
        which = np.minimum(np.searchsorted(np.cumsum([p for _, p in spellings]), rng.random(m) * sum(
            p for _, p in spellings), side="right"), len(spellings) - 1)
        has_pub = rng.random(m) < pub_share
        n_pub = rng.integers(1, 4, m)
        pmids = rng.integers(1_000_000, 39_000_000, (m, 3))
        has_eco = rng.random(m) < 0.5
        eco = rng.integers(0, len(ECO), m)
        src = rng.integers(0, len(SOURCES), m)
        lev = rng.integers(0, len(kl), m)
        sid, oid = S["ids"][s], O["ids"][o]
        for j, (pred, qual, aspect, direction) in enumerate(sp for sp, _ in spellings):
            n_j = int((which == j).sum())
            if not n_j:
                continue
            by_pred[pred] = by_pred.get(pred, 0) + n_j
            key = expected((pred, qual, aspect, direction))
            by_store[key] = by_store.get(key, 0) + n_j
        # Rows built column by column on object arrays (elementwise str concatenation in numpy's loop).
        mid = np.array([f"\t{sp[0]}\t" for sp, _ in spellings], dtype=object)[which]
        tail = np.array(["\t".join(sp[1:]) for sp, _ in spellings], dtype=object)[which]
        pm = pmids.astype(str).astype(object)
        pubs = "PMID:" + pm[:, 0] + np.where(n_pub >= 2, "|PMID:" + pm[:, 1], "") + \
            np.where(n_pub >= 3, "|PMID:" + pm[:, 2], "")
        pubs = np.where(has_pub, pubs, "")
        eco_col = np.where(has_eco, np.array(ECO, dtype=object)[eco], "")
        rows = (sid + mid + oid + "\t" + kl[lev] + "\t" + ag[lev] + "\t" + np.array(SOURCES, dtype=object)[src]
                + "\t" + eco_col + "\t" + pubs + "\t" + tail)
        lines.extend(x.rstrip("\t") for x in rows)  # KGX short rows: trailing empty columns left out
    order = rng.permutation(len(lines))
    with (out / "edges.tsv").open("w", encoding="utf-8") as f:
        f.write("\t".join(HEADER_EDGES) + "\n")
        for start in range(0, len(order), 200_000):
            f.write("\n".join(lines[i] for i in order[start:start + 200_000]) + "\n")
    n_nodes = 0
    prefixes: set[str] = set()
    with (out / "nodes.tsv").open("w", encoding="utf-8") as f:
        f.write("id\tcategory\tname\tsynonym\tprovided_by\n")
        for kind in kinds.values():
            syn = rng.random(len(kind["ids"])) < 0.3
            for i, (cid, cat, name) in enumerate(zip(kind["ids"], kind["cats"], kind["names"], strict=True)):
                f.write(f"{cid}\t{cat}\t{name}" + (f"\t{name} alias|{cid.split(':', 1)[1]}\n" if syn[i] else "\n"))
                prefixes.add(cid.split(":", 1)[0])
                n_nodes += 1
    ours = sum(v for key, v in by_store.items() if ":" not in key)
    stats = {"edges": len(lines), "nodes": n_nodes, "seed": seed,
             "edges_per_biolink_predicate": dict(sorted(by_pred.items())),
             "edges_per_store_predicate": dict(sorted(by_store.items())),
             "edges_mapped": ours, "edges_kept_unmapped": len(lines) - ours,
             "edges_signed": sum(v for key, v in by_store.items() if key in SIGNED),
             "prefixes": sorted(prefixes), "seconds": round(time.perf_counter() - t0, 2)}
    (out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    return stats


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--edges", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.edges < 100:
        print("realgraph: --edges must be at least 100", file=sys.stderr)
        return 2
    stats = generate(args.edges, args.out, args.seed)
    print(json.dumps({k: stats[k] for k in ("edges", "nodes", "edges_mapped", "edges_kept_unmapped",
                                            "edges_signed", "seconds")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
