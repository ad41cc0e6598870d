"""Who may read what, in the library: given an actor, every read answers within the reach the
policy's [reads] gives its role (an enterprise its own projects, a city bureau its region's,
Tencent and the province everything); a project beyond it is NotPermitted (guard `reads`);
lists are narrowed in the query, before paging; the report's counts stay programme-wide."""

from __future__ import annotations

import pytest

from accel666 import Actor, Engine, InvalidInput, NotFound, NotPermitted
from tests.helpers import CODE_A, CODE_B
from tests.workflow.reach_support import EVERY, READERS, Record, populate, reader
from tests.workflow.wf_support import policy_with, snapshot

NAMES = sorted(READERS)


@pytest.fixture
def record(engine, clock) -> Record:
    return populate(engine, clock)


@pytest.mark.parametrize("name", NAMES)
def test_each_reader_lists_exactly_the_projects_it_may_read(engine, record, name):
    found = engine.projects(actor=reader(name))
    assert record.keys(p.id for p in found) == READERS[name][1]
    assert [p.id for p in found] == sorted(p.id for p in found)


@pytest.mark.parametrize("name", NAMES)
def test_a_readers_list_is_narrowed_before_it_is_paged(engine, record, name):
    """Page by page, a reader gets its own projects and nothing else: the reach is a
    condition of the query, not a filter on a page already cut."""
    pages = [engine.projects(actor=reader(name), limit=1, offset=n) for n in range(5)]
    assert [record.keys(p.id for p in page) for page in pages if page] == [
        {key} for key in sorted(READERS[name][1], key=record.ids.__getitem__)]


@pytest.mark.parametrize("name", NAMES)
def test_each_reader_shows_reads_the_history_and_the_document_of_its_own_only(
        engine, record, name):
    mine = READERS[name][1]
    actor = reader(name)
    before = snapshot(engine)
    for key, pid in record.ids.items():
        if key in mine:
            assert engine.get(pid, actor=actor) == engine.get(pid)
            assert engine.history(pid, actor=actor) == engine.history(pid)
            if key in ("p1", "p2"):
                assert engine.document(pid, actor=actor).content.endswith(key.encode())
            continue
        for read in (engine.get, engine.history, engine.document):
            with pytest.raises(NotPermitted) as refused:
                read(pid, actor=actor)
            assert (refused.value.event, refused.value.guard) == ("read", "reads")
            assert refused.value.project_id == pid
            assert refused.value.facts["project_id"] == pid
            assert type(refused.value).exit_code == 5
            assert type(refused.value).http_status == 403
    assert snapshot(engine) == before


@pytest.mark.parametrize(("name", "message"), [
    ("suzhou", "read not permitted: city:320500 reads only the projects of region 320500 "
               "(苏州市), not project {p2}"),
    ("enterprise-b", f"read not permitted: enterprise:{CODE_B} reads only its own projects, "
                     "not project {p1}"),
])
def test_a_refusal_names_the_reader_its_reach_and_the_project(engine, record, name, message):
    other = "p2" if name == "suzhou" else "p1"
    with pytest.raises(NotPermitted) as refused:
        engine.get(record.ids[other], actor=reader(name))
    assert refused.value.message == message.format(**record.ids)
    assert refused.value.facts == {
        "project_id": record.ids[other], "role": refused.value.role,
        "scope": refused.value.scope, "reach": "region" if name == "suzhou" else "own"}
    # The refusal says nothing of the project beyond its id: not its region nor its enterprise.
    assert "320583" not in refused.value.message and CODE_A not in refused.value.message


@pytest.mark.parametrize("name", NAMES)
def test_each_reader_sees_the_overdue_projects_and_escalations_it_may_read(
        engine, record, name):
    actor = reader(name)
    mine = READERS[name][1]
    assert record.keys(o.project_id for o in engine.overdue(actor=actor)) == mine
    assert record.keys(o.project_id for o in engine.overdue()) == EVERY
    listed = engine.escalations(actor=actor)
    assert {record.escalations[e.id] for e in listed} == mine
    assert engine.escalations(actor=actor, open_only=True) == listed
    pages = [engine.overdue(actor=actor, limit=1, offset=n) for n in range(5)]
    assert sum(len(p) for p in pages) == len(mine)
    for eid, key in record.escalations.items():
        if key in mine:
            assert engine.escalation(eid, actor=actor) == engine.escalation(eid)
            assert engine.escalations(project_id=record.ids[key], actor=actor) == [
                engine.escalation(eid)]
        else:
            with pytest.raises(NotPermitted) as refused:
                engine.escalation(eid, actor=actor)
            assert refused.value.guard == "reads"
            with pytest.raises(NotPermitted):
                engine.escalations(project_id=record.ids[key], actor=actor)


