"""`accel666 policy check` and `policy show` (the programme's policy file, no database needed);
`policy apply` and `policy history` (the policy a database runs under)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from accel666.cli import output
from accel666.cli.context import acting, actor_from, call_and_print, json_option, settings
from accel666.views import labels

if TYPE_CHECKING:
    from accel666 import StoredPolicy
    from accel666.policies import Policy


@click.group()
def policy() -> None:
    """The policy: check a file, show the built-in programme, apply one to the database.

    A database runs under the policy it was first used with, whatever --policy later says;
    `policy apply` changes it, as a recorded act of the province."""


@policy.command()
@click.argument("file", required=False, metavar="[FILE]")
@json_option
def check(file: str | None, as_json: bool) -> None:
    """Check a policy file and print the effective policy (after `extends = "builtin"`).

    FILE defaults to the policy --policy or ACCEL666_POLICY names, else the built-in one.
    Exit 0 if the policy holds; 2 if not, with every problem on stderr, one a line, each
    naming the file and the key.

    \b
    Example:
      accel666 policy check examples/later-batch.toml
    """
    from accel666.policies import load

    emit(load(file if file is not None else settings().policy), as_json)


@policy.command()
@json_option
def show(as_json: bool) -> None:
    """Print the built-in policy, the programme as accel666 ships it (a start for your own file)."""
    from accel666.policies import load

    emit(load(None), as_json)


def emit(effective: Policy, as_json: bool) -> None:
    """The policy as TOML that loads back to the same policy, or as JSON (dates as ISO text)."""
    import tomli_w

    from accel666.policies import as_document

    document = as_document(effective, complete=True)
    if as_json:
        output.emit_json(document)
    else:
        click.echo(f"# The effective policy of {effective.source}, every default spelled out.\n"
                   + tomli_w.dumps(document), nl=False)


@policy.command()
@click.argument("file", metavar="FILE")
@click.option("--reason", required=True, help="Why the rules change; recorded.")
@click.option("--override", is_flag=True,
              help="Apply it even though it changes a closed window, would have refused a "
                   "decision on record or sets a target below what is published; the "
                   "override and what it overrode are recorded with the reason.")
@acting
@json_option
def apply(file: str, reason: str, override: bool, as_: str, actor: str, as_json: bool) -> None:
    """Put the policy in FILE in force for the database (province only).

    Every project on record must keep a batch, region and category the new policy knows. The
    new policy may not rewrite the past: change a window that has closed, refuse a decision
    already recorded (a window moved before it, more paper copies, another role) or set a
    category target below the projects already published. Each such problem is named and
    the policy refused (exit 4) unless --override is given. From then on every command on
    the database runs under it, with or without --policy.

    \b
    Example:
      accel666 policy apply examples/later-batch.toml --reason "第二批" --as province
    """
    call_and_print(lambda engine: engine.apply_policy(actor_from(as_, actor), file, reason,
                                                      override=override),
                   as_json, to_json=stored_dict, to_text=lambda s, _p: (
                       f"policy {s.sha256[:12]} in force from {output.local(s.applied_at, _p)}"
                       + (f" (override of {len(s.overridden)} problem(s))" if s.override
                          else "")),
                   policy=None)


@policy.command()
@json_option
def history(as_json: bool) -> None:
    """List the policies the database has run under, oldest first (the last is in force)."""
    call_and_print(lambda engine: engine.policies(), as_json, must_exist=True, policy=None,
                   to_json=output.each(stored_dict), to_text=history_text)


def stored_dict(s: StoredPolicy, policy: Policy) -> dict[str, object]:
    return {"id": s.id, "sha256": s.sha256, "applied_at": output.local(s.applied_at, policy),
            "actor": s.actor, "role": s.role, "reason": s.reason, "override": s.override,
            "overridden": list(s.overridden)}


def history_text(rows: list[StoredPolicy], policy: Policy) -> None:
    from accel666.workflow.stored_policy import FIRST_USE

    _ = labels._
    # The reason the system records, kept in English in the database, read in the language
    # in use.
    system_reasons = {FIRST_USE: labels.N_("the policy in force when the database was first "
                                           "used")}

    def why(s: StoredPolicy) -> str:
        said = _(system_reasons[s.reason]) if s.reason in system_reasons else s.reason
        return _("{reason} (override)").format(reason=said) if s.override else said

    output.table(("id", "sha256", "applied at", "by", "reason"),
                 ((s.id, s.sha256[:12], output.shown(s.applied_at, policy),
                   labels.current().actor(s.actor, s.role, None, policy), why(s))
                  for s in rows))
