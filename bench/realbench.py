"""The real-shaped graph's benchmark (``bench/run --graph real``): one size's steps and the report.

Data come from ``bench/realgraph.py`` (Hetionet-shaped, Biolink KGX TSV). Per size, each step runs in its
own process, timed and with its peak RSS (see ``bench/run``'s ``measured()``):

- ``kg import nodes.tsv edges.tsv --format kgx --without-curated`` (our import);
- the store's Oxigraph dumped to N-Triples, so that every baseline loads exactly the same triples;
  Oxigraph's own ``Store.bulk_load`` of the dump and Virtuoso's bulk loader (``bench/virtuoso.py``);
- store open plus one lookup;
- six SPARQL queries (the shapes of ``bench/run``'s QUERIES, on this graph's predicates) through
  ``kg --store DIR sparql`` (cold CLI) and in-process (warm), on Virtuoso's /sparql and as SQL on a DuckDB
  statement table built from the dump, with row counts compared;
- ``kg --store DIR path A B`` and ``neighbors A --depth 2`` (cold CLI), A and B picked reproducibly;
- route enumeration in-process: ours against networkx, igraph and rustworkx (``route_baselines``);
- ``kg --endpoint URL path A B`` against ``oxigraph serve-read-only`` and Virtuoso, compared with --store.
"""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
IVKG = "https://w3id.org/ivkg/"
BIOLINK = "https://w3id.org/biolink/vocab/"
GRAPH = "https://w3id.org/ivkg/bench"
MAX_LEN, LIMIT = 4, 10
STEP = ("increases_activity", "decreases_activity", "increases_expression", "decreases_expression")
SIGNED = STEP + ("increases_abundance", "decreases_abundance", "positively_regulates", "negatively_regulates")


@dataclass
class Ctx:
    """What bench/run lends: its subprocess helpers, interpreter, kg binary and log."""
    run: Callable[..., dict]
    measured: Callable[..., dict]
    py: str
    kg: str
    fixture: Path
    log: Callable[[str], None]


def queries(a_iri: str) -> dict[str, str]:
    """The six query shapes of bench/run, anchored at ``a_iri`` and written for this graph."""
    one = "|".join(f"<{IVKG}{p}>" for p in STEP)
    alt = "(" + "|".join(f"<{IVKG}{p}>" for p in SIGNED) + ")"
    return {
        "one-hop lookup": f"SELECT ?p ?o WHERE {{ <{a_iri}> ?p ?o }}",
        "anchored two-hop join": (f"SELECT DISTINCT ?x ?y WHERE {{ <{a_iri}> {one} ?x . "
                                  f"?x <{BIOLINK}participates_in> ?y }}"),
        "bounded property path (1-3 steps)": f"SELECT DISTINCT ?y WHERE {{ <{a_iri}> {alt}/{alt}?/{alt}? ?y }}",
        "GROUP BY count": f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ ?st <{IVKG}predicate> ?p }} GROUP BY ?p ORDER BY ?p",
        "GROUP BY top-10 subjects": (f"SELECT ?s (COUNT(?st) AS ?n) WHERE {{ ?st <{IVKG}subject> ?s }} "
                                     "GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 10"),
        "GROUP BY count over a join": (f"SELECT ?p ?ev (COUNT(?st) AS ?n) WHERE {{ ?st <{IVKG}predicate> ?p ; "
                                       f"<{IVKG}evidence> ?ev }} GROUP BY ?p ?ev ORDER BY ?p ?ev"),
    }


