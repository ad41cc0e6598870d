"""Every command under hostile arguments: it exits 0, 2, 3, 4 or 5 (8 only for `escalate`), never
with a traceback; a failed command changes nothing; the record always holds, and `verify` says so.

The arguments are what a command line can carry: any text but NUL (execve takes C strings), lone
surrogates included (Python decodes undecodable argv bytes to them). Files named by hostile text
are kept inside the test's temporary folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from accel666 import STATES
from accel666.cli.main import COMMANDS
from tests.helpers import CODE_A, CODE_B, CODE_C, CODE_D, Cli
from tests.hostile.hostile_support import (
    CATEGORIES,
    DEAD_WEBHOOK,
    EXAMPLES,
    HOSTILE,
    MOMENTS,
    PHASE_NAMES,
    World,
    argv_text,
    as_process_sees,
    assert_consistent,
    build_world,
    hostile_text,
    odd_long_text,
    odd_name,
    quiet_logs,
    snapshot,
    webhooks,
)

CLI = settings(HOSTILE, max_examples=max(1, EXAMPLES * 4 // 5))
DONE_OR_REFUSED = (0, 2, 3, 4, 5)
DELIVERY_FAILED = 8
AS = ("province", "tencent", "city:suzhou", "city:kunshan", " city : 苏州 ", "city:320500",
      *(f"enterprise:{c}" for c in (CODE_A, CODE_B, CODE_C, CODE_D)), f"enterprise:{CODE_A.lower()}")


@pytest.fixture
def world(run: Cli, tmp_path: Path) -> Iterator[World]:
    with quiet_logs():
        built = build_world(run.db_url, tmp_path)
    (tmp_path / "out").mkdir()
    try:
        yield built
    finally:
        built.engine.close()


def file_name(text: str) -> str:
    """Hostile text as one name: no folder separators (so it stays in its folder), no NUL."""
    return as_process_sees(text.replace("/", "_"))


class Args:
    """Builds one command line, attacking up to two of its parts."""

    def __init__(self, data: st.DataObject, parts: tuple[str, ...]) -> None:
        self.data = data
        self.hit = frozenset(data.draw(st.sets(st.sampled_from(parts), max_size=2), label="hit"))

    def value(self, part: str, valid: st.SearchStrategy[str]) -> str:
        return self.data.draw(argv_text() if part in self.hit else valid, label=part)

    def option(self, part: str, flag: str, valid: st.SearchStrategy[str]) -> list[str]:
        """The option with a valid or hostile value; left out, sometimes, when attacked."""
        if part in self.hit and self.data.draw(st.integers(0, 5), label=f"omit {part}") == 0:
            return []
        return [flag, self.value(part, valid)]

    def acting(self) -> list[str]:
        return [*self.option("as", "--as", st.sampled_from(AS)),
                *self.option("actor", "--actor", odd_name())]

    def tail(self) -> list[str]:
        """--json, sometimes, and now and then a stray argument."""
        extra = ["--json"] if self.data.draw(st.booleans(), label="json") else []
        if self.data.draw(st.integers(0, 9), label="stray") == 0:
            extra.append(self.data.draw(argv_text(), label="stray arg"))
        return extra


def id_text(world: World) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(world.project_ids), st.integers(1, 40)).map(str)


def check(world: World, run: Cli, args: list[str], *, allowed: tuple[int, ...] = DONE_OR_REFUSED,
          writes_on: tuple[int, ...] = (0,)) -> Result:
    """Run one command line: an allowed exit code, no traceback, no change unless it exited
    with one of `writes_on`, JSON errors that say their exit code, and the record holds."""
    before = snapshot(world.engine)
    result = run(*args)
    assert "Traceback (most recent call last)" not in result.stderr, result.stderr[-3000:]
    assert result.exit_code in allowed, (result.exit_code, result.stderr[-3000:])
    if result.exit_code not in writes_on:
        assert snapshot(world.engine) == before, f"exit {result.exit_code} after a write"
    if args[-1:] == ["--json"] and result.exit_code in (3, 4, 5):
        error = json.loads(result.stderr.strip().splitlines()[-1])
        assert error["exit_code"] == result.exit_code
    assert_consistent(world.engine)
    return result


def verify_holds(run: Cli) -> None:
    """`accel666 verify` agrees that the record holds, where the command exists."""
    if "verify" in COMMANDS:
        result = run("verify", "--json")
        assert result.exit_code == 0, result.stdout + result.stderr


def at_some_moment(run: Cli, data: st.DataObject) -> None:
    run.moment = data.draw(st.sampled_from(MOMENTS), label="moment")


def test_dock(world: World, run: Cli) -> None:
    """dock with hostile options."""

    @CLI
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        at_some_moment(run, data)
        a = Args(data, ("as", "actor", "title", "enterprise", "code", "region", "category",
                        "batch"))
        args = ["dock", *a.acting(),
                *a.option("title", "--title", odd_name()),
                *a.option("enterprise", "--enterprise", odd_name()),
                *a.option("code", "--credit-code", st.sampled_from([CODE_A, CODE_D.lower()])),
                *a.option("region", "--region", st.sampled_from(["suzhou", "320583", "苏州"])),
                *a.option("category", "--category", st.sampled_from(CATEGORIES)),
                *a.option("batch", "--batch", st.sampled_from(["2020-1", " 2020-1 "])),
                *a.tail()]
        check(world, run, args)

    prop()
    verify_holds(run)


def test_project_events(world: World, run: Cli) -> None:
    """apply, recommend, review, sign, publish ID, reject and withdraw with hostile arguments."""
    assert world.doc_path is not None
    doc = str(world.doc_path)

    @CLI
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        at_some_moment(run, data)
        event = data.draw(st.sampled_from(["apply", "recommend", "review", "sign", "publish",
                                           "reject", "withdraw"]), label="event")
        a = Args(data, ("id", "as", "actor", "copies", "document", "text", "score", "verdict"))
        args = [event, a.value("id", id_text(world)), *a.acting()]
        if event == "apply":
            hostile_file = hostile_text().map(lambda s: str(world.tmp / file_name(s)))
            args += [*a.option("copies", "--paper-copies", st.sampled_from(["2", "０２", "3"])),
                     "--document", data.draw(hostile_file if "document" in a.hit
                                             else st.just(doc), label="document")]
        elif event in ("recommend", "reject", "withdraw"):
            flag = "--opinion" if event == "recommend" else "--reason"
            args += a.option("text", flag, odd_long_text())
        elif event == "review":
            args += [*a.option("score", "--score", st.integers(0, 100).map(str)),
                     *a.option("verdict", "--verdict", st.sampled_from(["pass", "fail"]))]
        check(world, run, [*args, *a.tail()])

    prop()
    verify_holds(run)


def test_reads(world: World, run: Cli) -> None:
    """show, list, history, document, export and report with hostile arguments; files land
    only in the test's folder."""
    out = world.tmp / "out"

    @CLI
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        command = data.draw(st.sampled_from(["show", "list", "history", "document", "export",
                                             "report"]), label="command")
        a = Args(data, ("id", "state", "region", "category", "batch", "limit", "output",
                        "format", "search"))
        if command == "export":
            name = a.value("output", st.sampled_from(["p.csv", "p.xlsx", "p.json", "p.md"]))
            args = ["export", *a.option("region", "--region", st.sampled_from(["kunshan"])),
                    *a.option("format", "--format", st.sampled_from(["csv", "xlsx", "md"])),
                    "-o", str(out / file_name(name)), "--force"]
        elif command == "report":
            args = ["report", *a.option("batch", "--batch", st.just("2020-1")),
                    *a.option("region", "--region", st.sampled_from(["kunshan", "320500"]))]
            if data.draw(st.booleans(), label="html"):
                args += ["--html", str(out / file_name(a.value("output", st.just("r.html")))),
                         "--force"]
        elif command == "list":
            args = ["list", *a.option("state", "--state", st.sampled_from(STATES)),
                    *a.option("region", "--region", st.sampled_from(["kunshan", "320500"])),
                    *a.option("category", "--category", st.sampled_from(CATEGORIES)),
                    *a.option("batch", "--batch", st.just("2020-1")),
                    *a.option("limit", "--limit", st.integers(1, 20).map(str)),
                    *a.option("search", "--search", st.sampled_from(["云", "%", "_"]))]
        else:
            args = [command, a.value("id", id_text(world))]
        if command == "document":
            target = data.draw(st.one_of(st.just("-"), odd_name(), argv_text()), label="output")
            args += ["-o", target if target == "-" else str(out / file_name(target))]
            if data.draw(st.booleans(), label="force"):
                args.append("--force")
        check(world, run, [*args, *a.tail()])

    prop()
    verify_holds(run)


