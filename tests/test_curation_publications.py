"""The review's reference list, resolved: one row per reference, each saying how it was verified.

- Every reference 1-64 of the review has exactly one row across ``data/publications/*.tsv``.
- ``verification`` opens with the vocabulary of data/README.md (``offline:``, ``web:``, ``local:``,
  ``unverified:``); a row that carries a PMID or DOI opens with the source it was checked against
  (``web:`` or ``offline:``) and a row with no identifier opens with ``unverified:``.
- A row without identifiers says which of two cases it is: the paper is identified but no stored page
  showed its PMID or DOI with its title, or the text gives nothing to single the paper out.
- The references resolved to a primary paper are exactly the ones listed below, with their identifiers;
  a new identifier must be added here on purpose, with the evidence in its row.
- No cell holds a path of a machine, and no citation or verification shares a run of 8 words with the
  review's body (only bibliographic titles may repeat, and the review's body quotes none).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.curated

ROOT = Path(__file__).resolve().parent.parent
PUBLICATIONS = ROOT / "data" / "publications"
REVIEW_NAME = "review-xie-2026-fimmu-1760044.txt"
N_REFERENCES = 64
VOCABULARY = ("offline:", "web:", "local:", "unverified:")
UNRESOLVED = ("unverified: identified, identifiers not verified - ", "unverified: unidentifiable - ")

# ref -> (PMID, DOI) as recorded; None where that identifier is not verified.
RESOLVED: dict[int, tuple[str | None, str | None]] = {
    1: ("PMID:32346751", "DOI:10.2340/00015555-3491"),
    2: ("PMID:35474500", "DOI:10.1007/s10555-022-10029-3"),
    3: ("PMID:39251538", "DOI:10.1186/s43556-024-00200-3"),
    4: ("PMID:33408093", "DOI:10.1136/jitc-2020-001179"),
    5: ("PMID:36248850", "DOI:10.3389/fimmu.2022.955063"),
    6: ("PMID:37221594", "DOI:10.1186/s12967-023-04200-9"),
    7: ("PMID:33833434", "DOI:10.1038/s41571-021-00496-y"),
    8: ("PMID:33289666", "DOI:10.1016/j.ijrobp.2020.10.025"),
    23: ("PMID:37093870", "DOI:10.1158/0008-5472.CAN-22-2838"),
    26: ("PMID:34772758", "DOI:10.1136/jitc-2021-003318"),
    28: (None, "DOI:10.1158/1078-0432.CCR-22-1528"),
    29: (None, "DOI:10.1002/ctm2.70169"),
    32: ("PMID:37956739", "DOI:10.1016/j.annonc.2023.10.793"),
    33: ("PMID:37261804", "DOI:10.1001/jamaoncol.2023.1363"),
    44: (None, "DOI:10.3389/fphar.2021.747416"),
    45: ("PMID:37292205", "DOI:10.3389/fimmu.2023.1127128"),
    46: (None, "DOI:10.1016/j.critrevonc.2023.104059"),
}

MACHINE_PATH = re.compile(r"(?<![\w.])(?:/(?:work|home|tmp|mnt|Users|var|root)/|file://|[A-Za-z]:\\)")


def rows() -> list[tuple[str, dict[str, str]]]:
    out = []
    for path in sorted(PUBLICATIONS.glob("*.tsv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for i, row in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
                out.append((f"{path.name}:{i}", row))
    return out


def test_every_reference_has_exactly_one_row() -> None:
    refs = [int(row["ref"]) for _, row in rows()]
    assert sorted(refs) == list(range(1, N_REFERENCES + 1))


def test_verification_opens_with_the_vocabulary_and_matches_the_identifiers() -> None:
    for where, row in rows():
        text = row["verification"]
        assert text.startswith(VOCABULARY), (where, text[:40])
        if row["id"] or row["doi"]:
            assert text.startswith(("web:", "offline:")), (where, text[:40])
        else:
            assert text.startswith("unverified:"), (where, text[:40])


def test_resolved_references_and_their_identifiers() -> None:
    found = {int(row["ref"]): (row["id"] or None, row["doi"] or None) for _, row in rows()
             if row["id"] or row["doi"]}
    assert found == RESOLVED


def test_unresolved_rows_say_why() -> None:
    for where, row in rows():
        if row["id"] or row["doi"]:
            continue
        text = row["verification"]
        # Either the paper is named but its identifiers were not seen, or it cannot be singled out.
        assert text.startswith(UNRESOLVED), (where, text[:80])
        assert len(text) > 120, (where, "a reason is needed, not just the label")


def test_no_machine_paths() -> None:
    for where, row in rows():
        for column in ("citation", "verification"):
            assert not MACHINE_PATH.search(row[column]), (where, column, row[column])


def _review_body() -> str:
    for base in (ROOT.parent / "shared", Path("/work/shared")):
        path = base / "sources" / REVIEW_NAME
        if path.exists():
            text = path.read_text(encoding="utf-8")
            # The copy ends with references 1-8; our citations of those legitimately repeat them.
            return text.split("The reference list from the paper itself", 1)[0]
    if os.environ.get("CI"):
        pytest.fail(f"the source review {REVIEW_NAME} must be at ../shared/sources/ in CI")
    pytest.skip(f"the source review is not at {ROOT.parent / 'shared' / 'sources' / REVIEW_NAME}")


def _shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"[^\W_]+", text.lower().replace("^", ""))
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_no_sentence_of_the_review_is_copied() -> None:
    review = _shingles(_review_body())
    assert review, "the review text is empty"
    for where, row in rows():
        for column in ("citation", "verification"):
            shared = _shingles(row[column]) & review
            assert not shared, (where, column, " ".join(sorted(shared)[0]))
