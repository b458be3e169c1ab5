"""Issue 12's benchmark: questions a translational oncologist asks, with the exact top answer expected.

Each path question fixes the top path's nodes, net sign, the evidence of every step, a citation that must
be shown, and what must not appear (a combination trial's finding in a single-drug answer, a class hop
where the drug's own target explains it, mouse work under ``--species human``). The effect, explain and
neighbour questions fix their answers the same way. The done-when measures of the issue close the file.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kg.core.vocab import PREDICATES, is_a
from kg.paths.reach import neighbors
from kg.paths.regimen import explain_regimen, regimen_effect, resolve_regimen
from kg.paths.search import find_paths
from kg.paths.specificity import specificity

pytestmark = pytest.mark.curated

EP, EB, PIV, RA, CT = ("established_pharmacology", "established_biology", "preclinical_in_vivo",
                       "review_assertion", "clinical_translational")

# (source, target, options, top path labels, net sign, evidence per step, a citation shown, must not appear)
PATHS: list[tuple[str, str, dict[str, Any], list[str], int, list[str], str, list[str]]] = [
    ("bevacizumab", "CD8+ T-cell infiltration", {},
     ["bevacizumab", "VEGF-A", "vascular normalization", "CD8+ T-cell infiltration"], +1, [EP, PIV, PIV],
     "ref 19", ["ipilimumab + bevacizumab", "ipilimumab", "ref 34"]),
    ("bevacizumab", "angiogenesis", {}, ["bevacizumab", "VEGF-A", "VEGFR2", "angiogenesis"], -1,
     [EP, EB, EB], "UniProtKB:P35968", ["anti-angiogenic agent"]),
    ("bevacizumab", "vascular normalization", {}, ["bevacizumab", "VEGF-A", "vascular normalization"], +1,
     [EP, PIV], "ref 19", ["anti-VEGF antibody"]),
    ("bevacizumab", "regulatory T cell", {},
     ["bevacizumab", "VEGF-A", "Treg recruitment", "regulatory T cell"], -1, [EP, RA, EB], "ref 15", []),
    ("bevacizumab", "immunosuppression", {}, ["bevacizumab", "VEGF-A", "immunosuppression"], -1, [EP, RA],
     "ref 14", ["anti-angiogenic agent"]),
    ("bevacizumab", "MDSC recruitment", {}, ["bevacizumab", "VEGF-A", "MDSC recruitment"], -1, [EP, RA],
     "ref 18", []),
    ("bevacizumab", "tumour hypoxia", {}, ["bevacizumab", "tumour hypoxia"], -1, [RA], "ref 36", []),
    ("pembrolizumab", "T-cell activation", {}, ["pembrolizumab", "PD-1", "T-cell activation"], +1, [EP, EB],
     "UniProtKB:Q15116", ["anti-PD-1 antibody", "immune checkpoint inhibitor"]),
    ("pembrolizumab", "immunosuppression", {}, ["pembrolizumab", "PD-1", "immunosuppression"], -1, [EP, EB],
     "UniProtKB:Q15116", ["immune checkpoint inhibitor"]),
    ("pembrolizumab", "vascular normalization", {}, ["pembrolizumab", "PD-1", "vascular normalization"], +1,
     [EP, PIV], "ref 19", ["anti-PD-1 antibody"]),
    ("pembrolizumab", "angiogenesis", {},
     ["pembrolizumab", "PD-1", "T-cell activation", "IFN-γ", "angiogenesis"], -1, [EP, EB, RA, RA], "ref 20",
     ["immune checkpoint inhibitor"]),
    ("nivolumab", "antitumour immunity", {}, ["nivolumab", "PD-1", "antitumour immunity"], +1, [EP, EB],
     "UniProtKB:Q15116", []),
    ("camrelizumab", "T-cell activation", {}, ["camrelizumab", "PD-1", "T-cell activation"], +1, [EP, EB],
     "UniProtKB:Q15116", ["camrelizumab + apatinib + temozolomide"]),
    ("atezolizumab", "T-cell activation", {}, ["atezolizumab", "PD-L1", "T-cell activation"], +1, [EP, EB],
     "UniProtKB:Q9NZQ7", []),
    ("atezolizumab", "PD-1", {}, ["atezolizumab", "PD-L1", "PD-1"], -1, [EP, EB], "UniProtKB:Q9NZQ7", []),
    ("ipilimumab", "T-cell activation", {}, ["ipilimumab", "CTLA-4", "T-cell activation"], +1, [EP, EB],
     "UniProtKB:P16410", []),
    ("ipilimumab", "immunosuppression", {}, ["ipilimumab", "CTLA-4", "immunosuppression"], -1, [EP, EB],
     "UniProtKB:P16410", ["immune checkpoint inhibitor"]),
    ("tremelimumab", "angiogenesis", {},
     ["tremelimumab", "CTLA-4", "T-cell activation", "IFN-γ", "angiogenesis"], -1, [EP, EB, RA, RA], "ref 20",
     []),
    ("axitinib", "angiogenesis", {}, ["axitinib", "VEGFR2", "angiogenesis"], -1, [EP, EB], "UniProtKB:P35968",
     ["VEGFR tyrosine kinase inhibitor"]),
    ("lenvatinib", "endothelial cell migration", {}, ["lenvatinib", "VEGFR2", "endothelial cell migration"],
     -1, [EP, EB], "UniProtKB:P35968", []),
    ("lenvatinib", "Treg recruitment", {}, ["lenvatinib", "VEGFR2", "Treg recruitment"], -1, [EP, RA], "ref 18",
     []),
    ("apatinib", "vascular normalization", {}, ["apatinib", "vascular normalization"], +1, [RA], "ref 35", []),
    ("MEDI3617", "angiogenesis", {}, ["MEDI3617", "ANG-2", "angiogenesis"], -1, [EP, EB], "UniProtKB:O15123",
     ["anti-angiogenic agent"]),
    ("MEDI3617", "CD8+ T-cell infiltration", {}, ["MEDI3617", "ANG-2", "CD8+ T-cell infiltration"], +1,
     [EP, PIV], "ref 23", ["tremelimumab + MEDI3617"]),
    ("steppogenin", "vascular normalization", {"direct_only": True}, ["steppogenin", "vascular normalization"],
     +1, [PIV], "ref 24", ["anti-angiogenic agent", "ref 19"]),
    ("DLL4", "endothelial cell proliferation", {}, ["DLL4", "NOTCH1", "endothelial cell proliferation"], -1,
     [EB, EB], "UniProtKB:P46531", []),
    ("ANG-1", "vascular stability", {}, ["ANG-1", "TIE2", "vascular stability"], +1, [EB, EB],
     "UniProtKB:Q02763", []),
    ("VEGF-A", "angiogenesis", {}, ["VEGF-A", "VEGFR2", "angiogenesis"], +1, [EB, EB], "UniProtKB:P35968", []),
    ("ipilimumab + bevacizumab", "CD8+ T-cell infiltration", {},
     ["ipilimumab + bevacizumab", "CD8+ T-cell infiltration"], +1, [CT], "ref 34", []),
    ("toripalimab + axitinib", "T-cell infiltration", {}, ["toripalimab + axitinib", "T-cell infiltration"], +1,
     [CT], "NCT:NCT04180995", []),
    ("ipilimumab + bevacizumab", "immune-related adverse event", {},
     ["ipilimumab + bevacizumab", "ICI + anti-angiogenic combination", "immune-related adverse event"], +1,
     [EP, "clinical"], "DOI:10.3389/fphar.2021.747416", []),
]


@pytest.fixture(scope="module")
def g(curated_nx):
    from kg.paths.graph import as_pathgraph

    return as_pathgraph(curated_nx)


@pytest.fixture(scope="module")
def index(curated_kg):
    from kg.curation.lookup import NameIndex

    return NameIndex.build(curated_kg.entities.values())


def _id(index, name: str) -> str:
    return str(index.resolve(name).id)


def _cites(p) -> set[str]:
    return {str(c.get("id") or f"ref {c.get('ref')}") for s in p.steps for c in s.citations} | {
        f"ref {c['ref']}" for s in p.steps for c in s.citations if c.get("ref") is not None}


@pytest.mark.parametrize(("source", "target", "opts", "labels", "net", "evidence", "cite", "absent"), PATHS,
                         ids=[f"{p[0]}->{p[1]}" for p in PATHS])
def test_path_question(g, index, source, target, opts, labels, net, evidence, cite, absent):
    res = find_paths(g, _id(index, source), _id(index, target), **opts)
    top = res.paths[0]
    assert top.labels == labels
    assert top.net_sign == net
    assert [s.evidence for s in top.steps] == evidence
    shown = _cites(top)
    assert cite in shown
    for word in absent:
        assert word not in top.labels and word not in shown, word


def test_medi3617_cd8_human_has_no_mouse_only_answer(g, index):
    res = find_paths(g, _id(index, "MEDI3617"), _id(index, "CD8+ T-cell infiltration"), species="human")
    assert res.paths == []


def test_single_drug_question_never_shows_a_combination_finding(g, index):
    res = find_paths(g, _id(index, "bevacizumab"), _id(index, "CD8+ T-cell infiltration"), limit=20)
    assert res.paths
    for p in res.paths:
        assert not any(c.get("ref") == 34 for s in p.steps for c in s.citations), p.explanation
        assert all("ipilimumab" not in s.model_system for s in p.steps)


# ------------------------------------------------------------------------------------------- effect

def test_effect_ipilimumab_bevacizumab_counts_the_biopsy_finding_once(g, curated_kg, index):
    drugs = [str(e.id) for e in resolve_regimen(index, "bevacizumab and ipilimumab", curated_kg)]
    res = regimen_effect(g, curated_kg, drugs, [_id(index, "CD8+ T-cell infiltration")])
    out = res.to_json()
    assert out["regimen_id"] == "ivkg:ipilimumab-bevacizumab"
    (cd8,) = out["outcomes"]
    assert cd8["effect"] == "increases"
    observed = [p for p in cd8["paths"] if p["combination_observation"]]
    assert len(observed) == 1
    assert observed[0]["observed_for"].startswith("observed for ipilimumab + bevacizumab, in post-treatment")
    ref34 = [p for p in cd8["paths"] if any(c.get("ref") == 34 for s in p["steps"] for c in s["citations"])]
    assert ref34 == observed
    assert cd8["paths"][0] == observed[0]  # the clinical-translational finding leads


REGIMENS = ["ipilimumab + bevacizumab", "atezolizumab + bevacizumab", "pembrolizumab + bevacizumab",
            "pembrolizumab + lenvatinib", "toripalimab + axitinib", "camrelizumab + apatinib + temozolomide",
            "tremelimumab + MEDI3617"]


def test_every_regimen_raises_immune_related_adverse_events(g, curated_kg, index):
    irae = _id(index, "immune-related adverse event")
    regimens = sorted(str(e.id) for e in curated_kg.iter_entities("regimen"))
    assert len(regimens) == 8
    for text in REGIMENS:
        drugs = [str(e.id) for e in resolve_regimen(index, text, curated_kg)]
        (o,) = regimen_effect(g, curated_kg, drugs, [irae]).outcomes
        assert o.effect in ("increases", "conflict"), text
        assert o.effect == "increases", text


def test_bevacizumab_is_not_predicted_to_lower_immune_related_adverse_events(g, curated_kg, index):
    (o,) = regimen_effect(g, curated_kg, [_id(index, "bevacizumab")],
                          [_id(index, "immune-related adverse event")]).outcomes
    assert o.effect != "decreases"


def test_regimen_names_resolve_in_any_order_and_spelling(curated_kg, index):
    for text in ("lenvatinib + pembrolizumab", "Keytruda and Lenvima", "pembrolizumab, lenvatinib",
                 "LEAP-004 regimen"):
        drugs = resolve_regimen(index, text, curated_kg)
        assert {e.label for e in drugs} == {"pembrolizumab", "lenvatinib"}, text


# ------------------------------------------------------------------------------------------ explain

def test_explain_atezolizumab_bevacizumab_leads_with_trial_then_target_mechanisms(g, curated_kg, index):
    from kg.paths.explain import render_explain

    drugs = [str(e.id) for e in resolve_regimen(index, "atezolizumab + bevacizumab", curated_kg)]
    rep = explain_regimen(curated_kg, g, drugs)
    assert rep["regimen_id"] == "ivkg:atezolizumab-bevacizumab"
    assert (rep["trials"][0]["label"], rep["trials"][0]["match"]) == (
        "atezolizumab + bevacizumab in mucosal melanoma", "full")
    pdl1 = next(t for t in rep["targets"] if t["label"] == "PD-L1")
    assert ("activates", "PD-1", EB) in {(m["predicate"], m["object_label"], m["evidence"])
                                          for m in pdl1["mechanisms"]}
    md = render_explain(rep, "md")
    assert md.index("## Trials that tested the regimen") < md.index("## Drugs, classes and targets") \
        < md.index("### What the targets do") < md.index("## Predicted effects on key outcomes")


@pytest.mark.parametrize("regimen", ["pembrolizumab + lenvatinib", "toripalimab + axitinib"])
def test_explain_shows_cardiac_increases_and_skin_rates(g, curated_kg, index, regimen):
    drugs = [str(e.id) for e in resolve_regimen(index, regimen, curated_kg)]
    rep = explain_regimen(curated_kg, g, drugs, [_id(index, "angiogenesis")])
    aes = {a["label"]: a for a in rep["adverse_events"]}
    for name in ("heart failure", "myocarditis", "hypertension"):
        assert ("increases", "ICI + anti-angiogenic combination") in {
            (c["direction"], c["holder_label"]) for c in aes[name]["changes"]}, name
    assert {o["display"] for o in aes["skin toxicity"]["outcomes"]} == {"65.3%", "20-30%"}
    assert all(c["direction"] == "increases" for a in aes.values() for c in a["changes"])


def test_explain_camrelizumab_triplet(g, curated_kg, index):
    drugs = [str(e.id) for e in resolve_regimen(index, "temozolomide + apatinib + camrelizumab", curated_kg)]
    rep = explain_regimen(curated_kg, g, drugs, [_id(index, "angiogenesis")])
    assert rep["regimen"] == "camrelizumab + apatinib + temozolomide"
    assert rep["trials"][0]["id"] == "NCT:NCT04397770" and rep["trials"][0]["match"] == "full"
    assert ("ORR", "64.0%") in {(o["measure"], o["display"]) for o in rep["trials"][0]["outcomes"]}


# ---------------------------------------------------------------------------------------- neighbors

def test_neighbors_of_pd1_downstream(g, index):
    got = {(r.label, r.net_sign) for r in neighbors(g, _id(index, "PD-1"), "down", 1)}
    assert {("T-cell activation", -1), ("immunosuppression", 1), ("antitumour immunity", -1),
            ("vascular normalization", -1)} <= got


def test_neighbors_upstream_of_regulatory_t_cells(g, index):
    got = {(r.label, r.net_sign) for r in neighbors(g, _id(index, "regulatory T cell"), "up", 1)}
    assert ("Treg recruitment", 1) in got


def test_neighbors_of_blocked_vegfr2(g, index):
    got = {(r.label, r.net_sign) for r in neighbors(g, _id(index, "VEGFR2"), "down", 1, perturbation=-1)}
    assert {("angiogenesis", -1), ("endothelial cell proliferation", -1), ("Treg recruitment", -1)} <= got


# ------------------------------------------------------------------------------- CLI: what is shown

def test_cli_table_labels_inherited_steps_and_mouse_data(cli):
    r = cli("path", "DC101", "angiogenesis", "--limit", "3")
    assert r.exit_code == 0, r.output
    r = cli("path", "steppogenin", "angiogenesis")
    assert "inherited from anti-angiogenic agent" in r.output
    r = cli("path", "steppogenin", "vascular normalization", "--direct-only", "--format", "md")
    assert "rests on mouse data (1 of 1 step(s))" in r.output and "ref 24" in r.output
    out = json.loads(cli("path", "steppogenin", "angiogenesis", "--format", "json").output)
    assert out["paths"][0]["inherited_from_label"] == "anti-angiogenic agent"


def test_cli_effect_labels_the_combination_observation(cli):
    r = cli("effect", "bevacizumab + ipilimumab", "--outcome", "CD8+ T-cell infiltration")
    assert r.exit_code == 0, r.output
    assert "Predicted effects of ipilimumab + bevacizumab" in r.output
    assert "(observed for ipilimumab + bevacizumab, in post-treatment tumour biopsies" in r.output


# -------------------------------------------------------------------------- the done-when

def test_no_single_drug_causal_statement_carries_a_combination_trial_observation(curated_kg):
    combo_trials = {t.id for t in curated_kg.trials.values() if len(t.drugs) > 1}
    combo_refs = {r for t in curated_kg.trials.values() if len(t.drugs) > 1 for r in t.refs}
    for st in curated_kg.statements:
        ent = curated_kg.entities[st.subject]
        if not (is_a(ent.category, "drug") and PREDICATES[st.predicate].causal):
            continue
        if st.evidence in ("clinical", "clinical_translational"):
            assert not (set(st.refs) & combo_refs), st.location
            assert not (set(st.sources) & combo_trials), st.location
        assert "combined with" not in st.text and " plus " not in st.text, st.location


def test_species_human_returns_no_mouse_only_step(g, curated_kg, index):
    drugs = [str(e.id) for e in curated_kg.iter_entities("drug")]
    outs = [_id(index, n) for n in ("T-cell infiltration", "CD8+ T-cell infiltration", "angiogenesis",
                                    "vascular normalization", "immunosuppression")]
    seen = 0
    for d in drugs:
        for o in outs:
            for p in find_paths(g, d, o, species="human", limit=5).paths:
                seen += 1
                assert p.mouse_steps == 0 and all(not s.mouse for s in p.steps), p.explanation
    assert seen > 20


def test_mouse_only_restatements_carry_their_species(curated_kg):
    """A signed causal statement with no species must not rest only on references that are mouse work."""
    animal = {r for st in curated_kg.statements if st.evidence == "preclinical_in_vivo" for r in st.refs}
    human = {r for st in curated_kg.statements
             if st.species == "human" or st.evidence in ("clinical", "clinical_translational") for r in st.refs}
    mouse_only = animal - human
    for st in curated_kg.statements:
        pred = PREDICATES[st.predicate]
        if st.species or not (pred.causal and pred.sign) or not st.refs or st.evidence in (
                "established_biology", "established_pharmacology", "in_vitro"):
            continue
        assert not set(st.refs) <= mouse_only, st.location


def test_specificity_shares(g, curated_kg, index):
    rep = specificity(curated_kg, g, index)
    assert len(rep.searches) == 75
    assert rep.found_share >= 0.85
    assert rep.specific_share >= 0.80
    assert (rep.found, rep.specific) == (64, 55)


def test_specificity_command_prints_the_shares(cli):
    r = cli("specificity")
    assert r.exit_code == 0, r.output
    assert r.output.rstrip().endswith("drug-specific top path: 55/64 of those found (86%)")


def test_single_drug_effect_marks_combination_evidence_and_does_not_count_it(g, curated_kg, index):
    (o,) = regimen_effect(g, curated_kg, [_id(index, "bevacizumab")],
                          [_id(index, "CD8+ T-cell infiltration")]).to_json()["outcomes"]
    marked = {(c["regimen_label"], c["marked"].split(", in ")[0]) for c in o["combination_evidence"]}
    assert marked == {("ipilimumab + bevacizumab", "with ipilimumab")}
    assert o["support"] == {"positive": 2, "negative": 0}
    assert not any(p["combination_observation"] for p in o["paths"])
    assert not any(c.get("ref") == 34 for p in o["paths"] for s in p["steps"] for c in s["citations"])
