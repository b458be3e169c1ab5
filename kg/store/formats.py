"""Readers of the import formats: KGX TSV (nodes and edges) and RDF (N-Triples, N-Quads, Turtle).

Readers only read: they yield numbered rows or triples, report malformed input through a
:data:`~kg.store.report.Report` callback, and know nothing of the store being built. The importer
(:mod:`kg.store.importer`) maps what they yield onto our vocabulary and into the store.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kg.store.report import MAX_LINE, ImportFailed, ImportProblem, Report

#: A triple as the readers yield it: (line, subject IRI, predicate IRI, object IRI, object literal or
#: None). Line is 0 where the parser does not say (Turtle).
Triple = tuple[int, str, str, str, str | None]


def _open(path: Path) -> IO[bytes]:
    import bz2

    opener: Callable[..., IO[bytes]] = (gzip.open if path.suffix == ".gz"  # type: ignore[assignment]
                                        else bz2.open if path.suffix == ".bz2" else open)
    return opener(path, "rb")


ARCHIVES = (".tar.gz", ".tgz", ".tar.bz2", ".tar")


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVES)


def unpack(path: Path, folder: Path) -> list[Path]:
    """The KGX files (``*nodes*``/``*edges*`` .tsv/.jsonl, and a ``curie_map`` JSON) of a tar archive,
    extracted flat into ``folder``; ImportFailed when it holds none or is unreadable."""
    import tarfile

    out: list[Path] = []
    try:
        with tarfile.open(path, "r:*") as tar:
            for m in tar:
                base = m.name.rsplit("/", 1)[-1]
                if not m.isfile() or base.startswith("."):
                    continue
                if not base.endswith((".tsv", ".jsonl", ".json", ".tsv.gz", ".jsonl.gz")):
                    continue
                target = folder / f"{len(out)}-{base}"
                src = tar.extractfile(m)
                if src is None:
                    continue
                with src, target.open("wb") as f:
                    while chunk := src.read(1 << 20):
                        f.write(chunk)
                out.append(target)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ImportFailed(ImportProblem(path.name, 0, f"unreadable archive ({exc})")) from None
    if not out:
        raise ImportFailed(ImportProblem(path.name, 0, "archive holds no KGX nodes or edges file"))
    return out


class Lines:
    """Numbered lines of a (possibly gzipped) UTF-8 file, each capped at MAX_LINE bytes; or of ``raw``, a
    block of such a file whose first line is line ``after + 1``."""

    def __init__(self, path: Path, report: Report, progress: Any = None, raw: bytes | None = None,
                 after: int = 0):
        self.path, self.report, self.progress = path, report, progress
        self.raw, self.after = raw, after

    def __iter__(self) -> Iterator[tuple[int, str, bool]]:
        """(line number, text without the newline, ended by a newline)."""
        import io

        n = self.after
        pending = 0
        with _open(self.path) if self.raw is None else io.BytesIO(self.raw) as f:
            while True:
                try:
                    raw = f.readline(MAX_LINE + 1)
                except (EOFError, OSError) as exc:  # truncated gzip stream
                    self.report(n + 1, f"file is truncated or corrupt ({exc})", "malformed line")
                    return
                if not raw:
                    break
                n += 1
                pending += len(raw)
                if self.progress is not None and pending > 1 << 22:
                    self.progress.update(pending)
                    pending = 0
                if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                    size = len(raw)
                    while raw and not raw.endswith(b"\n"):
                        raw = f.readline(MAX_LINE)
                        size += len(raw)
                    self.report(n, f"line longer than {MAX_LINE} bytes ({size} bytes); skipped", "malformed line")
                    continue
                ended = raw.endswith(b"\n")
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    self.report(n, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
                                "malformed line")
                    continue
                yield n, text.rstrip("\r\n"), ended
        if self.progress is not None:
            self.progress.update(pending)


# --------------------------------------------------------------------------------------------------
# KGX TSV
# --------------------------------------------------------------------------------------------------

def read_header(path: Path) -> list[str]:
    """The column names of a TSV file's first line (refusing a truncated, overlong or non-UTF-8 one)."""
    try:
        with _open(path) as f:
            raw = f.readline(MAX_LINE + 1)
    except (EOFError, OSError) as exc:
        raise ImportFailed(ImportProblem(path.name, 1, f"file is truncated or corrupt ({exc})")) from None
    if len(raw) > MAX_LINE:
        raise ImportFailed(ImportProblem(path.name, 1, f"header line longer than {MAX_LINE} bytes"))
    try:
        return raw.decode("utf-8").rstrip("\r\n").split("\t")
    except UnicodeDecodeError:
        raise ImportFailed(ImportProblem(path.name, 1, "header is not valid UTF-8")) from None


