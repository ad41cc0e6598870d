"""Deadline enforcement: escalate (for cron), scheduler (resident), overdue, escalations, ack,
rearm. Each calls the Engine method of the same name."""

from __future__ import annotations

from datetime import timedelta

import click

from accel666.cli import errors, output
from accel666.cli.commands import escalation_format as fmt
from accel666.cli.context import (
    acting,
    actor_from,
    call_and_print,
    json_option,
    paging,
    reader_from,
    reading,
    with_engine,
)

webhook_option = click.option(
    "--webhook", default=None, metavar="URL",
    help="Also POST each new escalation as JSON to URL (with an Idempotency-Key header). "
         "Default: the policy's [escalation] webhook, if any.")
max_attempts_option = click.option(
    "--max-attempts", type=click.IntRange(1), default=None, metavar="N",
    help="Mark a delivery failed after N attempts. Default: the policy's max_attempts.")
escalation_id_argument = click.argument("escalation_id", type=int, metavar="ESC_ID")


@click.command()
@click.option("--dry-run", is_flag=True,
              help="Show what would be recorded and resolved; write and deliver nothing.")
@webhook_option
@max_attempts_option
@json_option
def escalate(dry_run: bool, webhook: str | None, max_attempts: int | None,
             as_json: bool) -> None:
    """Record every escalation that is due now, once, and deliver what is waiting (for cron).

    A project still docked after the application window closed, or still applied after the
    recommendation window closed, and so on, is escalated: level 1 at the close to the party
    responsible, level 2 three days later to 两化融合推进处, level 3 seven days later to the
    province (the project lapses for a decision). Safe to run from several machines at once.
    Exits 0, or 8 when a delivery failed for the last time in this run, or was not posted
    because its row is not what the record holds (`accel666 verify` names it).

    \b
    Examples:
      accel666 escalate --dry-run
      */15 * * * *  accel666 --db postgresql://… escalate --webhook https://ops.example/hook
    """
    run = call_and_print(lambda engine: engine.escalate(dry_run=dry_run, webhook=webhook,
                                                        max_attempts=max_attempts),
                         as_json, to_json=fmt.run_dict, to_text=fmt.run_text)
    if run.delivery.refused:
        click.echo(f"accel666: {run.delivery.refused} delivery(ies) not posted: the row is not "
                   "what the record holds; see accel666 verify", err=True)
    if run.delivery.failed:
        click.echo(f"accel666: {run.delivery.failed} delivery(ies) failed for good; see "
                   "accel666 escalations --failed", err=True)
    if run.delivery.failed or run.delivery.refused:
        click.get_current_context().exit(errors.DELIVERY_FAILED)


@click.command()
@click.option("--every", type=fmt.Duration(), default="15m", show_default=True,
              metavar="DURATION", help="Also sweep at this interval, e.g. 90s, 15m, 1h.")
@webhook_option
@max_attempts_option
def scheduler(every: timedelta, webhook: str | None, max_attempts: int | None) -> None:
    """Run the escalation sweep as a resident service until SIGTERM or SIGINT.

    Sweeps at start, at each future window closing moment and level due moment (China time),
    and every --every interval; one sweep at a time, missed runs coalesce into one. On SIGTERM
    or SIGINT the sweep under way finishes and the command exits 0. Running it beside a cron
    `escalate`, or twice, records nothing twice.

    \b
    Example:
      accel666 --db postgresql://accel666@db/accel666 scheduler --every 15m
    """
    from accel666.workflow.scheduler import build_scheduler

    with_engine(lambda engine: build_scheduler(engine, every, webhook=webhook,
                                               max_attempts=max_attempts).serve())


@click.command()
@click.option("--region", default=None, help="Only this region (code, Chinese name or pinyin).")
@paging
@reading
@json_option
def overdue(region: str | None, limit: int | None, offset: int, as_: str | None,
            as_json: bool) -> None:
    """List the projects overdue now: phase, deadline, how late, the level reached; with
    --as, those that role may read.

    \b
    Example:
      accel666 overdue --region kunshan --json
    """
    actor = reader_from(as_)
    call_and_print(lambda engine: engine.overdue(region=region, limit=limit, offset=offset,
                                                 actor=actor),
                   as_json, must_exist=True,
                   to_json=output.each(fmt.overdue_dict), to_text=fmt.overdue_text)


@click.command()
@click.option("--open", "open_only", is_flag=True,
              help="Only escalations neither acknowledged nor resolved.")
@click.option("--failed", "failed_only", is_flag=True,
              help="Only escalations with a delivery that failed for good (see rearm).")
@click.option("--project", "project_id", type=int, default=None, metavar="ID",
              help="Only this project's escalations.")
@paging
@reading
@json_option
def escalations(open_only: bool, failed_only: bool, project_id: int | None,
                limit: int | None, offset: int, as_: str | None, as_json: bool) -> None:
    """List the escalations on record, oldest first, with their deliveries; with --as, those
    of the projects that role may read.

    \b
    Examples:
      accel666 escalations --open
      accel666 escalations --failed --json
    """
    actor = reader_from(as_)
    call_and_print(lambda engine: engine.escalations(open_only=open_only, failed_only=failed_only,
                                                     project_id=project_id, limit=limit,
                                                     offset=offset, actor=actor),
                   as_json, to_json=output.each(fmt.escalation_dict), to_text=fmt.escalations_text,
                   must_exist=True)


@click.command()
@escalation_id_argument
@click.option("--note", required=True, help="What is being done about it; recorded.")
@acting
@json_option
def ack(escalation_id: int, note: str, as_: str, actor: str, as_json: bool) -> None:
    """Acknowledge an escalation: its target (e.g. city:suzhou for a level-1 escalation of a
    Suzhou project) or the province. By default an acknowledgement stops the higher levels.

    \b
    Example:
      accel666 ack 12 --note "已电话催办, 9月3日前补交" --as city:suzhou
    """
    call_and_print(lambda engine: engine.ack(actor_from(as_, actor), escalation_id, note),
                   as_json, to_json=fmt.escalation_dict, to_text=fmt.ack_text)


@click.command()
@escalation_id_argument
@click.option("--webhook", default=None, metavar="URL",
              help="Send its webhook delivery to URL from now on (one is queued if it had none).")
@acting
@json_option
def rearm(escalation_id: int, webhook: str | None, as_: str, actor: str, as_json: bool) -> None:
    """Give the failed deliveries of an escalation a fresh set of attempts (province).

    The next `escalate` (or scheduler tick) tries them again.

    \b
    Examples:
      accel666 rearm 12 --as province
      accel666 rearm 12 --webhook https://ops.example/hook --as province
    """
    call_and_print(lambda engine: engine.rearm(actor_from(as_, actor), escalation_id,
                                               webhook=webhook),
                   as_json, to_json=fmt.escalation_dict, to_text=fmt.rearm_text)
