"""`Idempotency-Key`: a POST retried with a key already served gets the first answer again
(marked `Idempotent-Replayed: true`) and changes nothing.

Keys belong to the operator that sent them, as authenticated before this middleware runs (so
that however its Authorization header is spelled, a retry is the same operator's, operators
never see each other's answers, and a replay to an operator since revoked is 401). The request
a key stands for is its method, path, query, content type, If-Match and body; the same key with
another request is 422; while the first request with a key is still being served, another is
409 (retry shortly). Answers that changed nothing and may be retried as they are (401, 429,
5xx) are not kept. The body is read once into a spool (in memory up to a bound, on disk past
it) and given to the route from there.
"""

from __future__ import annotations

import hashlib
import tempfile
from typing import IO, Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accel666 import Engine, WorkflowError
from accel666.service import storage as served
from accel666.service.auth import OPERATOR
from accel666.service.limits import refuse
from accel666.service.problems import send_problem
from accel666.workflow.operators import Operator

HEADER = b"idempotency-key"
KEPT_HEADERS = ("content-type", "etag", "location")
_NOT_KEPT = {401, 429}
PIECE = 64 * 1024  # how much of a spooled body is given to the route at a time


def owner(operator: Operator) -> str:
    """Whose keys these are: the operator's, by its id (never given twice)."""
    return f"operator:{operator.id}"


def request_digest(method: str, path: str, query: bytes, content_type: bytes, if_match: bytes
                   ) -> Any:
    """A SHA-256 of the request's head (its body is added to it as it is read)."""
    digest = hashlib.sha256(b"\n".join((method.encode(), path.encode(), query, content_type,
                                        if_match)))
    digest.update(b"\n")
    return digest


def fingerprint(method: str, path: str, body: bytes, *, query: bytes = b"",
                content_type: bytes = b"", if_match: bytes = b"") -> str:
    """The fingerprint of a whole request, as the middleware makes it."""
    digest = request_digest(method, path, query, content_type, if_match)
    digest.update(body)
    return str(digest.hexdigest())


class Idempotency:
    """ASGI middleware: answer a POST with a served Idempotency-Key from what was kept."""

    def __init__(self, app: ASGIApp, *, spool_bytes: int) -> None:
        self.app = app
        self.spool_bytes = spool_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        key_raw = headers.get(HEADER)
        operator: Operator | None = scope.get(OPERATOR)
        if scope["type"] != "http" or scope["method"] != "POST" or key_raw is None \
                or operator is None:
            await self.app(scope, receive, send)
            return
        key = key_raw.decode("latin-1")
        if not 1 <= len(key) <= 255 or not all(33 <= ord(c) <= 126 for c in key):
            await refuse(scope, receive, send, 400, "Idempotency-Key must be 1 to 255 visible "
                         "ASCII characters", kind="InvalidInput",
                         extra={"error": "InvalidInput", "field": "Idempotency-Key"})
            return
        digest = request_digest(scope["method"], scope["path"], scope.get("query_string", b""),
                                headers.get(b"content-type", b""), headers.get(b"if-match", b""))
        with tempfile.SpooledTemporaryFile(max_size=self.spool_bytes) as spool:
            if not await _spool(receive, spool, digest):
                return  # the client left before its body was whole
            engine: Engine = scope["app"].state.engine
            who = owner(operator)
            try:
                found = await run_in_threadpool(served.claim, engine.db, who, key,
                                                digest.hexdigest(), engine.now())
            except WorkflowError as exc:  # the database could not say (Unavailable): 503
                await _problem(send, exc.http_status, exc.message, scope,
                               {k: v for k, v in exc.to_dict().items() if k != "message"})
                return
            if found.outcome == "replay":
                await _send(send, found.status or 200, found.headers, found.body, replayed=True)
            elif found.outcome == "mismatch":
                await _problem(send, 422, "this Idempotency-Key was already used for a "
                               "different request", scope, {"error": "KeyReused"})
            elif found.outcome == "in_progress":
                await _problem(send, 409, "a request with this Idempotency-Key is still being "
                               "served; retry shortly", scope, {"error": "InProgress"},
                               retry_after=True)
            else:
                await self._serve(scope, spool, receive, send, engine, who, key)

    async def _serve(self, scope: Scope, spool: IO[bytes], receive: Receive, send: Send,
                     engine: Engine, who: str, key: str) -> None:
        answer: dict[str, Any] = {"status": 500, "headers": {}, "body": []}
        left = spool.tell()
        spool.seek(0)
        given = False

        async def from_spool() -> Message:
            nonlocal given, left
            if given:  # the body was given whole: what comes now is the client leaving
                return await receive()
            piece = spool.read(min(PIECE, left))
            left -= len(piece)
            given = left == 0
            return {"type": "http.request", "body": piece, "more_body": not given}

        async def keeping(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = {k.decode("latin-1").lower(): v.decode("latin-1")
                                     for k, v in message.get("headers", [])
                                     if k.decode("latin-1").lower() in KEPT_HEADERS}
            elif message["type"] == "http.response.body":
                answer["body"].append(message.get("body", b""))
            await send(message)

        kept = False
        try:
            await self.app(scope, from_spool, keeping)
            status = int(answer["status"])
            if status not in _NOT_KEPT and status < 500:
                await run_in_threadpool(served.complete, engine.db, who, key, status,
                                        answer["headers"], b"".join(answer["body"]))
                kept = True
        finally:
            if not kept:
                await run_in_threadpool(served.release, engine.db, who, key)


async def _spool(receive: Receive, spool: IO[bytes], digest: Any) -> bool:
    """Read the request body into `spool`, adding it to `digest`: was it read whole?"""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return False
        chunk = message.get("body", b"")
        digest.update(chunk)
        spool.write(chunk)
        if not message.get("more_body", False):
            return True


async def _send(send: Send, status: int, headers: dict[str, str], body: bytes, *,
                replayed: bool = False) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    if replayed:
        raw.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _problem(send: Send, status: int, detail: str, scope: Scope, extra: dict[str, Any], *,
                   retry_after: bool = False) -> None:
    await send_problem(scope, send, status, detail, kind=extra["error"], extra=extra,
                       headers={"Retry-After": "1"} if retry_after else None)
