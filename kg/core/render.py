r"""Plain-text tables for people, with colour only when the terminal supports it (and NO_COLOR unset).

Text from data (imported labels, query results) can carry terminal escape sequences (clear the screen,
set the window title) and bidirectional overrides (show text reversed). :func:`printable` makes such
text visible as escapes; :class:`TerminalGuard` applies the same to everything written to a terminal,
keeping only the colour sequences (SGR) that kg's own styling emits.

>>> printable("VEGF\x1b]0;title\x07-A \u202eevil")
'VEGF\\x1b]0;title\\x07-A \\u202eevil'
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Sequence
from typing import Any, TextIO

import click

#: C0 controls except tab and newline, DEL, C1 controls, and the bidi marks, embeddings, overrides and
#: isolates (U+200E/F, U+061C, U+202A-E, U+2066-9) that reorder what a screen shows.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
#: One colour/style sequence as click.style writes it (the only escape kept on a terminal).
_SGR = re.compile("\x1b\\[[0-9;]*m")


def _escape(ch: str) -> str:
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def printable(text: str) -> str:
    """``text`` with every control and bidi-override character written as a visible escape."""
    return UNSAFE.sub(lambda m: _escape(m.group()), text)


def unsafe_characters(text: str) -> list[str]:
    """The control and bidi characters in ``text``, as U+XXXX (for validation reports)."""
    return [f"U+{ord(m.group()):04X}" for m in UNSAFE.finditer(text)]


def terminal_safe(text: str) -> str:
    """``text`` for a terminal: kg's own colour sequences kept, every other control escaped."""
    out: list[str] = []
    pos = 0
    for m in _SGR.finditer(text):
        out.append(printable(text[pos:m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(printable(text[pos:]))
    return "".join(out)


class TerminalGuard(io.TextIOBase):
    """A text stream over a terminal that passes everything through :func:`terminal_safe`."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, s: str) -> int:
        self._stream.write(terminal_safe(s))
        return len(s)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self._stream.errors


def to_json(payload: Any) -> str:
    """JSON with non-ASCII kept, except controls and bidi characters, which are written as \\u escapes."""
    text = json.dumps(payload, indent=2, ensure_ascii=False, default=str)
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int | None = None) -> str:
    """An aligned text table; long cells are cut to fit the terminal."""
    cells = [[("" if c is None else printable(str(c))) for c in row] for row in rows]
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
