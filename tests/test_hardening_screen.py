"""Issue 14: text from data reaches terminals and pages as text (escapes and bidi overrides shown)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

MINI = Path(__file__).parent / "fixtures" / "mini"
KG = str(Path(sys.executable).parent / "kg")
HOSTILE = "\x1b]0;pwned\x07\x1b[2JVEGF\u202eA"
QUERY = 'SELECT ?x WHERE { BIND("\\u001b]0;pwned\\u0007\\u001b[2JVEGF\\u202eA" AS ?x) }'


def on_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    """Run kg with its stdout on a pseudo-terminal; what the terminal received."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([KG, "--data", str(MINI), *args], stdout=slave, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(30)
    os.close(master)
    return b"".join(chunks).decode("utf-8")


def test_query_results_on_a_terminal_show_escapes_as_text():
    out = on_terminal("sparql", QUERY)
    assert "\x07" not in out and "\u202e" not in out and "\x1b]" not in out and "\x1b[2J" not in out
    assert "\\x1b]0;pwned\\x07\\x1b[2JVEGF\\u202eA" in out
    assert "\x1b[1m" in out  # kg's own bold header is kept


def test_no_color_turns_styling_off():
    out = on_terminal("sparql", QUERY, env={"NO_COLOR": "1"})
    assert "\x1b" not in out and "\\x1b]0;pwned" in out


def test_json_and_tables_escape_controls(cli):
    from kg.core.render import table, to_json

    assert to_json({"l": HOSTILE}) == '{\n  "l": "\\u001b]0;pwned\\u0007\\u001b[2JVEGF\\u202eA"\n}'
    assert "\u202e" not in table(["l"], [[HOSTILE]]) and "\x07" not in table(["l"], [[HOSTILE]])


def test_viz_page_shows_bidi_overrides_as_text(tmp_path):
    import dataclasses

    from kg.curation.read import load
    from kg.graphs.nx import to_networkx
    from kg.views.select import select
    from kg.views.viz import render_html

    kg = load(MINI)
    ent = next(e for e in kg.entities.values() if e.label == "VEGF-A")
    kg.entities[ent.id] = dataclasses.replace(ent, label=HOSTILE)
    page = render_html(select(to_networkx(kg), kg=kg))
    assert "\u202e" not in page and "\x1b" not in page and "\x07" not in page
    assert "VEGF\\\\u202eA" in page  # the escape, as text, in the page's JSON
