"""`kg validate` on good data and on copies with one planted mistake each: every problem is reported as
file:line: column: message naming the value, with exit 1 and no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.curation.fmt import format_data
from kg.curation.read import DataError, load, read

MINI = Path(__file__).parent / "fixtures" / "mini"
ST_HEADER = ("subject\tpredicate\tobject\tspecies\tmodel_system\tsetting\tevidence\tsection\trefs\t"
             "sources\tstatement\tnote\n")


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(MINI, dst)
    return dst


def _add(path: Path, line: str) -> int:
    """Append a row; return its line number."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def test_fixture_is_valid_and_canonical(mini, cli):
    result = cli("validate", data=mini)
    assert result.exit_code == 0, result.output
    assert "ok: 6 entities, 6 statements, 1 trials, 2 outcomes, 4 publications" in result.output
    assert format_data(mini, check_only=True) == ([], [])


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("HGNC:12680\tincreases_expression\tHGNC:99999\t\t\t\treview_assertion\t2.1\t16\t\tx.\t",
         "object: dangling reference: no entity HGNC:99999"),
        ("HGNC:12680\tincreases_expression\tFOO:1\t\t\t\treview_assertion\t2.1\t16\t\tx.\t",
         "object: unknown prefix 'FOO' in 'FOO:1'"),
        ("HGNC:12680\tup_regulates\tHGNC:17635\t\t\t\treview_assertion\t2.1\t16\t\tx.\t",
         "predicate: unknown predicate 'up_regulates'"),
        ("HGNC:12680\tincreases_expression\tHGNC:17635\t\t\tmelanoma\treview_assertion\t2.1\t17\t\tdup.\t",
         "subject: duplicate statement HGNC:12680 increases_expression HGNC:17635 in the same context"),
        ("HGNC:12680\tincreases_expression\tHGNC:17635\tdog\t\t\treview_assertion\t2.1\t16\t\tx.\t",
         "species: unknown species 'dog'"),
        ("HGNC:12680\tincreases_expression\tHGNC:17635\t\tin vitro\t\tanecdote\t2.1\t16\t\tx.\t",
         "evidence: unknown evidence level 'anecdote'"),
        ("HGNC:12680\tincreases_expression\tHGNC:17635\t\tin vitro\t\tin_vitro\t2.1\t\t\tx.\t",
         "refs: missing provenance"),
        ("HGNC:12680\tincreases_expression\tHGNC:17635\t\tin vitro\t\tin_vitro\t9.9\t16\t\tx.\t",
         "section: unknown review section '9.9'"),
        ("HGNC:12680\tincreases_expression\tHGNC:17635\t\tin vitro\t\tin_vitro\t2.1\t99\t\tx.\t",
         "refs: review reference 99 has no row in publications/"),
        ("HGNC:12680\tincreases_expression\tMONDO:0005105\t\tin vitro\t\tin_vitro\t2.1\t16\t\tx.\t",
         "predicate: VEGF-A (gene) increases_expression melanoma (disease) is not allowed"),
        ("HGNC:12680\tdecreases_secretion\tHGNC:17635\t\tin vitro\t\tin_vitro\t2.1\t16\t\tx.\t",
         "note: HGNC:12680 decreases_secretion HGNC:17635 contradicts a statement of opposite sign"),
        ("HGNC:12680\tincreases_expression\tHGNC:17635", "expected 12 tab-separated fields, found 3"),
    ],
)
def test_planted_statement_problem_is_reported_with_file_and_line(mini, cli, row, expected):
    line = _add(mini / "statements" / "core.tsv", row)
    problems = [str(p) for p in read(mini).errors]
    assert any(p.startswith(f"data/statements/core.tsv:{line}:") and expected in p for p in problems), problems
    result = cli("validate", data=mini)
    assert result.exit_code == 1
    assert f"data/statements/core.tsv:{line}:" in result.output
    assert "Traceback" not in result.output


def test_all_four_issue_examples_in_one_copy(mini, cli):
    st = mini / "statements" / "core.tsv"
    lines = [
        _add(st, "HGNC:12680\tincreases_expression\tHGNC:99999\t\t\t\treview_assertion\t2.1\t16\t\tx.\t"),
        _add(st, "HGNC:12680\tincreases_expression\tFOO:1\t\t\t\treview_assertion\t2.1\t16\t\tx.\t"),
        _add(st, "HGNC:12680\tup_regulates\tHGNC:17635\t\t\t\treview_assertion\t2.1\t16\t\tx.\t"),
        _add(st, "HGNC:12680\tincreases_expression\tHGNC:17635\t\t\tmelanoma\treview_assertion\t2.1\t17\t\td.\t"),
    ]
    result = cli("validate", data=mini)
    assert result.exit_code == 1
    for line in lines:
        assert f"data/statements/core.tsv:{line}:" in result.output
    assert "4 problem(s)" in result.output


