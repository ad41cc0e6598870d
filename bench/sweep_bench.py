"""How long the escalation sweep takes on many projects, beside its floor, and its peak memory.

    python -m bench.sweep_bench                 # 100_000 projects in a fresh SQLite file
    python -m bench.sweep_bench -n 20000 --pg postgresql+psycopg://postgres@127.0.0.1/bench

(Run it with -m from the repository root: `python bench/sweep_bench.py` would put bench/ first
on sys.path, where bench/transitions.py hides the `transitions` package.) `run(sizes, pg_url,
emit, report=...)` is what `python -m bench` calls.

Creates N projects of batch 2020-1 with bulk Core inserts, about 30% of them still in a state
that is overdue once its window closes, into a template database. Then, at a moment when every
level is due, on identical fresh copies of the template (a file copy on SQLite, CREATE DATABASE
… TEMPLATE on PostgreSQL), runs interleaved (engine, floor, floor, engine, …; RUNS copies a side)
and reports medians of:

- the engine's first sweep (records L1, L2 and L3 for each overdue project, resolves, queues
  their log deliveries in the same transaction) and its second sweep (nothing to do);
- the floor: the same rows written by hand-written set-based SQL on the bare driver (`sqlite3`,
  `psycopg`) in one transaction: the same INSERT … SELECT … ON CONFLICT DO NOTHING per rung, the
  same resolved_at UPDATEs, the same delivery INSERT … SELECT. The rungs are computed from the
  policy before the clock starts (the floor knows the ladder).

Then the engine's peak RSS (VmHWM) while sweeping, in a fresh child process on its own copy, and,
on one more copy, a dry run, the log deliveries and the `overdue` query.
With --pg URL the same runs on PostgreSQL too: the accel666 tables in that database are DROPPED
and created afresh, and copies of it are created on the same server and dropped.
Prints `name: value unit` lines, then the ratios.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from accel666 import Engine, load_policy, models
from accel666.policies import Policy
from accel666.policies import escalation as ladder_rules
from accel666.workflow.changes.inputs import MAX_INT
from bench.memory import peak_mb
from bench.report import Report, median

CST = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2020, 7, 1, 12, tzinfo=CST).astimezone(UTC)
NOW = datetime(2020, 11, 8, 0, 0, 1, tzinfo=CST)  # every level of every phase is due
OVERDUE_STATES = ("docked", "applied", "recommended", "reviewed", "signed")
SETTLED_STATES = ("published", "rejected", "withdrawn")
CHUNK = 10_000
RUNS = 3  # fresh copies a side (engine and floor), interleaved
# Above this many projects: one copy a side, and no dry-run / delivery / overdue-query figures
# (delivering 900k log events alone takes a minute or two), so that --full stays under 10 min.
BIG = 100_000
RATIO_TARGET = 1.5  # issue 5: engine sweep <= 1.5x the bare set-based SQL
PEAK_TARGET_MB = 200.0  # issue 5: < 200 MB peak RSS at 1M projects, flat in N
NOTIFIERS = (("log", None),)  # what the default policy queues; checked against the engine's count


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


class EmitStream:
    """A text stream that hands each complete line to `emit` (so a Report can print there)."""

    def __init__(self, emit: Emit) -> None:
        self.emit = emit
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self.emit(line)
        return len(text)

    def flush(self) -> None:
        pass


def count(report: Report, name: str, value: int) -> None:
    """A count, printed as an integer (and kept as a figure)."""
    report.line(f"{name}: {value} count")


def timed(report: Report, name: str, action: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = action()
    report.figure(name, time.perf_counter() - start, "s")
    return result


# --- fresh copies of the loaded template -------------------------------------------------------

class Copies:
    """Identical fresh copies of one loaded database: `fresh()` yields the URL of a new one."""

    backend: str
    template_url: str

    @contextmanager
    def fresh(self) -> Iterator[str]:
        raise NotImplementedError

    def sealed(self) -> None:
        """Make the loaded template ready to copy."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class SqliteCopies(Copies):
    backend = "sqlite"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.template = workdir / "template.db"
        self.template_url = f"sqlite:///{self.template}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.template}{suffix}").unlink(missing_ok=True)

    def sealed(self) -> None:
        """Fold the WAL into the template file, so that a copy of the file is the database."""
        conn = sqlite3.connect(self.template)
        try:
            conn.execute("ANALYZE")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()

    @contextmanager
    def fresh(self) -> Iterator[str]:
        path = self.workdir / f"copy-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(self.template, path)
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


