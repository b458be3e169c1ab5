"""View commands: ``kg viz`` (an interactive, self-contained HTML page) and ``kg export`` (every format).

Both take the same view options (one decorator), so the same options select the same nodes and edges in
the page and in every export format. Library: kg.views.select, kg.views.viz, kg.export.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kg.cli.common import State, UserError, pass_state

if TYPE_CHECKING:
    from kg.views.select import View

F = TypeVar("F", bound=Callable[..., Any])

_VIEW_OPTIONS = (
    click.option(
        "--focus", metavar="ENTITY", help="Show ENTITY and its neighbours (name, synonym or CURIE)."
    ),
    click.option(
        "--radius",
        type=int,
        metavar="N",
        help="Steps around --focus (default 1) or out from --regimen's drugs (default 3).",
    ),
    click.option(
        "--path",
        "path_ends",
        nargs=2,
        metavar="SOURCE TARGET",
        help="Show the ranked mechanism paths from SOURCE to TARGET.",
    ),
    click.option(
        "--regimen",
        metavar='"DRUG + DRUG"',
        help="Show the regimen's drugs, their targets and their mechanism paths to key outcomes.",
    ),
    click.option(
        "--category",
        "categories",
        multiple=True,
        metavar="CATEGORY",
        help="Keep only entities of this category (repeatable; 'drug' includes antibodies).",
    ),
    click.option(
        "--predicate",
        "predicates",
        multiple=True,
        metavar="PREDICATE",
        help="Keep only statements with this predicate (repeatable).",
    ),
    click.option(
        "--min-evidence",
        metavar="LEVEL",
        help="Keep statements at this evidence level or stronger (e.g. preclinical_in_vivo).",
    ),
    click.option(
        "--sign", metavar="+|-|0", help="Keep statements that increase (+), decrease (-) or are unsigned (0)."
    ),
    click.option(
        "--species",
        metavar="SPECIES",
        help="Keep statements observed in this species (human, mouse) or stated generally.",
    ),
    click.option(
        "--max-length",
        type=click.IntRange(1, 8),
        default=4,
        show_default=True,
        help="Longest mechanism path for --path.",
    ),
    click.option(
        "--limit", type=click.IntRange(1, 200), default=10, show_default=True, help="Most paths for --path."
    ),
)


def view_options(fn: F) -> F:
    """The selection options shared by ``viz`` and ``export``."""
    for option in reversed(_VIEW_OPTIONS):
        fn = option(fn)
    return fn


def build_view(
    state: State,
    focus: str | None,
    radius: int | None,
    path_ends: tuple[str, str] | None,
    regimen: str | None,
    categories: tuple[str, ...],
    predicates: tuple[str, ...],
    min_evidence: str | None,
    sign: str | None,
    species: str | None,
    max_length: int,
    limit: int,
) -> View:
    from kg.graphs.nx import to_networkx
    from kg.paths.regimen import RegimenError, resolve_regimen
    from kg.paths.search import PathError
    from kg.views.select import Filters, ViewError, select

    try:
        filters = Filters.parse(categories, predicates, min_evidence, sign, species)
        kg = state.kg
        focus_id = str(state.resolve(focus).id) if focus else None
        path = (
            (str(state.resolve(path_ends[0]).id), str(state.resolve(path_ends[1]).id)) if path_ends else None
        )
        drugs = [str(e.id) for e in resolve_regimen(state.index, regimen)] if regimen else None
        if radius is not None and not (focus or regimen):
            raise UserError("--radius goes with --focus or --regimen")
        graph_kg = kg if state.store is None else _store_kg(state, focus_id, radius, path, drugs,
                                                            max_length, limit)
        return select(
            state.nx_graph() if state.store is None else to_networkx(graph_kg),
            focus=focus_id,
            radius=radius,
            path=path,
            regimen=drugs,
            filters=filters,
            max_length=max_length,
            limit=limit,
            kg=graph_kg,
        )
    except (ViewError, RegimenError, PathError) as exc:
        raise UserError(str(exc)) from None


def _store_kg(state: State, focus: str | None, radius: int | None, path: tuple[str, str] | None,
              drugs: list[str] | None, max_length: int, limit: int) -> Any:
    """With --store: the model of just the part of the merged graph the view can touch."""
    import click as _click

    from kg.paths.search import find_paths
    from kg.store.views import MAX_NODES, kg_of, neighbourhood

    assert state.store is not None
    g = state.path_graph()
    from kg.curation.read import DataError

    try:
        curated = state.kg
    except DataError:  # the store carries its own copy of the curated edges
        curated = None
    if path is not None:
        found = find_paths(g, path[0], path[1], max_length=max_length, limit=limit)
        nodes = sorted({n for p in found.paths for n in p.nodes} | set(path))
    elif focus is not None or drugs:
        seeds = [focus] if focus else list(drugs or [])
        nodes, cut = neighbourhood(g, seeds, radius if radius is not None else (1 if focus else 2))
        if cut:
            _click.echo(f"kg: note: the neighbourhood was cut at {MAX_NODES} entities", err=True)
    else:
        if state.store.n_edges > 50_000:
            raise UserError(f"the store holds {state.store.n_edges:,} edges: select a view with --focus, "
                            "--path or --regimen (or query it with `kg sparql --store`)")
        nodes = list(g.nodes())
    return kg_of(g, nodes, curated)


class _UsageError(UserError):
    """A wrong option value: one ``kg: error:`` line like every error, exit 2 like every usage error."""

    exit_code = 2


def _write_error(path: Path, exc: OSError) -> UserError:
    return UserError(f"cannot write {path}: {exc.strerror or exc}")


@click.command()
@view_options
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The HTML file to write (- for standard output).",
)
@pass_state
def viz(state: State, out: Path, **opts: Any) -> None:
    """Write an interactive page of a view that opens offline (everything inlined, no CDN).

    \b
    Examples:
      kg viz --focus VEGF-A --radius 1 --out vegfa.html
      kg viz --path bevacizumab "CD8+ T-cell infiltration" --out path.html
      kg viz --regimen "atezolizumab + bevacizumab" --min-evidence preclinical_in_vivo --out regimen.html
    """
    from kg.views.viz import render_html, write_html

    view = build_view(state, **opts)
    if not view.nodes:
        raise UserError("the view is empty: loosen the filters")
    if str(out) == "-":
        click.echo(render_html(view), nl=False)
        click.echo(f"wrote the page to standard output ({len(view.nodes)} entities, {len(view.edges)} "
                   "statements)", err=True)
        return
    try:
        write_html(view, out)
    except OSError as exc:
        raise _write_error(out, exc) from None
    click.echo(f"wrote {out} ({len(view.nodes)} entities, {len(view.edges)} statements)")


@click.command("export")
@click.option(
    "--format",
    "fmt",
    required=True,
    metavar="FORMAT",
    help="turtle, ntriples, jsonld, graphml, gexf, node-link, cytoscape, kgx, neo4j, dot, mermaid, csv, sif "
    "(a folder: network.sif and signed attribute tables) or cytoscape-style (a style for the cytoscape export).",
)
@view_options
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="The file to write (a folder for kgx and neo4j; - for standard output).",
)
@pass_state
def export_cmd(state: State, fmt: str, out: Path, **opts: Any) -> None:
    """Export a view for another tool: triple stores, Cytoscape, Gephi, Neo4j, KGX, Graphviz, Mermaid.

    \b
    Examples:
      kg export --format graphml --focus PD-L1 --radius 2 --out pdl1.graphml
      kg export --format kgx --out kgx/           (nodes.tsv and edges.tsv)
      kg export --format neo4j --out neo4j/       (nodes.csv and relationships.csv)
    """
    from kg.export import FOLDER_FORMATS, ExportError, export, parse_format, render

    try:
        format_ = parse_format(fmt)
    except ExportError as exc:
        raise _UsageError(str(exc)) from None
    if str(out) == "-" and format_ in FOLDER_FORMATS:
        raise _UsageError(f"the {format_.value} export writes a folder of files: --out needs a folder, not -")
    view = build_view(state, **opts)
    if str(out) == "-":
        (text,) = render(view, format_).values()
        click.echo(text, nl=False)
        click.echo(f"exported {len(view.nodes)} entities, {len(view.edges)} statements as {format_.value} "
                   "to standard output", err=True)
        return
    try:
        written = export(view, out, format_)
    except ExportError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise _write_error(out, exc) from None
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"exported {len(view.nodes)} entities, {len(view.edges)} statements as {format_.value}")


#: The commands of this family, added to the ``kg`` group by :mod:`kg.cli.main`.
COMMANDS = [viz, export_cmd]
