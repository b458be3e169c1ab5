"""``kg import`` (merge external graphs into a persistent store) and ``kg store`` (describe one)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kg.cli.common import State, UserError, format_option, pass_state


@click.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--format", "in_format", type=click.Choice(["kgx", "nt", "ttl", "nq", "omnipath", "indra"]),
              default=None, help="Input format (default: from the file extension; .tsv is KGX; omnipath: an "
              "OmniPath interactions table; indra: INDRA Statement JSON).")
@click.option("--strict", is_flag=True, help="Refuse the whole import at the first malformed row.")
@click.option("--base", "base_iri", metavar="IRI",
              help="Base IRI for relative IRIs in Turtle (default: each file's own file:// URI).")
@click.option("--max-bad-share", type=click.FloatRange(0, 1), default=None, metavar="SHARE",
              help="Largest share of malformed rows to skip and report; above it the import is refused "
              "(default: kg.store.importer.MAX_BAD_SHARE, 0.05).")
@click.option("--without-curated", is_flag=True, help="Do not merge the curated graph into the store.")
@click.option("--prefix", "prefix_items", multiple=True, metavar="NAME=IRI",
              help="Declare an identifier prefix beyond ours and bioregistry's (repeatable).")
@click.option("--report", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Summary format (--format names the input format here).")
@pass_state
def import_cmd(state: State, files: tuple[Path, ...], in_format: str | None, strict: bool,
               base_iri: str | None, max_bad_share: float | None, without_curated: bool, prefix_items: tuple[str, ...],
               fmt: str) -> None:
    """Merge external graphs (KGX nodes/edges TSV, N-Triples, Turtle, N-Quads) with the curated graph
    into the store given by the global --store DIR.

    The store is rebuilt from the curated graph and FILES in a fresh folder and swapped in only when
    the import succeeds: a refused import leaves the existing store unchanged. Refused: an RDF syntax
    error anywhere, a truncated or corrupt file, an import that keeps nothing, or one where more than
    --max-bad-share (5%) of the rows are malformed (with --strict: any problem). Well-formed rows that
    cannot be mapped (an unknown prefix, a duplicate), and malformed rows within that share, are skipped
    and reported with file:line.

    KGX input may be .tsv, .tsv.gz, .tsv.bz2 or a .tar.gz of nodes and edges files; identifiers may use
    any prefix bioregistry knows, one declared with --prefix, or one of a JSON file's "curie_map".
    Biolink predicates we have no counterpart for are kept as unsigned, non-causal edges.

    \b
    Example:
      kg import nodes.tsv edges.tsv --format kgx --store big.kg
    """
    from kg.core.render import to_json
    from kg.graphs.prefixes import parse_declared
    from kg.store.importer import MAX_BAD_SHARE, ImportFailed, import_files

    if state.store_dir is None:
        raise UserError("kg import needs a store: kg --store DIR import FILE...")
    fmt_in = in_format or _guess(files)
    try:
        declared = parse_declared(prefix_items)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--prefix") from None
    kg = None if without_curated else state.kg
    try:
        summary = import_files(kg, list(files), fmt_in, state.store_dir, strict=strict,
                               progress=sys.stderr.isatty(), base_iri=base_iri, prefixes=declared,
                               max_bad_share=MAX_BAD_SHARE if max_bad_share is None else max_bad_share)
    except ImportFailed as exc:
        raise UserError(f"{exc}; import refused, the existing store is unchanged") from None
    if fmt == "json":
        click.echo(to_json(summary.to_json()))
        return
    for p in summary.problems:
        click.echo(f"warning: {p}", err=True)
    if summary.n_problems > len(summary.problems):
        click.echo(f"warning: ... and {summary.n_problems - len(summary.problems)} more", err=True)
    for title, counter in (("merged and imported", summary.counts), ("mapped", summary.mapped),
                           ("refused (not imported)", summary.skipped)):
        if counter:
            click.echo(f"{title}:")
            for key, n in sorted(counter.items()):
                click.echo(f"  {n:>10}  {key}")
    click.echo(f"store {state.store_dir}: {summary.counts['store nodes']} nodes, "
               f"{summary.counts['store edges']} edges, {summary.counts['store triples']} triples "
               f"in {summary.seconds['total']:.1f} s")


def _guess(files: tuple[Path, ...]) -> str:
    kinds = set()
    for f in files:
        name = f.name.lower().removesuffix(".gz").removesuffix(".bz2")
        if name.endswith((".tar", ".tgz", ".json", ".jsonl")):
            kinds.add("kgx")
            continue
        ext = name.rsplit(".", 1)[-1]
        kinds.add({"tsv": "kgx", "nt": "nt", "ttl": "ttl", "nq": "nq"}.get(ext, "?"))
    if len(kinds) != 1 or "?" in kinds:
        raise UserError("cannot tell the input format from the file names; give --format kgx|nt|ttl|nq")
    return kinds.pop()


@click.command("store")
@format_option()
@pass_state
def store_cmd(state: State, fmt: str) -> None:
    """Describe the store given by --store DIR: sources, counts and files."""
    from kg.core.render import to_json

    st = state.store
    if st is None:
        raise UserError("no store given: kg --store DIR store")
    payload = {"store": str(st.dir), "generation": st.gen.name, "nodes": st.n_nodes, "edges": st.n_edges,
               "sources": st.sources, "files": st.manifest.get("files", []),
               "counts": st.manifest.get("counts", {}), "columnar": _columnar(st)}
    if fmt == "json":
        click.echo(to_json(payload))
        return
    click.echo(f"{payload['store']} ({payload['generation']}): {st.n_nodes} nodes, {st.n_edges} edges")
    click.echo("sources: " + ", ".join(st.sources))
    col = payload["columnar"]
    click.echo(f"columnar tables: {col['statements']} statements, {col['edges']} edges" if col["enabled"]
               else f"columnar tables: none ({col['reason']})")


def _columnar(st: Any) -> dict[str, Any]:
    """What the store's columnar tables hold (kg.store.columnar), from their meta.json."""
    from kg.store.columnar import read_meta

    meta = read_meta(st.gen)
    if meta is None:
        return {"enabled": False, "reason": "written before columnar tables existed; re-run kg import"}
    if not meta.get("enabled"):
        return {"enabled": False, "reason": meta.get("reason", "")}
    return {"enabled": True, "statements": meta["statements"], "edges": meta["edges"],
            "left_out": meta["left_out"]}


#: The commands of this family, added to the ``kg`` group by :mod:`kg.cli.main`.
COMMANDS = [import_cmd, store_cmd]
