"""Bounds on what a request may send: the body's size, before anything is read into memory.

A body over its bound is answered 413 without being read further (a declared Content-Length
is refused at once; a chunked body when it passes the bound). An upload may be as large as
the policy's max_document_bytes plus the JSON bound for the rest of its form.
"""

from __future__ import annotations

import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accel666.service.problems import send_problem


class BodyTooLarge(Exception):
    """The request body passed its bound while being read."""


class BodyLimit:
    """ASGI middleware: refuse request bodies over `json_bytes`; an upload (apply) may add the
    policy's max_document_bytes."""

    def __init__(self, app: ASGIApp, *, json_bytes: int) -> None:
        self.app = app
        self.json_bytes = json_bytes

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
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > bound):
            await _too_large(scope, send, bound)
            return
        seen = 0
        over = started = False

        async def bounded() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > bound:
                    over = True
                    raise BodyTooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if over:  # the answer is the 413, whatever the app made of the body cut short
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        # The app may let the cut-short read escape, or turn it into an answer of its own (a
        # framework's "error parsing the body"): either way the answer is the 413.
        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, bounded, tracking)
        if over and not started:
            await _too_large(scope, send, bound)


async def _too_large(scope: Scope, send: Send, bound: int) -> None:
    await send_problem(scope, send, 413, f"the request body is over this call's {bound} bytes",
                       headers={"Connection": "close"},
                       extra={"error": "InvalidInput", "field": "body", "limit": bound})
