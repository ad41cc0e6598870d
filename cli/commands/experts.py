"""`accel666 expert add | list`: the province's registry of experts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from accel666.cli import output
from accel666.cli.context import (
    acting,
    actor_from,
    call_and_print,
    json_option,
    reader_from,
    reading,
)
from accel666.views import labels

if TYPE_CHECKING:
    from accel666 import Expert, Policy


@click.group()
def expert() -> None:
    """The registry of experts who review applications on the province's panels.

    The province adds each expert with a key, a name, a unit and the enterprises (credit
    codes) and regions the expert must stay away from; a panel of such a project refuses
    the expert. An expert then acts as `--as expert:KEY` (score, recuse, panel show), or
    over HTTP as an operator added with `operator add NAME --as expert:KEY`. Each addition
    is recorded in the ledger, and `accel666 verify` checks the registry against it.

    \b
    Examples:
      accel666 expert add wang --name 王教授 --unit 东南大学 --avoid nanjing --as province
      accel666 expert list --json
    """


@expert.command()
@click.argument("key")
@click.option("--name", required=True, help="The expert's name, as the record shows it.")
@click.option("--unit", default=None, help="The expert's unit (university, institute, firm).")
@click.option("--avoid", "avoid", multiple=True, metavar="CREDIT_CODE|REGION",
              help="An enterprise (its credit code) or a region (code, Chinese name or pinyin) "
                   "the expert must stay away from; repeat for each.")
@acting
@json_option
def add(key: str, name: str, unit: str | None, avoid: tuple[str, ...], as_: str, actor: str,
        as_json: bool) -> None:
    """Add an expert to the registry (province).

    KEY is 1 to 32 lower-case letters, digits, '.', '_' or '-', beginning with a letter or a
    digit; the expert acts as expert:KEY. A key is never given twice.

    \b
    Example:
      accel666 expert add li --name 李研究员 --unit 省信息中心 \\
          --avoid 914403001922038216 --avoid suzhou --as province
    """
    call_and_print(lambda engine: engine.add_expert(actor_from(as_, actor), key, name=name,
                                                    unit=unit, avoid=avoid),
                   as_json, to_json=expert_dict,
                   to_text=lambda x, _p: labels._("expert {key} ({name}) added by {by}").format(
                       key=x.key, name=x.name, by=x.added_by))


@expert.command(name="list")
@reading
@json_option
def list_experts(as_: str | None, as_json: bool) -> None:
    """List the registry of experts, in the order they were added. With --as, as that role
    may read it: the province all of it, an expert its own entry, anyone else refused
    (exit 5)."""
    actor = reader_from(as_)
    call_and_print(lambda engine: engine.experts(actor=actor), as_json, must_exist=True,
                   to_json=output.each(expert_dict), to_text=experts_text)


def expert_dict(x: Expert, policy: Policy) -> dict[str, Any]:
    return x.to_dict(policy.zone)


def experts_text(rows: list[Expert], policy: Policy) -> None:
    from accel666.views.labels import _, current

    shown = current()

    def avoided(item: str) -> str:  # a region by name, a credit code as it is
        return shown.region(item, policy) if item in policy.regions else item

    output.table(("key", "name", "unit", "avoid", "added at", "by"),
                 ((x.key, x.name, x.unit, ", ".join(avoided(a) for a in x.avoid) or None,
                   output.shown(x.added_at, policy), x.added_by) for x in rows))
    click.echo(_("{n} expert(s)").format(n=len(rows)), err=True)
