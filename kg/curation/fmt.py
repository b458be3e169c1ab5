"""The canonical form of the curated tables (``kg fmt``): names rewritten as CURIEs, lists and rows sorted.

A test fails when data/ differs from its own canonical re-dump, so diffs stay small and reviewable.
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.core.files import atomic_write
from kg.core.model import Curie, CurieError
from kg.core.vocab import REVIEW_SECTIONS, TABLE_COLUMNS
from kg.curation.read import default_data_dir, read
from kg.curation.tables import Problem, Row, read_table, render_table, split_cell, table_entries

_SECTION_ORDER = {s: i for i, s in enumerate(REVIEW_SECTIONS)}

_NATURAL = re.compile(r"(\d+)")


def _natural(text: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p.lower() for p in _NATURAL.split(text))


def _sort_key(kind: str, row: dict[str, str]) -> tuple[object, ...]:
    if kind == "publications":
        return (int(row["ref"]) if row["ref"].isdigit() else 10**9, row["ref"])
    if kind == "statements":
        return tuple(_natural(row[c]) for c in ("subject", "predicate", "object", "species",
                                                "model_system", "setting"))
    if kind == "outcomes":
        return tuple(_natural(row[c]) for c in ("subject", "arm", "measure", "low", "value"))
    if kind == "exclusions":
        return (row["name"].lower(), row["section"])
    return (_natural(row["id"]),)


def _canonical_list(cell: str, sep: str, kind: str) -> str:
    items = split_cell(cell, sep)
    if kind == "refs":
        uniq = sorted(set(items), key=lambda x: (not x.isdigit(), int(x) if x.isdigit() else 0, x))
    elif kind == "sections":
        uniq = sorted(set(items), key=lambda x: (_SECTION_ORDER.get(x, 999), x))
    elif kind == "curies":
        norm = []
        for x in items:
            try:
                norm.append(str(Curie.parse(x)))
            except CurieError:
                norm.append(x)
        uniq = sorted(set(norm), key=_natural)
    else:
        uniq = sorted(set(items), key=lambda s: (s.lower(), s))
    return sep.join(uniq)


Rewrites = dict[tuple[str, int, str, str], str]


def canonical_rows(kind: str, rows: list[Row], rewrites: Rewrites) -> list[dict[str, str]]:
    """Rows in canonical form: names rewritten as CURIEs, lists sorted, rows sorted by key."""
    out = []
    for row in rows:
        vals = dict(row.values)
        f, ln = row.location.file, row.location.line
        for col in ("subject", "object", "condition"):
            if col in vals:
                vals[col] = rewrites.get((f, ln, col, vals[col]), vals[col])
        if kind == "trials":
            vals["drugs"] = ";".join(rewrites.get((f, ln, "drugs", d), d)
                                     for d in split_cell(vals["drugs"], ";"))
        for col in ("id", "publication", "doi", "pmcid"):
            if vals.get(col):
                try:
                    vals[col] = str(Curie.parse(vals[col]))
                except CurieError:
                    pass
        for col, sep, how in (("synonyms", "|", "names"), ("xrefs", "|", "curies"),
                              ("sources", ";", "curies"), ("refs", ";", "refs"),
                              ("section", ";", "sections")):
            if col in vals:
                vals[col] = _canonical_list(vals[col], sep, how)
        out.append(vals)
    out.sort(key=lambda r: _sort_key(kind, r))
    return out


def format_data(data_dir: Path | None = None, check_only: bool = False) -> tuple[list[Path], list[Problem]]:
    """Rewrite every table canonically. Returns (files that changed or would change, syntax problems).

    Files with syntax errors are never rewritten; names that cannot be resolved are left as written.
    """
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    result = read(data_dir, check=False)
    rewrites: Rewrites = {(f, ln, col, w): canon for f, ln, col, w, canon in result.rewrites}
    changed: list[Path] = []
    # Syntax problems are exactly what the table layer reports (entries that are not files, encoding,
    # line endings, header, field counts, forbidden characters): a file with any of them is left alone.
    syntax: list[Problem] = []
    for kind in TABLE_COLUMNS:
        files, entry_problems = table_entries(data_dir, kind)
        syntax.extend(entry_problems)
        for path in files:
            rows, probs = read_table(path, kind, data_dir)
            if probs:
                syntax.extend(probs)
                continue
            text = render_table(kind, canonical_rows(kind, rows, rewrites))
            if path.read_text(encoding="utf-8") != text:
                changed.append(path)
                if not check_only:
                    atomic_write(path, text)
    return changed, syntax
