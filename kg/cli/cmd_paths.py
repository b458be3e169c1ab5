"""Mechanism commands: path, neighbors, loops, effect, explain (library: kg.paths.search, kg.paths.regimen).

Exit codes: 0 on success, including "no path found" (an empty list; table and md formats also say so on
stderr); 1 for user errors (unknown or ambiguous entity, source equal to target, a predicate that is not
causal and signed, a regimen naming something that is not a drug); 2 for usage errors.
"""

from __future__ import annotations

from typing import Any

import click

from kg.cli.common import FORMAT_TABLE_JSON_MD, State, UserError, format_option, pass_state

_EXIT = ("\n\nExit codes: 0 success (also when no path is found: the list is empty), "
         "1 user error, 2 usage error.")


def _graph(state: State, timeout: float | None = None) -> Any:
    # The curated graph, with --store the merged graph's memory-mapped arrays, with --endpoint a remote
    # graph whose every query also keeps to the command's time budget.
    g: Any = state.path_graph()
    if state.endpoint is not None and timeout is not None:
        g.timeout = timeout
    return g


def _know(state: State, nodes: list[str]) -> None:
    """With --endpoint: the labels and degrees of a regimen's drugs and outcomes in one query."""
    if state.endpoint is not None:
        from kg.paths.graph import know

        know(state.path_graph(), nodes)


def _remote(state: State, payload: dict[str, Any]) -> dict[str, Any]:
    """With --endpoint: the queries the command cost (JSON ``remote`` key; on stderr for people)."""
    report = state.remote_report()
    if report is not None:
        payload["remote"] = report
    return payload


def _say_remote(state: State) -> None:
    report = state.remote_report()
    if report is not None:
        cut = f", cut: {report['cut']}" if report["cut"] else ""
        click.echo(f"endpoint: {report['round_trips']} queries, {report['rows']} rows{cut}", err=True)


def _node(state: State, name: str) -> str:
    return str(state.resolve(name).id)


def _run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    from kg.paths.graph import FilterError
    from kg.paths.regimen import RegimenError

    try:
        return fn(*args, **kwargs)
    except (FilterError, RegimenError) as exc:
        raise UserError(str(exc)) from None


def _filters(fn: Any) -> Any:
    from kg.core.vocab import EVIDENCE_LEVELS, PREDICATES

    signed = [k for k, p in PREDICATES.items() if p.causal and p.signed]
    for opt in reversed([
        click.option("--predicate", "predicates", multiple=True, type=click.Choice(signed),
                     help="Only these causal predicates (repeatable)."),
        click.option("--min-evidence", type=click.Choice(list(EVIDENCE_LEVELS)),
                     help="Only statements at this evidence level or stronger."),
        click.option("--species", type=click.Choice(["human", "mouse"]),
                     help="Only statements in this species (statements with no species pass)."),
        click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.01),
                     help="Time budget in seconds; results found so far are returned, marked truncated."),
    ]):
        fn = opt(fn)
    return fn


def _common(predicates: tuple[str, ...], min_evidence: str | None, species: str | None,
            timeout: float) -> dict[str, Any]:
    return {"predicates": list(predicates) or None, "min_evidence": min_evidence, "species": species,
            "timeout": timeout}


@click.command(epilog=_EXIT)
@click.argument("source")
@click.argument("target")
@click.option("--max-length", default=4, show_default=True, type=click.IntRange(1, 8))
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--sign", type=click.Choice(["+", "-"]), help="Only paths with this net effect.")
@click.option("--via", multiple=True, help="Paths must pass through this entity (repeatable).")
@click.option("--avoid", multiple=True, help="Paths must not pass through this entity (repeatable).")
@click.option("--direct-only", is_flag=True,
              help="Only the entity's own one-step statements (no class hops).")
@click.option("--unsigned", is_flag=True,
              help="Also walk unsigned edges (binds, imported interactions); such paths have net sign ?.")
@click.option("--max-states", default=1_000_000, show_default=True, type=click.IntRange(1000),
              help="Memory budget: partial paths held at once; past it the search stops, marked truncated.")