def test_batches_and_publish_batch(world: World, run: Cli) -> None:
    """batches, batch extend and publish --batch (with -o in the test's folder), hostile."""
    out = world.tmp / "out"

    @CLI
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        at_some_moment(run, data)
        command = data.draw(st.sampled_from(["batches", "extend", "publish"]), label="command")
        a = Args(data, ("batch", "phase", "until", "reason", "as", "actor", "format", "output"))
        if command == "batches":
            args = ["batches"]
        elif command == "extend":
            args = ["batch", "extend", a.value("batch", st.just("2020-1")),
                    *a.option("phase", "--phase", st.sampled_from(PHASE_NAMES)),
                    *a.option("until", "--until", st.sampled_from(
                        ["2020-12-31", "2021-06-30", "2999-12-31", "9999-12-31", "２０２１-０１-０１"])),
                    *a.option("reason", "--reason", odd_long_text()), *a.acting()]
        else:
            args = ["publish", *a.option("batch", "--batch", st.just("2020-1")),
                    *a.option("format", "--format", st.sampled_from(["md", "csv", "json"])),
                    *a.acting()]
            if data.draw(st.booleans(), label="to file"):
                name = a.value("output", st.just("list.md"))
                args += ["-o", str(out / file_name(name))]
        check(world, run, [*args, *a.tail()])

    prop()
    verify_holds(run)