def sql_queries(a_iri: str) -> dict[str, str]:
    """The same six questions as SQL over ``t(s, p, o)`` (every triple, terms as N-Triples text) and the
    statement table ``st(st, subject, predicate, object, evidence)``."""
    a = f"'<{a_iri}>'"
    one = ", ".join(f"'<{IVKG}{p}>'" for p in STEP)
    alt = ", ".join(f"'<{IVKG}{p}>'" for p in SIGNED)
    return {
        "one-hop lookup": f"SELECT p, o FROM t WHERE s = {a}",
        "anchored two-hop join": (f"SELECT DISTINCT x.o, y.o FROM t x JOIN t y ON y.s = x.o WHERE x.s = {a} "
                                  f"AND x.p IN ({one}) AND y.p = '<{BIOLINK}participates_in>'"),
        "bounded property path (1-3 steps)": (
            f"WITH e AS (SELECT DISTINCT s, o FROM t WHERE p IN ({alt})), l1 AS (SELECT o FROM e WHERE s = {a}), "
            "l2 AS (SELECT DISTINCT e.o FROM l1 JOIN e ON e.s = l1.o), "
            "l3 AS (SELECT DISTINCT e.o FROM l2 JOIN e ON e.s = l2.o) "
            "SELECT DISTINCT o FROM (SELECT o FROM l1 UNION ALL SELECT o FROM l2 UNION ALL SELECT o FROM l3)"),
        "GROUP BY count": "SELECT predicate, count(*) FROM st GROUP BY predicate ORDER BY predicate",
        "GROUP BY top-10 subjects": ("SELECT subject, count(*) AS n FROM st GROUP BY subject "
                                     "ORDER BY n DESC, subject LIMIT 10"),
        "GROUP BY count over a join": ("SELECT predicate, evidence, count(*) FROM st WHERE evidence IS NOT NULL "
                                       "GROUP BY predicate, evidence ORDER BY predicate, evidence"),
    }


DUMP = textwrap.dedent("""
    import sys, time, pyoxigraph as ox
    from kg.store.store import Store
    t = time.perf_counter()
    Store(sys.argv[1]).oxigraph().dump(sys.argv[2], ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    print(time.perf_counter() - t)
""")

OX_BULK = textwrap.dedent("""
    import shutil, sys, time, pyoxigraph as ox
    shutil.rmtree(sys.argv[2], ignore_errors=True)
    t = time.perf_counter()
    s = ox.Store(sys.argv[2])
    s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
    print(time.perf_counter() - t)
""")

OPEN = textwrap.dedent("""
    import sys, time
    t = time.perf_counter()
    from kg.store.store import Store
    st = Store(sys.argv[1])
    n = len(st.out_edges(st.node(sys.argv[2])))
    print(time.perf_counter() - t)
""")

# A and B: a well-connected, non-hub gene and a target 3 causal signed steps away that our search reaches,
# both under HGNC or UniProtKB.
PICK = textwrap.dedent("""
    import json, sys, random
    import numpy as np
    from pathlib import Path
    from kg.store.store import Store
    from kg.cli.common import State
    from kg.paths.search import find_paths
    from kg.graphs.prefixes import Prefixes
    st = Store(sys.argv[1])
    ok = (st._sign[st.e_pred] != 0) & st._causal[st.e_pred]
    deg = np.diff(st.out_ptr) + np.diff(st.in_ptr)
    sdeg = np.bincount(st.e_s[ok], minlength=st.n_nodes)
    ids = st.ids.all()
    OURS = ("HGNC:", "UniProtKB:")  # kept from the first runs, so every run picks the same pair
    cand = [i for i in np.flatnonzero((sdeg >= 4) & (deg >= 20) & (deg <= 400)) if ids[i].startswith(OURS)]
    random.Random(int(sys.argv[2])).shuffle(cand)
    g = State(None, Path(sys.argv[1])).path_graph()
    s_ok, o_ok = st.e_s[ok], st.e_o[ok]
    order = np.argsort(s_ok, kind="stable")
    s_ok, o_ok = s_ok[order], o_ok[order]
    ptr = np.searchsorted(s_ok, np.arange(st.n_nodes + 1))
    for a in cand[:40]:
        seen, frontier = {int(a)}, [int(a)]
        for _ in range(3):
            nxt = []
            for u in frontier:
                if u != a and deg[u] > 1000:
                    continue
                for v in o_ok[ptr[u]:ptr[u + 1]]:
                    if int(v) not in seen:
                        seen.add(int(v)); nxt.append(int(v))
            frontier = nxt
        targets = sorted((ids[v], v) for v in frontier if 20 <= deg[v] <= 400 and ids[v].startswith(OURS))
        for b_id, b in targets[:5]:
            r = find_paths(g, ids[a], b_id, max_length=4, limit=10, timeout=30)
            if r.paths:
                p = Prefixes()
                print(json.dumps({"a": ids[a], "b": b_id, "a_iri": p.iri(ids[a]), "b_iri": p.iri(b_id),
                                  "a_degree": int(deg[a]), "b_degree": int(deg[b])}))
                sys.exit(0)
    sys.exit("no pair found")
""")

