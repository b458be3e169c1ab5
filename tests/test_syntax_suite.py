"""Issue 14: a syntax suite of our own through `kg import`, covering the categories of the W3C N-Triples and
Turtle syntax tests (bad IRIs, escapes, literals, language tags, prefixes, relative IRIs, numbers,
keywords). Every negative case is refused with the store unchanged; every positive one is accepted.

The cases are written here (not copied from the W3C suites); each is one small file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import main

FIXTURE = Path(__file__).parent / "fixtures" / "store"
S, P, O = "<http://example.org/s>", "<http://example.org/p>", "<http://example.org/o>"
EX = "@prefix ex: <http://example.org/> .\n"

NT_NEGATIVE = {
    "iri-with-space": "<http://example.org/a b> <http://example.org/p> <http://example.org/o> .\n",
    "iri-relative": f"<s> {P} {O} .\n",
    "iri-with-braces": f"<http://example.org/{{x}}> {P} {O} .\n",
    "iri-with-quote": f'<http://example.org/a"b> {P} {O} .\n',
    "iri-bad-uchar": f"<http://example.org/\\u00ZZ> {P} {O} .\n",
    "string-bad-escape": f'{S} {P} "a\\zb" .\n',
    "string-bad-uchar": f'{S} {P} "\\u12" .\n',
    "string-unterminated": f'{S} {P} "open .\n',
    "string-raw-newline": f'{S} {P} "one\ntwo" .\n',
    "string-single-quotes": f"{S} {P} 'single' .\n",
    "langtag-starts-with-digit": f'{S} {P} "chat"@1fr .\n',
    "langtag-empty": f'{S} {P} "chat"@ .\n',
    "datatype-not-an-iri": f'{S} {P} "1"^^"integer" .\n',
    "prefix-directive": "@prefix ex: <http://example.org/> .\n",
    "prefixed-name": "ex:s ex:p ex:o .\n",
    "number-bare-integer": f"{S} {P} 1 .\n",
    "number-bare-decimal": f"{S} {P} 1.5 .\n",
    "keyword-true": f"{S} {P} true .\n",
    "keyword-a": f"{S} a {O} .\n",
    "literal-subject": f'"s" {P} {O} .\n',
    "bnode-predicate": f"{S} _:p {O} .\n",
    "missing-dot": f"{S} {P} {O}\n",
    "two-triples-one-line": f"{S} {P} {O} . {S} {P} {O}\n",
    "graph-term-in-ntriples": f"{S} {P} {O} {S} .\n",
}

NT_POSITIVE = {
    "iris": f"{S} {P} {O} .\n",
    "escapes": f'{S} {P} "tab\\there \\"quoted\\" back\\\\slash \\u00e9 \\U0001F600 \\n" .\n',
    "langtags": f'{S} {P} "chat"@fr .\n{S} {P} "colour"@en-GB .\n',
    "datatypes": f'{S} {P} "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    "blank-nodes": f"_:b1 {P} _:b2 .\n{S} {P} _:b1 .\n",
    "comments-and-blank-lines": f"# a comment\n\n{S} {P} {O} . # trailing comment\n",
    "iri-escapes": f"<http://example.org/%41\\u00e9> {P} <http://example.org/caf\u00e9> .\n",
    "no-final-newline": f"{S} {P} {O} .",
}

TTL_NEGATIVE = {
    "iri-with-space": EX + "<http://example.org/a b> ex:p ex:o .\n",
    "iri-with-angle": EX + "<http://example.org/a<b> ex:p ex:o .\n",
    "prefix-undeclared": "ex:s ex:p ex:o .\n",
    "prefix-missing-dot": "@prefix ex: <http://example.org/>\nex:s ex:p ex:o .\n",
    "prefix-iri-not-bracketed": "@prefix ex: http://example.org/ .\nex:s ex:p ex:o .\n",
    "string-bad-escape": EX + 'ex:s ex:p "a\\zb" .\n',
    "string-long-unterminated": EX + 'ex:s ex:p """open .\n',
    "langtag-leading-hyphen": EX + 'ex:s ex:p "x"@-en .\n',
    "number-two-points": EX + "ex:s ex:p 1.2.3 .\n",
    "number-bad-exponent": EX + "ex:s ex:p 1e .\n",
    "keyword-uppercase-true": EX + "ex:s ex:p TRUE .\n",
    "keyword-a-as-object": EX + "ex:s ex:p a .\n",
    "base-without-iri": "@base .\n<s> <p> <o> .\n",
    "collection-as-predicate": EX + "ex:s (1) ex:o .\n",
    "literal-subject": EX + '"s" ex:p ex:o .\n',
    "missing-object": EX + "ex:s ex:p .\n",
    "unclosed-blank-node": EX + "ex:s ex:p [ ex:q ex:o .\n",
}

