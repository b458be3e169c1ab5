"""The ``kg`` group: global options, and every command family of the ``cmd_*`` modules added to it.

The command modules define plain click commands and never import this module, so the group is the only
place that knows them all.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli import cmd_core, cmd_curation, cmd_paths, cmd_sparql, cmd_store, cmd_views, cmd_web
from kg.cli.common import Group, State, UserError


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False),
              envvar="IVKG_DATA", help="Curated data folder (default: the repository's data/).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False),
              envvar="IVKG_STORE", help="Persistent store built by `kg import` (also accepted after "
              "the command).")
@click.option("--endpoint", metavar="URL", envvar="IVKG_ENDPOINT",
              help="SPARQL endpoint holding a graph in kg's RDF shape: path, neighbors, loops, show, search, "
              "effect and explain run there (also accepted after the command).")
@click.option("--max-round-trips", type=click.IntRange(1), metavar="N",
              help="With --endpoint: at most N queries per command (default 200); a cut says so.")
@click.option("--max-rows", type=click.IntRange(1), metavar="N",
              help="With --endpoint: at most N result rows per command (default 200000).")
@click.version_option(package_name="ivkg")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, store_dir: Path | None, endpoint: str | None,
         max_round_trips: int | None, max_rows: int | None) -> None:
    """ivkg: the immune-vascular knowledge graph of ICI + anti-angiogenic therapy in melanoma.

    Exit codes: 0 success, 1 a user or data error (one line on stderr), 2 a usage error.
    """
    if data_dir is not None and not data_dir.is_dir():
        raise UserError(f"data folder not found: {data_dir}")
    if endpoint is not None and store_dir is not None:
        raise click.UsageError("--endpoint and --store name two graphs: give one")
    ctx.obj = State(data_dir, store_dir, endpoint, max_round_trips, max_rows)


for _module in (cmd_core, cmd_curation, cmd_paths, cmd_sparql, cmd_store, cmd_views, cmd_web):
    for _command in _module.COMMANDS:
        main.add_command(_command)