@_filters
@format_option(FORMAT_TABLE_JSON_MD)
@pass_state
def path(state: State, source: str, target: str, max_length: int, limit: int, sign: str | None,
         via: tuple[str, ...], avoid: tuple[str, ...], direct_only: bool, unsigned: bool, max_states: int,
         predicates: tuple[str, ...],
         min_evidence: str | None, species: str | None, timeout: float, fmt: str) -> None:
    """The best signed mechanism paths from SOURCE to TARGET, ranked by an explained score.

    Score = evidence rank of the weakest step (1-6) - 0.5 per extra step - hub penalty. Net sign is
    the product of the step signs. A drug also inherits the effects of its classes (member_of steps).
    """
    from kg.core.render import to_json
    from kg.paths.explain import render_paths
    from kg.paths.search import find_paths

    src, dst = _node(state, source), _node(state, target)
    if src == dst:
        raise UserError(f"source and target are the same entity ({src}); use `kg loops {source}`")
    res = _run(find_paths, _graph(state, timeout), src, dst, max_length=max_length, limit=limit,
               sign={"+": 1, "-": -1}.get(sign or ""), via=[_node(state, v) for v in via],
               avoid=[_node(state, a) for a in avoid], direct_only=direct_only, unsigned=unsigned,
               max_states=max_states, **_common(predicates, min_evidence, species, timeout))
    payload = _remote(state, res.to_json())
    if fmt == "json":
        click.echo(to_json(payload))
        return
    _say_remote(state)
    if not res.paths:
        why = f" ({res.reason})" if res.truncated else ""
        click.echo(f"no path from {state.resolve(src).label} to {state.resolve(dst).label} "
                   f"within {max_length} step(s){why}", err=True)
        return
    click.echo(render_paths(payload, fmt))


@click.command(epilog=_EXIT)
@click.argument("entity")
@click.option("--direction", type=click.Choice(["up", "down", "both"]), default="down",
              show_default=True, help="down: what ENTITY affects; up: what regulates ENTITY.")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(1, 6))
@click.option("--blocked", is_flag=True, help="Show downstream effects of blocking ENTITY (signs flip).")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 100000))
@click.option("--unsigned", is_flag=True,
              help="Also walk unsigned edges (binds, imported interactions); their nodes get net sign ?.")
@_filters
@format_option(FORMAT_TABLE_JSON_MD)
@pass_state
def neighbors(state: State, entity: str, direction: str, depth: int, blocked: bool, limit: int,
              unsigned: bool, predicates: tuple[str, ...], min_evidence: str | None, species: str | None,
              timeout: float, fmt: str) -> None:
    """Upstream regulators or downstream effects of ENTITY, with the net sign of each reached node."""
    from kg.core.render import to_json
    from kg.paths.explain import render_neighbors
    from kg.paths.reach import neighbors as find

    node = _node(state, entity)
    items = _run(find, _graph(state, timeout), node, direction, depth, perturbation=-1 if blocked else 1,
                 limit=limit, unsigned=unsigned, **_common(predicates, min_evidence, species, timeout))
    found = [r.to_json() for r in items]
    payload = {"entity": node, "direction": direction, "depth": depth, "blocked": blocked,
               "unsigned": unsigned, "neighbors": found, "truncated": items.truncated,
               "reason": items.reason}
    _remote(state, payload)
    stopped = f"(truncated: {items.reason}; raise --limit or --timeout for more)"
    if fmt == "json":
        click.echo(to_json(payload))
        return
    _say_remote(state)
    if not items:
        click.echo(f"no causal {direction}stream neighbours of {entity}"
                   + (f" {stopped}" if items.truncated else ""), err=True)
    else:
        click.echo(render_neighbors(found, fmt))
        if items.truncated:
            click.echo("\n" + stopped)


@click.command(epilog=_EXIT)
@click.argument("entity", required=False)
@click.option("--max-length", default=4, show_default=True, type=click.IntRange(1, 8))
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
@click.option("--sign", type=click.Choice(["+", "-"]), help="Only loops of this sign.")
@_filters
@format_option(FORMAT_TABLE_JSON_MD)
@pass_state
def loops(state: State, entity: str | None, max_length: int, limit: int, sign: str | None,
          predicates: tuple[str, ...], min_evidence: str | None, species: str | None, timeout: float,
          fmt: str) -> None:
    """Feedback loops (directed causal cycles), each positive or negative, through ENTITY or anywhere."""
    from kg.core.render import to_json
    from kg.paths.explain import no_loop_message, render_paths
    from kg.paths.reach import find_loops

    node = _node(state, entity) if entity else None
    res = _run(find_loops, _graph(state, timeout), node, max_length, 100000 if sign else limit,
               **_common(predicates, min_evidence, species, timeout))
    if sign:
        want = 1 if sign == "+" else -1
        res.loops = [p for p in res.loops if p.net_sign == want][:limit]
    payload = _remote(state, res.to_json())
    if fmt == "json":
        click.echo(to_json(payload))
        return
    _say_remote(state)
    if not res.loops:
        click.echo(no_loop_message(entity, res.truncated, res.reason), err=True)
    else:
        click.echo(render_paths(payload, fmt, key="loops"))


