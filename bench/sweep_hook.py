"""The sweep benchmark lives in bench/sweep_bench.py (its own author); this calls it if present.

Its contract: `run(sizes, pg_url=None, emit=print)`, emitting `name: value unit` lines; if it
also takes `report`, it gets the run's Report, so that its figures can carry targets and its
ratios (engine sweep / bare-SQL floor) are printed with the others. It drops and recreates the
accel666 tables at `pg_url` (and creates copies of that database beside it), so it gets a
throw-away database of its own.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from bench import databases
from bench.report import Report


def entry_point() -> Callable[..., Any] | str:
    """The sweep benchmark's `run`, or why there is none."""
    if importlib.util.find_spec("bench.sweep_bench") is None:
        return "no sweep benchmark"
    try:
        module = importlib.import_module("bench.sweep_bench")
    except Exception as exc:
        return f"bench/sweep_bench.py does not import: {type(exc).__name__}: {exc}"
    entry = getattr(module, "run", None)
    if not callable(entry):
        return "bench/sweep_bench.py has no run(sizes, pg_url=None, emit=print)"
    return entry


def run(report: Report, sizes: Sequence[int], pg_admin_url: str | None) -> None:
    entry = entry_point()
    if isinstance(entry, str):
        report.skipped("sweep", entry)
        return
    extra = {"report": report} if "report" in inspect.signature(entry).parameters else {}
    try:
        if pg_admin_url is None:
            entry(list(sizes), pg_url=None, emit=report.line, **extra)
        else:
            with databases.pg_database(pg_admin_url) as url:
                entry(list(sizes), pg_url=url, emit=report.line, **extra)
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        report.print(f"sweep: failed ({type(exc).__name__}: {exc})")
