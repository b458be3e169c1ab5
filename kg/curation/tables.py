"""Reading and writing the curated TSV tables, with a file:line location on every row and problem.

The layout is one folder per table kind (``entities/``, ``statements/``, ...) holding any number of
``*.tsv`` files with the columns of :data:`kg.core.vocab.TABLE_COLUMNS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.core.model import Location
from kg.core.vocab import TABLE_COLUMNS


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the curated data, printed as ``file:line: column: message``."""

    file: str
    line: int
    column: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f" {self.column}:" if self.column else ""
        tag = "" if self.severity == "error" else f" ({self.severity})"
        return f"{where}:{col} {self.message}{tag}"


@dataclass(frozen=True)
class Row:
    kind: str
    values: dict[str, str]
    location: Location

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def problem(self, column: str, message: str, severity: str = "error") -> Problem:
        return Problem(self.location.file, self.location.line, column, message, severity)


def table_files(data_dir: Path, kind: str) -> list[Path]:
    """The files of one table kind, in a stable order."""
    return table_entries(data_dir, kind)[0]


def table_entries(data_dir: Path, kind: str) -> tuple[list[Path], list[Problem]]:
    """The ``.tsv`` files of one table kind, and a problem for every entry that is not a readable file.

    A directory or a dangling symlink where a table should be, or a table folder that is a file, would
    otherwise drop that table's rows without a word.
    """
    folder = data_dir / kind
    rel = _relative(folder, data_dir)
    if folder.is_symlink() and not folder.exists():
        return [], [Problem(rel, 0, "", "dangling symlink where the table folder should be")]
    if folder.exists() and not folder.is_dir():
        return [], [Problem(rel, 0, "", "is a file, not a folder of .tsv tables")]
    if not folder.is_dir():
        return [], []
    files: list[Path] = []
    problems: list[Problem] = []
    for p in sorted(folder.iterdir()):
        name = f"{rel}/{p.name}"
        if p.is_symlink() and not p.exists():
            problems.append(Problem(name, 0, "", "dangling symlink in a table folder"))
        elif p.is_dir():
            problems.append(Problem(name, 0, "", "is a directory in a table folder (tables are .tsv files)"))
        elif not p.is_file():
            problems.append(Problem(name, 0, "", "is not a regular file"))
        elif p.suffix == ".tsv":
            files.append(p)
    return files, problems


def split_cell(cell: str, sep: str) -> list[str]:
    """The non-empty items of a list cell (``;``- or ``|``-separated), stripped."""
    return [x.strip() for x in cell.split(sep) if x.strip()]


def read_table(path: Path, kind: str, data_dir: Path) -> tuple[list[Row], list[Problem]]:
    """Read one TSV file. Syntax problems are returned, never raised."""
    rel = _relative(path, data_dir)
    columns = TABLE_COLUMNS[kind]
    problems: list[Problem] = []
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [], [Problem(rel, line, "", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})")]
    if "\r" in text and "\n" not in text:
        return [], [Problem(rel, 1, "", "CR-only line endings (old Mac style): save the file with LF (or CRLF)"
                                        " line endings")]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        problems.append(Problem(rel, len(lines), "", "no newline at the end of the file: it may have been cut "
                                                      "inside its last row (end the file with a newline)"))
    if not lines:
        return [], [Problem(rel, 1, "", "empty file: expected a header row")]
    header = [h.strip() for h in lines[0].rstrip("\r").split("\t")]
    unknown = [h for h in header if h not in columns]
    missing = [c for c in columns if c not in header]
    for h in unknown:
        problems.append(Problem(rel, 1, h, f"unknown column {h!r} (expected: {', '.join(columns)})"))
    for c in missing:
        problems.append(Problem(rel, 1, c, f"missing column {c!r}"))
    if unknown or missing:
        return [], problems
    rows: list[Row] = []
    for number, raw_line in enumerate(lines[1:], start=2):
        text_line = raw_line.rstrip("\r")
        if not text_line.strip():
            continue
        cells = text_line.split("\t")
        if len(cells) != len(header):
            problems.append(Problem(rel, number, "", f"expected {len(header)} tab-separated fields, "
                                                       f"found {len(cells)}"))
            continue
        values = {h: c.strip() for h, c in zip(header, cells, strict=True)}
        for h, c in values.items():
            bad = _CONTROL.search(c)
            if bad:
                problems.append(Problem(rel, number, h, f"{_describe(bad.group())} in the cell at character "
                                                        f"{bad.start() + 1}: curated text must be plain"))
        rows.append(Row(kind, values, Location(rel, number)))
    return rows, problems


def read_tables(data_dir: Path) -> tuple[dict[str, list[Row]], list[Problem]]:
    """Read every table of a curated data folder."""
    if not data_dir.is_dir():
        raise FileNotFoundError(f"data folder not found: {data_dir}")
    out: dict[str, list[Row]] = {}
    problems: list[Problem] = []
    for kind in TABLE_COLUMNS:
        out[kind] = []
        files, entry_problems = table_entries(data_dir, kind)
        problems.extend(entry_problems)
        for path in files:
            rows, probs = read_table(path, kind, data_dir)
            out[kind].extend(rows)
            problems.extend(probs)
    return out, problems


def render_table(kind: str, rows: Iterable[dict[str, str]]) -> str:
    columns = TABLE_COLUMNS[kind]
    lines = ["\t".join(columns)]
    for row in rows:
        cells = [row.get(c, "") for c in columns]
        for cell in cells:
            if "\t" in cell or "\n" in cell:
                raise ValueError(f"a {kind} cell contains a tab or newline: {cell!r}")
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


#: Characters a curated cell must not hold: C0 controls but tab, DEL, C1 controls and the bidi marks,
#: embeddings, overrides and isolates that reorder text on screen.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def _describe(ch: str) -> str:
    if ch == "\x00":
        return "a NUL byte"
    if ch in "\u200e\u200f\u061c" or "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
        return f"a bidirectional-text control (U+{ord(ch):04X})"
    return f"a control character (U+{ord(ch):04X})"


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve().parent))
    except ValueError:
        return str(path)