WARM = textwrap.dedent("""
    # Each query on an open store: through the engine `kg sparql` uses (auto: the columnar tables where
    # the query fits them, else Oxigraph; `engine` says which answered) and on the store's Oxigraph alone.
    import json, statistics, sys, time
    from kg.store.store import Store
    from kg.store.sqlengine import StoreEngine
    st = Store(sys.argv[1])
    ours, store = StoreEngine(st, "auto"), st.oxigraph()
    def timed(run):
        times = []
        for _ in range(5):
            t = time.perf_counter()
            rows = run()
            times.append(time.perf_counter() - t)
            if times[0] > 5:
                break
        return {"cold": times[0], "median": statistics.median(times[1:] or times), "rows": rows}
    out = {}
    for name, q in json.loads(sys.argv[2]).items():
        r = timed(lambda: len(ours.query(q, timeout=3600).rows))
        r["engine"] = ours.answered
        r["oxigraph"] = timed(lambda: len(list(store.query(q))))
        out[name] = r
    print(json.dumps(out))
""")

DUCK = textwrap.dedent(r"""
    import json, statistics, sys, time
    import duckdb
    t = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{sys.argv[1]}', delim=chr(1), quote='', "
                "escape='', header=false, columns={'line': 'VARCHAR'})")
    rx = r"^(\S+) (\S+) (.*) \.$"
    con.execute(f"CREATE TABLE t AS SELECT regexp_extract(line, '{rx}', 1) AS s, regexp_extract(line, '{rx}', 2) "
                f"AS p, regexp_extract(line, '{rx}', 3) AS o FROM raw")
    con.execute("DROP TABLE raw")
    I = "https://w3id.org/ivkg/"
    con.execute(f"CREATE TABLE st AS SELECT s AS st, max(o) FILTER (p = '<{I}subject>') AS subject, "
                f"max(o) FILTER (p = '<{I}predicate>') AS predicate, max(o) FILTER (p = '<{I}object>') AS object, "
                f"max(o) FILTER (p = '<{I}evidence>') AS evidence FROM t WHERE p IN ('<{I}subject>', "
                f"'<{I}predicate>', '<{I}object>', '<{I}evidence>') GROUP BY s")
    out = {"build": time.perf_counter() - t, "triples": con.execute("SELECT count(*) FROM t").fetchone()[0]}
    for name, q in json.loads(sys.argv[2]).items():
        times = []
        for _ in range(5):
            t = time.perf_counter()
            rows = len(con.execute(q).fetchall())
            times.append(time.perf_counter() - t)
        out[name] = {"cold": times[0], "median": statistics.median(times[1:]), "rows": rows}
    print(json.dumps(out))
""")

