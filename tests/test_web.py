"""``kg web`` without a browser: the JSON API gives the CLI's ``--format json`` payloads, the guards hold
(read-only, bounded inputs, SPARQL refusals, errors with status codes and no traceback, a CSP that allows
nothing remote), the exact binomial intervals are right, and the web stack stays out of other commands."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import urllib.parse
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.web.stats import beta_ppf, betainc, clopper_pearson, response_rates

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.filterwarnings("ignore:Using .httpx. with .starlette.testclient")


def _service(data: Path | None = None, store: Path | None = None) -> Any:
    from kg.cli.common import State
    from kg.web.service import Service

    st = State(data, store)
    return Service(st.kg, st.index, st.path_graph(), st.resolve, st.sparql_store, st.store)


def _client(service: Any) -> Any:
    from starlette.testclient import TestClient

    from kg.web.app import create_app

    return TestClient(create_app(service))


@pytest.fixture(scope="module")
def client() -> Any:
    return _client(_service())


def cli_json(*args: str) -> Any:
    from kg.cli import main

    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


# ---- exact binomial intervals -------------------------------------------------------------------

def _binom_tail_ge(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))


@pytest.mark.parametrize("k,n,low,high", [
    # R: binom.test(k, n)$conf.int
    (5, 10, 0.1870860, 0.8129140),
    (0, 10, 0.0, 0.3084971),
    (10, 10, 0.6915029, 1.0),
    (1, 10, 0.002528578, 0.4450161),
    (9, 20, 0.2305779, 0.6847219),
])
def test_clopper_pearson_known_values(k: int, n: int, low: float, high: float) -> None:
    lo, hi = clopper_pearson(k, n)
    assert lo == pytest.approx(low, abs=2e-7)
    assert hi == pytest.approx(high, abs=2e-7)


@pytest.mark.parametrize("k,n", [(19, 43), (18, 40), (9, 46), (31, 46), (20, 37), (1, 500), (250, 500)])
def test_clopper_pearson_tails_are_exactly_alpha_over_two(k: int, n: int) -> None:
    """The definition, checked with binomial sums: P(X >= k | low) = P(X <= k | high) = 2.5%."""
    lo, hi = clopper_pearson(k, n)
    assert _binom_tail_ge(k, n, lo) == pytest.approx(0.025, abs=1e-9)
    assert 1 - _binom_tail_ge(k + 1, n, hi) == pytest.approx(0.025, abs=1e-9)


def test_beta_functions_and_bad_input() -> None:
    assert betainc(2, 3, 0.4) == pytest.approx(0.5248, abs=1e-12)  # 1 - P(Bin(4, .4) <= 1)
    assert betainc(1, 1, 0.3) == pytest.approx(0.3, abs=1e-12)
    assert beta_ppf(0.5, 3, 3) == pytest.approx(0.5, abs=1e-12)
    assert beta_ppf(0.975, 1, 9) == pytest.approx(1 - 0.025 ** (1 / 9), abs=1e-12)
    with pytest.raises(ValueError):
        clopper_pearson(5, 4)


def test_response_rates_mark_counts_that_do_not_fit_the_enrolment() -> None:
    trials = [{"id": "t1", "label": "one", "n_patients": 43, "outcomes": [
        {"measure": "ORR", "label": "objective response rate", "value": 45.0, "unit": "percent",
         "display": "45.0%", "arm": None},
        {"measure": "PFS_median", "value": 8.2, "unit": "month", "display": "8.2 month"}]},
        {"id": "t2", "label": "two", "n_patients": 37, "outcomes": [
            {"measure": "ORR", "label": "objective response rate", "value": 54.1, "unit": "percent",
             "display": "54.1%", "arm": None}]}]
    rows = response_rates(trials)
    assert [(r["trial"], r["k"], r["n"], r["exact"], r["low"], r["high"]) for r in rows] == [
        ("t1", 19, 43, False, 29.1, 60.1), ("t2", 20, 37, True, 36.9, 70.5)]


# ---- the API is the CLI's JSON ----------------------------------------------------------------

@pytest.mark.curated
def test_entity_api_is_kg_show_json(client: Any) -> None:
    assert client.get("/api/entity/B7-H1").json() == cli_json("show", "PD-L1", "--format", "json")


@pytest.mark.curated
def test_paths_api_is_kg_path_json(client: Any) -> None:
    got = client.get("/api/paths?" + urllib.parse.urlencode(
        {"source": "avastin", "target": "CD8+ T-cell infiltration", "max_length": 3, "sign": "+"})).json()
    want = cli_json("path", "bevacizumab", "CD8+ T-cell infiltration", "--max-length", "3", "--sign", "+",
                    "--timeout", "5", "--format", "json")
    assert got == want and got["paths"]


@pytest.mark.curated
def test_regimen_api_is_kg_explain_json_plus_response_rates(client: Any) -> None:
    got = client.get("/api/regimen?" + urllib.parse.urlencode({"r": "atezolizumab + bevacizumab"})).json()
    rates = got.pop("response_rates")
    assert got == cli_json("explain", "atezolizumab + bevacizumab", "--format", "json")
    orr = [r for r in rates if r["measure"] == "ORR" and "mucosal" in r["trial_label"]]
    assert [(r["rate"], r["k"], r["n"], r["low"], r["high"]) for r in orr] == [(45.0, 19, 43, 29.1, 60.1)]


@pytest.mark.curated
def test_search_api_finds_synonyms_and_brand_names(client: Any) -> None:
    hits = client.get("/api/search?q=B7-H1").json()["hits"]
    assert (hits[0]["id"], hits[0]["label"], hits[0]["matched"], hits[0]["category"]) == \
        ("HGNC:17635", "PD-L1", "B7-H1", "gene")
    hits = client.get("/api/search?q=avastin").json()["hits"]
    assert hits[0]["label"] == "bevacizumab"
    miss = client.get("/api/search?q=anti-PD-L7").json()
    assert miss["hits"] == [] and miss["suggestions"][0]["label"] == "anti-PD-L1 antibody"


@pytest.mark.curated
def test_sparql_table1_json_and_csv(client: Any) -> None:
    res = client.get("/api/sparql?name=table1")
    assert res.headers["content-type"].startswith("application/sparql-results+json")
    assert len(res.json()["results"]["bindings"]) == 7
    csv_text = client.get("/api/sparql?name=table1&format=csv&download=1")
    assert csv_text.headers["content-disposition"] == 'attachment; filename="ivkg-table1.csv"'
    assert csv_text.text.count("\r\n") == 8  # header + 7 studies
    param = client.get("/api/sparql?name=regulators-of&param.entity=PD-L1").json()
    assert param["results"]["bindings"]


@pytest.mark.curated
def test_unsigned_paths_when_the_library_offers_them(client: Any) -> None:
    from kg.web.service import unsigned_supported

    res = client.get("/api/paths?source=bevacizumab&target=VEGF-A&unsigned=1")
    if unsigned_supported():
        assert res.status_code == 200 and res.json()["paths"]
    else:
        assert res.status_code == 400 and "unsigned" in res.json()["error"]


@pytest.mark.curated
def test_path_view_downloads_in_export_formats(client: Any) -> None:
    q = urllib.parse.urlencode({"source": "bevacizumab", "target": "CD8+ T-cell infiltration"})
    ttl = client.get(f"/api/paths/export?{q}&format=turtle")
    assert ttl.status_code == 200 and ttl.headers["content-type"].startswith("text/turtle")
    import rdflib

    assert len(rdflib.Graph().parse(data=ttl.text, format="turtle")) > 10
    kgx = client.get(f"/api/paths/export?{q}&format=kgx")
    names = zipfile.ZipFile(BytesIO(kgx.content)).namelist()
    assert kgx.headers["content-type"] == "application/zip" and any(n.endswith("nodes.tsv") for n in names)
    assert client.get(f"/api/paths/export?{q}&format=exe").status_code == 400


# ---- safety -------------------------------------------------------------------------------------

@pytest.mark.curated
def test_csp_allows_nothing_remote_and_pages_carry_nonces(client: Any) -> None:
    res = client.get("/entity/PD-L1", follow_redirects=True)
    csp = res.headers["content-security-policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert "default-src 'none'" in csp and "http" not in csp and "unsafe" not in csp
    assert res.text.count(f'nonce="{nonce}"') == res.text.count("<script src=") == 3
    assert res.headers["x-content-type-options"] == "nosniff"
    assert "//" not in "".join(line for line in res.text.splitlines() if "<script src=" in line or "<link" in line)
    for name in ("app.js", "app.css", "vis-network.min.js", "viz_page.js"):
        assert client.get(f"/static/{name}").status_code == 200


@pytest.mark.curated
def test_nothing_writes_and_errors_have_status_codes(client: Any) -> None:
    assert client.post("/api/search?q=x").status_code == 405
    assert client.delete("/api/entity/HGNC:17635").json()["status"] == 405
    assert client.put("/entity/HGNC:17635").status_code == 405
    res = client.get("/api/entity/no-such-thing")
    assert res.status_code == 404 and res.json()["error"] == "no entity is named 'no-such-thing'"
    page = client.get("/entity/no-such-thing")
    assert page.status_code == 404 and "Traceback" not in page.text and "no entity is named" in page.text
    assert client.get("/api/search?q=" + "x" * 201).status_code == 400
    assert client.get("/api/paths?source=bevacizumab&target=VEGF-A&max_length=99").status_code == 400
    assert client.get("/api/paths?source=bevacizumab&target=bevacizumab").status_code == 400
    assert client.get("/nowhere").status_code == 404
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400  # DNS rebinding


@pytest.mark.curated
@pytest.mark.parametrize("query,message", [
    ("INSERT DATA { <a:b> <a:c> <a:d> }", "refused: INSERT is a SPARQL update"),
    ("DROP ALL", "refused: DROP is a SPARQL update"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "refused: SERVICE"),
    ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "refused: FROM"),
    ("SELECT WHERE {", "syntax error"),
])
def test_sparql_guards_as_kg_sparql(client: Any, query: str, message: str) -> None:
    res = client.get("/api/sparql?" + urllib.parse.urlencode({"query": query}))
    assert res.status_code == 400 and res.json()["error"].startswith(message)
    page = client.get("/sparql?" + urllib.parse.urlencode({"query": query, "run": "1"}))
    assert page.status_code == 400 and message in page.text


@pytest.mark.curated
def test_a_slow_query_times_out_with_504() -> None:
    service = _service()
    service.sparql_timeout = 0.02
    client = _client(service)
    # About 4 million rows to count: most of a second, far beyond the limit (and over soon after it).
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d rdfs:label ?f }"
    res = client.get("/api/sparql?" + urllib.parse.urlencode({"query": query}))
    assert res.status_code == 504 and res.json()["error"] == "query timed out after 0.02 s"


def test_a_failure_is_a_500_page_or_json_without_traceback() -> None:
    service = _service(ROOT / "tests" / "fixtures" / "views")

    def broken() -> list[dict[str, Any]]:
        raise RuntimeError("boom: /secret/path")

    service.regimens = broken
    client = _client(service)
    page, api = client.get("/"), client.get("/api/regimens")
    assert (page.status_code, api.status_code) == (500, 500)
    assert api.json() == {"error": "internal error: the request could not be answered", "status": 500}
    assert "Traceback" not in page.text and "/secret/path" not in page.text and "internal error" in page.text


def test_steps_render_keys_a_newer_library_adds() -> None:
    from kg.web.pages import extra_keys

    step = {"subject": "a", "predicate": "inhibits", "sign": -1, "citations": [], "inherited": "DRUGBANK:DB1",
            "membership": False, "note": None}
    assert extra_keys(step) == [("inherited", "DRUGBANK:DB1")]


def test_hostile_labels_are_escaped_in_html_and_json() -> None:
    client = _client(_service(ROOT / "tests" / "fixtures" / "views"))
    page = client.get("/entity/ivkg:xss-probe").text
    assert "<img src=x" not in page and "&lt;img src=x onerror=" in page
    assert "<script>document" not in page
    api = client.get("/api/search?q=img").json()
    assert api["hits"][0]["label"] == '<img src=x onerror="document.title=\'pwned\'">'


def test_store_mode_serves_the_merged_graph(tmp_path: Path) -> None:
    from kg.cli import main

    fixture = ROOT / "tests" / "fixtures" / "store"
    (tmp_path / "nodes.tsv").write_text("id\tcategory\tname\tsynonym\nHGNC:1111\tbiolink:Gene\tgene one\tG1\n"
                                        "HGNC:2222\tbiolink:Gene\tgene two\t\n", encoding="utf-8")
    (tmp_path / "edges.tsv").write_text(
        "subject\tpredicate\tobject\tobject_aspect_qualifier\tobject_direction_qualifier\tpublications\n"
        "HGNC:17635\tbiolink:affects\tHGNC:1111\tactivity\tincreased\tPMID:1|PMID:2\n"
        "HGNC:1111\tbiolink:affects\tHGNC:2222\texpression\tdecreased\t\n"
        "HGNC:2222\tbiolink:affects\tivkg:t-cell-infiltration\t\tincreased\t\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["--data", str(fixture), "import", str(tmp_path / "nodes.tsv"),
                                    str(tmp_path / "edges.tsv"), "--store", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    client = _client(_service(fixture, tmp_path / "s"))
    got = client.get("/api/paths?source=PD-L1&target=ivkg:t-cell-infiltration").json()
    assert sorted(p["nodes"] for p in got["paths"]) == [
        ["HGNC:17635", "HGNC:1111", "HGNC:2222", "ivkg:t-cell-infiltration"],
        ["HGNC:17635", "HGNC:12680", "ivkg:t-cell-infiltration"]]
    card = client.get("/api/entity/gene one").json()
    want = CliRunner().invoke(main, ["--data", str(fixture), "--store", str(tmp_path / "s"), "show", "gene one",
                                     "--format", "json"])
    assert card == json.loads(want.stdout)
    assert client.get("/entity/HGNC:1111").status_code == 200


@pytest.mark.curated
def test_openapi_describes_every_api_route(client: Any) -> None:
    from openapi_spec_validator import validate

    from kg.web.app import create_app

    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    validate(doc)  # raises on any departure from the OpenAPI 3.1 schema
    app = create_app(_service())
    routes = {r.path.replace("{name:path}", "{name}") for r in app.app.routes if r.path.startswith("/api/")}
    assert set(doc["paths"]) == routes
    assert all(list(op) == ["get"] for op in doc["paths"].values())


def test_other_commands_do_not_import_the_web_stack() -> None:
    code = ("import sys; from click.testing import CliRunner; from kg.cli import main; "
            "r = CliRunner().invoke(main, ['show', 'PD-L1']); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2', 'kg.web') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_kg_web_refuses_a_port_in_use() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "kg", "--data", str(ROOT / "tests" / "fixtures" / "views"),
                              "web", "--port", str(port)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 1
    assert out.stderr.startswith(f"kg: error: cannot listen on 127.0.0.1:{port}: ")
