"""The KGX export passes the kgx validator against the Biolink Model, offline.

kgx and its Biolink Model Toolkit (bmt) fetch the model, a predicate map and a JSON-LD context from the
network by default. The check runs in a child process that first disables sockets, then points bmt at the
YAML the ``biolink-model`` package ships (empty predicate map: only used for mapping old predicates) and
gives kgx the package's prefix map as its Biolink context. ``ivkg:`` is declared as the project's local
prefix (concepts with no public identifier), as a KGX consumer would be told (the ``kgx validate``
command line cannot be told: see docs/kgx.md).

Last, a store view (``kg --store DIR export``) shows the edges imported with a Biolink predicate outside
our vocabulary, as imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "views"
ROOT = Path(__file__).resolve().parent.parent

VALIDATE = r"""
import json, socket, sys
from importlib import resources

def _no_network(*args, **kwargs):
    raise OSError("network disabled in this test")
socket.socket.connect = _no_network
socket.getaddrinfo = _no_network

import bmt
from bmt import toolkit as _tk

_YAML = str(resources.files("biolink_model") / "schema" / "biolink_model.yaml")

class OfflineToolkit(_tk.Toolkit):
    def __init__(self, schema=_YAML, predicate_map=None, **kwargs):
        super().__init__(schema, predicate_map or {"predicate mappings": []}, **kwargs)

bmt.Toolkit = OfflineToolkit  # kgx does `from bmt import Toolkit` (and builds one at import time)
import kgx.config
kgx.config.jsonld_context_map["biolink"] = json.loads(
    (resources.files("biolink_model") / "prefixmaps" / "biolink-model-prefix-map.json").read_text())
from kgx.transformer import Transformer
from kgx.validator import Validator

folder = sys.argv[1]
validator = Validator()
validator.prefixes.add("ivkg")
t = Transformer(stream=False)
t.transform(input_args={"filename": [folder + "/nodes.tsv", folder + "/edges.tsv"], "format": "tsv"})
g = t.store.graph
validator.validate(g)
print(json.dumps({"nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
                  "model": validator.get_validation_model_version(),
                  "errors": validator.get_errors()}, default=str))
"""


@pytest.fixture(scope="module")
def kgx_installed():
    pytest.importorskip("kgx", reason="kgx is in the test extra")
    pytest.importorskip("biolink_model", reason="biolink-model is in the test extra")


@pytest.mark.slow
@pytest.mark.parametrize("args", [[], ["--focus", "VEGF-A", "--radius", "1"]])
def test_kgx_export_validates_offline(kgx_installed, cli, tmp_path, args):
    out = tmp_path / "kgx"
    res = cli("export", "--format", "kgx", *args, "--out", str(out), data=FIXTURE)
    assert res.exit_code == 0, res.output
    run = subprocess.run(
        [sys.executable, "-c", VALIDATE, str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["model"].startswith("4.")
    assert report["errors"] == {}
    expected = (13, 13) if not args else (6, 5)
    assert (report["nodes"], report["edges"]) == expected


@pytest.mark.curated
@pytest.mark.slow
def test_curated_kgx_export_validates_offline(kgx_installed, cli, tmp_path):
    out = tmp_path / "kgx"
    res = cli("export", "--format", "kgx", "--out", str(out))
    assert res.exit_code == 0, res.output
    run = subprocess.run(
        [sys.executable, "-c", VALIDATE, str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout.strip().splitlines()[-1])["errors"] == {}


KGX_BIOLINK = Path(__file__).resolve().parent / "fixtures" / "kgx_biolink"
STORE_DATA = Path(__file__).resolve().parent / "fixtures" / "store"


def test_store_views_show_edges_kept_with_their_biolink_predicate(cli, tmp_path) -> None:
    """A store view holds every edge among its nodes, including those imported with a Biolink predicate
    outside our vocabulary: unsigned, not causal, the Biolink predicate shown as it was imported."""
    import csv

    from kg.core.vocab import PREDICATES
    from kg.store.store import Store

    store = tmp_path / "store"
    res = cli("import", str(KGX_BIOLINK / "graph_nodes.tsv"), str(KGX_BIOLINK / "graph_edges.tsv"),
              "--store", str(store), data=STORE_DATA)
    assert res.exit_code == 0, res.output
    out = tmp_path / "kgx"
    res = cli("--store", str(store), "export", "--format", "kgx", "--focus", "NCBIGene:3458", "--radius", "1",
              "--out", str(out), data=STORE_DATA)
    assert res.exit_code == 0, res.output

    def rows(name: str) -> list[dict[str, str]]:
        with (out / name).open(encoding="utf-8") as f:
            return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))

    nodes = {r["id"] for r in rows("nodes.tsv")}
    edges = rows("edges.tsv")
    st = Store(store)
    among = [e for e in map(st.edge, range(st.n_edges)) if e["subject"] in nodes and e["object"] in nodes]
    foreign = {(e["subject"], e["predicate"], e["object"]) for e in among if e["predicate"] not in PREDICATES}
    assert foreign == {
        ("NCBIGene:29126", "biolink:related_to", "MONDO:0005105"),
        ("NCBIGene:3458", "biolink:enables", "GO:0006955"),
        ("NCBIGene:3458", "biolink:contributes_to", "MONDO:0005105"),
        ("NCBIGene:7422", "biolink:related_to_at_instance_level", "NCBIGene:3458"),
    }
    assert len(edges) == len(among) == 6
    shown = {(e["subject"], e["predicate"], e["object"]): e for e in edges}
    assert foreign <= set(shown)
    for key in foreign:  # said no more than imported: no sign, no qualifiers, no claim of our curation
        e = shown[key]
        assert (e["qualified_predicate"], e["object_direction_qualifier"], e["original_predicate"],
                e["knowledge_level"], e["agent_type"]) == ("", "", "", "not_provided", "not_provided")

    # The interactive page's records: the Biolink predicate named, unsigned and not causal.
    from kg.graphs.nx import to_networkx
    from kg.store.pathgraph import StorePathGraph
    from kg.store.views import kg_of
    from kg.views.records import edge_record, sorted_edges
    from kg.views.select import select

    model = kg_of(StorePathGraph(st), nodes)
    view = select(to_networkx(model), focus="NCBIGene:3458", radius=1, kg=model)
    recs = [edge_record(view, k) for k in sorted_edges(view)]
    assert {(r["predicate"], r["predicate_label"], r["sign"], r["causal"]) for r in recs
            if r["predicate"] not in PREDICATES} == {
        ("biolink:related_to", "related to", 0, False),
        ("biolink:enables", "enables", 0, False),
        ("biolink:contributes_to", "contributes to", 0, False),
        ("biolink:related_to_at_instance_level", "related to at instance level", 0, False),
    }
    from kg.views.viz import page_data

    page = {(e["subject_label"], e["predicate"], e["object_label"], e["sign"], e["causal"])
            for e in page_data(view)["edges"] if "(biolink:" in e["predicate"]}
    assert page == {
        ("CD274", "related to (biolink:related_to)", "melanoma", 0, False),
        ("IFNG", "enables (biolink:enables)", "immune response", 0, False),
        ("IFNG", "contributes to (biolink:contributes_to)", "melanoma", 0, False),
        ("VEGFA", "related to at instance level (biolink:related_to_at_instance_level)", "IFNG", 0, False),
    }
