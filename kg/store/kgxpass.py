"""The columnar pass over KGX TSV: the rows of :class:`~kg.store.formats.KgxColumns` blocks added to a
:class:`~kg.store.builder.Builder` a block at a time, with the same nodes, edges, triples, counts and
problems as the row pass (:func:`kg.store.builder.add_kgx`), only faster.

Work is done once per *distinct* value and broadcast with numpy: identifiers are checked and expanded
once per distinct cell, predicates and qualifiers mapped once per distinct combination, categories and
evidence once per distinct value. Node indices follow the row pass's order of first appearance, and the
N-Triples of a block are joined by pyarrow and written to the loader as one buffer. What stays a loop
over rows in Python is what has to: the duplicate-edge set the row pass shares, and statement ids (SHA-1).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from kg.core.model import CurieError, UnknownPrefix
from kg.core.vocab import CATEGORIES, EVIDENCE_LEVELS, IVKG
from kg.graphs.mapping import map_category, predicate_sign
from kg.graphs.rdf import PROV, RDF, RDFS, SKOS, XSD
from kg.store.builder import _BY_ECO, CAT_CODE, Builder, _kgx_predicate, source_iri
from kg.store.formats import Batch, KgxColumns

NODE_COLUMNS = ("id", "category", "name", "synonym")
EDGE_COLUMNS = ("id", "subject", "predicate", "object", "negated", "qualified_predicate",
                "object_aspect_qualifier", "object_direction_qualifier", "original_predicate", "publications",
                "has_evidence", "ivkg_evidence")
_CATS = list(CATEGORIES)
_OURS_ST = re.compile(r"st-[0-9a-f]{12}")
_EMPTY = "row without a subject, predicate or object"
_BAD_ID = "unknown prefix or malformed identifier"
#: A row-level problem before it is reported: (line, place in the row, message, reason, unmappable).
_Problem = tuple[int, int, str, str, bool]


def reader(path: Any, kind: str, progress: Any = None) -> KgxColumns:
    return KgxColumns(path, NODE_COLUMNS if kind == "nodes" else EDGE_COLUMNS,
                      "id" if kind == "nodes" else "subject", progress)


def add_kgx_columns(b: Builder, name: str, kind: str, batches: KgxColumns) -> None:
    """Add the rows of one KGX TSV nodes or edges file, as :func:`kg.store.builder.add_kgx` does."""
    src = b.source(name) if kind == "edges" else 0
    state: dict[str, Any] = {"known": _Known(), "preds": {}, "s_iri": source_iri(b.sources[src]) if src else ""}
    for batch in batches:
        if kind == "nodes":
            _nodes(b, name, batch, state)
        else:
            _edges(b, name, src, batch, state)


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------

def _distinct(arr: Any, n: int) -> tuple[Any, list[str]]:
    """(code per row, distinct values) of a string column; a missing column is all empty strings."""
    import numpy as np
    import pyarrow.compute as pc

    if arr is None or n == 0:
        return np.zeros(n, np.int64), [""]
    d = pc.dictionary_encode(arr)
    return d.indices.to_numpy(zero_copy_only=False).astype(np.int64), d.dictionary.to_pylist()


def _combos(parts: list[tuple[Any, list[str]]], n: int) -> tuple[Any, list[tuple[str, ...]]]:
    """(code per row, distinct tuples) of several columns taken together."""
    import numpy as np

    if n == 0:
        return np.zeros(0, np.int64), []
    size, key = 1, np.zeros(n, np.int64)
    for idx, vals in parts:
        if size * max(len(vals), 1) >= 1 << 62:
            stack = np.stack([idx for idx, _ in parts], axis=1)
            _, first, inv = np.unique(stack, axis=0, return_index=True, return_inverse=True)
            break
        key, size = key * len(vals) + idx, size * len(vals)
    else:
        _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    return inv.reshape(-1), [tuple(vals[idx[f]] for idx, vals in parts) for f in first.tolist()]


class _Known:
    """Identifier cells met so far in a file, each checked once: pyarrow finds a block's cells in this
    table, and only cells never met before go through :meth:`Prefixes.curie` in Python."""

    def __init__(self) -> None:
        import numpy as np
        import pyarrow as pa

        self.values = pa.array([], pa.string())
        self.canon: list[str | None] = []
        self.err: list[Any] = []  # (message, unmappable) or None for an empty cell
        self.valid = np.zeros(0, bool)
        self.node = np.zeros(0, np.int64)  # the cell's node, once known (-1 before)
        self.group = np.zeros(0, np.int64)  # one code per canonical CURIE
        self.groups: dict[str, int] = {}
        self.names: list[str] = []  # the canonical CURIE of each code
        self._uri_array = pa.array([], pa.string())

    def codes(self, b: Builder, col: Any) -> Any:
        """Per row, the cell's index in this table (adding the cells never met)."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        idx = pc.index_in(col, value_set=self.values)
        if idx.null_count:
            new = pc.unique(pc.filter(col, pc.is_null(idx)))
            groups = []
            for v in new.to_pylist():
                canon, err = None, None
                if v.strip():
                    try:
                        canon = b.prefixes.curie(v)
                    except CurieError as exc:
                        err = (exc.args[0], isinstance(exc, UnknownPrefix))
                self.canon.append(canon)
                self.err.append(err)
                g = -1 if canon is None else self.groups.setdefault(canon, len(self.groups))
                if g == len(self.names):
                    self.names.append(canon)  # type: ignore[arg-type]
                groups.append(g)
            self.values = pa.concat_arrays([self.values, new])
            self.valid = np.concatenate([self.valid, np.array(groups, np.int64) >= 0])
            self.node = np.concatenate([self.node, np.full(len(groups), -1, np.int64)])
            self.group = np.concatenate([self.group, np.array(groups, np.int64)])
            idx = pc.index_in(col, value_set=self.values)
        return idx.to_numpy(zero_copy_only=False).astype(np.int64)

    def uri_array(self, b: Builder) -> Any:
        """The IRI of each canonical CURIE code."""
        import pyarrow as pa

        if len(self._uri_array) < len(self.names):
            more = pa.array([b.uri(c) for c in self.names[len(self._uri_array):]], pa.string())
            self._uri_array = pa.concat_arrays([self._uri_array, more])
        return self._uri_array