def test_entity_problems(mini):
    ent = mini / "entities" / "core.tsv"
    a = _add(ent, "HGNC:12680\tVEGF-A again\tgene\t\t\t\toffline: x\t\t")
    b = _add(ent, "HGNC:ABC\tbroken\tgene\t\t\t\toffline: x\t\t")
    c = _add(ent, "HGNC:1\tthing\twidget\t\t\t\toffline: x\t\t")
    d = _add(ent, "HGNC:2\tthing2\tgene\t\t\t\ttrust me\t\t")
    problems = [str(p) for p in read(mini).errors]
    first = "data/entities/core.tsv:3"
    assert f"data/entities/core.tsv:{a}: id: duplicate id HGNC:12680 (first defined at {first})" in problems
    assert any(p.startswith(f"data/entities/core.tsv:{b}: id: HGNC:ABC does not match") for p in problems)
    assert any(p.startswith(f"data/entities/core.tsv:{c}: category: unknown category 'widget'") for p in problems)
    assert any(p.startswith(f"data/entities/core.tsv:{d}: verification: verification must start") for p in problems)


def test_file_level_problems(mini):
    (mini / "entities" / "extra.tsv").write_text("id\tlabel\tcolour\n", encoding="utf-8")
    (mini / "statements" / "bad.tsv").write_bytes(ST_HEADER.encode() + b"HGNC:1\t\xff\n")
    problems = [str(p) for p in read(mini).errors]
    assert "data/entities/extra.tsv:1: colour: unknown column 'colour' (expected: id, label, category, " \
           "synonyms, xrefs, description, verification, section, refs)" in problems
    assert "data/statements/bad.tsv:2: not valid UTF-8 (byte 0xff)" in problems


def test_outcome_problems(mini):
    oc = mini / "outcomes" / "core.tsv"
    a = _add(oc, "NCT:NCT02681549\t\tORR\tmany\t\t\tpercent\t4.1\t30\t")
    b = _add(oc, "NCT:NCT02681549\t\tORR\t12\t\t\tmonth\t4.1\t30\t")
    problems = [str(p) for p in read(mini).errors]
    assert f"data/outcomes/core.tsv:{a}: value: not a decimal number: 'many'" in problems
    assert any(p.startswith(f"data/outcomes/core.tsv:{b}: unit: unit 'month' does not fit measure ORR")
               for p in problems)


def test_load_raises_data_error_listing_problems(mini):
    _add(mini / "statements" / "core.tsv",
         "HGNC:12680\tincreases_expression\tHGNC:99999\t\t\t\treview_assertion\t2.1\t16\t\tx.\t")
    with pytest.raises(DataError) as err:
        load(mini)
    assert len(err.value.problems) == 1


def test_names_are_accepted_and_fmt_rewrites_them_as_curies(mini, cli):
    st = mini / "statements" / "core.tsv"
    _add(st, "PD-L1\tincreases_expression\tvegfa\t\tin vitro\t\tin_vitro\t2.1\t16\t\tNamed by label.\tx")
    result = read(mini)
    assert not result.errors
    assert any("'PD-L1' is a name, not a CURIE" in str(p) for p in result.problems)
    assert cli("fmt", "--check", data=mini).exit_code == 1
    assert cli("fmt", data=mini).exit_code == 0
    text = st.read_text(encoding="utf-8")
    assert "HGNC:17635\tincreases_expression\tHGNC:12680\t\tin vitro" in text
    assert cli("fmt", "--check", data=mini).exit_code == 0
    rows = text.splitlines()[1:]
    assert rows == sorted(rows, key=lambda r: r.split("\t")[:3])


def test_fmt_never_rewrites_a_file_with_syntax_errors(mini, cli):
    st = mini / "statements" / "core.tsv"
    _add(st, "only\tthree\tfields")
    before = st.read_bytes()
    result = cli("fmt", data=mini)
    assert result.exit_code == 1
    assert st.read_bytes() == before


def test_unknown_data_folder_is_a_one_line_error(cli, tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["--data", str(tmp_path / "nope"), "stats"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("kg: error: data folder not found")


def test_fmt_reports_and_keeps_a_file_cut_inside_its_last_row(mini, cli):
    # A table-layer syntax problem that is not about fields or encoding (here: no final newline) must
    # fail `kg fmt` too, naming the file, and leave the file as it was.
    st = mini / "statements" / "core.tsv"
    st.write_bytes(st.read_bytes().rstrip(b"\n"))
    before = st.read_bytes()
    result = cli("fmt", data=mini)
    assert result.exit_code == 1
    assert "statements/core.tsv" in result.output and "no newline at the end" in result.output
    assert st.read_bytes() == before


def test_metagraph_allowed_agrees_with_the_enumerated_metaedges():
    from kg.core import metagraph
    from kg.core.vocab import CATEGORIES, PREDICATES

    edges = metagraph.metaedges()
    checked = 0
    for s in CATEGORIES:
        for p in PREDICATES:
            for o in CATEGORIES:
                assert metagraph.allowed(s, p, o) == ((s, p, o) in edges), (s, p, o)
                checked += 1
    assert checked == len(CATEGORIES) ** 2 * len(PREDICATES) and len(edges) > 1000
