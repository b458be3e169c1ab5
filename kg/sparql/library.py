"""The named query library: ``kg/sparql/queries/*.rq``, each opening with a comment block.

The block gives ``title:``, ``description:`` (continued on indented comment lines) and one
``param: NAME (TYPE) = DEFAULT -- meaning`` line per parameter. TYPE is ``entity`` (a CURIE or a name,
resolved to the entity's IRI), ``iri``, ``string``, ``integer`` or ``number``.

>>> [p.name for p in get_query("regulators-of").params]
['entity']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kg.sparql.safety import XSD, RDFTerm, SparqlError

QUERY_DIR = Path(__file__).resolve().parent / "queries"
PARAM_TYPES = ("entity", "iri", "string", "integer", "number")
_PARAM = re.compile(r"^(\w+)\s*\((\w+)\)\s*=\s*(\S+)\s*(?:--\s*(.*))?$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str
    help: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path


def parse_query_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    params: list[Param] = []
    last = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:]
        m = re.match(r"^\s?(\w+):\s*(.*)$", body)
        if m and not body.startswith("   "):
            last = m.group(1)
            if last == "param":
                pm = _PARAM.match(m.group(2).strip())
                if pm is None or pm.group(2) not in PARAM_TYPES:
                    raise SparqlError(f"{path}: bad param line: {line.strip()}")
                params.append(Param(pm.group(1), pm.group(2), pm.group(3), pm.group(4) or ""))
            else:
                fields[last] = m.group(2).strip()
        elif last and last != "param":
            fields[last] += " " + body.strip()
    if "title" not in fields:
        raise SparqlError(f"{path}: the comment block needs a 'title:' line")
    return NamedQuery(path.stem, fields["title"], fields.get("description", ""), tuple(params), text,
                      path)


def list_queries(directory: Path = QUERY_DIR) -> list[NamedQuery]:
    return [parse_query_file(p) for p in sorted(directory.glob("*.rq"))]


def get_query(name: str, directory: Path = QUERY_DIR) -> NamedQuery:
    path = directory / f"{name}.rq"
    if not path.is_file():
        names = ", ".join(q.name for q in list_queries(directory))
        raise SparqlError(f"no query named {name!r}; the library has: {names}")
    return parse_query_file(path)


def param_term(param: Param, value: str, resolve: Callable[[str], str] | None = None) -> RDFTerm:
    """``value`` as the RDF term the parameter's type asks for (never pasted into the query text)."""
    from kg.sparql.engine import expand_curie, literal, to_term

    if param.type == "string":
        return RDFTerm("lit", value)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise SparqlError(f"parameter {param.name} must be an integer, got {value!r}")
        return RDFTerm("lit", str(int(value)), XSD + "integer")
    if param.type == "number":
        if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", value.strip()):
            raise SparqlError(f"parameter {param.name} must be a number, got {value!r}")
        return literal(value.strip(), XSD + "decimal")
    if param.type == "iri":
        term = to_term(value)
        if term.kind != "iri":
            raise SparqlError(f"parameter {param.name} must be an IRI or CURIE, got {value!r}")
        return term
    # entity: a CURIE of a known prefix, an IRI, or a name resolved through the graph's index
    iri = expand_curie(value) if ":" in value and " " not in value else None
    if iri is None and re.match(r"^<.*>$|^https?://", value):
        return to_term(value)
    if iri is not None:
        return RDFTerm("iri", iri)
    if resolve is None:
        raise SparqlError(f"parameter {param.name}: {value!r} is not a CURIE or IRI")
    return RDFTerm("iri", resolve(value))


def bind_params(query: NamedQuery, given: Mapping[str, str],
                resolve: Callable[[str], str] | None = None) -> dict[str, RDFTerm]:
    """Terms for every declared parameter: the given value or the default; unknown names are errors."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        known = ", ".join(declared) or "none"
        raise SparqlError(f"query {query.name!r} has no parameter {unknown[0]!r} (parameters: {known})")
    return {name: param_term(p, given.get(name, p.default), resolve) for name, p in declared.items()}