class PgCopies(Copies):
    backend = "postgres"

    def __init__(self, url: str) -> None:
        self.template_url = url
        self.url = make_url(url)
        self.name = self.url.database or "postgres"
        admin = self.url.set(drivername="postgresql", database="postgres")
        self.admin = admin.render_as_string(hide_password=False)

    def sealed(self) -> None:
        with psycopg.connect(self.conninfo(self.url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")

    @staticmethod
    def conninfo(url: Any) -> str:
        return str(url.set(drivername="postgresql").render_as_string(hide_password=False))

    @contextmanager
    def fresh(self) -> Iterator[str]:
        name = f"{self.name[:40]}_copy_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(self.name)))
        try:
            yield self.url.set(database=name).render_as_string(hide_password=False)
        finally:
            with psycopg.connect(self.admin, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)))


def load(url: str, rows: list[dict[str, Any]]) -> None:
    with Engine(url, create_schema=False) as engine:
        models.metadata.drop_all(engine.db)
        models.metadata.create_all(engine.db)
        with models.writing(engine.db) as conn:
            for i in range(0, len(rows), CHUNK):
                conn.execute(insert(models.project_table), rows[i:i + CHUNK])


# --- the two sides ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Sweeps:
    first: float  # seconds
    second: float
    recorded: int  # escalations the first sweep recorded
    enqueued: int  # deliveries it queued
    again: int  # escalations the second sweep recorded


def engine_side(url: str) -> Sweeps:
    with Engine(url, create_schema=False) as engine:
        start = time.perf_counter()
        first = engine.sweep(NOW)
        middle = time.perf_counter()
        second = engine.sweep(NOW)
        end = time.perf_counter()
    return Sweeps(middle - start, end - middle, first.total, first.enqueued, second.total)


