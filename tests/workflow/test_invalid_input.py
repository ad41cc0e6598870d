"""Invalid input is refused with the right error and field, and leaves the database byte for byte.

Every table is dumped before and after the call; on SQLite the raw bytes of the database file and
of its write-ahead log are compared as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from accel666 import Actor, Engine, InvalidInput, NotFound
from tests.helpers import CODE_A, CODE_B, CODE_C
from tests.workflow.wf_support import (
    PROVINCE,
    TENCENT,
    city,
    dock,
    drive,
    enterprise,
    policy_with,
    snapshot,
    sqlite_files,
)

LIMIT = 64  # max_document_bytes of the policy these tests run with
SUZHOU = city("suzhou")
REGIONS = ("nanjing, wuxi, xuzhou, changzhou, suzhou, nantong, lianyungang, huaian, yancheng, "
           "yangzhou, zhenjiang, taizhou, suqian, kunshan, taixing, shuyang")


@dataclass
class World:
    engine: Engine
    tmp: Path
    docked: int
    applied: int
    recommended: int

    def apply(self, **kw: Any):
        kw.setdefault("paper_copies", 2)
        kw.setdefault("document", b"%PDF")
        kw.setdefault("document_name", "a.pdf")
        return self.engine.apply(enterprise(CODE_A), self.docked, **kw)

    def review(self, score: Any = 80, verdict: Any = "pass", actor: Actor = PROVINCE):
        return self.engine.review(actor, self.recommended, score=score, verdict=verdict)

    def file(self, name: str, content: bytes) -> Path:
        path = self.tmp / name
        path.write_bytes(content)
        return path


@pytest.fixture
def world(db_url, clock, tmp_path) -> Iterator[World]:
    policy = policy_with(("max_document_bytes = 20_971_520", f"max_document_bytes = {LIMIT}"))
    assert policy.materials.max_document_bytes == LIMIT
    engine = Engine(db_url, policy=policy, clock=clock)
    try:
        yield World(
            engine, tmp_path,
            docked=drive(engine, clock.set, "docked", code=CODE_A).id,
            applied=drive(engine, clock.set, "applied", code=CODE_B).id,
            recommended=drive(engine, clock.set, "recommended", code=CODE_C).id,
        )
    finally:
        engine.close()


Call = Callable[[World], Any]
# (id, the call, the error's field, its message; "{tmp}" stands for the test's tmp_path)
CASES: list[tuple[str, Call, str, str]] = [
    ("credit-code-check", lambda w: dock(w.engine, code="914403001922038217"), "credit code",
     "invalid credit code: check character (position 18) is '7', expected '6'"),
    ("credit-code-length", lambda w: dock(w.engine, code="91440300192203821"), "credit code",
     "invalid credit code: a credit code has 18 characters, this one has 17"),
    ("unknown-region", lambda w: dock(w.engine, Actor("tx", "tencent"), region="atlantis"),
     "region",
     f"invalid region: unknown region 'atlantis'; use a code, a Chinese name or one of: {REGIONS}"),
    ("unknown-category", lambda w: dock(w.engine, category="food"), "category",
     "invalid category: use one of cloud-base, backbone, demo"),
    ("unknown-batch", lambda w: dock(w.engine, batch="2021-9"), "batch",
     "invalid batch: unknown batch '2021-9'; batches: 2020-1"),
    ("empty-title", lambda w: dock(w.engine, title=""), "title", "invalid title: must not be empty"),
    ("whitespace-title", lambda w: dock(w.engine, title=" \t\n "), "title",
     "invalid title: must not be empty"),
    ("nul-in-title", lambda w: dock(w.engine, title="Cloud\x00MES"), "title",
     "invalid title: contains the control, format or unassigned character U+0000"),
    ("escape-in-title", lambda w: dock(w.engine, title="Cloud\x1b[31mMES"), "title",
     "invalid title: contains the control, format or unassigned character U+001B"),
    ("long-title", lambda w: dock(w.engine, title="工" * 201), "title",
     "invalid title: at most 200 characters (got 201)"),
    ("negative-copies", lambda w: w.apply(paper_copies=-1), "paper copies",
     "invalid paper copies: must be 0 or more (got -1)"),
    ("text-copies", lambda w: w.apply(paper_copies="2"), "paper copies",
     "invalid paper copies: expected a whole number, got str"),
    ("float-copies", lambda w: w.apply(paper_copies=2.0), "paper copies",
     "invalid paper copies: expected a whole number, got float"),
    ("bool-copies", lambda w: w.apply(paper_copies=True), "paper copies",
     "invalid paper copies: expected a whole number, got bool"),
    ("huge-copies", lambda w: w.apply(paper_copies=2**31), "paper copies",
     "invalid paper copies: must be at most 2147483647 (got 2147483648)"),
    ("missing-document", lambda w: w.apply(document=w.tmp / "nope.pdf"), "document",
     "invalid document: cannot read {tmp}/nope.pdf: No such file or directory"),
    ("directory-document", lambda w: w.apply(document=w.tmp), "document",
     "invalid document: {tmp} is not a regular file"),
    ("nul-in-document-path", lambda w: w.apply(document=f"{w.tmp}/a\x00.pdf"), "document",
     "invalid document: cannot read PosixPath('{tmp}/a\\x00.pdf'): embedded null byte"),
    ("empty-document-bytes", lambda w: w.apply(document=b""), "document",
     "invalid document: the document is empty"),
    ("empty-document-file", lambda w: w.apply(document=w.file("e.pdf", b"")), "document",
     "invalid document: the document is empty"),
    ("oversized-document-bytes", lambda w: w.apply(document=b"x" * (LIMIT + 1)), "document",
     f"invalid document: {LIMIT + 1} bytes, over the limit of {LIMIT}"),
    ("oversized-document-file", lambda w: w.apply(document=w.file("b.pdf", b"x" * (LIMIT + 1))),
     "document", f"invalid document: {{tmp}}/b.pdf has {LIMIT + 1} bytes, over the limit of {LIMIT}"),
    ("unnamed-document-bytes", lambda w: w.apply(document_name=None), "document name",
     "invalid document name: must not be empty"),
    ("document-of-wrong-type", lambda w: w.apply(document=123), "document",
     "invalid document: expected a path or bytes, got int"),
    ("empty-opinion", lambda w: w.engine.recommend(SUZHOU, w.applied, opinion="  "), "opinion",
     "invalid opinion: must not be empty"),
    ("empty-reject-reason", lambda w: w.engine.reject(SUZHOU, w.applied, reason=""), "reason",
     "invalid reason: must not be empty"),
    ("empty-withdraw-reason",
     lambda w: w.engine.withdraw(enterprise(CODE_A), w.docked, reason="\n"), "reason",
     "invalid reason: must not be empty"),
    ("empty-extend-reason",
     lambda w: w.engine.extend(PROVINCE, "2020-1", phase="review", until="2020-10-15", reason=""),
     "reason", "invalid reason: must not be empty"),
    ("score-below-0", lambda w: w.review(score=-1), "score",
     "invalid score: must be from 0 to 100 (got -1)"),
    ("score-above-100", lambda w: w.review(score=101), "score",
     "invalid score: must be from 0 to 100 (got 101)"),
    ("verdict-maybe", lambda w: w.review(verdict="maybe"), "verdict",
     "invalid verdict: use pass or fail"),
    ("unknown-role", lambda w: w.engine.sign(Actor("x", "mayor"), w.recommended), "role",
     "invalid role: unknown role 'mayor'; roles: enterprise, tencent, city, province, expert"),
    ("city-without-scope",
     lambda w: w.engine.recommend(Actor("x", "city"), w.applied, opinion="ok"), "scope",
     "invalid scope: role city needs a region (city:suzhou) as its scope"),
    ("enterprise-without-scope",
     lambda w: w.engine.withdraw(Actor("x", "enterprise"), w.docked, reason="r"), "scope",
     "invalid scope: role enterprise needs a credit code as its scope"),
    ("province-with-scope", lambda w: w.review(actor=Actor("x", "province", "suzhou")), "scope",
     "invalid scope: role province acts province-wide and takes no scope"),
    ("tencent-with-scope", lambda w: dock(w.engine, Actor("x", "tencent", "suzhou")), "scope",
     "invalid scope: role tencent acts province-wide and takes no scope"),
    ("city-of-unknown-region",
     lambda w: w.engine.recommend(Actor("x", "city", "atlantis"), w.applied, opinion="ok"),
     "scope",
     "invalid scope: city scope 'atlantis': unknown region 'atlantis'; use a code, a Chinese "
     f"name or one of: {REGIONS}"),
    ("enterprise-with-bad-code",
     lambda w: w.engine.withdraw(Actor("x", "enterprise", "123"), w.docked, reason="r"),
     "scope", "invalid scope: enterprise scope '123': a credit code has 18 characters, "
     "this one has 3"),
    ("blank-actor-name", lambda w: w.engine.sign(Actor(" ", "tencent"), w.recommended),
     "actor name", "invalid actor name: must not be empty"),
    ("actor-not-an-actor", lambda w: w.engine.sign("province", w.recommended), "actor",
     "invalid actor: expected an Actor, got str"),
    ("project-id-0", lambda w: w.engine.sign(TENCENT, 0), "project id",
     "invalid project id: must be 1 or more (got 0)"),
    ("project-id-text", lambda w: w.engine.publish(PROVINCE, "1"), "project id",
     "invalid project id: expected a whole number, got str"),
    ("project-id-beyond-integer", lambda w: w.engine.sign(TENCENT, 2**31), "project id",
     "invalid project id: must be at most 2147483647 (got 2147483648)"),
]


@pytest.mark.parametrize(("call", "field", "message"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_invalid_input_changes_nothing(world, call, field, message):
    """The call raises InvalidInput naming the field, and the database is unchanged."""
    rows, files = snapshot(world.engine), sqlite_files(world.engine)
    with pytest.raises(InvalidInput) as err:
        call(world)
    assert err.value.field == field
    assert err.value.message == message.format(tmp=world.tmp)
    assert snapshot(world.engine) == rows
    assert sqlite_files(world.engine) == files


@pytest.mark.parametrize("call", [
    pytest.param(lambda w: w.engine.sign(TENCENT, 999), id="sign"),
    pytest.param(lambda w: w.engine.withdraw(enterprise(CODE_A), 999, reason="r"), id="withdraw"),
    pytest.param(lambda w: w.engine.apply(enterprise(CODE_A), 999, paper_copies=2,
                                          document=b"%PDF", document_name="a.pdf"), id="apply"),
])
def test_unknown_project_is_not_found_and_changes_nothing(world, call):
    """An event on a project id that does not exist raises NotFound and writes nothing."""
    rows, files = snapshot(world.engine), sqlite_files(world.engine)
    with pytest.raises(NotFound) as err:
        call(world)
    assert (err.value.kind, err.value.key, err.value.message) == (
        "project", 999, "project 999 not found")
    assert snapshot(world.engine) == rows
    assert sqlite_files(world.engine) == files


def test_snapshot_sees_a_change(world):
    """The comparison used above does notice a real write (guards against a vacuous snapshot)."""
    rows, files = snapshot(world.engine), sqlite_files(world.engine)
    world.engine.withdraw(enterprise(CODE_A), world.docked, reason="r")
    assert snapshot(world.engine) != rows
    if files:
        assert sqlite_files(world.engine) != files


@pytest.mark.parametrize(("actor", "field", "reason", "value"), [
    (Actor("x", ["city"]), "role", "expected text, got list", ["city"]),  # type: ignore[arg-type]
    (Actor("x", "city", 0), "scope", "expected text or None, got int", 0),  # type: ignore[arg-type]
], ids=["role-a-list", "scope-a-number"])
def test_an_actor_whose_role_or_scope_is_not_text(world, actor, field, reason, value):
    with pytest.raises(InvalidInput) as err:
        world.engine.sign(actor, world.recommended)
    assert (err.value.field, err.value.reason, err.value.value) == (field, reason, value)


@pytest.mark.parametrize(("actor", "field", "value"), [
    (Actor("x", "mayor"), "role", "mayor"),
    (Actor("x", "province", "suzhou"), "scope", "suzhou"),
    (Actor("x", "city", "atlantis"), "scope", "atlantis"),
    (Actor("x", "enterprise", "123"), "scope", "123"),
    (Actor("x", "city"), "scope", None),
    ("province", "actor", None),
])
def test_an_actor_refused_carries_the_value_it_was_refused_for(actor, field, value):
    """The value goes out with the error (`--json`, problem documents): the one at fault."""
    from accel666 import load_policy
    from accel666.workflow.changes.guards import resolve_actor

    with pytest.raises(InvalidInput) as refused:
        resolve_actor(load_policy(None), actor)
    assert (refused.value.field, refused.value.value) == (field, value)
