"""Every example a command's `--help` gives is a command line accel666 understands: run in
order on a fresh database at a moment of the programme (2020-07-01, docking open), none is a
usage error (an unknown option, a missing argument, a value the option does not take); and the
first examples of the lifecycle (docking, the worklist, the report) do what they say."""

from __future__ import annotations

import re
import shlex

import click

from accel666.cli.main import cli
from tests.helpers import Cli

# A file the example names is the reader's own: click saying it is not here is no usage error.
THEIR_FILE = re.compile(r"Invalid value for '[A-Z_]+': (?:File|Path) '[^']+' does not exist")
USAGE_ERRORS = re.compile(r"No such option|No such command|Missing (?:argument|option)|"
                          r"Invalid value|Got unexpected extra argument|requires an argument")
MUST_WORK = ("dock", "todo", "report", "list", "batches", "diagram")


def examples() -> list[tuple[str, list[str]]]:
    """(command path, arguments) of every example line of every command's help."""
    found = []

    def walk(command: click.Command, path: list[str]) -> None:
        text = command.help or ""
        joined = re.sub(r"\\\s*\n\s*", " ", text)  # a line continued with a backslash
        for line in joined.splitlines():
            line = re.sub(r"^(?:Try it|Start):\s+", "", line.strip())
            if line.startswith("accel666 ") and not line.startswith("accel666 —"):
                words = shlex.split(line.split(" > ")[0].split(" | ")[0], comments=True)
                found.append((" ".join(path), words[1:]))
        if isinstance(command, click.Group):  # its commands, loaded as `--help` loads them
            context = click.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert sub is not None, name
                walk(sub, [*path, name])

    walk(cli, [])
    commands = set(cli.list_commands(click.Context(cli)))
    return [(path, args) for path, args in found  # not a sentence that begins "accel666 …"
            if args and (args[0].startswith("-") or args[0] in commands)]


GLOBAL_VALUES = {"--db", "--policy", "--log-level", "--lang"}  # global options with a value


def command_of(args: list[str]) -> str:
    """The command an example runs: its first word that is no global option or its value."""
    words = iter(args)
    for word in words:
        if word in GLOBAL_VALUES:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return ""


def test_there_are_examples_to_run():
    shown = examples()
    assert len(shown) >= 30 and {p for p, _ in shown} >= {"dock", "list", "report", "todo"}
    assert command_of(["--db", "my.db", "--log-json", "serve", "--port", "1"]) == "serve"


def test_every_help_example_is_understood_on_a_fresh_database(run: Cli, tmp_path,
                                                              monkeypatch):
    monkeypatch.chdir(tmp_path)  # what the examples write lands here
    problems = []
    for path, args in examples():
        if command_of(args) in ("serve", "scheduler", "demo"):
            continue  # long-running, or a database of its own
        done = run(*args)
        said = done.stdout + done.stderr
        if USAGE_ERRORS.search(THEIR_FILE.sub("", said)):
            problems.append(f"{path}: {shlex.join(args)}: {said.strip()[-200:]}")
        elif command_of(args) in MUST_WORK and done.exit_code != 0:
            problems.append(f"{path}: {shlex.join(args)} exited {done.exit_code}: "
                            f"{said.strip()[-200:]}")
    assert problems == []
