"""The webhook notifier: POST an escalation as JSON to a receiver's URL, with an Idempotency-Key.

Which URLs qualify is checked before anything is queued (`check_webhook`); a POST's outcome is
None for a 2xx answer or the reason it failed, which the outbox records and retries. A receiver
cannot hold an attempt longer than its deadline, redirect it, or make it read a large answer.
`WebhookNotifier` is the notifier; `post_json` one attempt.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from accel666.errors import InvalidInput
from accel666.policies.endpoint import shown, webhook_fault

USER_AGENT = "accel666-escalation/1"
MAX_ANSWER = 64 * 1024  # of a receiver's answer, the most read
CANCEL_POLL_SECONDS = 0.2  # how soon a set `cancel` ends an attempt
MIN_LEASE_SECONDS = 60.0


def check_webhook(url: str) -> str:
    """The URL, if it is one a webhook can be posted to (`policies.endpoint`); else
    InvalidInput."""
    fault = webhook_fault(url)
    if fault is not None:
        raise InvalidInput("webhook", fault, shown(url))
    return url


@dataclass(frozen=True, kw_only=True)
class WebhookNotifier:
    """POSTs each escalation to the URL its delivery was queued with (the policy's webhook,
    or the one a sweep or a re-arm was given)."""

    name: str = "webhook"
    claim_size: int = 20

    def lease(self, timeout: float) -> timedelta:
        """Long enough for every attempt of a claim to time out, and a minute at least."""
        return timedelta(seconds=max(MIN_LEASE_SECONDS, self.claim_size * (timeout + 1)))

    def check(self, target: str) -> str:
        """The URL, if a webhook can be posted to it (`check_webhook`); else InvalidInput."""
        return check_webhook(target)

    def deliver(self, payload: Mapping[str, Any], target: str | None, key: str,
                timeout: float, cancel: threading.Event | None) -> str | None:
        """POST the escalation as JSON to `target` with `key` as its Idempotency-Key: None
        for a 2xx answer, else why the attempt failed (no URL, an error, a timeout, …)."""
        if not target:
            return f"no way to deliver with notifier {self.name!r} (endpoint {target!r})"
        return post_json(target, dict(payload), key, timeout, cancel)


class Watchdog:
    """Ends an attempt that outlives its deadline, or whose `cancel` is set: it shuts the
    connection's socket down from another thread, so that a receiver trickling bytes cannot
    stretch an attempt read by read, and a stopping process need not wait for one."""

    def __init__(self, conn: http.client.HTTPConnection, seconds: float,
                 cancel: threading.Event | None) -> None:
        self.conn = conn
        self.deadline = time.monotonic() + seconds
        self.cancel = cancel
        self.done = threading.Event()
        self.fired: str | None = None  # "deadline" or "cancel", once it has acted
        self.thread = threading.Thread(target=self._watch, name="accel666-webhook-watchdog",
                                       daemon=True)

    def _watch(self) -> None:
        while not self.done.is_set():
            left = self.deadline - time.monotonic()
            if self.cancel is not None and self.cancel.is_set():
                self._abort("cancel")
                return
            if left <= 0:
                self._abort("deadline")
                return
            self.done.wait(min(left, CANCEL_POLL_SECONDS if self.cancel is not None else left))

    def _abort(self, why: str) -> None:
        self.fired = why
        sock = self.conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: the attempt is over anyway
                # The plain socket's shutdown, under TLS too: it wakes a blocked read at once.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def __enter__(self) -> Watchdog:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.done.set()
        self.thread.join()


def post_json(url: str, body: dict[str, Any], key: str, timeout: float,
              cancel: threading.Event | None = None) -> str | None:
    """POST `body` as JSON with an Idempotency-Key; None when the receiver answered 2xx, else
    what went wrong.

    One deadline, `timeout` seconds, bounds the whole attempt (connect, send, read); redirects
    are not followed (a 3xx is a failed attempt naming its Location: a POST re-sent as a GET
    would deliver nothing); at most MAX_ANSWER bytes of the answer are read. Setting `cancel`
    ends an attempt under way at once."""
    try:
        parts = urllib.parse.urlsplit(url)
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        target.encode("ascii")  # what http.client will send; checked before connecting
        host = parts.hostname
        if not host:  # http.client would take "" for this machine
            raise ValueError("the URL names no host")
        host.encode("idna")
        port = parts.port
    except ValueError as exc:
        # A URL http.client cannot send (stored before the webhook check tightened, say): a
        # failed attempt, recorded and retried like any other, never a crash of the round.
        return f"{type(exc).__name__} posting to {url}: {exc}"
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key,
               "User-Agent": USER_AGENT}
    conn = kind(host, port, timeout=timeout)
    try:
        with Watchdog(conn, timeout, cancel) as watchdog:
            try:
                conn.connect()
            except OSError as exc:
                return _ended(watchdog, url, timeout) or f"cannot reach {url}: {exc}"
            try:
                conn.request("POST", target, body=data, headers=headers)
                response = conn.getresponse()
                response.read(MAX_ANSWER)  # what is left of a longer answer is never read
            except (OSError, http.client.HTTPException, ValueError) as exc:
                return (_ended(watchdog, url, timeout)
                        or f"{type(exc).__name__} posting to {url}: {exc}")
            if ended := _ended(watchdog, url, timeout):
                return ended
    finally:
        conn.close()
    if 200 <= response.status < 300:
        return None
    if 300 <= response.status < 400:
        where = response.getheader("Location", "(none)")
        return (f"HTTP {response.status} {response.reason}: redirect to {where[:200]} not "
                "followed (give the webhook's final URL)")
    return f"HTTP {response.status} {response.reason}"


def _ended(watchdog: Watchdog, url: str, timeout: float) -> str | None:
    """Why the watchdog ended the attempt, if it did."""
    if watchdog.fired == "cancel":
        return f"interrupted posting to {url}: the process is stopping"
    if watchdog.fired == "deadline":
        return f"no complete answer from {url} within {timeout:g} s"
    return None
