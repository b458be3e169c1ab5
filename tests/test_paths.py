"""Mechanism paths, loops, neighbours and regimens on the hand-made fixture in tests/fixtures/paths/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.paths.graph import FilterError
from kg.paths.reach import find_loops, neighbors
from kg.paths.regimen import RegimenError, explain_regimen, regimen_effect, resolve_regimen, split_regimen
from kg.paths.search import PathError, find_paths

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "paths"

BEV, ATEZO, PEMBRO = "DRUGBANK:DB00112", "DRUGBANK:DB11595", "DRUGBANK:DB09037"
VEGFA, PDL1, IFNG, CD8 = "HGNC:12680", "HGNC:17635", "HGNC:5438", "CL:0000625"
CD8_INF, TFUNC, NORM = "ivkg:cd8-t-cell-infiltration", "ivkg:t-cell-function", "ivkg:vascular-normalization"
HYPOXIA, ANGIO, ECPROL = "MESH:D000072258", "GO:0001525", "GO:0001935"
PD1_CLASS = "ivkg:anti-pd-1-antibody"


@pytest.fixture(scope="module")
def kg():
    from kg.curation.read import load

    return load(FIXTURE)


@pytest.fixture(scope="module")
def g(kg):
    from kg.graphs.nx import to_networkx
    from kg.paths.graph import as_pathgraph

    return as_pathgraph(to_networkx(kg))


def test_fixture_is_valid_and_canonical():
    from kg.curation.fmt import format_data
    from kg.curation.read import read

    assert [p for p in read(FIXTURE).problems] == []
    assert format_data(FIXTURE, check_only=True) == ([], [])


def test_bevacizumab_to_cd8_infiltration_exact_paths(g):
    res = find_paths(g, BEV, CD8_INF)
    assert [p.nodes for p in res.paths] == [[BEV, VEGFA, TFUNC, CD8_INF], [BEV, VEGFA, NORM, CD8_INF]]
    first = res.paths[0]
    assert [s.predicate for s in first.steps] == ["inhibits", "negatively_regulates", "positively_regulates"]
    assert [s.sign for s in first.steps] == [-1, -1, 1]
    assert first.net_sign == 1
    assert first.components == {"weakest_evidence": "review_assertion", "weakest_rank": 1, "length": 3,
                                "length_penalty": 1.0, "hub_penalty": 0.0, "hubs": [],
                                "inheritance_penalty": 0.0, "mouse_steps": 1}
    assert first.score == 0.0
    assert all(p.net_sign == 1 for p in res.paths)
    assert res.truncated is False and res.reason is None


def test_paths_are_simple_and_ranked(g):
    res = find_paths(g, ATEZO, CD8_INF, limit=50)
    assert [p.nodes for p in res.paths] == [
        [ATEZO, PDL1, VEGFA, TFUNC, CD8_INF],
        [ATEZO, PDL1, VEGFA, NORM, CD8_INF],
    ]
    assert [p.score for p in res.paths] == [-0.5, -0.5]
    for p in res.paths:
        assert len(set(p.nodes)) == len(p.nodes)
    scores = [p.score for p in find_paths(g, BEV, HYPOXIA).paths]
    assert scores == sorted(scores, reverse=True)


def test_anti_pd1_reaches_vegf_secretion_negative_via_its_class(g):
    res = find_paths(g, PEMBRO, VEGFA)
    best = res.paths[0]
    assert best.nodes == [PEMBRO, PD1_CLASS, VEGFA]
    assert [(s.predicate, s.sign, s.membership) for s in best.steps] == [
        ("member_of", 1, True), ("decreases_secretion", -1, False)]
    # Issue 12: a claim inherited from the class costs 0.5 * max_length (2 at the default 4).
    assert best.net_sign == -1 and best.length == 1 and best.score == 1.0
    assert best.inherited_from == PD1_CLASS and best.components["inheritance_penalty"] == 2.0
    assert [s.inherited_from for s in best.steps] == ["", PD1_CLASS]
    assert "inherited from anti-PD-1 antibody (-2)" in best.explanation
    assert find_paths(g, PEMBRO, VEGFA, classes=False).paths == []


def test_ifng_decreases_endothelial_proliferation_directly(g):
    res = find_paths(g, IFNG, ECPROL, direct_only=True)
    assert len(res.paths) == 1
    (step,) = res.paths[0].steps
    assert (step.subject, step.predicate, step.object) == (IFNG, "negatively_regulates", ECPROL)
    assert step.sign == -1
    assert step.evidence == "in_vitro"
    assert step.citations[0]["id"] == "DOI:10.5555/fixture.20"


def test_filters(g):
    assert {p.net_sign for p in find_paths(g, BEV, HYPOXIA).paths} == {1, -1}
    assert [p.nodes for p in find_paths(g, BEV, HYPOXIA, sign=1).paths] == [[BEV, HYPOXIA]]
    assert [p.nodes for p in find_paths(g, BEV, HYPOXIA, sign=-1).paths] == [
        [BEV, VEGFA, NORM, HYPOXIA]]
    assert [p.nodes for p in find_paths(g, BEV, CD8_INF, via=[NORM]).paths] == [[BEV, VEGFA, NORM, CD8_INF]]
    assert [p.nodes for p in find_paths(g, BEV, CD8_INF, avoid=[NORM]).paths] == [
        [BEV, VEGFA, TFUNC, CD8_INF]]
    # The mouse-only step from vascular normalization drops out for human; unstated species pass.
    assert [p.nodes for p in find_paths(g, BEV, CD8_INF, species="human").paths] == []
    assert [p.nodes for p in find_paths(g, BEV, CD8_INF, species="mouse").paths] == [
        [BEV, VEGFA, NORM, CD8_INF]]
    assert find_paths(g, BEV, CD8_INF, min_evidence="preclinical_in_vivo").paths == []
    assert [p.nodes for p in find_paths(g, BEV, ANGIO, predicates=["inhibits", "positively_regulates"])
            .paths] == [[BEV, VEGFA, ANGIO]]
    assert find_paths(g, BEV, CD8_INF, direct_only=True).paths == []
    assert find_paths(g, BEV, CD8_INF, max_length=2).paths == []


def test_limit_truncates(g):
    res = find_paths(g, BEV, CD8_INF, limit=1)
    assert len(res.paths) == 1 and res.truncated and res.reason == "limit"


def test_bad_requests(g):
    with pytest.raises(PathError, match="unknown source"):
        find_paths(g, "HGNC:1", VEGFA)
    with pytest.raises(FilterError, match="not a causal signed predicate"):
        find_paths(g, BEV, VEGFA, predicates=["binds"])
    with pytest.raises(PathError, match="both"):
        find_paths(g, BEV, CD8_INF, via=[NORM], avoid=[NORM])
    assert find_paths(g, ANGIO, VEGFA).paths == []  # no path is an empty answer, not an error


def test_loops(g):
    res = find_loops(g)
    assert [(p.nodes, p.net_sign) for p in res.loops] == [([VEGFA, PDL1, VEGFA], 1)]
    through = find_loops(g, PDL1)
    assert [(p.nodes, p.net_sign) for p in through.loops] == [([PDL1, VEGFA, PDL1], 1)]
    assert [s.predicate for s in through.loops[0].steps] == ["increases_secretion", "increases_expression"]
    assert find_loops(g, ANGIO).loops == []
    assert json.loads(json.dumps(res.to_json()))["loops"][0]["sign"] == 1


def test_neighbors(g):
    down = neighbors(g, PDL1, "down", 1)
    assert [(r.node, r.net_sign) for r in down] == [
        (CD8, -1), (VEGFA, 1), ("ivkg:immunosuppression", 1)]
    blocked = neighbors(g, PDL1, "down", 1, perturbation=-1)
    assert [r.net_sign for r in blocked] == [1, -1, -1]
    up = neighbors(g, CD8_INF, "up", 2)
    assert [(r.node, r.depth, r.net_sign) for r in up] == [
        (TFUNC, 1, 1), (NORM, 1, 1), (VEGFA, 2, -1)]
    assert up[2].paths[0].nodes == [VEGFA, TFUNC, CD8_INF]
    both = neighbors(g, BEV, "both", 1)
    assert [(r.direction, r.node, r.net_sign) for r in both] == [
        ("down", VEGFA, -1), ("down", HYPOXIA, 1)]


def test_split_and_resolve_regimen(kg):
    from kg.curation.lookup import NameIndex

    assert split_regimen("atezolizumab+bevacizumab") == ["atezolizumab", "bevacizumab"]
    assert split_regimen("Atezolizumab & Avastin") == ["Atezolizumab", "Avastin"]
    index = NameIndex.build(kg.entities.values())
    assert [str(e.id) for e in resolve_regimen(index, "Tecentriq + bevacizumab")] == [ATEZO, BEV]
    assert [str(e.id) for e in resolve_regimen(index, "anti-PD-1 antibody and avastin")] == [PD1_CLASS, BEV]
    with pytest.raises(RegimenError, match="not a drug"):
        resolve_regimen(index, "VEGF-A + bevacizumab")
    with pytest.raises(RegimenError, match="unknown entity"):
        resolve_regimen(index, "bevacizumabb + nothing")


def test_regimen_effect_shows_conflicts(g, kg):
    eff = regimen_effect(g, kg, [ATEZO, BEV])
    table = {o.outcome: (o.effect, o.net_sign, o.signs) for o in eff.outcomes}
    assert table == {
        CD8_INF: ("increases", 1, [1]),
        ANGIO: ("decreases", -1, [-1]),
        NORM: ("increases", 1, [1]),
        "ivkg:immunosuppression": ("decreases", -1, [-1]),
        HYPOXIA: ("conflict", 0, [1, -1]),
    }
    hyp = next(o for o in eff.outcomes if o.outcome == HYPOXIA)
    assert hyp.leaning == 1 and hyp.to_json()["support"] == {"positive": 1, "negative": 2}
    assert eff.to_json()["conflicts"] == [HYPOXIA]


def test_explain_regimen(g, kg):
    rep = explain_regimen(kg, g, [ATEZO, BEV])
    assert set(rep) >= {"drugs", "targets", "paths", "trials", "biomarkers", "adverse_events"}
    assert [(d["label"], [c["label"] for c in d["classes"]]) for d in rep["drugs"]] == [
        ("atezolizumab", ["anti-PD-L1 antibody", "immune checkpoint inhibitor"]),
        ("bevacizumab", ["anti-VEGF antibody"])]
    assert [(t["label"], t["predicates"]) for t in rep["targets"]] == [
        ("PD-L1", ["inhibits"]), ("VEGF-A", ["binds", "inhibits"])]
    assert [(t["id"], t["match"]) for t in rep["trials"]] == [
        ("ivkg:trial-atezolizumab-bevacizumab-mucosal-melanoma", "full"), ("NCT:NCT02681549", "partial")]
    assert [(o["measure"], o["display"]) for o in rep["trials"][0]["outcomes"]] == [
        ("ORR", "45.0%"), ("PFS_median", "8.2 months")]
    assert [b["label"] for b in rep["biomarkers"]] == ["circulating VEGF-A"]
    assert [(a["label"], a["from_labels"], [m["object_label"] for m in a["management"]])
            for a in rep["adverse_events"]] == [
        ("colitis", ["immune checkpoint inhibitor"], ["corticosteroids"]),
        ("hypertension", ["anti-VEGF antibody"], ["antihypertensive therapy"])]
    assert rep["conflicts"] == [HYPOXIA]


def test_pathgraph_protocol(g):
    from kg.paths.graph import ListGraph, PathGraph

    assert isinstance(g, PathGraph)
    assert isinstance(ListGraph(), PathGraph)