def kgx_kind(header: list[str]) -> str | None:
    """``"edges"`` or ``"nodes"`` from a KGX header, or None when it is neither."""
    cols = set(header)
    if {"subject", "predicate", "object"} <= cols:
        return "edges"
    if "id" in cols:
        return "nodes"
    return None


class KgxRows:
    """The data rows of a KGX TSV file as ``(line, cells)``.

    ``cells`` has one extra empty cell at the end, which is what :meth:`index` gives a column that the
    header does not have, so ``cells[rows.index(name)]`` reads any column, present or not. As KGX reads
    them, rows may leave out trailing empty columns (they are padded); a row cut off by the end of the
    file, or longer than the header, is malformed.
    """

    def __init__(self, path: Path, report: Report, progress: Any = None, lines: Iterable[Any] | None = None,
                 header: list[str] | None = None):
        self.path, self.report, self.progress = path, report, progress
        self.lines = lines
        self.header: list[str] = header or []
        self.columns: dict[str, int] = {h: i for i, h in enumerate(self.header)}

    def index(self, column: str) -> int:
        return self.columns.get(column, -1)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        lines = self.lines if self.lines is not None else Lines(self.path, self.report, self.progress)
        for line, text, ended in lines:
            if not self.header:
                self.header = text.split("\t")
                self.columns = {h: i for i, h in enumerate(self.header)}
                continue
            if not text.strip():
                continue
            cells = text.split("\t")
            n = len(self.header)
            if len(cells) > n or (len(cells) < n and not ended):
                hint = "; the file ends mid-line (truncated?)" if not ended else ""
                self.report(line, f"{len(cells)} columns where the header has {n}{hint}",
                            "wrong column count")
                continue
            if len(cells) < n:
                cells.extend([""] * (n - len(cells)))
            cells.append("")  # what a column missing from the header reads as (index len(header))
            yield line, cells


