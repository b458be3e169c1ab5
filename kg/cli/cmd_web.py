"""``kg web``: the local web application (search, entity pages, paths, regimen reports, SPARQL).

The web stack (starlette, uvicorn, jinja2) is imported only when the command runs, so other commands
start as fast as before.
"""

from __future__ import annotations

import click

from kg.cli.common import State, UserError, pass_state


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind (loopback by default: only this machine can connect).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port; the address is printed).")
@click.option("--open", "open_browser", is_flag=True, help="Open the application in the default browser.")
@pass_state
def web(state: State, host: str, port: int, open_browser: bool) -> None:
    """Serve the read-only web application on the curated graph (or the global --store) until Ctrl-C.

    Pages: search with suggestions, entity cards, the path explorer, regimen reports, SPARQL; the same
    answers as JSON under /api/ (described at /api/openapi.json).
    """
    import socket

    import uvicorn

    from kg.web.app import create_app
    from kg.web.service import Service

    service = Service(state.kg, state.index, state.path_graph(), state.resolve, state.sparql_store,
                      state.store)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    # Loopback only answers requests addressed to loopback names (no DNS rebinding); a host the user chose
    # to expose answers whatever name its clients use.
    loopback = host in ("127.0.0.1", "localhost", "::1")
    hosts = ["127.0.0.1", "localhost", "::1", host] if loopback else ["*"]
    if not loopback:
        click.echo(f"warning: serving on {host}, reachable from other machines", err=True)
    app = create_app(service, allowed_hosts=hosts)
    click.echo(f"kg web: serving {url} (read-only); Ctrl-C to stop", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    # A SPARQL text of 8,000 characters may triple when URL-encoded: room for it in the request line; and a
    # bound on requests in flight (beyond it the server answers 503 instead of queueing without end).
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False,
                            h11_max_incomplete_event_size=64 * 1024, limit_concurrency=64)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


#: The commands of this family, added to the ``kg`` group by :mod:`kg.cli.main`.
COMMANDS = [web]
