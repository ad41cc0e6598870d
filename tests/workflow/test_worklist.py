"""A role's worklist (`Engine.todo`, `accel666 todo`, `GET /todo`): what it may do next and by
when, soonest first; only what it may act on, while the window is open or yet to open, and the
open escalations addressed to it."""

from __future__ import annotations

import json

from accel666 import Actor
from tests.helpers import CODE_A, CODE_B, cst
from tests.workflow.wf_support import city, dock, drive, enterprise, fire

SUZHOU = city("suzhou")
PROVINCE = Actor("prov", "province")
CLOSE_AUG_30 = cst(2020, 8, 30, 23, 59, 59, 999999)


def todo(engine, actor, now=None):
    return [(t.event, t.project_id, t.due, t.opens) for t in engine.todo(actor, now=now)]


def test_each_role_sees_what_it_may_do_next(engine, actors):
    docked = dock(engine)  # suzhou, CODE_A
    other = dock(engine, code=CODE_B, region="nanjing")
    assert todo(engine, SUZHOU) == [("apply", docked.id, CLOSE_AUG_30, None)]
    assert todo(engine, enterprise(CODE_A)) == [("apply", docked.id, CLOSE_AUG_30, None)]
    assert todo(engine, city("nanjing")) == [("apply", other.id, CLOSE_AUG_30, None)]
    assert todo(engine, PROVINCE) == []  # nothing is recommended yet
    assert todo(engine, city("kunshan")) == []
    fire(engine, "apply", docked)
    assert todo(engine, SUZHOU) == [("recommend", docked.id, CLOSE_AUG_30, None)]
    assert todo(engine, enterprise(CODE_A)) == []


def test_soonest_deadline_first(engine, clock):
    late = drive(engine, clock.set, "recommended")  # review closes 2020-09-30
    clock.set(cst(2020, 7, 2, 12))
    early = dock(engine, code=CODE_B)  # apply closes 2020-08-30
    tasks = engine.todo(Actor("any", "city", "suzhou"))
    assert [(t.event, t.project_id) for t in tasks] == [("apply", early.id)]
    assert [(t.event, t.project_id) for t in engine.todo(PROVINCE)] == [("review", late.id)]


def test_a_task_stays_until_the_last_moment_of_its_window(engine):
    docked = dock(engine)
    assert todo(engine, SUZHOU, now=cst(2020, 8, 30, 23, 59, 59)) == [
        ("apply", docked.id, CLOSE_AUG_30, None)]
    assert todo(engine, SUZHOU, now=cst(2020, 8, 31, 0, 0, 0)) == []  # past doing


def test_a_window_yet_to_open_is_listed_with_its_opening(engine, clock):
    reviewed = drive(engine, clock.set, "reviewed")
    clock.set(cst(2020, 9, 15, 10))
    (task,) = engine.todo(PROVINCE)
    assert (task.event, task.project_id) == ("sign", reviewed.id)
    assert task.opens == cst(2020, 10, 1)
    assert task.due == cst(2020, 10, 31, 23, 59, 59, 999999)


def test_an_extension_moves_the_deadline(engine, actors):
    docked = dock(engine)
    engine.extend(actors.province, "2020-1", phase="application", until=cst(2020, 9, 10).date(),
                  reason="台风")
    assert todo(engine, SUZHOU, now=cst(2020, 9, 5)) == [
        ("apply", docked.id, cst(2020, 9, 10, 23, 59, 59, 999999), None)]


def test_the_open_escalations_addressed_to_the_role_are_listed(engine, clock):
    docked = dock(engine)
    clock.set(cst(2020, 8, 31, 9))
    engine.escalate()
    tasks = engine.todo(SUZHOU)
    assert [(t.event, t.project_id, t.level) for t in tasks] == [("ack", docked.id, 1)]
    assert tasks[0].escalation_id is not None and tasks[0].title == docked.title
    engine.ack(SUZHOU, tasks[0].escalation_id, "已联系企业")
    assert engine.todo(SUZHOU) == []
    assert engine.todo(city("nanjing")) == []


