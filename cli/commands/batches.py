"""`accel666 batches` and `accel666 batch extend`: the calendar of each batch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from accel666.cli import output
from accel666.cli.context import acting, actor_from, call_and_print, json_option
from accel666.lifecycle import PHASES

if TYPE_CHECKING:
    from accel666 import BatchStatus, Extension, Policy


@click.command()
@json_option
def batches(as_json: bool) -> None:
    """List every batch and its phase windows as they stand now (China time, extensions in)."""
    call_and_print(lambda engine: engine.batches(), as_json, must_exist=True,
                   to_json=output.each(output.batch_dict), to_text=batches_text)


def batches_text(rows: list[BatchStatus], policy: Policy) -> None:
    from accel666.views.labels import _, current

    shown = current()
    for b in rows:
        output.table(
            ("phase", "opens", "closes (last moment)", "extended", "open now"),
            ((shown.phase(w.phase), output.shown(w.opens_at, policy),
              output.shown(w.closes_at, policy), shown.yes(True) if w.extended else "",
              shown.yes(True) if w.open else "")
             for w in b.windows),
            title=_("batch {key}  {name}").format(key=b.key, name=b.name),
        )


@click.group()
def batch() -> None:
    """Acts on a whole batch."""


@batch.command()
@click.argument("batch_key", metavar="BATCH", required=False)
@click.option("--phase", type=click.Choice(PHASES), help="The phase whose window is extended.")
@click.option("--until", metavar="YYYY-MM-DD",
              help="The new last day of the window (it closes at the end of that day, China time).")
@click.option("--reason", required=True, help="Why the deadline moves (or the extension is "
                                              "revoked); recorded.")
@click.option("--override", is_flag=True,
              help="Reopen a window closed longer than the policy's reopen_within_days.")
@click.option("--revoke", "revoke_id", type=int, default=None, metavar="ID",
              help="Undo extension ID (see batch extensions) instead, and the later phases "
                   "its act carried along.")
@acting
@json_option
def extend(batch_key: str | None, phase: str | None, until: str | None, reason: str,
           override: bool, revoke_id: int | None, as_: str, actor: str, as_json: bool) -> None:
    """Extend a phase window of a batch (province only). The extension is recorded.

    A later phase that would close before the new day is extended with it, in the same act.
    A window closed longer than the policy's reopen_within_days (30) is reopened only with
    --override. With --revoke ID the extension is undone instead (also recorded).

    \b
    Examples:
      accel666 batch extend 2020-1 --phase application --until 2020-09-06 \\
          --reason "材料补交" --as province
      accel666 batch extend --revoke 3 --reason "录入错误" --as province
    """
    if revoke_id is not None:
        if batch_key or phase or until or override:
            raise click.UsageError("--revoke ID takes only --reason and --as")
        call_and_print(lambda engine: engine.revoke_extension(actor_from(as_, actor), revoke_id,
                                                              reason),
                       as_json, to_json=output.extension_dict, to_text=revoked_text)
        return
    if not batch_key or not phase or not until:
        raise click.UsageError("give BATCH, --phase and --until (or --revoke ID)")
    call_and_print(lambda engine: engine.extend(actor_from(as_, actor), batch_key, phase=phase,
                                                until=until, reason=reason, override=override),
                   as_json, to_json=output.extension_dict, to_text=extension_text)


def extension_text(ext: Extension, policy: Policy) -> str:
    from accel666.views.labels import _, current

    phase = current().phase(ext.phase)
    carried = (_("; carried along: {phases} (they would have closed first)").format(
        phases=", ".join(current().phase(p) for p in ext.carried)) if ext.carried else "")
    return _("extension {id}: batch {batch}: the {phase} window now closes at the end of "
             "{until} ({zone}){carried}").format(id=ext.id, batch=ext.batch, phase=phase,
                                                 until=ext.until, zone=policy.zone.key,
                                                 carried=carried)


def revoked_text(ext: Extension, policy: Policy) -> str:
    from accel666.views.labels import _, current

    return _("extension {id} revoked: the {phase} window of batch {batch} closes as it would "
             "without it").format(id=ext.id, phase=current().phase(ext.phase),
                                  batch=ext.batch)


@batch.command()
@click.argument("batch_key", metavar="[BATCH]", required=False)
@json_option
def extensions(batch_key: str | None, as_json: bool) -> None:
    """List the deadline extensions on record: who, when, why, and which were revoked."""
    call_and_print(lambda engine: engine.extensions(batch_key), as_json, must_exist=True,
                   to_json=output.each(output.extension_dict), to_text=extensions_text)


def extensions_text(rows: list[Extension], policy: Policy) -> None:
    from accel666.views.labels import _, current

    shown = current()
    overriding = _(" [override]")
    output.table(
        ("id", "batch", "phase", "until", "by", "at", "reason", "follows", "revoked"),
        ((x.id, x.batch, shown.phase(x.phase), x.until,
          shown.actor(x.actor, x.role, None, policy), output.shown(x.at, policy),
          x.reason + (overriding if x.override else ""), x.follows,
          _("{moment} by {by}: {reason}").format(moment=output.shown(x.revoked_at, policy),
                                                 by=x.revoked_by, reason=x.revoke_reason)
          if x.revoked_at else None)
         for x in rows))
    click.echo(_("{n} extension(s)").format(n=len(rows)), err=True)