TTL_POSITIVE = {
    "prefixes-and-a": EX + "ex:s a ex:Thing ; ex:p ex:o , ex:o2 .\n",
    "sparql-style-keywords": "PREFIX ex: <http://example.org/>\nBASE <http://example.org/>\nex:s ex:p <o> .\n",
    "relative-iris-with-base": "@base <http://example.org/dir/> .\n<s> <p> <../o> .\n",
    "relative-iris-without-base": "<s> <p> <o> .\n<#frag> <p> <?q=1> .\n",
    "numbers-and-booleans": EX + "ex:s ex:p 1, -1.5, .5, 1e3, +2 , true, false .\n",
    "long-and-single-quoted-strings": EX + "ex:s ex:p \"\"\"two\nlines\"\"\", 'single', '''long single''' .\n",
    "langtags": EX + 'ex:s ex:p "x"@en-US, "y"@zh-Hant-TW .\n',
    "collections-and-blank-nodes": EX + "ex:s ex:p ( 1 2 ) , [ ex:q ex:o ] .\n[] ex:p ex:o .\n",
    "local-name-escapes": EX + "ex:s ex:p ex:a\\-b, ex:c.d, ex:123 .\n",
    "iri-unicode-escape": EX + "<http://example.org/\\u00e9> ex:p ex:o .\n",
    "datatypes": EX + 'ex:s ex:p "2026-12-01"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
}


def kg_run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["--data", str(FIXTURE), *args], catch_exceptions=False)
    return res.exit_code, res.stderr


def state(store: Path) -> tuple[str, list[str]]:
    return str((store / "CURRENT").readlink()), sorted(p.name for p in store.iterdir())


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("suite")
    good = tmp / "good.nt"
    good.write_text(NT_POSITIVE["iris"], "utf-8")
    assert kg_run("import", str(good), "--without-curated", "--store", str(tmp / "store"))[0] == 0
    return tmp / "store"


CASES = ([("nt", name, text, False) for name, text in NT_NEGATIVE.items()]
         + [("nt", name, text, True) for name, text in NT_POSITIVE.items()]
         + [("ttl", name, text, False) for name, text in TTL_NEGATIVE.items()]
         + [("ttl", name, text, True) for name, text in TTL_POSITIVE.items()])


@pytest.mark.parametrize(("fmt", "name", "text", "positive"), CASES,
                         ids=[f"{f}-{'pos' if p else 'neg'}-{n}" for f, n, _, p in CASES])
def test_syntax_case(store: Path, tmp_path: Path, fmt: str, name: str, text: str, positive: bool):
    path = tmp_path / f"{name}.{fmt}"
    path.write_text(text, "utf-8")
    before = state(store)
    code, err = kg_run("import", str(path), "--without-curated", "--store", str(store))
    if positive:
        assert code == 0, err
        return
    assert code == 1, f"accepted a negative case: {name}"
    assert err.startswith(f"kg: error: {path.name}") and err.endswith(
        "; import refused, the existing store is unchanged\n") and err.count("\n") == 1, err
    assert state(store) == before


def test_the_suite_covers_every_category():
    names = " ".join(list(NT_NEGATIVE) + list(TTL_NEGATIVE))
    for category in ("iri", "escape", "string", "langtag", "prefix", "relative", "number", "keyword"):
        assert category in names, category
    assert len(NT_NEGATIVE) + len(TTL_NEGATIVE) >= 40 and len(NT_POSITIVE) + len(TTL_POSITIVE) >= 19
