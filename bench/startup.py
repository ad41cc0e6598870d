"""Start-up: wall time of CLI commands on a small database, beside bare Python."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from accel666 import Engine
from bench import databases, drive, plan
from bench.report import Report, median

TARGETS_MS = {"startup.help": 100.0, "startup.show": 500.0}


def small_database(path: Path) -> str:
    """A SQLite file with a few projects; returns the id of one to show."""
    databases.fresh_sqlite(path)
    clock = plan.Clock()
    with Engine(databases.sqlite_url(path), clock=clock, policy=plan.policy()) as engine:
        drive.run_engine(engine, clock, plan.credit_codes(90_000_000, 3))
        clock.moment = plan.STEPS[0].at
        project = engine.dock(drive.CITY, title="show me", enterprise="bench",
                              credit_code=plan.credit_code(90_000_100), region=plan.REGION,
                              category=plan.CATEGORY)
    return str(project.id)


def commands(db: Path, project_id: str, diagnostics: bool) -> dict[str, list[str]]:
    """The commands to time; `diagnostics` adds imports that show where start-up time goes."""
    py = sys.executable
    cli = str(Path(py).parent / "accel666")
    floors = {
        "startup.python_pass": [py, "-c", "pass"],
        "startup.import_sqlmodel": [py, "-c", "import sqlmodel"],
    }
    if diagnostics:
        # SQLAlchemy Core alone: what a read command could cost without sqlmodel and the ORM.
        floors["startup.import_sqlalchemy_core"] = [py, "-c", "import sqlite3, sqlalchemy"]
        floors["startup.import_engine"] = [py, "-c", "import accel666.workflow.engine"]
    return {
        **floors,
        "startup.help": [cli, "--help"],
        "startup.show": [cli, "--db", str(db), "show", project_id],
        "startup.list_json": [cli, "--db", str(db), "list", "--json"],
    }


def wall_ms(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace')[-300:]}")
    return elapsed


def run(report: Report, runs: int, workdir: Path) -> None:
    db = workdir / "startup.db"
    project_id = small_database(db)
    cmds = commands(db, project_id, diagnostics=runs > 1)
    if not Path(cmds["startup.help"][0]).exists():
        report.skipped("startup", f"no accel666 script next to {sys.executable}")
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCEL666_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # keep the bytecode caches
    if runs > 1:
        for argv in cmds.values():  # warm the page cache and the bytecode caches, untimed
            wall_ms(argv, env)
    taken: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):  # interleaved: one of each command per round
        for name, argv in cmds.items():
            taken[name].append(wall_ms(argv, env))
    for name, values in taken.items():
        report.figure(name, median(values), "ms", target=TARGETS_MS.get(name))
