"""The core commands on the real curated graph: names resolve case-insensitively by CURIE, label or
synonym; JSON payloads carry the documented keys; user mistakes are one-line errors with exit 1."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.curated


@pytest.mark.parametrize("name", ["PD-L1", "pd-l1", "CD274", "B7-H1", "HGNC:17635", "hgnc:17635"])
def test_show_pd_l1_by_any_name(cli, name):
    result = cli("show", name, "--format", "json")
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert card["id"] == "HGNC:17635"
    assert card["label"] == "PD-L1"
    assert card["category"] == "gene"
    assert "CD274" in card["synonyms"]
    assert "UniProtKB:Q9NZQ7" in card["xrefs"]
    assert set(card) >= {"id", "label", "category", "synonyms", "xrefs", "outgoing", "incoming"}
    # the positive feedback loop of section 2.1, both halves, with their references
    out = {(s["predicate"], s["object"]) for s in card["outgoing"]}
    inc = {(s["subject"], s["predicate"]) for s in card["incoming"]}
    assert ("increases_secretion", "HGNC:12680") in out
    assert ("HGNC:12680", "increases_expression") in inc
    loop = next(s for s in card["outgoing"] if s["predicate"] == "increases_secretion"
                and s["object"] == "HGNC:12680")
    assert loop["sign"] == 1 and loop["refs"] == [16, 17] and loop["sections"] == ["2.1"]


def test_show_table_for_people(cli):
    result = cli("show", "bevacizumab")
    assert result.exit_code == 0
    assert "bevacizumab  DRUGBANK:DB00112  [antibody]" in result.stdout
    assert "Avastin" in result.stdout
    assert "inhibits" in result.stdout and "VEGF-A" in result.stdout


def test_show_trial_card_has_outcomes(cli):
    card = json.loads(cli("show", "NCT02681549", "--format", "json").stdout)
    assert card["trial"]["phase"] == "II"
    assert card["trial"]["n_patients"] == 37
    orr = next(o for o in card["outcomes"] if o["measure"] == "ORR")
    assert orr["value"] == 54.1 and orr["unit"] == "percent"


def test_apatinib_and_rivoceranib_are_one_entity(cli):
    a = json.loads(cli("show", "apatinib", "--format", "json").stdout)
    r = json.loads(cli("show", "rivoceranib", "--format", "json").stdout)
    assert a["id"] == r["id"] == "DRUGBANK:DB14765"


def test_unknown_entity_lists_closest_candidates(cli):
    result = cli("show", "PD-L2")
    assert result.exit_code == 1
    assert result.stderr.startswith("kg: error: unknown entity 'PD-L2'; closest:")
    assert "PD-L1 (HGNC:17635)" in result.stderr
    assert "Traceback" not in result.output


def test_stats_json_counts(cli, curated_kg):
    stats = json.loads(cli("stats", "--format", "json").stdout)
    assert stats["entities"] == len(curated_kg.entities)
    assert stats["statements"] == len(curated_kg.statements)
    assert stats["trials"] == 7
    assert sum(stats["by_category"].values()) == stats["entities"]
    assert sum(stats["by_predicate"].values()) == stats["statements"]
    assert stats["by_category"]["clinical_trial"] == 7
    # 2+2+2+2+3+2+2 drugs in the seven studies, and each study's regimen (issue 12)
    assert stats["by_predicate"]["tested_in"] == 15 + 7
    assert stats["by_predicate"]["studies"] == 7


def test_search_json(cli):
    hits = json.loads(cli("search", "avastin", "--format", "json").stdout)
    assert hits[0] == {"id": "DRUGBANK:DB00112", "label": "bevacizumab", "category": "antibody",
                       "score": 0.95}
    assert cli("search", "zzzzqqq").exit_code == 1


def test_validate_and_fmt_check_pass_on_the_curated_data(cli):
    result = cli("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")
    assert cli("fmt", "--check").exit_code == 0


def test_coverage_has_every_section(cli):
    report = json.loads(cli("coverage", "--format", "json").stdout)
    assert report["uncovered"] == []
    assert all(info["statements"] > 0 for info in report["sections"].values())


def test_usage_error_exits_2(cli):
    from click.testing import CliRunner

    from kg.cli import main

    assert CliRunner().invoke(main, ["show"]).exit_code == 2
    assert CliRunner().invoke(main, ["stats", "--format", "xml"]).exit_code == 2


def test_python_dash_m_kg_and_cold_start_imports():
    """`python -m kg` works, and `kg show` does not import rdflib, networkx or pyvis."""
    code = ("import sys, runpy; sys.argv=['kg','show','PD-L1','--format','json'];"
            "\ntry:\n    runpy.run_module('kg', run_name='__main__')\nexcept SystemExit: pass\n"
            "heavy=[m for m in ('rdflib','networkx','pyvis','pyoxigraph','pandas') if m in sys.modules]\n"
            "sys.stderr.write('HEAVY:'+','.join(heavy))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert '"id": "HGNC:17635"' in proc.stdout
    assert proc.stderr.strip().endswith("HEAVY:"), proc.stderr
