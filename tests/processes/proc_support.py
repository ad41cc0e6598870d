"""Helpers for the process tests: children started together (proc_child.py), a loopback webhook
receiver that records when it handled each Idempotency-Key, policy files for the wall-clock
CLI, bulk-filled projects, and what the transition log says per project. Not a test module.
"""

from __future__ import annotations

import asyncio
import json
import os
import select as io_select
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as SAEngine
from sqlalchemy import func, insert, select

from accel666 import models
from tests.helpers import CST

CHILD = Path(__file__).with_name("proc_child.py")
# Generous: these run real processes on a loaded 2-core machine. A timeout fails the test.
TIMEOUT = 240.0
CREATED = datetime(2020, 7, 1, 12, tzinfo=CST).astimezone(UTC)


# -- children -------------------------------------------------------------------------------


@dataclass
class Child:
    """One child process: its stdout (read when it ended) and its stderr, kept in a file."""

    name: str
    proc: subprocess.Popen[str]
    err_path: Path
    out: str = ""

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def result(self) -> dict[str, Any]:
        """The JSON line the child printed last."""
        lines = self.out.strip().splitlines()
        assert lines, f"{self.name} printed nothing; stderr:\n{self.stderr[-3000:]}"
        return dict(json.loads(lines[-1]))

    def document(self) -> Any:
        """All the child printed, as one JSON document (`accel666 ... --json`)."""
        return json.loads(self.out)


def spawn(tmp_path: Path, name: str, mode: str, args: dict[str, Any],
          env: dict[str, str] | None = None) -> Child:
    """Start `proc_child.py MODE ARGS`; it prints "ready" and waits for the start signal."""
    err_path = tmp_path / f"{name}.stderr"
    with err_path.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), mode, json.dumps(args)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True,
            encoding="utf-8", env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
        )
    return Child(name, proc, err_path)


def _expect(child: Child, word: str, deadline: float) -> None:
    # select() sees only what is not yet buffered: a child prints one line, then waits.
    stdout = child.proc.stdout
    assert stdout is not None
    while True:
        waiting = deadline - time.monotonic()
        assert waiting > 0, f"{child.name} never said {word}; stderr:\n{child.stderr[-3000:]}"
        readable, _, _ = io_select.select([stdout], [], [], min(waiting, 1.0))
        if readable:
            break
    line = stdout.readline().strip()
    assert line == word, f"{child.name} said {line!r}; stderr:\n{child.stderr[-3000:]}"


def expect(children: Sequence[Child], word: str, timeout: float = TIMEOUT) -> None:
    """Wait until every child has printed the line `word`."""
    deadline = time.monotonic() + timeout
    for child in children:
        _expect(child, word, deadline)


def release(children: Sequence[Child], word: str = "ready", timeout: float = TIMEOUT) -> None:
    """Wait until every child has printed `word` (and now waits), then send each the start
    signal, back to back."""
    expect(children, word, timeout)
    for child in children:
        assert child.proc.stdin is not None
        child.proc.stdin.write("go\n")
        child.proc.stdin.flush()


def finish(children: Sequence[Child], timeout: float = TIMEOUT) -> None:
    """Wait for every child to exit (at most `timeout` seconds in all) and keep its stdout."""
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.out = child.proc.communicate(timeout=max(deadline - time.monotonic(), 1.0))[0]
        except subprocess.TimeoutExpired:
            stop(children)
            raise AssertionError(f"{child.name} still running after {timeout:.0f} s; stderr:\n"
                                 f"{child.stderr[-3000:]}") from None


def stop(children: Sequence[Child]) -> None:
    """SIGKILL every child still running (ours only) and reap it."""
    for child in children:
        if child.proc.poll() is None:
            child.proc.kill()
        with suppress(subprocess.TimeoutExpired):
            child.proc.communicate(timeout=30)


@contextmanager
def running(children: Sequence[Child]) -> Iterator[Sequence[Child]]:
    """The children, killed on the way out if a failed assertion left any running."""
    try:
        yield children
    finally:
        stop(children)


