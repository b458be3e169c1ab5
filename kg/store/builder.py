"""What an import builds: the node table, the edge arrays and the N-Triples to bulk-load, filled from the
records the readers of :mod:`kg.store.formats` yield (mapped onto our vocabulary by :mod:`kg.graphs.mapping`).

Each imported edge becomes, in RDF, the direct triple ``subject ivkg:<predicate> object`` plus a
statement node carrying sign, evidence and ``prov:wasDerivedFrom`` the source file, the same shape as
curated statements (:mod:`kg.graphs.rdf`). Only :mod:`kg.store.importer` uses this module.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from array import array
from collections.abc import Iterable
from typing import IO

from kg.core.model import KG, Curie, CurieError, UnknownPrefix
from kg.core.vocab import CATEGORIES, EVIDENCE_LEVELS, IVKG, PREDICATES
from kg.graphs.mapping import category_of_class, import_predicate, map_category, map_predicate, predicate_sign
from kg.graphs.prefixes import BIOLINK, Prefixes
from kg.graphs.rdf import PROV, RDF, RDFS, SKOS, XSD, _nt_term, triples
from kg.store.formats import KgxJsonl, KgxRows, Triple
from kg.store.report import UNMAPPABLE_REASONS, ImportFailed, ImportProblem, Summary

PRED_CODE = {k: i for i, k in enumerate(PREDICATES)}
#: Predicate codes are stored as uint16: our predicates plus this many kept as imported.
MAX_PREDICATES = 1 << 16
CAT_CODE = {k: i for i, k in enumerate(CATEGORIES)}


def source_iri(name: str) -> str:
    return IVKG + "source/" + urllib.parse.quote(name, safe="")


def _esc(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))


def node_ntriples(uri: str, curie: str, label: str, category: str, synonyms: tuple[str, ...]) -> str:
    """N-Triples of an imported node (class, label, category, CURIE, synonyms)."""
    lines = [f"<{uri}> <{RDF}type> <{IVKG}{CATEGORIES[category].cls}> .\n",
             f'<{uri}> <{RDFS}label> "{_esc(label)}" .\n',
             f'<{uri}> <{IVKG}category> "{category}" .\n',
             f'<{uri}> <{IVKG}curie> "{_esc(curie)}" .\n']
    lines.extend(f'<{uri}> <{SKOS}altLabel> "{_esc(s)}" .\n' for s in synonyms)
    return "".join(lines)


def edge_ntriples(s: str, pred: str, o: str, evidence: str, st: str, source: str, p: str = "") -> str:
    """N-Triples of an imported edge: the direct triple and its statement node. ``p`` is the predicate's
    IRI (ours by default; a Biolink IRI for a predicate kept as imported)."""
    p = p or IVKG + pred
    text = (f"<{s}> <{p}> <{o}> .\n<{st}> <{RDF}type> <{IVKG}Statement> .\n<{st}> <{IVKG}subject> <{s}> .\n"
            f"<{st}> <{IVKG}predicate> <{p}> .\n<{st}> <{IVKG}object> <{o}> .\n"
            f'<{st}> <{IVKG}sign> "{predicate_sign(pred)}"^^<{XSD}integer> .\n')
    if evidence:
        text += f"<{st}> <{IVKG}evidence> <{IVKG}evidence/{evidence}> .\n"
    return text + f"<{st}> <{PROV}wasDerivedFrom> <{source}> .\n"


def statement_iri(s: str, pred: str, o: str, ident: str = "") -> str:
    """Same id as :attr:`kg.core.model.Statement.id` of a statement without context, or the one a KGX
    ``id`` gives (ours, ``st-...``, as it is; another, hashed with the edge)."""
    if re.fullmatch(r"st-[0-9a-f]{12}", ident):
        return f"{IVKG}statement/{ident}"
    digest = hashlib.sha1("\t".join((s, pred, o, "", "", "")).encode("utf-8")).hexdigest()
    if ident:
        digest = hashlib.sha1(f"{digest}\t{ident}".encode()).hexdigest()
    return f"{IVKG}statement/st-{digest[:12]}"


class Builder:
    """Node table, edge arrays and the N-Triples to bulk-load, filled file by file."""

    def __init__(self, nt: IO[str], summary: Summary, strict: bool, prefixes: Prefixes | None = None):
        self.nt, self.summary, self.strict = nt, summary, strict
        self.prefixes = prefixes or Prefixes()
        #: The store's predicate table: ours first, then predicates kept as imported, as first met.
        self.preds: list[str] = list(PREDICATES)
        self.pred_code: dict[str, int] = dict(PRED_CODE)
        self.index: dict[str, int] = {}
        self.ids: list[str] = []
        self.labels: list[str] = []
        self.cats = array("B")
        self.syns: list[str] = []
        self.curated = array("B")
        self.e = [array("i") for _ in range(5)]  # s, o, pred, rank, source
        self.refs: list[str] = []
        #: Per edge: its statement node's IRI (as written to Oxigraph) and evidence key, for kg.store.columnar.
        self.st_iris: list[str] = []
        self.st_ev: list[str] = []
        self.keys: set[int] = set()
        self.curated_keys: set[int] = set()
        self.sources: list[str] = ["curated"]
        self.rdf_edges: list[int] = []
        #: Triples written to the loader, and read from line-based RDF inputs.
        self.triples = 0
        #: RDF statement nodes (hash of the IRI) -> [subject node, predicate code, object node, rank].
        self.statements: dict[int, list[int]] = {}
        self._uri: dict[str, str] = {}

    def problem(self, file: str, line: int, message: str, reason: str, unmappable: bool = False) -> None:
        """Report a skipped row; ``unmappable`` (or a reason of :data:`UNMAPPABLE_REASONS`) marks a
        well-formed row we cannot map, which does not count toward the import's share of malformed rows."""
        unmappable = unmappable or reason in UNMAPPABLE_REASONS
        p = ImportProblem(file, line, message, unmappable)
        if self.strict:
            raise ImportFailed(p)
        self.summary.n_problems += 1
        self.summary.n_unmappable += unmappable
        self.summary.skipped[reason] += 1
        if len(self.summary.problems) < 100:
            self.summary.problems.append(p)

    def node(self, curie: Curie | str, label: str = "", cat: str = "entity", syns: str = "",
             curated: bool = False) -> tuple[int, bool]:
        key = str(curie)
        i = self.index.get(key)
        if i is not None:
            return i, False
        i = self.index[key] = len(self.ids)
        self.ids.append(key)
        self.labels.append(label or key)
        self.cats.append(CAT_CODE[cat])
        self.syns.append(syns)
        self.curated.append(curated)
        return i, True

    def code(self, pred: str) -> int:
        code = self.pred_code.get(pred)
        if code is None:
            if len(self.preds) >= MAX_PREDICATES:
                raise ImportFailed(f"more than {MAX_PREDICATES} distinct predicates; import refused")
            code = self.pred_code[pred] = len(self.preds)
            self.preds.append(pred)
        return code

    def edge(self, s: int, pred: str, o: int, rank: int, src: int, refs: str, ident: str = "",
             evidence: str = "", statement: str = "") -> bool:
        """Add an edge unless the store has it: the same subject, predicate and object (and, for edges
        that carry a statement id, the same id: distinct statements stay distinct). ``statement`` is the
        IRI of the edge's statement node."""
        code = self.code(pred)
        key = edge_key(s, code, o)
        if ident and src != 0 and key not in self.curated_keys:
            key = hash((key, ident))
        if src == 0:
            self.curated_keys.add(key)
        elif key in self.curated_keys:
            self.summary.counts["edges merged into a curated statement"] += 1
            return False
        elif key in self.keys:
            self.summary.skipped["duplicate edge (same subject, predicate, object)"] += 1
            return False
        else:
            self.keys.add(key)
        for arr, v in zip(self.e, (s, o, code, rank, src), strict=True):
            arr.append(v)
        self.refs.append(refs)
        self.st_iris.append(statement)
        self.st_ev.append(evidence)
        return True

    def source(self, name: str) -> int:
        if name in self.sources:
            name = f"{name}#{len(self.sources)}"
        self.sources.append(name)
        return len(self.sources) - 1

    # -- curated -----------------------------------------------------------------------------------
    def add_curated(self, kg: KG) -> None:
        for ent in kg.entities.values():
            self.node(ent.id, ent.label, ent.category, "|".join(ent.synonyms), curated=True)
        for st in kg.statements:
            si, _ = self.node(st.subject)
            oi, _ = self.node(st.object)
            self.edge(si, st.predicate, oi, st.evidence_rank, 0, st.id, st.evidence, f"{IVKG}statement/{st.id}")
        for s, p, obj in triples(kg):
            self.write(f"<{s}> <{p}> {_nt_term(obj)} .\n")
        self.summary.counts["curated nodes"] = len(self.ids)
        self.summary.counts["curated statements"] = len(kg.statements)

    def write(self, text: str) -> None:
        self.triples += text.count("\n")
        self.nt.write(text)

    def write_bytes(self, data: bytes | memoryview, triples: int) -> None:
        """Write ``triples`` N-Triples already encoded as UTF-8 (the columnar pass's blocks)."""
        self.triples += triples
        self.nt.flush()
        self.nt.buffer.write(data)  # type: ignore[attr-defined]

    def uri(self, curie: str) -> str:
        u = self._uri.get(curie)
        if u is None:
            u = self.prefixes.iri(curie)
            if len(self._uri) < 1_000_000:
                self._uri[curie] = u
        return u


