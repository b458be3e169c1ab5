"""Remote SPARQL endpoints over HTTP (httpx): queries (SPARQL 1.1 Protocol), uploads (Graph Store
Protocol) and the credentials operators protect them with.

Credentials come, first found wins, from ``--user NAME[:PASSWORD]`` (the password, when not given, from
``$KG_ENDPOINT_PASSWORD``), from ``user:password@`` in the URL, from ``$KG_ENDPOINT_USER`` and
``$KG_ENDPOINT_PASSWORD``, or from a netrc file (``--netrc FILE``, ``$NETRC`` or ``~/.netrc``) entry for the
host. HTTP basic or digest (``--auth``; Virtuoso's ``/sparql-graph-crud-auth`` asks for digest). A password
is never printed: URLs are shown without their user part and errors never include a credential.

>>> redact("http://dba:secret@127.0.0.1:8890/sparql")
'http://127.0.0.1:8890/sparql'
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.sparql.engine import Engine, Result, _from_json, _from_ox, with_prefixes
from kg.sparql.safety import QueryInfo, SparqlError

AUTH_SCHEMES = ("basic", "digest")
USER_ENV, PASSWORD_ENV = "KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD"


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = ""
    scheme: str = "basic"

    def __repr__(self) -> str:  # never show the password, even in a traceback or a debugger
        return f"Credentials(user={self.user!r}, scheme={self.scheme!r})"

    def httpx_auth(self) -> Any:
        import httpx

        if self.scheme == "digest":
            return httpx.DigestAuth(self.user, self.password)
        return httpx.BasicAuth(self.user, self.password)


def redact(url: str) -> str:
    """The URL without a ``user:password@`` part."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _netrc(host: str, path: str | None) -> tuple[str, str] | None:
    import netrc

    file = Path(path or os.environ.get("NETRC") or Path.home() / ".netrc")
    if not file.is_file():
        if path:
            raise SparqlError(f"netrc file not found: {file}")
        return None
    try:
        entry = netrc.netrc(str(file)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as exc:
        raise SparqlError(f"{file}: unreadable netrc file ({getattr(exc, 'msg', exc)})") from None
    if entry is None:
        return None
    login, _, password = entry
    return (login or "", password or "")


def credentials(url: str, user: str | None = None, scheme: str = "basic",
                netrc_file: str | None = None) -> tuple[str, Credentials | None]:
    """The URL to send (without a user part) and the credentials for it, from the first source that has
    them (see the module's docstring)."""
    if scheme not in AUTH_SCHEMES:
        raise SparqlError(f"unknown authentication {scheme!r}: choose {' or '.join(AUTH_SCHEMES)}")
    parts = urllib.parse.urlsplit(url)
    clean = redact(url)
    if user:
        name, sep, password = user.partition(":")
        return clean, Credentials(name, password if sep else os.environ.get(PASSWORD_ENV, ""), scheme)
    if parts.username is not None:
        return clean, Credentials(urllib.parse.unquote(parts.username),
                                  urllib.parse.unquote(parts.password or ""), scheme)
    if os.environ.get(USER_ENV):
        return clean, Credentials(os.environ[USER_ENV], os.environ.get(PASSWORD_ENV, ""), scheme)
    found = _netrc(parts.hostname or "", netrc_file)
    if found is not None:
        return clean, Credentials(found[0], found[1], scheme)
    return clean, None


def server_text(body: bytes, content_type: str) -> str:
    """What a server said in an error body: the text of an HTML page (not its first line), else the
    plain text; one line, at most 500 characters."""
    text = body.decode("utf-8", "replace")
    if "html" in content_type.lower() or re.match(r"\s*<(!doctype|html)", text, re.I):
        text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
        text = re.sub(r"(?s)<[^>]+>", " ", text)
        import html

        text = html.unescape(text)
    text = " ".join(text.split())
    return text[:500] + ("..." if len(text) > 500 else "")


def http_request(url: str, method: str, data: bytes | None, headers: dict[str, str],
                 timeout: float = 60.0, auth: Credentials | None = None) -> bytes:
    """One HTTP request; failures become a :class:`SparqlError` naming the URL (without credentials), the
    HTTP status and the server's own text."""
    import httpx

    if not re.match(r"^https?://", url):
        raise SparqlError(f"endpoint must be an http(s) URL: {redact(url)!r}")
    shown = redact(url)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, trust_env=False) as client:
            resp = client.request(method, url, content=data, headers=headers,
                                  auth=auth.httpx_auth() if auth else None)
    except httpx.HTTPError as exc:
        reason = str(exc).replace(auth.password, "***") if auth and auth.password else str(exc)
        raise SparqlError(f"cannot reach {shown}: {reason or type(exc).__name__}") from None
    if resp.status_code >= 400:
        detail = server_text(resp.content, resp.headers.get("content-type", ""))
        hint = ""
        if resp.status_code in (401, 403):
            hint = (" (give credentials: --user NAME[:PASSWORD], $KG_ENDPOINT_USER/$KG_ENDPOINT_PASSWORD or"
                    " a netrc entry; --auth digest for Virtuoso)" if auth is None else
                    f" (the server refused {auth.scheme} credentials for user {auth.user!r})")
        if auth and auth.password:
            detail = detail.replace(auth.password, "***")
        raise SparqlError(f"{shown} answered HTTP {resp.status_code} {resp.reason_phrase}"
                          + (f": {detail}" if detail else "") + hint)
    return resp.content


