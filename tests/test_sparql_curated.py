"""Exact answers of the query library on the real curated graph, on both engines and remotely."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import stop

from kg.sparql.engine import open_engine
from kg.sparql.library import bind_params, list_queries
from kg.sparql.remote import open_remote

pytestmark = pytest.mark.curated


@pytest.fixture(scope="module")
def ox(curated_kg):
    return open_engine(curated_kg)


def _run(engine, name, **given):
    q = next(q for q in list_queries() if q.name == name)
    return engine.query(q.text, bind_params(q, given))


def test_library_identical_on_both_engines(curated_kg, ox):
    rl = open_engine(curated_kg, engine="rdflib")
    for q in list_queries():
        params = bind_params(q, {})
        assert ox.query(q.text, params) == rl.query(q.text, params), q.name


def test_table1_seven_studies_with_exact_outcomes(ox):
    rows = {r["label"]: r for r in _run(ox, "table1").values()}
    assert len(rows) == 7
    ab = rows["atezolizumab + bevacizumab in mucosal melanoma"]
    assert (ab["orr"], ab["pfs_months"], ab["phase"]) == ("45.0", "8.2", "II")
    mbm = rows["pembrolizumab + bevacizumab in untreated melanoma brain metastasis"]
    assert (mbm["orr"], mbm["pfs_months"], mbm["os_months"]) == ("54.1", "14.4", "51.6")
    assert mbm["drugs"] == "bevacizumab; pembrolizumab"


def test_trials_orr_above_50(ox):
    got = [(r["study"], r["orr"]) for r in _run(ox, "trials-orr-above", threshold="50").values()]
    assert got == [("https://clinicaltrials.gov/study/NCT04397770", "64.0"),
                   ("https://clinicaltrials.gov/study/NCT02681549", "54.1")]


def test_regulators_of_vegf_a_by_name(curated_kg, ox):
    from kg.curation.lookup import NameIndex

    index = NameIndex.build(curated_kg.entities.values())
    q = next(q for q in list_queries() if q.name == "regulators-of")
    by_name = ox.query(q.text, bind_params(q, {"entity": "VEGF-A"}, lambda n: index.resolve(n).id.uri))
    assert by_name == _run(ox, "regulators-of")
    assert {r["sign"] for r in by_name.values()} <= {"1", "-1"}
    assert by_name.rows


def test_loops_and_cd8(ox):
    loops = _run(ox, "loops-length-2").values()
    assert ("VEGF-A", "PD-L1", "1") in {(r["a_label"], r["b_label"], r["loop_sign"]) for r in loops}
    cd8 = _run(ox, "increases-cd8-infiltration").values()
    # Issue 12: the biopsy finding is the ipilimumab + bevacizumab regimen's, not bevacizumab's own.
    labels = {r["label"] for r in cd8}
    assert "ipilimumab + bevacizumab" in labels and "bevacizumab" not in labels


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def test_push_to_real_oxigraph_and_run_library_remotely(cli, ox):
    from kg.cli.cmd_sparql import oxigraph_binary

    port = _free_port()
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/query", proc)
        r = cli("push", "--endpoint", base + "/store")
        assert r.exit_code == 0, r.output
        remote = open_remote(base + "/query")
        for q in list_queries():
            params = bind_params(q, {})
            assert remote.query(q.text, params) == ox.query(q.text, params), q.name
        r = cli("sparql", "--name", "trials-orr-above", "--param", "threshold=50", "--format", "csv",
                "--endpoint", base + "/query")
        assert r.exit_code == 0 and "64.0" in r.output and "54.1" in r.output
    finally:
        stop(proc)


def test_serve_answers_then_stops(tmp_path: Path):
    port = _free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "kg"), "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/query"
        _wait(url, proc, 60)
        res = open_remote(url).query("SELECT ?l WHERE { hgnc:12680 rdfs:label ?l }")
        assert res.values() == [{"l": "VEGF-A"}]
        upd = urllib.request.Request(f"http://127.0.0.1:{port}/update", data=b"update=DROP%20ALL",
                                     method="POST")
        with pytest.raises(OSError):
            urllib.request.urlopen(upd, timeout=5)
    finally:
        stop(proc)
    assert proc.returncode is not None
