"""The OpenAPI 3.1 description of the JSON API of ``kg web`` (served at ``/api/openapi.json``).

The payloads are those of the CLI's ``--format json``; docs/web.md lists their keys.
"""

from __future__ import annotations

from typing import Any

from kg.web.drawing import EXPORT_FORMATS
from kg.web.service import MAX_NAME, MAX_PATH_LENGTH, MAX_PATHS, MAX_QUERY


def _q(name: str, description: str, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string", "maxLength": MAX_NAME}}


_NAME = {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "maxLength": MAX_NAME},
         "description": "A CURIE, label, synonym or brand name (\"PD-L1\", \"B7-H1\", \"HGNC:17635\")."}
_ERROR = {"description": "A refused request: the body says why.",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_PATH_PARAMS = [
    _q("source", "Where paths start (any name).", True),
    _q("target", "Where paths end (any name).", True),
    _q("max_length", "Most causal steps in a path.", type="integer", minimum=1, maximum=MAX_PATH_LENGTH,
       default=4),
    _q("limit", "Most paths returned.", type="integer", minimum=1, maximum=MAX_PATHS, default=10),
    _q("sign", "Only paths with this net sign.", type="string", enum=["+", "-"]),
    _q("via", "Paths must pass through this entity (repeatable)."),
    _q("avoid", "Paths must not pass through this entity (repeatable)."),
    _q("min_evidence", "Only statements at this evidence level or stronger."),
    _q("species", "Only statements in this species (statements without one pass).", type="string",
       enum=["human", "mouse"]),
    _q("direct_only", "Only direct statements (1 for yes).", type="string", enum=["", "1"]),
    _q("unsigned", "Also walk edges without a sign (1 for yes; net sign 0 when one is used), where the path "
       "library supports it (else 400).", type="string", enum=["", "1"]),
]


def _ok(description: str, schema: dict[str, Any] | None = None, media: str = "application/json") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": schema or {"type": "object"}}}}


def _get(summary: str, params: list[dict[str, Any]], ok: dict[str, Any], *errors: int) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok}
    for code in errors:
        responses[str(code)] = _ERROR
    return {"get": {"summary": summary, "parameters": params, "responses": responses}}


def openapi() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("ivkg")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout without installing
        ver = "0"
    sparql_params = [
        _q("name", "A query of the library (see /api/queries)."),
        _q("query", "SPARQL query text (read-only: updates, SERVICE and FROM are refused).",
           type="string", maxLength=MAX_QUERY),
        {"name": "param.NAME", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "Value of parameter NAME of a library query (or ?NAME of a query text)."},
        _q("format", "Result format: W3C SPARQL JSON, CSV or TSV.", type="string", enum=["json", "csv", "tsv"],
           default="json"),
        _q("download", "1: send as a file (Content-Disposition: attachment).", type="string", enum=["", "1"]),
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "ivkg web API", "version": ver,
                 "description": "Read-only JSON API of the ivkg knowledge graph (kg web). Payloads carry the "
                                "keys of the CLI's --format json; every endpoint is GET."},
        "paths": {
            "/api/search": _get("Entities matching a name (labels, synonyms, CURIEs, brand names).",
                                [_q("q", "Text to match.", True),
                                 _q("limit", "Most hits.", type="integer", minimum=1, maximum=50, default=12)],
                                _ok("Hits best first; close names as suggestions when nothing matches.",
                                    {"$ref": "#/components/schemas/Search"}), 400),
            "/api/entity/{name}": _get("The entity card of `kg show --format json`.", [_NAME],
                                       _ok("The card."), 404, 409),
            "/api/paths": _get("Ranked mechanism paths: `kg path --format json`.", _PATH_PARAMS,
                               _ok("The path search."), 400, 404, 409),
            "/api/paths/export": _get("The paths' view in an export format of `kg export` (zip for folders).",
                                      [*_PATH_PARAMS, _q("format", "Export format.", True, type="string",
                                                         enum=list(EXPORT_FORMATS))],
                                      _ok("The file.", {"type": "string"}, "application/octet-stream"),
                                      400, 404, 409),
            "/api/regimen": _get("The report of `kg explain --format json`, plus `response_rates`.",
                                 [_q("r", "Regimen: drugs joined by +, comma or 'and'.", True)],
                                 _ok("The report."), 400),
            "/api/regimens": _get("The drug combinations of the curated trials.", [],
                                  _ok("Regimens.", {"type": "array"})),
            "/api/queries": _get("The named SPARQL query library with parameters.", [],
                                 _ok("Queries.", {"type": "array"})),
            "/api/sparql": _get("Run a read-only SPARQL query.", sparql_params,
                                _ok("The result.", {"type": "object"}, "application/sparql-results+json"),
                                400, 404, 413, 504),
            "/api/openapi.json": _get("This document.", [], _ok("OpenAPI 3.1.")),
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error", "status"],
                      "properties": {"error": {"type": "string"}, "status": {"type": "integer"},
                                     "suggestions": {"type": "array", "items": {"$ref": "#/components/schemas/Ref"}}}},
            "Ref": {"type": "object", "properties": {"id": {"type": "string"}, "label": {"type": "string"},
                                                     "category": {"type": "string"}}},
            "Search": {"type": "object", "required": ["query", "hits"],
                       "properties": {"query": {"type": "string"},
                                      "hits": {"type": "array", "items": {"type": "object"}},
                                      "suggestions": {"type": "array",
                                                      "items": {"$ref": "#/components/schemas/Ref"}}}},
        }},
    }
