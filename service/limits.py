"""Bounds on what a request may send: the body's size, before anything is read into memory, and
how long a client may pause while sending it; and answering a request before its body.

A body over its bound is answered 413 (a declared Content-Length at once, a body sent without
one when it passes the bound); a body that stops coming for `idle` seconds is answered 408.
An answer given before the body was read (413 here; 401, 429 and 400 of the middleware after
this one) first reads the rest of the body and throws it away, up to `discard_bytes`: most
clients send their whole body before they read, and a connection closed under them while they
send loses the answer ("broken pipe", "connection reset"). A client that asked to be told
before it sends (`Expect: 100-continue`), or a body declared past `discard_bytes`, is answered
at once and the connection closed. An upload may be as large as the policy's
max_document_bytes plus the JSON bound for the rest of its form.
"""

from __future__ import annotations

import contextlib
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accel666.service.problems import send_problem

# Where the most of the request's body that may be thrown away is kept in its scope, for the
# middleware after this one that answers before the body (limits.refuse).
DISCARD = "accel666.discard"


class BodyTooLarge(Exception):
    """The request body passed its bound while being read."""


class BodyStalled(Exception):
    """The client stopped sending the request body for longer than the service waits."""


class BodyLimit:
    """ASGI middleware: refuse request bodies over `json_bytes` (an upload, apply, may add the
    policy's max_document_bytes) and bodies that stall for `idle_seconds`."""

    def __init__(self, app: ASGIApp, *, json_bytes: int, discard_bytes: int,
                 idle_seconds: float) -> None:
        self.app = app
        self.json_bytes = json_bytes
        self.discard_bytes = discard_bytes
        self.idle_seconds = idle_seconds

    def bound(self, scope: Scope) -> int:
        """The most bytes this request's body may hold."""
        if scope["path"].endswith("/apply"):
            policy = scope["app"].state.engine.policy
            return int(policy.materials.max_document_bytes) + self.json_bytes
        return self.json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bound = self.bound(scope)
        scope[DISCARD] = self.discard_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > bound):
            await refuse(scope, receive, send, 413, _too_large(bound), idle=self.idle_seconds,
                         kind="InvalidInput",
                         extra={"error": "InvalidInput", "field": "body", "limit": bound})
            return
        seen = 0
        ended = over = stalled = started = False

        async def bounded() -> Message:
            nonlocal seen, ended, over, stalled
            if ended:  # the whole body was read: what comes now is the client leaving
                return await receive()
            try:
                with anyio.fail_after(self.idle_seconds):
                    message = await receive()
            except TimeoutError:
                stalled = True
                raise BodyStalled from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > bound:
                    over = True
                    raise BodyTooLarge
                ended = not message.get("more_body", False)
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if over or stalled:  # the answer is the 413 or 408, whatever the app made of it
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        # The app may let the cut-short read escape, or turn it into an answer of its own (a
        # framework's "error parsing the body"): either way the answer is the 413 or 408.
        with contextlib.suppress(BodyTooLarge, BodyStalled):
            await self.app(scope, bounded, tracking)
        if started:
            return
        if over:
            whole = await discard(receive, self.discard_bytes, self.idle_seconds)
            await _answer(scope, send, 413, _too_large(bound), whole, kind="InvalidInput",
                          extra={"error": "InvalidInput", "field": "body", "limit": bound})
        elif stalled:
            await _answer(scope, send, 408, f"the request body stopped coming for "
                          f"{self.idle_seconds:g} s", False, kind="InvalidInput",
                          extra={"error": "InvalidInput", "field": "body",
                                 "reason": "stalled"})


def _too_large(bound: int) -> str:
    return f"the request body is over this call's {bound} bytes"


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope.get("headers", []) if k == name), None)


async def discard(receive: Receive, most: int, idle: float | None) -> bool:
    """Read the rest of the request body and throw it away, up to `most` bytes, each part within
    `idle` seconds of the last (None: `receive` has its own bound): was the body read to its
    end?"""
    seen = 0
    try:
        while True:
            with anyio.fail_after(idle):
                message = await receive()
            if message["type"] != "http.request":
                return False
            seen += len(message.get("body", b""))
            if not message.get("more_body", False):
                return True
            if seen > most:
                return False
    except (TimeoutError, BodyTooLarge, BodyStalled):
        return False


async def refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str, *,
                 idle: float | None = None, **options: Any) -> None:
    """Answer the request with a problem (`options` as for problems.problem) before its body
    was read: the body is read and thrown away first when the client will send it anyway and
    it is not declared past what may be thrown away (else the connection is closed after the
    answer). `idle` bounds each read, unless `receive` (BodyLimit's) bounds it already."""
    most = int(scope.get(DISCARD, 0))
    declared = _header(scope, b"content-length")
    expecting = (_header(scope, b"expect") or b"").lower() == b"100-continue"
    chunked = _header(scope, b"transfer-encoding") is not None
    if expecting or (declared is None and not chunked):
        whole = declared is None and not chunked  # no body was sent
    elif declared is not None and (not declared.isdigit() or int(declared) > most):
        whole = False
    else:
        whole = await discard(receive, most, idle)
    await _answer(scope, send, status, detail, whole, **options)


async def _answer(scope: Scope, send: Send, status: int, detail: str, whole: bool,
                  **options: Any) -> None:
    """The problem, closing the connection after it unless the request was read whole."""
    headers = dict(options.pop("headers", None) or {})
    if not whole or status in (408, 413):
        headers["Connection"] = "close"
    await send_problem(scope, send, status, detail, headers=headers, **options)
