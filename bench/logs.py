"""The benchmarks' structlog set-up: what a host service would configure, kept off stdout."""

from __future__ import annotations

import logging
import os

import structlog


def quiet(level: str = "warning") -> None:
    """Events below `level` are dropped by structlog's filtering logger; the rest are rendered
    as JSON lines to /dev/null, so that logging at info costs what it costs a host service."""
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(ensure_ascii=False, default=str),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=open(os.devnull, "w")),  # noqa: SIM115
        cache_logger_on_first_use=False,
    )
