"""Readers of the import formats: KGX TSV (nodes and edges) and RDF (N-Triples, N-Quads, Turtle).

They feed a :class:`kg.importer._Builder` row by row; :mod:`kg.importer` runs the whole import.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from kg.importer import (
    _CAT_CODE,
    _PRED_CODE,
    MAX_LINE,
    ImportFailed,
    ImportProblem,
    _Builder,
    _Lines,
    edge_ntriples,
    node_ntriples,
    source_iri,
    statement_iri,
)
from kg.mapping import category_of_class, curie_of_iri, map_category, map_predicate, normalise_id
from kg.model import Curie, CurieError
from kg.rdf import RDF, RDFS, SKOS
from kg.vocab import CATEGORIES, EVIDENCE_LEVELS, IVKG


def _kind(header: list[str]) -> str | None:
    cols = set(header)
    if {"subject", "predicate", "object"} <= cols:
        return "edges"
    if "id" in cols:
        return "nodes"
    return None


def _kgx_file(b: _Builder, path: Path, kind: str, progress: Any) -> None:
    name = path.name
    header: list[str] = []
    src = b.source(name) if kind == "edges" else 0
    s_iri = source_iri(b.sources[src]) if kind == "edges" else ""
    col: dict[str, int] = {}
    counts, skipped = b.summary.counts, b.summary.skipped
    pred_cache: dict[tuple[str, str, str], tuple[str | None, str]] = {}
    id_cache: dict[str, Curie | str] = {}

    def ident(text: str, line: int, what: str) -> str | None:
        got = id_cache.get(text)
        if got is None:
            try:
                got = str(normalise_id(text))
            except CurieError as exc:
                got = exc.args[0]
                b.problem(name, line, f"{what}: {got}", "unknown prefix or malformed identifier")
                return None
            if len(id_cache) < 1_000_000:
                id_cache[text] = got
        return str(got)

    for line, text, ended in _Lines(path, lambda n, m: b.problem(name, n, m, "malformed line"), progress):
        if not header:
            header = text.split("\t")
            col = {h: i for i, h in enumerate(header)}
            continue
        if not text.strip():
            continue
        cells = text.split("\t")
        if len(cells) != len(header):
            hint = "; the file ends mid-line (truncated?)" if not ended else ""
            b.problem(name, line, f"{len(cells)} columns where the header has {len(header)}{hint}",
                      "wrong column count")
            continue

        cells.append("")  # what a column missing from the header reads as (index len(header))

        def cell(c: str, cells: list[str] = cells, col: dict[str, int] = col) -> str:
            return cells[col.get(c, -1)]

        if kind == "nodes":
            cid = ident(cell("id"), line, "id")
            if cid is None:
                continue
            cat = map_category(cell("category"))
            b.summary.mapped[f"category {cat}"] += 1
            syns = tuple(s for s in cell("synonym").split("|") if s)
            label = cell("name") or cid
            _, new = b.node(cid, label, cat, "|".join(syns))
            if not new:
                counts["nodes merged with an existing node"] += 1
                continue
            counts["nodes imported"] += 1
            b.write(node_ntriples(b.uri(cid), cid, label, cat, syns))
            continue
        if cell("negated").lower() == "true":
            skipped["negated edge"] += 1
            continue
        raw_pred = cell("predicate")
        qkey = (raw_pred, cell("object_aspect_qualifier"), cell("object_direction_qualifier"))
        mapped = pred_cache.get(qkey)
        if mapped is None:
            mapped = pred_cache[qkey] = map_predicate(*qkey)
        pred, why = mapped
        if pred is None:
            skipped[why] += 1
            continue
        s = ident(cell("subject"), line, "subject")
        o = ident(cell("object"), line, "object")
        if s is None or o is None:
            continue
        si, s_new = b.node(s)
        oi, o_new = b.node(o)
        for new, c in ((s_new, s), (o_new, o)):
            if new:
                counts["nodes created from edges"] += 1
                b.write(node_ntriples(b.uri(c), c, c, "entity", ()))
        ev = cell("ivkg_evidence")
        if ev and ev not in EVIDENCE_LEVELS:
            ev = ""
        rank = EVIDENCE_LEVELS[ev].rank if ev else 0
        if b.edge(si, pred, oi, rank, src, cell("publications")):
            counts["edges imported"] += 1
            b.summary.mapped[f"predicate {pred}"] += 1
            b.write(edge_ntriples(b.uri(s), pred, b.uri(o), ev, statement_iri(s, pred, o), s_iri))


def _rdf_scan(b: _Builder, path: Path, fmt: str, progress: Any, name: str | None = None) -> None:
    """Collect edges, labels and categories from an RDF file (it is bulk-loaded as is afterwards)."""
    name = name or path.name
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
            c = curie_of_iri(iri)
        except CurieError as exc:
            if report:
                b.problem(name, line, str(exc), "unknown prefix or malformed identifier")
            node_cache[iri] = None
            return None
        i, new = b.node(c)
        if new:
            b.summary.counts["nodes imported"] += 1
        node_cache[iri] = i
        return i

    def handle(s: str, p: str, o: str, o_lit: str | None, line: int) -> None:
        if p in (label_p, type_p, cat_p, alt_p):
            i = node(s, line, False)
            if i is None or b.curated[i]:
                return
            slot = info.setdefault(i, ["", "", ""])
            if p == label_p and o_lit is not None:
                slot[0] = o_lit
            elif p == cat_p and o_lit in CATEGORIES:
                slot[1] = o_lit
            elif p == type_p and o_lit is None and not slot[1]:
                slot[1] = category_of_class(o) or ""
            elif p == alt_p and o_lit is not None:
                slot[2] = f"{slot[2]}|{o_lit}" if slot[2] else o_lit
            return
        if o_lit is not None:
            return
        part = st_parts.get(p)
        if part is not None:
            # Statement nodes (ivkg:subject/predicate/object/evidence) give imported edges their evidence.
            st = stmts.get(hash(s))
            if st is None:
                st = stmts[hash(s)] = [-1, -1, -1, 0]
            if part == 1:
                if o not in pred_cache:
                    pred_cache[o] = map_predicate(o)[0] if o.startswith(IVKG) else None
                key = pred_cache[o]
                st[1] = _PRED_CODE[key] if key else -1
            elif part == 3:
                st[3] = ev_rank.get(o, 0)
            else:
                i = node(o, line, False)
                st[part] = -1 if i is None else i
            return
        if p not in pred_cache:
            key, _ = map_predicate(p)
            pred_cache[p] = key if (p.startswith(IVKG) or p.startswith("https://w3id.org/biolink/")) else None
        pred = pred_cache[p]
        if pred is None:
            return
        si, oi = node(s, line, True), node(o, line, True)
        if si is None or oi is None:
            return
        if b.edge(si, pred, oi, 0, src, ""):
            b.summary.counts["edges imported"] += 1
            b.summary.mapped[f"predicate {pred}"] += 1
            b.rdf_edges.append(len(b.e[0]) - 1)

    if fmt in ("nt", "nq"):
        for line, text, _ in _Lines(path, lambda n, m: b.problem(name, n, m, "malformed line"), progress):
            if not text.startswith(("<", "_:")):
                continue
            b.triples += 1
            parts = text.split(" ", 2)
            if len(parts) < 3 or not parts[1].startswith("<"):
                continue
            rest = parts[2]
            if rest.startswith("<"):
                handle(parts[0][1:-1], parts[1][1:-1], rest[1:rest.find(">")], None, line)
            elif rest.startswith('"'):
                end = rest.rfind('"')
                lit = rest[1:end].replace('\\"', '"').replace("\\\\", "\\")
                handle(parts[0][1:-1], parts[1][1:-1], "", lit, line)
    else:
        import pyoxigraph as ox

        try:
            for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                o_lit = t.object.value if isinstance(t.object, ox.Literal) else None
                if isinstance(t.subject, ox.NamedNode):
                    handle(t.subject.value, t.predicate.value, t.object.value, o_lit, 0)
        except SyntaxError as exc:
            raise ImportFailed(ImportProblem(name, _syntax_line(exc),
                                             f"Turtle syntax error: {str(exc).splitlines()[0]}")) from None
    for i, (label, cat, syns) in info.items():
        if label:
            b.labels[i] = label
        if cat:
            b.cats[i] = _CAT_CODE[cat]
        if syns:
            b.syns[i] = syns


def _header(path: Path) -> list[str]:
    opener: Callable[..., IO[bytes]] = gzip.open if path.suffix == ".gz" else open  # type: ignore[assignment]
    try:
        with opener(path, "rb") as f:
            raw = f.readline(MAX_LINE + 1)
    except (EOFError, OSError) as exc:
        raise ImportFailed(ImportProblem(path.name, 1, f"file is truncated or corrupt ({exc})")) from None
    if len(raw) > MAX_LINE:
        raise ImportFailed(ImportProblem(path.name, 1, f"header line longer than {MAX_LINE} bytes"))
    try:
        return raw.decode("utf-8").rstrip("\r\n").split("\t")
    except UnicodeDecodeError:
        raise ImportFailed(ImportProblem(path.name, 1, "header is not valid UTF-8")) from None


def _syntax_line(exc: BaseException) -> int:
    line = getattr(exc, "lineno", None)
    return int(line) if isinstance(line, int) else 0


def clean_copy(path: Path, fmt: str, out: Path, report: Callable[[int, str], None]) -> None:
    """Copy a line-based RDF file (N-Triples, N-Quads) without the lines Oxigraph cannot parse."""
    import pyoxigraph as ox

    rdf = ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.N_QUADS
    chunk: list[tuple[int, str]] = []

    def flush(f: IO[str]) -> None:
        text = "".join(t + "\n" for _, t in chunk)
        try:
            for _ in ox.parse(text.encode("utf-8"), rdf):
                pass
            f.write(text)
        except SyntaxError:
            for n, t in chunk:
                try:
                    for _ in ox.parse((t + "\n").encode("utf-8"), rdf):
                        pass
                    f.write(t + "\n")
                except SyntaxError as exc:
                    report(n, f"RDF syntax error: {str(exc).splitlines()[0]}")
        chunk.clear()

    with out.open("w", encoding="utf-8") as f:
        for n, text, _ in _Lines(path, report):
            chunk.append((n, text))
            if len(chunk) >= 20000:
                flush(f)
        flush(f)


def _rdf_evidence(b: _Builder) -> None:
    """Evidence ranks of RDF-imported edges, from the statement nodes met while scanning."""
    if not b.rdf_edges or not b.statements:
        return
    ranks: dict[int, int] = {}
    for si, code, oi, rank in b.statements.values():
        if rank and si >= 0 and code >= 0 and oi >= 0:
            key = (si << 40) | (code << 32) | oi
            if rank > ranks.get(key, 0):
                ranks[key] = rank
    s_arr, o_arr, p_arr, r_arr = b.e[0], b.e[1], b.e[2], b.e[3]
    for e in b.rdf_edges:
        found = ranks.get((s_arr[e] << 40) | (p_arr[e] << 32) | o_arr[e])
        if found:
            r_arr[e] = found
