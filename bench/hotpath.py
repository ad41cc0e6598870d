"""Where an engine transition spends its time: cProfile over the lifecycle of new projects.

    python -m bench.hotpath                       # SQLite, synchronous=FULL
    python -m bench.hotpath --case pg             # PostgreSQL, one connection
    python -m bench.hotpath --top 40              # and pstats' own top-40 by tottime

Prints, for the engine and then the floor, the profiled time per transition grouped by who
spends it (driver, SQLAlchemy statement building, SQLAlchemy execution, the state machine,
accel666's own code, ...), then accel666's functions by cumulative share. cProfile inflates
Python-heavy code (SQLAlchemy) more than C calls (the driver): read shares, not absolutes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench import databases, logs, sides

CASES = ("sqlite_full", "sqlite_normal", "pg")
ROOT = str(Path(__file__).resolve().parent.parent) + "/"
_DRIVER_C = ("sqlite3.Cursor", "sqlite3.Connection")
GROUPS = (  # (group, test on the function's file name), first match wins
    ("driver (sqlite3, psycopg)", lambda f: "site-packages/psycopg" in f),
    ("SQLAlchemy sql: building statements, cache keys", lambda f: "sqlalchemy/sql/" in f),
    ("SQLAlchemy engine/pool/events: executing", lambda f: "sqlalchemy/" in f),
    ("transitions (the state machine)", lambda f: "site-packages/transitions" in f),
    ("structlog", lambda f: "site-packages/structlog" in f),
    ("bench (the driving loop)", lambda f: f.startswith(ROOT + "bench/")),
    ("accel666 (workflow, models, policies)", lambda f: f.startswith(ROOT)),
)


def group(filename: str, name: str) -> str:
    if any(c in name for c in _DRIVER_C):
        return GROUPS[0][0]
    return next((g for g, test in GROUPS if test(filename)),
                "stdlib and builtins (json, hashlib, datetime, contextlib, ...)")


def profiled(side: sides.Side, projects: int) -> tuple[pstats.Stats, int]:
    side.run(sides.new_codes(5))  # warm-up: connections, compiled-statement cache
    codes = sides.new_codes(projects)
    profiler = cProfile.Profile()
    profiler.enable()
    done = side.run(codes)
    profiler.disable()
    return pstats.Stats(profiler), done


def breakdown(title: str, stats: pstats.Stats, done: int, functions: int) -> None:
    raw: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values())
    print(f"\n== {title}: {total / done * 1e6:.0f} µs/transition under cProfile")
    by_group: Counter[str] = Counter()
    ours = []
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in raw.items():
        by_group[group(filename, name)] += own
        if filename.startswith(ROOT) and not filename.startswith(ROOT + "bench/"):
            ours.append((cumulative, calls, f"{filename.removeprefix(ROOT)}:{line}({name})"))
    for key, own in by_group.most_common():
        print(f"  {own / done * 1e6:7.0f} µs  {own / total * 100:5.1f}%  {key}")
    if ours:
        print("  accel666 functions by cumulative time (callees included):")
        for cumulative, calls, where in sorted(ours, reverse=True)[:functions]:
            print(f"  {cumulative / total * 100:5.1f}%  {cumulative / calls * 1e6:7.0f} µs/call "
                  f"{calls:6d} calls  {where}")


def compare(kind: str, url: str, projects: int, functions: int, top: int) -> None:
    for name in ("engine", "floor"):
        side = sides.open_side(name, kind, url)
        try:
            stats, done = profiled(side, projects)
        finally:
            side.close()
        breakdown(f"{kind} {name}", stats, done, functions)
        if top and name == "engine":
            stats.strip_dirs().sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hotpath", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=CASES, default="sqlite_full")
    parser.add_argument("--projects", type=int, default=300)
    parser.add_argument("--functions", type=int, default=25,
                        help="how many accel666 functions to list (default: %(default)s)")
    parser.add_argument("--top", type=int, default=0, help="also pstats' top N by tottime")
    parser.add_argument("--pg", default=databases.DEFAULT_PG, metavar="URL")
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    logs.quiet(args.log_level)
    if args.case == "pg":
        why = databases.pg_unreachable(args.pg)
        if why is not None:
            print(f"pg: skipped (no PostgreSQL server answers at {args.pg}: {why})")
            return 1
        with databases.pg_database(args.pg) as url:
            compare("pg", url, args.projects, args.functions, args.top)
        return 0
    with tempfile.TemporaryDirectory(prefix="accel666_hotpath_") as tmp:
        url = databases.sqlite_url(databases.fresh_sqlite(Path(tmp) / "hotpath.db"))
        compare(args.case, url, args.projects, args.functions, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
