"""`policy apply` does not rewrite the past: it refuses (exit 4, naming each problem) to change
a window that has closed, to change a batch with recorded decisions so that it would have
refused them, or to set a target below what is already published, unless overridden with a
recorded reason. `verify` replays every recorded decision against the policy in force at its
time and names those it would have refused."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.engine import make_url

from accel666 import Engine, Refused, models
from accel666.policies import as_document
from accel666.record import chain
from tests.escalation.esc_support import policy_with
from tests.helpers import CODE_A, CODE_B, CODE_C, cst
from tests.workflow.wf_support import PROVINCE, drive

AFTER = cst(2020, 10, 12, 10)  # every window of batch 2020-1 but signing and publication closed
RETROACTIVE = (("name = \"2020年第一批\"", "name = \"2020年第一批\"\nwindows_out_of_order = true"),
               ("application = { closes = 2020-08-30 }", "application = { closes = 2020-06-30 }"),
               ("recommendation = { closes = 2020-08-30 }",
                "recommendation = { closes = 2020-06-30 }"),
               ("target = 600", "target = 1"))


@pytest.fixture
def published(engine, clock):
    """Three projects applied on 2020-07-01 and published on 2020-10-10; the clock at AFTER."""
    ids = [drive(engine, clock.set, "published", code=code).id for code in (CODE_A, CODE_B,
                                                                             CODE_C)]
    clock.set(AFTER)
    return ids


def test_a_policy_that_rewrites_a_past_batch_is_refused_naming_each_problem(engine, published):
    """Was: the application's close moved to before the recorded applications and the
    demonstration target cut below what is published were applied, and `verify` held."""
    before = engine.report().to_dict(engine.policy.zone)
    with pytest.raises(Refused) as refused:
        engine.apply_policy(PROVINCE, policy_with(*RETROACTIVE), reason="调整")
    assert (refused.value.event, refused.value.guard) == ("policy", "retroactive")
    problems = refused.value.facts["problems"]
    assert problems == [
        "batch 2020-1: the application window closed at 2020-08-30 23:59:59 +08:00; the new "
        "policy changes it (closes 2020-08-30 → 2020-06-30)",
        "batch 2020-1: the recommendation window closed at 2020-08-30 23:59:59 +08:00; the new "
        "policy changes it (closes 2020-08-30 → 2020-06-30)",
        "batch 2020-1: 3 recorded apply decisions (projects 1, 2, 3) would have been refused by "
        "the new policy: the application window of batch 2020-1 closed at 2020-06-30 23:59:59 "
        "+08:00",
        "batch 2020-1: 3 recorded recommend decisions (projects 1, 2, 3) would have been "
        "refused by the new policy: the recommendation window of batch 2020-1 closed at "
        "2020-06-30 23:59:59 +08:00",
        "category demo: the new target 1 is below the 3 projects already published",
    ]
    assert all(p in refused.value.message for p in problems)
    assert "--override" in refused.value.message
    assert len(engine.policies()) == 1
    assert engine.report().to_dict(engine.policy.zone) == before
    assert engine.verify().ok


def test_an_override_applies_it_with_its_reason_and_the_record_still_holds(engine, published):
    applied = engine.apply_policy(PROVINCE, policy_with(*RETROACTIVE), reason="省厅批准更正",
                                  override=True)
    assert (applied.reason, applied.override) == ("省厅批准更正", True)
    assert len(applied.overridden) == 5
    [_, last] = engine.policies()
    assert (last.override, last.overridden) == (True, applied.overridden)
    # Each decision was made under the policy of its time: the record holds.
    report = engine.verify()
    assert report.ok, report.problems


def test_a_change_to_an_open_window_that_would_refuse_recorded_decisions_is_refused(
        engine, clock):
    drive(engine, clock.set, "applied")  # applied on 2020-07-01 at noon
    clock.set(cst(2020, 7, 10, 10))  # the application window is open until 2020-08-30
    later_opening = policy_with(("application = { closes = 2020-08-30 }",
                                 "application = { opens = 2020-07-05, closes = 2020-08-30 }"))
    with pytest.raises(Refused) as refused:
        engine.apply_policy(PROVINCE, later_opening, reason="x")
    assert refused.value.facts["problems"] == [
        "batch 2020-1: 1 recorded apply decision (project 1) would have been refused by the new "
        "policy: the application window of batch 2020-1 opens at 2020-07-05 00:00:00 +08:00"]
    more_copies = policy_with(("min_paper_copies = 2", "min_paper_copies = 3"))
    with pytest.raises(Refused) as refused:
        engine.apply_policy(PROVINCE, more_copies, reason="x")
    assert refused.value.facts["problems"] == [
        "batch 2020-1: 1 recorded apply decision (project 1) would have been refused by the new "
        "policy: the application needs 3 paper copies (got 2)"]
    # A change that refuses nothing already recorded is applied.
    engine.apply_policy(PROVINCE, policy_with(("application = { closes = 2020-08-30 }",
                                               "application = { closes = 2020-09-15 }"),
                                              ("recommendation = { closes = 2020-08-30 }",
                                               "recommendation = { closes = 2020-09-15 }")),
                        reason="延长申报")
    assert engine.verify().ok


def test_the_cli_refuses_with_exit_4_and_records_an_override(run, tmp_path):
    run.without_notice = False  # no ACCEL666_POLICY: the database's own policy, as users run
    run.dock()
    for event in (("apply", "1", "--as", f"enterprise:{CODE_A}", "--paper-copies", "2",
                   "--document", run.document()),):
        assert run(*event).exit_code == 0
    run.moment = AFTER
    path = tmp_path / "retro.toml"
    import tomli_w

    path.write_text(tomli_w.dumps(as_document(policy_with(*RETROACTIVE[:3]))), encoding="utf-8")
    refused = run("policy", "apply", str(path), "--reason", "调整", "--as", "province")
    assert refused.exit_code == 4, refused.stderr
    assert "the application window closed at 2020-08-30 23:59:59 +08:00" in refused.stderr
    assert "1 recorded apply decision (project 1)" in refused.stderr
    done = run("policy", "apply", str(path), "--reason", "省厅批准更正", "--override", "--as",
               "province", "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["override"] is True
    history = run.json("policy", "history")
    assert [(h["reason"], h["override"]) for h in history] == [
        ("the policy in force when the database was first used", False),
        ("省厅批准更正", True)]
    assert run("verify").exit_code == 0


def rewrite_row(url: str, project_id: int, seq: int, **changes: Any) -> None:
    """Change log row `seq` of a project, recompute its chain to the head, and make the project
    row agree (head, updated time, paper copies): consistent in every row."""
    eng = create_engine(make_url(url))
    T, P = models.transition_table, models.project_table
    try:
        with eng.begin() as conn:
            rows = conn.execute(select(T).where(T.c.project_id == project_id)
                                .order_by(T.c.seq)).all()
            prev, last = chain.GENESIS, None
            for row in rows:
                values = {**row._asdict(), **(changes if row.seq == seq else {})}
                prev = chain.row_hash(values, prev)
                conn.execute(update(T).where(T.c.id == row.id).values(
                    **({k: values[k] for k in changes} if row.seq == seq else {}), hash=prev))
                last = values
            assert last is not None
            extra = {}
            if "payload" in changes and "paper_copies" in changes["payload"]:
                extra["paper_copies"] = changes["payload"]["paper_copies"]
            conn.execute(update(P).where(P.c.id == project_id)
                         .values(head_hash=prev, updated_at=last["at"], **extra))
    finally:
        eng.dispose()


def apply_payload(url: str, project_id: int) -> dict[str, Any]:
    eng = create_engine(make_url(url))
    T = models.transition_table
    try:
        with eng.connect() as conn:
            payload: dict[str, Any] = conn.execute(select(T.c.payload).where(
                T.c.project_id == project_id, T.c.event == "apply")).scalar_one()
            return payload
    finally:
        eng.dispose()


def decisions(engine: Engine) -> list[tuple[int | None, str]]:
    return [(p.project_id, p.message) for p in engine.verify().problems if p.kind == "decision"]


def test_verify_names_a_decision_the_policy_of_its_time_would_have_refused(engine, clock,
                                                                          db_url):
    """A rewritten log, consistent end to end: an application dated after the window's close,
    one with a single paper copy, a recommendation by an enterprise."""
    late = drive(engine, clock.set, "applied").id
    copies = drive(engine, clock.set, "applied", code=CODE_B).id
    role = drive(engine, clock.set, "recommended", code=CODE_C).id
    assert engine.verify().ok
    rewrite_row(db_url, late, 2, at=datetime(2020, 9, 5, 2, tzinfo=cst(2020, 1, 1).tzinfo))
    rewrite_row(db_url, copies, 2, payload={**apply_payload(db_url, copies), "paper_copies": 1})
    rewrite_row(db_url, role, 3, role="enterprise", scope=CODE_C)
    assert decisions(engine) == [
        (late, f"project {late}: log row seq 2 (apply at 2020-09-05 02:00:00 +08:00) would have "
         "been refused by the policy in force then: the application window of batch 2020-1 "
         "closed at 2020-08-30 23:59:59 +08:00"),
        (copies, f"project {copies}: log row seq 2 (apply at 2020-07-01 12:00:00 +08:00) would "
         "have been refused by the policy in force then: the application needs 2 paper copies "
         "(got 1)"),
        (role, f"project {role}: log row seq 3 (recommend at 2020-07-01 12:00:00 +08:00) would "
         "have been refused by the policy in force then: role enterprise may not recommend "
         "(allowed: city)"),
    ]


def test_verify_replays_each_decision_against_the_policy_in_force_at_its_time(engine, clock,
                                                                             db_url):
    """An application under the built-in policy; then a policy (overridden) that closes the
    application window before it; then an application dated inside the new window is fine and
    one dated after it is named."""
    drive(engine, clock.set, "applied")
    clock.set(cst(2020, 7, 10, 10))
    engine.apply_policy(PROVINCE, policy_with(("application = { closes = 2020-08-30 }",
                                               "application = { closes = 2020-07-20 }")),
                        reason="提前截止", override=True)
    ok = drive(engine, lambda _t: clock.set(cst(2020, 7, 12, 10)), "applied", code=CODE_B).id
    assert engine.verify().ok, engine.verify().problems
    late = drive(engine, lambda _t: clock.set(cst(2020, 7, 12, 10)), "applied", code=CODE_C).id
    rewrite_row(db_url, late, 2, at=datetime(2020, 7, 25, 2, tzinfo=cst(2020, 1, 1).tzinfo))
    assert [pid for pid, _ in decisions(engine)] == [late]
    assert ok != late
