"""A quiet library: embedded in a host that configures nothing it prints nothing; a host that
configures `logging` receives every event, with its fields, under the `accel666` logger."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

from tests.escalation.esc_support import drive
from tests.helpers import cst, events

# A host service's whole life with the library: a project through every event, a refusal, a
# sweep whose log notifier delivers an escalation (a warning), its delivery, an acknowledgement.
HOST = textwrap.dedent("""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from accel666 import Actor, Engine, Refused

    CST = ZoneInfo("Asia/Shanghai")
    now = [datetime(2020, 7, 1, 12, tzinfo=CST)]
    city = Actor("li", "city", "suzhou")
    ent = Actor("wang", "enterprise", "914403001922038216")
    province = Actor("prov", "province")
    with Engine(f"sqlite:///{DB}", clock=lambda: now[0]) as engine:
        p = engine.dock(city, title="T", enterprise="E", credit_code="914403001922038216",
                        region="suzhou", category="demo")
        late = engine.dock(city, title="L", enterprise="F", credit_code="91440300708461136T",
                           region="suzhou", category="demo")
        try:
            engine.apply(ent, p.id, paper_copies=1, document=b"%PDF", document_name="a.pdf")
        except Refused:
            pass
        engine.apply(ent, p.id, paper_copies=2, document=b"%PDF", document_name="a.pdf")
        engine.recommend(city, p.id, opinion="ok")
        for key in ("x1", "x2", "x3"):  # the review follows an expert panel
            engine.add_expert(province, key, name=key)
        engine.assign_panel(province, [p.id], ["x1", "x2", "x3"])
        for key in ("x1", "x2", "x3"):
            engine.score(Actor(key, "expert", key), p.id, score=90)
        engine.review(province, p.id)
        engine.start_notice(province, "2020-1")  # closes on 8 July: signing waits for it
        now[0] = datetime(2020, 10, 10, 9, tzinfo=CST)
        engine.sign(province, p.id)
        engine.publish_batch(province, "2020-1")
        run = engine.escalate(datetime(2020, 9, 1, tzinfo=CST))
        assert run.sweep.total >= 1 and run.delivery.delivered >= 1, run
        engine.ack(province, engine.escalations()[0].id, "noted")
        assert engine.verify().ok
    print("OK", end="")
""")


def test_a_host_that_configures_nothing_sees_nothing(tmp_path):
    """A full lifecycle, a refusal, an escalation delivered by the log notifier: the host's
    stdout holds only its own output and its stderr nothing at all."""
    code = f"DB = {str(tmp_path / 'host.db')!r}\n" + HOST
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False, cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "OK", "")


def test_a_host_receives_the_events_through_logging(engine, clock, caplog):
    """With logging at INFO, every transition, refusal and escalation arrives as a record of
    an `accel666.*` logger, its fields in `record.accel666` and rendered in its message."""
    with caplog.at_level(logging.INFO, logger="accel666"):
        project = drive(engine, clock.set, "docked")
        engine.escalate(cst(2020, 8, 31, 0, 0, 1))
    (transition,) = events(caplog.records, "transition")
    assert {k: transition[k] for k in ("trigger", "project", "from_state", "to_state", "actor")} \
        == {"trigger": "dock", "project": project.id, "from_state": None, "to_state": "docked",
            "actor": "city-suzhou"}
    (escalation,) = events(caplog.records, "escalation")
    assert (escalation["project_id"], escalation["phase"], escalation["escalation_level"]) == (
        project.id, "application", 1)
    by_event = {r.accel666["event"]: r for r in caplog.records
                if hasattr(r, "accel666")}
    assert by_event["transition"].name == "accel666.workflow"
    assert by_event["transition"].levelno == logging.INFO
    assert by_event["escalation"].name == "accel666.escalation"
    assert by_event["escalation"].levelno == logging.WARNING
    message = by_event["transition"].getMessage()
    assert message.startswith("transition ") and f"project={project.id}" in message


def test_events_below_the_hosts_level_are_not_even_built(engine, clock, caplog):
    """At WARNING, no INFO record reaches any handler; warnings still do."""
    with caplog.at_level(logging.WARNING, logger="accel666"):
        drive(engine, clock.set, "docked")
        engine.escalate(cst(2020, 8, 31, 0, 0, 1))
    assert {e["event"] for e in events(caplog.records)} == {"escalation"}
