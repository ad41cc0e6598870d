"""The deadlines part's extension point: the Notifier protocol, what a way of delivering
escalations to the world outside the database does, and the Notifiers an Engine hands over.

A round of deliveries takes the notifiers in the Engine's order. For each it claims up to
`claim_size` of its pending deliveries under a lease of `lease(timeout)`, then calls `deliver`
on each outside any transaction: None is a success; any other value is the reason the attempt
failed, which the outbox records and retries after a backoff until the policy's attempts run
out. An exception ends the round; the deliveries it claimed wait for their lease to run out.
The notifiers themselves (the log, the webhook) are in accel666.workflow.notifiers; this part
never imports them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from accel666.errors import InvalidInput, NotFound


@runtime_checkable
class Notifier(Protocol):
    """One way of delivering escalations (the log, a webhook, …)."""

    @property
    def name(self) -> str:
        """What its deliveries are recorded under: 1 to 16 of a-z, 0-9, `_` and `-`."""

    @property
    def claim_size(self) -> int:
        """How many deliveries one claim takes."""

    def lease(self, timeout: float) -> timedelta:
        """How long a claim is held: long enough for each of its attempts to end, an attempt
        taking at most `timeout` seconds. Then another round may take the deliveries over."""

    def check(self, target: str) -> str:
        """`target` if deliveries can go to it (a webhook's URL), else InvalidInput."""

    def deliver(self, payload: Mapping[str, Any], target: str | None, key: str,
                timeout: float, cancel: threading.Event | None) -> str | None:
        """Deliver one escalation: `payload` holds its fields and its project's (times in the
        programme's zone), `target` is where its delivery goes (None if the notifier takes
        none), `key` its idempotency key. At most `timeout` seconds; once `cancel` is set, an
        attempt under way should end. None on success, else what went wrong."""


# What a delivery row's notifier column holds.
NAME = re.compile(r"[a-z0-9_-]{1,16}")


class Notifiers:
    """Notifiers by name, in the order a round of deliveries takes them."""

    def __init__(self, notifiers: Iterable[Notifier]) -> None:
        if isinstance(notifiers, str | bytes) or not isinstance(notifiers, Iterable):
            raise InvalidInput("notifier", "expected notifiers, e.g. Notifiers([LogNotifier(), "
                               "WebhookNotifier()])", type(notifiers).__name__)
        by_name: dict[str, Notifier] = {}
        for notifier in notifiers:
            if not isinstance(notifier, Notifier):
                raise InvalidInput("notifier", "expected notifiers (name, claim_size, lease, "
                                   "check, deliver)", type(notifier).__name__)
            name = notifier.name
            if not isinstance(name, str) or not NAME.fullmatch(name):
                raise InvalidInput("notifier", "a notifier's name is 1 to 16 of a-z, 0-9, _ "
                                   "and -", name)
            if name in by_name:
                raise InvalidInput("notifier", "two notifiers have this name", name)
            if not isinstance(notifier.claim_size, int) or notifier.claim_size < 1:
                raise InvalidInput("notifier", f"{name}: a claim takes at least one delivery",
                                   notifier.claim_size)
            by_name[name] = notifier
        self._by_name = by_name

    def __iter__(self) -> Iterator[Notifier]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    @property
    def names(self) -> tuple[str, ...]:
        """The notifiers' names, in order."""
        return tuple(self._by_name)

    def get(self, name: str) -> Notifier:
        """The notifier named `name`; NotFound if there is none."""
        found = self._by_name.get(name)
        if found is None:
            known = ", ".join(self._by_name) or "none"
            raise NotFound("notifier", name, f"no notifier named {name!r} (this Engine's "
                           f"notifiers: {known})")
        return found

    def __repr__(self) -> str:
        return f"Notifiers({', '.join(self._by_name)})"
