"""`accel666 diagram`: the state machine drawn from the definition the engine runs."""

from __future__ import annotations

import click

from accel666.cli.context import settings, with_engine


@click.command()
@click.option("--format", "fmt", type=click.Choice(("mermaid", "dot")), default="mermaid",
              show_default=True,
              help="mermaid (GitHub and many wikis render it) or dot (Graphviz: "
                   "`accel666 diagram --format dot | dot -Tsvg > lifecycle.svg`).")
def diagram(fmt: str) -> None:
    """Print the project lifecycle as a state diagram: every state, every transition labelled
    with its event and the roles the policy lets fire it (the database's policy; without a
    database, --policy or the built-in one). Drawn from the definition the engine runs,
    never a copy.

    \b
    Example:
      accel666 diagram > lifecycle.mmd
    """
    from accel666 import NotFound
    from accel666.policies import load
    from accel666.views import diagram as views

    try:
        policy = with_engine(lambda engine: engine.policy, must_exist=True)[0]
    except NotFound as exc:
        if exc.kind != "database":
            raise
        policy = load(settings().policy)  # no database yet: the policy it would start with
    click.echo(views.draw(policy, fmt))
