"""The core commands: validate, fmt, build, stats, search, show."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kg.cli.common import State, UserError, format_option, pass_state

if TYPE_CHECKING:
    from kg.core.model import KG


@click.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@format_option()
@pass_state
def validate(state: State, strict: bool, fmt: str) -> None:
    """Check the curated data; print every problem as file:line: column: message."""
    from kg.core.render import to_json
    from kg.curation.read import read

    state.check_data_folder()
    result = read(state.data_dir)
    bad = [p for p in result.problems if p.severity == "error" or strict]
    if fmt == "json":
        click.echo(to_json([{"file": p.file, "line": p.line, "column": p.column,
                             "message": p.message, "severity": p.severity}
                            for p in result.problems]))
    else:
        for p in result.problems:
            click.echo(str(p), err=True)
    kg = result.kg
    summary = (f"{len(kg.entities)} entities, {len(kg.statements)} statements, {len(kg.trials)} trials, "
               f"{len(kg.outcomes)} outcomes, {len(kg.publications)} publications")
    if bad:
        raise UserError(f"{len(bad)} problem(s) in {summary}")
    warnings = len(result.problems)
    if fmt != "json":
        click.echo(f"ok: {summary}" + (f" ({warnings} warning(s))" if warnings else ""))


@click.command("fmt")
@click.option("--check", is_flag=True, help="Only report files that are not canonical (exit 1).")
@pass_state
def fmt_cmd(state: State, check: bool) -> None:
    """Rewrite data/ canonically: sorted rows and lists, names replaced by CURIEs."""
    from kg.curation.fmt import format_data

    changed, syntax = format_data(state.data_dir, check_only=check)
    for p in syntax:
        click.echo(str(p), err=True)
    for path in changed:
        click.echo(f"{'would reformat' if check else 'reformatted'} {path}")
    if syntax:
        raise UserError(f"{len(syntax)} file(s) have syntax errors and were left unchanged")
    if check and changed:
        raise UserError(f"{len(changed)} file(s) are not canonical; run `kg fmt`")
    if not changed:
        click.echo("all files canonical")


@click.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("build"), show_default=True, help="Output folder.")
@pass_state
def build(state: State, out_dir: Path) -> None:
    """Validate, then write the graph (Turtle, N-Triples and a manifest with digests) to --out."""
    from kg.graphs.build import build_graph

    manifest = build_graph(state.kg, out_dir)
    for name, info in manifest["files"].items():
        click.echo(f"wrote {out_dir / name} ({info['bytes']} bytes)")
    counts = manifest["counts"]
    click.echo(f"built {counts['entities']} entities, {counts['statements']} statements, "
               f"{counts['triples']} triples")


@click.command()
@format_option()
@pass_state
def stats(state: State, fmt: str) -> None:
    """Count entities by category and statements by predicate, evidence and section."""
    from kg.core.render import heading, table, to_json
    from kg.graphs.cards import stats as compute

    if state.store is not None:  # the store's own counts: curated and imported together
        payload = store_stats(state.store)
        if fmt == "json":
            click.echo(to_json(payload))
            return
        click.echo(f"store {payload['store']}: {payload['nodes']} nodes, {payload['edges']} edges "
                   f"({payload['curated_edges']} curated, {payload['imported_edges']} imported)")
        for key, title in (("by_category", "Nodes by category"), ("by_predicate", "Edges by predicate"),
                           ("by_source", "Edges by source")):
            click.echo("\n" + heading(title))
            click.echo(table(["", "count"], list(payload[key].items())))
        return
    payload = compute(state.kg)
    if fmt == "json":
        click.echo(to_json(payload))
        return
    click.echo(f"{payload['entities']} entities, {payload['statements']} statements, "
               f"{payload['trials']} trials, {payload['outcomes']} outcomes, "
               f"{payload['publications']} publications")
    for key, title in (("by_category", "Entities by category"),
                       ("by_predicate", "Statements by predicate"),
                       ("by_evidence", "Statements by evidence level"),
                       ("by_section", "Statements by review section")):
        click.echo("\n" + heading(title))
        click.echo(table(["", "count"], list(payload[key].items())))


def store_stats(st: Any) -> dict[str, Any]:
    """Counts of a ``--store``: nodes by category, edges by predicate and by source (docs/json.md)."""
    import numpy as np

    def counted(codes: Any, names: list[str]) -> dict[str, int]:
        n: list[int] = (np.bincount(np.asarray(codes, dtype=np.int64), minlength=len(names)).tolist()
                        if len(codes) else [])
        return dict(sorted(((names[i], c) for i, c in enumerate(n) if c), key=lambda kv: (-kv[1], kv[0])))

    by_source = counted(st.e_src, st.sources)
    curated = by_source.get("curated", 0)
    return {"store": str(st.dir), "generation": st.gen.name, "nodes": st.n_nodes, "edges": st.n_edges,
            "curated_edges": curated, "imported_edges": st.n_edges - curated,
            "by_category": counted(st.node_cat, st.categories), "by_predicate": counted(st.e_pred, st.predicates),
            "by_source": by_source}


@click.command()
@click.argument("text")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@format_option()
@pass_state
def search(state: State, text: str, limit: int, fmt: str) -> None:
    """Find entities by name, synonym, identifier or description."""
    from kg.core.render import table, to_json
    from kg.graphs.cards import search as do_search

    if state.endpoint is not None:  # names at the endpoint, never a download of every label
        hits = state.remote_names().search(text, limit)
    else:
        hits = do_search(state.kg, state.index, text, limit)
    if state.store is not None:  # the merged graph's names too, best first
        st = state.store
        known = {h["id"] for h in hits}
        extra = [{"id": st.ids[i], "label": st.labels[i], "category": st.category(i), "score": round(sc, 3)}
                 for i, sc in st.search(text, limit) if st.ids[i] not in known]
        hits = sorted(hits + extra, key=lambda h: -float(h["score"]))[:limit]
    if fmt == "json":
        click.echo(to_json(hits))
    if not hits:  # exit 1 in every format (the JSON answer, [], is still printed)
        raise UserError(f"nothing matches {text!r}")
    if fmt == "json":
        return
    click.echo(table(["id", "label", "category", "score"],
                     [[h["id"], h["label"], h["category"], h["score"]] for h in hits]))


@click.command()
@click.argument("entity")
@format_option()
@pass_state
def show(state: State, entity: str, fmt: str) -> None:
    """An entity card: identifiers, synonyms, cross-references and every statement in and out.

    ENTITY is a CURIE, label or synonym ("PD-L1", "CD274", "HGNC:17635").
    """
    from kg.core.render import coloured_sign, heading, table, to_json
    from kg.graphs.cards import entity_card

    ent = state.resolve(entity)
    if state.endpoint is not None:  # the entity's statements at the endpoint (curated records kept)
        from kg.curation.read import DataError

        try:
            curated: KG | None = state.kg
        except DataError:
            curated = None
        ent = curated.entities.get(ent.id, ent) if curated else ent
        graph = state.remote_names().card_graph(ent, curated)
    elif state.store is None:
        graph = state.kg
    else:  # the entity's statements in the merged graph, curated and imported
        from kg.store.views import kg_of, neighbourhood

        pg = state.path_graph()
        graph = kg_of(pg, neighbourhood(pg, [str(ent.id)], 1)[0], state.kg)
    card = entity_card(graph, ent)
    if fmt == "json":
        click.echo(to_json(card))
        return
    click.echo(heading(f"{card['label']}  {card['id']}  [{card['category']}]"))
    for key in ("synonyms", "xrefs"):
        if card[key]:
            click.echo(f"{key}: {', '.join(card[key])}")
    for key in ("description", "url", "verification"):
        if card.get(key):
            click.echo(f"{key}: {card[key]}")
    if "trial" in card:
        t = card["trial"]
        click.echo(f"phase {t['phase']}; {t['design']}; {t['population']}"
                   + (f"; n={t['n_patients']}" if t["n_patients"] else ""))
    if card.get("outcomes"):
        click.echo("\n" + heading("Outcomes"))
        click.echo(table(["measure", "arm", "value", "note"],
                         [[o["label"], o["arm"], o["display"], o["note"]] for o in card["outcomes"]]))
    for direction, other in (("outgoing", "object_label"), ("incoming", "subject_label")):
        if not card[direction]:
            continue
        click.echo("\n" + heading(f"{direction.capitalize()} statements ({len(card[direction])})"))
        rows = []
        for st in card[direction]:
            cites = ", ".join(
                (c["id"] or f"ref {c['ref']}") for c in st["citations"])
            rows.append([coloured_sign(st["sign"]), st["predicate"], st[other], st["evidence"],
                         ";".join(st["sections"]), cites])
        click.echo(table(["±", "predicate", "object" if direction == "outgoing" else "subject",
                          "evidence", "section", "citations"], rows))


#: The commands of this family, added to the ``kg`` group by :mod:`kg.cli.main`.
COMMANDS = [validate, fmt_cmd, build, stats, search, show]
