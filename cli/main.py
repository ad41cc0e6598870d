"""The `accel666` group: global options, lazily loaded commands, errors mapped to exit codes.

Command modules import the library inside their functions, so `accel666 --help` and shell
completion never import the database stack.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import Any

import click

from accel666.cli import errors
from accel666.cli.context import Settings

LEVELS = ("debug", "info", "warning", "error")

# command name -> "module:attribute", in the order `--help` lists them.
COMMANDS = {
    "dock": "accel666.cli.commands.events:dock",
    "apply": "accel666.cli.commands.events:apply",
    "recommend": "accel666.cli.commands.events:recommend",
    "review": "accel666.cli.commands.events:review",
    "sign": "accel666.cli.commands.events:sign",
    "publish": "accel666.cli.commands.publish:publish",
    "reject": "accel666.cli.commands.events:reject",
    "withdraw": "accel666.cli.commands.events:withdraw",
    "show": "accel666.cli.commands.queries:show",
    "list": "accel666.cli.commands.queries:list_projects",
    "history": "accel666.cli.commands.queries:history",
    "document": "accel666.cli.commands.queries:document",
    "report": "accel666.cli.commands.report:report",
    "import": "accel666.cli.commands.intake:import_",
    "export": "accel666.cli.commands.export:export",
    "diagram": "accel666.cli.commands.diagram:diagram",
    "batches": "accel666.cli.commands.batches:batches",
    "batch": "accel666.cli.commands.batches:batch",
    "policy": "accel666.cli.commands.policy:policy",
    "verify": "accel666.cli.commands.maintenance:verify",
    "anchor": "accel666.cli.commands.maintenance:anchor",
    "db": "accel666.cli.commands.maintenance:db",
    "operator": "accel666.cli.commands.operators:operator",
    "notice": "accel666.cli.commands.notices:notice",
    "objection": "accel666.cli.commands.notices:objection",
    "serve": "accel666.cli.commands.serve:serve",
    "demo": "accel666.cli.commands.demo:demo",
    "escalate": "accel666.cli.commands.escalation:escalate",
    "scheduler": "accel666.cli.commands.escalation:scheduler",
    "todo": "accel666.cli.commands.worklist:todo",
    "overdue": "accel666.cli.commands.escalation:overdue",
    "escalations": "accel666.cli.commands.escalation:escalations",
    "ack": "accel666.cli.commands.escalation:ack",
    "rearm": "accel666.cli.commands.escalation:rearm",
    "expert": "accel666.cli.commands.experts:expert",
    "panel": "accel666.cli.commands.panels:panel",
    "score": "accel666.cli.commands.panels:score",
    "recuse": "accel666.cli.commands.panels:recuse",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is used or listed."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy, *sorted(set(super().list_commands(ctx)) - set(self.lazy))]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, attr = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command), f"{self.lazy[cmd_name]} is not a command"
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, its summaries in the language of --lang or ACCEL666_LANG."""
        from accel666.views import labels

        lang = os.environ.get("ACCEL666_LANG", "en") if labels.current().lang == "en" \
            else labels.current().lang
        if lang not in labels.LANGS or lang == "en":
            super().format_commands(ctx, formatter)
            return
        shown = labels.Labels(lang)
        with formatter.section(shown.text(labels.N_("Commands"))):
            formatter.write_dl([(name, shown.text(labels.COMMAND_SUMMARIES.get(name, "")))
                                for name in self.list_commands(ctx)])

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        with errors.ends_quietly():  # --help and --version print here
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with errors.ends_quietly():
            try:
                return super().invoke(ctx)
            except (click.exceptions.ClickException, click.exceptions.Exit,
                    click.exceptions.Abort, BrokenPipeError):
                raise
            except Exception as exc:
                ctx.exit(errors.report(exc, as_json=bool(ctx.meta.get("json"))))


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=errors.EXIT_CODES_HELP,
)
@click.option("--db", "db", envvar="ACCEL666_DB", default="accel666.db", show_default=True,
              metavar="URL",
              help="Database: a SQLAlchemy URL (postgresql://…, sqlite:///…) or a path to a "
                   "SQLite file. Env: ACCEL666_DB.")
@click.option("--policy", envvar="ACCEL666_POLICY", default=None, metavar="PATH",
              type=click.Path(dir_okay=False),
              help="A policy file (TOML) instead of the built-in programme, e.g. to add a later "
                   "batch. A database records the policy of its first use and runs under it "
                   "from then on; a different file is refused until `policy apply`. "
                   "Env: ACCEL666_POLICY.")
@click.option("--log-json", is_flag=True, default=None,
              help="Log JSON lines to stderr even on a terminal (the default elsewhere).")
@click.option("--log-level", type=click.Choice(LEVELS), default="info", show_default=True,
              help="Least important log events to show on stderr.")
@click.option("--lang", envvar="ACCEL666_LANG", type=click.Choice(("en", "zh")), default="en",
              show_default=True, is_eager=True, callback=lambda _ctx, _param, value: _use(value),
              help="Language of what people read: states, phases, categories and regions by "
                   "name, table headings and summaries, the HTML report, the diagram, an "
                   "export's header row (JSON never changes). Env: ACCEL666_LANG.")
@click.version_option(package_name="accel666", prog_name="accel666")
@click.pass_context
def cli(ctx: click.Context, db: str, policy: str | None, log_json: bool | None,
        log_level: str, lang: str) -> None:
    """accel666 — the lifecycle engine of the Jiangsu Industrial Internet Accelerator Project
    (江苏省工业互联网加速器工程, "666 工程").

    Every project moves docked → applied → recommended → reviewed → signed → published (or
    ends rejected or withdrawn). Each command fires one event as one database transaction,
    guarded by the programme's deadlines (China time), materials and who may act.

    \b
    Try it:   accel666 demo
    Start:    accel666 --db my.db dock --as city:suzhou --title 云上工厂 \\
                  --enterprise 苏州某某科技有限公司 --credit-code 914403001922038216 \\
                  --region suzhou --category demo
    Data goes to stdout; log events and errors go to stderr. Every command that prints
    takes --json.
    """
    def explicit(name: str) -> bool:
        return ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)

    ctx.obj = Settings(db=db, policy=policy, log_json=log_json, log_level=log_level,
                       log_level_explicit=explicit("log_level"), db_explicit=explicit("db"))


def _use(lang: str) -> str:
    """--lang takes effect at once (it is eager): `accel666 --lang zh --help` lists in Chinese."""
    from accel666.views import labels

    labels.use(lang)
    return lang


def main() -> None:
    # A command imports the database stack: some 80,000 objects that live as long as the
    # process. The cyclic collector would scan them over and over during the imports and once
    # more at exit (bench/README.md says how much). It stays off until the library is in
    # (context.library_loaded); commands that never load it are over in milliseconds.
    gc.disable()
    try:
        cli(prog_name="accel666")
    finally:
        try:  # what is still buffered, before the interpreter flushes it at exit
            sys.stdout.flush()
        except BrokenPipeError:  # the reader left before the last bytes: not wanted
            errors.silence_stdout()
