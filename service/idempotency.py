"""`Idempotency-Key`: a POST retried with a key already served gets the first answer again
(marked `Idempotent-Replayed: true`) and changes nothing.

Keys belong to the credentials that sent them (the SHA-256 of the Authorization header), so
operators never see each other's answers. The same key with a different request is 422; while
the first request with a key is still being served, another is 409 (retry shortly). Answers
that changed nothing and may be retried as they are (401, 429, 5xx) are not kept.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accel666 import Engine
from accel666.service import storage as served
from accel666.service.problems import send_problem

HEADER = b"idempotency-key"
KEPT_HEADERS = ("content-type", "etag", "location")
_NOT_KEPT = {401, 429}


class Idempotency:
    """ASGI middleware: answer a POST with a served Idempotency-Key from what was kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        key_raw = headers.get(HEADER)
        if scope["type"] != "http" or scope["method"] != "POST" or key_raw is None:
            await self.app(scope, receive, send)
            return
        key = key_raw.decode("latin-1")
        if not 1 <= len(key) <= 255 or not all(33 <= ord(c) <= 126 for c in key):
            await _problem(send, 400, "Idempotency-Key must be 1 to 255 visible ASCII "
                           "characters", scope, {"error": "InvalidInput",
                                                         "field": "Idempotency-Key"})
            return
        body = await _read(receive)
        engine: Engine = scope["app"].state.engine
        who = hashlib.sha256(headers.get(b"authorization", b"")).hexdigest()
        fingerprint = hashlib.sha256(b"\n".join((
            scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""),
            headers.get(b"content-type", b""), body))).hexdigest()
        found = await run_in_threadpool(served.claim, engine.db, who, key, fingerprint,
                                        engine.now())
        if found.outcome == "replay":
            await _send(send, found.status or 200, found.headers, found.body, replayed=True)
            return
        if found.outcome == "mismatch":
            await _problem(send, 422, "this Idempotency-Key was already used for a different "
                           "request", scope, {"error": "KeyReused"})
            return
        if found.outcome == "in_progress":
            await _problem(send, 409, "a request with this Idempotency-Key is still being "
                           "served; retry shortly", scope, {"error": "InProgress"},
                           retry_after=True)
            return
        await self._serve(scope, body, send, engine, who, key)

    async def _serve(self, scope: Scope, body: bytes, send: Send, engine: Engine, who: str,
                     key: str) -> None:
        answer: dict[str, Any] = {"status": 500, "headers": {}, "body": []}
        given = False

        async def replay_body() -> Message:
            nonlocal given
            if given:
                return {"type": "http.disconnect"}
            given = True
            return {"type": "http.request", "body": body, "more_body": False}

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
            await self.app(scope, replay_body, keeping)
            status = int(answer["status"])
            if status not in _NOT_KEPT and status < 500:
                await run_in_threadpool(served.complete, engine.db, who, key, status,
                                        answer["headers"], b"".join(answer["body"]))
                kept = True
        finally:
            if not kept:
                await run_in_threadpool(served.release, engine.db, who, key)


async def _read(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


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
