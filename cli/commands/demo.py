"""`accel666 demo`: the programme's first batch, simulated on a fresh SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from accel666.cli.context import settings

DEMO_FILE = "accel666-demo.db"
# What `demo` writes into its SQLite file's header (PRAGMA application_id, "A666"): --replace
# deletes only a file that carries it.
DEMO_MARK = 0x41363636
_HEADER = b"SQLite format 3\x00"


def is_demo_database(path: Path) -> bool:
    """Does `path` hold a database that `demo` made? Read from its header, without opening it."""
    with path.open("rb") as f:
        head = f.read(72)
    return (len(head) == 72 and head.startswith(_HEADER)
            and int.from_bytes(head[68:72], "big") == DEMO_MARK)


def mark_as_demo(path: Path) -> None:
    """Create `path` as an empty SQLite database marked as the demo's."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA application_id = {DEMO_MARK}")
        conn.commit()
    finally:
        conn.close()


@click.command()
@click.option("--seed", type=int, default=666, show_default=True,
              help="Seed of the simulated mix; the same seed gives the same story.")
@click.option("--projects", type=click.IntRange(16, 1000), default=100, show_default=True,
              help="How many projects to simulate.")
@click.option("--replace", is_flag=True,
              help="Delete the file given with --db (and its -wal/-shm) first, if an earlier "
                   "demo made it; any other database is never deleted.")
def demo(seed: int, projects: int, replace: bool) -> None:
    """Simulate batch 2020-1 from June to November 2020 on a virtual clock.

    About a hundred projects across all 16 regions and 3 categories are docked, filed (some
    late, which the deadline guards refuse), recommended or declined, reviewed, withdrawn,
    signed and published. Prints what happens, then the funnel and the published list.

    The simulation runs in a fresh SQLite file: accel666-demo.db in the working directory
    (made anew on every run), or the path given with the global --db, which must not exist
    yet unless --replace is given. Only a file an earlier demo made is ever deleted.
    """
    from accel666.demo import story

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
        try:
            made_by_demo = is_demo_database(path)
        except OSError as exc:
            raise click.BadParameter(f"cannot use {path}: {exc.strerror or exc}",
                                     param_hint="--db") from exc
        if not made_by_demo:
            raise click.BadParameter(f"{path} holds something the demo did not make; it deletes "
                                     "only its own databases: choose another --db",
                                     param_hint="--db")
        for f in companions:
            f.unlink(missing_ok=True)
    try:
        mark_as_demo(path)
    except (OSError, sqlite3.Error) as exc:
        raise click.BadParameter(f"cannot use {path}: {exc}", param_hint="--db") from exc
    chosen.configure_logging(quiet=True)
    story.run(f"sqlite:///{path}", seed=seed, projects=projects, out=click.echo)
