"""The request body as the service reads it, driven at the ASGI level (in process, on SQLite):
an answer given before the body (401, 413) first reads the rest of it and throws it away, a
body declared past what is thrown away is not read at all, and a body that stalls is 408."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI

from accel666.service import ServiceConfig, create_app

KIB = 1024


@asynccontextmanager
async def running(tmp_path, **config: Any) -> AsyncIterator[FastAPI]:
    app = create_app(ServiceConfig(db=f"sqlite:///{tmp_path / 'a.db'}", **config))
    async with app.router.lifespan_context(app):
        yield app


async def call(app: FastAPI, headers: dict[str, str], pieces: list[bytes], *,
               stall: float = 0.0) -> dict[str, Any]:
    """POST /projects with `pieces` of body (then, with `stall`, nothing for that long); what
    the app read of the body and the status, and whether it read before it answered."""
    seen = {"read": 0, "pieces": 0, "answered_after": None, "status": None, "headers": {}}
    queue = list(pieces)

    async def receive() -> dict[str, Any]:
        if not queue:
            if stall:
                await asyncio.sleep(stall)
            return {"type": "http.disconnect"}
        piece = queue.pop(0)
        seen["read"] += len(piece)
        seen["pieces"] += 1
        return {"type": "http.request", "body": piece, "more_body": bool(queue) or bool(stall)}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            seen["status"] = message["status"]
            seen["answered_after"] = seen["pieces"]
            seen["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/projects", "raw_path": b"/projects",
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
             "server": ("testserver", 80),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    await app(scope, receive, send)
    return seen


WRONG = {"Authorization": "Bearer a666_" + "x" * 43, "Content-Type": "application/json"}


def test_a_401_is_given_after_the_body_is_read_and_thrown_away(tmp_path):
    async def go() -> dict[str, Any]:
        async with running(tmp_path) as app:
            return await call(app, {**WRONG, "Content-Length": str(32 * KIB)},
                              [b" " * KIB] * 32)

    seen = asyncio.run(go())
    assert (seen["status"], seen["read"], seen["answered_after"]) == (401, 32 * KIB, 32)
    assert "connection" not in seen["headers"]  # read whole: the connection may go on


def test_a_413_is_given_after_the_body_is_read_and_thrown_away(tmp_path):
    async def go() -> dict[str, Any]:
        async with running(tmp_path, discard_bytes=256 * KIB) as app:
            return await call(app, {**WRONG, "Content-Length": str(128 * KIB)},
                              [b" " * KIB] * 128)

    seen = asyncio.run(go())
    assert (seen["status"], seen["read"], seen["answered_after"]) == (413, 128 * KIB, 128)
    assert seen["headers"]["connection"] == "close"


def test_a_body_declared_past_what_is_thrown_away_is_not_read(tmp_path):
    async def go() -> dict[str, Any]:
        async with running(tmp_path, discard_bytes=64 * KIB) as app:
            return await call(app, {**WRONG, "Content-Length": str(10 * 1024 * KIB)},
                              [b" " * KIB] * 4)

    seen = asyncio.run(go())
    assert (seen["status"], seen["read"]) == (413, 0)
    assert seen["headers"]["connection"] == "close"


def test_a_client_that_waits_for_100_continue_is_answered_before_it_sends(tmp_path):
    async def go() -> dict[str, Any]:
        async with running(tmp_path) as app:
            return await call(app, {**WRONG, "Content-Length": str(KIB),
                                    "Expect": "100-continue"}, [b" " * KIB])

    seen = asyncio.run(go())
    assert (seen["status"], seen["read"]) == (401, 0)
    assert seen["headers"]["connection"] == "close"


@pytest.mark.parametrize("who", ["a wrong token", "no token"])
def test_a_body_that_stalls_is_408_once_the_wait_has_passed(tmp_path, who):
    """A body that stops coming is answered 408 once `body_idle_seconds` (0.3 s here) have
    passed with nothing, measured: not before, and not long after."""
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    if who == "a wrong token":
        headers["Authorization"] = WRONG["Authorization"]

    async def go() -> tuple[dict[str, Any], float]:
        async with running(tmp_path, body_idle_seconds=0.3) as app:
            started = time.monotonic()
            seen = await call(app, headers, [b"{"], stall=30)
            return seen, time.monotonic() - started

    seen, took = asyncio.run(go())
    assert seen["status"] == 408  # the token was judged first, but its answer waits for the body
    assert seen["headers"]["connection"] == "close"
    assert 0.3 <= took < 2, took
