"""`Engine.fire`, the one path of an event on a project: each named method (apply, recommend,
review, sign, publish, reject, withdraw) goes through it and agrees with it, record for record
and refusal for refusal; what an event takes is checked as the lifecycle defines it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accel666 import (
    Actor,
    Engine,
    InvalidInput,
    NotFound,
    NotPermitted,
    Project,
    Refused,
    Stale,
    WorkflowError,
    lifecycle,
)
from tests.helpers import CODE_A, CODE_B, FakeClock, no_notice_policy, review_policy, scored_panel
from tests.workflow.wf_support import (
    DOC,
    EARLY,
    LATE,
    PATH,
    PROVINCE,
    TENCENT,
    city,
    dock,
    enterprise,
    snapshot,
)
from tests.workflow.wf_support import fire as named

# What each event takes when the wf_support helper fires it by its named method.
VALUES: dict[str, dict[str, Any]] = {
    "apply": {"paper_copies": 2, "document": DOC, "document_name": "application.pdf"},
    "recommend": {"opinion": "推荐"},
    "review": {},  # the built-in review follows its panel (scored by `walk`)
    "sign": {},
    "publish": {},
    "reject": {"reason": "材料不全"},
    "withdraw": {"reason": "撤回申请"},
}


def usual_actor(event: str, project: Project) -> Actor:
    """Who the wf_support helper fires `event` as."""
    bureau, owner = city(project.region), enterprise(project.credit_code)
    return {"apply": owner, "recommend": bureau, "review": PROVINCE, "sign": TENCENT,
            "publish": PROVINCE, "reject": bureau, "withdraw": owner}[event]


def walk(engine: Engine, clock: FakeClock, state: str, by_fire: bool) -> None:
    """Drive a project to `state`, each event by its named method or by `fire`."""
    clock.set(EARLY)
    project = dock(engine)
    for event in PATH[state][1:]:
        if event in ("sign", "publish"):
            clock.set(LATE)
        if event == "review":
            scored_panel(engine, project.id)
        if by_fire:
            project = engine.fire(usual_actor(event, project), project.id, event, VALUES[event])
        else:
            project = named(engine, event, project)
    assert project.state == state


@pytest.mark.parametrize("state", ["published", "rejected", "withdrawn"])
def test_fire_and_the_named_methods_write_the_same_record(tmp_path, state):
    """Two databases, the same events at the same moments: every row of every table the same,
    the chained hashes included."""
    databases = []
    for by_fire in (False, True):
        clock = FakeClock(EARLY)
        with Engine(f"sqlite:///{tmp_path / f'{by_fire}.db'}", clock=clock,
                    policy=no_notice_policy()) as engine:
            walk(engine, clock, state, by_fire)
            databases.append(snapshot(engine))
    assert databases[0] == databases[1]


def test_fire_returns_what_the_named_method_returns(engine, clock):
    clock.set(EARLY)
    first, second = dock(engine, code=CODE_A), dock(engine, code=CODE_B)
    by_name = engine.apply(enterprise(CODE_A), first.id, paper_copies=2, document=DOC,
                           document_name="a.pdf")
    by_fire = engine.fire(enterprise(CODE_B), second.id, "apply",
                          {"paper_copies": 2, "document": DOC, "document_name": "a.pdf"})
    assert (by_name.state, by_name.version, by_name.paper_copies) == \
        (by_fire.state, by_fire.version, by_fire.paper_copies) == ("applied", 2, 2)
    assert engine.history(first.id)[-1].payload == engine.history(second.id)[-1].payload
    assert engine.document(first.id).content == engine.document(second.id).content == DOC


def test_a_verdict_is_read_as_the_named_method_reads_it(db_url, clock):
    """Whatever its case and spaces, the verdict chooses the edge and is recorded plain (the
    province reviewing alone: a panel of 0, the score agreeing with the verdict)."""
    engine = Engine(db_url, clock=clock, policy=review_policy("panel_size = 0"))
    clock.set(EARLY)
    project = dock(engine)
    for event in ("apply", "recommend"):
        project = named(engine, event, project)
    failed = engine.fire(PROVINCE, project.id, "review", {"score": 40, "verdict": " FAIL "})
    assert failed.state == "rejected"
    assert engine.history(project.id)[-1].payload == {"score": 40, "verdict": "fail"}
    engine.close()


# Each case: the named call and the same through fire, on a docked project (`pid`).
Call = Callable[[Engine, int], Any]
REFUSALS: dict[str, tuple[Call, Call]] = {
    "text that is not text": (
        lambda e, pid: e.recommend(city("suzhou"), pid, opinion=None),  # type: ignore[arg-type]
        lambda e, pid: e.fire(city("suzhou"), pid, "recommend", {"opinion": None})),
    "a state that does not allow it": (
        lambda e, pid: e.recommend(city("suzhou"), pid, opinion="o"),
        lambda e, pid: e.fire(city("suzhou"), pid, "recommend", {"opinion": "o"})),
    "a bad score and a bad verdict (the verdict first)": (
        lambda e, pid: e.review(PROVINCE, pid, score=101, verdict="maybe"),
        lambda e, pid: e.fire(PROVINCE, pid, "review", {"score": 101, "verdict": "maybe"})),
    "a score out of range": (
        lambda e, pid: e.review(PROVINCE, pid, score=101, verdict="pass"),
        lambda e, pid: e.fire(PROVINCE, pid, "review", {"score": 101, "verdict": "pass"})),
    "a score that is text": (
        lambda e, pid: e.review(PROVINCE, pid, score="90", verdict="pass"),  # type: ignore[arg-type]
        lambda e, pid: e.fire(PROVINCE, pid, "review", {"score": "90", "verdict": "pass"})),
    "negative paper copies and an empty document (the copies first)": (
        lambda e, pid: e.apply(city("suzhou"), pid, paper_copies=-1, document=b""),
        lambda e, pid: e.fire(city("suzhou"), pid, "apply",
                              {"paper_copies": -1, "document": b""})),
    "bytes without a name": (
        lambda e, pid: e.apply(city("suzhou"), pid, paper_copies=2, document=b"x"),
        lambda e, pid: e.fire(city("suzhou"), pid, "apply", {"paper_copies": 2, "document": b"x"})),
    "an empty document": (
        lambda e, pid: e.apply(city("suzhou"), pid, paper_copies=2, document=b"",
                               document_name="a.pdf"),
        lambda e, pid: e.fire(city("suzhou"), pid, "apply",
                              {"paper_copies": 2, "document": b"", "document_name": "a.pdf"})),
    "a path that is not there": (
        lambda e, pid: e.apply(city("suzhou"), pid, paper_copies=2, document="/no/such.pdf"),
        lambda e, pid: e.fire(city("suzhou"), pid, "apply",
                              {"paper_copies": 2, "document": "/no/such.pdf"})),
    "too few paper copies": (
        lambda e, pid: e.apply(city("suzhou"), pid, paper_copies=1, document=DOC,
                               document_name="a.pdf"),
        lambda e, pid: e.fire(city("suzhou"), pid, "apply",
                              {"paper_copies": 1, "document": DOC, "document_name": "a.pdf"})),
    "sign too early": (
        lambda e, pid: e.sign(TENCENT, pid),
        lambda e, pid: e.fire(TENCENT, pid, "sign")),
    "publish too early": (
        lambda e, pid: e.publish(PROVINCE, pid),
        lambda e, pid: e.fire(PROVINCE, pid, "publish", {})),
    "an empty reason": (
        lambda e, pid: e.reject(city("suzhou"), pid, reason="  "),
        lambda e, pid: e.fire(city("suzhou"), pid, "reject", {"reason": "  "})),
    "a reason too long": (
        lambda e, pid: e.withdraw(city("suzhou"), pid, reason="x" * 2001),
        lambda e, pid: e.fire(city("suzhou"), pid, "withdraw", {"reason": "x" * 2001})),
    "another region's project": (
        lambda e, pid: e.withdraw(city("kunshan"), pid, reason="x"),
        lambda e, pid: e.fire(city("kunshan"), pid, "withdraw", {"reason": "x"})),
    "a version that is not the project's": (
        lambda e, pid: e.withdraw(city("suzhou"), pid, reason="x", expected_version=2),
        lambda e, pid: e.fire(city("suzhou"), pid, "withdraw", {"reason": "x"},
                              expected_version=2)),
    "a version that is no version": (
        lambda e, pid: e.withdraw(city("suzhou"), pid, reason="x", expected_version=0),
        lambda e, pid: e.fire(city("suzhou"), pid, "withdraw", {"reason": "x"},
                              expected_version=0)),
    "no such project": (
        lambda e, pid: e.withdraw(city("suzhou"), pid + 1000, reason="x"),
        lambda e, pid: e.fire(city("suzhou"), pid + 1000, "withdraw", {"reason": "x"})),
    "a project id that is text": (
        lambda e, pid: e.withdraw(city("suzhou"), str(pid), reason="x"),  # type: ignore[arg-type]
        lambda e, pid: e.fire(city("suzhou"), str(pid), "withdraw",  # type: ignore[arg-type]
                              {"reason": "x"})),
}
KINDS = {"a state that does not allow it": Refused, "too few paper copies": Refused,
         "sign too early": Refused, "publish too early": Refused,
         "another region's project": NotPermitted, "a version that is not the project's": Stale,
         "no such project": NotFound}
# The field each InvalidInput names: the first checked of those that are wrong.
FIELDS = {"text that is not text": "opinion",
          "a bad score and a bad verdict (the verdict first)": "verdict",
          "a score out of range": "score", "a score that is text": "score",
          "negative paper copies and an empty document (the copies first)": "paper copies",
          "bytes without a name": "document name", "an empty document": "document",
          "a path that is not there": "document", "an empty reason": "reason",
          "a reason too long": "reason", "a version that is no version": "expected version",
          "a project id that is text": "project id"}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_fire_refuses_what_the_named_method_refuses(engine, clock, case):
    """The same class, message and details, and nothing written."""
    clock.set(EARLY)
    pid = dock(engine).id
    before = snapshot(engine)
    caught: list[WorkflowError] = []
    for call in REFUSALS[case]:
        with pytest.raises(WorkflowError) as err:
            call(engine, pid)
        caught.append(err.value)
    assert type(caught[0]) is type(caught[1]) is KINDS.get(case, InvalidInput)
    assert caught[0].to_dict() == caught[1].to_dict()
    assert getattr(caught[1], "field", None) == FIELDS.get(case)
    assert snapshot(engine) == before


@pytest.mark.parametrize(("event", "values", "field", "reason"), [
    ("recommend", {}, "opinion", "recommend needs opinion"),
    ("recommend", None, "opinion", "recommend needs opinion"),
    ("review", {"score": 90, "verdict": "pass", "reason": "r", "opinion": "o"}, "opinion",
     "review takes no opinion"),
    ("sign", {"reason": "x"}, "reason", "sign takes no reason"),
    ("withdraw", {"opinion": "o"}, "reason", "withdraw needs reason"),
    ("apply", {"document": DOC}, "paper_copies", "apply needs paper_copies, document"),
])
def test_what_is_missing_or_extra_is_named_before_anything_is_read(engine, clock, event, values,
                                                                    field, reason):
    """The first input missing (all that are needed named), else the first extra one; before
    the project is looked up (it does not exist here)."""
    with pytest.raises(InvalidInput) as err:
        engine.fire(PROVINCE, 999, event, values)
    assert (err.value.field, err.value.reason) == (field, reason)
    assert err.value.message == f"invalid {field}: {reason}"
    expected = None if reason.split()[1] == "needs" else values[field]  # type: ignore[index]
    assert err.value.value == expected


@pytest.mark.parametrize(("values", "field"), [({"verdict": "pass"}, "score"),
                                              ({"score": 90}, "verdict")])
def test_the_province_alone_gives_both_score_and_verdict(db_url, clock, values, field):
    """Without a panel (a panel of 0, or no [review]) a review needs its score and verdict,
    named before the project is looked up; with a panel it needs neither."""
    for table in ("panel_size = 0", None):
        with Engine(db_url, clock=clock, policy=review_policy(table)) as engine:
            with pytest.raises(InvalidInput) as err:
                engine.fire(PROVINCE, 999, "review", values)
            assert (err.value.field, err.value.reason) == (field, "review needs score, verdict")
    with Engine(db_url, clock=clock) as engine, pytest.raises(NotFound):
        engine.fire(PROVINCE, 999, "review", {})


@pytest.mark.parametrize("event", ["dock", "publish_all", "", 7])
def test_an_event_fired_on_no_project_or_none_at_all_is_invalid(engine, event):
    with pytest.raises(InvalidInput) as err:
        engine.fire(PROVINCE, 1, event, {})  # type: ignore[arg-type]
    assert (err.value.field, err.value.value) == ("event", event)
    assert err.value.reason == f"use one of {', '.join(lifecycle.TAKES)}"
    assert err.value.reason == ("use one of apply, recommend, review, sign, publish, reject, "
                                "withdraw")


def test_takes_gives_back_what_the_event_takes():
    given = {"score": 90, "verdict": "pass"}
    assert Engine.takes("review", given) == given and Engine.takes("review", given) is not given
    assert Engine.takes("sign") == {} == Engine.takes("publish", {})
    assert Engine.takes("apply", {"paper_copies": 2, "document": DOC}) == {
        "paper_copies": 2, "document": DOC}  # the document's name is optional
