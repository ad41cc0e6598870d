"""Transition throughput: the engine beside its bare-driver floor, interleaved, medians.

Cases: a SQLite file with synchronous=FULL (the library's default) and NORMAL; PostgreSQL on
one connection; PostgreSQL with eight processes on disjoint projects.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import databases, sides
from bench.parallel import Pool
from bench.report import Report, median

# Targets from the issue: engine / floor.
TARGETS = {"sqlite_full": 2.0, "pg_1": 1.5, "pg_8": 1.5}


@dataclass(frozen=True)
class Sizes:
    projects: int  # per run; six transitions each
    rounds: int  # engine and floor alternate, first one then the other leading
    workers: int = 8
    warmup: int = 3  # projects per side before the timed rounds


def interleaved(report: Report, case: str, sizes: Sizes, engine: Callable[[], tuple[float, float]],
                floor: Callable[[], tuple[float, float]]) -> None:
    """Alternate engine and floor runs (who goes first alternates too); report the medians of
    wall time and of the client's own CPU time (the benchmark processes', not the server's)."""
    taken: dict[str, list[tuple[float, float]]] = {"engine": [], "floor": []}
    os.sync()  # start each case without the previous one's dirty pages in the way of fsync
    for r in range(sizes.rounds):
        order = [("engine", engine), ("floor", floor)]
        for name, run in order if r % 2 == 0 else reversed(order):
            taken[name].append(run())
    for name, values in taken.items():
        report.figure(f"transitions.{case}.{name}", median(v[0] for v in values),
                      "µs/transition")
        report.figure(f"transitions.{case}.{name}.client_cpu", median(v[1] for v in values),
                      "µs/transition")
    report.ratio(f"transitions.{case}", f"transitions.{case}.engine", f"transitions.{case}.floor",
                 TARGETS.get(case))
    report.ratio(f"transitions.{case}.client_cpu", f"transitions.{case}.engine.client_cpu",
                 f"transitions.{case}.floor.client_cpu")


def single(report: Report, case: str, kind: str, engine_url: str, floor_url: str,
           sizes: Sizes) -> None:
    engine, floor = sides.open_side("engine", kind, engine_url), sides.open_side("floor", kind,
                                                                                   floor_url)
    try:
        for side in (engine, floor):
            side.run(sides.new_codes(sizes.warmup))
        interleaved(report, case, sizes, lambda: sides.timed_with_cpu(engine, sizes.projects),
                    lambda: sides.timed_with_cpu(floor, sizes.projects))
    finally:
        engine.close()
        floor.close()


def run_sqlite(report: Report, sizes: Sizes, workdir: Path) -> None:
    for case in ("sqlite_full", "sqlite_normal"):
        urls = [databases.sqlite_url(databases.fresh_sqlite(workdir / f"{case}-{side}.db"))
                for side in ("engine", "floor")]
        single(report, case, case, urls[0], urls[1], sizes)


def run_pg(report: Report, sizes: Sizes, pg_url: str, log_level: str) -> None:
    """Both sides share one throw-away database; every run docks projects of its own."""
    single(report, "pg_1", "pg", pg_url, pg_url, sizes)
    pool = Pool(sizes.workers, log_level)
    try:
        each = max(1, sizes.projects // sizes.workers)
        for side in ("engine", "floor"):
            pool.timed(side, "pg", pg_url, 1)  # opens each worker's side, untimed
        interleaved(report, "pg_8", sizes, lambda: pool.timed("engine", "pg", pg_url, each),
                    lambda: pool.timed("floor", "pg", pg_url, each))
    finally:
        pool.close()
