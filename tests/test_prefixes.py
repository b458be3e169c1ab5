"""The prefix map shipped with the package is what bioregistry (and Biolink's spelling) gives, and
identifiers normalise through it."""

from __future__ import annotations

import pytest

from kg.core.model import CurieError
from kg.graphs.prefixes import DATA, Prefixes, dump_bioregistry


def test_shipped_prefix_map_is_what_bioregistry_gives() -> None:
    pytest.importorskip("bioregistry", reason="bioregistry is in the test extra")
    pytest.importorskip("biolink_model", reason="biolink-model is in the test extra")
    assert DATA.read_text("utf-8") == dump_bioregistry(), "regenerate with: python -m kg.graphs.prefixes"


def test_any_known_prefix_normalises() -> None:
    ids = Prefixes({"MYLAB": "https://lab.example/"})
    assert ids.curie("ncbigene:7422") == "NCBIGene:7422"
    assert ids.curie("EntrezGene:7422") == "NCBIGene:7422"
    assert ids.curie("https://www.ncbi.nlm.nih.gov/gene/7422") == "NCBIGene:7422"
    assert ids.curie("FlyBase:FBgn0000490") == "FB:FBgn0000490"
    assert ids.curie("omim:155600") == "OMIM:155600"
    assert ids.curie("uniprot:P15692") == "UniProtKB:P15692"  # ours first
    assert ids.curie("mylab:0001") == "MYLAB:0001"
    assert ids.iri("MYLAB:0001") == "https://lab.example/0001"
    assert ids.iri("biolink:interacts_with") == "https://w3id.org/biolink/vocab/interacts_with"
    with pytest.raises(CurieError, match="unknown prefix 'NOSUCHPREFIX'"):
        ids.curie("NOSUCHPREFIX:1")
    with pytest.raises(CurieError, match="does not match the HGNC pattern"):
        ids.curie("HGNC:abc")
