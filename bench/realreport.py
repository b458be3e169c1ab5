"""The markdown report of ``bench/run --graph real`` (sections of RESULTS, from the results dict)."""

from __future__ import annotations

from pathlib import Path


def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def _ratio(slow: float | None, fast: float | None) -> str:
    if not slow or not fast:
        return "-"
    return f"{slow / fast:.2f}x" if slow / fast < 10 else f"{slow / fast:,.0f}x"


def write_real_results(results: dict, path: Path) -> None:
    m = results["machine"]
    sizes = results["sizes"]
    L: list[str] = []
    L.append("# Real-shaped graph benchmark\n")
    L.append("Written by `bench/run --graph real` (do not edit by hand; re-run it). Data: "
             "`bench/realgraph.py`, a seeded graph with Hetionet v1.0's node kinds, relation types and their "
             "proportions, heavy-tailed degrees, Biolink categories, predicates and qualifiers, many prefixes; "
             "identifiers are syntactically valid but synthetic.\n")
    L.append(f"Machine: {m['nproc']} cores, {m['memory_gib']} GiB, {m['cpu']}; Python {m['python']}; "
             f"{m['platform']}; pyoxigraph {m['pyoxigraph']}. Run took {results['elapsed']:.0f} s "
             f"(`bench/run {' '.join(results.get('argv', []))}`); load average "
             f"{', '.join(f'{x:.2f}' for x in results.get('load_start', ()))} at the start, "
             f"{', '.join(f'{x:.2f}' for x in results.get('load_end', ()))} at the end.\n")
    L.append("## Graph\n")
    L.append("| edges | nodes | store triples | Biolink predicates | store predicates | prefixes | edges mapped onto "
             "ours | signed | generated in |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for n, r in sizes.items():
        g = r["graph"]
        L.append(f"| {int(n):,} | {g['nodes']:,} | {r['import']['triples']:,} | "
                 f"{len(g['edges_per_biolink_predicate'])} | {len(g['edges_per_store_predicate'])} | "
                 f"{len(g['prefixes'])} | {g['edges_mapped']:,} | {g['edges_signed']:,} | "
                 f"{fmt_s(r.get('generate', {}).get('wall', g.get('seconds')))} |")
    L.append("")
    L.append("## Import and bulk loads (cold processes, same triples)\n")
    L.append("Our import reads the KGX TSV; Oxigraph's `Store.bulk_load` and Virtuoso's bulk loader (`ld_dir`, "
             "`rdf_loader_run()`, `checkpoint`) load the N-Triples dump of the store our import built, so all "
             "three hold exactly the same triples.\n")
    L.append("| edges | kg import | peak RSS | Oxigraph bulk load | peak RSS | ours / Oxigraph rate (target >= 0.9) "
             "| Virtuoso bulk load | Virtuoso peak RSS | ours / Virtuoso rate |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for n, r in sizes.items():
        t = r["import"]["triples"]
        ours, ox = r["import"]["wall"], r["oxigraph_bulk"]["wall"]
        v = r.get("virtuoso", {})
        vl = v.get("load")
        L.append(f"| {int(n):,} | {fmt_s(ours)} ({t / ours / 1000:.0f}k triples/s) | {r['import']['rss_mb']:.0f} MB | "
                 f"{fmt_s(ox)} ({t / ox / 1000:.0f}k triples/s) | {r['oxigraph_bulk']['rss_mb']:.0f} MB | "
                 f"{ox / ours:.2f} | "
                 + (f"{fmt_s(vl)} ({t / vl / 1000:.0f}k triples/s) | {v.get('rss_mb', 0):.0f} MB | {vl / ours:.2f} |"
                    if vl else f"{v.get('error', 'not run')[:80]} | - | - |"))
    L.append("")
    L.append("Import phases (seconds): " + "; ".join(f"{int(n):,}: {r['import']['seconds']}"
                                                 for n, r in sizes.items()) + ".\n")
    L.append("## Store open\n")
    L.append("| edges | open + one lookup (median of 5 cold processes, in-process time) | max |")
    L.append("|---|---|---|")
    for n, r in sizes.items():
        L.append(f"| {int(n):,} | {fmt_s(r['store_open']['median'])} | {fmt_s(r['store_open']['max'])} |")
    L.append("")
    L.append("## SPARQL: ours vs Virtuoso vs DuckDB\n")
    first = next(iter(sizes.values()))
    L.append(f"Anchor A = `{first['ab']['a']}` at the first size (each size picks its own; see the path "
             "section). Queries (A's IRI shown as `<A>`):\n")
    for name, q in first["queries"].items():
        L.append(f"- **{name}**: `{q.replace('<' + first['ab']['a_iri'] + '>', '<A>')}`")
    L.append("")
    L.append("`kg sparql` is a cold CLI process (`kg --store DIR sparql QUERY --format json`, start-up and store "
             "open included); warm is the same query on an open store through the same engine (median of 4 after a "
             "first run; `engine` says whether the columnar tables (DuckDB over the Parquet copy written at "
             "import) or Oxigraph answered), and Oxigraph alone is the store's own SPARQL engine on the "
             "same query; "
             "Virtuoso is its /sparql over HTTP on 127.0.0.1 (median of 2 after a first run, JSON parse "
             "included); DuckDB runs the same questions as SQL on a table of the dump's triples and a "
             "statement table built from them (median of 4; build time below).\n")
    L.append("| edges | query | kg sparql (cold CLI) | ours warm | engine | Oxigraph alone | Virtuoso | DuckDB "
             "| ours warm / Virtuoso (time; > 1 = ours slower) | ours warm / DuckDB "
             "| rows (cli / warm / Oxigraph / Virtuoso / DuckDB) |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for n, r in sizes.items():
        vq = r.get("virtuoso", {}).get("queries", {})
        for name in r["queries"]:
            c, w = r["sparql_cli"].get(name, {}), r["sparql_warm"].get(name, {})
            v, d = vq.get(name, {}), r["duckdb"].get(name, {})
            ox = w.get("oxigraph", {})
            rows = [c.get("rows", "-"), w.get("rows", "-"), ox.get("rows", "-"), v.get("rows", "-"),
                    d.get("rows", "-")]
            same = "" if len(set(rows)) == 1 else " **differ**"
            L.append(f"| {int(n):,} | {name} | {fmt_s(c.get('wall'))} | {fmt_s(w.get('median'))} | "
                     f"{w.get('engine', '-')} | {fmt_s(ox.get('median'))} | "
                     f"{fmt_s(v.get('median')) if 'median' in v else v.get('error', '-')[:60]} | "
                     f"{fmt_s(d.get('median'))} | {_ratio(w.get('median'), v.get('median'))} | "
                     f"{_ratio(w.get('median'), d.get('median'))} | {' / '.join(map(str, rows))}{same} |")
    L.append("")
    for n, r in sizes.items():
        d = r["duckdb"]
        if "build" in d:
            L.append(f"- DuckDB at {int(n):,} edges: tables built from the dump in {fmt_s(d['build'])} "
                     f"({d['triples']:,} triples), peak {d['rss_mb']:.0f} MB.")
    L.append("")
    L.append("## Path commands (cold CLI, store open included)\n")
    L.append("A is a gene of total degree 20-400 with at least 4 causal signed out-edges, B a node of "
             "degree 20-400 three causal signed steps away that `kg path` reaches; both picked by a seeded "
             "shuffle (seed = edge count), so every run picks the same pair (both HGNC or UniProtKB ids; "
             "ids under bioregistry-only prefixes such as `NCBIGene:` resolve the same way, locally and "
             "over `kg --endpoint`).\n")
    L.append("| edges | A -> B (degrees) | command | median of 3 (target < 1 s) | peak RSS | results | hubs skipped |")
    L.append("|---|---|---|---|---|---|---|")
    for n, r in sizes.items():
        ab = r["ab"]
        for p in r["paths"].values():
            L.append(f"| {int(n):,} | `{ab['a']}` ({ab['a_degree']}) -> `{ab['b']}` ({ab['b_degree']}) | "
                     f"`{p['command']}` | {fmt_s(p['median'])} | {p['rss_mb']:.0f} MB | {p['results']} | "
                     f"{p['skipped_hubs']} |")
    L.append("")
    L.append("## Route enumeration in-process: ours vs rustworkx, igraph, networkx\n")
    via = {r["routes"].get("via") for r in sizes.values()}
    if via == {"bench/paths.py"}:
        L.append("Every simple A->B path of at most 4 causal signed steps, the same edges and bounds for "
                 "every library (see bench/paths.py); the routes found are compared (`same routes`). "
                 "Timed by `python bench/paths.py --store DIR --source A --target B --max-length 4 --limit 10` "
                 "in one process: ours with `--limit 10` and enumerating every route (the baselines' work); "
                 "ratios compare ours enumerating every route with each library.\n")
        L.append("| edges | ours | rustworkx | igraph | networkx | paths | ours / rustworkx | ours / igraph "
                 "| peak RSS |")
    else:
        L.append("Every simple A->B path of at most 4 causal signed steps (parallel edges merged). Ours is "
                 "`find_paths(..., limit=10)` on the store's path graph (first and second call in one process; it "
                 "ranks by evidence and skips hubs above 1,000 edges as intermediates, the baselines do neither); "
                 "the baselines' time is the enumeration alone, graph build shown apart. Each library runs in "
                 "its own process (peak RSS includes the store's arrays).\n")
        L.append("| edges | ours (1st / 2nd) | rustworkx | igraph | networkx | paths (ours / rx / ig / nx) | "
                 "ours 2nd / rustworkx | ours 2nd / igraph | peak RSS (ours / rx / ig / nx) |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    for n, r in sizes.items():
        rt = r["routes"]
        if rt.get("via") == "bench/paths.py":
            ms = {k: (rt.get(k) or 0) / 1000 for k in ("ours_ms", "ours_all_ms", "rustworkx_ms", "igraph_ms",
                                                        "networkx_ms")}
            L.append(f"| {int(n):,} | {fmt_s(ms['ours_ms'])} (limit 10) / {fmt_s(ms['ours_all_ms'])} (all routes) | "
                     f"{fmt_s(ms['rustworkx_ms'])} | {fmt_s(ms['igraph_ms'])} | "
                     f"{fmt_s(ms['networkx_ms'])} | {rt.get('paths')} (same routes: {rt.get('same_routes')}) | "
                     f"{_ratio(ms['ours_all_ms'], ms['rustworkx_ms'])} | "
                     f"{_ratio(ms['ours_all_ms'], ms['igraph_ms'])} | "
                     f"{rt.get('peak_rss_mb', rt.get('rss_mb', 0)):.0f} MB |")
            continue
        o, x, i, nx = (rt.get(k, {}) for k in ("ours", "rustworkx", "igraph", "networkx"))

        def srch(d: dict) -> str:
            return (f"{fmt_s(d['search'])} (build {fmt_s(d['build'])})" if "search" in d
                    else d.get("error", "-")[:60])
        L.append(f"| {int(n):,} | {fmt_s(o.get('first'))} / {fmt_s(o.get('second'))} | {srch(x)} | {srch(i)} | "
                 f"{srch(nx)} | {o.get('paths', '-')} / {x.get('paths', '-')} / {i.get('paths', '-')} / "
                 f"{nx.get('paths', '-')} | {_ratio(o.get('second'), x.get('search'))} | "
                 f"{_ratio(o.get('second'), i.get('search'))} | "
                 + " / ".join(f"{d.get('rss_mb', 0):.0f}" for d in (o, x, i, nx)) + " MB |")
    L.append("")
    L.append("## Remote path search (`kg --endpoint URL path A B --max-length 4 --limit 10`)\n")
    L.append("Cold CLI processes, median of 3, against `oxigraph serve-read-only` over an `oxigraph load` of the "
             "dump and against Virtuoso's /sparql (union of its graphs); 'same' compares the paths (nodes, in "
             "order), `truncated` and `reason` with `kg --store DIR path`.\n")
    L.append("| edges | --store | oxigraph serve | same | round trips / rows | Virtuoso | same | round trips / rows "
             "| oxigraph / store | Virtuoso / store |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for n, r in sizes.items():
        loc = r["paths"]["path"]["median"]
        ox, vr = r.get("remote_oxigraph", {}), r.get("virtuoso", {}).get("remote_path", {})

        def cost(d: dict) -> str:
            rem = d.get("remote") or {}
            return f"{rem.get('round_trips', '-')} / {rem.get('rows', '-')}"
        ox_t = fmt_s(ox.get("median")) if "median" in ox else ox.get("error", "-")[:60]
        L.append(f"| {int(n):,} | {fmt_s(loc)} | {ox_t} | "
                 f"{ox.get('same_as_store', '-')} | {cost(ox)} | "
                 f"{fmt_s(vr.get('median')) if 'median' in vr else vr.get('error', '-')[:60]} | "
                 f"{vr.get('same_as_store', '-')} | {cost(vr)} | {_ratio(ox.get('median'), loc)} | "
                 f"{_ratio(vr.get('median'), loc)} |")
    L.append("")
    L.extend(_targets(sizes))
    notes = path.parent / "NOTES-real.md"
    if notes.exists():  # the analysis of the figures, written by whoever ran the bench
        L.append(notes.read_text("utf-8").rstrip() + "\n")
    path.write_text("\n".join(L) + "\n", encoding="utf-8")


def _targets(sizes: dict) -> list[str]:
    """Issue 15's targets, each checked against this run's figures."""
    out = ["## Targets (computed from this run)\n"]

    def line(what: str, ok: bool | None, detail: str) -> None:
        out.append(f"- {what}: {detail} -> {'met' if ok else 'not measured' if ok is None else 'MISSED'}")

    for n, r in sizes.items():
        n_i = int(n)
        ours, ox = r["import"]["wall"], r["oxigraph_bulk"]["wall"]
        line(f"import at {n_i:,} edges >= 0.9x Oxigraph's bulk-load rate", ox / ours >= 0.9, f"{ox / ours:.2f}")
        if n_i >= 1_000_000:
            vq = r.get("virtuoso", {}).get("queries", {})
            for name in r["queries"]:
                w, c, v = r["sparql_warm"].get(name, {}), r["sparql_cli"].get(name, {}), vq.get(name, {})
                wm, vm = w.get("median"), v.get("median")
                ok = wm is not None and wm <= 1.0 and (vm is None or wm <= 3 * max(vm, 1e-3))
                line(f"{name} at {n_i:,} edges <= 1 s and within 3x of Virtuoso", ok,
                     f"warm {fmt_s(wm)} ({w.get('engine', '?')}), cold CLI {fmt_s(c.get('wall'))}, Virtuoso "
                     f"{fmt_s(vm)}")
            for what, p in r["paths"].items():
                line(f"`kg {what}` cold at {n_i:,} edges < 1 s", p["median"] < 1.0, fmt_s(p["median"]))
            rt = r["routes"]
            if rt.get("ours_all_ms") and rt.get("rustworkx_ms"):
                k = rt["ours_all_ms"] / rt["rustworkx_ms"]
                line(f"in-process route enumeration at {n_i:,} edges within 3x of rustworkx", k <= 3,
                     f"{k:.1f}x")
            loc = r["paths"]["path"]["median"]
            for label, d in (("oxigraph serve", r.get("remote_oxigraph", {})),
                             ("Virtuoso", r.get("virtuoso", {}).get("remote_path", {}))):
                if "median" in d:
                    line(f"`kg --endpoint` path on {label} at {n_i:,} edges: same paths, within 3x of --store",
                         bool(d.get("same_as_store")) and d["median"] <= 3 * loc,
                         f"{fmt_s(d['median'])} vs {fmt_s(loc)}, same: {d.get('same_as_store')}")
    out.append("")
    return out
