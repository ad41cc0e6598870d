"""Who is calling: `Authorization: Bearer TOKEN` checked against the operators' hashed tokens
before any of the request's body is read, and a bound on failed attempts per client address.

The operator's own role and scope are what the request acts as, whatever it says. A valid
token is always let in; a wrong one counts against its client address, which after too many
failures in the window waits (429) for any token but a valid one. The addresses are kept for
the most recent failures only (a bounded table, the least recently failing forgotten first).
Tokens are never logged; a failure is logged with the client's address and the reason only.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from accel666 import Engine
from accel666.errors import InvalidInput, Unauthenticated, WorkflowError
from accel666.service import signin
from accel666.service.limits import refuse
from accel666.workflow import logs
from accel666.workflow.operators import Operator
from accel666.workflow.sessions import Sessions

log = logs.get_logger("accel666.service.auth")

# Where the authenticated operator of a request is kept in its scope.
OPERATOR = "accel666.operator"
# The paths served without a bearer token: health, the documentation, and the dashboard's
# pages, which have sessions of their own (pages.py).
PUBLIC = frozenset({"/healthz", "/docs", "/openapi.json", "/", "/login", "/logout",
                    "/public", "/public.json"})  # the lists the public reads, no sign-in
# The signed-in pages and their forms (acting.py): the session cookie, not a bearer token,
# says who is calling; it is checked here too, before any of a form's body is read.
PAGES = ("/p/", "/act/")


class TooManyFailures(Exception):
    """This client failed to authenticate too often lately; it may try again in `retry_after`
    seconds (at once with a valid token)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed authentications; retry in {retry_after} s")
        self.retry_after = retry_after


class Gate:
    """Authenticates requests and counts the recent failures of the `clients` client addresses
    that failed most recently."""

    def __init__(self, engine: Engine, *, failures: int, window: float, clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.failures = failures
        self.window = window
        self.clients = clients
        self.clock = clock
        self._failed: OrderedDict[str, list[float]] = OrderedDict()  # times, oldest first
        self._lock = threading.Lock()

    def operator(self, request: Request) -> Operator:
        """The operator the request's bearer token belongs to; Unauthenticated or
        TooManyFailures otherwise."""
        headers = request.headers.getlist("authorization")
        return self.authenticate(request, bearer(headers[0]) if len(headers) == 1 else None)

    def authenticate(self, request: Request, token: str | None) -> Operator:
        """The operator holding `token`: always, when the token is valid. A wrong token counts
        against the client's budget and is logged (its address and the reason, never the
        token), unless the budget is spent: then it is TooManyFailures. No token (reason
        "missing") is neither counted nor logged."""
        client = request.client.host if request.client else "unknown"
        if token is None:
            raise Unauthenticated("missing")
        try:
            return self.engine.authenticate(token)
        except Unauthenticated as exc:
            self._fail(client)
            log.warning("auth.failed", client=client, reason=exc.reason, path=request.url.path)
            raise

    def tracked(self) -> int:
        """How many client addresses are counted now."""
        with self._lock:
            return len(self._failed)

    def _fail(self, client: str) -> None:
        """Count a failure of `client`; TooManyFailures (not counted) when its budget is
        spent already."""
        now = self.clock()
        with self._lock:
            recent = self._failed.setdefault(client, [])
            self._failed.move_to_end(client)
            while recent and recent[0] <= now - self.window:
                del recent[0]
            if len(recent) >= self.failures:
                raise TooManyFailures(max(1, math.ceil(recent[0] + self.window - now)))
            recent.append(now)
            while len(self._failed) > self.clients:
                self._failed.popitem(last=False)


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header (the scheme in any case); None for
    no header or an empty one, "" for credentials of another kind (malformed, counted)."""
    if header is None or not header.strip():
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return ""
    return credentials.strip()


class Authenticate:
    """ASGI middleware: find the calling operator from the request's head, before any of its
    body is read, and keep it in the scope (OPERATOR); answer 401 or 429 otherwise. Two
    Authorization headers are 400 on any path. The PUBLIC paths pass without a token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = [v for k, v in scope.get("headers", []) if k == b"authorization"]
        if len(sent) > 1:
            await refuse(scope, receive, send, 400, "invalid Authorization: sent more than "
                         "once", kind="InvalidInput",
                         extra=_details(InvalidInput("Authorization", "sent more than once")))
            return
        if scope["path"] in PUBLIC:
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(PAGES):
            await self._page(scope, receive, send)
            return
        request = Request(scope)
        gate: Gate = scope["app"].state.gate
        token = bearer(sent[0].decode("latin-1")) if sent else None
        try:
            scope[OPERATOR] = await run_in_threadpool(gate.authenticate, request, token)
        except Unauthenticated as exc:
            await refuse(scope, receive, send, 401, exc.message, kind="Unauthenticated",
                         extra=_details(exc), headers={
                             "WWW-Authenticate": 'Bearer realm="accel666"'})
            return
        except TooManyFailures as exc:
            await refuse(scope, receive, send, 429, str(exc),
                         headers={"Retry-After": str(exc.retry_after)})
            return
        except WorkflowError as exc:  # the database could not say (Unavailable): 503
            await _refuse_error(scope, receive, send, exc)
            return
        await self.app(scope, receive, send)

    async def _page(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A signed-in page: the operator of the session its cookie names, kept in the scope;
        without one, a page is let through to offer the sign-in, and a form, unread, is sent
        to sign in first (303 to /)."""
        engine: Engine = scope["app"].state.engine
        session = Request(scope).cookies.get(signin.SESSION_COOKIE)
        try:
            scope[OPERATOR] = await run_in_threadpool(
                lambda: Sessions(engine.db).operator(session, now=engine.now()))
        except Unauthenticated as exc:
            if scope["method"] not in ("GET", "HEAD"):
                await refuse(scope, receive, send, 303, f"sign in first ({exc.reason})",
                             kind="Unauthenticated", headers={"Location": "/"})
                return
        except WorkflowError as exc:  # the database could not say (Unavailable): 503
            await _refuse_error(scope, receive, send, exc)
            return
        await self.app(scope, receive, send)


async def _refuse_error(scope: Scope, receive: Receive, send: Send, exc: WorkflowError) -> None:
    """Answer, before the body, with the problem of an error of the library."""
    await refuse(scope, receive, send, exc.http_status, exc.message, kind=type(exc).__name__,
                 extra=_details(exc))


def _details(exc: WorkflowError) -> dict[str, object]:
    return {k: v for k, v in exc.to_dict().items() if k != "message"}
