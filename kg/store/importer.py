"""``kg import``: merge external graphs (Biolink KGX TSV, N-Triples, Turtle, N-Quads) with the curated one.

The result is a fresh store generation (see :mod:`kg.store.store`) that replaces the live one only when the
whole import succeeded, so a failure leaves the existing store unchanged. Files are streamed line by line
with a cap on line length, so memory grows with the number of nodes and edges kept, never with the size
of a line or a file. Every skipped row is counted with its reason; malformed rows are reported with
``file:line`` (and refused with ``strict``).

What is refused (the store never changes on a refusal) and what is skipped:

- an RDF file with a syntax error anywhere (N-Triples, N-Quads, Turtle) is refused, naming file:line;
- a truncated or corrupt (gzip) file is refused;
- well-formed rows that cannot be mapped (an unknown prefix, a duplicate) are skipped and reported with
  their reason;
- an import that keeps nothing from its files, or where more than ``max_bad_share`` (default
  :data:`MAX_BAD_SHARE`, 5%) of the rows are malformed, is refused; with ``strict`` any problem is.

The importer owns the run: it calls the readers of :mod:`kg.store.formats`, feeds what they yield to the
:class:`~kg.store.builder.Builder`, and has Oxigraph bulk-load the resulting triples alongside. KGX TSV
files of 2 MB or more go through the columnar pass of :mod:`kg.store.kgxpass` (pyarrow blocks, the same
result as the row pass of :func:`~kg.store.builder.add_kgx`, which reads smaller ones and stays the
reference the columnar pass is tested against).
"""

from __future__ import annotations

import gzip
import shutil
import sys
import time
import zlib
from pathlib import Path
from typing import Any

from kg.core.model import KG
from kg.core.vocab import CATEGORIES
from kg.store import formats as fm
from kg.store.builder import Builder, add_kgx, add_rdf, rdf_evidence
from kg.store.report import ImportFailed, ImportProblem, Summary

FORMATS = ("kgx", "nt", "ttl", "nq", "omnipath", "indra")
#: Formats read as KGX edge rows (the readers of kg.store.networks yield them).
_EDGE_FORMATS = ("omnipath", "indra")
#: The largest share of malformed rows a non-strict import accepts (skipping and reporting them).
MAX_BAD_SHARE = 0.05
#: KGX TSV files from this size on (on disk) are read by the columnar pass.
COLUMNAR_BYTES = 1 << 21
#: Counts that mean a row of the input was kept (as a node or an edge, new or merged).
_KEPT = ("nodes imported", "edges imported", "nodes merged with an existing node",
         "edges merged into a curated statement")


