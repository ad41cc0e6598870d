"""Logging for the command line: the library's events on stderr, console on a terminal, else
JSON lines. The library hands its events to `logging` under the `accel666` logger; the command
line is the host that decides where they go."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

from accel666.workflow.logs import FIELDS, ROOT

_installed: list[logging.Handler] = []


def _fields(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]
            ) -> MutableMapping[str, Any]:
    """Start from the event's own fields; a record from elsewhere keeps its message."""
    record: logging.LogRecord = event_dict["_record"]
    fields = getattr(record, FIELDS, None)
    if isinstance(fields, dict):
        return {**fields, "_record": record, "_from_structlog": False}
    return event_dict


# The events the command's own output says already, in the person's language: a refusal (its
# error line) and a transition (its success line). On a terminal they are not said twice.
TOLD = frozenset({"refused", "transition"})


class _NotTwice(logging.Filter):
    """Drops the library's events a command's own output tells a person already."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = getattr(record, FIELDS, None)
        return not (isinstance(fields, dict) and fields.get("event") in TOLD)


def configure(level: str = "info", as_json: bool | None = None, stream: TextIO | None = None
              ) -> None:
    """Send the library's events at `level` and above to `stream` (default: stderr).
    `as_json=None` means: JSON unless the stream is a terminal. On a terminal, read by a
    person, the events its output tells already (TOLD) are left out; JSON keeps them all.
    Calling it again replaces the previous set-up."""
    out = sys.stderr if stream is None else stream
    terminal = out.isatty()
    json_lines = not terminal if as_json is None else as_json
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False, default=str)
        if json_lines else structlog.dev.ConsoleRenderer(colors=terminal)
    )
    handler = logging.StreamHandler(out)
    if not json_lines:
        handler.addFilter(_NotTwice())
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[_fields, structlog.stdlib.add_log_level,
                           structlog.processors.TimeStamper(fmt="iso", utc=True)],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    ))
    logger = logging.getLogger(ROOT)
    for old in _installed:
        logger.removeHandler(old)
    _installed[:] = [handler]
    logger.addHandler(handler)
    logger.setLevel(getattr(logging, level.upper()))
    logger.propagate = False
