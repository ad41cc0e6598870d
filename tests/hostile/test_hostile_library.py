"""Every Engine method under hostile input: it succeeds or raises InvalidInput, NotFound, Refused
or NotPermitted, never anything else; a refused call writes nothing; the record always holds.

Each property runs against one world per backend (projects in every state, escalations, failed
deliveries) built before its first example; successful calls change it as they go. Each example
attacks up to two parameters of a call (none, sometimes, so that odd but valid values land).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accel666 import STATES, Engine, InvalidInput
from tests.hostile.hostile_support import (
    CATEGORIES,
    HOSTILE,
    MOMENTS,
    PHASE_NAMES,
    World,
    anything,
    aware_moments,
    build_world,
    check_call,
    choose,
    code_value,
    days,
    hostile_actor,
    hostile_text,
    json_odd,
    odd_long_text,
    odd_name,
    quiet_logs,
    region_value,
    targets,
    valid_actor,
    webhooks,
)


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    with quiet_logs():
        built = build_world(db_url, tmp_path)
        try:
            yield built
        finally:
            built.engine.close()


def at_some_moment(world: World, data: st.DataObject) -> None:
    """Set the engine's clock to a moment when different windows are open."""
    world.clock.set(data.draw(st.sampled_from(MOMENTS), label="moment"))


def actor(data: st.DataObject, hostile: bool) -> Any:
    return choose(data, valid_actor(), hostile, hostile_actor())


@HOSTILE
@given(data=st.data())
def test_dock(world: World, data: st.DataObject) -> None:
    """dock: hostile actor, title, enterprise, credit code, region, category or batch."""
    at_some_moment(world, data)
    hit = targets(data, ("actor", "title", "enterprise", "credit_code", "region", "category",
                         "batch"))
    who = actor(data, "actor" in hit)
    kwargs = {
        "title": choose(data, odd_name(), "title" in hit),
        "enterprise": choose(data, odd_name(), "enterprise" in hit),
        "credit_code": choose(data, code_value(), "credit_code" in hit),
        "region": choose(data, region_value(), "region" in hit),
        "category": choose(data, st.sampled_from([*CATEGORIES, " demo "]), "category" in hit),
        "batch": choose(data, st.sampled_from([None, "2020-1", " 2020-1 "]), "batch" in hit),
    }
    project, error = check_call(world.engine, lambda: world.engine.dock(who, **kwargs))
    if error is None:
        assert project.title == kwargs["title"].strip()
        assert project.enterprise == kwargs["enterprise"].strip()
        assert world.engine.get(project.id) == project
        world.ids.setdefault("docked", []).append(project.id)


@HOSTILE
@given(data=st.data())
def test_apply(world: World, data: st.DataObject) -> None:
    """apply: hostile actor, id, paper copies, document (bytes or path) or document name."""
    at_some_moment(world, data)
    hit = targets(data, ("actor", "project_id", "paper_copies", "document", "document_name"))
    assert world.doc_path is not None
    under_tmp = hostile_text().map(lambda s: str(world.tmp / s.replace("/", "_")))
    document = choose(
        data, st.one_of(st.binary(min_size=1, max_size=64), st.just(str(world.doc_path)),
                        st.just(world.doc_path)),
        "document" in hit, st.one_of(anything(), under_tmp, st.just(bytearray(b"%PDF")),
                                     st.just(world.tmp), st.just(b"")))
    name = choose(data, st.one_of(st.none(), odd_name()), "document_name" in hit)
    who = actor(data, "actor" in hit)
    pid = choose(data, world.project_id(), "project_id" in hit)
    copies = choose(data, st.integers(0, 5), "paper_copies" in hit)
    project, error = check_call(world.engine, lambda: world.engine.apply(
        who, pid, paper_copies=copies, document=document, document_name=name))
    if error is None:
        stored = world.engine.document(project.id)
        expected = document if isinstance(document, bytes) else world.doc_path.read_bytes()
        assert stored.content == expected
        assert project.state == "applied" and project.paper_copies == copies


