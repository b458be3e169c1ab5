"""Unsigned search (issue 13, item 3) and bounded searches that say when they stopped (issue 14)."""

from __future__ import annotations

import json

import pytest

from kg.paths.explain import no_loop_message, render_neighbors, render_paths, truncation_note
from kg.paths.graph import EdgeInfo, ListGraph
from kg.paths.reach import find_loops, neighbors
from kg.paths.search import find_paths


def _interactome() -> ListGraph:
    g = ListGraph()
    g.add_edge("A", "B", EdgeInfo.of("e1", "inhibits", "established_pharmacology"))
    # An imported relation kept unmapped: its Biolink predicate, sign 0, not causal (contract 1).
    g.add_edge("B", "C", EdgeInfo("e2", "biolink:interacts_with", 0, False, "review_assertion", 1))
    g.add_edge("C", "D", EdgeInfo.of("e3", "increases_activity"))
    g.add_edge("A", "K", EdgeInfo.of("e4", "member_of", "established_pharmacology"))
    return g


def test_unsigned_edges_are_walked_only_when_asked():
    g = _interactome()
    assert find_paths(g, "A", "D").paths == []
    (p,) = find_paths(g, "A", "D", unsigned=True).paths
    assert p.nodes == ["A", "B", "C", "D"]
    assert [s.sign for s in p.steps] == [-1, 0, 1]
    assert p.net_sign == 0 and p.to_json()["net_effect"] == "unknown"
    assert find_paths(g, "A", "D", unsigned=True, sign=1).paths == []
    text = render_paths({"paths": [p.to_json()]}, "table")
    assert "net ? (unknown: an unsigned step)" in text and "-[biolink:interacts_with ?]-> C" in text
    # member_of keeps its class meaning: it is never an unsigned step.
    assert find_paths(g, "A", "K", unsigned=True).paths == []


def test_unsigned_neighbors():
    g = _interactome()
    assert [r.node for r in neighbors(g, "B")] == []
    (r,) = neighbors(g, "B", unsigned=True)
    assert (r.node, r.net_sign, r.signs) == ("C", 0, (0,))
    assert "| down | 1 | ? | C |" in render_neighbors([r.to_json()], "md")


@pytest.mark.curated
def test_cli_path_ang2_tie2_unsigned_finds_binds(cli):
    r = cli("path", "ANG-2", "TIE2")
    assert r.exit_code == 0 and "no path from ANG-2 to TIE2" in r.output
    out = json.loads(cli("path", "ANG-2", "TIE2", "--unsigned", "--format", "json").output)
    (p,) = out["paths"]
    assert (p["nodes"], p["net_sign"], p["net_effect"]) == (["HGNC:485", "HGNC:11724"], 0, "unknown")
    assert p["steps"][0]["predicate"] == "binds" and out["params"]["unsigned"] is True
    assert "ANG-2 -[binds ?]-> TIE2" in cli("path", "ANG-2", "TIE2", "--unsigned").output


def _star(n: int) -> ListGraph:
    return ListGraph.from_edges([("hub", f"n{i:03d}", "increases_activity") for i in range(n)])


def test_neighbors_say_they_were_cut_at_the_limit():
    full = neighbors(_star(12), "hub", limit=12)
    assert len(full) == 12 and full.truncated is False and full.reason is None
    cut = neighbors(_star(12), "hub", limit=5)
    assert [r.node for r in cut] == ["n000", "n001", "n002", "n003", "n004"]
    assert (cut.truncated, cut.reason) == (True, "limit")


@pytest.mark.curated
@pytest.mark.parametrize("fmt", ["table", "md", "json"])
def test_cli_neighbors_truncation_in_every_format(cli, fmt):
    r = cli("neighbors", "VEGF-A", "--limit", "3", "--format", fmt)
    assert r.exit_code == 0, r.output
    if fmt == "json":
        out = json.loads(r.output)
        assert (len(out["neighbors"]), out["truncated"], out["reason"]) == (3, True, "limit")
    else:
        assert "(truncated: limit; raise --limit or --timeout for more)" in r.output


def test_loops_that_time_out_do_not_claim_there_are_none():
    # n0 fans out to 600 nodes that lead nowhere back: no loop, but more work than one budget check.
    g = ListGraph.from_edges([("n0", f"a{i:03d}", "increases_activity") for i in range(600)]
                             + [(f"a{i:03d}", "z", "increases_activity") for i in range(600)])
    res = find_loops(g, "n0", max_length=3, timeout=1e-9)
    assert res.loops == [] and res.truncated is True and res.reason == "timeout"
    assert no_loop_message("n0", res.truncated, res.reason) == (
        "no feedback loop found through n0 before the search stopped (timeout); raise --timeout to search "
        "further")
    assert no_loop_message("n0", False, None) == "no feedback loop found through n0"
    done = find_loops(g, "n0", max_length=3)
    assert done.loops == [] and done.truncated is False


@pytest.mark.curated
def test_effect_honours_its_budget(curated_kg, curated_nx):
    from kg.paths.regimen import key_outcomes, regimen_effect

    drugs = ["DRUGBANK:DB09037", "DRUGBANK:DB09078"]
    outs = [str(o) for o in key_outcomes(curated_kg)]
    res = regimen_effect(curated_nx, curated_kg, drugs, outs, timeout=1e-9)
    # Three sources (the regimen and its two drugs) x outcomes x two signs, none run past the budget.
    assert res.truncated is True and res.regimen == "ivkg:pembrolizumab-lenvatinib"
    assert len(res.reasons) == 3 * len(outs) * 2
    assert all(r.endswith("timeout") or r.endswith("(not searched)") for r in res.reasons)
    note = truncation_note(res.reasons, 1e-9)
    assert note.startswith("(truncated: the 1e-09 s budget ran out;") and "not run" in note
    assert regimen_effect(curated_nx, curated_kg, drugs, outs).truncated is False
