"""Who is calling: `Authorization: Bearer TOKEN` checked against the operators' hashed tokens,
and a bound on failed attempts per client address.

The operator's own role and scope are what the request acts as, whatever it says. Tokens are
never logged; a failure is logged with the client's address and the reason only.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import Request

from accel666 import Engine
from accel666.errors import Unauthenticated
from accel666.workflow import logs
from accel666.workflow.operators import Operator

log = logs.get_logger("accel666.service.auth")

SESSION_COOKIE = "accel666_session"


class TooManyFailures(Exception):
    """This client failed to authenticate too often lately; it may try again in `retry_after`
    seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed authentications; retry in {retry_after} s")
        self.retry_after = retry_after


class Gate:
    """Authenticates requests and counts each client address's recent failures."""

    def __init__(self, engine: Engine, *, failures: int, window: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.failures = failures
        self.window = window
        self.clock = clock
        self._failed: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def operator(self, request: Request, *, cookie: bool = False) -> Operator:
        """The operator the request's bearer token (or, for `cookie`, the dashboard's session
        cookie) belongs to; Unauthenticated or TooManyFailures otherwise."""
        token = _bearer(request.headers.get("authorization"))
        if token is None and cookie:
            token = request.cookies.get(SESSION_COOKIE)
        return self.authenticate(request, token)

    def authenticate(self, request: Request, token: str | None) -> Operator:
        """The operator holding `token`. A wrong token counts against the client's budget and
        is logged (its address and the reason, never the token); no token (reason "missing")
        is neither. TooManyFailures while the budget is spent, whatever the token."""
        client = request.client.host if request.client else "unknown"
        self._check_budget(client)
        try:
            if token is None:
                raise Unauthenticated("missing")
            return self.engine.authenticate(token)
        except Unauthenticated as exc:
            if exc.reason != "missing":
                self._fail(client)
                log.warning("auth.failed", client=client, reason=exc.reason,
                            path=request.url.path)
            raise

    def _check_budget(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            recent = self._failed.get(client)
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if recent is not None and not recent:
                del self._failed[client]
            elif recent is not None and len(recent) >= self.failures:
                raise TooManyFailures(max(1, math.ceil(recent[0] + self.window - now)))

    def _fail(self, client: str) -> None:
        with self._lock:
            self._failed.setdefault(client, deque()).append(self.clock())


def _bearer(header: str | None) -> str | None:
    if header is None or not header.strip():
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return ""  # present but not a bearer token: malformed, and counted as a failure
    return credentials.strip()