def _pad_short_rows(block: bytes, n_columns: int) -> bytes:
    """``block`` with tabs added before the newline of each short row, as KGX writes rows whose trailing
    cells are empty (the row reader pads them the same way). A block with a long row, or whose last line
    has no newline, is returned as it is (the CSV reader then refuses it and the row reader reports)."""
    import numpy as np

    if not block.endswith(b"\n"):
        return block
    arr = np.frombuffer(block, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    per_line = np.diff(np.searchsorted(np.flatnonzero(arr == 9), nl), prepend=0)
    deficit = (n_columns - 1) - per_line
    if (deficit < 0).any() or not deficit.any():
        return block
    reps = np.ones(len(arr), dtype=np.int64)
    reps[nl] += deficit
    out = np.repeat(arr, reps)
    ends = np.cumsum(reps)[nl] - 1  # where each line's newline lands
    total = int(deficit.sum())
    starts = np.repeat(ends - deficit, deficit)
    offsets = np.arange(total) - np.repeat(np.cumsum(deficit) - deficit, deficit)
    out[starts + offsets] = 9
    return out.tobytes()


#: A block of KGX rows read column-wise: (line numbers as a numpy array, column name -> pyarrow string
#: array or None for a column the header lacks, the reader's problems in the block as (line, message,
#: reason)).
Batch = tuple[Any, dict[str, Any], list[tuple[int, str, str]]]


class KgxColumns:
    """The data rows of a KGX TSV file in blocks of :data:`Batch`, read column-wise by pyarrow's CSV reader
    (only the columns in ``names``).

    Rows, line numbers and problems are exactly those of :class:`KgxRows`: a block where the fast reader
    could read otherwise (a carriage return, a blank, overlong or short row, bad UTF-8, a blank ``key``
    cell) is read by :class:`KgxRows` instead, and so is the rest of a file that cannot be read to its end.
    """

    BLOCK = 1 << 22
    ROWS = 1 << 16  # rows per batch where the row reader reads

    def __init__(self, path: Path, names: Iterable[str], key: str, progress: Any = None):
        self.path, self.names, self.key, self.progress = path, list(names), key, progress
        self.header: list[str] = []
        self.columns: dict[str, int] = {}

    def __iter__(self) -> Iterator[Batch]:
        with _open(self.path) as f:
            try:
                raw = f.readline(MAX_LINE + 1)
                header = raw.decode("utf-8").rstrip("\r\n").split("\t")
            except Exception:  # the row reader says what is wrong
                yield from self._rows_after(0)
                return
            if not raw.endswith(b"\n"):
                yield from self._rows_after(0)
                return
            self.header, self.columns = header, {h: i for i, h in enumerate(header)}
            line, carry = 1, b""
            while True:
                try:
                    chunk = f.read(self.BLOCK)
                except Exception:  # a truncated or corrupt stream: the row reader reports it as it does
                    yield from self._rows_after(line)
                    return
                if self.progress is not None:
                    self.progress.update(len(chunk))
                data = carry + chunk if carry else chunk
                if chunk:
                    cut = data.rfind(b"\n") + 1
                    if cut == 0:
                        carry = data
                        if len(carry) > MAX_LINE + 1:  # an overlong line, read without holding it
                            yield from self._rows_after(line)
                            return
                        continue
                    block, carry = data[:cut], data[cut:]
                else:
                    block, carry = data, b""
                if block:
                    n = block.count(b"\n") + (not block.endswith(b"\n"))
                    yield self._block(block, line, n)
                    line += n
                if not chunk:
                    return

    def _block(self, block: bytes, after: int, n: int) -> Batch:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc
        from pyarrow import csv

        if b"\r" in block or block.startswith(b"\xef\xbb\xbf") or not self._fits(block):
            return self._rows_block(block, after)
        try:
            block.decode("utf-8")
            table = csv.read_csv(
                pa.py_buffer(_pad_short_rows(block, len(self.header))),
                read_options=csv.ReadOptions(column_names=[f"f{i}" for i in range(len(self.header))]),
                parse_options=csv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False,
                                               ignore_empty_lines=False),
                convert_options=csv.ConvertOptions(
                    column_types={f"f{i}": pa.string() for i in range(len(self.header))},
                    strings_can_be_null=False, include_columns=sorted(
                        {f"f{self.columns[c]}" for c in self.names if c in self.columns})))
        except (UnicodeDecodeError, pa.ArrowInvalid):
            return self._rows_block(block, after)
        if table.num_rows != n:
            return self._rows_block(block, after)
        cols = {c: table.column(f"f{self.columns[c]}").combine_chunks() if c in self.columns else None
                for c in self.names}
        key = cols.get(self.key)
        if key is not None and not pc.all(pc.match_substring_regex(key, "[!-~]")).as_py():
            return self._rows_block(block, after)  # a blank key cell: the row may be blank, or not
        return np.arange(after + 1, after + 1 + n, dtype=np.int64), cols, []

    @staticmethod
    def _fits(block: bytes) -> bool:
        """No line of the block is longer than MAX_LINE."""
        if len(block) <= MAX_LINE:
            return True
        import numpy as np

        ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
        edges = np.concatenate(([-1], ends, [len(block)]))
        return bool((np.diff(edges) - 1).max() <= MAX_LINE)

    def _batch(self, rows: list[tuple[int, list[str]]], probs: list[tuple[int, str, str]]) -> Batch:
        import numpy as np
        import pyarrow as pa

        cols: dict[str, Any] = {}
        for c in self.names:
            i = self.columns.get(c)
            cols[c] = None if i is None else pa.array([cells[i] for _, cells in rows], pa.string())
        return np.array([n for n, _ in rows], dtype=np.int64), cols, probs

    def _rows_block(self, block: bytes, after: int) -> Batch:
        probs: list[tuple[int, str, str]] = []

        def report(n: int, m: str, r: str) -> None:
            probs.append((n, m, r))

        lines = Lines(self.path, report, raw=block, after=after)
        return self._batch(list(KgxRows(self.path, report, lines=lines, header=self.header)), probs)

    def _rows_after(self, after: int) -> Iterator[Batch]:
        """The rows after line ``after``, read by the row reader from the start of the file."""
        probs: list[tuple[int, str, str]] = []

        def report(n: int, m: str, r: str) -> None:
            if n > after:
                probs.append((n, m, r))

        rows: list[tuple[int, list[str]]] = []
        reader = KgxRows(self.path, report)
        for line, cells in reader:
            if not self.columns:
                self.header, self.columns = reader.header, reader.columns
            if line > after:
                rows.append((line, cells))
            if len(rows) >= self.ROWS:
                yield self._batch(rows, probs)
                rows, probs = [], []
        if not self.columns:
            self.header, self.columns = reader.header, reader.columns
        if rows or probs:
            yield self._batch(rows, probs)


# --------------------------------------------------------------------------------------------------
# KGX JSON Lines
# --------------------------------------------------------------------------------------------------