def test_escalation_commands(world: World, run: Cli) -> None:
    """escalate, overdue, escalations, ack and rearm with hostile arguments."""

    @CLI
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        at_some_moment(run, data)
        command = data.draw(st.sampled_from(["escalate", "overdue", "escalations", "ack",
                                             "rearm"]), label="command")
        a = Args(data, ("webhook", "attempts", "region", "project", "id", "note", "as", "actor"))
        esc_id = st.one_of(st.sampled_from(world.escalation_ids), st.integers(1, 60)).map(str)
        allowed = DONE_OR_REFUSED
        if command == "escalate":
            args = ["escalate", *(["--dry-run"] if data.draw(st.booleans()) else []),
                    *a.option("attempts", "--max-attempts", st.sampled_from(["1", "3"]))]
            if "webhook" in a.hit:  # hostile, but never a URL that could reach a real host
                url = data.draw(webhooks().map(lambda v: as_process_sees(str(v))).filter(
                    lambda u: u.startswith(DEAD_WEBHOOK) or not u.startswith("http")), label="url")
                args += ["--webhook", url]
            elif data.draw(st.booleans(), label="dead webhook"):
                args += ["--webhook", DEAD_WEBHOOK]
            allowed = (*DONE_OR_REFUSED, DELIVERY_FAILED)
        elif command == "overdue":
            args = ["overdue", *a.option("region", "--region", st.sampled_from(["suzhou"]))]
        elif command == "escalations":
            args = ["escalations", *(["--open"] if data.draw(st.booleans()) else []),
                    *(["--failed"] if data.draw(st.booleans()) else []),
                    *a.option("project", "--project", id_text(world))]
        else:
            args = [command, a.value("id", esc_id), *a.acting()]
            if command == "ack":
                args += a.option("note", "--note", odd_long_text())
        check(world, run, [*args, *a.tail()], allowed=allowed,
              writes_on=(0, DELIVERY_FAILED) if command == "escalate" else (0,))

    prop()
    verify_holds(run)


def test_global_options_and_environment(world: World, run: Cli) -> None:
    """Hostile --policy paths, --log-level values, and --as/--actor given through the
    environment (ACCEL666_AS, ACCEL666_ACTOR)."""

    @CLI
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        policy = data.draw(st.one_of(argv_text(), argv_text().map(
            lambda s: str(world.tmp / file_name(s)))), label="policy")
        level = data.draw(st.one_of(st.sampled_from(["debug", "error"]), argv_text()),
                          label="level")
        env = {"ACCEL666_AS": data.draw(st.one_of(st.sampled_from(AS), argv_text()), label="as"),
               "ACCEL666_ACTOR": data.draw(st.one_of(odd_name(), argv_text()), label="actor")}
        env = {k: as_process_sees(v) for k, v in env.items()}
        use_policy = data.draw(st.booleans(), label="use policy")
        args = [*(["--policy", policy] if use_policy else []), "--log-level", level,
                "sign", data.draw(id_text(world), label="id")]
        before = snapshot(world.engine)
        result = run(*args, env=env)
        assert "Traceback (most recent call last)" not in result.stderr, result.stderr[-3000:]
        assert result.exit_code in DONE_OR_REFUSED, (result.exit_code, result.stderr[-3000:])
        if result.exit_code != 0:
            assert snapshot(world.engine) == before
        assert_consistent(world.engine)

    prop()
    verify_holds(run)


def _serves(every: str) -> bool:
    """Would `scheduler --every EVERY` get as far as serving (and so never return)?"""
    from accel666.cli.commands.escalation_format import Duration
    from accel666.workflow.scheduler import MAX_EVERY

    try:
        interval = Duration().convert(every, None, None)
    except Exception:
        return False
    return timedelta(seconds=1) <= interval <= MAX_EVERY


def test_demo_and_scheduler_refuse(world: World, run: Cli) -> None:
    """demo and scheduler with hostile options that must stop them before they run: a --db
    URL for demo, an invalid --every for scheduler."""

    @CLI
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        if data.draw(st.booleans(), label="demo"):
            args = ["demo", "--seed", data.draw(argv_text(), label="seed"),
                    "--projects", data.draw(st.one_of(argv_text(), st.just("16")), label="n")]
        else:
            every = data.draw(st.one_of(argv_text(), st.sampled_from(
                ["99999999999999999999d", "999999999d", "367d", "0s", "1x", "-5m"])), label="every")
            assume(not _serves(every))
            args = ["scheduler", "--every", every,
                    *(["--webhook", data.draw(argv_text(), label="url")]
                      if data.draw(st.booleans(), label="with url") else [])]
        check(world, run, args)

    prop()
    verify_holds(run)