def _ident_problem(line: int, place: int, what: str, err: Any) -> _Problem:
    if err is None:
        return line, place, f"{what} is empty", _EMPTY, False
    return line, place, f"{what}: {err[0]}", _BAD_ID, err[1]


def _report(b: Builder, name: str, batch: Batch, probs: list[_Problem]) -> None:
    """The reader's and the rows' problems of a block, in the order the row pass reports them."""
    merged = [(n, -1, m, r, False) for n, m, r in batch[2]] + probs
    for line, _, message, reason, unmappable in sorted(merged, key=lambda p: (p[0], p[1])):
        b.problem(name, line, message, reason, unmappable)


def _esc(arr: Any) -> Any:
    import pyarrow.compute as pc

    for old, new in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r")):
        arr = pc.replace_substring(arr, old, new)
    return arr


def _join(*parts: Any) -> Any:
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(*parts, "")


def _write(b: Builder, arr: Any, triples: int) -> None:
    """Write the concatenated values of a string array as they lie in its buffer."""
    import numpy as np

    if len(arr) == 0:
        return
    offsets = np.frombuffer(arr.buffers()[1], np.int32, count=len(arr) + 1, offset=arr.offset * 4)
    start, end = int(offsets[0]), int(offsets[-1])
    if end > start:
        b.write_bytes(memoryview(arr.buffers()[2])[start:end], triples)


def _add(counter: Any, key: str, n: int) -> None:
    if n:  # a zero would still create the key
        counter[key] += int(n)


def _new_nodes(b: Builder, curies: list[str], labels: list[str], cats: list[str], syns: list[str]) -> None:
    for cid, label, cat, syn in zip(curies, labels, cats, syns, strict=True):
        b.node(cid, label, cat, syn)


