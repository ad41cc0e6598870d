"""The library's log events, handed to the standard `logging` module under the `accel666` logger.

Each module logs events, not sentences: `log.info("transition", project=3, to_state="applied")`.
The host's logging configuration decides where they go; a host that configures nothing sees
nothing (the `accel666` logger carries a NullHandler, so Python's last-resort handler stays
silent). Each record carries the event's fields as a dict in its `accel666` attribute, and its
message renders them as `transition project=3 to_state='applied'` for a plain formatter.
The library does not use the process's structlog configuration: it never prints by itself
(the command line renders these records with structlog's ProcessorFormatter).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

ROOT = "accel666"
FIELDS = "accel666"  # the LogRecord attribute that holds an event's fields

logging.getLogger(ROOT).addHandler(logging.NullHandler())


class Event:
    """A record's message: the event's fields, rendered only if a formatter asks for them."""

    __slots__ = ("fields",)

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.fields = fields

    def __str__(self) -> str:
        rest = " ".join(f"{k}={v!r}" for k, v in self.fields.items() if k != "event")
        return f"{self.fields.get('event', '')} {rest}".rstrip()


class EventLog:
    """The logger of one part of the library: `log.info("transition", project=3, …)`.

    An event below the stdlib logger's level costs one level check (a state change logs one at
    INFO on its hot path); the others become records with their fields attached.
    """

    __slots__ = ("_logger",)

    def __init__(self, name: str) -> None:
        self._logger = logging.getLogger(name)

    def _emit(self, level: int, event: str, fields: dict[str, Any]) -> None:
        if self._logger.isEnabledFor(level):
            record = {**fields, "event": event}
            self._logger.log(level, Event(record), extra={FIELDS: record}, stacklevel=3)

    def debug(self, event: str, **fields: Any) -> None:
        self._emit(logging.DEBUG, event, fields)

    def info(self, event: str, **fields: Any) -> None:
        self._emit(logging.INFO, event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._emit(logging.WARNING, event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._emit(logging.ERROR, event, fields)


def get_logger(name: str) -> EventLog:
    """The event logger for `name`, a logger under `accel666`."""
    return EventLog(name)