def test_the_cli_lists_the_worklist_with_the_time_left(run):
    pid = run.dock()
    run.moment = cst(2020, 8, 28, 9, 30)
    text = run("todo", "--as", "city:suzhou")
    assert text.exit_code == 0, text.stderr
    line = next(line for line in text.stdout.splitlines() if line.split()[:2] == ["apply",
                                                                                 str(pid)])
    assert "2020-08-30 23:59:59 +08:00" in line and "2 d 14 h" in line
    doc = json.loads(run("todo", "--as", "city:suzhou", "--json").stdout)
    assert doc == [{"event": "apply", "project_id": pid, "title": doc[0]["title"],
                    "state": "docked", "batch": "2020-1",
                    "due": "2020-08-30T23:59:59.999999+08:00", "opens": None,
                    "escalation_id": None, "level": None}]
    assert run("todo", "--as", "province").stdout.strip() == "Nothing waits for you."
    assert run("--lang", "zh", "todo", "--as", "province").stdout.strip() == "暂无待办事项。"


def test_the_cli_refuses_an_unknown_role_with_exit_2(run):
    run.dock()
    result = run("todo", "--as", "mayor")
    assert result.exit_code == 2
    assert run("todo", "--as", "enterprise:" + CODE_A).exit_code == 0


def test_the_service_answers_the_operators_own_worklist(engine, actors):
    from fastapi.testclient import TestClient

    from accel666.service import ServiceConfig, create_app

    docked = dock(engine)
    suzhou = engine.add_operator("王工", "city:suzhou", by="prov").token
    nanjing = engine.add_operator("li.nanjing", "city:nanjing", by="prov").token
    app = create_app(ServiceConfig(db=str(engine.db.url)), clock=engine.now)
    with TestClient(app) as client:
        mine = client.get("/todo", headers={"Authorization": f"Bearer {suzhou}"})
        assert mine.status_code == 200, mine.text
        assert [(t["event"], t["project_id"], t["due"]) for t in mine.json()] == [
            ("apply", docked.id, "2020-08-30T23:59:59.999999+08:00")]
        theirs = client.get("/todo", headers={"Authorization": f"Bearer {nanjing}"})
        assert theirs.json() == []
        assert client.get("/todo").status_code == 401


CLOSE_SEP_30 = cst(2020, 9, 30, 23, 59, 59, 999999)


def test_an_expert_is_given_the_projects_it_has_still_to_score(engine, clock):
    from tests.review.panel_support import expert, recommended, registry

    registry(engine)
    first, second = recommended(engine, CODE_A), recommended(engine, CODE_B)
    engine.assign_panel(PROVINCE, [first, second], ["wang", "li", "zhao"])
    assert todo(engine, expert("wang")) == [("score", first, CLOSE_SEP_30, None),
                                            ("score", second, CLOSE_SEP_30, None)]
    assert todo(engine, expert("qian")) == []  # on no panel
    engine.score(expert("wang"), first, score=80)
    engine.recuse(expert("wang"), second, reason="与申报单位有合作")
    assert todo(engine, expert("wang")) == []
    assert [t[:2] for t in todo(engine, expert("li"))] == [("score", first), ("score", second)]
    assert todo(engine, expert("li"), now=cst(2020, 10, 1)) == []  # past doing


def test_a_page_offers_the_events_the_role_may_fire_on_the_project(engine):
    docked = dock(engine)  # suzhou, CODE_A
    assert engine.offered(SUZHOU, docked.id) == ("apply", "withdraw")
    assert engine.offered(enterprise(CODE_A), docked.id) == ("apply", "withdraw")
    assert engine.offered(PROVINCE, docked.id) == ()  # it rejects recommended projects only
    fire(engine, "apply", docked)
    assert engine.offered(SUZHOU, docked.id) == ("recommend", "reject", "withdraw")
    assert engine.offered(enterprise(CODE_A), docked.id) == ("withdraw",)
    fire(engine, "recommend", docked)
    assert engine.offered(PROVINCE, docked.id) == ("review", "reject")
