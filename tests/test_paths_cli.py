"""The path, neighbors, loops, effect and explain commands on the fixture: JSON keys, formats, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "paths"


@pytest.fixture
def kg(cli):
    def run(*args: str):
        return cli(*args, data=FIXTURE)
    return run


def test_path_json_keys(kg):
    r = kg("path", "pembrolizumab", "VEGF-A", "--format", "json")
    assert r.exit_code == 0
    out = json.loads(r.output)
    assert (out["source"], out["target"], out["truncated"]) == ("DRUGBANK:DB09037", "HGNC:12680", False)
    (p,) = out["paths"]
    assert p["nodes"] == ["DRUGBANK:DB09037", "ivkg:anti-pd-1-antibody", "HGNC:12680"]
    assert p["net_sign"] == -1 and p["score"] == 1.0  # 3 - 2 for the claim inherited from the class
    assert (p["inherited_from"], p["inherited_from_label"]) == ("ivkg:anti-pd-1-antibody", "anti-PD-1 antibody")
    assert p["steps"][1]["inherited_from_label"] == "anti-PD-1 antibody"
    assert [(s["subject"], s["predicate"], s["object"], s["sign"], s["evidence"]) for s in p["steps"]] == [
        ("DRUGBANK:DB09037", "member_of", "ivkg:anti-pd-1-antibody", 1, "established_pharmacology"),
        ("ivkg:anti-pd-1-antibody", "decreases_secretion", "HGNC:12680", -1, "preclinical_in_vivo")]
    assert p["steps"][1]["citations"] == [
        {"ref": 16, "id": "DOI:10.5555/fixture.16", "url": "https://doi.org/10.5555/fixture.16"}]


def test_path_table_and_md(kg):
    r = kg("path", "bevacizumab", "CD8+ T-cell infiltration", "--sign", "+",
           "--via", "vascular normalization")
    assert r.exit_code == 0
    assert "1. net +  score 0  bevacizumab -[inhibits -]-> VEGF-A" in r.output
    assert "why: weakest step review_assertion (rank 1); 3 step(s) (-1)" in r.output
    md = kg("path", "IFN-γ", "endothelial cell proliferation", "--format", "md").output
    assert md.startswith("### 1. net -  score 2  IFN-γ -[negatively_regulates -]-> endothelial cell")
    assert "[DOI:10.5555/fixture.20](https://doi.org/10.5555/fixture.20)" in md


def test_path_user_errors_and_no_path(kg):
    r = kg("path", "VEGF-A", "VEGFA")
    assert r.exit_code == 1 and "same entity" in r.output and "kg loops" in r.output
    r = kg("path", "bevacizumabb", "VEGF-A")
    assert r.exit_code == 1 and "unknown entity 'bevacizumabb'" in r.output and "bevacizumab" in r.output
    r = kg("path", "angiogenesis", "VEGF-A")
    assert r.exit_code == 0 and "no path from angiogenesis to VEGF-A within 4 step(s)" in r.output
    r = kg("path", "angiogenesis", "VEGF-A", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.output)["paths"] == []
    r = kg("path", "bevacizumab", "VEGF-A", "--predicate", "binds")
    assert r.exit_code == 2


def test_loops_and_neighbors(kg):
    out = json.loads(kg("loops", "--format", "json").output)
    assert [(lp["nodes"], lp["sign"]) for lp in out["loops"]] == [
        (["HGNC:12680", "HGNC:17635", "HGNC:12680"], 1)]
    assert kg("loops", "PD-L1", "--sign", "-").exit_code == 0
    out = json.loads(kg("neighbors", "PD-L1", "--format", "json").output)
    assert [(n["node"], n["net_sign"]) for n in out["neighbors"]] == [
        ("CL:0000625", -1), ("HGNC:12680", 1), ("ivkg:immunosuppression", 1)]
    assert "down" in kg("neighbors", "PD-L1", "--direction", "both").output


def test_effect_and_explain(kg):
    r = kg("effect", "atezolizumab + bevacizumab", "--format", "json")
    out = json.loads(r.output)
    assert out["regimen"] == "atezolizumab + bevacizumab"
    assert out["conflicts"] == ["MESH:D000072258"]
    assert "CONFLICT" in kg("effect", "atezolizumab and Avastin").output
    rep = json.loads(kg("explain", "atezolizumab + bevacizumab", "--format", "json").output)
    assert {"drugs", "targets", "paths", "trials", "biomarkers", "adverse_events"} <= set(rep)
    md = kg("explain", "atezolizumab + bevacizumab", "--format", "md").output
    for heading in ("# Regimen: atezolizumab + bevacizumab", "## Drugs, classes and targets",
                    "## Predicted effects on key outcomes", "## Trials that tested the regimen",
                    "## Biomarkers", "## Expected adverse events and management"):
        assert heading in md
    assert "| objective response rate |  | 45.0% |" in md
    r = kg("explain", "VEGF-A + bevacizumab")
    assert r.exit_code == 1 and "not a drug or drug class" in r.output
