"""Plain-text tables for people, with colour only when the terminal supports it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from typing import Any

import click


def to_json(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int | None = None) -> str:
    """An aligned text table; long cells are cut to fit the terminal."""
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], _visible(c))
    total = max_width or shutil.get_terminal_size((160, 24)).columns
    # Shrink the widest columns until the table fits.
    while sum(widths) + 2 * (len(widths) - 1) > total and max(widths) > 12:
        i = widths.index(max(widths))
        widths[i] -= 1
    def fmt(row: Sequence[str]) -> str:
        out = []
        for i, c in enumerate(row):
            w = widths[i]
            n = _visible(c)
            if n > w:
                c, n = click.unstyle(c)[: w - 1] + "…", w
            out.append(c + " " * (w - n))
        return "  ".join(out).rstrip()
    lines = [click.style(fmt(list(headers)), bold=True), fmt(["-" * w for w in widths])]
    lines += [fmt(r) for r in cells]
    return "\n".join(lines)


def _visible(text: str) -> int:
    return len(click.unstyle(text))


def sign_symbol(sign: int) -> str:
    return {1: "+", -1: "-", 0: "·"}[sign]


def coloured_sign(sign: int) -> str:
    colour = {1: "green", -1: "red", 0: None}[sign]
    return click.style(sign_symbol(sign), fg=colour, bold=True)


def heading(text: str) -> str:
    return click.style(text, bold=True, underline=True)
