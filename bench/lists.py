"""How long the long lists take to print as text on an 80-column terminal, beside their JSON:
`list`, `overdue` and `escalations` over 20,000 projects (about 30% of them overdue, every
level of the ladder fired), each run as a command in a pseudo-terminal (`script`).

    python -m bench.lists              # 20,000 projects, SQLite, 3 runs a command

Target: text no slower than twice the command's own --json. Prints `name: value unit` lines,
then the ratios.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from accel666 import Engine, models
from bench import databases, sweep_bench
from bench.report import Report, median

COMMANDS = ("list", "overdue", "escalations")
TARGET = 2.0
RUNS = 3


def build(path: Path, n: int) -> str:
    """A SQLite file at the engine's schema with `n` projects, swept at the bench's moment."""
    url = databases.sqlite_url(databases.fresh_sqlite(path))
    rows = sweep_bench.projects(n, 0.3, 666)
    with Engine(url) as engine, models.writing(engine.db) as conn:
        for i in range(0, len(rows), sweep_bench.CHUNK):
            conn.execute(models.project_table.insert(), rows[i:i + sweep_bench.CHUNK])
    with Engine(url) as engine:
        engine.sweep(sweep_bench.NOW)
    return url


def timed(url: str, args: list[str]) -> float:
    """Seconds for `accel666 --db URL ARGS` with its output on an 80-column pseudo-terminal."""
    line = shlex.join([str(Path(sys.executable).with_name("accel666")), "--db", url,
                       "--log-level", "error", *args])
    env = {**os.environ, "COLUMNS": "80", "LINES": "40"}
    start = time.perf_counter()
    subprocess.run(["script", "-qec", line, os.devnull], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def run(report: Report, n: int = 20_000, runs: int = RUNS) -> None:
    if shutil.which("script") is None:
        report.skipped(f"lists.{n}", "no `script` (util-linux) for a pseudo-terminal")
        return
    with tempfile.TemporaryDirectory(prefix="accel666_lists_") as tmp:
        url = build(Path(tmp) / "lists.db", n)
        for command in COMMANDS:
            text, data = [], []
            for _ in range(runs):  # alternate
                text.append(timed(url, [command]))
                data.append(timed(url, [command, "--json"]))
            name = f"lists.{command}.{n}"
            report.figure(f"{name}.text", median(text), "s")
            report.figure(f"{name}.json", median(data), "s")
            report.ratio(name, f"{name}.text", f"{name}.json", TARGET)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lists", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--projects", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    report = Report()
    run(report, args.projects, args.runs)
    report.print_ratios()


if __name__ == "__main__":
    main()
