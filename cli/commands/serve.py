"""`accel666 serve`: the HTTP service (accel666.service) on uvicorn."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import os
from typing import cast

import click

from accel666.cli.context import settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Keep 127.0.0.1 behind a reverse proxy that "
                   "holds TLS; 0.0.0.0 listens on every interface.")
@click.option("--port", type=click.IntRange(1, 65535), default=8666, show_default=True,
              help="The TCP port.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (on PostgreSQL, as many as the cores; SQLite serialises "
                   "writers, so more than a few gain nothing).")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True, metavar="IPS",
              help="The proxies whose X-Forwarded-For/-Proto are believed (comma-separated "
                   "addresses or networks), so that failed sign-ins are counted per real "
                   "client. Any client at all ('*', 0.0.0.0/0) only with --trust-any-proxy.")
@click.option("--trust-any-proxy", is_flag=True,
              help="Believe X-Forwarded-For from any client, as --forwarded-allow-ips '*' "
                   "says: only when nothing but the proxy can reach the port, since a client "
                   "that can would choose the address it is counted under.")
@click.option("--header-timeout", type=click.FloatRange(0.1, 3600), default=10.0,
              show_default=True, metavar="SECONDS",
              help="How long a connection may take to send a request's line and headers, "
                   "from its opening or the previous answer; then it is closed.")
@click.option("--max-connections", type=click.IntRange(1, None), default=None, metavar="N",
              help="The most connections a worker holds open; the next are answered 503. "
                   "Default: as many as its limit of open files leaves (ulimit -n, less an "
                   "eighth or 64 kept for itself); never more than that.")
def serve(host: str, port: int, workers: int, forwarded_allow_ips: str, trust_any_proxy: bool,
          header_timeout: float, max_connections: int | None) -> None:
    """Serve the engine over HTTP to the operators `accel666 operator add` made: a JSON API
    (docs at /docs, OpenAPI at /openapi.json), a dashboard at /, health at /healthz.

    Each call acts as the operator its bearer token belongs to. The database (--db) is
    created or checked, and its policy bound, before the first worker starts; a database from
    an older accel666 must be upgraded first (`accel666 db upgrade`). Stops on Ctrl-C or
    SIGTERM after the requests under way. A request head that takes longer than
    --header-timeout, and connections past --max-connections, are refused without holding
    the service.

    \b
    Examples:
      accel666 --db accel666.db serve
      accel666 --db postgresql://accel666@/accel666 serve --workers 4
    """
    if trusts_anyone(forwarded_allow_ips) and not trust_any_proxy:
        raise click.UsageError(
            f"--forwarded-allow-ips {forwarded_allow_ips!r} believes X-Forwarded-For from any "
            "client, which could then choose the address its failed sign-ins are counted "
            "under: name the proxy's address, or add --trust-any-proxy if nothing but the "
            "proxy can reach this port")
    try:
        import uvicorn

        import accel666.service.application  # noqa: F401  (FastAPI and python-multipart with it)
        from accel666.service.connections import ConnectionLimits, GuardedH11Protocol
    except ModuleNotFoundError as exc:
        raise click.UsageError(f"the service needs {exc.name}: pip install 'accel666[service]'"
                               ) from None
    chosen = settings()
    with chosen.open_engine():
        pass  # schema created or checked, policy bound: what every worker will find
    # The workers build the application from these (accel666.service:app).
    os.environ["ACCEL666_DB"] = _absolute(chosen.db)
    if chosen.policy:
        os.environ["ACCEL666_POLICY"] = os.path.abspath(chosen.policy)
    limits = ConnectionLimits(header_seconds=header_timeout, max_connections=max_connections)
    # Each worker's connections: uvicorn's HTTP/1.1 protocol with the bounds above.
    protocol = cast(type[asyncio.Protocol], functools.partial(GuardedH11Protocol, limits=limits))
    uvicorn.run("accel666.service:app", host=host, port=port, workers=workers,
                proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips,
                server_header=False, log_config=None, timeout_graceful_shutdown=10,
                http=protocol, ws="none", h11_max_incomplete_event_size=limits.head_bytes)


def trusts_anyone(allowed: str) -> bool:
    """Does the list of trusted proxies take in every address ('*', or a network of them all)?"""
    for entry in (part.strip() for part in allowed.split(",")):
        if entry == "*":
            return True
        try:
            if ipaddress.ip_network(entry, strict=False).prefixlen == 0:
                return True
        except ValueError:
            continue  # an address uvicorn reads otherwise (a socket path): not everyone
    return False


def _absolute(db: str) -> str:
    """A SQLite path made absolute (workers may start elsewhere); a URL as given."""
    return db if "://" in db else os.path.abspath(db)
