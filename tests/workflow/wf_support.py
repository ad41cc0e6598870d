"""Helpers for the workflow tests: drive a project along its lifecycle, and snapshot a database.

Imported by the test modules of this directory (pytest puts it on sys.path); not a test module.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from accel666 import Actor, Engine, Project, models
from tests.helpers import CODE_A, cst, scored_panel

EARLY = cst(2020, 7, 1, 12, 0, 0)  # docking, application, recommendation and review are open
LATE = cst(2020, 10, 10, 9, 0, 0)  # signing and publication are open
DOC = b"%PDF-1.4 application"

TENCENT = Actor("tx", "tencent")
PROVINCE = Actor("prov", "province")

# The path a project takes to reach each state, as the events that lead there.
PATH = {
    "docked": ("dock",),
    "applied": ("dock", "apply"),
    "recommended": ("dock", "apply", "recommend"),
    "reviewed": ("dock", "apply", "recommend", "review"),
    "signed": ("dock", "apply", "recommend", "review", "sign"),
    "published": ("dock", "apply", "recommend", "review", "sign", "publish"),
    "rejected": ("dock", "apply", "reject"),
    "withdrawn": ("dock", "withdraw"),
}


def city(region: str) -> Actor:
    return Actor(f"city-{region}", "city", region)


def enterprise(code: str) -> Actor:
    return Actor(f"ent-{code[-4:]}", "enterprise", code)


def dock(engine: Engine, actor: Actor | None = None, *, code: str = CODE_A,
         region: str = "suzhou", category: str = "demo", batch: str | None = "2020-1",
         title: str = "Cloud MES") -> Project:
    """Dock a project as the region's city bureau (or `actor`)."""
    return engine.dock(actor or city(region), title=title, enterprise="Foo Technology Co., Ltd.",
                       credit_code=code, region=region, category=category, batch=batch)


def fire(engine: Engine, event: str, project: Project, actor: Actor | None = None) -> Project:
    """Fire one lifecycle event on `project` with valid arguments, by its usual actor."""
    region = project.region
    if event == "apply":
        return engine.apply(actor or enterprise(project.credit_code), project.id,
                            paper_copies=2, document=DOC, document_name="application.pdf")
    if event == "recommend":
        return engine.recommend(actor or city(region), project.id, opinion="推荐")
    if event == "review":
        if engine.get(project.id).state == "recommended" and not engine.panel(project.id).experts:
            scored_panel(engine, project.id)  # a panel scored beforehand stands
        return engine.review(actor or PROVINCE, project.id)
    if event == "sign":
        return engine.sign(actor or TENCENT, project.id)
    if event == "publish":
        return engine.publish(actor or PROVINCE, project.id)
    if event == "reject":
        return engine.reject(actor or city(region), project.id, reason="材料不全")
    if event == "withdraw":
        return engine.withdraw(actor or enterprise(project.credit_code), project.id,
                               reason="撤回申请")
    raise AssertionError(f"no helper for {event}")


def drive(engine: Engine, set_time: Callable[[datetime], Any], state: str, *,
          code: str = CODE_A, region: str = "suzhou", category: str = "demo",
          late: datetime = LATE) -> Project:
    """A new project moved to `state` by the usual actors, each event at a time its window is open.

    `set_time` moves the engine's clock (a FakeClock's `set` or a freezegun `move_to`).
    """
    set_time(EARLY)
    project = dock(engine, code=code, region=region, category=category)
    for event in PATH[state][1:]:
        if event in ("sign", "publish"):
            set_time(late)
        project = fire(engine, event, project)
    assert project.state == state
    return project


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the engine, ordered by primary key."""
    with engine.db.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in models.metadata.sorted_tables
        }


def sqlite_files(engine: Engine) -> dict[str, bytes | None]:
    """The raw bytes of a SQLite database file and of its write-ahead log (None if absent)."""
    if engine.db.dialect.name != "sqlite":
        return {}
    path = Path(str(engine.db.url.database))
    wal = path.with_name(path.name + "-wal")
    return {"db": path.read_bytes(), "wal": wal.read_bytes() if wal.exists() else None}


def use_process_tz(monkeypatch: pytest.MonkeyPatch, zone: str) -> Iterator[str]:
    """Run with the process time zone set to `zone` (TZ + tzset), restored afterwards."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        yield zone
    finally:
        monkeypatch.undo()
        time.tzset()


def builtin_policy_text() -> str:
    from importlib import resources

    text = resources.files("accel666.policies").joinpath("programme.toml").read_text(encoding="utf-8")
    return text.replace('gates = "sign"', 'gates = ""')  # signing waits for no public notice


def policy_with(*replacements: tuple[str, str]):
    """The built-in policy with some of its text replaced (each replacement must apply)."""
    from accel666.policies import parse

    text = builtin_policy_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return parse(text)


def early_signing_policy():
    """The built-in policy with signing open from 2020-07-01, so a project can be signed before
    publication opens; publication keeps its window of 2020-10-01 to 2020-10-31."""
    return policy_with(("signing = { opens = 2020-10-01, closes = 2020-10-31 }",
                        "signing = { opens = 2020-07-01, closes = 2020-10-31 }"))


def later_publication_policy():
    """The built-in policy with publication closing a week after signing, on 2020-11-07."""
    return policy_with(("publication = { opens = 2020-10-01, closes = 2020-10-31 }",
                        "publication = { opens = 2020-10-01, closes = 2020-11-07 }"))


# event -> (phase, the source state it needs, last day of its window in batch 2020-1)
CLOSING = {
    "dock": ("docking", None, (2020, 7, 15)),
    "apply": ("application", "docked", (2020, 8, 30)),
    "recommend": ("recommendation", "applied", (2020, 8, 30)),
    "review": ("review", "recommended", (2020, 9, 30)),
    "sign": ("signing", "reviewed", (2020, 10, 31)),
    "publish": ("publication", "signed", (2020, 10, 31)),
}