def _node_triples(b: Builder, curies: list[str], labels: Any, cats: list[str], syns: Any) -> None:
    """N-Triples of new nodes (as :func:`kg.store.builder.node_ntriples` writes them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not curies:
        return
    uris = pa.array([b.uri(c) for c in curies], pa.string())
    cls = pa.array([CATEGORIES[c].cls for c in cats], pa.string())
    text = _join("<", uris, f"> <{RDF}type> <{IVKG}", cls, "> .\n<", uris, f'> <{RDFS}label> "', _esc(labels),
                 '" .\n<', uris, f'> <{IVKG}category> "', pa.array(cats, pa.string()), '" .\n<', uris,
                 f'> <{IVKG}curie> "', _esc(pa.array(curies, pa.string())), '" .\n')
    _write(b, text, 4 * len(curies))
    if syns is None:
        return
    parts = pc.split_pattern(syns, "|")
    flat, parent = pc.list_flatten(parts), pc.list_parent_indices(parts)
    keep = pc.not_equal(flat, "")
    flat, parent = pc.filter(flat, keep), pc.filter(parent, keep)
    _write(b, _join("<", uris.take(parent), f'> <{SKOS}altLabel> "', _esc(flat), '" .\n'), len(flat))


# --------------------------------------------------------------------------------------------------
# nodes
# --------------------------------------------------------------------------------------------------

def _nodes(b: Builder, name: str, batch: Batch, state: dict[str, Any]) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    lines, cols, _ = batch
    n = len(lines)
    known: _Known = state["known"]
    idx = known.codes(b, cols["id"]) if n else np.zeros(0, np.int64)
    ok = known.valid[idx]
    _report(b, name, batch, [_ident_problem(int(lines[r]), 0, "id", known.err[idx[r]])
                             for r in np.flatnonzero(~ok).tolist()])
    rows = np.flatnonzero(ok)
    if not len(rows):
        return
    code = known.group[idx[rows]]
    # The first row of each CURIE the store does not hold yet makes a node; every other row merges.
    node_of = state.setdefault("node_of", {})
    _, first = np.unique(code, return_index=True)
    canon_of = known.names
    fresh = []
    for f in np.sort(first).tolist():
        g = int(code[f])
        if g in node_of:
            continue
        c = canon_of[g]
        i = b.index.get(c)
        node_of[g] = i
        if i is None:
            fresh.append(f)
    first = np.array(fresh, np.int64)
    cidx, cvals = _distinct(cols["category"], n)
    cat_keys = [map_category(v) for v in cvals]
    row_cat = np.array([CAT_CODE[c] for c in cat_keys], np.int64)[cidx[rows]]
    for k, cnt in zip(*np.unique(row_cat, return_counts=True), strict=True):
        _add(b.summary.mapped, f"category {_CATS[k]}", cnt)
    _add(b.summary.counts, "nodes merged with an existing node", len(rows) - len(first))
    _add(b.summary.counts, "nodes imported", len(first))
    if not len(first):
        return
    new = rows[first]
    take = pa.array(new)
    curies = [canon_of[c] for c in code[first].tolist()]
    cats = [_CATS[c] for c in row_cat[first].tolist()]
    names = [""] * len(new) if cols["name"] is None else cols["name"].take(take).to_pylist()
    labels = [nm or cid for nm, cid in zip(names, curies, strict=True)]
    syns = None
    if cols["synonym"] is not None:
        syns = pc.utf8_trim(pc.replace_substring_regex(cols["synonym"].take(take), r"\|+", "|"), "|")
    _new_nodes(b, curies, labels, cats, [""] * len(new) if syns is None else syns.to_pylist())
    _node_triples(b, curies, pa.array(labels, pa.string()), cats, syns)


# --------------------------------------------------------------------------------------------------
# edges
# --------------------------------------------------------------------------------------------------

def _edges(b: Builder, name: str, src: int, batch: Batch, state: dict[str, Any]) -> None:
    import numpy as np
    import pyarrow as pa

    lines, cols, _ = batch
    n = len(lines)
    counts = b.summary.counts
    nidx, nvals = _distinct(cols["negated"], n)
    negated = np.array([v.lower() == "true" for v in nvals], bool)[nidx]
    _add(b.summary.skipped, "negated edge", negated.sum())
    qcols = ("predicate", "object_aspect_qualifier", "object_direction_qualifier", "qualified_predicate",
             "original_predicate")
    qinv, qkeys = _combos([_distinct(cols[c], n) for c in qcols], n)
    cache = state["preds"]
    for q in qkeys:
        if q not in cache:
            cache[q] = _kgx_predicate(q[0], q[1], q[2], q[3], q[4], prefixes=b.prefixes)
    got = [cache[q] for q in qkeys]
    has_pred = np.array([p is not None for p, _ in got], bool)[qinv] if n else np.zeros(0, bool)
    probs: list[_Problem] = []
    for r in np.flatnonzero(~negated & ~has_pred).tolist():
        q = qkeys[qinv[r]]
        what = f"predicate {q[0]!r} is not a CURIE under a known prefix" if q[0].strip() else "predicate is empty"
        probs.append((int(lines[r]), 0, what, "edge without a usable predicate", False))
    live = ~negated & has_pred
    known: _Known = state["known"]
    sidx, oidx = known.codes(b, cols["subject"]), known.codes(b, cols["object"])
    s_ok, o_ok = known.valid[sidx], known.valid[oidx]
    for r in np.flatnonzero(live & ~(s_ok & o_ok)).tolist():
        if not s_ok[r]:
            probs.append(_ident_problem(int(lines[r]), 1, "subject", known.err[sidx[r]]))
        if not o_ok[r]:
            probs.append(_ident_problem(int(lines[r]), 2, "object", known.err[oidx[r]]))
    _report(b, name, batch, probs)
    rows = np.flatnonzero(live & s_ok & o_ok)
    if not len(rows):
        return
    # Nodes, in the order the row pass meets them (subject, then object, row by row).
    canon_list = known.names
    su, ou = known.group[sidx[rows]], known.group[oidx[rows]]
    node_of = state.get("gnode", np.zeros(0, np.int64))
    if len(node_of) < len(canon_list):
        node_of = state["gnode"] = np.concatenate([node_of, np.full(len(canon_list) - len(node_of), -1, np.int64)])
    seq = np.empty(2 * len(rows), np.int64)
    seq[0::2], seq[1::2] = su, ou
    seq = seq[node_of[seq] < 0]
    if len(seq):
        _, first = np.unique(seq, return_index=True)
        fresh = []
        for g in seq[np.sort(first)].tolist():
            node_of[g], new = b.node(canon_list[g])
            if new:
                fresh.append(canon_list[g])
        _add(counts, "nodes created from edges", len(fresh))
        _node_triples(b, fresh, pa.array(fresh, pa.string()), ["entity"] * len(fresh), None)
    s_node, o_node = node_of[su], node_of[ou]
    # Predicates: codes handed out in the order rows reach the edge table, as the row pass does.
    preds: dict[str, int] = {}
    pid_of = np.array([preds.setdefault(p, len(preds)) if p is not None else -1 for p, _ in got], np.int64)
    pred_list = list(preds)
    ours = {p: o for p, o in got if p is not None}
    pid = pid_of[qinv[rows]]
    _, first = np.unique(pid, return_index=True)
    code_of = np.zeros(len(pred_list), np.int64)
    for k in pid[np.sort(first)].tolist():
        code_of[k] = b.code(pred_list[k])
    code = code_of[pid]
    # Evidence, once per distinct (ivkg_evidence, has_evidence).
    einv, ekeys = _combos([_distinct(cols["ivkg_evidence"], n), _distinct(cols["has_evidence"], n)], n)
    evs = [_evidence(ev, eco) for ev, eco in ekeys]
    erow = einv[rows]
    idents = [""] * len(rows) if cols["id"] is None else [
        v.strip() for v in cols["id"].take(pa.array(rows)).to_pylist()]
    kept = _dedupe(b, s_node.tolist(), code.tolist(), o_node.tolist(), idents)
    k = np.array(kept, np.int64)
    if not len(k):
        return
    ks, ko, kc, kp = s_node[k], o_node[k], code[k], pid[k]
    ranks = np.array([r for _, r in evs], np.int64)[erow[k]]
    for arr, v in zip(b.e, (ks, ko, kc, ranks, np.full(len(k), src, np.int64)), strict=True):
        arr.frombytes(v.astype(np.int32).tobytes())
    pubs = cols["publications"]
    b.refs.extend([""] * len(k) if pubs is None else pubs.take(pa.array(rows[k])).to_pylist())
    ev_keys = [e for e, _ in evs]
    b.st_ev.extend(ev_keys[j] for j in erow[k].tolist())
    _add(counts, "edges imported", len(k))
    for p, cnt in zip(*np.unique(kp, return_counts=True), strict=True):
        pred = pred_list[p]
        _add(counts, "edges mapped onto our predicates" if ours[pred] else "edges kept with their own predicate",
             cnt)
        _add(b.summary.mapped, f"predicate {pred}", cnt)
    # N-Triples: the direct triple and the statement node of each edge (kg.store.builder.edge_ntriples).
    sts = _statements(canon_list, pred_list, su[k].tolist(), kp.tolist(), ou[k].tolist(), [idents[i] for i in kept])
    b.st_iris.extend(sts)  # what Builder.edge records per edge, for the columnar statement table
    uris = known.uri_array(b)
    s_uri, o_uri = uris.take(pa.array(su[k])), uris.take(pa.array(ou[k]))
    p_iri = pa.array([IVKG + p if ours[p] else b.uri(p) for p in pred_list], pa.string()).take(pa.array(kp))
    sign = pa.array([str(predicate_sign(p)) for p in pred_list], pa.string()).take(pa.array(kp))
    ev = pa.array([e for e, _ in evs], pa.string()).take(pa.array(erow[k]))
    st = pa.array(sts, pa.string())
    _edge_triples(b, s_uri, p_iri, o_uri, st, sign, ev, state["s_iri"])


def _evidence(ev: str, eco: str) -> tuple[str, int]:
    if ev and ev not in EVIDENCE_LEVELS:
        ev = ""
    if not ev:
        ev = next((_BY_ECO[c] for c in eco.split("|") if c in _BY_ECO), "")
    return ev, EVIDENCE_LEVELS[ev].rank if ev else 0


def _dedupe(b: Builder, s: list[int], code: list[int], o: list[int], idents: list[str]) -> list[int]:
    """The rows that :meth:`Builder.edge` would keep (it shares its key set with the row pass)."""
    keys, cur = b.keys, b.curated_keys
    kept, merged, dup = [], 0, 0
    for i, (si, c, oi, ident) in enumerate(zip(s, code, o, idents, strict=True)):
        key = (si << 48) | (c << 32) | oi
        if ident and key not in cur:
            key = hash((key, ident))
        if key in cur:
            merged += 1
        elif key in keys:
            dup += 1
        else:
            keys.add(key)
            kept.append(i)
    _add(b.summary.counts, "edges merged into a curated statement", merged)
    _add(b.summary.skipped, "duplicate edge (same subject, predicate, object)", dup)
    return kept


def _statements(canon: list[str], preds: list[str], s: list[int], p: list[int], o: list[int],
                idents: list[str]) -> list[str]:
    """Statement IRIs, as :func:`kg.store.builder.statement_iri` makes them."""
    sha1, ours, base = hashlib.sha1, _OURS_ST.fullmatch, IVKG + "statement/"
    out = []
    for si, pi, oi, ident in zip(s, p, o, idents, strict=True):
        if ident and ours(ident):
            out.append(base + ident)
            continue
        digest = sha1(f"{canon[si]}\t{preds[pi]}\t{canon[oi]}\t\t\t".encode()).hexdigest()
        if ident:
            digest = sha1(f"{digest}\t{ident}".encode()).hexdigest()
        out.append(f"{base}st-{digest[:12]}")
    return out


def _edge_triples(b: Builder, s: Any, p: Any, o: Any, st: Any, sign: Any, ev: Any, source: str) -> None:
    import pyarrow.compute as pc

    text = _join("<", s, "> <", p, "> <", o, "> .\n<", st, f"> <{RDF}type> <{IVKG}Statement> .\n<", st,
                 f"> <{IVKG}subject> <", s, "> .\n<", st, f"> <{IVKG}predicate> <", p, "> .\n<", st,
                 f"> <{IVKG}object> <", o, "> .\n<", st, f'> <{IVKG}sign> "', sign, f'"^^<{XSD}integer> .\n')
    has_ev = pc.not_equal(ev, "")
    ev_line = pc.if_else(has_ev, _join("<", st, f"> <{IVKG}evidence> <{IVKG}evidence/", ev, "> .\n"), "")
    text = _join(text, ev_line, "<", st, f"> <{PROV}wasDerivedFrom> <{source}> .\n")
    _write(b, text, 7 * len(st) + pc.sum(has_ev.cast("int64")).as_py() if len(st) else 0)
