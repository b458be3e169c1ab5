"""The six bench queries on one store through the columnar tables and through Oxigraph, side by side.

    python bench/columnar.py STORE_DIR [--oxigraph-runs 1]     (0: columnar only, rows not compared)

Each engine answers in this process (the store opened once); columnar figures are the first (cold) run
and the median of five; Oxigraph's slow queries run once. Rows are compared, not only counted.
Also times `kg stats` and `kg store` on the store as cold CLI processes.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def queries() -> dict[str, str]:
    loader = importlib.machinery.SourceFileLoader("bench_run", str(ROOT / "bench" / "run"))
    spec = importlib.util.spec_from_loader("bench_run", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return dict(module.QUERIES)


def timed(fn, runs: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return times, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("store", type=Path)
    ap.add_argument("--oxigraph-runs", type=int, default=1)
    args = ap.parse_args()
    from kg.store.sqlengine import StoreEngine
    from kg.store.store import Store

    st = Store(args.store)
    auto, ox = StoreEngine(st), StoreEngine(st, "oxigraph")
    report: dict[str, dict] = {}
    for name, q in queries().items():
        ct, got = timed(lambda q=q: auto.query(q, timeout=600), 5)
        engine = auto.answered
        ot, want = timed(lambda q=q: ox.query(q, timeout=600), args.oxigraph_runs)
        rows = len(got.rows)  # type: ignore[attr-defined]
        same = (sorted(map(repr, got.rows)) == sorted(map(repr, want.rows))  # type: ignore[attr-defined]
                if want is not None else None)
        ox_s = round(min(ot), 3) if ot else None
        report[name] = {"engine": engine, "cold": round(ct[0], 3), "median": round(statistics.median(ct[1:]), 3),
                        "oxigraph": ox_s, "rows": rows, "identical": same}
        print(f"{name:36s} {engine:9s} cold {ct[0]:7.3f} s  median {statistics.median(ct[1:]):7.3f} s   "
              f"oxigraph {ox_s} s   rows {rows:6d}  identical {same}", flush=True)
    kg = str(Path(sys.executable).with_name("kg"))
    for cmd in (["stats", "--format", "json"], ["store", "--format", "json"]):
        t = time.perf_counter()
        subprocess.run([kg, "--store", str(args.store), *cmd], check=True, capture_output=True)
        report[f"kg {cmd[0]}"] = {"wall": round(time.perf_counter() - t, 3)}
        print(f"kg {cmd[0]:33s} {time.perf_counter() - t:7.3f} s (cold process)")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