def _regimen(state: State, text: str) -> list[str]:
    from kg.paths.regimen import resolve_regimen

    return [str(e.id) for e in _run(resolve_regimen, state.index, text, state.kg)]


def _outcomes(state: State, names: tuple[str, ...]) -> list[str]:
    """The outcomes asked for, or the key outcomes (named through the already-built index)."""
    from kg.paths.regimen import key_outcomes

    if names:
        return [_node(state, n) for n in names]
    return [str(c) for c in key_outcomes(state.kg, index=state.index)]


@click.command(epilog=_EXIT)
@click.argument("regimen")
@click.option("--outcome", "outcomes", multiple=True,
              help="Outcome to assess (repeatable; default: the key immune and vascular outcomes).")
@click.option("--max-length", default=4, show_default=True, type=click.IntRange(1, 8))
@_filters
@format_option(FORMAT_TABLE_JSON_MD)
@pass_state
def effect(state: State, regimen: str, outcomes: tuple[str, ...], max_length: int,
           predicates: tuple[str, ...], min_evidence: str | None, species: str | None, timeout: float,
           fmt: str) -> None:
    """Predicted net effect of a REGIMEN ("atezolizumab + bevacizumab") on key outcomes.

    Drugs are separated by "+", "," or "and"; a drug class may be named too. Conflicts (an outcome
    reached by paths of opposite sign) are shown with both sides.
    """
    from kg.core.render import to_json
    from kg.paths.explain import render_effect, truncation_note
    from kg.paths.regimen import regimen_effect

    drugs = _regimen(state, regimen)
    targets = _outcomes(state, outcomes)
    _know(state, [*drugs, *targets])
    res = _run(regimen_effect, _graph(state, timeout), state.kg, drugs, targets,
               max_length=max_length, **_common(predicates, min_evidence, species, timeout))
    payload = {"regimen": res.regimen_label or " + ".join(state.resolve(d).label for d in drugs),
               **res.to_json()}
    _remote(state, payload)
    if fmt == "json":
        click.echo(to_json(payload))
        return
    _say_remote(state)
    click.echo(("# " if fmt == "md" else "") + f"Predicted effects of {payload['regimen']}\n")
    click.echo(render_effect(payload["outcomes"], fmt))
    if res.truncated:
        click.echo("\n" + truncation_note(res.reasons, timeout))


@click.command(epilog=_EXIT)
@click.argument("regimen")
@click.option("--outcome", "outcomes", multiple=True,
              help="Outcome to assess (repeatable; default: the key immune and vascular outcomes).")
@_filters
@format_option(FORMAT_TABLE_JSON_MD)
@pass_state
def explain(state: State, regimen: str, outcomes: tuple[str, ...], predicates: tuple[str, ...],
            min_evidence: str | None, species: str | None, timeout: float, fmt: str) -> None:
    """One report for a REGIMEN: drugs, classes, targets, mechanism paths to key outcomes, trials and
    their outcomes, biomarkers, adverse events and their management.

    Example: kg explain "atezolizumab + bevacizumab" --format md > report.md
    """
    from kg.core.render import to_json
    from kg.paths.explain import render_explain
    from kg.paths.regimen import explain_regimen

    drugs = _regimen(state, regimen)
    targets = _outcomes(state, outcomes)
    _know(state, [*drugs, *targets])
    report = _run(explain_regimen, state.kg, _graph(state, timeout), drugs, targets,
                  **_common(predicates, min_evidence, species, timeout))
    if fmt == "json":
        click.echo(to_json(_remote(state, report)))
        return
    _say_remote(state)
    click.echo(render_explain(report, fmt))


@click.command(epilog=_EXIT)
@click.option("--timeout", default=5.0, show_default=True, type=click.FloatRange(0.01),
              help="Time budget per search in seconds.")
@format_option(FORMAT_TABLE_JSON_MD)
@pass_state
def specificity(state: State, timeout: float, fmt: str) -> None:
    """For every drug x key outcome: is a path found, and is the top path the drug's own mechanism
    (first step a statement of the drug, not a hop to its class)? Prints both shares."""
    from kg.core.render import to_json
    from kg.paths.specificity import render_specificity
    from kg.paths.specificity import specificity as measure

    rep = measure(state.kg, _graph(state), state.index, timeout=timeout)
    click.echo(to_json(rep.to_json()) if fmt == "json" else render_specificity(rep, fmt))


#: The commands of this family, added to the ``kg`` group by :mod:`kg.cli.main`.
COMMANDS = [path, neighbors, loops, effect, explain, specificity]
