"""`accel666 operator add | list | revoke`: who may act through the service, each with a
token of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from accel666.cli import output
from accel666.cli.context import call_and_print, default_actor_name, json_option

if TYPE_CHECKING:
    from accel666 import IssuedToken, Operator, Policy

F = TypeVar("F", bound=Callable[..., Any])


def granting(f: F) -> F:
    """`--actor NAME`: who grants or revokes, recorded in the ledger (always as the province)."""
    return click.option(
        "--actor", envvar="ACCEL666_ACTOR", default=default_actor_name, metavar="NAME",
        show_default="the OS user",
        help="Your name, recorded in the ledger as who acted (for the province). "
             "Env: ACCEL666_ACTOR.")(f)


@click.group()
def operator() -> None:
    """Operators: who may act through the service, each with a secret token.

    The province grants a name a role; the operator presents its token and acts in that role
    (and scope), as `--as` does on the command line. Only the token's SHA-256 is stored: it is
    shown once, when the operator is added. Adding and revoking are recorded in the ledger,
    and `accel666 verify` checks every operator against it.

    \b
    Examples:
      accel666 operator add li.suzhou --as city:suzhou --actor 王处长 > li.token
      accel666 operator list --all
      accel666 operator revoke li.suzhou --reason "调岗" --actor 王处长
    """


@operator.command()
@click.argument("name")
@click.option("--as", "as_", required=True, metavar="ROLE[:SCOPE]",
              help="The role the NEW operator will act in: enterprise:CREDIT_CODE, tencent, "
                   "city:REGION (e.g. city:suzhou, city:320583) or province. Read from this "
                   "option only, never from ACCEL666_AS.")
@granting
@json_option
def add(name: str, as_: str, actor: str, as_json: bool) -> None:
    """Add an operator and print its token.

    The operator NAME will act as ROLE[:SCOPE] (--as). NAME is a person's name in any script
    (王工, li.suzhou): 1 to 64 letters, digits, '.', '_', '-' or '·', beginning with a letter or
    a digit, lower-case where the script has cases; it is what the record shows as who acted.
    A name is never given twice, not even after its operator is revoked. The token is
    printed alone on stdout, once: store it now (only its SHA-256 is kept). A lost token is
    replaced by revoking the operator and adding another name.

    \b
    Examples:
      accel666 operator add li.suzhou --as city:suzhou > li.token
      accel666 operator add 王工 --as city:kunshan > wang.token
      accel666 operator add zhang.province --as province --json
    """
    issued = call_and_print(lambda engine: engine.add_operator(name, as_, by=actor), as_json,
                            to_json=issued_dict, to_text=lambda i, _p: i.token)
    if not as_json:
        who = issued.operator
        click.echo(f"operator {who.name} added by {who.granted_by}, acting as {role_of(who)}: "
                   "its token, on stdout, is shown this once only", err=True)


@operator.command(name="list")
@click.option("--all", "include_revoked", is_flag=True,
              help="Include the revoked operators (with who revoked them, when and why).")
@json_option
def list_operators(include_revoked: bool, as_json: bool) -> None:
    """List the operators, oldest first.

    Who may act, in which role, granted by whom and when; with --all the revoked ones too.
    Tokens are never shown (the database does not hold them).
    """
    call_and_print(lambda engine: engine.operators(include_revoked=include_revoked), as_json,
                   must_exist=True, to_json=output.each(operator_dict), to_text=operators_text)


@operator.command()
@click.argument("name")
@click.option("--reason", required=True, help="Why the operator may no longer act; recorded.")
@granting
@json_option
def revoke(name: str, reason: str, actor: str, as_json: bool) -> None:
    """Revoke an operator: its token lets no one in.

    From now on the token of the operator NAME is refused. The revocation is recorded with
    who revoked it and why; the name is not given again.

    \b
    Example:
      accel666 operator revoke li.suzhou --reason "调岗"
    """
    call_and_print(lambda engine: engine.revoke_operator(name, by=actor, reason=reason),
                   as_json, to_json=operator_dict, to_text=lambda o, _p: (
                       f"operator {o.name} ({role_of(o)}) revoked by {o.revoked_by}: its token "
                       "lets no one in"))


def role_of(o: Operator) -> str:
    """The role as typed after --as: ROLE or ROLE:SCOPE."""
    return o.role if o.scope is None else f"{o.role}:{o.scope}"


def issued_dict(issued: IssuedToken, _policy: Policy) -> dict[str, Any]:
    o = issued.operator
    return {"name": o.name, "role": o.role, "scope": o.scope, "token": issued.token}


def operator_dict(o: Operator, policy: Policy) -> dict[str, Any]:
    return o.to_dict(policy.zone)


def operators_text(rows: list[Operator], policy: Policy) -> None:
    from accel666.views.labels import _, current

    shown = current()
    output.table(
        ("name", "role", "granted at", "by", "revoked"),
        ((o.name, shown.role(o.role, o.scope, policy), output.shown(o.granted_at, policy),
          o.granted_by,
          _("{moment} by {by}: {reason}").format(moment=output.shown(o.revoked_at, policy),
                                                 by=o.revoked_by, reason=o.revoke_reason)
          if o.revoked_at else None)
         for o in rows))
    click.echo(_("{n} operator(s)").format(n=len(rows)), err=True)
