"""`accel666 serve`: the HTTP service (accel666.service) on uvicorn."""

from __future__ import annotations

import os

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
              help="The proxies whose X-Forwarded-For/-Proto are believed (comma-separated), "
                   "so that failed sign-ins are counted per real client.")
def serve(host: str, port: int, workers: int, forwarded_allow_ips: str) -> None:
    """Serve the engine over HTTP to the operators `accel666 operator add` made: a JSON API
    (docs at /docs, OpenAPI at /openapi.json), a dashboard at /, health at /healthz.

    Each call acts as the operator its bearer token belongs to. The database (--db) is
    created or checked, and its policy bound, before the first worker starts; a database from
    an older accel666 must be upgraded first (`accel666 db upgrade`). Stops on Ctrl-C or
    SIGTERM after the requests under way.

    \b
    Examples:
      accel666 --db accel666.db serve
      accel666 --db postgresql://accel666@/accel666 serve --workers 4
    """
    try:
        import uvicorn

        import accel666.service.application  # noqa: F401  (FastAPI and python-multipart with it)
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
    uvicorn.run("accel666.service:app", host=host, port=port, workers=workers,
                proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips,
                server_header=False, log_config=None, timeout_graceful_shutdown=10)


def _absolute(db: str) -> str:
    """A SQLite path made absolute (workers may start elsewhere); a URL as given."""
    return db if "://" in db else os.path.abspath(db)