# In-process route enumeration: every simple path of at most MAX_LEN causal signed steps from A to B.
# bench/paths.py (another helper's) replaces this when it exists; see route_baselines().
ROUTES = textwrap.dedent("""
    import itertools, json, sys, time
    import numpy as np
    from pathlib import Path
    store, a, b, k, lib = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    from kg.store.store import Store
    st = Store(store)
    ia, ib = st.node(a), st.node(b)
    out = {"lib": lib}
    if lib == "ours":
        from kg.cli.common import State
        from kg.paths.search import find_paths
        g = State(None, Path(store)).path_graph()
        for run in ("first", "second"):
            t = time.perf_counter()
            r = find_paths(g, a, b, max_length=k, limit=10, timeout=60)
            out[run] = time.perf_counter() - t
        out["paths"] = len(r.paths)
        print(json.dumps(out)); sys.exit(0)
    ok = (st._sign[st.e_pred] != 0) & st._causal[st.e_pred]
    pairs = np.unique(np.stack([st.e_s[ok], st.e_o[ok]], axis=1), axis=0)
    t = time.perf_counter()
    if lib == "networkx":
        import networkx as nx
        G = nx.DiGraph(); G.add_nodes_from(range(st.n_nodes)); G.add_edges_from(pairs.tolist())
        out["build"] = time.perf_counter() - t
        t = time.perf_counter()
        n = sum(1 for _ in nx.all_simple_paths(G, ia, ib, cutoff=k))
    elif lib == "igraph":
        import igraph
        G = igraph.Graph(n=st.n_nodes, edges=pairs.tolist(), directed=True)
        out["build"] = time.perf_counter() - t
        t = time.perf_counter()
        n = len(G.get_all_simple_paths(ia, to=ib, maxlen=k))
    else:
        import rustworkx as rx
        G = rx.PyDiGraph(); G.add_nodes_from(range(st.n_nodes))
        G.extend_from_edge_list([tuple(x) for x in pairs.tolist()])
        out["build"] = time.perf_counter() - t
        t = time.perf_counter()
        n = len(rx.digraph_all_simple_paths(G, ia, ib, cutoff=k + 1))  # rustworkx counts nodes
    out["search"] = time.perf_counter() - t
    out["paths"] = n
    print(json.dumps(out))
""")


def route_baselines(ctx: Ctx, store: Path, a: str, b: str) -> dict:
    """Ours, networkx, igraph and rustworkx enumerating A->B routes, each in its own process (peak RSS).
    Uses bench/paths.py when it exists (same question, one process)."""
    other = HERE / "paths.py"
    if other.exists():
        res = ctx.measured([ctx.py, str(other), "--store", str(store), "--source", a, "--target", b,
                            "--max-length", str(MAX_LEN), "--limit", str(LIMIT)], timeout=1800)
        if res.get("rc") == 0:
            return {"via": "bench/paths.py", **json.loads(res["out"]), "rss_mb": res["rss_mb"]}
    out: dict = {"via": "bench/realbench.py ROUTES"}
    for lib in ("ours", "rustworkx", "igraph", "networkx"):
        res = ctx.measured([ctx.py, "-c", ROUTES, str(store), a, b, str(MAX_LEN), lib], timeout=900)
        if res.get("rc") == 0:
            out[lib] = {**json.loads(res["out"]), "rss_mb": res["rss_mb"], "wall": res["wall"]}
        else:
            out[lib] = {"error": (res.get("err") or "")[-300:]}
    return out


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _paths_json(text: str) -> Any:
    data = json.loads(text)
    data.pop("remote", None)
    data.pop("params", None)
    return [[p["nodes"] for p in data.get("paths", [])], data.get("truncated"), data.get("reason")]


def remote_paths(ctx: Ctx, url: str, a: str, b: str, local: Any, runs: int = 3) -> dict:
    walls: list[float] = []
    res: dict = {}
    for _ in range(runs):
        res = ctx.measured([ctx.kg, "--endpoint", url, "path", a, b, "--max-length", str(MAX_LEN), "--limit",
                            str(LIMIT), "--format", "json"], timeout=900)
        walls.append(res["wall"])
        if res.get("rc") != 0:
            return {"error": (res.get("err") or "")[-300:], "wall": res["wall"]}
    got = json.loads(res["out"])
    return {"median": statistics.median(walls), "rss_mb": res["rss_mb"], "paths": len(got.get("paths", [])),
            "same_as_store": _paths_json(res["out"]) == local, "remote": got.get("remote")}


