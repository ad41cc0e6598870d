"""`accel666 demo`: the programme's first batch, simulated on a fresh SQLite file."""

from __future__ import annotations

from pathlib import Path

import click

from accel666.cli.context import settings

DEMO_FILE = "accel666-demo.db"


@click.command()
@click.option("--seed", type=int, default=666, show_default=True,
              help="Seed of the simulated mix; the same seed gives the same story.")
@click.option("--projects", type=click.IntRange(16, 1000), default=100, show_default=True,
              help="How many projects to simulate.")
@click.option("--replace", is_flag=True,
              help="Delete the file given with --db (and its -wal/-shm) first.")
def demo(seed: int, projects: int, replace: bool) -> None:
    """Simulate batch 2020-1 from June to November 2020 on a virtual clock.

    About a hundred projects across all 16 regions and 3 categories are docked, filed (some
    late, which the deadline guards refuse), recommended or declined, reviewed, withdrawn,
    signed and published. Prints what happens, then the funnel and the published list.

    The simulation runs in a fresh SQLite file: accel666-demo.db in the working directory
    (made anew on every run), or the path given with the global --db, which must not exist
    yet unless --replace is given.
    """
    from accel666.workflow.demo import story

    chosen = settings()
    if chosen.db_explicit and "://" in chosen.db:
        raise click.BadParameter("the demo runs on a SQLite file: give --db a path",
                                 param_hint="--db")
    path = Path(chosen.db if chosen.db_explicit else DEMO_FILE)
    if not path.name:  # '' or '/'
        raise click.BadParameter("the demo runs on a SQLite file: give --db a file path",
                                 param_hint="--db")
    companions = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    try:
        exists = path.exists()
        odd = [f for f in companions if f.exists() and not f.is_file()]
    except OSError as exc:  # e.g. a name too long for the file system
        raise click.BadParameter(f"cannot use {path}: {exc.strerror or exc}",
                                 param_hint="--db") from exc
    if odd:  # a folder or a device: not a file the demo made, so never one it deletes
        raise click.BadParameter(f"{odd[0]} is not a file; choose another --db",
                                 param_hint="--db")
    if exists:
        if chosen.db_explicit and not replace:
            raise click.BadParameter(f"{path} exists; pass --replace or choose another --db",
                                     param_hint="--replace")
        for f in companions:
            f.unlink(missing_ok=True)
    chosen.configure_logging(quiet=True)
    story.run(f"sqlite:///{path}", seed=seed, projects=projects, out=click.echo)