def check_policy(summary: Summary, fmt: str, names: list[str], max_bad_share: float = MAX_BAD_SHARE) -> None:
    """Refuse an import that kept nothing, or whose share of malformed rows is over ``max_bad_share``."""
    which = names[0] if len(names) == 1 else f"{len(names)} files"
    for p in summary.problems:
        if "truncated or corrupt" in p.message:
            raise ImportFailed(p)
    kept = sum(summary.counts.get(k, 0) for k in _KEPT)
    if fmt != "kgx":
        kept += summary.counts.get("input triples", 0)
    if kept == 0:
        why = "; ".join(f"{n} {reason}" for reason, n in sorted(summary.skipped.items())) or "no rows"
        raise ImportFailed(ImportProblem(which, 0, f"nothing to import ({why})"))
    # Rows naming an unknown prefix are well-formed but unmappable: skipped and reported, never counted
    # as malformed (a real graph may use prefixes nobody registered).
    bad = summary.n_problems - summary.n_unmappable
    if bad > max_bad_share * (bad + kept):
        malformed = [p for p in summary.problems if not p.unmappable]
        first = f"; first: {malformed[0]}" if malformed else ""
        raise ImportFailed(ImportProblem(which, 0, f"{bad} of {bad + kept} rows are malformed, over the "
                                                   f"{max_bad_share:.0%} an import may skip{first}"))


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

    def __init__(self, path: Path, fifo: Path, files: list[Path], fmt: str, ontology: Path | None = None,
                 base_iri: str | None = None):
        import threading

        import pyoxigraph as ox

        self.ox = ox
        self.store = ox.Store(str(path))
        self.fifo, self.files, self.fmt, self.ontology = fifo, files, fmt, ontology
        self.base_iri = base_iri
        #: The input file being loaded (named in errors).
        self.current: str | None = None
        self.error: BaseException | None = None
        self.input_triples = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        ox = self.ox
        try:
            # Our N-Triples are made from validated CURIEs: IRI re-validation can be skipped.
            self.store.bulk_load(path=str(self.fifo), format=ox.RdfFormat.N_TRIPLES, lenient=True)
            fmts = {"nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS, "ttl": ox.RdfFormat.TURTLE}
            before = len(self.store) if self.fmt == "ttl" else 0
            for path in self.files:
                self.current = path.name
                base = (self.base_iri or _base(path)) if self.fmt == "ttl" else None
                if path.suffix == ".gz":
                    with gzip.open(path, "rb") as f:
                        self.store.bulk_load(f, format=fmts[self.fmt], base_iri=base)  # type: ignore[arg-type]
                else:
                    self.store.bulk_load(path=str(path), format=fmts[self.fmt], base_iri=base)
            self.current = None
            if self.fmt == "ttl":  # every triple counts as kept, blank-node subjects too (len() walks the store)
                self.input_triples = len(self.store) - before
            if self.ontology is not None:
                self.store.bulk_load(path=str(self.ontology), format=ox.RdfFormat.TURTLE)
        except BaseException as exc:  # reported by join()
            self.error = exc

    def join(self) -> None:
        self.thread.join()


def flag_unsafe_text(ids: list[str], labels: list[str], synonyms: list[str], summary: Summary) -> None:
    """Report names holding terminal controls or bidi overrides (kept, and shown escaped on output)."""
    from kg.core.render import UNSAFE, unsafe_characters

    for cid, label, syns in zip(ids, labels, synonyms, strict=True):
        if UNSAFE.search(label) or UNSAFE.search(syns):
            summary.counts["names with control or bidi characters (shown escaped)"] += 1
            if len(summary.problems) < 100:
                chars = ", ".join(sorted(set(unsafe_characters(label + syns))))
                summary.problems.append(ImportProblem(cid, 0, f"name holds control or bidi characters ({chars});"
                                                               " shown escaped"))


def _base(path: Path) -> str:
    """A file's own URI, the base for its relative IRIs (as RDF tools default to)."""
    return path.resolve().as_uri()


def import_files(kg: KG | None, files: list[Path], fmt: str, store_dir: Path, strict: bool = False,
                 progress: bool = False, base_iri: str | None = None,
                 prefixes: dict[str, str] | None = None, max_bad_share: float = MAX_BAD_SHARE,
                 columnar: bool | None = None) -> Summary:
    """Build a new store generation from the curated graph and ``files``; publish it on success.

    ``base_iri`` resolves relative IRIs in Turtle (default: each file's own ``file://`` URI).
    ``prefixes`` declares prefixes beyond ours and bioregistry's (``kg import --prefix NAME=IRI``); KGX
    inputs may also declare them in a JSON file with a ``curie_map`` object (given among the files or
    inside a tar archive of nodes and edges). KGX TSV files of :data:`COLUMNAR_BYTES` or more are read by the
    columnar pass of :mod:`kg.store.kgxpass`, smaller ones row by row (pyarrow's import would cost more
    than it saves); ``columnar`` True or False forces one pass (the row pass is the reference the columnar
    one is tested against)."""
    from kg.store import store

    gen = store.new_generation(store_dir)
    try:
        declared = dict(prefixes or {})
        edge_format = ""
        names = [p.name for p in files]
        if fmt == "kgx":
            files = _kgx_inputs(files, gen / "unpacked", declared)
        elif fmt in _EDGE_FORMATS:
            fmt, edge_format = "kgx", fmt
        summary = _import(kg, files, fmt, gen, strict, progress, base_iri=base_iri, declared=declared,
                          edge_format=edge_format, columnar=columnar)
        check_policy(summary, fmt, names, max_bad_share)
        shutil.rmtree(gen / "unpacked", ignore_errors=True)
        final = store.publish(store_dir, gen)
        summary.store = str(final)
    except BaseException:
        store.discard(gen)
        raise
    return summary


def _kgx_inputs(files: list[Path], folder: Path, declared: dict[str, str]) -> list[Path]:
    """KGX tables to read: archives unpacked, ``curie_map`` JSON files taken into ``declared``."""
    import json

    out: list[Path] = []
    for path in files:
        members = fm.unpack(path, _mkdir(folder)) if fm.is_archive(path) else [path]
        for m in members:
            if not m.name.endswith(".json"):
                out.append(m)
                continue
            try:
                doc = json.loads(m.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise ImportFailed(ImportProblem(path.name, 0, f"unreadable JSON ({exc})")) from None
            cmap = doc.get("curie_map") if isinstance(doc, dict) else None
            if not isinstance(cmap, dict) or not all(isinstance(v, str) for v in cmap.values()):
                raise ImportFailed(ImportProblem(m.name, 0, "a JSON input must hold a curie_map object "
                                                 "of prefix -> IRI base"))
            for k, v in cmap.items():
                declared.setdefault(str(k), v)
    return out


def _mkdir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _import(kg: KG | None, files: list[Path], fmt: str, gen: Path, strict: bool, progress: bool,
            names: list[str] | None = None, base_iri: str | None = None,
            declared: dict[str, str] | None = None, edge_format: str = "",
            columnar: bool | None = None) -> Summary:
    import json
    import os

    import numpy as np

    from kg.store import store

    summary = Summary()
    clock = time.perf_counter()
    fifo = gen / "import.nt.fifo"
    os.mkfifo(fifo)
    # With the curated graph comes its schema, as in the in-memory SPARQL engine (kg.sparql.fill_store).
    from kg.sparql.engine import ontology_file

    loader = _Loader(gen / "oxigraph", fifo, [] if fmt == "kgx" else files, fmt,
                     ontology_file() if kg is not None else None, base_iri)
    nt = fifo.open("w", encoding="utf-8", newline="\n", buffering=1 << 20)
    try:  # a larger pipe buffer lets the parser run ahead of the loader instead of taking turns
        import fcntl

        fcntl.fcntl(nt.fileno(), 1031, 1 << 20)  # F_SETPIPE_SZ (Linux)
    except (ImportError, OSError):
        pass
    try:
        from kg.graphs.prefixes import Prefixes

        b = Builder(nt, summary, strict, Prefixes(declared))
        if kg is not None:
            b.add_curated(kg)
        if fmt == "kgx":
            kinds: list[tuple[Path, str]] = []
            for path in files:
                if edge_format:
                    kinds.append((path, "edges"))
                    continue
                kind = fm.jsonl_kind(path) if fm.is_jsonl(path) else fm.kgx_kind(fm.read_header(path))
                if kind is None:
                    raise ImportFailed(ImportProblem(path.name, 1, "not a KGX nodes or edges file "
                                                     "(the header needs id, or subject/predicate/object)"))
                kinds.append((path, kind))
            nt_files = sorted(kinds, key=lambda t: t[1] != "nodes")
        else:
            nt.close()  # the loader goes on to the RDF files while we scan them
        for i, path in enumerate(files if fmt != "kgx" else [p for p, _ in nt_files]):
            bar = _progress(path, progress)
            name = names[i] if names and fmt != "kgx" else path.name

            def report(n: int, m: str, reason: str, name: str = name) -> None:
                b.problem(name, n, m, reason)

            if fmt == "kgx" and not edge_format and not fm.is_jsonl(path) and (
                    columnar or (columnar is None and path.stat().st_size >= COLUMNAR_BYTES)):
                from kg.store import kgxpass as col

                kind = dict(nt_files)[path]
                col.add_kgx_columns(b, name, kind, col.reader(path, kind, bar))
            elif fmt == "kgx":
                from kg.store import networks

                reader: Any = {"omnipath": networks.OmniPathRows, "indra": networks.IndraStatements}.get(
                    edge_format, fm.KgxJsonl if fm.is_jsonl(path) else fm.KgxRows)
                add_kgx(b, name, dict(nt_files)[path], reader(path, report, bar))
            elif fmt == "ttl":
                add_rdf(b, name, fm.turtle_triples(path, name, base_iri or _base(path)))
            else:
                scan = fm.NTriplesScan(path, report, bar)
                add_rdf(b, name, scan)
                b.triples += scan.triples
                summary.counts["input triples"] += scan.triples
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
    # The path graph's arrays are written while Oxigraph finishes indexing (the generation is discarded
    # if the load then fails).
    t = time.perf_counter()
    try:
        if fmt != "kgx":
            rdf_evidence(b)
        flag_unsafe_text(b.ids, b.labels, b.syns, summary)
        e = [np.frombuffer(a, dtype=np.int32) if len(a) else np.zeros(0, np.int32) for a in b.e]
        store.write_arrays(gen / "arrays", b.ids, b.labels, np.frombuffer(b.cats, dtype=np.uint8), b.syns,
                           np.frombuffer(b.curated, dtype=np.uint8).astype(bool), e[0], e[1], e[2], e[3], e[4],
                           b.refs)
        summary.seconds["arrays"] = round(time.perf_counter() - t, 3)
        from kg.store.columnar import write_columnar  # the statement table for analytical SPARQL

        summary.seconds["columnar"] = write_columnar(gen, b, kg, fmt)["seconds"]
    except BaseException:
        loader.join()
        raise
    summary.counts["store nodes"] = len(b.ids)
    summary.counts["store edges"] = len(b.refs)
    t = time.perf_counter()
    if progress:
        print("kg: waiting for Oxigraph to finish indexing ...", file=sys.stderr)
    loader.join()
    fifo.unlink()
    if loader.error is not None:
        exc = loader.error
        which = loader.current or (files[0].name if len(files) == 1 else "an input file")
        if isinstance(exc, SyntaxError) and loader.current is None and fmt == "kgx":
            # Our own N-Triples (from checked, escaped identifiers): its line numbers mean nothing to users.
            raise ImportFailed(ImportProblem(which, 0, "a value could not be written as RDF (please report "
                                                       f"this): {str(exc).splitlines()[0]}")) from None
        if isinstance(exc, SyntaxError):
            raise ImportFailed(ImportProblem(which, fm.syntax_line(exc),
                                             f"RDF syntax error: {str(exc).splitlines()[0]}")) from None
        if isinstance(exc, EOFError | zlib.error | gzip.BadGzipFile):
            raise ImportFailed(ImportProblem(which, 0, f"file is truncated or corrupt ({exc})")) from None
        if isinstance(exc, OSError) and exc.errno is None:  # an engine error: one line, not a traceback
            raise ImportFailed(ImportProblem(which, 0, f"Oxigraph: {str(exc).splitlines()[0]}")) from None
        raise exc
    if fmt == "ttl":
        summary.counts["input triples"] = loader.input_triples
    # len() walks the whole store; line-based inputs were counted while scanning.
    summary.counts["store triples"] = len(loader.store) if fmt == "ttl" else b.triples
    del loader
    summary.seconds["load_wait"] = round(time.perf_counter() - t, 3)
    manifest = {"format": store.FORMAT_VERSION, "sources": b.sources, "predicates": b.preds,
                "categories": list(CATEGORIES), "files": names or [p.name for p in files],
                "import_format": edge_format or fmt, "counts": dict(sorted(summary.counts.items())),
                "curated": kg is not None, "declared_prefixes": dict(sorted((declared or {}).items()))}
    (gen / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    summary.seconds["total"] = round(time.perf_counter() - clock, 3)
    return summary


__all__ = ["FORMATS", "ImportFailed", "ImportProblem", "Summary", "import_files"]
