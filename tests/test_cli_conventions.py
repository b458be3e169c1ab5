"""Command-line conventions (issue 13): ``--out -`` is standard output, usage errors exit 2, no hits exit 1
in every format, an empty --data folder is an error, ``--store`` stats are the store's, node-link JSON
has ``links`` and GEXF carries ``viz:`` colours, sizes and thickness with no ``networkx_key``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from kg.cli.main import main
from kg.views.style import category_style, sign_colour

FIXTURE = Path(__file__).parent / "fixtures" / "store"
KGX = Path(__file__).parent / "fixtures" / "kgx_biolink"


def kg(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, ["--data", str(FIXTURE), *args], catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


def test_out_dash_is_standard_output(tmp_path: Path, monkeypatch) -> None:
    import rdflib

    monkeypatch.chdir(tmp_path)
    code, out, err = kg("export", "--format", "turtle", "--out", "-")
    assert code == 0 and "to standard output" in err
    g = rdflib.Graph().parse(data=out, format="turtle")
    assert len(g) > 50
    code, out, _ = kg("viz", "--focus", "VEGF-A", "--out", "-")
    assert code == 0 and out.lstrip().lower().startswith("<!doctype html")
    assert not (tmp_path / "-").exists()
    code, _, err = kg("export", "--format", "kgx", "--out", "-")
    assert code == 2 and err == "kg: error: the kgx export writes a folder of files: --out needs a folder, not -\n"


def test_bad_export_format_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = kg("export", "--format", "nope", "--out", str(tmp_path / "x"))
    assert code == 2 and "unknown export format 'nope'" in err


def test_search_without_hits_exits_1_in_every_format() -> None:
    code, _, err = kg("search", "zzqqxx")
    assert code == 1 and "nothing matches 'zzqqxx'" in err
    code, out, err = kg("search", "zzqqxx", "--format", "json")
    assert (code, json.loads(out)) == (1, []) and "nothing matches" in err


def test_empty_data_folder_is_an_error(tmp_path: Path) -> None:
    for cmd in (["validate"], ["stats"]):
        res = CliRunner().invoke(main, ["--data", str(tmp_path), *cmd])
        assert res.exit_code == 1 and "no curated tables here" in res.stderr, cmd


def test_store_stats_are_the_store_counts(tmp_path: Path) -> None:
    store = tmp_path / "s"
    code, _, err = kg("--store", str(store), "import", str(KGX / "graph_nodes.tsv"), str(KGX / "graph_edges.tsv"))
    assert code == 0, err
    code, out, _ = kg("--store", str(store), "stats", "--format", "json")
    assert code == 0
    stats = json.loads(out)
    assert (stats["imported_edges"], stats["by_source"]["graph_edges.tsv"]) == (40, 40)
    assert stats["edges"] == stats["curated_edges"] + 40 == sum(stats["by_predicate"].values())
    assert stats["by_predicate"]["biolink:interacts_with"] == 1
    assert stats["nodes"] == sum(stats["by_category"].values())


def test_node_link_has_links(tmp_path: Path) -> None:
    import networkx as nx

    code, out, _ = kg("export", "--format", "node-link", "--out", "-")
    data = json.loads(out)
    assert code == 0
    assert "links" in data and "edges" not in data
    g = nx.node_link_graph(data, edges="links")
    assert g.number_of_edges() == len(data["links"]) > 0


def test_gexf_has_viz_and_no_networkx_key(tmp_path: Path) -> None:
    code, out, _ = kg("export", "--format", "gexf", "--out", "-")
    assert code == 0 and "networkx_key" not in out
    ns = {"g": "http://www.gexf.net/1.2draft", "viz": "http://www.gexf.net/1.2draft/viz"}
    root = ET.fromstring(out)
    node = next(n for n in root.iterfind(".//g:node", ns) if n.get("id") == "DRUGBANK:DB00112")
    colour = node.find("viz:color", ns)
    assert colour is not None
    want = category_style("antibody").colour.lstrip("#")
    assert "".join(f"{int(colour.get(c)):02x}" for c in "rgb") == want
    assert float(node.find("viz:size", ns).get("value")) > 8
    edges = list(root.iterfind(".//g:edge", ns))
    assert all(e.find("viz:thickness", ns) is not None for e in edges)
    red = sign_colour(-1).lstrip("#")
    assert any("".join(f"{int(e.find('viz:color', ns).get(c)):02x}" for c in "rgb") == red for e in edges)