@HOSTILE
@given(data=st.data())
def test_text_events(world: World, data: st.DataObject) -> None:
    """recommend, reject and withdraw: hostile actor, id, opinion or reason."""
    at_some_moment(world, data)
    event, field = data.draw(st.sampled_from([("recommend", "opinion"), ("reject", "reason"),
                                              ("withdraw", "reason")]), label="event")
    hit = targets(data, ("actor", "project_id", "text"))
    who = actor(data, "actor" in hit)
    pid = choose(data, world.project_id(), "project_id" in hit)
    text = choose(data, odd_long_text(), "text" in hit)
    method = getattr(world.engine, event)
    project, error = check_call(world.engine, lambda: method(who, pid, **{field: text}))
    if error is None:
        last = world.engine.history(project.id)[-1]
        assert last.event == event and last.payload[field] == text.strip()


@HOSTILE
@given(data=st.data())
def test_review(world: World, data: st.DataObject) -> None:
    """review: hostile actor, id, score (NaN, infinities, floats, huge) or verdict."""
    at_some_moment(world, data)
    hit = targets(data, ("actor", "project_id", "score", "verdict"))
    who = actor(data, "actor" in hit)
    pid = choose(data, world.project_id(), "project_id" in hit)
    score = choose(data, st.integers(0, 100), "score" in hit,
                   st.one_of(json_odd(), st.sampled_from([-1, 101, 90.0, "90", "９０"])))
    verdict = choose(data, st.sampled_from(["pass", "fail", " PASS ", "Fail"]), "verdict" in hit)
    project, error = check_call(world.engine, lambda: world.engine.review(
        who, pid, score=score, verdict=verdict))
    if error is None:
        assert project.state == ("reviewed" if verdict.strip().lower() == "pass" else "rejected")
        assert world.engine.history(project.id)[-1].payload["score"] == score


@HOSTILE
@given(data=st.data())
def test_sign_and_publish(world: World, data: st.DataObject) -> None:
    """sign and publish: hostile actor or id."""
    at_some_moment(world, data)
    event = data.draw(st.sampled_from(["sign", "publish"]), label="event")
    hit = targets(data, ("actor", "project_id"))
    who = actor(data, "actor" in hit)
    pid = choose(data, world.project_id(), "project_id" in hit)
    project, error = check_call(world.engine, lambda: getattr(world.engine, event)(who, pid))
    if error is None:
        assert project.state == {"sign": "signed", "publish": "published"}[event]


@HOSTILE
@given(data=st.data())
def test_publish_batch(world: World, data: st.DataObject) -> None:
    """publish_batch: hostile actor or batch."""
    at_some_moment(world, data)
    hit = targets(data, ("actor", "batch"))
    who = actor(data, "actor" in hit)
    batch = choose(data, st.sampled_from(["2020-1", " 2020-1\t"]), "batch" in hit)
    published, error = check_call(world.engine, lambda: world.engine.publish_batch(who, batch))
    if error is None:
        assert all(p.state == "published" for p in published)
        assert not world.engine.projects(batch="2020-1", state="signed")


@HOSTILE
@given(data=st.data())
def test_extend(world: World, data: st.DataObject) -> None:
    """extend: hostile actor, batch, phase, until (datetimes, date.max, far years) or reason;
    the calendar stays computable afterwards."""
    at_some_moment(world, data)
    hit = targets(data, ("actor", "batch", "phase", "until", "reason"))
    who = actor(data, "actor" in hit)
    batch = choose(data, st.just("2020-1"), "batch" in hit)
    phase = choose(data, st.sampled_from(PHASE_NAMES), "phase" in hit)
    until = choose(data, days(), "until" in hit)
    reason = choose(data, odd_long_text(), "reason" in hit)
    extension, error = check_call(world.engine, lambda: world.engine.extend(
        who, batch, phase=phase, until=until, reason=reason))
    if error is None:
        assert extension.reason == reason.strip()
    assert len(world.engine.batches()) == 1
    world.engine.overdue()


@HOSTILE
@given(data=st.data())
def test_reads_by_id(world: World, data: st.DataObject) -> None:
    """get, history, document and escalation: any id at all; batches always answers."""
    method = data.draw(st.sampled_from(["get", "history", "document", "escalation"]),
                       label="method")
    pid = data.draw(st.one_of(world.project_id(), anything()), label="id")
    check_call(world.engine, lambda: getattr(world.engine, method)(pid))
    world.engine.batches()


