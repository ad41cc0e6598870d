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
    for b in rows:
        output.table(
            ("phase", "opens", "closes (last moment)", "extended", "open now"),
            ((w.phase, output.shown(w.opens_at, policy), output.shown(w.closes_at, policy),
              "yes" if w.extended else "", "open" if w.open else "")
             for w in b.windows),
            title=f"batch {b.key}  {b.name}",
        )


@click.group()
def batch() -> None:
    """Acts on a whole batch."""


@batch.command()
@click.argument("batch_key", metavar="BATCH")
@click.option("--phase", required=True,
              type=click.Choice(PHASES),
              help="The phase whose window is extended.")
@click.option("--until", required=True, metavar="YYYY-MM-DD",
              help="The new last day of the window (it closes at the end of that day, China time).")
@click.option("--reason", required=True, help="Why the deadline moves; recorded.")
@acting
@json_option
def extend(batch_key: str, phase: str, until: str, reason: str, as_: str, actor: str,
           as_json: bool) -> None:
    """Extend a phase window of a batch (province only). The extension is recorded.

    \b
    Example:
      accel666 batch extend 2020-1 --phase application --until 2020-09-06 \\
          --reason "材料补交" --as province
    """
    call_and_print(lambda engine: engine.extend(actor_from(as_, actor), batch_key, phase=phase,
                                                until=until, reason=reason),
                   as_json, to_json=output.extension_dict, to_text=extension_text)


def extension_text(ext: Extension, policy: Policy) -> str:
    return (f"batch {ext.batch}: the {ext.phase} window now closes at the end of {ext.until} "
            f"({policy.zone.key})")