#: The KGX slots the importer reads (JSON Lines records are read into these columns).
KGX_COLUMNS = ("id", "category", "name", "synonym", "subject", "predicate", "object", "negated",
               "qualified_predicate", "object_aspect_qualifier", "object_direction_qualifier",
               "original_predicate", "publications", "has_evidence", "ivkg_evidence")


def is_jsonl(path: Path) -> bool:
    return path.name.lower().removesuffix(".gz").removesuffix(".bz2").endswith(".jsonl")


def jsonl_kind(path: Path) -> str | None:
    """``"edges"`` or ``"nodes"`` from the first record of a KGX JSON Lines file."""
    import json

    for _, text, _ in Lines(path, lambda *a: None):
        if not text.strip():
            continue
        try:
            rec = json.loads(text)
        except ValueError:
            raise ImportFailed(ImportProblem(path.name, 1, "not JSON Lines (the first record is not JSON)")) \
                from None
        return kgx_kind(list(rec)) if isinstance(rec, dict) else None
    return None


def _cell(value: Any) -> str:
    """A JSON value as the TSV cell KGX would write: lists ``|``-joined, booleans True/False."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else ""
    if isinstance(value, list):
        return "|".join(_cell(v) for v in value if v is not None)
    return str(value)


class KgxJsonl:
    """The records of a KGX JSON Lines file (one Biolink node or edge object per line) as ``(line,
    cells)`` in the columns of :data:`KGX_COLUMNS`, the interface of :class:`KgxRows`."""

    def __init__(self, path: Path, report: Report, progress: Any = None):
        self.path, self.report, self.progress = path, report, progress
        self.columns = {c: i for i, c in enumerate(KGX_COLUMNS)}

    def index(self, column: str) -> int:
        return self.columns.get(column, len(KGX_COLUMNS))

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        import json

        for line, text, ended in Lines(self.path, self.report, self.progress):
            if not text.strip():
                continue
            try:
                rec = json.loads(text)
            except ValueError as exc:
                hint = "; the file ends mid-line (truncated?)" if not ended else ""
                self.report(line, f"not a JSON object ({getattr(exc, 'msg', exc)}){hint}", "malformed line")
                continue
            if not isinstance(rec, dict):
                self.report(line, "not a JSON object", "malformed line")
                continue
            cells = [_cell(rec.get(c)) for c in KGX_COLUMNS]
            if isinstance(rec.get("negated"), str):  # a string as a boolean: what it says, not bool()
                cells[self.columns["negated"]] = rec["negated"]
            cells.append("")
            yield line, cells


# --------------------------------------------------------------------------------------------------
# RDF
# --------------------------------------------------------------------------------------------------

class NTriplesScan:
    """The triples of a line-based RDF file (N-Triples, N-Quads), read fast and leniently: Oxigraph parses
    the file for real when it is loaded, so this pass only collects what the path graph needs. ``triples``
    counts the triple lines seen (set once the iteration is done)."""

    def __init__(self, path: Path, report: Report, progress: Any = None):
        self.path, self.report, self.progress = path, report, progress
        self.triples = 0

    def __iter__(self) -> Iterator[Triple]:
        for line, text, _ in Lines(self.path, self.report, self.progress):
            if not text.startswith(("<", "_:")):
                continue
            self.triples += 1
            parts = text.split(" ", 2)
            if len(parts) < 3 or not parts[1].startswith("<"):
                continue
            rest = parts[2]
            if rest.startswith("<"):
                yield line, parts[0][1:-1], parts[1][1:-1], rest[1:rest.find(">")], None
            elif rest.startswith('"'):
                end = rest.rfind('"')
                lit = rest[1:end].replace('\\"', '"').replace("\\\\", "\\")
                yield line, parts[0][1:-1], parts[1][1:-1], "", lit


def turtle_triples(path: Path, name: str, base_iri: str | None = None) -> Iterator[Triple]:
    """The triples of a Turtle file with a named-node subject (a syntax error refuses the import);
    relative IRIs resolve against ``base_iri``."""
    import pyoxigraph as ox

    try:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base_iri):
            o_lit = t.object.value if isinstance(t.object, ox.Literal) else None
            if isinstance(t.subject, ox.NamedNode):
                yield 0, t.subject.value, t.predicate.value, t.object.value, o_lit
    except SyntaxError as exc:
        raise ImportFailed(ImportProblem(name, syntax_line(exc),
                                         f"Turtle syntax error: {str(exc).splitlines()[0]}")) from None


def syntax_line(exc: BaseException) -> int:
    line = getattr(exc, "lineno", None)
    return int(line) if isinstance(line, int) else 0