@HOSTILE
@given(data=st.data())
def test_list(world: World, data: st.DataObject) -> None:
    """list: hostile state, region, category, batch or limit; what it returns matches."""
    hit = targets(data, ("state", "region", "category", "batch", "limit"))
    filters = {
        "state": choose(data, st.sampled_from([None, *STATES, " docked "]), "state" in hit),
        "region": choose(data, st.one_of(st.none(), region_value()), "region" in hit),
        "category": choose(data, st.sampled_from([None, *CATEGORIES]), "category" in hit),
        "batch": choose(data, st.sampled_from([None, "2020-1"]), "batch" in hit),
        "limit": choose(data, st.one_of(st.none(), st.integers(1, 50)), "limit" in hit),
    }
    projects, error = check_call(world.engine, lambda: world.engine.projects(**filters))
    if error is None and filters["state"] is not None:
        assert {p.state for p in projects} <= {filters["state"].strip()}


@HOSTILE
@given(data=st.data())
def test_escalation_runs(world: World, data: st.DataObject) -> None:
    """sweep, escalate and deliver: hostile now (overflowing moments, naive ones, wrong types),
    dry_run, webhook or max_attempts."""
    method = data.draw(st.sampled_from(["sweep", "escalate", "deliver"]), label="method")
    hit = targets(data, ("now", "dry_run", "webhook", "max_attempts"))
    now = choose(data, st.sampled_from([None, *MOMENTS]), "now" in hit, aware_moments())
    kwargs: dict[str, Any] = {}
    if method != "deliver":
        kwargs["dry_run"] = choose(data, st.booleans(), "dry_run" in hit)
        kwargs["webhook"] = choose(data, webhooks(), "webhook" in hit, webhooks())
    if method != "sweep":
        kwargs["max_attempts"] = choose(data, st.one_of(st.none(), st.integers(1, 3)),
                                        "max_attempts" in hit)
    check_call(world.engine, lambda: getattr(world.engine, method)(now, **kwargs))


@HOSTILE
@given(data=st.data())
def test_overdue(world: World, data: st.DataObject) -> None:
    """overdue: hostile region or now."""
    hit = targets(data, ("region", "now"))
    region = choose(data, st.one_of(st.none(), region_value()), "region" in hit)
    now = choose(data, st.sampled_from([None, *MOMENTS]), "now" in hit, aware_moments())
    check_call(world.engine, lambda: world.engine.overdue(region, now))


@HOSTILE
@given(data=st.data())
def test_escalations(world: World, data: st.DataObject) -> None:
    """escalations: hostile flags, project id or limit."""
    hit = targets(data, ("open_only", "failed_only", "project_id", "limit"))
    kwargs = {
        "open_only": choose(data, st.booleans(), "open_only" in hit),
        "failed_only": choose(data, st.booleans(), "failed_only" in hit),
        "project_id": choose(data, st.one_of(st.none(), world.project_id()), "project_id" in hit),
        "limit": choose(data, st.one_of(st.none(), st.integers(1, 50)), "limit" in hit),
    }
    check_call(world.engine, lambda: world.engine.escalations(**kwargs))


@HOSTILE
@given(data=st.data())
def test_ack_and_rearm(world: World, data: st.DataObject) -> None:
    """ack and rearm: hostile actor, escalation id or note."""
    at_some_moment(world, data)
    method = data.draw(st.sampled_from(["ack", "rearm"]), label="method")
    hit = targets(data, ("actor", "escalation_id", "note"))
    who = actor(data, "actor" in hit)
    eid = choose(data, world.escalation_id(), "escalation_id" in hit)
    if method == "ack":
        note = choose(data, odd_long_text(), "note" in hit)
        record, error = check_call(world.engine, lambda: world.engine.ack(who, eid, note))
        if error is None:
            assert record.acked_at is not None and record.ack_note == note.strip()
    else:
        check_call(world.engine, lambda: world.engine.rearm(who, eid))


@HOSTILE
@given(policy=st.one_of(anything(), st.sampled_from([".", "/", "/nonexistent/p.toml", "-"]))
       .filter(lambda v: v is not None))
def test_engine_policy(tmp_path: Path, policy: Any) -> None:
    """Engine(policy=...): a hostile policy path or value is InvalidInput, never a TypeError.
    (The policy is read before the database is opened, so one backend is enough.)"""
    with pytest.raises(InvalidInput) as caught:
        Engine(f"sqlite:///{tmp_path / 'policy.db'}", policy=policy)
    assert caught.value.field == "policy"
