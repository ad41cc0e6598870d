"""A receiver cannot lose a delivery or stall the sweep: no redirect is followed, one deadline
bounds the whole attempt, at most 64 KiB of the answer is read, and a stopping process ends an
attempt under way.

Each receiver here is a raw socket server on the loopback, scripted byte by byte.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from accel666 import InvalidInput, models
from accel666.policies.endpoint import MAX_ENDPOINT
from accel666.workflow.deadlines import outbox
from accel666.workflow.notifiers import LogNotifier, WebhookNotifier, webhook
from tests.credit_reference import reference_check, reference_org_check
from tests.escalation.esc_support import TICK, drive, scanning_in_storage_order
from tests.helpers import CODE_B, cst

CLOSE = cst(2020, 8, 31, 0, 0, 1)
LOG, WEBHOOK = LogNotifier(), WebhookNotifier()


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


LONGEST = "http://127.0.0.1:9/" + "a" * (MAX_ENDPOINT - 19)
PRINTABLE = "expected a URL in printable ASCII without spaces (percent-encode other characters)"


@pytest.mark.parametrize(("url", "reason", "value"), [
    ("ftp://127.0.0.1/hook", "expected an http:// or https:// URL", "ftp://127.0.0.1/hook"),
    ("http://127.0.0.1/a hook", PRINTABLE, "http://127.0.0.1/a hook"),
    ("http://127.0.0.1/a\x07", PRINTABLE, "http://127.0.0.1/a\x07"),
    ("http://127.0.0.1/café", PRINTABLE, "http://127.0.0.1/café"),
    (LONGEST + "a", f"at most {MAX_ENDPOINT} characters (got {MAX_ENDPOINT + 1})",
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
    assert len(LONGEST) == MAX_ENDPOINT
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
    from accel666.workflow.scheduler import build_scheduler

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
    (row,) = outbox.claim(engine.db, LOG, "holder", now, 0, timedelta(minutes=1))
    outbox.release(engine.db, "another", [row.id])
    assert _lease(engine, row.id) == ("holder", now + timedelta(minutes=1))
    outbox.release(engine.db, "holder", [row.id])
    assert _lease(engine, row.id) == (None, None)


def _lease(engine, delivery_id: int) -> tuple[object, object]:
    d = models.delivery_table.c
    with engine.db.connect() as conn:
        return tuple(conn.execute(select(d.lease_owner, d.lease_until)
                                  .where(d.id == delivery_id)).one())


def answering(status: bytes, *headers: bytes) -> Callable[[socket.socket, Script], None]:
    """A receiver answering every request with `status` (e.g. b"200 OK") and `headers`."""
    def answer(conn: socket.socket, script: Script) -> None:
        conn.sendall(b"HTTP/1.1 " + status + b"\r\n" + b"".join(h + b"\r\n" for h in headers)
                     + b"Content-Length: 0\r\n\r\n")
    return answer


def test_what_a_post_puts_on_the_wire():
    """The path `/` when the URL has none, its query kept; the headers as named here; the body
    JSON in UTF-8, not \\u escapes."""
    with scripted(answering(b"200 OK")) as receiver:
        base = receiver.url.removesuffix("/hook")
        assert webhook.post_json(base + "?a=1", {"note": "已催办"}, "k1", timeout=5) is None
    (raw,) = receiver.requests
    head, _, body = raw.partition(b"\r\n\r\n")
    request_line, *fields = head.split(b"\r\n")
    assert request_line == b"POST /?a=1 HTTP/1.1"
    assert sorted(fields) == sorted([
        b"Host: " + base.removeprefix("http://").encode(), b"Accept-Encoding: identity",
        b"Content-Length: %d" % len(body), b"Content-Type: application/json; charset=utf-8",
        b"Idempotency-Key: k1", b"User-Agent: accel666-escalation/1"])
    assert body == '{"note": "已催办"}'.encode()


REDIRECT = "not followed (give the webhook's final URL)"


@pytest.mark.parametrize(("status", "error"), [
    (b"200 OK", None),
    (b"299 Fine", None),
    (b"300 Multiple Choices", f"HTTP 300 Multiple Choices: redirect to http://127.0.0.1:9/a {REDIRECT}"),
    (b"399 Odd", f"HTTP 399 Odd: redirect to http://127.0.0.1:9/a {REDIRECT}"),
    (b"400 Bad Request", "HTTP 400 Bad Request"),
])
def test_what_an_answer_s_status_makes_of_an_attempt(status, error):
    with scripted(answering(status, b"Location: http://127.0.0.1:9/a")) as receiver:
        assert webhook.post_json(receiver.url, {"id": 1}, "k1", timeout=5) == error


def test_a_redirect_without_a_location_or_with_a_long_one():
    with scripted(answering(b"302 Found")) as receiver:
        bare = webhook.post_json(receiver.url, {"id": 1}, "k1", timeout=5)
    assert bare == f"HTTP 302 Found: redirect to (none) {REDIRECT}"
    far = "http://127.0.0.1:9/" + "b" * 300
    with scripted(answering(b"302 Found", b"Location: " + far.encode())) as receiver:
        long = webhook.post_json(receiver.url, {"id": 1}, "k1", timeout=5)
    assert long == f"HTTP 302 Found: redirect to {far[:200]} {REDIRECT}"


def test_a_receiver_that_hangs_up_without_answering():
    def hang_up(conn: socket.socket, script: Script) -> None:
        return  # the connection closes once the request is read

    with scripted(hang_up) as receiver:
        error = webhook.post_json(receiver.url, {"id": 1}, "k1", timeout=5)
    assert error == (f"RemoteDisconnected posting to {receiver.url}: "
                     "Remote end closed connection without response")


@pytest.mark.parametrize(("url", "error"), [
    ("http://127.0.0.1:99999/hook",
     "ValueError posting to http://127.0.0.1:99999/hook: Port out of range 0-65535"),
    ("http://" + "a" * 64 + ".example/hook",
     f"UnicodeError posting to http://{'a' * 64}.example/hook: encoding with 'idna' codec failed "
     "(UnicodeError: label empty or too long)"),
    # Stored before the host was checked: http.client would post these to this machine.
    ("http:///hook", "ValueError posting to http:///hook: the URL names no host"),
    ("http://:8080/hook", "ValueError posting to http://:8080/hook: the URL names no host"),
])
def test_a_url_that_cannot_be_sent_fails_before_connecting(url, error):
    assert webhook.post_json(url, {"id": 1}, "k1", timeout=1) == error


def bounded_attempt(url: str, timeout: float) -> list[str | None]:
    """post_json's outcome, [] if it has none after 10 s (the attempt left running, in vain)."""
    outcome: list[str | None] = []
    attempt = threading.Thread(target=lambda: outcome.append(
        webhook.post_json(url, {"id": 1}, "k1", timeout=timeout)), daemon=True)
    attempt.start()
    attempt.join(timeout=10)
    return outcome


