"""Helpers for the escalation tests: projects driven to an overdue state, the calendar of batch
2020-1 as its closing moments, a loopback webhook receiver. Not a test module."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import create_engine, text

from accel666 import Actor, Engine, Project
from tests.helpers import CODE_A, cst, panel_review

EARLY = cst(2020, 7, 1, 12, 0, 0)  # docking, application, recommendation, review open
LATE = cst(2020, 10, 10, 9, 0, 0)  # signing and publication open
DOC = b"%PDF-1.4 application"
PROVINCE = Actor("prov", "province")
TENCENT = Actor("tx", "tencent")
SECOND = timedelta(seconds=1)
TICK = timedelta(microseconds=1)

PATH = {
    "docked": (),
    "applied": ("apply",),
    "recommended": ("apply", "recommend"),
    "reviewed": ("apply", "recommend", "review"),
    "signed": ("apply", "recommend", "review", "sign"),
}
# phase -> (the state overdue once it closes, its closing moment, the level-1 target role)
WINDOWS = {
    "application": ("docked", cst(2020, 8, 31), "city"),
    "recommendation": ("applied", cst(2020, 8, 31), "city"),
    "review": ("recommended", cst(2020, 10, 1), "province"),
    "signing": ("reviewed", cst(2020, 11, 1), "province"),
    "publication": ("signed", cst(2020, 11, 1), "province"),
}


def city(region: str) -> Actor:
    return Actor(f"city-{region}", "city", region)


def drive(engine: Engine, set_time: Callable[[datetime], Any], state: str, *,
          code: str = CODE_A, region: str = "suzhou") -> Project:
    """A new project of batch 2020-1 moved to `state`, each event while its window is open."""
    set_time(EARLY)
    project = engine.dock(city(region), title="云上工厂", enterprise="苏州某某科技有限公司",
                          credit_code=code, region=region, category="demo", batch="2020-1")
    for event in PATH[state]:
        if event == "apply":
            project = engine.apply(Actor("ent", "enterprise", code), project.id,
                                   paper_copies=2, document=DOC, document_name="a.pdf")
        elif event == "recommend":
            project = engine.recommend(city(region), project.id, opinion="推荐")
        elif event == "review":
            project = panel_review(engine, project.id, province=PROVINCE)
        else:
            set_time(LATE)
            project = engine.sign(TENCENT, project.id)
    assert project.state == state
    return project


def ladder(engine: Engine) -> list[tuple[int, str, int]]:
    """Every escalation on record as (project, phase, level), in id order."""
    return [(e.project_id, e.phase, e.level) for e in engine.escalations()]


def policy_with(*replacements: tuple[str, str]) -> Any:
    """The built-in policy with some of its text replaced (each replacement must apply)."""
    from importlib import resources

    from accel666.policies import parse

    text = resources.files("accel666.policies").joinpath("programme.toml").read_text(encoding="utf-8")
    text = text.replace('gates = "sign"', 'gates = ""')  # signing waits for no public notice
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return parse(text)


class Receiver:
    """A webhook receiver on 127.0.0.1: answers 500 to the first `failures` requests of each
    Idempotency-Key, then 200, and keeps what it accepted keyed by Idempotency-Key."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.accepted: dict[str, dict[str, Any]] = {}
        self.url = ""

    def handle(self, key: str, body: dict[str, Any], headers: dict[str, str]) -> int:
        self.requests.append((key, body, headers))
        seen = sum(1 for k, _, _ in self.requests if k == key)
        if seen <= self.failures:
            return 500
        self.accepted.setdefault(key, body)  # the deduplicated view
        return 200


@contextmanager
def receiver(failures: int) -> Iterator[Receiver]:
    state = Receiver(failures)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            code = state.handle(self.headers.get("Idempotency-Key", ""), body,
                                dict(self.headers.items()))
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def scanning_in_storage_order(db: Any) -> Iterator[Any]:
    """The same database, where PostgreSQL reads tables without their indexes: the order of
    what a query takes must come from the query, not from the plan the server happens to pick
    (an index on the ids would hand rows over in id order)."""
    if db.dialect.name != "postgresql":
        yield db
        return
    options = "-c enable_indexscan=off -c enable_indexonlyscan=off -c enable_bitmapscan=off"
    plain = create_engine(db.url, connect_args={"options": options})
    try:
        yield plain
    finally:
        plain.dispose()


def stored_newest_first(db: Any, *tables: Any) -> None:
    """On PostgreSQL, rewrite each table with its rows in descending id order (CLUSTER on a
    passing index), so that a read in storage order meets the newest row first. SQLite keeps
    rows in rowid order whatever is done; it is left as it is."""
    if db.dialect.name != "postgresql":
        return
    with db.begin() as conn:
        for table in tables:
            conn.execute(text(f'CREATE INDEX newest_first ON "{table.name}" (id DESC)'))
            conn.execute(text(f'CLUSTER "{table.name}" USING newest_first'))
            conn.execute(text("DROP INDEX newest_first"))
