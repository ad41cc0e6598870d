"""Scale: engine transitions per second with 10k, 100k (and 1M) projects already stored.

Each size gets its own database, filled with set-based INSERT … SELECT through the bare driver
(one docked project and its log row each, with a placeholder hash: nothing here verifies their
chains), then ANALYZEd. The engine and the floor then take new projects through the lifecycle
in chunks, interleaved over sizes and sides; the figures are the medians. A flat engine keeps
its transitions/s as the table grows, as the floor does (its statements all go by primary key).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC
from pathlib import Path

import psycopg

from bench import databases, plan, sides
from bench.report import Report, median

_AT = plan.STEPS[0].at
_HASH = "0" * 64
_SQLITE_PROJECTS = """
INSERT INTO accel666_project (title, enterprise, credit_code, region, category, batch, state,
                              version, paper_copies, head_hash, created_at, updated_at)
WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?)
SELECT 'bulk ' || i, 'bulk enterprise ' || i, printf('P%017d', i), '320500', 'demo', '2020-1',
       'docked', 1, NULL, ?, ?, ? FROM n
"""
_PG_PROJECTS = """
INSERT INTO accel666_project (title, enterprise, credit_code, region, category, batch, state,
                              version, paper_copies, head_hash, created_at, updated_at)
SELECT 'bulk ' || i, 'bulk enterprise ' || i, 'P' || lpad(i::text, 17, '0'), '320500', 'demo',
       '2020-1', 'docked', 1, NULL, %(hash)s, %(at)s, %(at)s
FROM generate_series(%(low)s::bigint, %(high)s::bigint) AS i
"""
_LOG = """
INSERT INTO accel666_transition (project_id, seq, event, from_state, to_state, actor, role,
                                 scope, at, payload, hash)
SELECT id, 1, 'dock', NULL, 'docked', 'bulk', 'tencent', NULL, created_at, {empty}, head_hash
FROM accel666_project WHERE id > {last}
"""


def label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def fill_sqlite(path: Path, low: int, high: int) -> None:
    """Add projects `low`..`high` (numbers, inclusive) and their dock rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN IMMEDIATE")
        last = conn.execute("SELECT coalesce(max(id), 0) FROM accel666_project").fetchone()[0]
        when = _AT.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        conn.execute(_SQLITE_PROJECTS, (low, high, _HASH, when, when))
        conn.execute(_LOG.format(last=int(last), empty="'{}'"))
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def fill_pg(url: str, low: int, high: int) -> None:
    with psycopg.connect(databases.conninfo(url), autocommit=True) as conn:
        with conn.transaction():
            last = conn.execute("SELECT coalesce(max(id), 0) FROM accel666_project").fetchone()
            conn.execute(_PG_PROJECTS, {"at": _AT, "hash": _HASH, "low": low, "high": high})
            conn.execute(_LOG.format(last=int(last[0]) if last else 0, empty="'{}'::json"))
        conn.execute("VACUUM ANALYZE accel666_project")
        conn.execute("VACUUM ANALYZE accel666_transition")
        conn.execute("CHECKPOINT")


def measure(report: Report, case: str, kind: str, urls: dict[int, str], projects: int,
            rounds: int) -> None:
    """Time engine and floor chunks on every size's database, all interleaved: each round
    visits every size (in alternating order) and runs both sides there (alternating who leads),
    so a burst of noise on this shared machine falls on all sizes alike."""
    os.sync()  # the fills' dirty pages would otherwise slow the timed commits' fsyncs
    opened = {size: (sides.open_side("engine", kind, url), sides.open_side("floor", kind, url))
              for size, url in urls.items()}
    taken: dict[tuple[int, str], list[float]] = {}
    try:
        for engine, floor in opened.values():
            engine.run(sides.new_codes(3))  # warm-up
            floor.run(sides.new_codes(3))
        for r in range(rounds):
            order = list(opened.items()) if r % 2 == 0 else list(reversed(opened.items()))
            for size, (engine, floor) in order:
                pair = [("engine", engine), ("floor", floor)]
                for name, side in pair if r % 2 == 0 else reversed(pair):
                    taken.setdefault((size, name), []).append(sides.timed(side, projects))
    finally:
        for engine, floor in opened.values():
            engine.close()
            floor.close()
    for size in urls:
        report.figure(f"scale.{case}.{label(size)}", 1e6 / median(taken[size, "engine"]),
                      "transitions/s")
        report.figure(f"scale.{case}.{label(size)}.floor", 1e6 / median(taken[size, "floor"]),
                      "transitions/s")
    if len(urls) > 1:
        first, last = label(min(urls)), label(max(urls))
        for suffix in ("", ".floor"):
            report.ratio(f"scale.{case}{suffix}.slowdown_{last}_vs_{first}",
                         f"scale.{case}.{first}{suffix}", f"scale.{case}.{last}{suffix}")


def run(report: Report, sizes: Sequence[int], projects: int, rounds: int, workdir: Path,
        pg_url: str | None) -> None:
    """One database per size, filled first; then the interleaved measurement."""
    paths = {size: databases.fresh_sqlite(workdir / f"scale-{label(size)}.db") for size in sizes}
    for size, path in paths.items():
        fill_sqlite(path, 1, size)
    measure(report, "sqlite_full", "sqlite_full",
            {size: databases.sqlite_url(path) for size, path in paths.items()}, projects, rounds)
    for path in paths.values():
        databases.remove_sqlite(path)
    if pg_url is not None:
        with ExitStack() as stack:
            urls = {size: stack.enter_context(databases.pg_database(pg_url)) for size in sizes}
            for size, url in urls.items():
                fill_pg(url, 1, size)
            measure(report, "pg_1", "pg", urls, projects, rounds)