def edge_key(s: int, code: int, o: int) -> int:
    """One int per (subject, predicate code, object), to find duplicate edges."""
    return (s << 48) | (code << 32) | o


# --------------------------------------------------------------------------------------------------
# KGX rows -> nodes, edges and their triples
# --------------------------------------------------------------------------------------------------

_BY_ECO: dict[str, str] = {}
for _e in EVIDENCE_LEVELS.values():
    _BY_ECO.setdefault(_e.eco, _e.key)
del _e


def add_kgx(b: Builder, name: str, kind: str, rows: KgxRows | KgxJsonl) -> None:
    """Add the rows of one KGX nodes or edges file."""
    src = b.source(name) if kind == "edges" else 0
    s_iri = source_iri(b.sources[src]) if kind == "edges" else ""
    counts, skipped = b.summary.counts, b.summary.skipped
    pred_cache2: dict[tuple[str, str, str, str, str], tuple[str | None, bool]] = {}
    ids = b.prefixes

    def ident(text: str, line: int, what: str) -> str | None:
        if not text.strip():
            b.problem(name, line, f"{what} is empty", "row without a subject, predicate or object")
            return None
        try:
            return ids.curie(text)
        except CurieError as exc:
            b.problem(name, line, f"{what}: {exc.args[0]}", "unknown prefix or malformed identifier",
                      unmappable=isinstance(exc, UnknownPrefix))
            return None

    col = rows.index
    for line, cells in rows:
        if kind == "nodes":
            cid = ident(cells[col("id")], line, "id")
            if cid is None:
                continue
            cat = map_category(cells[col("category")])
            b.summary.mapped[f"category {cat}"] += 1
            syns = tuple(s for s in cells[col("synonym")].split("|") if s)
            label = cells[col("name")] or cid
            _, new = b.node(cid, label, cat, "|".join(syns))
            if not new:
                counts["nodes merged with an existing node"] += 1
                continue
            counts["nodes imported"] += 1
            b.write(node_ntriples(b.uri(cid), cid, label, cat, syns))
            continue
        if cells[col("negated")].lower() == "true":
            skipped["negated edge"] += 1
            continue
        qkey = (cells[col("predicate")], cells[col("object_aspect_qualifier")],
                cells[col("object_direction_qualifier")], cells[col("qualified_predicate")],
                cells[col("original_predicate")])
        got = pred_cache2.get(qkey)
        if got is None:
            got = pred_cache2[qkey] = _kgx_predicate(*qkey, prefixes=ids)
        pred, ours = got
        if pred is None:
            what = f"predicate {qkey[0]!r} is not a CURIE under a known prefix" if qkey[0].strip() else \
                "predicate is empty"
            b.problem(name, line, what, "edge without a usable predicate")
            continue
        s = ident(cells[col("subject")], line, "subject")
        o = ident(cells[col("object")], line, "object")
        if s is None or o is None:
            continue
        si, s_new = b.node(s)
        oi, o_new = b.node(o)
        for new, c in ((s_new, s), (o_new, o)):
            if new:
                counts["nodes created from edges"] += 1
                b.write(node_ntriples(b.uri(c), c, c, "entity", ()))
        ev = cells[col("ivkg_evidence")]
        if ev and ev not in EVIDENCE_LEVELS:
            ev = ""
        if not ev:  # the evidence code our KGX export writes (has_evidence: an ECO term)
            ev = next((_BY_ECO[c] for c in cells[col("has_evidence")].split("|") if c in _BY_ECO), "")
        rank = EVIDENCE_LEVELS[ev].rank if ev else 0
        edge_id = cells[col("id")].strip()
        st_iri = statement_iri(s, pred, o, edge_id)
        if b.edge(si, pred, oi, rank, src, cells[col("publications")], edge_id, ev, st_iri):
            counts["edges imported"] += 1
            counts["edges mapped onto our predicates" if ours else "edges kept with their own predicate"] += 1
            b.summary.mapped[f"predicate {pred}"] += 1
            b.write(edge_ntriples(b.uri(s), pred, b.uri(o), ev, st_iri, s_iri, "" if ours else b.uri(pred)))


