"""kg import of the field's two signed networks: an OmniPath interactions table and INDRA Statement JSON
(tests/fixtures/networks, written to each format's documentation; INDRA's own reader checks its file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import main

NET = Path(__file__).parent / "fixtures" / "networks"
CURATED = Path(__file__).parent / "fixtures" / "store"


def imported(tmp_path: Path, file: Path, fmt: str) -> tuple[dict, set[tuple[str, str, str, int]]]:
    from kg.store.store import Store

    res = CliRunner().invoke(main, ["--data", str(CURATED), "--store", str(tmp_path / fmt), "import", str(file),
                                    "--format", fmt, "--without-curated", "--report", "json"])
    assert res.exit_code == 0, res.output
    st = Store(tmp_path / fmt)
    edges = {(e["subject"], e["predicate"], e["object"], e["sign"]) for e in map(st.edge, range(st.n_edges))}
    return json.loads(res.stdout), edges


def test_omnipath_interactions(tmp_path: Path) -> None:
    report, edges = imported(tmp_path, NET / "omnipath_interactions.tsv", "omnipath")
    assert edges == {
        ("UniProtKB:P15692", "increases_activity", "UniProtKB:P35968", 1),      # consensus stimulation
        ("UniProtKB:P01579", "increases_activity", "UniProtKB:P15260", 1),
        ("UniProtKB:P42224", "increases_expression", "UniProtKB:Q9NZQ7", 1),    # transcriptional
        ("UniProtKB:O15123", "biolink:regulates", "UniProtKB:Q02763", 0),       # both signs: unsigned
        ("UniProtKB:P15692", "biolink:interacts_with", "UniProtKB:O15123", 0),  # undirected
    }
    assert report["skipped"] == {"protein complex (no single identifier)": 1}  # the COMPLEX: row
    assert report["n_problems"] == report["n_unmappable"] == 1
    assert report["mapped"]["predicate increases_activity"] == 2


def test_indra_statements(tmp_path: Path) -> None:
    stmts_mod = pytest.importorskip("indra.statements", reason="indra is in the test extra")
    doc = json.loads((NET / "indra_statements.json").read_text())
    parsed = stmts_mod.stmts_from_json(doc)  # INDRA reads every statement of the file
    assert [type(s).__name__ for s in parsed] == [s["type"] for s in doc]
    report, edges = imported(tmp_path, NET / "indra_statements.json", "indra")
    assert edges == {
        ("HGNC:12680", "increases_activity", "HGNC:6307", 1),
        ("DRUGBANK:DB00112", "decreases_activity", "HGNC:12680", -1),
        ("HGNC:11362", "increases_abundance", "HGNC:17635", 1),
        ("UniProtKB:O15123", "binds", "UniProtKB:Q02763", 0),
        ("UniProtKB:P35968", "biolink:affects", "UniProtKB:P19174", 0),  # a phosphorylation: unsigned
    }
    assert report["skipped"] == {"agent without an identifier": 1}  # the agent with free text only
    assert report["problems"] == ["indra_statements.json:6: Activation statement with an agent that has no "
                                  "identifier"]
