"""bench/realgraph.py: a small real-shaped graph, imported with `kg import`, keeps exactly what the generator
says it wrote (every edge, its predicates and prefixes, the mapped and kept-unmapped counts)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import main
from kg.store.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("realgraph", ROOT / "bench" / "realgraph.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("realgraph", mod)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, Store, Path]:
    folder = tmp_path_factory.mktemp("realgraph")
    stats = _generator().generate(2_000, folder / "data", seed=3)
    res = CliRunner().invoke(main, ["--data", str(ROOT / "tests" / "fixtures" / "store"), "import",
                                    str(folder / "data" / "nodes.tsv"), str(folder / "data" / "edges.tsv"),
                                    "--format", "kgx", "--store", str(folder / "store"), "--without-curated",
                                    "--report", "json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return stats, json.loads(res.stdout), Store(folder / "store"), folder / "data"


def test_every_generated_edge_and_node_is_kept(imported) -> None:
    stats, report, store, data = imported
    assert stats["edges"] == 2_000
    assert store.n_edges == 2_000
    assert report["counts"]["edges imported"] == 2_000
    assert report["counts"]["nodes imported"] == stats["nodes"] == store.n_nodes
    assert report["skipped"] == {} and report["n_problems"] == 0
    # KGX short rows: some rows leave out trailing empty columns, and they were read all the same.
    lines = (data / "edges.tsv").read_text("utf-8").splitlines()
    widths = {line.count("\t") + 1 for line in lines[1:]}
    assert min(widths) < len(lines[0].split("\t")) == max(widths)


def test_mapped_and_kept_counts_are_the_generators(imported) -> None:
    stats, report, _, _ = imported
    assert report["counts"]["edges mapped onto our predicates"] == stats["edges_mapped"]
    assert report["counts"]["edges kept with their own predicate"] == stats["edges_kept_unmapped"]
    assert stats["edges_mapped"] + stats["edges_kept_unmapped"] == 2_000
    per_pred = {k[len("predicate "):]: v for k, v in report["mapped"].items() if k.startswith("predicate ")}
    assert per_pred == stats["edges_per_store_predicate"]


def test_predicates_and_prefixes_are_the_generated_ones(imported) -> None:
    stats, _, store, _ = imported
    used = {store.predicates[int(p)] for p in set(store.e_pred.tolist())}
    assert used == set(stats["edges_per_store_predicate"])
    assert len(stats["edges_per_biolink_predicate"]) >= 20
    prefixes = {i.split(":", 1)[0] for i in store.ids.all()}
    assert prefixes == set(stats["prefixes"])
    assert len(prefixes) == 15


def test_the_generator_is_seeded(tmp_path: Path) -> None:
    gen = _generator()
    a = gen.generate(500, tmp_path / "a", seed=5)
    b = gen.generate(500, tmp_path / "b", seed=5)
    assert (tmp_path / "a" / "edges.tsv").read_bytes() == (tmp_path / "b" / "edges.tsv").read_bytes()
    assert (tmp_path / "a" / "nodes.tsv").read_bytes() == (tmp_path / "b" / "nodes.tsv").read_bytes()
    assert {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}