def _kgx_predicate(pred: str, aspect: str, direction: str, qualified: str, original: str,
                   prefixes: Prefixes) -> tuple[str | None, bool]:
    """The predicate of a KGX edge; an ``original_predicate`` naming one of ours (as our KGX export
    writes it) wins when it agrees with the Biolink predicate's sign."""
    got = import_predicate(pred, aspect, direction, qualified, prefixes=prefixes)
    key = map_predicate(original)[0] if original.strip().lower().startswith(("ivkg:", IVKG)) else None
    if key is not None and got[0] is not None and predicate_sign(key) == predicate_sign(got[0]):
        return key, True
    return got


# --------------------------------------------------------------------------------------------------
# RDF triples -> nodes and edges (the triples themselves are bulk-loaded as they are)
# --------------------------------------------------------------------------------------------------

def add_rdf(b: Builder, name: str, records: Iterable[Triple]) -> None:
    """Collect edges, labels and categories from the triples of one RDF file."""
    src = b.source(name)
    label_p, type_p, cat_p, alt_p = RDFS + "label", RDF + "type", IVKG + "category", SKOS + "altLabel"
    pred_cache: dict[str, str | None] = {}
    node_cache: dict[str, int | None] = {}
    info: dict[int, list[str]] = {}  # node -> [label, category, synonyms...]
    st_parts = {IVKG + "subject": 0, IVKG + "predicate": 1, IVKG + "object": 2, IVKG + "evidence": 3}
    ev_rank = {f"{IVKG}evidence/{k}": v.rank for k, v in EVIDENCE_LEVELS.items()}
    stmts = b.statements

    def node(iri: str, line: int, report: bool) -> int | None:
        if iri in node_cache:
            return node_cache[iri]
        try:
            c = b.prefixes.curie(iri)
        except CurieError as exc:
            if report:
                b.problem(name, line, str(exc), "unknown prefix or malformed identifier",
                          unmappable=isinstance(exc, UnknownPrefix))
            node_cache[iri] = None
            return None
        i, new = b.node(c)
        if new:
            b.summary.counts["nodes imported"] += 1
        node_cache[iri] = i
        return i

    for line, s, p, o, o_lit in records:
        if p in (label_p, type_p, cat_p, alt_p):
            i = node(s, line, False)
            if i is None or b.curated[i]:
                continue
            slot = info.setdefault(i, ["", "", ""])
            if p == label_p and o_lit is not None:
                slot[0] = o_lit
            elif p == cat_p and o_lit in CATEGORIES:
                slot[1] = o_lit
            elif p == type_p and o_lit is None and not slot[1]:
                slot[1] = category_of_class(o) or ""
            elif p == alt_p and o_lit is not None:
                slot[2] = f"{slot[2]}|{o_lit}" if slot[2] else o_lit
            continue
        if o_lit is not None:
            continue
        part = st_parts.get(p)
        if part is not None:
            # Statement nodes (ivkg:subject/predicate/object/evidence) give imported edges their evidence.
            st = stmts.get(hash(s))
            if st is None:
                st = stmts[hash(s)] = [-1, -1, -1, 0]
            if part == 1:
                if o not in pred_cache:
                    pred_cache[o] = (map_predicate(o)[0] if o.startswith(IVKG) else
                                     b.prefixes.predicate(o) if o.startswith(BIOLINK) else None)
                key = pred_cache[o]
                st[1] = b.code(key) if key else -1
            elif part == 3:
                st[3] = ev_rank.get(o, 0)
            else:
                i = node(o, line, False)
                st[part] = -1 if i is None else i
            continue
        if p not in pred_cache:
            key, _ = map_predicate(p)
            if key is None and p.startswith(BIOLINK) and p[len(BIOLINK):len(BIOLINK) + 1].islower():
                key = b.prefixes.predicate(p)  # a Biolink predicate we have no counterpart for: kept
            pred_cache[p] = key if (p.startswith(IVKG) or p.startswith("https://w3id.org/biolink/")) else None
        pred = pred_cache[p]
        if pred is None:
            continue
        si, oi = node(s, line, True), node(o, line, True)
        if si is None or oi is None:
            continue
        if b.edge(si, pred, oi, 0, src, ""):
            b.summary.counts["edges imported"] += 1
            b.summary.mapped[f"predicate {pred}"] += 1
            b.rdf_edges.append(len(b.e[0]) - 1)
    for i, (label, cat, syns) in info.items():
        if label:
            b.labels[i] = label
        if cat:
            b.cats[i] = CAT_CODE[cat]
        if syns:
            b.syns[i] = syns


def rdf_evidence(b: Builder) -> None:
    """Evidence ranks of RDF-imported edges, from the statement nodes met while scanning."""
    if not b.rdf_edges or not b.statements:
        return
    ranks: dict[int, int] = {}
    for si, code, oi, rank in b.statements.values():
        if rank and si >= 0 and code >= 0 and oi >= 0:
            key = edge_key(si, code, oi)
            if rank > ranks.get(key, 0):
                ranks[key] = rank
    s_arr, o_arr, p_arr, r_arr = b.e[0], b.e[1], b.e[2], b.e[3]
    for e in b.rdf_edges:
        found = ranks.get(edge_key(s_arr[e], p_arr[e], o_arr[e]))
        if found:
            r_arr[e] = found
