"""`python -m bench`: every benchmark, one `name: value unit` line per figure, then the ratios.

    python -m bench                # SQLite and PostgreSQL, about three minutes
    python -m bench --quick        # tiny sizes, a few seconds: the smoke test's run
    python -m bench --full         # adds the 1M-project scale and sweep sizes
    python -m bench --only transitions,startup --no-pg
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bench import (
    databases,
    http_bench,
    import_bench,
    lists,
    logs,
    memory,
    scale,
    startup,
    sweep_hook,
    throughput,
)
from bench.report import Report

SECTIONS = ("transitions", "memory", "startup", "scale", "sweep", "import", "lists", "http")


@dataclass(frozen=True)
class Plan:
    transitions: throughput.Sizes
    startup_runs: int
    scale_sizes: tuple[int, ...]
    scale_projects: int
    scale_rounds: int
    memory_projects: int
    sweep_sizes: tuple[int, ...]
    import_rows: int = 100_000
    list_projects: int = 20_000
    http_projects: int = 200


QUICK = Plan(throughput.Sizes(projects=4, rounds=3, workers=2, warmup=1), startup_runs=1,
             scale_sizes=(1_000, 2_000), scale_projects=3, scale_rounds=1, memory_projects=5,
             sweep_sizes=(1_000,), import_rows=200, list_projects=300, http_projects=8)
DEFAULT = Plan(throughput.Sizes(projects=200, rounds=5), startup_runs=7,
               scale_sizes=(10_000, 100_000), scale_projects=60, scale_rounds=5,
               memory_projects=500, sweep_sizes=(100_000,))
FULL = replace(DEFAULT, scale_sizes=(10_000, 100_000, 1_000_000),
               sweep_sizes=(100_000, 1_000_000))


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="tiny sizes (seconds; the smoke test)")
    size.add_argument("--full", action="store_true", help="add the 1M-project sizes")
    parser.add_argument("--pg", default=databases.DEFAULT_PG, metavar="URL",
                        help="PostgreSQL admin URL; throw-away databases are created and dropped "
                             "there (default: %(default)s)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--only", default=",".join(SECTIONS), metavar="NAME[,NAME]",
                        help=f"run only these sections: {', '.join(SECTIONS)}")
    parser.add_argument("--log-level", default="warning",
                        choices=("debug", "info", "warning", "error"),
                        help="the engine's structlog level, rendered as JSON to /dev/null "
                             "(default: %(default)s, i.e. transition events dropped)")
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; use {', '.join(SECTIONS)}")
    return args


def postgres(report: Report, args: argparse.Namespace) -> str | None:
    if args.no_pg:
        report.skipped("pg", "--no-pg")
        return None
    why = databases.pg_unreachable(args.pg)
    if why is not None:
        report.skipped("pg", f"no PostgreSQL server answers at {args.pg}: {why}")
        return None
    return str(args.pg)


def transitions(report: Report, plan: Plan, workdir: Path, pg_url: str | None,
                log_level: str) -> None:
    sizes = plan.transitions
    report.note(f"transitions: {sizes.projects} projects x 6 events per run, {sizes.rounds} runs "
                "a side, engine and floor interleaved; medians")
    throughput.run_sqlite(report, sizes, workdir)
    if pg_url is not None:
        with databases.pg_database(pg_url) as url:
            throughput.run_pg(report, sizes, url, log_level)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    plan = QUICK if args.quick else FULL if args.full else DEFAULT
    only = set(args.only.split(","))
    started = time.perf_counter()
    report = Report()
    logs.quiet(args.log_level)
    mode = "quick" if args.quick else "full" if args.full else "default"
    report.note(f"accel666 bench ({mode}): Python {platform.python_version()}, SQLite "
                f"{sqlite3.sqlite_version}, {os.cpu_count()} CPUs, engine logs at {args.log_level}")
    pg_url = postgres(report, args)
    with tempfile.TemporaryDirectory(prefix="accel666_bench_") as tmp:
        workdir = Path(tmp)
        sections: dict[str, Callable[[], None]] = {
            "transitions": lambda: transitions(report, plan, workdir, pg_url, args.log_level),
            "memory": lambda: memory.run(report, plan.memory_projects, workdir, args.log_level),
            "startup": lambda: startup.run(report, plan.startup_runs, workdir),
            "scale": lambda: scale.run(report, plan.scale_sizes, plan.scale_projects,
                                       plan.scale_rounds, workdir, pg_url),
            "sweep": lambda: sweep_hook.run(report, plan.sweep_sizes, pg_url),
            "import": lambda: import_bench.run(plan.import_rows, 1 if args.quick else
                                               import_bench.RUNS, report),
            "lists": lambda: lists.run(report, plan.list_projects, 1 if args.quick else
                                       lists.RUNS),
            "http": lambda: http_bench.run(report, plan.http_projects, os.cpu_count() or 1,
                                           pg_url),
        }
        for name, section in sections.items():
            if name in only:
                began = time.perf_counter()
                section()
                report.note(f"{name} took {time.perf_counter() - began:.0f} s")
    report.print_ratios()
    report.figure("bench.wall_time", time.perf_counter() - started, "s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
