"""SIF with signed attribute tables, and the Cytoscape.js style for the cyjs export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli.main import main
from kg.core.vocab import PREDICATES
from kg.views.style import SIGN_COLOURS, category_style

FIXTURE = Path(__file__).parent / "fixtures" / "views"


def kg(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["--data", str(FIXTURE), *args])
    return res.exit_code, res.stdout


def test_sif_and_its_signed_edge_table(tmp_path: Path) -> None:
    code, _ = kg("export", "--format", "sif", "--out", str(tmp_path / "sif"))
    assert code == 0
    lines = [line.split("\t") for line in (tmp_path / "sif" / "network.sif").read_text().splitlines()]
    with (tmp_path / "sif" / "edge_attributes.tsv").open() as f:
        attrs = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(lines) == len(attrs) == 13 and all(len(x) == 3 for x in lines)
    for (s, p, o), row in zip(lines, attrs, strict=True):
        assert row["shared name"] == f"{s} ({p}) {o}"  # how Cytoscape names an edge read from SIF
        assert int(row["sign"]) == PREDICATES[p].sign
        assert row["sign_label"] == {1: "+", -1: "-", 0: "?"}[PREDICATES[p].sign]
        assert row["statement_id"].startswith("st-")
    with (tmp_path / "sif" / "node_attributes.tsv").open() as f:
        nodes = {r["shared name"]: r for r in csv.DictReader(f, delimiter="\t")}
    assert {s for s, _, _ in lines} | {o for _, _, o in lines} <= set(nodes)


def test_cytoscape_style_covers_every_category_and_sign_of_the_export() -> None:
    code, out = kg("export", "--format", "cytoscape-style", "--out", "-")
    assert code == 0
    (style,) = json.loads(out)
    rules = {r["selector"]: r["css"] for r in style["style"]}
    code, out = kg("export", "--format", "cytoscape", "--out", "-")
    doc = json.loads(out)
    for n in doc["elements"]["nodes"]:
        cat = n["data"]["category"]
        assert rules[f"node[category = '{cat}']"]["background-color"] == category_style(cat).colour
    signs = {e["data"]["sign"] for e in doc["elements"]["edges"]}
    assert signs == {-1, 0, 1}
    assert rules["edge[sign < 0]"] == {"line-color": SIGN_COLOURS[-1], "target-arrow-color": SIGN_COLOURS[-1],
                                       "target-arrow-shape": "tee"}
    assert rules["edge[sign > 0]"]["target-arrow-shape"] == "triangle"
    assert rules["edge"]["target-arrow-shape"] == "none"
