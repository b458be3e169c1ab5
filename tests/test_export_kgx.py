"""The KGX export passes the kgx validator against the Biolink Model, offline.

kgx and its Biolink Model Toolkit (bmt) fetch the model, a predicate map and a JSON-LD context from the
network by default. The check runs in a child process that first disables sockets, then points bmt at the
YAML the ``biolink-model`` package ships (empty predicate map: only used for mapping old predicates) and
gives kgx the package's prefix map as its Biolink context. ``ivkg:`` is declared as the project's local
prefix (concepts with no public identifier), as a KGX consumer would be told.
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
