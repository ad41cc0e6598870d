"""`accel666 policy check` and `policy show`: the programme's policy file, no database needed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from accel666.cli import output
from accel666.cli.context import json_option, settings

if TYPE_CHECKING:
    from accel666.policies import Policy


@click.group()
def policy() -> None:
    """The policy file: check one, or show the built-in programme."""


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

    document = as_document(effective)
    if as_json:
        output.emit_json(document)
    else:
        click.echo(f"# The effective policy of {effective.source}, every default spelled out.\n"
                   + tomli_w.dumps(document), nl=False)
