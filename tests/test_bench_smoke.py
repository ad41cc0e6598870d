"""`python -m bench --quick --no-pg` runs end to end and prints every figure, so the benchmarks
cannot rot. Tiny sizes, SQLite only: a few seconds."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURE = re.compile(r"^(?P<name>[\w.\-/]+): (?P<value>-?\d+(?:\.\d+)?) (?P<unit>\S+)", re.MULTILINE)

EXPECTED = {
    "transitions.sqlite_full.engine": "µs/transition",
    "transitions.sqlite_full.floor": "µs/transition",
    "transitions.sqlite_normal.engine": "µs/transition",
    "transitions.sqlite_normal.floor": "µs/transition",
    "transitions.sqlite_full.engine.client_cpu": "µs/transition",
    "transitions.sqlite_full.floor.client_cpu": "µs/transition",
    "memory.engine_transitions.peak_rss": "MB",
    "memory.floor_transitions.peak_rss": "MB",
    "scale.sqlite_full.1k": "transitions/s",
    "scale.sqlite_full.2k": "transitions/s",
    "ratio.transitions.sqlite_full": "x",
    "ratio.transitions.sqlite_normal": "x",
    "ratio.scale.sqlite_full.slowdown_2k_vs_1k": "x",
    "http.sqlite.library": "transitions/s",
    "http.sqlite.http": "transitions/s",
    "ratio.http.sqlite.library_over_http": "x",
    "bench.wall_time": "s",
}
STARTUP = ("startup.python_pass", "startup.import_sqlmodel", "startup.help", "startup.show",
           "startup.list_json")


@pytest.fixture(scope="module")
def output() -> str:
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--no-pg"], cwd=ROOT,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_every_figure_is_printed_with_a_positive_value(output: str) -> None:
    """Each expected figure appears once, in its unit, with a number above zero."""
    figures = {m["name"]: (float(m["value"]), m["unit"]) for m in FIGURE.finditer(output)}
    expected = dict(EXPECTED)
    if (Path(sys.executable).parent / "accel666").exists():
        expected.update(dict.fromkeys(STARTUP, "ms"))
    else:
        assert "startup: skipped" in output
    for name, unit in expected.items():
        assert name in figures, f"{name} missing from:\n{output}"
        value, shown_unit = figures[name]
        assert shown_unit == unit, f"{name} in {shown_unit}, expected {unit}"
        assert value > 0, f"{name} is {value}"


@pytest.mark.slow
def test_postgres_is_skipped_and_the_sweep_reports(output: str) -> None:
    """--no-pg says so; the sweep section reports its SQLite figures."""
    assert "pg: skipped (--no-pg)" in output
    assert re.search(r"^sweep\.sqlite\.\d+\.first_sweep: ", output, re.MULTILINE), output


def test_the_floor_writes_the_engines_rows(tmp_path: Path) -> None:
    """Given the same projects, the bare-driver floor leaves exactly the engine's rows (hash
    chain included), so the ratios compare the same work."""
    from bench import databases, floors, plan, sides

    codes = plan.credit_codes(0, 2)
    engine_db = databases.fresh_sqlite(tmp_path / "engine.db")
    floor_db = databases.fresh_sqlite(tmp_path / "floor.db")
    engine = sides.open_side("engine", "sqlite_full", databases.sqlite_url(engine_db))
    engine.run(codes)
    engine.close()
    floor = floors.SqliteFloor(str(floor_db))
    floors.run_floor(floor, codes)
    floor.close()

    def rows(path: Path, table: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(path) as conn:
            return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()

    for table in ("accel666_project", "accel666_transition", "accel666_document"):
        assert rows(engine_db, table) == rows(floor_db, table), table
    assert len(rows(floor_db, "accel666_transition")) == 2 * plan.PER_PROJECT
    assert docks(engine_db) == docks(floor_db) != []  # each dock's entry in the docks chain


def docks(path: Path) -> list[tuple[object, ...]]:
    """The `docks` chain's entries (the engine's ledger also holds the policy it bound)."""
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT chain, seq, kind, at, actor, role, body, hash FROM "
                            "accel666_ledger WHERE chain = 'docks' ORDER BY seq").fetchall()


def test_the_sweep_floor_writes_the_engines_rows(tmp_path: Path) -> None:
    """On identical copies, the bare-SQL sweep floor leaves exactly the escalation and delivery
    rows the engine's sweep leaves, so the sweep ratios compare the same work."""
    from accel666 import load_policy
    from bench import sweep_bench

    copies = sweep_bench.SqliteCopies(tmp_path)
    rows = sweep_bench.projects(200, 0.3, 666)
    sweep_bench.load(copies.template_url, rows)
    copies.sealed()
    floor = sweep_bench.FloorSql("sqlite", load_policy())

    def table(url: str, name: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return conn.execute(f"SELECT * FROM {name} ORDER BY id").fetchall()

    with copies.fresh() as engine_url, copies.fresh() as floor_url:
        engine = sweep_bench.engine_side(engine_url)
        done = sweep_bench.floor_side("sqlite", floor_url, floor)
        assert (done.recorded, done.enqueued, done.again) == (
            engine.recorded, engine.enqueued, engine.again)
        assert engine.recorded > 0
        for name in ("accel666_escalation", "accel666_delivery", "accel666_ledger"):
            assert table(engine_url, name) == table(floor_url, name), name


def test_the_import_floor_writes_the_engines_rows(tmp_path: Path) -> None:
    """The import benchmark's floor leaves exactly the rows `import` leaves (hash chain
    included), so its ratio compares the same writes."""
    from bench import databases, import_bench

    sheet = import_bench.write_csv(tmp_path / "rows.csv", 5)
    engine_db = databases.fresh_sqlite(tmp_path / "engine.db")
    floor_db = databases.fresh_sqlite(tmp_path / "floor.db")
    import_bench.engine_side(engine_db, sheet)
    import_bench.floor_side(floor_db, sheet)

    def rows(path: Path, table: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(path) as conn:
            return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()

    for table in ("accel666_project", "accel666_transition"):
        assert rows(engine_db, table) == rows(floor_db, table), table
    assert len(rows(floor_db, "accel666_project")) == 5
    assert docks(engine_db) == docks(floor_db) != []  # the import's one entry
