"""The README's walk-through runs as written, on a fresh database, from its first line to its
last: each command exits as its comment says (0 unless `# exit N`), and a refusal shown in
the comment under a command is what the command printed.

The block is read from the README and run line by line as a shell would (exports, `id=$(…)`,
`$id`), in-process at a frozen moment inside the example batch's windows, so that the test
does not depend on the day it runs; `printf … > FILE` lines make their files, and a comment
that says "(ten days later)" moves the clock on as the reader would wait. A refusal shown with
"…" is compared up to it.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.helpers import cst

ROOT = Path(__file__).resolve().parents[1]
MOMENT = cst(2026, 12, 7, 10, 0, 0)  # every window of the example batch 2026-2 is open
EXIT = re.compile(r"\(?exit (\d+)\)?\s*$")


@dataclass
class Step:
    line: str  # the command as written (continuations joined)
    exit_code: int
    shown: str | None  # the refusal the comment under it shows
    later: timedelta = timedelta(0)  # how long the reader waits before it


def walkthrough() -> list[Step]:
    """The commands of the README's first shell block under "Walk-through"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Walk-through"):]
    block = section[section.index("```sh\n") + 6:section.index("\n```", section.index("```sh"))]
    steps: list[Step] = []
    pending = ""
    waited = timedelta(0)
    printed = False  # the comment lines under a command show what it printed
    for raw in block.splitlines():
        if pending:
            raw = pending + " " + raw.strip()
            pending = ""
        if raw.rstrip().endswith("\\"):
            pending = raw.rstrip()[:-1]
            continue
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            shown = stripped.lstrip("#").strip()
            if "(ten days later)" in shown:
                waited += timedelta(days=10)
            found = EXIT.search(shown)
            if steps and shown.startswith("accel666:"):  # what the command above printed
                steps[-1].shown = EXIT.sub("", shown).removeprefix("accel666:").split("…")[
                    0].strip()
                printed = True
            if steps and printed and found:  # its exit code, on its last line
                steps[-1].exit_code = int(found[1])
            continue
        printed = False
        command, _, comment = _split_comment(stripped)
        found = EXIT.search(comment)
        steps.append(Step(command, int(found[1]) if found else 0, None, waited))
        waited = timedelta(0)
    assert not pending, "a continued line at the end of the block"
    return steps


def _split_comment(line: str) -> tuple[str, str, str]:
    """A command and its trailing comment (a # outside quotes, after a space)."""
    quote: str | None = None
    for index, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and index and line[index - 1] == " ":
            return line[:index].rstrip(), "#", line[index + 1:]
    return line, "", ""


class Shell:
    """Runs the walk-through's lines: `export`, `NAME=$(accel666 …)`, `accel666 …` and
    `printf … > FILE`, with `$NAME` expanded from what was exported or assigned."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env: dict[str, str] = {"ACCEL666_LANG": "en"}
        self.names: dict[str, str] = {}
        self.moment = MOMENT

    def expand(self, word: str) -> str:
        return re.sub(r"\$(\w+)", lambda m: self.names.get(m[1], self.env.get(m[1], "")), word)

    def run(self, step: Step) -> tuple[int, str, str]:
        self.moment += step.later
        line = step.line
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            self.env[name] = shlex.split(value)[0]
            return 0, "", ""
        if line.startswith("printf "):
            done = subprocess.run(["bash", "-c", line], cwd=self.folder, capture_output=True,
                                  text=True, check=False)
            return done.returncode, done.stdout, done.stderr
        assigned = re.fullmatch(r"(\w+)=\$\((.*)\)", line)
        words = [self.expand(w) for w in shlex.split(assigned[2] if assigned else line)]
        assert words[0] == "accel666", f"not an accel666 command: {line}"
        code, out, err = self.accel666(words[1:])
        if assigned:
            self.names[assigned[1]] = out.strip()
        return code, out, err

    def accel666(self, args: list[str]) -> tuple[int, str, str]:
        from accel666.cli.main import cli

        before = os.getcwd()
        os.chdir(self.folder)
        try:
            with freeze_time(self.moment.astimezone(UTC)):
                result = CliRunner().invoke(cli, args, env=self.env, catch_exceptions=False)
        finally:
            os.chdir(before)
        return result.exit_code, result.stdout, result.stderr


def test_the_walkthrough_has_the_commands_it_should():
    steps = walkthrough()
    assert any(s.line.startswith("printf ") and "application.pdf" in s.line for s in steps), \
        "the walk-through makes the document it files"
    assert [s.exit_code for s in steps if s.exit_code] == [4, 5, 4, 4]
    assert [s.later for s in steps if s.later] == [timedelta(days=10)]


def test_the_readme_walkthrough_runs_as_written(tmp_path):
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "later-batch.toml").write_bytes(
        (ROOT / "examples" / "later-batch.toml").read_bytes())
    shell = Shell(tmp_path)
    for step in walkthrough():
        code, out, err = shell.run(step)
        assert code == step.exit_code, f"{step.line}\n{out}\n{err}"
        if step.shown is not None:
            assert step.shown in err, f"{step.line}: {err}"
    assert (tmp_path / "walkthrough.db").exists() and (tmp_path / "copy.pdf").exists()
    assert (tmp_path / "copy.pdf").read_bytes() == (tmp_path / "application.pdf").read_bytes()


@pytest.mark.parametrize(("line", "command", "comment"), [
    ("accel666 show 1   # a comment", "accel666 show 1", " a comment"),
    ('accel666 x "a # b"', 'accel666 x "a # b"', ""),
    ("accel666 x 'c#d' # e", "accel666 x 'c#d'", " e")])
def test_a_comment_is_told_from_a_hash_inside_quotes(line, command, comment):
    assert _split_comment(line)[::2] == (command, comment)
