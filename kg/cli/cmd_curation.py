"""Curation commands: ``kg coverage``."""

from __future__ import annotations

import click

from kg.cli.common import State, UserError, format_option, pass_state


@click.command()
@format_option()
@pass_state
def coverage(state: State, fmt: str) -> None:
    """Per review section: statements, entities, outcomes and trials curated, and exclusions.

    Exits 1 when a section of the review has no statement curated from it.
    """
    from kg.core.render import table, to_json
    from kg.curation.coverage import coverage as compute
    from kg.curation.read import default_data_dir

    report = compute(state.kg, state.data_dir or default_data_dir())
    if fmt == "json":
        click.echo(to_json(report))
    else:
        rows = [[sec, info["title"][:60], info["statements"], info["entities"], info["outcomes"],
                 info["trials"], info["excluded"], ";".join(map(str, info["refs"]))]
                for sec, info in report["sections"].items()]
        click.echo(table(["section", "title", "statements", "entities", "outcomes", "trials",
                          "excluded", "refs cited"], rows))
        click.echo(f"\n{report['publications_verified']} of {report['publications']} review "
                   f"references resolved to a verified PMID/DOI; {report['exclusions']} exclusions")
    if report["uncovered"]:
        raise UserError(f"no statements curated from section(s) {', '.join(report['uncovered'])}")


#: The commands of this family, added to the ``kg`` group by :mod:`kg.cli.main`.
COMMANDS = [coverage]
