"""A receiver cannot lose a delivery or stall the sweep: no redirect is followed, one deadline
bounds the whole attempt, at most 64 KiB of the answer is read, and a stopping process ends an
attempt under way.

Each receiver here is a raw socket server on the loopback, scripted byte by byte.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from accel666 import InvalidInput, models
from accel666.workflow.adapters import webhook
from accel666.workflow.deadlines import outbox
from tests.escalation.esc_support import drive
from tests.helpers import CODE_B, cst

CLOSE = cst(2020, 8, 31, 0, 0, 1)


@dataclass
class Script:
    """What one scripted receiver saw and did."""

    requests: list[bytes] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)
    sent: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    url: str = ""


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest


@contextmanager
def scripted(answer: Callable[[socket.socket, Script], None]) -> Iterator[Script]:
    """A server that reads each request, then lets `answer` write to the connection."""
    script = Script()
    server = socket.create_server(("127.0.0.1", 0))
    script.url = f"http://127.0.0.1:{server.getsockname()[1]}/hook"

    def serve() -> None:
        while not script.stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                script.requests.append(_read_request(conn))
                script.received.set()
                with contextlib.suppress(OSError):  # the client went away: what limits are for
                    answer(conn, script)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield script
    finally:
        script.stop.set()
        with contextlib.suppress(OSError):
            server.shutdown(socket.SHUT_RDWR)  # wakes the accept() under way
        server.close()
        thread.join(timeout=30)


def redirect(conn: socket.socket, script: Script) -> None:
    conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\n"
                 b"Content-Length: 0\r\n\r\n")


def trickle(conn: socket.socket, script: Script) -> None:
    """A status line, then one header byte at a time, 20 ms apart, for 4 s; then a good end.
    Each read waits far less than any timeout: only a deadline for the whole attempt ends it."""
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    for _ in range(200):
        if script.stop.wait(0.02):
            return
        conn.sendall(b"X-Slow: a\r\n"[: 1 + script.sent % 11][-1:])
        script.sent += 1
    conn.sendall(b"\r\nContent-Length: 0\r\n\r\n")


def flood(conn: socket.socket, script: Script) -> None:
    """A 2xx announcing 300 MB, sent for as long as the client reads."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 314572800\r\n\r\n")
    chunk = b"0" * 65536
    while script.sent < 314572800 and not script.stop.is_set():
        conn.sendall(chunk)
        script.sent += len(chunk)


def hang(conn: socket.socket, script: Script) -> None:
    """Read the request, answer nothing until the test ends."""
    script.stop.wait(60)


LONGEST = "http://127.0.0.1:9/" + "a" * (webhook.MAX_ENDPOINT - 19)
PRINTABLE = "expected a URL in printable ASCII without spaces (percent-encode other characters)"


@pytest.mark.parametrize(("url", "reason", "value"), [
    ("ftp://127.0.0.1/hook", "expected an http:// or https:// URL", "ftp://127.0.0.1/hook"),
    ("http://127.0.0.1/a hook", PRINTABLE, "http://127.0.0.1/a hook"),
    ("http://127.0.0.1/a\x07", PRINTABLE, "http://127.0.0.1/a\x07"),
    ("http://127.0.0.1/café", PRINTABLE, "http://127.0.0.1/café"),
    (LONGEST + "a", f"at most {webhook.MAX_ENDPOINT} characters (got {webhook.MAX_ENDPOINT + 1})",
     LONGEST[:40] + "…"),
    ("http://127.0.0.1:99999/hook", "not a valid URL: Port out of range 0-65535",
     "http://127.0.0.1:99999/hook"),
    ("http:///hook", "expected a URL with a host, e.g. https://ops.example/hook", "http:///hook"),
])
def test_a_webhook_that_cannot_be_posted_to_is_refused_before_anything_is_queued(url, reason,
                                                                                 value):
    with pytest.raises(InvalidInput) as err:
        webhook.check_webhook(url)
    assert (err.value.field, err.value.reason, err.value.value) == ("webhook", reason, value)


def test_a_webhook_of_the_longest_length_is_accepted():
    assert len(LONGEST) == webhook.MAX_ENDPOINT
    assert webhook.check_webhook(LONGEST) == LONGEST


def test_a_redirect_is_a_failed_attempt_naming_its_location():
    with scripted(redirect) as receiver:
        error = webhook.post_json(receiver.url, {"id": 1}, "k1", timeout=5)
    assert error is not None
    assert error.startswith("HTTP 302 Found: redirect to http://127.0.0.1:9/elsewhere not followed")
    assert len(receiver.requests) == 1 and receiver.requests[0].startswith(b"POST /hook ")


def test_one_deadline_bounds_the_whole_attempt_however_the_bytes_trickle():
    with scripted(trickle) as receiver:
        error = webhook.post_json(receiver.url, {"id": 1}, "k1", timeout=0.5)
        trickled = receiver.sent
    assert error == f"no complete answer from {receiver.url} within 0.5 s"
    assert trickled < 200  # the receiver had not finished its answer