def test_an_https_webhook_speaks_tls():
    """A plain-HTTP receiver on the port of an https:// URL is sent a TLS handshake, never the
    escalation in clear text."""
    with scripted(answering(b"200 OK")) as receiver:
        url = receiver.url.replace("http://", "https://")
        outcome = bounded_attempt(url, timeout=0.5)
    # The handshake waits for an answer that never comes: the timeout ends it.
    assert len(outcome) == 1 and (outcome[0] == f"no complete answer from {url} within 0.5 s"
                                  or outcome[0].startswith(f"cannot reach {url}: "))
    (raw,) = receiver.requests
    assert raw.startswith(b"\x16\x03")  # a TLS handshake record


def dribble(conn: socket.socket, script: Script) -> None:
    """No status line: a byte every 20 ms, never a line's end, until the test ends."""
    while not script.stop.wait(0.02):
        conn.sendall(b"x")
        script.sent += 1


def test_an_answer_cut_short_by_the_deadline_names_the_deadline():
    """The deadline shuts the socket mid-answer; the malformed remainder it leaves is not the
    reason given."""
    with scripted(dribble) as receiver:
        error = webhook.post_json(receiver.url, {"id": 1}, "k1", timeout=0.3)
    assert error == f"no complete answer from {receiver.url} within 0.3 s"


def test_a_connection_cut_short_by_the_deadline_names_the_deadline(monkeypatch):
    """A connection the receiver never completes (a TLS handshake left unanswered, say) ends
    when the deadline shuts its socket down; the failure says so, not the socket error."""
    ours, theirs = socket.socketpair()

    def connect(conn: http.client.HTTPConnection) -> None:
        conn.sock = ours
        ours.recv(1)  # returns once the watchdog shuts the socket down
        raise ConnectionResetError("the handshake was cut short")

    monkeypatch.setattr(http.client.HTTPConnection, "connect", connect)
    with theirs:
        error = webhook.post_json("http://127.0.0.1:9/hook", {"id": 1}, "k1", timeout=0.2)
    assert error == "no complete answer from http://127.0.0.1:9/hook within 0.2 s"


