"""The library's log events, handed to the standard `logging` module under the `accel666` logger.

Each module logs events, not sentences: `log.info("transition", project=3, to_state="applied")`.
The host's logging configuration decides where they go; a host that configures nothing sees
nothing (the `accel666` logger carries a NullHandler, so Python's last-resort handler stays
silent). Each record carries the event's fields as a dict in its `accel666` attribute, and its
message renders them as `transition project=3 to_state='applied'` for a plain formatter.
The structlog configuration of the process is not used: the library never prints by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

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


def _to_record(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]
               ) -> tuple[tuple[Any, ...], dict[str, Any]]:
    fields = dict(event_dict)
    return (Event(fields),), {"extra": {FIELDS: fields}}


def get_logger(name: str) -> Any:
    """A structlog logger for `name` (under `accel666`) that drops events below the stdlib
    logger's level before doing any work, and hands the rest to `logging`."""
    return structlog.wrap_logger(
        logging.getLogger(name),
        processors=[structlog.stdlib.filter_by_level, _to_record],
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