def test_at_most_64_kib_of_an_answer_is_read():
    with scripted(flood) as receiver:
        error = webhook.post_json(receiver.url, {"id": 1}, "k1", timeout=30)
        receiver.stop.set()
    assert error is None  # a 2xx: delivered, whatever it goes on to say
    # The client stopped reading: the server could push no more than the sockets' buffers hold.
    assert receiver.sent < 32 * 1024 * 1024


def test_setting_cancel_ends_an_attempt_under_way():
    cancel = threading.Event()
    with scripted(hang) as receiver:
        def stop_when_received() -> None:
            receiver.received.wait(30)
            cancel.set()

        stopper = threading.Thread(target=stop_when_received)
        stopper.start()
        error = webhook.post_json(receiver.url, {"id": 1}, "k1", timeout=3600, cancel=cancel)
        stopper.join()
    assert error == f"interrupted posting to {receiver.url}: the process is stopping"


def test_ending_an_attempt_whose_socket_is_already_closed_is_harmless():
    conn = http.client.HTTPConnection("127.0.0.1", 9)
    closed = socket.socket()
    closed.close()
    conn.sock = closed
    watchdog = webhook.Watchdog(conn, 0, None)
    assert watchdog.fired is None
    watchdog._abort("deadline")  # what its thread does; shutting down a closed socket fails
    assert watchdog.fired == "deadline"


def test_a_delivery_redirected_is_not_marked_delivered(engine, clock):
    drive(engine, clock.set, "docked")
    with scripted(redirect) as receiver:
        run = engine.escalate(CLOSE, webhook=receiver.url)
    assert (run.delivery.delivered, run.delivery.retrying) == (1, 1)  # the log, the webhook
    (escalation,) = engine.escalations()
    web = next(d for d in escalation.deliveries if d.notifier == "webhook")
    assert (web.status, web.attempts) == ("pending", 1)
    assert "redirect to http://127.0.0.1:9/elsewhere not followed" in web.last_error


def test_a_cancelled_round_ends_the_attempt_under_way_and_leaves_the_rest(engine, clock):
    """What the scheduler does on SIGTERM: the hung delivery ends as a failed attempt, the
    next is not attempted, and the following round (same moment) takes it at once."""
    drive(engine, clock.set, "docked")
    drive(engine, clock.set, "docked", code=CODE_B)
    cancel = threading.Event()
    with scripted(hang) as receiver:
        def stop_when_received() -> None:
            receiver.received.wait(30)
            cancel.set()

        stopper = threading.Thread(target=stop_when_received)
        stopper.start()
        run = engine.escalate(CLOSE, webhook=receiver.url, cancel=cancel)
        stopper.join()
    assert (run.delivery.attempted, run.delivery.retrying) == (3, 1)  # 2 logs, 1 webhook
    first, second = (next(d for d in e.deliveries if d.notifier == "webhook")
                     for e in engine.escalations())
    assert (first.attempts, first.status) == (1, "pending")
    assert first.last_error == f"interrupted posting to {receiver.url}: the process is stopping"
    assert (second.attempts, second.status) == (0, "pending")
    # Its lease was given back: a round at the same moment takes it (the first waits its backoff).
    assert engine.deliver(CLOSE).attempted == 1


def test_stopping_the_scheduler_ends_a_hung_delivery(engine, clock):
    """SIGTERM's path (`Ticker.stop`) does not wait out a receiver that never answers."""
    from accel666.workflow.adapters.scheduler import build_scheduler

    drive(engine, clock.set, "docked")
    clock.set(CLOSE)
    with scripted(hang) as receiver:
        scheduler = build_scheduler(engine, timedelta(minutes=15), webhook=receiver.url)
        tick = threading.Thread(target=scheduler.ticker, args=["start"])
        tick.start()
        assert receiver.received.wait(30)
        scheduler.ticker.stop()
        tick.join()
    (escalation,) = engine.escalations()
    web = next(d for d in escalation.deliveries if d.notifier == "webhook")
    assert web.last_error == f"interrupted posting to {receiver.url}: the process is stopping"


def test_a_lease_is_given_back_by_its_holder_alone(engine, clock):
    """A round gives back the deliveries it did not attempt, never one another round holds."""
    drive(engine, clock.set, "docked")
    engine.sweep(CLOSE)
    now = CLOSE.astimezone(UTC)
    (row,) = outbox.claim(engine.db, "log", "holder", now, 0, timedelta(minutes=1))
    outbox.release(engine.db, "another", [row.id])
    assert _lease(engine, row.id) == ("holder", now + timedelta(minutes=1))
    outbox.release(engine.db, "holder", [row.id])
    assert _lease(engine, row.id) == (None, None)


def _lease(engine, delivery_id: int) -> tuple[object, object]:
    d = models.delivery_table.c
    with engine.db.connect() as conn:
        return tuple(conn.execute(select(d.lease_owner, d.lease_until)
                                  .where(d.id == delivery_id)).one())