def test_the_watchdog_is_a_daemon_thread_named_for_what_it_does():
    watchdog = webhook.Watchdog(http.client.HTTPConnection("127.0.0.1", 9), 1, None)
    assert (watchdog.thread.name, watchdog.thread.daemon) == ("accel666-webhook-watchdog", True)


class Waits(threading.Event):
    """A watchdog's `done` that records each wait asked of it and ends the watch at the first."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.asked.append(timeout)
        self.set()
        return True


def _watched(monkeypatch, seconds: float, cancel: threading.Event | None) -> webhook.Watchdog:
    """A watchdog run once round its loop, its clock stopped at 100 s."""
    monkeypatch.setattr(webhook, "time", SimpleNamespace(monotonic=lambda: 100.0))
    watchdog = webhook.Watchdog(http.client.HTTPConnection("127.0.0.1", 9), seconds, cancel)
    watchdog.done = Waits()
    watchdog._watch()
    return watchdog


@pytest.mark.parametrize(("cancel", "asked"), [
    (None, [30.0]), (threading.Event(), [webhook.CANCEL_POLL_SECONDS])])
def test_the_watchdog_sleeps_until_the_deadline_unless_it_has_a_cancel_to_poll(
        monkeypatch, cancel, asked):
    watchdog = _watched(monkeypatch, 30, cancel)
    assert (watchdog.done.asked, watchdog.fired) == (asked, None)


def test_the_watchdog_ends_an_attempt_at_its_deadline_exactly(monkeypatch):
    watchdog = _watched(monkeypatch, 0, None)
    assert (watchdog.fired, watchdog.done.asked) == ("deadline", [])


def test_a_receiver_that_never_takes_the_connection_cannot_hold_the_attempt():
    """Its listen queue full, the receiver leaves the connection unanswered: the attempt's
    timeout ends the connect, where the watchdog has no socket yet to shut down."""
    with socket.create_server(("127.0.0.1", 0), backlog=0) as server:
        url = f"http://127.0.0.1:{server.getsockname()[1]}/hook"
        with socket.create_connection(server.getsockname()):  # the queue's one place
            outcome = bounded_attempt(url, timeout=0.5)
    assert len(outcome) == 1 and (outcome[0] == f"no complete answer from {url} within 0.5 s"
                                  or outcome[0] == f"cannot reach {url}: timed out")


DEAD = "http://127.0.0.1:9/hook"
MINUTE = timedelta(minutes=1)


def _row(engine, delivery_id: int) -> dict[str, object]:
    d = models.delivery_table.c
    with engine.db.connect() as conn:
        return dict(conn.execute(
            select(d.status, d.attempts, d.last_error, d.next_attempt_at, d.delivered_at,
                   d.lease_owner, d.lease_until).where(d.id == delivery_id)).one()._mapping)


def test_outcomes_are_written_by_the_lease_holder_alone_to_the_rows_they_are_for(engine, clock):
    drive(engine, clock.set, "docked")
    drive(engine, clock.set, "docked", code=CODE_B)
    engine.sweep(CLOSE, webhook=DEAD)
    now = CLOSE.astimezone(UTC)
    then = now + timedelta(seconds=30)
    log1, log2 = outbox.claim(engine.db, LOG, "holder", now, 0, MINUTE)
    web1, web2 = outbox.claim(engine.db, WEBHOOK, "holder", now, 0, MINUTE)
    held = {"status": "pending", "attempts": 0, "last_error": None, "next_attempt_at": now,
            "delivered_at": None, "lease_owner": "holder", "lease_until": now + MINUTE}
    success = outbox.outcome(log1, None, then, engine.policy, 5)
    failure = outbox.outcome(web1, "HTTP 500 Internal Server Error", then, engine.policy, 5)
    outbox.settle(engine.db, "another", then, [success, failure])  # not the lease's holder
    assert [_row(engine, r.id) for r in (log1, log2, web1, web2)] == [held] * 4
    outbox.settle(engine.db, "holder", then, [success])
    assert [_row(engine, r.id) for r in (log1, log2, web1, web2)] == [
        {**held, "status": "delivered", "attempts": 1, "next_attempt_at": then,
         "delivered_at": then, "lease_owner": None, "lease_until": None}, held, held, held]
    outbox.settle(engine.db, "holder", then, [failure])
    assert [_row(engine, r.id) for r in (log2, web1, web2)] == [
        held, {**held, "attempts": 1, "last_error": "HTTP 500 Internal Server Error",
               "next_attempt_at": then + MINUTE, "lease_owner": None, "lease_until": None},
        held]


@pytest.mark.parametrize(("notifier", "timeout", "lease"), [
    ("log", 10, 60), ("webhook", 1, 60), ("webhook", 5, 120)])
def test_a_round_that_dies_leaves_its_claim_to_others_when_the_lease_runs_out(
        engine, clock, monkeypatch, notifier, timeout, lease):
    """The lease is a minute for the log; for webhooks, long enough for every attempt of a
    claim (20) to time out, 20 × (timeout + 1) s, and a minute at least. It names its holder:
    host, process and round."""
    drive(engine, clock.set, "docked")
    engine.sweep(CLOSE, webhook=DEAD)
    now = CLOSE.astimezone(UTC)
    notify = outbox.notify

    def dying(used: object, row: object, *args: object) -> str | None:
        if getattr(used, "name", None) == notifier:
            raise RuntimeError("the process died")
        return notify(used, row, *args)

    with monkeypatch.context() as patched:
        patched.setattr(outbox, "notify", dying)
        with pytest.raises(RuntimeError):
            outbox.deliver(engine.db, engine.policy, now, engine.notifiers, timeout=timeout)
    (escalation,) = engine.escalations()
    (left,) = [d for d in escalation.deliveries if d.notifier == notifier]
    owner, until = _lease(engine, left.id)
    assert re.fullmatch(rf"{re.escape(socket.gethostname())}:{os.getpid()}:[0-9a-f]{{8}}",
                        str(owner))
    assert until == now + timedelta(seconds=lease)
    taking = engine.notifiers.get(notifier)
    assert outbox.claim(engine.db, taking, "other", until - TICK, 0, MINUTE) == []
    assert [r.id for r in outbox.claim(engine.db, taking, "other", until, 0, MINUTE)] == [
        left.id]


def test_a_notifier_with_no_way_to_deliver_is_a_failed_attempt(engine, clock):
    drive(engine, clock.set, "docked")
    engine.sweep(CLOSE, webhook=DEAD)
    (row,) = outbox.claim(engine.db, WEBHOOK, "holder", CLOSE.astimezone(UTC), 0, MINUTE)
    nowhere = SimpleNamespace(**{**row._asdict(), "endpoint": None})
    assert outbox.notify(WEBHOOK, nowhere, 1, engine.policy.zone) == (
        "no way to deliver with notifier 'webhook' (endpoint None)")


def _codes(n: int) -> list[str]:
    """`n` distinct valid credit codes, their check characters from the reference."""
    codes = []
    for i in range(n):
        org = f"{50000000 + i:08d}"
        first17 = "91320500" + org + reference_org_check(org)
        codes.append(first17 + reference_check(first17))
    return codes


def test_a_claim_takes_the_oldest_pending_deliveries_whatever_order_the_rows_are_stored_in(
        engine, clock):
    """A claim takes `claim_size` rows at most, the lowest ids first, and a round reads on
    from the highest id it took: the rows it takes must be the lowest, or one left below
    would wait for the next round. Rewriting the oldest rows moves them to the end of a
    PostgreSQL table, where a scan without an order would meet them last."""
    size = WEBHOOK.claim_size
    for code in _codes(size + 3):
        drive(engine, clock.set, "docked", code=code)
    engine.sweep(CLOSE, webhook=DEAD)
    with models.writing(engine.db) as conn:
        d = models.delivery_table.c
        ids = sorted(conn.execute(select(d.id).where(d.notifier == "webhook")).scalars())
        conn.execute(models.delivery_table.update().where(d.id.in_(ids[:3]))
                     .values(attempts=d.attempts))
    with scanning_in_storage_order(engine.db) as db:
        taken = outbox.claim(db, WEBHOOK, "holder", CLOSE.astimezone(UTC), 0, MINUTE)
    assert [r.id for r in taken] == ids[:size]