def oxigraph_serve(ctx: Ctx, nt: Path, work: Path, a: str, b: str, local: Any) -> dict:
    from kg.cli.cmd_sparql import oxigraph_binary

    binary = oxigraph_binary()
    db = work / "oxigraph-server"
    shutil.rmtree(db, ignore_errors=True)
    t = time.perf_counter()
    load = subprocess.run([binary, "load", "--location", str(db), "--file", str(nt)], capture_output=True)
    if load.returncode != 0:
        return {"error": load.stderr.decode("utf-8", "replace")[-300:]}
    loaded = time.perf_counter() - t
    port = _port()
    proc = subprocess.Popen([binary, "serve-read-only", "--location", str(db), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        out = remote_paths(ctx, url, a, b, local)
        out["load"] = loaded
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cli_sparql(ctx: Ctx, store: Path, qs: dict[str, str]) -> dict:
    out = {}
    for name, q in qs.items():
        res = ctx.measured([ctx.kg, "--data", str(ctx.fixture), "--store", str(store), "sparql", q, "--format",
                            "json", "--timeout", "600"], timeout=900)
        rows = -1
        if res.get("rc") == 0:
            data = json.loads(res["out"])
            rows = len(data["results"]["bindings"]) if isinstance(data, dict) and "results" in data else len(data)
        out[name] = {"wall": res["wall"], "rss_mb": res["rss_mb"], "rows": rows,
                     "err": "" if res.get("rc") == 0 else (res.get("err") or "")[-200:]}
    return out


def bench_real_size(n: int, results: dict, ctx: Ctx, virtuoso_memory_gb: float = 2.0) -> None:
    from virtuoso import Virtuoso, VirtuosoError, available

    k = f"real-e{len(str(n)) - 1}" if str(n).strip("0") == "1" else f"real-{n}"
    data, work = HERE / "data" / k, HERE / "work" / k
    work.mkdir(parents=True, exist_ok=True)
    r: dict = {"edges": n}
    results["sizes"][str(n)] = r
    log = ctx.log
    if not (data / "stats.json").exists():
        res = ctx.measured([ctx.py, str(HERE / "realgraph.py"), "--edges", str(n), "--out", str(data)])
        if res["rc"] != 0:
            sys.exit(f"realgraph failed: {res['err'][-500:]}")
        r["generate"] = {"wall": res["wall"], "rss_mb": res["rss_mb"]}
    r["graph"] = json.loads((data / "stats.json").read_text("utf-8"))
    store = work / "store"
    res = ctx.measured([ctx.kg, "--data", str(ctx.fixture), "import", str(data / "nodes.tsv"), str(data / "edges.tsv"),
                        "--format", "kgx", "--store", str(store), "--without-curated", "--report", "json"])
    if res["rc"] != 0:
        sys.exit(f"kg import failed: {res['err'][-500:]}")
    summary = json.loads(res["out"])
    r["import"] = {"wall": res["wall"], "rss_mb": res["rss_mb"], "seconds": summary["seconds"],
                   "counts": summary["counts"], "triples": summary["counts"]["store triples"]}
    log(f"[real {n}] kg import {res['wall']:.1f} s, {res['rss_mb']:.0f} MB")
    nt = work / "dump" / "graph.nt"
    nt.parent.mkdir(exist_ok=True)
    res = ctx.measured([ctx.py, "-c", DUMP, str(store), str(nt)])
    r["dump"] = {"wall": res["wall"], "rc": res["rc"]}
    res = ctx.measured([ctx.py, "-c", OX_BULK, str(nt), str(work / "ox-baseline")])
    r["oxigraph_bulk"] = {"wall": res["wall"], "rss_mb": res["rss_mb"]}
    shutil.rmtree(work / "ox-baseline", ignore_errors=True)
    log(f"[real {n}] oxigraph bulk load {res['wall']:.1f} s")
    res = ctx.run([ctx.py, "-c", PICK, str(store), str(n)], timeout=900)
    if res["rc"] != 0:
        sys.exit(f"picking A and B failed: {res['err'][-500:]}")
    ab = r["ab"] = json.loads(res["out"])
    a, b = ab["a"], ab["b"]
    log(f"[real {n}] A={a} B={b}")
    opens = [float(ctx.run([ctx.py, "-c", OPEN, str(store), a])["out"]) for _ in range(5)]
    r["store_open"] = {"median": statistics.median(opens), "max": max(opens)}
    qs, sq = queries(ab["a_iri"]), sql_queries(ab["a_iri"])
    r["queries"] = qs
    r["sparql_cli"] = cli_sparql(ctx, store, qs)
    res = ctx.run([ctx.py, "-c", WARM, str(store), json.dumps(qs)], timeout=3600)
    r["sparql_warm"] = json.loads(res["out"]) if res["rc"] == 0 else {"error": res["err"][-300:]}
    res = ctx.measured([ctx.py, "-c", DUCK, str(nt), json.dumps(sq)], timeout=3600)
    r["duckdb"] = {**json.loads(res["out"]), "rss_mb": res["rss_mb"]} if res["rc"] == 0 else \
        {"error": res["err"][-300:]}
    log(f"[real {n}] sparql done (cli, warm, duckdb)")
    r["paths"] = {}
    for what, args in (("path", ["path", a, b, "--max-length", str(MAX_LEN), "--limit", str(LIMIT)]),
                       ("neighbors", ["neighbors", a, "--depth", "2"])):
        walls = []
        for _ in range(3):
            res = ctx.measured([ctx.kg, "--data", str(ctx.fixture), "--store", str(store), *args, "--format", "json"])
            walls.append(res["wall"])
        got = json.loads(res["out"]) if res["rc"] == 0 else {}
        r["paths"][what] = {"median": statistics.median(walls), "rss_mb": res["rss_mb"], "rc": res["rc"],
                            "results": len(got.get("paths" if what == "path" else "neighbors", [])),
                            "skipped_hubs": len(got.get("skipped_hubs", [])),
                            "command": "kg --store DIR " + " ".join(args)}
        if what == "path":
            local = _paths_json(res["out"]) if res["rc"] == 0 else None
    r["routes"] = route_baselines(ctx, store, a, b)
    log(f"[real {n}] paths {r['paths']} routes done")
    r["remote_oxigraph"] = oxigraph_serve(ctx, nt, work, a, b, local)
    log(f"[real {n}] remote oxigraph {r['remote_oxigraph'].get('median')}")
    if not available():
        r["virtuoso"] = {"error": "virtuoso-opensource is not installed"}
        return
    try:
        with Virtuoso(work / "virtuoso", nt.parent, virtuoso_memory_gb) as v:
            vr: dict = {"load": v.bulk_load(nt, GRAPH)}
            vr["triples"] = v.count(GRAPH)
            log(f"[real {n}] virtuoso bulk load {vr['load']:.1f} s, {vr['triples']} triples")
            vq: dict = {}
            for name, q in qs.items():
                try:
                    rows, first = v.select(q, GRAPH)
                    times = [first] + [v.select(q, GRAPH)[1] for _ in range(2 if first < 5 else 0)]
                    vq[name] = {"cold": first, "median": statistics.median(times[1:] or times), "rows": rows}
                except VirtuosoError as exc:
                    vq[name] = {"error": str(exc)[:300]}
            vr["queries"] = vq
            vr["remote_path"] = remote_paths(ctx, v.sparql_url, a, b, local)
            vr["rss_mb"] = v.peak_rss_mb()
            r["virtuoso"] = vr
    except VirtuosoError as exc:
        r["virtuoso"] = {"error": str(exc)[:500]}
    log(f"[real {n}] virtuoso {json.dumps(r['virtuoso'])[:300]}")
