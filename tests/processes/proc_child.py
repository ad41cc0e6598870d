"""The child processes of the process tests: `python proc_child.py MODE JSON`.

Each mode opens what it needs, prints "ready", waits for a line on stdin (the start signal, sent
to every child of a race at once), does its work and prints one JSON line. Not a test module;
it imports only the library, never the test suite.

    cli        run the `accel666` command line with `argv` (exits with its exit code); with
               `pause_after_read`, each change waits for a second signal once it read the project;
               with `earlier_read` ID, each change acts on project ID as read before the start
    lifecycle  dock `count` projects (credit codes from `first`) and take each through all six
               events, on the engine's own fixed clock
    long       dock projects until there are `total`, then apply every docked one, one by one;
               with `pause_before_log` EVENT, the first EVENT stops inside its transaction
    sweep-die  record and queue the escalations due at `now`, then SIGKILL itself
    escalate   one `escalate` at `now`
    deliver    one round of deliveries at `now`
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")
EARLY = datetime(2020, 7, 1, 12, tzinfo=CST)  # docking to review of batch 2020-1 are open
LATE = datetime(2020, 10, 10, 9, tzinfo=CST)  # signing and publication are open
DOC = b"%PDF-1.4 application"
PANEL = ("t.panel.1", "t.panel.2", "t.panel.3")  # the experts the lifecycle test registers


def credit_code(n: int) -> str:
    """A valid credit code, different for each n (0 <= n < 10**8)."""
    from accel666.policies.credit_code import check_character, org_check_character

    body = f"{n:08d}"
    first17 = "91320500" + body + org_check_character(body)
    return first17 + check_character(first17)


class Clock:
    """The child's own clock: set by hand, never read from the wall."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def wait_for_start() -> None:
    print("ready", flush=True)
    sys.stdin.readline()


def done(result: dict[str, Any]) -> None:
    print(json.dumps(result), flush=True)


def pause_after_read() -> None:
    """Stop each change right after it read the project, until the next signal: released
    together, the racers then all hold the version they read. (PostgreSQL only: on SQLite,
    BEGIN IMMEDIATE lets one writer in at a time, so the others never get to read.)"""
    from accel666.models.stores import projects

    read = projects.load

    def read_then_wait(conn: Any, project_id: int) -> Any:
        row = read(conn, project_id)
        print("read", flush=True)
        sys.stdin.readline()
        return row

    projects.load = read_then_wait


def act_on_an_earlier_read(project_id: int) -> None:
    """Read the project now, before the start signal, and make every change act on that row
    instead of reading it inside its transaction: released together, each racer holds the
    version it read earlier, as a client that shows a project and then acts on it does. On
    SQLite too, only the version check can then stop the racers that lost."""
    from accel666 import Engine, models
    from accel666.models.stores import projects

    with Engine(os.environ["ACCEL666_DB"], create_schema=False) as engine, \
            models.reading(engine.db) as conn:
        earlier = projects.load(conn, project_id)
    projects.load = lambda _conn, _pid: earlier


def pause_before_log(event: str) -> None:
    """Stop the first `event` inside its transaction, after its other writes and before its log
    row, printing "inside"; the test kills the process there."""
    from accel666.models.stores import projects

    log = projects.log

    def wait_then_log(conn: Any, values: dict[str, Any]) -> None:
        if values["event"] == event:
            print("inside", flush=True)
            sys.stdin.readline()
        log(conn, values)

    projects.log = wait_then_log


def run_cli(args: dict[str, Any]) -> None:
    """The real command line, its modules loaded before the start signal."""
    import accel666.cli.commands.escalation
    import accel666.cli.commands.events  # noqa: F401
    from accel666.cli.main import cli as group

    if args.get("pause_after_read"):
        pause_after_read()
    if args.get("earlier_read") is not None:
        act_on_an_earlier_read(int(args["earlier_read"]))
    wait_for_start()
    group.main(args=list(args["argv"]), prog_name="accel666")


def lifecycle(args: dict[str, Any]) -> None:
    from accel666 import Actor, Engine

    clock = Clock(EARLY)
    city = Actor("city-suzhou", "city", "suzhou")
    province, tencent = Actor("prov", "province"), Actor("tx", "tencent")
    ids = []
    from accel666.policies import parse

    # The built-in programme without its public notice: the lifecycle alone, to its end.
    without = parse('extends = "builtin"\n\n[notice]\ngates = ""\n')
    with Engine(args["url"], clock=clock, create_schema=False, policy=without) as engine:
        wait_for_start()
        for n in range(args["first"], args["first"] + args["count"]):
            clock.moment = EARLY
            p = engine.dock(city, title=f"project {n}", enterprise=f"enterprise {n}",
                            credit_code=credit_code(n), region="suzhou", category="demo",
                            batch="2020-1")
            engine.apply(city, p.id, paper_copies=2, document=DOC, document_name="a.pdf")
            engine.recommend(city, p.id, opinion="推荐")
            engine.assign_panel(province, [p.id], list(PANEL))  # registered by the test
            for key in PANEL:
                engine.score(Actor(key, "expert", key), p.id, score=90)
            engine.review(province, p.id)
            clock.moment = LATE
            engine.sign(tencent, p.id)
            last = engine.publish(province, p.id)
            assert (last.state, last.version) == ("published", 6), last
            ids.append(p.id)
    done({"ids": ids})


def long_run(args: dict[str, Any]) -> None:
    """Dock up to `total` projects, then apply each docked one: one transaction per step."""
    from accel666 import Actor, Engine

    city = Actor("city-suzhou", "city", "suzhou")
    if args.get("pause_before_log"):
        pause_before_log(args["pause_before_log"])
    with Engine(args["url"], clock=Clock(EARLY), create_schema=False) as engine:
        wait_for_start()
        held = {p.credit_code for p in engine.projects()}
        for n in range(args["total"]):
            if credit_code(n) not in held:
                engine.dock(city, title=f"project {n}", enterprise=f"enterprise {n}",
                            credit_code=credit_code(n), region="suzhou", category="demo",
                            batch="2020-1")
        for p in engine.projects(state="docked"):
            engine.apply(city, p.id, paper_copies=2, document=DOC + str(p.id).encode(),
                         document_name=f"{p.id}.pdf")
    done({"applied": True})


def escalation(args: dict[str, Any], mode: str) -> None:
    from accel666 import Engine

    now = datetime.fromisoformat(args["now"]).astimezone(UTC)
    with Engine(args["url"], create_schema=False) as engine:
        wait_for_start()
        if mode == "sweep-die":
            engine.sweep(now, webhook=args["webhook"])
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "deliver":
            report = engine.deliver(now)
            done({"recorded": 0, "attempted": report.attempted, "delivered": report.delivered})
            return
        run = engine.escalate(now, webhook=args.get("webhook"))
        done({"recorded": run.sweep.total, "attempted": run.delivery.attempted,
              "delivered": run.delivery.delivered})


def main(mode: str, args: dict[str, Any]) -> None:
    if mode == "cli":
        run_cli(args)
        return
    if mode == "lifecycle":
        lifecycle(args)
    elif mode == "long":
        long_run(args)
    elif mode in ("sweep-die", "escalate", "deliver"):
        escalation(args, mode)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
