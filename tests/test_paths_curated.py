"""The issue's facts on the real curated graph (data/): mechanism paths, loops and the regimen report."""

from __future__ import annotations

import json

import pytest

from kg.paths.reach import find_loops
from kg.paths.search import find_paths

pytestmark = pytest.mark.curated

BEV, PEMBRO, ATEZO = "DRUGBANK:DB00112", "DRUGBANK:DB09037", "DRUGBANK:DB11595"
VEGFA, PDL1, IFNG = "HGNC:12680", "HGNC:17635", "HGNC:5438"
CD8_INF = "ivkg:cd8-t-cell-infiltration"
EC_PROLIFERATION = "GO:0001935"
MUCOSAL = "MONDO:0000544"


@pytest.fixture(scope="module")
def g(curated_nx):
    from kg.paths.graph import as_pathgraph

    return as_pathgraph(curated_nx)


def test_bevacizumab_via_vegfa_increases_cd8_infiltration(g):
    res = find_paths(g, BEV, CD8_INF, via=[VEGFA], limit=20)
    assert res.paths, "no bevacizumab -> VEGF-A -> ... -> CD8+ T-cell infiltration path"
    best = res.paths[0]
    assert best.nodes[0] == BEV and VEGFA in best.nodes and best.nodes[-1] == CD8_INF
    assert best.steps[0].predicate == "inhibits" or best.steps[0].membership
    assert best.net_sign == 1
    # Every mechanism through VEGF-A agrees on the sign.
    assert {p.net_sign for p in res.paths} == {1}


def test_anti_pd1_decreases_vegf_secretion(g):
    res = find_paths(g, PEMBRO, VEGFA, limit=20)
    secretion = [p for p in res.paths if p.steps[-1].predicate == "decreases_secretion"]
    assert secretion, [p.explanation for p in res.paths]
    assert all(p.net_sign == -1 for p in secretion)


def test_ifng_decreases_endothelial_cell_proliferation(g):
    res = find_paths(g, IFNG, EC_PROLIFERATION, direct_only=True)
    assert [(p.steps[0].predicate, p.net_sign) for p in res.paths][:1] == [("negatively_regulates", -1)]


def test_pdl1_vegf_positive_loop(g):
    res = find_loops(g, PDL1, max_length=2)
    loops = {(tuple(p.nodes), p.net_sign) for p in res.loops}
    assert ((PDL1, VEGFA, PDL1), 1) in loops
    everywhere = find_loops(g, max_length=2, limit=1000)
    assert ((VEGFA, PDL1, VEGFA), 1) in {(tuple(p.nodes), p.net_sign) for p in everywhere.loops}


def test_explain_lists_mucosal_melanoma_trial(cli):
    result = cli("explain", "atezolizumab + bevacizumab", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    trials = [t for t in report["trials"] if t["condition"] == MUCOSAL and t["match"] == "full"]
    assert len(trials) == 1
    assert ("ORR", "45.0%") in {(o["measure"], o["display"]) for o in trials[0]["outcomes"]}
    assert [d["id"] for d in report["drugs"]] == [ATEZO, BEV]
    md = cli("explain", "atezolizumab + bevacizumab", "--format", "md").output
    assert "45.0%" in md and "mucosal melanoma" in md
