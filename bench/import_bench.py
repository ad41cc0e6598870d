"""How long `accel666 import` takes on a bureau's CSV of N rows (default 100,000), beside a
floor: the same file read with `csv` and the same rows (project, hash-chained dock log row,
chain head, and the import's one entry in the ledger's `docks` chain) written with bare
`sqlite3` in one transaction.

    python -m bench.import_bench                # 100,000 rows, SQLite, 3 runs a side

The engine's figure includes what the floor skips by design: checking every row as `dock`
does (credit-code check characters, region and category lookup, who may dock it, the
registration region, duplicates in the file and the database) before writing any. Prints
`name: value unit` lines, then the ratio.
"""

from __future__ import annotations

import argparse
import csv
import logging
import tempfile
import time
from pathlib import Path

from accel666 import Actor, Engine
from bench import databases, floors, plan
from bench.report import Report, median

RUNS = 3
AT = plan.STEPS[0].at  # inside batch 2020-1's docking window
TARGET_SECONDS = 60.0  # issue 11: 100,000 rows in under a minute on SQLite
HEADER = ("title", "enterprise", "credit_code", "region", "category")


def write_csv(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(HEADER)
        for code in plan.credit_codes(0, n):
            out.writerow((plan.title(code), plan.enterprise(code), code, plan.REGION_CODE,
                          plan.CATEGORY))
    return path


def engine_side(db: Path, sheet: Path) -> float:
    start = time.perf_counter()
    with Engine(databases.sqlite_url(db), clock=plan.Clock(AT), create_schema=False) as engine:
        result = engine.import_projects(Actor(*floors.CITY), sheet)
    seconds = time.perf_counter() - start
    if result.errors or not result.imported:
        raise RuntimeError(f"the import failed: {result.errors[:3]}")
    return seconds


def floor_side(db: Path, sheet: Path) -> float:
    at = AT
    start = time.perf_counter()
    floor = floors.SqliteFloor(str(db))
    try:
        with sheet.open(encoding="utf-8-sig", newline="") as f, floor._transaction():
            rows = csv.reader(f)
            next(rows)
            when = floor._time(at)
            docked = []
            for title, enterprise, code, region, category in rows:
                identity = (title, enterprise, code, region, category, plan.BATCH)
                pid = floor.dock_row((*identity, "docked", 1, None, "", when, when), at)
                docked.append([pid, *identity])
            floor.docked(docked, at)  # the import's one entry in the docks chain
    finally:
        floor.close()
    return time.perf_counter() - start


def run(n: int, runs: int, report: Report) -> None:
    logging.getLogger("accel666").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="accel666_import_") as tmp:
        sheet = write_csv(Path(tmp) / "rows.csv", n)
        times: dict[str, list[float]] = {"engine": [], "floor": []}
        for i in range(runs):  # alternate, and who goes first
            for side in (("engine", "floor") if i % 2 == 0 else ("floor", "engine")):
                db = databases.fresh_sqlite(Path(tmp) / f"{side}.db")
                measure = engine_side if side == "engine" else floor_side
                times[side].append(measure(db, sheet))
                databases.remove_sqlite(db)
    name = f"import.sqlite.{n}"
    report.figure(name, median(times["engine"]), "s",
                  TARGET_SECONDS * n / 100_000 if n >= 100_000 else None)
    report.figure(f"{name}.floor", median(times["floor"]), "s")
    report.ratio(name, name, f"{name}.floor", None)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=RUNS, help="runs a side")
    args = parser.parse_args()
    report = Report()
    run(args.rows, args.runs, report)
    report.print_ratios()


if __name__ == "__main__":
    main()
