"""The benchmarks' logging set-up: what a host service would configure, kept off stdout."""

from __future__ import annotations

import os

from accel666.cli import logs


def quiet(level: str = "warning") -> None:
    """The library's events below `level` are dropped before any work; the rest are rendered
    as JSON lines into /dev/null, so that logging at info costs what it costs a host service."""
    logs.configure(level, as_json=True, stream=open(os.devnull, "w"))  # noqa: SIM115