def needs_named_graph(message: str) -> bool:
    """Whether a store refused an upload to the default graph because it has none (Virtuoso)."""
    return bool(re.search(r"default[ -]graph|\"default\" param", message, re.I))


class RemoteEngine(Engine):
    """A SPARQL 1.1 Protocol endpoint (POST, form-encoded); prefixes are sent as PREFIX lines."""

    name = "remote"

    def __init__(self, url: str, http_timeout: float = 60.0, auth: Credentials | None = None,
                 default_graph: str | None = None):
        self.url = url
        self.http_timeout = http_timeout
        self.auth = auth
        #: A named graph queried as the default graph (``default-graph-uri``), e.g. where ``kg push --graph``
        #: put ours on a store that has no default graph.
        self.default_graph = default_graph

    def _post(self, form: dict[str, str], accept: str | None = None) -> bytes:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if accept:
            headers["Accept"] = accept
        return http_request(self.url, "POST", urllib.parse.urlencode(form).encode("utf-8"), headers,
                            self.http_timeout, self.auth)

    def _run(self, text: str, info: QueryInfo) -> Result:
        graph = info.form in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples" if graph else "application/sparql-results+json"
        form = {"query": with_prefixes(text)}
        if self.default_graph:
            form["default-graph-uri"] = self.default_graph
        body = self._post(form, accept)
        if graph:
            import pyoxigraph as ox

            trips = [(_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object))
                     for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            return Result("graph", triples=sorted(trips))  # type: ignore[arg-type]
        try:
            payload = json.loads(body)
        except ValueError:
            raise SparqlError(f"{redact(self.url)} did not answer with SPARQL results JSON: "
                              f"{server_text(body, '')[:200]}") from None
        if "boolean" in payload:
            return Result("ask", boolean=bool(payload["boolean"]))
        names = tuple(payload["head"]["vars"])
        rows = [tuple(_from_json(b.get(n)) for n in names) for b in payload["results"]["bindings"]]
        return Result("select", names, rows)

    def _update(self, text: str) -> None:
        self._post({"update": with_prefixes(text)})


def open_remote(url: str, user: str | None = None, scheme: str = "basic", netrc_file: str | None = None,
                default_graph: str | None = None) -> RemoteEngine:
    """A :class:`RemoteEngine` for ``url`` with its credentials (see :func:`credentials`)."""
    clean, auth = credentials(url, user, scheme, netrc_file)
    return RemoteEngine(clean, auth=auth, default_graph=default_graph)


def push(url: str, body: bytes, graph: str | None = None, append: bool = False, user: str | None = None,
         scheme: str = "basic", netrc_file: str | None = None) -> str:
    """Upload N-Triples to a Graph Store Protocol endpoint (PUT replaces the graph, POST adds to it);
    the URL it went to (without credentials)."""
    clean, auth = credentials(url, user, scheme, netrc_file)
    target = "graph=" + urllib.parse.quote(graph, safe="") if graph else "default"
    full = clean + ("&" if "?" in clean else "?") + target
    try:
        http_request(full, "POST" if append else "PUT", body, {"Content-Type": "application/n-triples"},
                     auth=auth)
    except SparqlError as exc:
        if graph is None and needs_named_graph(str(exc)):
            raise SparqlError(f"{exc}; this store has no default graph to write to (Virtuoso): "
                              "give a named graph with --graph IRI") from None
        raise
    return full
