"""Exit codes and how errors are shown. An error of the library carries its own exit code
(`exit_code`, beside `http_status`, in accel666/errors.py); the codes here are those of no
error class: done, a bug, click's usage errors, verify, escalate, Ctrl-C."""

from __future__ import annotations

import json
import os
import sys
import traceback
import typing
from collections.abc import Iterator
from contextlib import contextmanager

import click

if typing.TYPE_CHECKING:  # (a bare TYPE_CHECKING here would read as an exit code)
    from accel666 import WorkflowError

DONE = 0
UNEXPECTED = 1  # anything that is not an error of the library: a bug
USAGE = 2  # click's own usage errors (InvalidInput and PolicyError exit with 2 as well)
VERIFY_FAILED = 7  # `verify`: the record does not hold (each problem is named)
DELIVERY_FAILED = 8  # `escalate`: a delivery failed for the last time in this run
INTERRUPTED = 130  # Ctrl-C (SIGINT), as shells report a command that SIGINT ended

# Shown by `accel666 --help` and in the README.
EXIT_CODES_HELP = """\b
Exit codes:
    0  done
    1  anything unexpected (a bug: please report it with the message)
    2  usage error or invalid input (nothing was changed)
    3  not found (no such project or document)
    4  refused by a rule: state, deadline, materials, duplicate
    5  not permitted: the role or region may not do this
    6  conflict: the project changed concurrently; show it again and retry
    7  verify: the record does not hold (each problem is named)
    8  escalate: a delivery failed for good (see accel666 escalations --failed)
    9  the database is unavailable: locked past the retries, read-only, disk
       full, server unreachable or gone (retry later)
  130  interrupted (Ctrl-C)"""


def silence_stdout() -> None:
    """Point stdout at the null device: its reader has gone (`accel666 … | head`), and what is
    still buffered, flushed at exit, would fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's runner): nothing to do
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


@contextmanager
def ends_quietly() -> Iterator[None]:
    """A closed stdout ends the command with 0, Ctrl-C with 130; neither with a traceback.

    The reader of a pipe may leave early (`accel666 list --json | head -1`): what it did not
    read was not wanted, so that is done, not an error."""
    try:
        yield
    except BrokenPipeError:
        silence_stdout()
        raise click.exceptions.Exit(DONE) from None
    except KeyboardInterrupt:
        raise click.exceptions.Exit(INTERRUPTED) from None


def exit_code_for(exc: BaseException) -> int:
    """The exit code of `exc`: its class's for an error of the library, else UNEXPECTED."""
    from accel666 import WorkflowError

    return exc.exit_code if isinstance(exc, WorkflowError) else UNEXPECTED


def described(exc: WorkflowError) -> str:
    """The error as an operator reads it, in the language in use (views/refusals.py)."""
    from accel666.views import refusals

    return refusals.described(exc)


def report(exc: Exception, *, as_json: bool) -> int:
    """Show `exc` on stderr (as JSON for --json) and return its exit code."""
    from accel666 import PolicyError, WorkflowError

    code = exit_code_for(exc)
    if isinstance(exc, WorkflowError):
        if as_json:
            click.echo(json.dumps({**exc.to_dict(), "exit_code": code}, ensure_ascii=False,
                                  default=str), err=True)
        elif isinstance(exc, PolicyError):  # one line a problem, each naming the file and key
            click.echo(exc.message, err=True)
        else:
            click.echo(f"accel666: {described(exc)}", err=True)
        return code
    click.echo("".join(traceback.format_exception(exc)).rstrip(), err=True)
    click.echo(f"accel666: unexpected error: {type(exc).__name__}: {exc}", err=True)
    return UNEXPECTED
