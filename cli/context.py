"""What the group's options decide, and the options shared by commands (as decorators)."""

from __future__ import annotations

import gc
import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from accel666.cli import output

if TYPE_CHECKING:
    from accel666 import Actor, Engine, Policy

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@dataclass
class Settings:
    db: str
    policy: str | None
    log_json: bool | None
    log_level: str
    log_level_explicit: bool = False
    db_explicit: bool = False

    def configure_logging(self, *, quiet: bool = False) -> None:
        """Logs to stderr; `quiet` shows only errors unless --log-level was given.

        Every command that uses the library calls this once it has imported it."""
        from accel666.cli import logs

        library_loaded()
        level = self.log_level if self.log_level_explicit or not quiet else "error"
        logs.configure(level, self.log_json)

    def open_engine(self, **options: Any) -> Engine:
        """Configure logging and open the engine on the chosen database and policy (`options`
        go to the Engine, e.g. create_schema=False)."""
        from accel666 import Engine

        self.configure_logging()
        options.setdefault("policy", self.policy)
        return Engine(self.db, **options)


def library_loaded() -> None:
    """End of start-up, if `main` turned the cyclic garbage collector off for it: what the
    imports made lives as long as the process, so it is frozen (never scanned again, not even
    at exit) and collection resumes for what the command itself creates."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def settings() -> Settings:
    obj = click.get_current_context().find_object(Settings)
    assert obj is not None, "commands run under the accel666 group"
    return obj


def with_engine(call: Callable[[Engine], T], **options: Any) -> tuple[T, Policy]:
    """Open the engine on the chosen database and policy, call `call` with it and close it.
    Returns what `call` returned and the policy it ran under (times print in its zone)."""
    with settings().open_engine(**options) as engine:
        return call(engine), engine.policy


def call_and_print(call: Callable[[Engine], T], as_json: bool, *,
                   to_json: Callable[[T, Policy], Any],
                   to_text: Callable[[T, Policy], str | None], **options: Any) -> T:
    """What most commands do: call the engine, then print the result for scripts (`to_json`
    gives the JSON document) or for people (`to_text` gives the text, or prints it itself
    and returns None). Returns the result for whatever the command does next."""
    result, policy = with_engine(call, **options)
    output.render(result, policy, as_json, to_json=to_json, to_text=to_text)
    return result


def default_actor_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


def acting(f: F) -> F:
    """`--as ROLE[:SCOPE]` and `--actor NAME`: who fires the event."""
    f = click.option(
        "--as", "as_", envvar="ACCEL666_AS", required=True, metavar="ROLE[:SCOPE]",
        help="The role you act in: enterprise:CREDIT_CODE, tencent, city:REGION (e.g. "
             "city:suzhou, city:320583), province or expert:KEY. Env: ACCEL666_AS.",
    )(f)
    f = click.option(
        "--actor", envvar="ACCEL666_ACTOR", default=default_actor_name, metavar="NAME",
        show_default="the OS user", help="Your name, as recorded in the log. Env: ACCEL666_ACTOR.",
    )(f)
    return f


def actor_from(as_: str, name: str) -> Actor:
    from accel666 import Actor

    return Actor.parse(as_, name)


def reading(f: F) -> F:
    """`--as ROLE[:SCOPE]` for a command that reads projects: only what that role may read.
    Without it (nor ACCEL666_AS), everything: whoever holds the database may read it all."""
    return click.option(
        "--as", "as_", envvar="ACCEL666_AS", default=None, metavar="ROLE[:SCOPE]",
        help="Read as this role: only what the policy's [reads] lets it read (an enterprise "
             "its own projects, a city bureau its region's). Without it, everything. "
             "Env: ACCEL666_AS.",
    )(f)


def reader_from(as_: str | None) -> Actor | None:
    """The actor a reading command reads as (named as ACCEL666_ACTOR or the OS user), or None
    for a reader of everything."""
    if as_ is None or not as_.strip():
        return None
    return actor_from(as_, os.environ.get("ACCEL666_ACTOR") or default_actor_name())


def json_option(f: F) -> F:
    """`--json`: print a stable JSON document instead of text (errors too, on stderr)."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        if value:
            ctx.meta["json"] = True
        return value

    return click.option("--json", "as_json", is_flag=True, callback=remember, expose_value=True,
                        is_eager=True, help="Print JSON instead of text.")(f)


def paging(f: F) -> F:
    """`--limit N` and `--offset N`: one page of a long list."""
    f = click.option("--offset", type=int, default=0, show_default=True,
                     help="Skip this many first (with --limit: pages).")(f)
    f = click.option("--limit", type=int, default=None, help="At most this many.")(f)
    return f