@pytest.mark.parametrize("name", NAMES)
def test_the_reports_counts_are_the_same_for_every_reader_and_its_list_follows_the_rule(
        engine, record, name):
    everything = engine.report()
    seen = engine.report(actor=reader(name))
    zone = engine.policy.zone
    assert seen.to_dict(zone) == everything.to_dict(zone)
    assert (seen.overdue, seen.open_escalations) == (4, 4)
    assert record.keys(o.project_id for o in seen.overdue_projects) == READERS[name][1]
    narrowed = engine.report(region="nanjing", actor=reader(name))
    assert narrowed.to_dict(zone) == engine.report(region="nanjing").to_dict(zone)
    assert record.keys(o.project_id for o in narrowed.overdue_projects) == \
        READERS[name][1] & {"p3"}


def test_a_city_asking_for_another_region_is_refused_and_its_own_is_answered(engine, record):
    suzhou = reader("suzhou")
    for read in (engine.projects, engine.overdue):
        for other in ("nanjing", "kunshan", "320583"):
            with pytest.raises(NotPermitted) as refused:
                read(region=other, actor=suzhou)
            assert refused.value.guard == "reads"
            assert refused.value.facts["region"] in ("320100", "320583")
        assert record.keys(p.project_id if hasattr(p, "project_id") else p.id
                           for p in read(region="苏州", actor=suzhou)) == {"p1", "p4"}
    with pytest.raises(NotPermitted) as refused:
        engine.projects(region="kunshan", actor=suzhou)
    assert refused.value.message == (
        "read not permitted: city:320500 reads only the projects of region 320500 (苏州市), "
        "not those of region 320583 (昆山市)")


def test_an_enterprise_narrowing_by_region_gets_its_own_projects_there(engine, record):
    assert record.keys(p.id for p in engine.projects(
        region="nanjing", actor=reader("enterprise-a"))) == {"p3"}
    assert engine.projects(region="kunshan", actor=reader("enterprise-a")) == []


def test_a_project_that_does_not_exist_is_not_found_for_every_reader(engine, record):
    for name in NAMES:
        for read in (engine.get, engine.history, engine.document, engine.escalation):
            with pytest.raises(NotFound):
                read(99, actor=reader(name))


@pytest.mark.parametrize(("actor", "field"), [
    (Actor("x", "mayor"), "role"),
    (Actor("x", "expert"), "scope"),
    (Actor("x", "city"), "scope"),
    (Actor("x", "city", "beijing"), "scope"),
    (Actor("x", "enterprise", "91350100M000100Y4Z"), "scope"),
    (Actor("x", "province", "suzhou"), "scope"),
    ("province", "actor"),
])
def test_a_reader_the_policy_does_not_know_is_invalid_input(engine, record, actor, field):
    for read in (lambda: engine.projects(actor=actor), lambda: engine.get(1, actor=actor),
                 lambda: engine.overdue(actor=actor), lambda: engine.report(actor=actor),
                 lambda: engine.escalations(actor=actor)):
        with pytest.raises(InvalidInput) as err:
            read()
        assert err.value.field == field


def test_the_policys_reads_decide(db_url, clock):
    """A policy whose [reads] lets city bureaus read every project: Suzhou reads Nanjing's."""
    policy = policy_with(('city = "region"  ', 'city = "all"  '))
    with Engine(db_url, clock=clock, policy=policy) as engine:
        record = populate(engine, clock)
        suzhou = Actor("sz", "city", "suzhou")
        assert record.keys(p.id for p in engine.projects(actor=suzhou)) == EVERY
        assert engine.get(record.ids["p3"], actor=suzhou).region == "320100"
        assert engine.projects(region="nanjing", actor=suzhou)[0].id == record.ids["p3"]
        with pytest.raises(NotPermitted):  # the enterprise keeps to its own
            engine.get(record.ids["p2"], actor=Actor("ea", "enterprise", CODE_A))


def test_without_an_actor_everything_is_read_as_before(engine, record):
    assert record.keys(p.id for p in engine.projects()) == EVERY
    for pid in record.ids.values():
        assert engine.get(pid).id == pid
