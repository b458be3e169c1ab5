"""Trial outcomes (ORR, PFS, OS) reach every property-graph export as node properties, read back by each
format's own reader (networkx for GraphML and GEXF, csv for Neo4j's bulk import, json for Cytoscape.js)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.curated
TRIAL = "NCT:NCT02681549"  # data/outcomes/trials.tsv: ORR 54.1 %, PFS median 1.2 y, OS median 4.3 y
WANT = {"outcome_ORR": "54.1%", "outcome_PFS_median": "1.2 years", "outcome_OS_median": "4.3 years"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from kg.cli.main import main

    d = tmp_path_factory.mktemp("exports")
    for fmt in ("neo4j", "graphml", "gexf", "cyjs"):
        res = CliRunner().invoke(main, ["export", "--format", fmt, "--out", str(d / fmt)])
        assert res.exit_code == 0, res.output
    return d


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_carry_outcomes(out: Path, fmt: str) -> None:
    import networkx as nx

    g = nx.read_graphml(out / fmt) if fmt == "graphml" else nx.read_gexf(out / fmt)
    d = g.nodes[TRIAL]
    assert {k: d[k] for k in WANT} == WANT
    assert d["outcomes"].split("|") == ["ORR 54.1%", "OS_median 4.3 years", "patients_treated 37 patients",
                                        "PFS_median 1.2 years"]


def test_neo4j_and_cytoscape_carry_outcomes(out: Path) -> None:
    with (out / "neo4j" / "nodes.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["id:ID"] == TRIAL)
    assert row["outcomes:string[]"].split(";")[0] == "ORR 54.1%"
    doc = json.loads((out / "cyjs").read_text("utf-8"))
    (node,) = [n["data"] for n in doc["elements"]["nodes"] if n["data"]["id"] == TRIAL]
    assert {k: node[k] for k in WANT} == WANT
