"""Selecting views (kg.views.select) and the ``kg viz`` / ``kg export`` commands, on tests/fixtures/views."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.views.select import Filters, ViewError, select

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "views"
BEV, PEM, VEGFA, PDL1, PD1 = "DRUGBANK:DB00112", "DRUGBANK:DB09037", "HGNC:12680", "HGNC:17635", "HGNC:8760"
INFIL = "ivkg:cd8-t-cell-infiltration"


@pytest.fixture(scope="module")
def kg_g():
    from kg.curation.read import load
    from kg.graphs.nx import to_networkx

    kg = load(FIXTURE)
    return kg, to_networkx(kg)


def test_whole_graph(kg_g):
    kg, g = kg_g
    v = select(g, kg=kg)
    assert (len(v.nodes), len(v.edges), v.kind) == (13, 13, "graph")
    assert list(v.nodes) == sorted(v.nodes)


def test_focus_radius(kg_g):
    kg, g = kg_g
    v = select(g, focus=VEGFA, radius=1, kg=kg)
    assert v.nodes == (BEV, VEGFA, PDL1, "HGNC:6307", INFIL, "ivkg:xss-probe")
    assert len(v.edges) == 5
    assert select(g, focus=VEGFA, radius=0).nodes == (VEGFA,)
    assert len(select(g, focus=VEGFA, radius=2).nodes) == 11


def test_path_view_levels(kg_g):
    kg, g = kg_g
    v = select(g, path=(BEV, INFIL), kg=kg)
    assert v.nodes == (BEV, VEGFA, INFIL)
    assert dict(v.levels) == {BEV: 0, VEGFA: 1, INFIL: 2}
    assert v.title == "Mechanism paths from bevacizumab to CD8+ T-cell infiltration"
    sub = v.subgraph()
    assert sorted((u, d["predicate"], w) for u, w, d in sub.edges(data=True)) == [
        (BEV, "inhibits", VEGFA),
        (VEGFA, "negatively_regulates", INFIL),
    ]


def test_path_view_also_through_pd1(kg_g):
    kg, g = kg_g
    v = select(g, path=(PEM, INFIL), kg=kg)
    assert v.nodes == ("CL:0000625", PEM, PD1, INFIL)
    assert dict(v.levels) == {PEM: 0, PD1: 1, "CL:0000625": 2, INFIL: 3}


def test_no_path_is_an_error(kg_g):
    kg, g = kg_g
    with pytest.raises(ViewError, match="no mechanism path from CD8\\+ T-cell infiltration to bevacizumab"):
        select(g, path=(INFIL, BEV), kg=kg)


def test_regimen_view(kg_g):
    kg, g = kg_g
    v = select(g, regimen=[BEV, PEM], kg=kg)
    assert v.kind == "regimen"
    assert v.anchors == (BEV, PEM)
    assert {BEV, PEM, VEGFA, PD1, "CL:0000625", INFIL} <= set(v.nodes)
    assert v.levels[BEV] == v.levels[PEM] == 0
    assert v.levels[VEGFA] == v.levels[PD1] == 1
    assert "NCT:NCT02681549" not in v.nodes  # trials are not mechanism


def test_filters(kg_g):
    _, g = kg_g
    strong = select(g, filters=Filters.parse(min_evidence="clinical"))
    assert len(strong.edges) == 6  # 4 pharmacology + 1 clinical statement + the derived tested_in edge
    assert "ivkg:xss-probe" not in strong.nodes  # isolated by the edge filter
    down = select(g, filters=Filters.parse(sign="-"))
    assert {g.edges[e]["sign"] for e in ((u, w, k) for u, w, k in g.edges(keys=True) if k in down.edges)} == {
        -1
    }
    assert len(down.edges) == 5
    human = select(g, filters=Filters.parse(species="human"))
    species = {d["species"] for _, _, k, d in g.edges(keys=True, data=True) if k in human.edges}
    assert species == {"", "human"}
    genes = select(g, focus=BEV, radius=2, filters=Filters.parse(categories=["gene"]))
    assert genes.nodes == (BEV, VEGFA, PDL1, "HGNC:6307")  # the focus stays though it is a drug
    drugs = select(g, filters=Filters.parse(categories=["drug"]))
    assert drugs.nodes == (BEV, "DRUGBANK:DB06589", PEM)  # 'drug' includes antibodies and small molecules
    inh = select(g, filters=Filters.parse(predicates=["inhibits"]))
    assert len(inh.edges) == 3


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"categories": ["pill"]}, "unknown category 'pill'"),
        ({"predicates": ["causes"]}, "unknown predicate 'causes'"),
        ({"min_evidence": "strong"}, "unknown evidence level 'strong'"),
        ({"sign": "?"}, "unknown sign"),
        ({"species": "rat"}, "unknown species 'rat'"),
    ],
)
def test_filter_errors(kwargs, message):
    with pytest.raises(ViewError, match=message):
        Filters.parse(**kwargs)


def test_selection_errors(kg_g):
    _, g = kg_g
    with pytest.raises(ViewError, match="choose one of"):
        select(g, focus=VEGFA, path=(BEV, INFIL))
    with pytest.raises(ViewError, match="is not a node"):
        select(g, focus="HGNC:1")


# --------------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------------


def test_cli_viz_focus_and_path(cli, tmp_path):
    out = tmp_path / "f.html"
    res = cli("viz", "--focus", "VEGF-A", "--radius", "1", "--out", str(out), data=FIXTURE)
    assert res.exit_code == 0, res.output
    assert res.output == f"wrote {out} (6 entities, 5 statements)\n"
    res = cli(
        "viz",
        "--path",
        "bevacizumab",
        "CD8+ T-cell infiltration",
        "--out",
        str(tmp_path / "p.html"),
        data=FIXTURE,
    )
    assert res.exit_code == 0, res.output
    assert "(3 entities, 2 statements)" in res.output
    res = cli(
        "viz", "--regimen", "bevacizumab + pembrolizumab", "--out", str(tmp_path / "r.html"), data=FIXTURE
    )
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["viz", "--focus", "nothing-like-this"], "kg: error: unknown entity"),
        (["viz", "--focus", "VEGF-A", "--sign", "maybe"], "kg: error: unknown sign 'maybe'"),
        (["viz", "--radius", "2"], "kg: error: --radius goes with --focus or --regimen"),
        (["viz", "--regimen", "VEGF-A + bevacizumab"], "not a drug or drug class"),
        (["export", "--format", "bogus"], "kg: error: unknown export format 'bogus' (choose from turtle,"),
    ],
)
def test_cli_errors_are_one_line(cli, tmp_path, args, message):
    out = tmp_path / "x.out"
    res = cli(*args, "--out", str(out), data=FIXTURE)
    # An unknown format is a usage error: exit 2 (issue 13), still one line.
    assert res.exit_code == (2 if "unknown export format" in message else 1)
    assert message in res.output
    assert res.output.count("\n") == 1
    assert not out.exists()


def test_cli_unwritable_path(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = cli("export", "--format", "csv", "--out", str(blocker / "sub" / "v.csv"), data=FIXTURE)
    assert res.exit_code == 1
    assert res.output.startswith(f"kg: error: cannot write {blocker / 'sub' / 'v.csv'}: ")
    assert res.output.count("\n") == 1
    res = cli("viz", "--out", str(blocker / "v.html"), data=FIXTURE)
    assert res.exit_code == 1 and res.output.startswith("kg: error: cannot write")
    res = cli("export", "--format", "kgx", "--out", str(blocker), data=FIXTURE)
    assert res.exit_code == 1 and "is a file" in res.output
    assert blocker.read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_view_commands_keep_imports_cheap():
    import ast

    tree = ast.parse((Path(__file__).resolve().parent.parent / "kg" / "cli" / "cmd_views.py").read_text())
    top = {
        a.name if isinstance(node, ast.Import) else node.module
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        for a in node.names
    }
    assert top <= {
        "__future__",
        "collections.abc",
        "pathlib",
        "typing",
        "click",
        "kg.cli.common",
        "kg.cli.main",
    }


@pytest.mark.curated
def test_curated_focus_and_path_views(curated_kg, curated_nx):
    from kg.curation.lookup import NameIndex

    index = NameIndex.build(curated_kg.entities.values())
    vegfa = str(index.resolve("VEGF-A").id)
    v = select(curated_nx, focus=vegfa, radius=1, kg=curated_kg)
    assert vegfa in v.nodes and len(v.edges) > 0
    bev, cd8 = str(index.resolve("bevacizumab").id), str(index.resolve("CD8+ T-cell infiltration").id)
    p = select(curated_nx, path=(bev, cd8), kg=curated_kg)
    assert p.levels[bev] == 0 and p.levels[cd8] == max(p.levels.values())
    assert vegfa in p.nodes  # bevacizumab acts through VEGF-A
