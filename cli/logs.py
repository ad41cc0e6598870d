"""Logging for the command line: structlog to stderr, console on a terminal, else JSON lines."""

from __future__ import annotations

import logging
import sys

import structlog


def configure(level: str = "info", as_json: bool | None = None) -> None:
    """Send structured log events to stderr. `as_json=None` means: JSON unless stderr is a tty."""
    if as_json is None:
        as_json = not sys.stderr.isatty()
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False, default=str) if as_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
