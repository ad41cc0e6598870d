"""What the tests share besides fixtures: credit codes, China time, a hand-set clock, a CLI runner."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from click.testing import CliRunner, Result
from freezegun import freeze_time

CST = ZoneInfo("Asia/Shanghai")
PG_ADMIN_URL = os.environ.get(
    "ACCEL666_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("ACCEL666_REQUIRE_POSTGRES", "") not in ("", "0")

# Credit codes that pass both check characters (from the standard's published examples).
CODE_A = "914403001922038216"
CODE_B = "91440300708461136T"
CODE_C = "9144030071526726XG"
CODE_D = "91350100M000100Y43"


# The programme without its public notice before signing ([notice] gates = ""): for the tests
# that sign and publish to test something else than the notice (tests/notice tests it).
NO_NOTICE_TEXT = 'extends = "builtin"\n\n[notice]\ngates = ""\n'


def no_notice_policy() -> Any:
    """The built-in policy with no event waiting for a public notice."""
    from accel666.policies import parse

    return parse(NO_NOTICE_TEXT, source="<builtin without notice>")


def no_notice_file() -> str:
    """A policy file holding `NO_NOTICE_TEXT`, outside any test's own folder; its path."""
    path = Path(tempfile.gettempdir()) / f"accel666-no-notice-{os.getpid()}.toml"
    if not path.exists():
        path.write_text(NO_NOTICE_TEXT, encoding="utf-8")
    return str(path)


def policy_bound(db_url: str) -> bool:
    """Does the database hold a policy already (its first change bound one)? Then the command
    line runs under that one, as users run it, and is given none."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    if db_url.startswith("sqlite:///") and not Path(db_url.removeprefix("sqlite:///")).exists():
        return False
    try:
        eng = create_engine(db_url)
    except (SQLAlchemyError, ValueError):  # not a database URL: the command says so itself
        return False
    try:
        with eng.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM accel666_policy")).scalar())
    except SQLAlchemyError:
        return False
    finally:
        eng.dispose()


class FakeClock:
    """The engine's clock in tests: set and advanced by hand, never read from the wall."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def cst(*args: int) -> datetime:
    """An aware datetime in China Standard Time."""
    return datetime(*args, tzinfo=CST)  # type: ignore[misc]


class Cli:
    """Runs `accel666 --db URL ...` at a frozen moment (China time) and keeps the last result."""

    def __init__(self, db_url: str, tmp_path, *, without_notice: bool = True) -> None:
        self.db_url = db_url
        # Runs under `NO_NOTICE_TEXT` (ACCEL666_POLICY) unless told otherwise or given --policy.
        self.without_notice = without_notice
        self.tmp_path = tmp_path
        self.moment = cst(2020, 7, 1, 10, 0, 0)
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None, **kw: Any) -> Result:
        from accel666.cli.main import cli

        if self.without_notice and not policy_bound(self.db_url):
            env = {"ACCEL666_POLICY": no_notice_file(), **(env or {})}
        with freeze_time(self.moment.astimezone(UTC)):
            return self.runner.invoke(cli, ["--db", self.db_url, *args], env=env,
                                      catch_exceptions=False, **kw)

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    def dock(self, *extra: str, code: str = CODE_A, region: str = "suzhou",
             actor: str = "city:suzhou") -> int:
        result = self("dock", "--as", actor, "--title", "云上工厂", "--enterprise", "苏州某某科技",
                      "--credit-code", code, "--region", region, "--category", "demo", *extra)
        assert result.exit_code == 0, result.stderr
        return int(result.stdout.strip())

    def document(self, content: bytes = b"%PDF-1.4 test") -> str:
        path = self.tmp_path / "application.pdf"
        path.write_bytes(content)
        return str(path)


def reset_logging() -> None:
    """The `accel666` logger as a new process has it: its NullHandler only, level unset."""
    logger = logging.getLogger("accel666")
    for handler in list(logger.handlers):
        if not isinstance(handler, logging.NullHandler):
            logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)
    logger.propagate = True


def events(records: list[logging.LogRecord], name: str | None = None) -> list[dict[str, Any]]:
    """The fields of the library's log events among `records` (e.g. pytest's caplog.records),
    only those called `name` if given."""
    found = [r.accel666 for r in records if isinstance(getattr(r, "accel666", None),
                                                                    dict)]
    return [e for e in found if name is None or e.get("event") == name]


PANEL_KEYS = ("t.panel.1", "t.panel.2", "t.panel.3")  # the experts of `panel_review`


def scored_panel(engine: Any, project_id: int, verdict: str = "pass", *,
                 province: Any = None) -> None:
    """Three experts (added to the registry on first use) seated on the panel of a
    recommended project, each scoring 90 for a pass or 40 for a fail."""
    from accel666 import Actor

    province = province or Actor("prov", "province")
    known = {x.key for x in engine.experts()}
    for key in PANEL_KEYS:
        if key not in known:
            engine.add_expert(province, key, name=f"专家{key[-1]}")
    engine.assign_panel(province, [project_id], list(PANEL_KEYS))
    for key in PANEL_KEYS:
        engine.score(Actor(f"x{key[-1]}", "expert", key), project_id,
                     score=90 if verdict == "pass" else 40)


def panel_review(engine: Any, project_id: int, verdict: str = "pass", *,
                 province: Any = None, expected_version: int | None = None) -> Any:
    """The review of a recommended project as the built-in policy runs it: a scored panel
    (`scored_panel`), then the province's review following it. The project as reviewed."""
    from accel666 import Actor

    province = province or Actor("prov", "province")
    scored_panel(engine, project_id, verdict, province=province)
    return engine.review(province, project_id, expected_version=expected_version)


def cli_panel_review(run: Any, project_id: int, verdict: str = "pass") -> Any:
    """`panel_review` on the command line: the `review` command's result."""
    known = {x["key"] for x in run.json("expert", "list")}
    for key in PANEL_KEYS:
        if key not in known:
            assert run("expert", "add", key, "--name", f"专家{key[-1]}", "--as",
                       "province").exit_code == 0
    assert run("panel", "assign", str(project_id), "--experts", ",".join(PANEL_KEYS),
               "--as", "province").exit_code == 0
    for key in PANEL_KEYS:
        assert run("score", str(project_id), "--score", "90" if verdict == "pass" else "40",
                   "--as", f"expert:{key}").exit_code == 0
    return run("review", str(project_id), "--as", "province")


def review_policy(table: str | None) -> Any:
    """The built-in policy with its [review] table replaced by `table` (the lines under it),
    or left out (None): the review as it was before panels, score and verdict independent."""
    from accel666.policies import parse
    from accel666.policies.loader import _builtin_text

    text = _builtin_text()
    before = text[:text.index("[review]")]
    if table is None:
        return parse(before, source="<built-in without [review]>")
    return parse(before + "[review]\n" + table + "\n", source="<built-in, [review] edited>")
