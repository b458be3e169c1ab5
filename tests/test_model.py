from decimal import Decimal

import pytest

from kg.core.model import Curie, CurieError, Entity, Outcome, Statement
from kg.curation.lookup import NameIndex, normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HGNC:17635", "HGNC:17635"),
        ("hgnc:17635", "HGNC:17635"),
        ("uniprot:Q9NZQ7", "UniProtKB:Q9NZQ7"),
        ("drugbank:db00112", "DRUGBANK:DB00112"),
        ("nct:02681549", "NCT:NCT02681549"),
        ("NCT:NCT02681549", "NCT:NCT02681549"),
        ("pubmed:37956739", "PMID:37956739"),
        ("CL:0000625", "CL:0000625"),
        ("ivkg:cd8-t-cell-infiltration", "ivkg:cd8-t-cell-infiltration"),
    ],
)
def test_curie_parse_normalises_prefix(text, expected):
    assert str(Curie.parse(text)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("HGNC:ABC", "does not match the HGNC pattern"),
        ("FOO:123", "unknown prefix 'FOO'"),
        ("VEGF-A", "is not a CURIE"),
        ("CL:625", "does not match the CL pattern"),
        ("ivkg:Bad_Local", "does not match the ivkg pattern"),
    ],
)
def test_curie_parse_rejects_with_reason(text, message):
    with pytest.raises(CurieError, match=message):
        Curie.parse(text)


def test_curie_iri_and_link():
    c = Curie.parse("HGNC:12680")
    assert c.uri == "http://identifiers.org/hgnc/12680"
    assert Curie.parse("PMID:37956739").link == "https://pubmed.ncbi.nlm.nih.gov/37956739/"
    assert Curie.parse("NCT:NCT02681549").link == "https://clinicaltrials.gov/study/NCT02681549"


def test_statement_id_depends_on_key_only():
    kw = dict(subject=Curie.parse("HGNC:17635"), predicate="increases_secretion",
              object=Curie.parse("HGNC:12680"), evidence="review_assertion", sections=("2.1",),
              text="one", refs=(16,))
    a = Statement(**kw)
    b = Statement(**{**kw, "text": "another wording", "refs": (17,)})
    c = Statement(**{**kw, "species": "mouse"})
    assert a.id == b.id and a.id != c.id
    assert a.id.startswith("st-") and len(a.id) == 15
    assert a.sign == 1


def test_outcome_display():
    o = Outcome(subject=Curie.parse("NCT:NCT02681549"), measure="PFS_median", unit="year",
                section="4.1", value=Decimal("1.2"))
    assert o.display() == "1.2 years"
    o2 = Outcome(subject=Curie.parse("ivkg:x"), measure="AE_rate", unit="percent", section="5.1",
                 low=Decimal("20"), high=Decimal("30"))
    assert o2.display() == "20-30%"


def test_normalise_and_resolve():
    assert normalise("IFN-γ") == normalise("ifn gamma") == "ifngamma"
    assert normalise("PD-L1") == normalise("pdl1")
    ents = [
        Entity(Curie.parse("HGNC:17635"), "PD-L1", "gene", synonyms=("CD274", "B7-H1")),
        Entity(Curie.parse("HGNC:8760"), "PD-1", "gene", synonyms=("PDCD1",)),
    ]
    idx = NameIndex.build(ents)
    assert idx.resolve("cd274").id == ents[0].id
    assert idx.resolve("hgnc:17635").id == ents[0].id
    assert idx.resolve("B7 H1").id == ents[0].id
    from kg.curation.lookup import UnknownEntity

    with pytest.raises(UnknownEntity) as err:
        idx.resolve("PD-L2")
    assert "PD-L1" in str(err.value)