class FloorSql:
    """The engine's sweep written by hand for one dialect: `?`/`%s` placeholders, value forms."""

    def __init__(self, backend: str, policy: Policy) -> None:
        self.pg = backend == "postgres"
        self.rungs = ladder_rules.due_rungs(policy, {}, NOW)
        self.ack_stops = policy.escalation.ack_stops_ladder
        self.phases = [(phase, tuple(rule.states))
                       for phase, rule in policy.escalation.phases.items()]

    def mark(self, cast: str = "") -> str:
        return f"%s{cast}" if self.pg else "?"

    def marks(self, n: int) -> str:
        return ", ".join([self.mark()] * n)

    def when(self, moment: datetime) -> Any:
        utc = moment.astimezone(UTC)
        return utc if self.pg else utc.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")

    def flag(self, value: bool) -> Any:
        return value if self.pg else int(value)

    def rung(self, rung: ladder_rules.Rung) -> tuple[str, list[Any]]:
        m, ts = self.mark, self.mark("::timestamptz" if self.pg else "")
        scope = {"region": "p.region", "enterprise": "p.credit_code"}.get(rung.target_kind,
                                                                           "NULL")
        text = (
            "INSERT INTO accel666_escalation (project_id, batch, phase, deadline, level, due_at,"
            " fired_at, lateness_seconds, target_role, target_scope, state_seen,"
            " idempotency_key, lapsed)"
            f" SELECT p.id, {m()}, {m()}, {ts}, {m('::int' if self.pg else '')}, {ts}, {ts},"
            f" {m('::int' if self.pg else '')}, {m()}, {scope}, p.state,"
            f" {m()} || CAST(p.id AS VARCHAR) || {m()}, {m('::boolean' if self.pg else '')}"
            " FROM accel666_project p"
            f" WHERE p.batch = {m()} AND p.state IN ({self.marks(len(rung.states))})"
            " AND NOT EXISTS (SELECT 1 FROM accel666_escalation e WHERE e.project_id = p.id"
            f" AND e.phase = {m()} AND e.level = {m('::int' if self.pg else '')})"
        )
        params: list[Any] = [
            rung.batch, rung.phase, self.when(rung.deadline), rung.level, self.when(rung.due_at),
            self.when(NOW), min(int((NOW - rung.due_at).total_seconds()), MAX_INT),
            rung.target_role, f"{ladder_rules.KEY_PREFIX}:", f":{rung.phase}:L{rung.level}",
            self.flag(rung.lapses), rung.batch, *rung.states, rung.phase, rung.level,
        ]
        if self.ack_stops and rung.level > 1:
            text += (" AND NOT EXISTS (SELECT 1 FROM accel666_escalation e WHERE"
                     f" e.project_id = p.id AND e.phase = {m()}"
                     f" AND e.level < {m('::int' if self.pg else '')}"
                     " AND e.acked_at IS NOT NULL)")
            params += [rung.phase, rung.level]
        return text + " ORDER BY p.id ON CONFLICT DO NOTHING", params

    def resolve(self, phase: str, states: tuple[str, ...], seq: int) -> tuple[str, list[Any]]:
        m, ts = self.mark, self.mark("::timestamptz" if self.pg else "")
        text = (
            "UPDATE accel666_escalation SET resolved_at = COALESCE((SELECT max(t.at)"
            " FROM accel666_transition t WHERE t.project_id = accel666_escalation.project_id"
            f" AND t.from_state IN ({self.marks(len(states))})), {ts}),"
            f" resolved_in = {m('::int' if self.pg else '')}"
            f" WHERE phase = {m()} AND resolved_at IS NULL AND NOT EXISTS (SELECT 1"
            " FROM accel666_project p WHERE p.id = accel666_escalation.project_id"
            f" AND p.state IN ({self.marks(len(states))}))"
        )
        return text, [*states, self.when(NOW), seq, phase, *states]

    def stamp(self, stored: Any) -> str:
        """A moment as read from the driver, in the chain's encoding (UTC, microseconds, Z)."""
        if self.pg:
            return str(stored.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        return f"{str(stored).replace(' ', 'T')}Z"

    def rung_entry(self, rung: ladder_rules.Rung, count: int) -> dict[str, Any]:
        return {"batch": rung.batch, "phase": rung.phase, "level": rung.level,
                "deadline": self.stamp(self.when(rung.deadline)),
                "due_at": self.stamp(self.when(rung.due_at)),
                "fired_at": self.stamp(self.when(NOW)),
                "lateness_seconds": min(int((NOW - rung.due_at).total_seconds()), MAX_INT),
                "target_role": rung.target_role, "lapsed": rung.lapses, "count": count}

    def enqueue(self, notifier: str, endpoint: str | None, after: int,
                proved_in: int) -> tuple[str, list[Any]]:
        m, ts = self.mark, self.mark("::timestamptz" if self.pg else "")
        num = m("::int" if self.pg else "")
        text = (
            "INSERT INTO accel666_delivery (escalation_id, notifier, endpoint, status, attempts,"
            " next_attempt_at, proved_in)"
            f" SELECT id, {m()}, {m('::varchar' if self.pg else '')}, 'pending', 0, {ts}, {num}"
            f" FROM accel666_escalation WHERE id > {num}"
            f" AND fired_at = {ts} ON CONFLICT DO NOTHING"
        )
        return text, [notifier, endpoint, self.when(NOW), proved_in, after, self.when(NOW)]

    def append(self, cur: Any, name: str, seq: int, prev: str, kind: str,
               body: dict[str, Any]) -> None:
        """One ledger entry, hashed as record/chain.py hashes it."""
        m = self.mark
        now = self.stamp(self.when(NOW))
        entry = {"chain": name, "seq": seq, "kind": kind, "at": now, "actor": "accel666",
                 "role": "system", "body": body, "prev": prev}
        hash_ = hashlib.sha256(_canonical(entry).encode("utf-8")).hexdigest()
        ts, js = m("::timestamptz" if self.pg else ""), m("::json" if self.pg else "")
        cur.execute("INSERT INTO accel666_ledger (chain, seq, kind, at, actor, role, body, hash) "
                    f"VALUES ({m()}, {m()}, {m()}, {ts}, {m()}, {m()}, {js}, {m()})",
                    (name, seq, kind, self.when(NOW), "accel666", "system", json.dumps(body),
                     hash_))

    def head(self, cur: Any, name: str, lock: int) -> tuple[int, str]:
        """The next seq of a ledger chain and the hash it follows (under its lock)."""
        if self.pg:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
        cur.execute(f"SELECT seq, hash FROM accel666_ledger WHERE chain = {self.mark()} "
                    "ORDER BY seq DESC LIMIT 1", (name,))
        found = cur.fetchone()
        return (found[0] + 1, found[1]) if found else (1, "")


# The sweeps' ledger chain, as record/ledger.py and record/chain.py write it (re-done here on
# the bare driver; the floor test checks the rows are the engine's).
SWEEPS_LOCK = int.from_bytes(hashlib.sha256(b"sweeps").digest()[:8], "big", signed=True)
OUTBOX_LOCK = int.from_bytes(hashlib.sha256(b"outbox").digest()[:8], "big", signed=True)
RECORDED_ROW = "id, project_id, phase, level, state_seen, target_scope, idempotency_key"
_ROW = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _canonical(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(rows: Any) -> dict[str, Any]:
    """Rows as JSON lines (a row, or a line already encoded), as chain.Digest takes them."""
    sha, count = hashlib.sha256(), 0
    for row in rows:
        line = row if isinstance(row, str) else _ROW.encode(list(row))
        sha.update(line.encode("utf-8") + b"\n")
        count += 1
    return {"count": count, "digest": sha.hexdigest()}


def floor_sweep(cur: Any, floor: FloorSql) -> tuple[int, int]:
    """One sweep in the caller's transaction: (escalations recorded, deliveries queued)."""
    m = floor.mark
    if floor.pg:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (0x0A666E5C,))
    cur.execute("SELECT coalesce(max(id), 0) FROM accel666_escalation")
    after = cur.fetchone()[0]
    seq, prev = floor.head(cur, "sweeps", SWEEPS_LOCK)
    recorded, rungs = 0, []
    for rung in floor.rungs:
        cur.execute(*floor.rung(rung))
        if cur.rowcount:
            rungs.append(floor.rung_entry(rung, cur.rowcount))
        recorded += cur.rowcount
    resolved = 0
    for phase, states in floor.phases:
        cur.execute(*floor.resolve(phase, states, seq))
        resolved += cur.rowcount
    enqueued = 0
    first = last = None
    if recorded:
        cur.execute(f"SELECT min(id), max(id) FROM accel666_escalation WHERE id > {m()}",
                    (after,))
        first, last = cur.fetchone()
        # The queueing, one entry of the outbox chain that the rows name (record/outbox.py).
        queued, queued_after = floor.head(cur, "outbox", OUTBOX_LOCK)
        for name, endpoint in NOTIFIERS:
            cur.execute(*floor.enqueue(name, endpoint, after, queued))
            enqueued += cur.rowcount
        if enqueued:
            floor.append(cur, "outbox", queued, queued_after, "queue", {
                "escalations": [first, last],
                "notifiers": [[name, endpoint] for name, endpoint in NOTIFIERS],
                "count": enqueued})
    if recorded or resolved:
        cur.execute(f"SELECT {RECORDED_ROW} FROM accel666_escalation WHERE id BETWEEN {m()} "
                    f"AND {m()} ORDER BY id", (first or 0, last or -1))
        done = _digest(cur)
        cur.execute("SELECT id, resolved_at FROM accel666_escalation WHERE resolved_in = "
                    f"{m()} ORDER BY id", (seq,))
        fixed = _digest(_canonical({"id": i, "resolved_at": floor.stamp(at)})
                        for i, at in cur.fetchall())
        body = {"now": floor.stamp(floor.when(NOW)), "first": first, "last": last,
                "rungs": rungs, "recorded": done, "resolved": fixed}
        floor.append(cur, "sweeps", seq, prev, "sweep", body)
    return recorded, enqueued


def floor_side(backend: str, url: str, floor: FloorSql) -> Sweeps:
    """The floor on the bare driver: each sweep one transaction, the engine's pragmas/locks."""
    times: list[float] = []
    counts: list[tuple[int, int]] = []
    if backend == "sqlite":
        conn = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        try:
            for pragma in ("busy_timeout = 5000", "journal_mode = WAL", "foreign_keys = ON",
                           "synchronous = FULL"):
                conn.execute(f"PRAGMA {pragma}")
            for _ in range(2):
                start = time.perf_counter()
                cur = conn.cursor()
                cur.execute("BEGIN IMMEDIATE")
                counts.append(floor_sweep(cur, floor))
                conn.execute("COMMIT")
                times.append(time.perf_counter() - start)
        finally:
            conn.close()
    else:
        with psycopg.connect(PgCopies.conninfo(make_url(url))) as pconn:
            for _ in range(2):
                start = time.perf_counter()
                with pconn.transaction(), pconn.cursor() as pcur:
                    counts.append(floor_sweep(pcur, floor))
                times.append(time.perf_counter() - start)
    return Sweeps(times[0], times[1], counts[0][0], counts[0][1], counts[1][0])


# --- peak memory in a child -------------------------------------------------------------------

def child(url: str) -> dict[str, float]:
    """In a fresh process: open the engine, note the peak so far, sweep once, note the peak."""
    logging.getLogger("accel666").setLevel(logging.ERROR)
    with Engine(url, create_schema=False) as engine:
        before = peak_mb()
        result = engine.sweep(NOW)
        return {"before": before, "peak": peak_mb(), "recorded": result.total}


def engine_peak(url: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-m", "bench.sweep_bench", "--child", url],
                          capture_output=True, text=True, check=False,
                          cwd=Path(__file__).parent.parent)
    if done.returncode != 0:
        raise RuntimeError(f"sweep memory child failed: {done.stderr[-500:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# --- one database -----------------------------------------------------------------------------

def one(report: Report, label: str, copies: Copies, rows: list[dict[str, Any]],
        runs: int = RUNS, extras: bool = True) -> None:
    """Every figure for one backend; `label` prefixes the names (e.g. sweep.sqlite.100000).
    `extras` adds the dry run, delivering the log events and the overdue query."""
    overdue = sum(r["state"] in OVERDUE_STATES for r in rows)
    count(report, f"{label}.projects", len(rows))
    count(report, f"{label}.overdue_projects", overdue)
    timed(report, f"{label}.insert_projects", lambda: load(copies.template_url, rows))
    copies.sealed()
    floor = FloorSql(copies.backend, load_policy())
    results: dict[str, list[Sweeps]] = {"engine": [], "floor": []}
    for i in range(runs):
        order = ("engine", "floor") if i % 2 == 0 else ("floor", "engine")
        for side in order:
            with copies.fresh() as url:
                done = (engine_side(url) if side == "engine"
                        else floor_side(copies.backend, url, floor))
            if (done.recorded != 3 * overdue or done.enqueued != done.recorded
                    or done.again != 0):
                raise RuntimeError(f"{side}: unexpected counts {done}, overdue {overdue}")
            results[side].append(done)
    for side, name in (("engine", ""), ("floor", ".floor")):
        report.figure(f"{label}.first_sweep{name}",
                      median(r.first for r in results[side]), "s")
        report.figure(f"{label}.second_sweep{name}",
                      median(r.second for r in results[side]), "s")
    first = results["engine"][0]
    count(report, f"{label}.escalations_recorded", first.recorded)
    count(report, f"{label}.deliveries_queued", first.enqueued)
    count(report, f"{label}.second_sweep_recorded", first.again)
    for which in ("first", "second"):
        report.ratio(f"{label}.{which}", f"{label}.{which}_sweep",
                     f"{label}.{which}_sweep.floor", target=RATIO_TARGET)
    with copies.fresh() as url:
        peak = engine_peak(url)
    if peak["recorded"] != 3 * overdue:
        raise RuntimeError(f"sweep memory child recorded {peak['recorded']}")
    report.figure(f"{label}.engine_before_sweep_rss", peak["before"], "MB")
    report.figure(f"{label}.engine_peak_rss", peak["peak"], "MB", target=PEAK_TARGET_MB)
    if not extras:
        copies.close()
        return
    with copies.fresh() as url, Engine(url, create_schema=False) as engine:
        dry = timed(report, f"{label}.dry_run", lambda: engine.sweep(NOW, dry_run=True))
        swept = engine.sweep(NOW)
        if dry.total != swept.total:
            raise RuntimeError(f"dry run {dry.total}, sweep {swept.total}")
        delivered = timed(report, f"{label}.deliver_log", lambda: engine.deliver(NOW))
        count(report, f"{label}.deliveries_done", delivered.delivered)
        listed = timed(report, f"{label}.overdue_query", lambda: engine.overdue(now=NOW))
        count(report, f"{label}.overdue_listed", len(listed))
        # The operators' view over every project: grouped counts plus the same overdue list.
        stands = timed(report, f"{label}.report", lambda: engine.report(now=NOW))
        if stands.overdue != len(listed):
            raise RuntimeError(f"report counts {stands.overdue} overdue, overdue lists "
                               f"{len(listed)}")
        with engine.db.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(models.escalation_table))
            if stored.scalar_one() != swept.total:
                raise RuntimeError("the escalation table does not hold what the sweep recorded")
    copies.close()


def run(sizes: Sequence[int], pg_url: str | None = None, emit: Emit = print, *,
        report: Report | None = None, share: float = 0.3, seed: int = 666,
        runs: int = RUNS, single_size: bool = False) -> None:
    """For each size: the figures on SQLite (files in a temporary directory), then on `pg_url` if
    given (its accel666 tables are dropped and recreated; copies are made beside it). Sizes
    above BIG get one copy a side and no extras, unless `single_size` (the command line's one
    size, measured in full). With a
    `report` (what `python -m bench` passes) figures and ratios go there and the caller prints
    the ratios; without, figures go to `emit` and the ratios are printed at the end."""
    # The log notifier hands one event per escalation to logging; keep only errors.
    logging.getLogger("accel666").setLevel(logging.ERROR)
    own = report is None
    out: Report = Report(out=EmitStream(emit)) if report is None else report  # type: ignore[arg-type]
    for n in sizes:
        rows = projects(n, share, seed)
        big = n > BIG and not single_size
        if big:
            out.note(f"sweep at {n}: one copy a side; no dry-run, delivery or query figures")
        n_runs = 1 if big else runs
        with tempfile.TemporaryDirectory(prefix="accel666_sweep_") as tmp:
            one(out, f"sweep.sqlite.{n}", SqliteCopies(Path(tmp)), rows, n_runs, not big)
        if pg_url:
            one(out, f"sweep.postgres.{n}", PgCopies(pg_url), rows, n_runs, not big)
    if own:
        out.print_ratios()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--projects", type=int, default=100_000)
    parser.add_argument("--overdue", type=float, default=0.3, help="share of overdue projects")
    parser.add_argument("--seed", type=int, default=666)
    parser.add_argument("--runs", type=int, default=RUNS, help="fresh copies a side")
    parser.add_argument("--pg", default=None, metavar="URL",
                        help="also run on this PostgreSQL database (its accel666 tables are "
                             "dropped and recreated; copies are created beside it)")
    parser.add_argument("--child", default=None, metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    run([args.projects], args.pg, print, share=args.overdue, seed=args.seed, runs=args.runs,
        single_size=True)


if __name__ == "__main__":
    main()
