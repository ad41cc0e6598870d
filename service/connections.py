"""Connections as `accel666 serve` accepts them, so that no client can hold the service: at most
so many open at once, each request head bounded in time and in size.

A worker holds at most `cap` connections, below its limit of open files whatever it is told,
so that it always has files left to accept and refuse with; a connection past the cap is
answered 503 at once and closed (should a burst of connections still run the worker out of
files, it stops accepting for a second). A request head (the request line and headers) must
arrive whole within `header_seconds` of the connection being accepted or of the previous
answer, and hold at most `head_bytes`; else the connection is closed (431 for a head too
large). Each of these is logged once per `log_seconds` with how many there were since, never
once per connection.

This is the HTTP/1.1 protocol of uvicorn (h11) with these bounds added; `accel666 serve` runs
it on every worker.
"""

from __future__ import annotations

import asyncio
import json
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from accel666.workflow import logs

log = logs.get_logger("accel666.service.connections")
KIB = 1024
# Files a worker keeps for itself beyond its connections (its database, logs, spooled bodies,
# the sockets it refuses with): at least this many, or an eighth of its limit.
RESERVE = 64


@dataclass(frozen=True)
class ConnectionLimits:
    """The bounds on connections: see the module's description. `max_connections` None is as
    many as the limit of open files leaves (it is lowered to that if set above it)."""

    header_seconds: float = 10.0
    head_bytes: int = 16 * KIB
    max_connections: int | None = None
    log_seconds: float = 60.0

    def files(self) -> int:
        """The worker's limit of open files."""
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        return 1 << 20 if soft == resource.RLIM_INFINITY else int(soft)

    def reserve(self) -> int:
        """The files a worker keeps for itself beyond the connections it holds."""
        return max(RESERVE, self.files() // 8)

    def cap(self) -> int:
        """The most connections a worker holds open at once."""
        room = max(1, self.files() - self.reserve())
        return room if self.max_connections is None else max(1, min(self.max_connections, room))


def _problem(status: int, title: str, detail: str, **extra: object) -> bytes:
    """A whole HTTP/1.1 answer carrying a problem document, closing the connection."""
    body = json.dumps({**extra, "type": f"urn:accel666:problem:{title.lower().replace(' ', '-')}",
                       "title": title, "status": status, "detail": detail}).encode()
    head = (f"HTTP/1.1 {status} {title}\r\ncontent-type: application/problem+json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n"
            + ("retry-after: 1\r\n" if status == 503 else "") + "\r\n")
    return head.encode("latin-1") + body


BUSY = _problem(503, "Service Unavailable", "the service holds as many connections as it may; "
                "retry shortly", error="Unavailable", reason="connections")
HEAD_TOO_LARGE = _problem(431, "Request Header Fields Too Large", "the request line and "
                          "headers are over the service's bound", error="InvalidInput",
                          field="headers")


@dataclass
class _Tally:
    """How often something happened since it was last logged, logged once per interval."""

    event: str
    last: float | None = None
    since: int = 0

    def count(self, every: float, **fields: object) -> None:
        self.since += 1
        now = time.monotonic()
        if self.last is None or now - self.last >= every:
            log.warning(self.event, count=self.since, **fields)
            self.last, self.since = now, 0


@dataclass
class _Worker:
    """What the connections of one worker share: its cap and the tallies."""

    limits: ConnectionLimits
    cap: int
    refused: _Tally = field(default_factory=lambda: _Tally("connections.refused"))
    timed_out: _Tally = field(default_factory=lambda: _Tally("connections.head_timed_out"))
    too_large: _Tally = field(default_factory=lambda: _Tally("connections.head_too_large"))
    malformed: _Tally = field(default_factory=lambda: _Tally("connections.malformed"))
    out_of_files: _Tally = field(default_factory=lambda: _Tally("connections.out_of_files"))


_WORKERS: dict[int, _Worker] = {}


def _worker(state: ServerState, limits: ConnectionLimits, loop: asyncio.AbstractEventLoop
            ) -> _Worker:
    """The worker's shared state, made with its first connection (which also makes the loop's
    warnings of running out of files once an interval)."""
    found = _WORKERS.get(id(state))
    if found is None:
        found = _WORKERS[id(state)] = _Worker(limits, limits.cap())
        loop.set_exception_handler(_accept_failures(found, loop.get_exception_handler()))
    return found


OUT_OF_FILES = "socket.accept() out of system resource"
Handler = Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object]


def _accept_failures(worker: _Worker, previous: Handler | None) -> Handler:
    """The loop's exception handler: a failure to accept for want of files (the loop stops
    accepting for a second) is counted and logged once an interval; the rest as before."""
    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") == OUT_OF_FILES:
            worker.out_of_files.count(worker.limits.log_seconds, cap=worker.cap)
        elif previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    return handle


class _Quieter:
    """uvicorn's logger for a connection, but for its warning about a malformed request, which
    is counted and logged once per interval instead of once per request."""

    MALFORMED = "Invalid HTTP request received."

    def __init__(self, logger: Any, worker: _Worker) -> None:
        self._logger = logger
        self._worker = worker

    def warning(self, message: str, *args: Any, **kwargs: Any) -> None:
        if message == self.MALFORMED:
            self._worker.malformed.count(self._worker.limits.log_seconds)
        else:
            self._logger.warning(message, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._logger, name)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, with a cap on open connections and a bound on the time and
    size of each request head."""

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None, *,
                 limits: ConnectionLimits | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = limits or ConnectionLimits()
        self.worker = _worker(server_state, self.limits, self.loop)
        self.logger = cast(Any, _Quieter(self.logger, self.worker))
        self.refused = False
        self.head_timer: asyncio.TimerHandle | None = None
        self.head_seen = 0  # bytes of the request head being received

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.worker.cap:
            self._refuse(transport)
            return
        super().connection_made(transport)
        self._await_head()

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if self.conn.their_state is h11.IDLE:  # a request head is being received
            end = data.find(b"\r\n\r\n")
            self.head_seen += len(data) if end < 0 else end + 4
            if self.head_seen > self.limits.head_bytes:
                self.worker.too_large.count(self.limits.log_seconds, bound=self.limits.head_bytes)
                self._close_with(HEAD_TOO_LARGE)
                return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self.head_seen = 0

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        if not self.refused:
            super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()  # the next request's head, within the bound again

    # -- the head's time ------------------------------------------------------------------

    def _await_head(self) -> None:
        self._stop_head_timer()
        self.head_seen = 0
        self.head_timer = self.loop.call_later(self.limits.header_seconds, self._head_late)

    def _stop_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_late(self) -> None:
        self.head_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request came and is being served: its body has bounds of its own
        if not self.transport.is_closing():
            self.worker.timed_out.count(self.limits.log_seconds,
                                        seconds=self.limits.header_seconds)
            self.transport.close()

    # -- refusing past the cap --------------------------------------------------------------

    def _refuse(self, transport: asyncio.Transport) -> None:
        """Answer 503 and close, at once: the file is free again before the next connection."""
        self.refused = True
        self.transport = transport
        self.worker.refused.count(self.limits.log_seconds, cap=self.worker.cap)
        transport.write(BUSY)
        transport.close()

    def _close_with(self, answer: bytes) -> None:
        self._stop_head_timer()
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()
