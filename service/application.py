"""The ASGI application: the routes over one Engine, errors as problem documents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from accel666 import Engine, Unavailable, __version__
from accel666.service import acting, openapi, pages, problems
from accel666.service.auth import Authenticate, Gate, TooManyFailures
from accel666.service.config import ServiceConfig
from accel666.service.etags import Unmatched
from accel666.service.idempotency import Idempotency
from accel666.service.limits import BodyLimit
from accel666.service.routes import events, notices, programme, projects, review
from accel666.workflow import logs
from accel666.workflow.engine import Clock

log = logs.get_logger("accel666.service")

DESCRIPTION = """The lifecycle engine of the Jiangsu Industrial Internet Accelerator Project
(666 工程) over HTTP. Every call but `GET /healthz` needs `Authorization: Bearer TOKEN` (a
token from `accel666 operator add`); the call acts as that operator's role and scope. Changes
of a project answer with its `ETag`; send it back as `If-Match` to change only the version you
read (else 412). A `POST` with an `Idempotency-Key` that was already served returns the first
answer again and changes nothing. Errors are RFC 9457 problem documents."""


def create_app(config: ServiceConfig, *, clock: Clock | None = None) -> FastAPI:
    """The service over `config.db`, opened when the application starts (`clock` for tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = Engine(config.db, policy=config.policy, clock=clock)
        app.state.engine = engine
        app.state.gate = Gate(engine, failures=config.auth_failures,
                              window=config.auth_window_seconds, clients=config.auth_clients)
        app.state.config = config
        try:
            yield
        finally:
            engine.close()

    app = FastAPI(title="accel666", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    problems.install(app)

    async def too_many(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TooManyFailures)
        return problems.problem(429, str(exc), instance=request.url.path,
                                headers={"Retry-After": str(exc.retry_after)})

    async def unmatched(request: Request, exc: Exception) -> JSONResponse:
        return problems.problem(412, str(exc), instance=request.url.path,
                                extra={"error": "Unmatched"})

    app.add_exception_handler(TooManyFailures, too_many)
    app.add_exception_handler(Unmatched, unmatched)
    app.include_router(projects.router)
    # Before the events' routes, whose /projects/{id}/{event} would take /objections.
    app.include_router(notices.router)  # the public notice, objections and the public page
    app.include_router(review.router)  # before the events' catch-all
    app.include_router(events.router())  # from the lifecycle's definition, as it stands
    app.include_router(programme.router)
    app.include_router(pages.router)
    app.include_router(acting.router)  # the signed-in pages' forms
    openapi.install(app)

    @app.get("/healthz", tags=["service"], summary="Is the service able to serve")
    def healthz(request: Request) -> JSONResponse:
        """200 when the database answers and its schema is the one this accel666 runs; 503
        otherwise. Needs no credentials and says nothing else."""
        engine: Engine = request.app.state.engine
        try:
            revision = engine.schema_revision()
        except Unavailable as exc:
            log.warning("healthz.unavailable", reason=exc.reason)
            return problems.problem(503, exc.message, instance="/healthz",
                                    extra={"error": "Unavailable", "reason": exc.reason})
        body: dict[str, Any] = {"status": "ok", "schema": revision,
                                "expected_schema": engine.schema_head}
        if revision != engine.schema_head:
            return problems.problem(503, "the database's schema is not current",
                                    instance="/healthz", extra=body)
        return JSONResponse(body)

    # Outermost first: bound the body, find the calling operator before any of the body is
    # read, then answer a served Idempotency-Key (of that operator) from what was kept.
    app.add_middleware(Idempotency, spool_bytes=config.spool_bytes)
    app.add_middleware(Authenticate)
    app.add_middleware(BodyLimit, json_bytes=config.max_json_bytes,
                       discard_bytes=config.discard_bytes, idle_seconds=config.body_idle_seconds)
    return app