def race(tmp_path: Path, mode: str, args: Sequence[dict[str, Any]],
         env: dict[str, str] | None = None, timeout: float = TIMEOUT,
         stops: Sequence[str] = ("ready",)) -> list[Child]:
    """One child per entry of `args`, released together at each of `stops` (lines every child
    prints before it waits for the signal); returns them once all have exited."""
    children = [spawn(tmp_path, f"{mode}-{n}", mode, a, env) for n, a in enumerate(args)]
    with running(children):
        for word in stops:
            release(children, word, timeout)
        finish(children, timeout)
    return children


def wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Poll `condition` with short pauses until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.005)


# -- the webhook receiver ------------------------------------------------------------------


@dataclass
class Receiver:
    """What a loopback webhook receiver saw. Each answered POST adds, for its Idempotency-Key,
    the (start, end) of its handling on the monotonic clock. While `holding`, POSTs are held
    unanswered (and not accepted) until `release` is set; `arrived` tells the first came."""

    url: str = ""
    holding: bool = False
    accepted: Counter[str] = field(default_factory=Counter)
    intervals: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: defaultdict(list))
    held: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def overlapping(self) -> list[str]:
        """Keys whose handlings overlapped in time (two deliveries of one key at once)."""
        return [key for key, spans in self.intervals.items()
                if any(later[0] < earlier[1] for earlier, later in pairwise(sorted(spans)))]


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines) if value}


