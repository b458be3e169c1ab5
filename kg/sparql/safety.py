"""Reading a SPARQL request before any engine sees it: what it is, what it may touch, and safe binding.

A small tokenizer that knows SPARQL's strings, IRIs and comments (so a keyword inside a string or an IRI
never counts) tells queries from updates, finds ``SERVICE`` and ``FROM`` clauses and locates the query's
WHERE group. Parameters are bound as RDF terms in a ``VALUES`` block inserted at the start of that group:
every value is serialised by :func:`term_sparql` (escaped literal or validated IRI), never pasted in
as raw text, so a value cannot change the shape of the query.

>>> info = analyse('SELECT ?x WHERE { ?x rdfs:label "DROP ALL" }')
>>> info.form, info.is_update, info.service
('SELECT', False, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple


class SparqlError(ValueError):
    """A request the user must fix: bad syntax, a refused operation, a bad parameter, a failing endpoint."""


class QueryTooLarge(SparqlError):
    """A request longer than :data:`MAX_QUERY_CHARS` (refused before any parser reads it)."""


class QueryTooDeep(SparqlError):
    """A request nesting ``{ ( [`` deeper than :data:`MAX_DEPTH` (Oxigraph's recursive parser would
    overflow its stack and kill the process at a few thousand levels)."""


#: The longest request accepted, in characters: the longest library query is under 3,000.
MAX_QUERY_CHARS = 100_000
#: The deepest nesting of groups, parentheses and brackets accepted (real queries stay under 20).
MAX_DEPTH = 64


class RDFTerm(NamedTuple):
    """An RDF term as a plain, comparable tuple.

    ``kind`` is ``iri``, ``bnode`` or ``lit``; ``datatype`` is None for plain strings; ``lang`` is the
    language tag of a language-tagged string (datatype None then).
    """

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None


XSD = "http://www.w3.org/2001/XMLSchema#"
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
                             "COPY", "WITH"})
QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7-\uFFFF]*(?::[^\s{}()<>,;"'\#]*)?
             |:[^\s{}()<>,;"'\#]*)
  | (?P<punct>[{}()\[\],;.])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):
    kind: str
    text: str
    start: int


def check_limits(text: str, *, max_chars: int = MAX_QUERY_CHARS, max_depth: int = MAX_DEPTH) -> None:
    """Refuse a request that is too long or nests too deeply, before any engine parses it.

    >>> check_limits("SELECT * WHERE " + "{" * 100 + "}" * 100)
    Traceback (most recent call last):
    ...
    kg.sparql.safety.QueryTooDeep: refused: the query nests 100 levels of { ( [ at line 1, column 80; the limit is 64
    """
    if len(text) > max_chars:
        raise QueryTooLarge(f"refused: the query is {len(text):,} characters long; the limit is {max_chars:,}")
    depth = deepest = 0
    first: int | None = None
    for tok in tokenize(text):
        if tok.kind == "punct" and tok.text in "{([":
            depth += 1
            deepest = max(deepest, depth)
            if depth > max_depth and first is None:
                first = tok.start
        elif tok.kind == "punct" and tok.text in "})]":
            depth -= 1
    if first is not None:
        raise QueryTooDeep(f"refused: the query nests {deepest} levels of {{ ( [ at {position(text, first)};"
                           f" the limit is {max_depth}")


def tokenize(text: str) -> list[Token]:
    """Significant tokens (no whitespace or comments); an unterminated string stops with an error."""
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # pragma: no cover - the pattern has a catch-all branch
            break
        kind = m.lastgroup or "other"
        if kind == "other" and m.group() in "\"'":
            raise SparqlError(f"unterminated string starting at {position(text, pos)}")
        if kind not in ("ws", "comment"):
            out.append(Token(kind, m.group(), pos))
        pos = m.end()
    return out


def position(text: str, offset: int) -> str:
    """``line L, column C`` (both 1-based) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {col}"


@dataclass
class QueryInfo:
    form: str
    declared_prefixes: set[str] = field(default_factory=set)
    service: bool = False
    service_iris: list[str] = field(default_factory=list)
    from_iris: list[str] = field(default_factory=list)
    #: Offset just after the ``{`` that opens the query pattern (where VALUES can be inserted).
    where_at: int | None = None

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_KEYWORDS


def analyse(text: str) -> QueryInfo:
    """Classify a request (query form or first update operation) and list what it reaches out to.

    Refuses first what is too long or too deep for any engine to parse safely (:func:`check_limits`)."""
    check_limits(text)
    toks = tokenize(text)
    i = 0
    declared: set[str] = set()
    # Prologue: BASE <iri> and PREFIX p: <iri>, in any order.
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("BASE", "PREFIX"):
        if toks[i].text.upper() == "PREFIX" and i + 1 < len(toks):
            declared.add(toks[i + 1].text.rstrip(":").split(":")[0])
            i += 3
        else:
            i += 2
    if i >= len(toks) or toks[i].kind != "word":
        raise SparqlError("empty request: expected SELECT, CONSTRUCT, ASK or DESCRIBE")
    form = toks[i].text.upper()
    if form not in QUERY_FORMS and form not in UPDATE_KEYWORDS:
        raise SparqlError(f"expected SELECT, CONSTRUCT, ASK or DESCRIBE at {position(text, toks[i].start)},"
                          f" found {toks[i].text!r}")
    info = QueryInfo(form, declared)
    depth = 0
    top_braces: list[int] = []
    for j in range(i, len(toks)):
        tok = toks[j]
        if tok.kind == "punct" and tok.text == "{":
            if depth == 0:
                top_braces.append(tok.start + 1)
            depth += 1
        elif tok.kind == "punct" and tok.text == "}":
            depth -= 1
        elif tok.kind == "word":
            word = tok.text.upper()
            nxt = toks[j + 1] if j + 1 < len(toks) else None
            if word == "SERVICE":
                info.service = True
                if nxt is not None and nxt.kind == "word" and nxt.text.upper() == "SILENT":
                    nxt = toks[j + 2] if j + 2 < len(toks) else None
                if nxt is not None:
                    info.service_iris.append(nxt.text)
            elif word == "FROM" and nxt is not None:
                if nxt.kind == "word" and nxt.text.upper() == "NAMED":
                    nxt = toks[j + 2] if j + 2 < len(toks) else None
                if nxt is not None:
                    info.from_iris.append(nxt.text)
    if form == "CONSTRUCT":
        short = i + 1 < len(toks) and toks[i + 1].text.upper() == "WHERE"
        info.where_at = None if short or len(top_braces) < 2 else top_braces[1]
    elif form in QUERY_FORMS:
        info.where_at = top_braces[0] if top_braces else None
    return info


def check_safe(info: QueryInfo, *, allow_update: bool = False, allow_remote: bool = False) -> None:
    """Refuse updates, federation and remote datasets unless explicitly allowed."""
    if info.is_update and not allow_update:
        raise SparqlError(f"refused: {info.form} is a SPARQL update and queries are read-only "
                          "(use --allow-update to change the in-memory copy; curated files never change)")
    if info.service and not allow_remote:
        raise SparqlError("refused: SERVICE (federated query to " + ", ".join(info.service_iris)
                          + ") needs --allow-remote")
    if info.from_iris and not allow_remote:
        raise SparqlError("refused: FROM/FROM NAMED (" + ", ".join(info.from_iris)
                          + ") would load a remote dataset; use --allow-remote")


#: The longest number a parameter may bind (longer ones overflow engines' arithmetic).
MAX_NUMBER_CHARS = 100
_NUMBERS = frozenset(XSD + t for t in ("integer", "decimal", "double", "float"))
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BAD_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def first_line(exc: BaseException) -> str:
    """An engine's message on one line (a SERVICE's error page can run to hundreds of lines)."""
    lines = [x.strip() for x in str(exc).splitlines() if x.strip()]
    return (lines[0] if lines else type(exc).__name__)[:300]


def term_sparql(term: RDFTerm) -> str:
    """A term written in SPARQL syntax, escaped so that it is one token whatever its content."""
    if term.kind == "iri":
        if _BAD_IRI.search(term.value):
            raise SparqlError(f"not a valid IRI: {term.value!r}")
        return f"<{term.value}>"
    if term.kind != "lit":
        raise SparqlError("blank nodes cannot be bound as parameters")
    if term.datatype in _NUMBERS and len(term.value) > MAX_NUMBER_CHARS:
        raise SparqlError(f"the number {term.value[:12]}... has {len(term.value):,} characters; a parameter "
                          f"number may have at most {MAX_NUMBER_CHARS}")
    parts = []
    for k, ch in enumerate(term.value):
        if ch in _ECHAR:
            parts.append(_ECHAR[ch])
        elif ord(ch) < 0x20 or (ch in "uU" and k > 0 and term.value[k - 1] == "\\"):
            # Some parsers decode \uXXXX before tokenizing; a "u" after a backslash is written as an
            # escape itself so that "\\u0022" stays those six characters instead of becoming a quote.
            parts.append(f"\\U{ord(ch):08X}")
        else:
            parts.append(ch)
    body = "".join(parts)
    out = f'"{body}"'
    if term.lang:
        return out + "@" + re.sub(r"[^A-Za-z0-9-]", "", term.lang)
    if term.datatype:
        return out + "^^" + term_sparql(RDFTerm("iri", term.datatype))
    return out


def bind(text: str, params: dict[str, RDFTerm], info: QueryInfo | None = None) -> str:
    """``text`` with a ``VALUES`` block binding each parameter, inserted at the start of the WHERE group."""
    if not params:
        return text
    info = info or analyse(text)
    if info.where_at is None:
        raise SparqlError("parameters need a query with a WHERE { ... } group")
    names = sorted(params)
    for name in names:
        if not _VAR.match(name):
            raise SparqlError(f"bad parameter name {name!r}: use letters, digits and _")
    block = (" VALUES (" + " ".join("?" + n for n in names) + ") { ("
             + " ".join(term_sparql(params[n]) for n in names) + ") } ")
    return text[: info.where_at] + block + text[info.where_at:]
