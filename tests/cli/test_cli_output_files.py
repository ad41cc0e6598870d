"""Every `-o FILE` goes through one safe writer: checked before any change, a random O_EXCL
temporary file renamed over the target (a symbolic link is replaced, never followed), `--force`
to replace, `-` for stdout, the format taken from the extension when --format is not given."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli_publish import signed_pair

PUBLISH = ("publish", "--batch", "2020-1", "--as", "province")


@pytest.fixture
def filed(run) -> int:
    pid = run.dock()
    result = run("apply", str(pid), "--as", "enterprise:914403001922038216", "--paper-copies",
                 "2", "--document", run.document(b"%PDF-1.4 filed"))
    assert result.exit_code == 0, result.stderr
    return pid


def test_document_refuses_to_replace_without_force_and_replaces_with_it(run, filed, tmp_path):
    out = tmp_path / "copy.pdf"
    out.write_bytes(b"mine")
    refused = run("document", str(filed), "-o", str(out))
    assert refused.exit_code == 2
    assert f"{out} exists; pass --force to replace it" in refused.stderr
    assert out.read_bytes() == b"mine"
    assert run("document", str(filed), "-o", str(out), "--force").exit_code == 0
    assert out.read_bytes() == b"%PDF-1.4 filed"


def test_a_symlink_at_the_target_is_replaced_not_followed(run, filed, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    link = tmp_path / "copy.pdf"
    link.symlink_to(victim)
    assert run("document", str(filed), "-o", str(link)).exit_code == 2  # it exists
    assert run("document", str(filed), "-o", str(link), "--force").exit_code == 0
    assert not link.is_symlink() and link.read_bytes() == b"%PDF-1.4 filed"
    assert victim.read_bytes() == b"precious"


def test_a_symlink_planted_at_the_old_temporary_name_is_never_written_through(run, filed,
                                                                               tmp_path):
    """The temporary name used to be predictable (`.NAME.PID.tmp`); now it is random and
    opened with O_EXCL, so links planted for any process id change nothing."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    for pid in {os.getpid(), *range(os.getpid() - 5, os.getpid() + 5)}:
        (tmp_path / f".copy.pdf.{pid}.tmp").symlink_to(victim)
    assert run("document", str(filed), "-o", str(tmp_path / "copy.pdf")).exit_code == 0
    assert victim.read_bytes() == b"precious"
    assert (tmp_path / "copy.pdf").read_bytes() == b"%PDF-1.4 filed"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".copy.pdf.")
                and not p.is_symlink()]  # no temporary file left behind


def test_document_to_dash_is_stdout(run, filed):
    result = run("document", str(filed), "-o", "-")
    assert (result.exit_code, result.stdout) == (0, "%PDF-1.4 filed")


@pytest.mark.parametrize("out", ["", ".", "/", "{tmp}", "{tmp}/no/such/folder/list.csv"])
def test_publish_refuses_a_bad_output_before_publishing(run, tmp_path, out):
    signed_pair(run)
    result = run(*PUBLISH, "-o", out.format(tmp=tmp_path))
    assert result.exit_code == 2
    assert "Invalid value for -o/--output" in result.stderr
    assert {p["state"] for p in run.json("list")} == {"signed"}


def test_publish_refuses_to_replace_a_file_without_force(run, tmp_path):
    signed_pair(run)
    out = tmp_path / "list.csv"
    out.write_text("mine", encoding="utf-8")
    refused = run(*PUBLISH, "-o", str(out))
    assert refused.exit_code == 2
    assert out.read_text(encoding="utf-8") == "mine"
    assert {p["state"] for p in run.json("list")} == {"signed"}
    assert run(*PUBLISH, "-o", str(out), "--force").exit_code == 0
    assert out.read_text(encoding="utf-8-sig").startswith("id,title,")


@pytest.mark.parametrize(("name", "fmt", "check"), [
    ("list.csv", None, lambda t: next(csv.reader(io.StringIO(t)))[0] == "id"),
    ("list.json", None, lambda t: isinstance(json.loads(t), list)),
    ("list.md", None, lambda t: t.startswith("| id | title |")),
    ("list.txt", None, lambda t: t.startswith("| id | title |")),  # unknown: the default, md
    ("list.csv", "md", lambda t: t.startswith("| id | title |")),  # --format wins
])
def test_publish_takes_the_format_from_the_extension(run, tmp_path, name, fmt, check):
    signed_pair(run)
    out = tmp_path / name
    result = run(*PUBLISH, "-o", str(out), *(["--format", fmt] if fmt else []))
    assert result.exit_code == 0, result.stderr
    assert check(out.read_text(encoding="utf-8-sig"))


def test_publish_to_dev_null_writes_in_place(run):
    signed_pair(run)
    assert run(*PUBLISH, "-o", os.devnull).exit_code == 0
    assert Path(os.devnull).is_char_device()


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    """Set the process's umask for the test; the one before is put back."""
    before = os.umask(0o022)
    os.umask(before)
    yield os.umask
    os.umask(before)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_the_permissions_the_umask_gives(run, filed, tmp_path, umask, mask,
                                                          expected):
    """Files were created 0600 whatever the umask, so colleagues could not read a shared
    report or export."""
    umask(mask)
    for command in (("document", str(filed), "-o"), ("export", "-o"), ("report", "--html")):
        out = tmp_path / f"{command[0]}-{mask:o}.out"
        result = run(*command, str(out))
        assert result.exit_code == 0, result.stderr
        assert stat.S_IMODE(out.stat().st_mode) == expected, command


def test_a_replaced_file_keeps_its_permissions(run, filed, tmp_path, umask):
    umask(0o022)
    out = tmp_path / "copy.pdf"
    out.write_bytes(b"mine")
    out.chmod(0o640)
    assert run("document", str(filed), "-o", str(out), "--force").exit_code == 0
    assert out.read_bytes() == b"%PDF-1.4 filed"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
