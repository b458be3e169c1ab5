"""The routes of ``kg web``: pages and their JSON API twins, each a plain function of the request.

Every function runs in a worker thread (the graph is read-only, so requests never contend); payloads come
from :class:`kg.web.service.Service`, drawings and downloads from :mod:`kg.web.drawing`.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kg.web import drawing
from kg.web.drawing import EXPORT_FORMATS
from kg.web.service import MAX_SUGGEST, PathQuery, Service, WebError, bounded, unsigned_supported
from kg.web.stats import response_rates

Page = Callable[..., Response]
Route = tuple[str, Callable[[Request], Response], str]

#: Step keys the path table shows as columns; any other key a newer library adds is listed as-is.
STEP_KEYS = frozenset({"subject", "subject_label", "predicate", "object", "object_label", "sign", "evidence",
                       "evidence_rank", "statement_id", "statement", "species", "model_system", "setting",
                       "sections", "citations", "parallel", "membership"})
SPARQL_FORMATS = {"json": "application/sparql-results+json", "csv": "text/csv", "tsv": "text/tab-separated-values"}
SHOWN_ROWS = 500
#: Statements shown per direction on an entity page (strongest evidence first; ``?all=1`` shows all).
SHOWN_STATEMENTS = 150


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=2) + "\n", status, media_type="application/json")


def _attachment(body: bytes | str, filename: str, media: str) -> Response:
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


def _params(request: Request) -> dict[str, str]:
    """SPARQL parameters: every ``param.NAME`` field."""
    return {k[len("param."):]: v for k, v in request.query_params.items() if k.startswith("param.") and v.strip()}


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name) or str(default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise WebError(400, f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def cell(term: Any) -> str:
    """A result term as the table of ``kg sparql`` shows it (IRIs compacted with the standard prefixes)."""
    from kg.sparql.engine import compact

    if term is None:
        return ""
    return compact(term.value) if term.kind == "iri" else ("_:" + term.value if term.kind == "bnode" else term.value)


def extra_keys(step: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in step.items() if k not in STEP_KEYS and v not in (None, False, [], "")]


def forest(rows: list[dict[str, Any]], width: int = 960) -> dict[str, Any]:
    """Geometry of the forest chart of response rates: one row per rate, 0-100 % on the x axis, a square
    sized by study size at the rate and a line across the exact 95 % interval."""
    left, right, row_h, top = 400, 190, 30, 28
    span = width - left - right
    biggest = max((r["n"] or 0 for r in rows), default=1) or 1
    out = []
    for i, r in enumerate(rows):
        y = top + i * row_h + row_h // 2
        size = 6 + 10 * ((r["n"] or 0) / biggest) ** 0.5
        out.append({**r, "y": y, "x": left + span * r["rate"] / 100, "size": round(size, 1),
                    "x_low": None if r["low"] is None else left + span * r["low"] / 100,
                    "x_high": None if r["high"] is None else left + span * r["high"] / 100})
    ticks = [{"x": left + span * t / 100, "label": f"{t}%"} for t in range(0, 101, 20)]
    return {"width": width, "height": top + len(rows) * row_h + 30, "left": left, "right": left + span,
            "top": top, "rows": out, "ticks": ticks, "axis_y": top + len(rows) * row_h + 4}


def routes(service: Service, page: Page, assets: Any) -> list[Route]:
    """``(path, function, name)`` of every route; ``assets`` are the static files (:class:`kg.web.app.Assets`)."""
    from kg.web.openapi import openapi

    def home(request: Request) -> Response:
        from kg.graphs.cards import stats

        return page(request, "home.html", stats=stats(service.kg), regimens=service.regimens(),
                    queries=service.queries())

    def search_page(request: Request) -> Response:
        q = bounded(request.query_params.get("q"), "q", required=False)
        if q:
            try:  # a name that says exactly one entity goes straight to its page
                ent = service.resolver(q)
                return RedirectResponse(f"/entity/{urllib.parse.quote(str(ent.id), safe=':')}", 303)
            except Exception:
                pass
        return page(request, "search.html", result=service.search(q, 50), q=q)

    def api_search(request: Request) -> Response:
        limit = _int(request, "limit", MAX_SUGGEST, 1, 50)
        return _json(service.search(request.query_params.get("q", ""), limit))

    def entity_page(request: Request) -> Response:
        name = request.path_params["name"]
        card, model = service.entity(name)
        if card["id"] != name:
            return RedirectResponse(f"/entity/{urllib.parse.quote(card['id'], safe=':')}", 303)
        view = drawing.entity_view(service, model, card["id"])
        shown = None if request.query_params.get("all") else SHOWN_STATEMENTS
        return page(request, "entity.html", card=card, graph=drawing.drawing(view), shown=shown)

    def api_entity(request: Request) -> Response:
        return _json(service.entity(request.path_params["name"])[0])

    def path_query(request: Request) -> PathQuery:
        return PathQuery.parse(request.query_params, request.query_params.getlist)

    def paths_page(request: Request) -> Response:
        q = request.query_params
        if not (q.get("source") and q.get("target")):  # the form, filled with what was given
            form = PathQuery(bounded(q.get("source"), "source", required=False),
                             bounded(q.get("target"), "target", required=False))
            return page(request, "paths.html", form=form, result=None, graph=None, link="",
                        unsigned=unsigned_supported())
        pq = path_query(request)
        search = service.paths(pq)
        link = urllib.parse.urlencode(pq.params())
        return page(request, "paths.html", form=pq, result=search.to_json(), link=link,
                    graph=drawing.drawing(drawing.path_view(service, search)), extra_keys=extra_keys,
                    unsigned=unsigned_supported())

    def api_paths(request: Request) -> Response:
        return _json(service.paths(path_query(request)).to_json())

    def api_paths_export(request: Request) -> Response:
        from kg.export import ExportError

        fmt = request.query_params.get("format", "")
        if fmt not in EXPORT_FORMATS:
            raise WebError(400, f"format must be one of {', '.join(EXPORT_FORMATS)}")
        search = service.paths(path_query(request))
        view = drawing.path_view(service, search)
        if view is None:
            raise WebError(404, "no path found, so there is nothing to export")
        try:
            name, body, media = drawing.download(view, fmt, "ivkg-paths")
        except ExportError as exc:
            raise WebError(400, str(exc)) from None
        return _attachment(body, name, media)

    def regimen_page(request: Request) -> Response:
        text = request.query_params.get("r", "")
        if not text.strip():
            return page(request, "regimen.html", report=None, regimens=service.regimens(), r="", chart=None)
        report = service.regimen(text)
        rows = response_rates(report["trials"])
        return page(request, "regimen.html", report=report, regimens=service.regimens(), r=text,
                    chart=forest(rows) if rows else None,
                    drug_labels={d["id"]: d["label"] for d in report["drugs"]})

    def api_regimen(request: Request) -> Response:
        report = service.regimen(request.query_params.get("r", ""))
        return _json({**report, "response_rates": response_rates(report["trials"])})

    def api_regimens(request: Request) -> Response:
        return _json(service.regimens())

    def sparql_page(request: Request) -> Response:
        q = request.query_params
        name = q.get("name", "")
        library = service.queries()
        chosen = next((x for x in library if x["name"] == name), None)
        if name and chosen is None:
            raise WebError(404, f"no query named {name!r} in the library")
        text = chosen["text"] if chosen else q.get("query", "")
        result = None
        error = None
        if q.get("run"):
            try:
                res, _ = service.sparql(q.get("query"), name or None, _params(request))
                result = {"form": res.form, "vars": list(res.vars), "count": len(res.rows or res.triples),
                          "boolean": res.boolean,
                          "rows": [[cell(t) for t in row] for row in res.rows[:SHOWN_ROWS]],
                          "triples": [[cell(t) for t in tr] for tr in res.triples[:SHOWN_ROWS]]}
            except WebError as exc:
                error = exc.message
        download = [(k, v) for k, v in q.multi_items() if k != "run"]
        return page(request, "sparql.html", library=library, chosen=chosen, text=text, result=result,
                    error=error, given=_params(request), download=download, shown=SHOWN_ROWS,
                    code=400 if error else 200)

    def api_sparql(request: Request) -> Response:
        from kg.sparql.format import format_result

        q = request.query_params
        fmt = q.get("format", "json")
        if fmt not in SPARQL_FORMATS:
            raise WebError(400, f"format must be one of {', '.join(SPARQL_FORMATS)}")
        res, _ = service.sparql(q.get("query"), q.get("name") or None, _params(request))
        if res.form == "graph":
            fmt, media = "nt", "application/n-triples"
        else:
            media = SPARQL_FORMATS[fmt]
        body = format_result(res, fmt)
        if q.get("download"):
            stem = q.get("name") or "query"
            return _attachment(body, f"ivkg-{stem}.{fmt}", media + "; charset=utf-8")
        return Response(body, media_type=media + "; charset=utf-8")

    def api_queries(request: Request) -> Response:
        return _json(service.queries())

    def api_openapi(request: Request) -> Response:
        return _json(openapi())

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in assets.files:
            raise WebError(404, "no such file")
        body, media = assets.files[name]
        return Response(body, media_type=media + "; charset=utf-8",
                        headers={"cache-control": "public, max-age=3600"})

    return [
        ("/", home, "home"),
        ("/search", search_page, "search"),
        ("/entity/{name:path}", entity_page, "entity"),
        ("/paths", paths_page, "paths"),
        ("/regimen", regimen_page, "regimen"),
        ("/sparql", sparql_page, "sparql"),
        ("/static/{name}", static, "static"),
        ("/api/search", api_search, "api_search"),
        ("/api/entity/{name:path}", api_entity, "api_entity"),
        ("/api/paths", api_paths, "api_paths"),
        ("/api/paths/export", api_paths_export, "api_paths_export"),
        ("/api/regimen", api_regimen, "api_regimen"),
        ("/api/regimens", api_regimens, "api_regimens"),
        ("/api/queries", api_queries, "api_queries"),
        ("/api/sparql", api_sparql, "api_sparql"),
        ("/api/openapi.json", api_openapi, "api_openapi"),
    ]

