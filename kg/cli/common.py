"""What every command shares: the global options, loading the graph once, naming entities, errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from kg.lookup import NameIndex
    from kg.model import KG, Entity

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A mistake in the user's input or data: one line on stderr, exit 1, no traceback."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"kg: error: {self.format_message()}", err=True)


class Group(click.Group):
    """A click group that turns library errors about user input into :class:`UserError`."""

    def invoke(self, ctx: click.Context) -> Any:
        from kg.curation import DataError
        from kg.lookup import EntityLookupError
        from kg.model import CurieError

        try:
            return super().invoke(ctx)
        except DataError as exc:
            for problem in exc.problems[:5]:
                click.echo(str(problem), err=True)
            raise UserError(f"the curated data has {len(exc.problems)} error(s); "
                            "run `kg validate` for the full list") from None
        except (EntityLookupError, CurieError) as exc:
            raise UserError(str(exc)) from None
        except FileNotFoundError as exc:
            raise UserError(f"{exc.strerror or 'not found'}: {exc.filename or exc}") from None
        except PermissionError as exc:
            raise UserError(f"permission denied: {exc.filename or exc}") from None
        except IsADirectoryError as exc:
            raise UserError(f"is a directory: {exc.filename or exc}") from None
        except BrokenPipeError:
            sys.stderr.close()
            return None


class State:
    """Per-invocation state: the data folder and the graph, loaded at most once."""

    def __init__(self, data_dir: Path | None):
        self.data_dir = data_dir
        self._kg: KG | None = None
        self._index: NameIndex | None = None

    @property
    def kg(self) -> KG:
        if self._kg is None:
            from kg.curation import load

            self._kg = load(self.data_dir)
        return self._kg

    @property
    def index(self) -> NameIndex:
        if self._index is None:
            from kg.lookup import NameIndex

            self._index = NameIndex.build(self.kg.entities.values())
        return self._index

    def resolve(self, name: str) -> Entity:
        return self.index.resolve(name)


pass_state = click.make_pass_decorator(State)

FORMAT_TABLE_JSON = click.Choice(["table", "json"])
FORMAT_TABLE_JSON_MD = click.Choice(["table", "json", "md"])


def format_option(choices: click.Choice = FORMAT_TABLE_JSON, default: str = "table") -> Callable[[F], F]:
    def deco(fn: F) -> F:
        return click.option("--format", "fmt", type=choices, default=default, show_default=True,
                            help="Output format: table for people, json for scripts.")(fn)
    return deco
