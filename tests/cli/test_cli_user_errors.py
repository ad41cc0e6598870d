"""User errors that used to end in exit 1 (the code for a bug), often with a traceback: each now
exits with its documented code and a one-line message, and changes nothing on disk."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from tests.helpers import CODE_A, Cli, cst


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The CLI on a SQLite file: these cases are about files and paths."""
    return Cli(f"sqlite:///{tmp_path / 'accel666.db'}", tmp_path)


def last_line(stderr: str) -> str:
    return stderr.rstrip("\n").splitlines()[-1]


@pytest.mark.parametrize("args", [["list"], ["verify"], ["escalate"], ["db", "current"],
                                  ["db", "upgrade"]])
def test_a_file_that_is_not_a_database_exits_2(cli: Cli, tmp_path: Path, args: list[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    cli.db_url = str(notes)
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr == "accel666: invalid database: cannot open it: file is not a database\n"
    assert notes.read_text() == "not a database\n"


@pytest.mark.parametrize("args", [["db", "current"], ["db", "upgrade"]])
def test_schema_commands_on_a_directory_exit_2(cli: Cli, tmp_path: Path, args: list[str]) -> None:
    cli.db_url = str(tmp_path)
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr == "accel666: invalid database: cannot open it: unable to open database file\n"


@pytest.fixture
def filed(cli: Cli) -> int:
    """A project with its application document filed."""
    pid = cli.dock()
    result = cli("apply", str(pid), "--as", f"enterprise:{CODE_A}", "--paper-copies", "2",
                 "--document", cli.document(b"%PDF-1.4 filed"))
    assert result.exit_code == 0, result.stderr
    return pid


@pytest.mark.parametrize(("out", "force", "message"), [
    ("", False, "give a file name, or - for stdout"),
    ("", True, "give a file name, or - for stdout"),
    ("/", False, "cannot write to /: it is a folder; give a file name in it"),
    ("/", True, "cannot write to /: it is a folder; give a file name in it"),
    (".", False, "cannot write to .: it is a folder; give a file name in it"),
    ("{tmp}", False, "cannot write to {tmp}: it is a folder; give a file name in it"),
    ("{tmp}", True, "cannot write to {tmp}: it is a folder; give a file name in it"),
])
def test_document_to_no_file_exits_2(cli: Cli, filed: int, tmp_path: Path, out: str, force: bool,
                                     message: str) -> None:
    before = sorted(tmp_path.iterdir())
    result = cli("document", str(filed), "-o", out.format(tmp=tmp_path),
                 *(["--force"] if force else []))
    assert result.exit_code == 2
    assert last_line(result.stderr) == ("Error: Invalid value for -o/--output: "
                                        + message.format(tmp=tmp_path))
    assert sorted(tmp_path.iterdir()) == before


def test_document_into_a_pipe_writes_through_it_and_keeps_it(cli: Cli, filed: int,
                                                              tmp_path: Path) -> None:
    """A device or a pipe named with --force (/dev/null, a FIFO) is written to, not replaced
    by a regular file."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli("document", str(filed), "-o", str(fifo), "--force")
    reader.join(timeout=10)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received == [b"%PDF-1.4 filed"]


@pytest.mark.parametrize(("db", "replace", "message"), [
    ("", False, "the demo runs on a SQLite file: give --db a file path"),
    ("/", True, "the demo runs on a SQLite file: give --db a file path"),
    ("{tmp}", False, "{tmp} is not a file; choose another --db"),
    ("{tmp}", True, "{tmp} is not a file; choose another --db"),
    ("{tmp}/pipe", True, "{tmp}/pipe is not a file; choose another --db"),
    ("{tmp}/" + "x" * 300, False, "cannot use {tmp}/" + "x" * 300 + ": File name too long"),
])
def test_demo_on_no_file_exits_2_and_deletes_nothing(cli: Cli, tmp_path: Path, db: str,
                                                     replace: bool, message: str) -> None:
    """`demo --replace` deletes only a file it could have made: never a folder or a device."""
    os.mkfifo(tmp_path / "pipe")
    before = sorted(tmp_path.iterdir())
    cli.db_url = db.format(tmp=tmp_path)
    result = cli("demo", *(["--replace"] if replace else []))
    assert result.exit_code == 2
    assert last_line(result.stderr) == "Error: Invalid value for --db: " + message.format(
        tmp=tmp_path)
    assert sorted(tmp_path.iterdir()) == before
    assert stat.S_ISFIFO((tmp_path / "pipe").lstat().st_mode)


@pytest.mark.parametrize(("url", "reason"), [
    ("http://[::1", "not a valid URL: Invalid IPv6 URL"),
    ("http://127.0.0.1:99999/hook", "not a valid URL: Port out of range 0-65535"),
    ("http://", "expected a URL with a host, e.g. https://ops.example/hook"),
    ("https://:443/hook", "expected a URL with a host, e.g. https://ops.example/hook"),
])
def test_a_webhook_that_cannot_be_posted_to_exits_2_and_records_nothing(run: Cli, url: str,
                                                                        reason: str) -> None:
    run.dock()
    run.moment = cst(2020, 8, 31, 0, 0, 1)  # the application window has closed: one is due
    result = run("escalate", "--webhook", url)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"accel666: invalid webhook: {reason}\n")
    assert run.json("escalations") == []


def test_demo_replace_deletes_only_a_database_the_demo_made(cli: Cli, tmp_path: Path,
                                                            monkeypatch) -> None:
    """--replace (and the default file) used to delete whatever the path held, the database
    named by ACCEL666_DB included."""
    from accel666 import Engine

    real = tmp_path / "province.db"
    Engine(str(real)).close()
    kept = real.read_bytes()
    monkeypatch.setenv("ACCEL666_DB", str(real))
    from click.testing import CliRunner

    from accel666.cli.main import cli as command

    refused = CliRunner().invoke(command, ["demo", "--replace", "--projects", "16"])
    assert refused.exit_code == 2
    assert "holds something the demo did not make" in refused.stderr
    assert real.read_bytes() == kept

    demo_db = tmp_path / "demo.db"
    cli.db_url = str(demo_db)
    assert cli("demo", "--projects", "16").exit_code == 0
    again = cli("demo", "--projects", "16", "--replace")
    assert again.exit_code == 0, again.stderr  # its own database: replaced


def test_demo_never_deletes_a_foreign_file_at_its_default_path(tmp_path: Path,
                                                               monkeypatch) -> None:
    from click.testing import CliRunner

    from accel666.cli.main import cli as command

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ACCEL666_DB", raising=False)
    (tmp_path / "accel666-demo.db").write_text("my notes", encoding="utf-8")
    result = CliRunner().invoke(command, ["demo", "--projects", "16"])
    assert result.exit_code == 2
    assert (tmp_path / "accel666-demo.db").read_text(encoding="utf-8") == "my notes"