@contextmanager
def receiver(*, holding: bool = False) -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 (asyncio in a thread of the test process): it handles
    many POSTs at once, each answered 200 with `Connection: close`. (http.server's
    ThreadingHTTPServer does the same at half the rate: 20,000 POSTs took 16 s instead of 8.)"""
    state = Receiver(holding=holding)
    loop = asyncio.new_event_loop()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        start = time.monotonic()
        try:
            headers = _headers(await reader.readuntil(b"\r\n\r\n"))
            body = json.loads(await reader.readexactly(int(headers.get("content-length", "0"))))
            key = headers.get("idempotency-key", "")
            if state.holding:
                state.held.append(key)
                state.arrived.set()
                await loop.run_in_executor(None, state.release.wait, TIMEOUT)
                writer.write(b"HTTP/1.1 503 Held\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()  # the poster is dead by now: usually an OSError
                return
            if body.get("idempotency_key") != key:
                state.bad.append(key)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            state.accepted[key] += 1
            state.intervals[key].append((start, time.monotonic()))
        except (OSError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(
        asyncio.start_server(handle, "127.0.0.1", 0, backlog=128), loop).result(30)
    state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hook"
    try:
        yield state
    finally:
        state.release.set()
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


# -- policies for the command line, which reads the wall clock -----------------------------


def builtin_policy_text() -> str:
    text = resources.files("accel666.policies").joinpath("programme.toml").read_text(encoding="utf-8")
    return text.replace('gates = "sign"', 'gates = ""')  # signing waits for no public notice


def open_policy(tmp_path: Path, *, panels: bool = False) -> Path:
    """The built-in programme plus batch `proc-open`, every window open from 2020 to 2099;
    the province reviews alone (no expert panel: these processes race on the lifecycle),
    unless `panels` keeps the built-in panels."""
    path = tmp_path / "open-policy.toml"
    windows = "\n".join(f"{phase} = {{ opens = 2020-01-01, closes = 2099-12-31 }}"
                        for phase in ("docking", "application", "recommendation", "review",
                                      "signing", "publication"))
    path.write_text(f'extends = "builtin"\n\n[[batches]]\nkey = "proc-open"\nname = "open"\n\n'
                    f"[batches.windows]\n{windows}\n\n[notice]\ngates = \"\"\n\n"
                    + ("" if panels else "[review]\npanel_size = 0\n"),
                    encoding="utf-8")
    return path


BATCH_2020_1_WINDOWS = """\
docking = { closes = 2020-07-15 }
application = { closes = 2020-08-30 }
recommendation = { closes = 2020-08-30 }
review = { closes = 2020-09-30 }
signing = { opens = 2020-10-01, closes = 2020-10-31 }
publication = { opens = 2020-10-01, closes = 2020-10-31 }"""


def overdue_policy(tmp_path: Path, today: date) -> Path:
    """The built-in programme with batch 2020-1 moved to the wall clock's calendar: its
    application window closed at 00:00 yesterday (China time), so level 1 of every project
    still docked is due and level 2 falls due only the day after tomorrow; the later windows
    close in ten years."""
    closed, far = today - timedelta(days=2), today + timedelta(days=3650)
    windows = "\n".join([
        f"docking = {{ closes = {closed} }}",
        f"application = {{ closes = {closed} }}",
        *(f"{phase} = {{ closes = {far} }}"
          for phase in ("recommendation", "review", "signing", "publication")),
    ])
    text = builtin_policy_text()
    assert BATCH_2020_1_WINDOWS in text
    path = tmp_path / "overdue-policy.toml"
    path.write_text(text.replace(BATCH_2020_1_WINDOWS, windows), encoding="utf-8")
    return path


def today_in_china() -> date:
    return datetime.now(CST).date()


# -- data -----------------------------------------------------------------------------------


def bulk_docked(db: SAEngine, count: int, batch: str = "2020-1", chunk: int = 10_000) -> None:
    """`count` projects in state `docked` of `batch`, inserted with Core in a few statements
    (no log rows, so no hash chain: only the escalation tests use them)."""
    rows = [{"title": f"project {i}", "enterprise": f"enterprise {i}",
             "credit_code": f"9132{i:014d}", "region": "320500" if i % 2 else "320583",
             "category": "demo", "batch": batch, "state": "docked", "version": 1,
             "head_hash": "", "created_at": CREATED, "updated_at": CREATED}
            for i in range(count)]
    with models.writing(db) as conn:
        for i in range(0, count, chunk):
            conn.execute(insert(models.project_table), rows[i:i + chunk])


@dataclass(frozen=True)
class ProjectLog:
    """One project as stored, beside what its log and documents say."""

    state: str
    version: int
    seqs: tuple[int, ...]
    events: tuple[str, ...]
    last_to_state: str | None
    documents: int


def project_logs(db: SAEngine) -> dict[int, ProjectLog]:
    P, T, D = models.project_table.c, models.transition_table.c, models.document_table.c
    with models.reading(db) as conn:
        projects = conn.execute(select(P.id, P.state, P.version)).all()
        log: dict[int, list[Any]] = defaultdict(list)
        for row in conn.execute(select(T.project_id, T.seq, T.event, T.to_state)
                                .order_by(T.project_id, T.seq)):
            log[row.project_id].append(row)
        docs: dict[int, int] = dict(conn.execute(select(D.project_id, func.count())
                                 .group_by(D.project_id)).all())
    return {
        p.id: ProjectLog(
            state=p.state, version=p.version, seqs=tuple(r.seq for r in log[p.id]),
            events=tuple(r.event for r in log[p.id]),
            last_to_state=log[p.id][-1].to_state if log[p.id] else None,
            documents=docs.get(p.id, 0),
        )
        for p in projects
    }


def inconsistencies(logs: dict[int, ProjectLog]) -> list[str]:
    """What breaks the engine's promises: version = number of log rows, seq 1..version without
    gaps, state = the last row's state, one document per `apply` row and none without one."""
    out = []
    for pid, p in sorted(logs.items()):
        if p.seqs != tuple(range(1, p.version + 1)):
            out.append(f"project {pid}: version {p.version}, log seqs {p.seqs}")
        if p.last_to_state != p.state:
            out.append(f"project {pid}: state {p.state}, last log row to {p.last_to_state}")
        if p.documents != p.events.count("apply"):
            out.append(f"project {pid}: {p.documents} document(s), "
                       f"{p.events.count('apply')} apply row(s)")
    return out


def count_rows(db: SAEngine, table: Any) -> int:
    with models.reading(db) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
