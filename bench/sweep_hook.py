"""The sweep section of `python -m bench`: bench/sweep_bench.py, on a throw-away PostgreSQL
database of its own (it drops and recreates the accel666 tables there and makes copies of that
database beside it)."""

from __future__ import annotations

from collections.abc import Sequence

from bench import databases, sweep_bench
from bench.report import Report


def run(report: Report, sizes: Sequence[int], pg_admin_url: str | None) -> None:
    if pg_admin_url is None:
        sweep_bench.run(list(sizes), report=report)
        return
    with databases.pg_database(pg_admin_url) as url:
        sweep_bench.run(list(sizes), pg_url=url, report=report)
