#!/usr/bin/env python
"""`kg serve` under load: keep-alive throughput of a label lookup, and how long a timed-out query takes.

    .venv/bin/python bench/serve.py              # the curated graph, 2 workers, --timeout-s 2
    .venv/bin/python bench/serve.py --requests 5000

Prints one line per figure; the server runs in its own process on a free loopback port.
"""

from __future__ import annotations

import argparse
import http.client
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

KG = str(Path(sys.executable).parent / "kg")
LOOKUP = "SELECT ?l WHERE { hgnc:12680 rdfs:label ?l }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--timeout-s", type=float, default=2.0)
    args = ap.parse_args(argv)
    proc = subprocess.Popen([KG, "serve", "--port", "0", "--timeout-s", str(args.timeout_s)],
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    url = urllib.parse.urlparse(proc.stderr.readline().split()[3])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)

    def get(query: str) -> int:
        conn.request("GET", "/query?" + urllib.parse.urlencode({"query": query}))
        resp = conn.getresponse()
        resp.read()
        return resp.status

    try:
        for _ in range(20):
            get(LOOKUP)
        start = time.perf_counter()
        codes = [get(LOOKUP) for _ in range(args.requests)]
        took = time.perf_counter() - start
        ok = codes.count(200)
        print(f"keep-alive lookups: {args.requests / took:.0f} req/s over {args.requests}, {ok} answered 200")
        start = time.perf_counter()
        status = get(CARTESIAN)
        print(f"cartesian COUNT with --timeout-s {args.timeout_s:g}: HTTP {status} after "
              f"{time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        status = get(LOOKUP)
        print(f"next lookup (replacement worker): HTTP {status} after {time.perf_counter() - start:.3f} s")
    finally:
        proc.terminate()
        proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
