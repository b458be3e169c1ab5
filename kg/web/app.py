"""The ``kg web`` application: Starlette routes over a :class:`kg.web.service.Service`.

Pages are Jinja2 templates with autoescaping on; the JSON API under ``/api/`` returns the payloads of the
CLI's ``--format json`` (see ``docs/web.md`` and ``/api/openapi.json``). Only GET and HEAD exist: nothing
writes. Every response carries a Content-Security-Policy that allows no remote origin at all: scripts only
with the request's nonce (and their integrity hash), styles, images and fetches only from this server.
Errors are pages or JSON with their status code; an unexpected failure is a 500 without a traceback.

starlette and jinja2 are imported here, and this module only by ``kg web``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import sys
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from kg.web.drawing import EXPORT_FORMATS
from kg.web.service import Service, WebError

#: Files served under /static/: name -> (package, path inside it, media type).
STATIC: dict[str, tuple[str, tuple[str, ...], str]] = {
    "app.js": ("kg.web", ("static", "app.js"), "text/javascript"),
    "app.css": ("kg.web", ("static", "app.css"), "text/css"),
    "viz_page.js": ("kg.views", ("viz_page.js",), "text/javascript"),
    "vis-network.min.js": ("pyvis", ("templates", "lib", "vis-9.1.2", "vis-network.min.js"), "text/javascript"),
    "vis-network.css": ("pyvis", ("templates", "lib", "vis-9.1.2", "vis-network.css"), "text/css"),
}
SIGN_TEXT = {1: "+", -1: "−", 0: "·"}


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    return Response(body, status, media_type="application/json")


def _script_json(data: Any) -> str:
    from kg.views.viz import script_json

    return script_json(data)


def safe_url(url: Any) -> str | None:
    """``url`` when it is an http(s) address (what :attr:`kg.core.model.Curie.link` builds), else None:
    a ``javascript:`` or ``data:`` address from the data never becomes a link."""
    return url if isinstance(url, str) and re.fullmatch(r"https?://[^\s<>\"']+", url) else None


class Assets:
    """The static files, read once, with their SRI hashes."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.integrity: dict[str, str] = {}
        for name, (package, parts, media) in STATIC.items():
            body = resources.files(package).joinpath(*parts).read_bytes()
            self.files[name] = (body, media)
            self.integrity[name] = "sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def csp(nonce: str) -> str:
    return ("default-src 'none'; "
            f"script-src 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def create_app(service: Service, *, allowed_hosts: list[str] | None = None) -> Starlette:
    """The ASGI application over an open :class:`Service`."""
    from kg.core.vocab import CATEGORIES, EVIDENCE_LEVELS, is_a
    from kg.views.records import curie_link
    from kg.web import pages

    assets = Assets()
    env = jinja2.Environment(loader=jinja2.PackageLoader("kg.web", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["sign"] = lambda s: SIGN_TEXT.get(s, "?") if isinstance(s, int) else "?"
    env.filters["quote"] = lambda s: urllib.parse.quote(str(s), safe=":")
    env.filters["script_json"] = _script_json
    env.filters["href"] = safe_url
    env.filters["curie_link"] = lambda text: safe_url(curie_link(str(text)))
    env.globals.update(integrity=assets.integrity, categories=CATEGORIES, evidence_levels=EVIDENCE_LEVELS,
                       export_formats=EXPORT_FORMATS, urlencode=urllib.parse.urlencode,
                       is_drug=lambda c: c in CATEGORIES and (is_a(c, "drug") or c == "drug_class"))

    def page(request: Request, template: str, code: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(template).render(nonce=request.state.nonce, path=request.url.path,
                                                 query=request.query_params, **context)
        return HTMLResponse(html, code)

    def api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error(request: Request, status: int, message: str, suggestions: list[dict[str, Any]] | None = None
              ) -> Response:
        if api(request):
            body: dict[str, Any] = {"error": message, "status": status}
            if suggestions:
                body["suggestions"] = suggestions
            return _json(body, status)
        return page(request, "error.html", status, status=status, message=message, suggestions=suggestions or [])

    async def on_web_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, WebError)
        return error(request, exc.status, exc.message, exc.suggestions)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        messages = {404: "no such page", 405: "this server is read-only: only GET and HEAD are allowed"}
        return error(request, exc.status_code, messages.get(exc.status_code, str(exc.detail)))

    async def on_crash(request: Request, exc: Exception) -> Response:
        # One line in the server's log; the client gets a plain 500, never a traceback.
        print(f"kg web: error: {request.url.path}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return error(request, 500, "internal error: the request could not be answered")

    def handler(fn: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            from starlette.concurrency import run_in_threadpool

            try:
                return await run_in_threadpool(fn, request)
            except (WebError, HTTPException):
                raise
            except Exception as exc:
                return await on_crash(request, exc)
        return run

    app_routes = pages.routes(service, page, assets)
    app = Starlette(
        routes=[Route(path, handler(fn), methods=["GET", "HEAD"], name=name) for path, fn, name in app_routes],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or
                               ["127.0.0.1", "localhost", "::1", "testserver"])],
        exception_handlers={WebError: on_web_error, HTTPException: on_http, Exception: on_crash},
    )
    return SecurityHeaders(app)  # type: ignore[return-value]


class SecurityHeaders:
    """ASGI middleware: a per-request nonce, the CSP and hardening headers, and the server time
    (``Server-Timing: app;dur=MS``, measured from the request to the start of the response)."""

    def __init__(self, app: Any):
        self.app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["nonce"] = nonce
        started = time.perf_counter()

        async def wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", csp(nonce).encode()),
                            (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                            (b"x-frame-options", b"DENY"), (b"cross-origin-resource-policy", b"same-origin"),
                            (b"server-timing", f"app;dur={ms:.2f}".encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, wrapped)

