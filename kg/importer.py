"""``kg import``: merge external graphs (Biolink KGX TSV, N-Triples, Turtle, N-Quads) with the curated one.

The result is a fresh store generation (see :mod:`kg.store`) that replaces the live one only when the
whole import succeeded, so a failure leaves the existing store unchanged. Files are streamed line by line
with a cap on line length, so memory grows with the number of nodes and edges kept, never with the size
of a line or a file. Every skipped row is counted with its reason; malformed rows are reported with
``file:line`` (and refused with ``strict``).

Each imported edge becomes, in RDF, the direct triple ``subject ivkg:<predicate> object`` plus a
statement node carrying sign, evidence and ``prov:wasDerivedFrom`` the source file, the same shape as
curated statements (:mod:`kg.rdf`).
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import time
import urllib.parse
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kg.model import KG, Curie
from kg.rdf import PROV, RDF, RDFS, SKOS, XSD, Term, _nt_term, triples
from kg.vocab import CATEGORIES, IVKG, PREDICATES

FORMATS = ("kgx", "nt", "ttl", "nq")
#: Longest line accepted; a longer one is malformed (and is skipped without being held in memory).
MAX_LINE = 1 << 20
_PRED_CODE = {k: i for i, k in enumerate(PREDICATES)}
_CAT_CODE = {k: i for i, k in enumerate(CATEGORIES)}


def source_iri(name: str) -> str:
    return IVKG + "source/" + urllib.parse.quote(name, safe="")


def _esc(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))


def node_ntriples(uri: str, curie: str, label: str, category: str, synonyms: tuple[str, ...]) -> str:
    """N-Triples of an imported node (class, label, category, CURIE, synonyms)."""
    lines = [f"<{uri}> <{RDF}type> <{IVKG}{CATEGORIES[category].cls}> .\n",
             f'<{uri}> <{RDFS}label> "{_esc(label)}" .\n',
             f'<{uri}> <{IVKG}category> "{category}" .\n',
             f'<{uri}> <{IVKG}curie> "{curie}" .\n']
    lines.extend(f'<{uri}> <{SKOS}altLabel> "{_esc(s)}" .\n' for s in synonyms)
    return "".join(lines)


def edge_ntriples(s: str, pred: str, o: str, evidence: str, st: str, source: str) -> str:
    """N-Triples of an imported edge: the direct triple and its statement node."""
    p = IVKG + pred
    text = (f"<{s}> <{p}> <{o}> .\n<{st}> <{RDF}type> <{IVKG}Statement> .\n<{st}> <{IVKG}subject> <{s}> .\n"
            f"<{st}> <{IVKG}predicate> <{p}> .\n<{st}> <{IVKG}object> <{o}> .\n"
            f'<{st}> <{IVKG}sign> "{PREDICATES[pred].sign}"^^<{XSD}integer> .\n')
    if evidence:
        text += f"<{st}> <{IVKG}evidence> <{IVKG}evidence/{evidence}> .\n"
    return text + f"<{st}> <{PROV}wasDerivedFrom> <{source}> .\n"


def statement_iri(s: str, pred: str, o: str) -> str:
    """Same id as :attr:`kg.model.Statement.id` of a statement without context."""
    digest = hashlib.sha1("\t".join((s, pred, o, "", "", "")).encode("utf-8")).hexdigest()
    return f"{IVKG}statement/st-{digest[:12]}"


@dataclass(frozen=True)
class ImportProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class ImportFailed(Exception):
    """The import was refused; the existing store is unchanged."""

    def __init__(self, problem: ImportProblem | str):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    mapped: Counter[str] = field(default_factory=Counter)
    problems: list[ImportProblem] = field(default_factory=list)
    n_problems: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    store: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"counts": dict(sorted(self.counts.items())), "skipped": dict(sorted(self.skipped.items())),
                "mapped": dict(sorted(self.mapped.items())), "problems": [str(p) for p in self.problems],
                "n_problems": self.n_problems, "seconds": self.seconds, "store": self.store}


class _Lines:
    """Numbered lines of a (possibly gzipped) UTF-8 file, each capped at MAX_LINE bytes."""

    def __init__(self, path: Path, report: Callable[[int, str], None], progress: Any = None):
        self.path, self.report, self.progress = path, report, progress

    def __iter__(self) -> Iterator[tuple[int, str, bool]]:
        """(line number, text without the newline, ended by a newline)."""
        opener: Callable[..., IO[bytes]] = gzip.open if self.path.suffix == ".gz" else open  # type: ignore[assignment]
        n = 0
        pending = 0
        with opener(self.path, "rb") as f:
            while True:
                try:
                    raw = f.readline(MAX_LINE + 1)
                except (EOFError, OSError) as exc:  # truncated gzip stream
                    self.report(n + 1, f"file is truncated or corrupt ({exc})")
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
                    self.report(n, f"line longer than {MAX_LINE} bytes ({size} bytes); skipped")
                    continue
                ended = raw.endswith(b"\n")
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    self.report(n, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})")
                    continue
                yield n, text.rstrip("\r\n"), ended
        if self.progress is not None:
            self.progress.update(pending)


class _Builder:
    """Node table, edge arrays and the N-Triples to bulk-load, filled file by file."""

    def __init__(self, nt: IO[str], summary: Summary, strict: bool):
        self.nt, self.summary, self.strict = nt, summary, strict
        self.index: dict[str, int] = {}
        self.ids: list[str] = []
        self.labels: list[str] = []
        self.cats = array("B")
        self.syns: list[str] = []
        self.curated = array("B")
        self.e = [array("i") for _ in range(5)]  # s, o, pred, rank, source
        self.refs: list[str] = []
        self.keys: set[int] = set()
        self.curated_keys: set[int] = set()
        self.sources: list[str] = ["curated"]
        self.rdf_edges: list[int] = []
        #: Triples written to the loader, and read from line-based RDF inputs.
        self.triples = 0
        #: RDF statement nodes (hash of the IRI) -> [subject node, predicate code, object node, rank].
        self.statements: dict[int, list[int]] = {}
        self._uri: dict[str, str] = {}

    def problem(self, file: str, line: int, message: str, reason: str) -> None:
        p = ImportProblem(file, line, message)
        if self.strict:
            raise ImportFailed(p)
        self.summary.n_problems += 1
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
        self.cats.append(_CAT_CODE[cat])
        self.syns.append(syns)
        self.curated.append(curated)
        return i, True

    def edge(self, s: int, pred: str, o: int, rank: int, src: int, refs: str) -> bool:
        code = _PRED_CODE[pred]
        key = (s << 40) | (code << 32) | o
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
            self.edge(si, st.predicate, oi, st.evidence_rank, 0, st.id)
        for s, p, obj in triples(kg):
            self.write(f"<{s}> <{p}> {_nt_term(obj)} .\n")
        self.summary.counts["curated nodes"] = len(self.ids)
        self.summary.counts["curated statements"] = len(kg.statements)

    def write(self, text: str) -> None:
        self.triples += text.count("\n")
        self.nt.write(text)

    def uri(self, curie: str) -> str:
        u = self._uri.get(curie)
        if u is None:
            u = self._uri[curie] = Curie.parse(curie).uri
        return u


def _progress(path: Path, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a convenience; the import works without it
        return None

    size = path.stat().st_size if path.suffix != ".gz" else None
    return tqdm(total=size, unit="B", unit_scale=True, desc=path.name, file=sys.stderr, leave=False)


class _Loader:
    """Bulk-loads into Oxigraph on a background thread (pyoxigraph releases the GIL while loading), so
    parsing in Python and indexing in Oxigraph overlap. Our own triples arrive through a FIFO; RDF
    input files are then loaded from their paths."""

    def __init__(self, path: Path, fifo: Path, files: list[Path], fmt: str, ontology: Path | None = None):
        import threading

        import pyoxigraph as ox

        self.ox = ox
        self.store = ox.Store(str(path))
        self.fifo, self.files, self.fmt, self.ontology = fifo, files, fmt, ontology
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        ox = self.ox
        try:
            # Our N-Triples are made from validated CURIEs: IRI re-validation can be skipped.
            self.store.bulk_load(path=str(self.fifo), format=ox.RdfFormat.N_TRIPLES, lenient=True)
            fmts = {"nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS, "ttl": ox.RdfFormat.TURTLE}
            for path in self.files:
                if path.suffix == ".gz":
                    with gzip.open(path, "rb") as f:
                        self.store.bulk_load(f, format=fmts[self.fmt])  # type: ignore[arg-type]
                else:
                    self.store.bulk_load(path=str(path), format=fmts[self.fmt])
            if self.ontology is not None:
                self.store.bulk_load(path=str(self.ontology), format=ox.RdfFormat.TURTLE)
        except BaseException as exc:  # reported by join()
            self.error = exc

    def join(self) -> None:
        self.thread.join()


def import_files(kg: KG | None, files: list[Path], fmt: str, store_dir: Path, strict: bool = False,
                 progress: bool = False) -> Summary:
    """Build a new store generation from the curated graph and ``files``; publish it on success."""
    from kg import import_formats as fm
    from kg import store

    gen = store.new_generation(store_dir)
    try:
        try:
            summary = _import(kg, files, fmt, gen, strict, progress)
        except _Retry as retry:
            # Non-strict RDF import with syntax errors: load a copy without the bad lines instead.
            store.discard(gen)
            gen = store.new_generation(store_dir)
            cleaned = []
            for i, path in enumerate(files):
                out = gen / f"clean-{i}.{fmt}"
                problems: list[ImportProblem] = []

                def report(n: int, m: str, name: str = path.name, acc: list[ImportProblem] = problems) -> None:
                    acc.append(ImportProblem(name, n, m))

                fm.clean_copy(path, fmt, out, report)
                cleaned.append(out)
                retry.problems.extend(problems)
            summary = _import(kg, cleaned, fmt, gen, strict, progress, names=[p.name for p in files])
            for p in retry.problems:
                summary.n_problems += 1
                summary.skipped["RDF syntax error"] += 1
                if len(summary.problems) < 100:
                    summary.problems.append(p)
            for out in cleaned:
                out.unlink()
        final = store.publish(store_dir, gen)
        summary.store = str(final)
    except BaseException:
        store.discard(gen)
        raise
    return summary


class _Retry(Exception):
    def __init__(self) -> None:
        super().__init__("retry without the malformed lines")
        self.problems: list[ImportProblem] = []


def _import(kg: KG | None, files: list[Path], fmt: str, gen: Path, strict: bool, progress: bool,
            names: list[str] | None = None) -> Summary:
    import json
    import os

    import numpy as np

    from kg import import_formats as fm
    from kg import store

    summary = Summary()
    clock = time.perf_counter()
    fifo = gen / "import.nt.fifo"
    os.mkfifo(fifo)
    # With the curated graph comes its schema, as in the in-memory SPARQL engine (kg.sparql.fill_store).
    from kg.sparql import ontology_file

    loader = _Loader(gen / "oxigraph", fifo, [] if fmt == "kgx" else files, fmt,
                     ontology_file() if kg is not None else None)
    nt = fifo.open("w", encoding="utf-8", newline="\n", buffering=1 << 20)
    try:  # a larger pipe buffer lets the parser run ahead of the loader instead of taking turns
        import fcntl

        fcntl.fcntl(nt.fileno(), 1031, 1 << 20)  # F_SETPIPE_SZ (Linux)
    except (ImportError, OSError):
        pass
    try:
        b = _Builder(nt, summary, strict)
        if kg is not None:
            b.add_curated(kg)
        if fmt == "kgx":
            kinds: list[tuple[Path, str]] = []
            for path in files:
                kind = fm._kind(fm._header(path))
                if kind is None:
                    raise ImportFailed(ImportProblem(path.name, 1, "not a KGX nodes or edges file "
                                                     "(the header needs id, or subject/predicate/object)"))
                kinds.append((path, kind))
            nt_files = sorted(kinds, key=lambda t: t[1] != "nodes")
        else:
            nt.close()  # the loader goes on to the RDF files while we scan them
        for i, path in enumerate(files if fmt != "kgx" else [p for p, _ in nt_files]):
            bar = _progress(path, progress)
            if fmt == "kgx":
                fm._kgx_file(b, path, dict(nt_files)[path], bar)
            else:
                fm._rdf_scan(b, path, fmt, bar, names[i] if names else None)
            if bar is not None:
                bar.close()
    except BaseException:
        if not nt.closed:
            try:
                nt.close()
            except BrokenPipeError:
                pass
        loader.join()
        raise
    try:
        if not nt.closed:
            nt.close()
    except BrokenPipeError:
        pass
    summary.seconds["parse"] = round(time.perf_counter() - clock, 3)
    if progress:
        print("kg: waiting for Oxigraph to finish indexing ...", file=sys.stderr)
    loader.join()
    fifo.unlink()
    if loader.error is not None:
        exc = loader.error
        if isinstance(exc, SyntaxError) and fmt in ("nt", "nq") and not strict and names is None:
            raise _Retry() from None
        if isinstance(exc, SyntaxError):
            which = files[0].name if len(files) == 1 else "an input file"
            raise ImportFailed(ImportProblem(which, fm._syntax_line(exc),
                                             f"RDF syntax error: {str(exc).splitlines()[0]}")) from None
        raise exc
    ox_store = loader.store
    if fmt != "kgx":
        fm._rdf_evidence(b)
    summary.seconds["load_wait"] = round(time.perf_counter() - clock - summary.seconds["parse"], 3)
    t = time.perf_counter()
    e = [np.frombuffer(a, dtype=np.int32) if len(a) else np.zeros(0, np.int32) for a in b.e]
    store.write_arrays(gen / "arrays", b.ids, b.labels, np.frombuffer(b.cats, dtype=np.uint8), b.syns,
                       np.frombuffer(b.curated, dtype=np.uint8).astype(bool), e[0], e[1], e[2], e[3], e[4], b.refs)
    summary.counts["store nodes"] = len(b.ids)
    summary.counts["store edges"] = len(b.refs)
    # len() walks the whole store; line-based inputs were counted while scanning.
    summary.counts["store triples"] = len(ox_store) if fmt == "ttl" else b.triples
    del ox_store, loader
    summary.seconds["arrays"] = round(time.perf_counter() - t, 3)
    manifest = {"format": store.FORMAT_VERSION, "sources": b.sources, "predicates": list(PREDICATES),
                "categories": list(CATEGORIES), "files": names or [p.name for p in files],
                "import_format": fmt, "counts": dict(sorted(summary.counts.items())),
                "curated": kg is not None}
    (gen / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    summary.seconds["total"] = round(time.perf_counter() - clock, 3)
    return summary


__all__ = ["FORMATS", "ImportFailed", "ImportProblem", "Summary", "Term", "edge_ntriples", "import_files",
           "node_ntriples", "source_iri"]
