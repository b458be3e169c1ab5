#!/usr/bin/env python
"""Server time of ``kg web`` answers, warm: the graph open, each request repeated, the median reported.

    python bench/web.py                       # the curated graph
    python bench/web.py --edges 1000000       # also a store of the curated graph + 10^6 synthetic edges
    python bench/web.py --store DIR           # also an existing store

Server time is the application's own ``Server-Timing: app;dur=MS`` header (from the request reaching the
app to the start of the response), measured in-process through starlette's test client, so neither the
network nor the client is counted. The issue's targets: an entity page and a path answer under 50 ms on
the curated graph and under 100 ms on a 10^6-edge store.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.parse
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PATH_Q = urllib.parse.urlencode({"source": "bevacizumab", "target": "CD8+ T-cell infiltration"})
REQUESTS = [
    ("entity page (PD-L1)", "/entity/HGNC:17635"),
    ("entity API (PD-L1)", "/api/entity/HGNC:17635"),
    ("entity page (bevacizumab)", "/entity/DRUGBANK:DB00112"),
    ("path page (bevacizumab -> CD8+ T-cell infiltration)", "/paths?" + PATH_Q),
    ("path API (same)", "/api/paths?" + PATH_Q),
    ("suggestions (B7-H1)", "/api/search?q=B7-H1&limit=8"),
    ("regimen report (atezolizumab + bevacizumab)", "/regimen?r=atezolizumab+%2B+bevacizumab"),
    ("SPARQL table1 (CSV)", "/api/sparql?name=table1&format=csv"),
]


def measure(store: Path | None, repeat: int) -> list[tuple[str, float, float]]:
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

    from kg.cli.common import State
    from kg.web.app import create_app
    from kg.web.service import Service

    started = time.perf_counter()
    st = State(None, store)
    service = Service(st.kg, st.index, st.path_graph(), st.resolve, st.sparql_store, st.store)
    client = TestClient(create_app(service))
    print(f"  graph open in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    out = []
    for what, url in REQUESTS:
        times = []
        for i in range(repeat + 2):  # two warm-up requests
            res = client.get(url)
            if res.status_code != 200:
                raise SystemExit(f"{url}: HTTP {res.status_code}: {res.text[:300]}")
            if i >= 2:
                times.append(float(res.headers["server-timing"].split("dur=")[1]))
        out.append((what, statistics.median(times), max(times)))
    return out


def make_store(edges: int) -> Path:
    work = ROOT / "bench" / "work" / f"web-e{edges}"
    store = work / "store"
    if store.exists():  # built by an earlier run
        return store
    data = ROOT / "bench" / "data" / f"e{edges}"
    if not (data / "edges.tsv").exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--edges", str(edges),
                        "--out", str(data)], check=True)
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "kg", "import", str(data / "nodes.tsv"), str(data / "edges.tsv"),
                    "--format", "kgx", "--store", str(store)], check=True, cwd=ROOT)
    return store


def report(title: str, rows: list[tuple[str, float, float]]) -> None:
    print(f"\n{title}\n")
    print("| request | median ms | max ms |\n|---|---:|---:|")
    for what, med, worst in rows:
        print(f"| {what} | {med:.1f} | {worst:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--store", type=Path, help="Also measure on this store.")
    ap.add_argument("--edges", type=int, help="Also measure on a store with this many synthetic edges.")
    args = ap.parse_args()
    report("Curated graph (warm, server time)", measure(None, args.repeat))
    store = args.store or (make_store(args.edges) if args.edges else None)
    if store is not None:
        report(f"Store {store} (warm, server time)", measure(store, args.repeat))


if __name__ == "__main__":
    main()
