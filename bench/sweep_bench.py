"""How long the escalation sweep takes on many projects.

    python -m bench.sweep_bench                 # 100_000 projects in a fresh SQLite file
    python -m bench.sweep_bench -n 20000 --pg postgresql+psycopg://postgres@127.0.0.1/bench

(Run it with -m from the repository root: `python bench/sweep_bench.py` would put bench/ first
on sys.path, where bench/transitions.py hides the `transitions` package.) `run(sizes, pg_url,
emit)` is what `python -m bench` calls.

Creates N projects of batch 2020-1 with bulk Core inserts, about 30% of them still in a state
that is overdue once its window closes, then times, at a moment when every level is due: the
first sweep (records L1, L2 and L3 for each overdue project and queues their log deliveries),
a second sweep (nothing to do), a dry run, the log deliveries, and the `overdue` query.
With --pg URL the same runs on PostgreSQL too: the accel666 tables in that database are DROPPED
and created afresh. Prints `name: value unit` lines.
"""

from __future__ import annotations

import argparse
import logging
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import func, insert, select

import models
from workflow import Engine, load_policy

CST = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2020, 7, 1, 12, tzinfo=CST).astimezone(UTC)
NOW = datetime(2020, 11, 8, 0, 0, 1, tzinfo=CST)  # every level of every phase is due
OVERDUE_STATES = ("docked", "applied", "recommended", "reviewed", "signed")
SETTLED_STATES = ("published", "rejected", "withdrawn")
CHUNK = 10_000


def projects(n: int, share: float, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    regions = list(load_policy().regions)
    rows = []
    for i in range(n):
        overdue = rng.random() < share
        state = rng.choice(OVERDUE_STATES if overdue else SETTLED_STATES)
        rows.append({"title": f"project {i}", "enterprise": f"enterprise {i}",
                     "credit_code": f"9132{i:014d}", "region": rng.choice(regions),
                     "category": "demo", "batch": "2020-1", "state": state, "version": 1,
                     "created_at": CREATED, "updated_at": CREATED, "head_hash": ""})
    return rows


Emit = Callable[[str], None]


def timed(emit: Emit, name: str, action: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = action()
    emit(f"{name}: {time.perf_counter() - start:.3f} s")
    return result


def one(emit: Emit, label: str, url: str, rows: list[dict[str, Any]]) -> None:
    """Every figure for one database; `label` prefixes the names (e.g. sweep.sqlite.100000)."""
    with Engine(url, create_schema=False) as engine:
        models.metadata.drop_all(engine.db)
        models.metadata.create_all(engine.db)

        def load() -> None:
            with models.writing(engine.db) as conn:
                for i in range(0, len(rows), CHUNK):
                    conn.execute(insert(models.project_table), rows[i:i + CHUNK])

        overdue = sum(r["state"] in OVERDUE_STATES for r in rows)
        emit(f"{label}.projects: {len(rows)} count")
        emit(f"{label}.overdue_projects: {overdue} count")
        timed(emit, f"{label}.insert_projects", load)
        dry = timed(emit, f"{label}.dry_run", lambda: engine.sweep(NOW, dry_run=True))
        first = timed(emit, f"{label}.first_sweep", lambda: engine.sweep(NOW))
        second = timed(emit, f"{label}.second_sweep", lambda: engine.sweep(NOW))
        emit(f"{label}.escalations_recorded: {first.total} count")
        emit(f"{label}.deliveries_queued: {first.enqueued} count")
        emit(f"{label}.second_sweep_recorded: {second.total} count")
        if not dry.total == first.total == 3 * overdue or second.total != 0:
            raise RuntimeError(f"unexpected counts: dry {dry.total}, first {first.total}, "
                               f"second {second.total}, overdue {overdue}")
        report = timed(emit, f"{label}.deliver_log", lambda: engine.deliver(NOW))
        emit(f"{label}.deliveries_done: {report.delivered} count")
        listed = timed(emit, f"{label}.overdue_query", lambda: engine.overdue(now=NOW))
        emit(f"{label}.overdue_listed: {len(listed)} count")
        with engine.db.connect() as conn:
            count = conn.execute(select(func.count()).select_from(models.escalation_table))
            if count.scalar_one() != first.total:
                raise RuntimeError("the escalation table does not hold what the sweep recorded")


def run(sizes: Sequence[int], pg_url: str | None = None, emit: Emit = print, *,
        share: float = 0.3, seed: int = 666, sqlite_path: Path | None = None) -> None:
    """For each size: the figures on a fresh SQLite file, then on `pg_url` if given (its
    accel666 tables are dropped and recreated)."""
    # The log notifier would print one event per escalation; keep only errors.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    for n in sizes:
        rows = projects(n, share, seed)
        with tempfile.TemporaryDirectory() as tmp:
            path = sqlite_path or Path(tmp) / "bench.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            one(emit, f"sweep.sqlite.{n}", f"sqlite:///{path}", rows)
        if pg_url:
            one(emit, f"sweep.postgres.{n}", pg_url, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--projects", type=int, default=100_000)
    parser.add_argument("--overdue", type=float, default=0.3, help="share of overdue projects")
    parser.add_argument("--seed", type=int, default=666)
    parser.add_argument("--sqlite", type=Path, default=None,
                        help="SQLite file to use (replaced); default: a temporary file")
    parser.add_argument("--pg", default=None, metavar="URL",
                        help="also run on this PostgreSQL database (its accel666 tables are "
                             "dropped and recreated)")
    args = parser.parse_args()
    run([args.projects], args.pg, print, share=args.overdue, seed=args.seed,
        sqlite_path=args.sqlite)


if __name__ == "__main__":
    main()
