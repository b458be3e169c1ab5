"""What an import reports and the limits it works within, shared by the readers (:mod:`kg.store.formats`)
and the importer (:mod:`kg.store.importer`), so neither has to import the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Longest line accepted; a longer one is malformed (and is skipped without being held in memory).
MAX_LINE = 1 << 20

#: How a reader reports a malformed input: ``report(line, message, reason)``, where ``reason`` is the
#: short category the import summary counts.
Report = Callable[[int, str, str], None]

#: Reasons readers give for well-formed records we cannot map: skipped and reported, but not counted as
#: malformed (an import may skip any number of them; see kg.store.importer.check_policy).
UNMAPPABLE_COMPLEX = "protein complex (no single identifier)"
UNMAPPABLE_AGENT = "agent without an identifier"
UNMAPPABLE_REASONS = frozenset({UNMAPPABLE_COMPLEX, UNMAPPABLE_AGENT})


@dataclass(frozen=True)
class ImportProblem:
    file: str
    line: int
    message: str
    #: A well-formed row we cannot map (unknown prefix, complex, agent without an id), not a malformed one.
    unmappable: bool = False

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class ImportFailed(Exception):
    """The import was refused; the existing store is unchanged."""

    def __init__(self, problem: ImportProblem | str):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    mapped: Counter[str] = field(default_factory=Counter)
    problems: list[ImportProblem] = field(default_factory=list)
    n_problems: int = 0
    #: Of ``n_problems``, the well-formed rows that name an unknown prefix: skipped and reported, but not
    #: malformed, so they do not count toward the share of malformed rows an import may skip.
    n_unmappable: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    store: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"counts": dict(sorted(self.counts.items())), "skipped": dict(sorted(self.skipped.items())),
                "mapped": dict(sorted(self.mapped.items())), "problems": [str(p) for p in self.problems],
                "n_problems": self.n_problems, "n_unmappable": self.n_unmappable, "seconds": self.seconds,
                "store": self.store}
