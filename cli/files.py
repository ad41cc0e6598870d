"""Output files, written safely: every `-o FILE` of the command line goes through here.

The target is checked before any work is done (a usage error changes nothing); the content is
written to a fresh temporary file in the target's folder (a random name opened with O_EXCL, so
nothing planted there in advance is written through) and renamed over the target, which
replaces a symbolic link rather than following it. The file gets the permissions the user's
umask gives a new file (a file replaced keeps its own), so that colleagues can read a shared
report. `-` means stdout; a device or a pipe, such as
/dev/null, is written in place.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path

import click

STDOUT = "-"


def bad_output(message: str) -> click.BadParameter:
    return click.BadParameter(message, param_hint="-o/--output")


def check_output(out: str, force: bool) -> Path | None:
    """Where `-o out` writes: None for stdout, else the file's path; a usage error if it names
    a folder, no file, a folder that does not exist or cannot be written, or a file that
    exists and `force` was not given."""
    if out == STDOUT:
        return None
    if not out:
        raise bad_output("give a file name, or - for stdout")
    target = Path(out)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # a name too long, a path through a file, …
        raise bad_output(f"cannot write to {out}: {exc.strerror or exc}") from exc
    if (mode is not None and stat.S_ISDIR(mode)) or out.endswith(("/", os.sep)):
        raise bad_output(f"cannot write to {out}: it is a folder; give a file name in it")
    if mode is not None and not _in_place(mode) and not force:
        raise bad_output(f"{out} exists; pass --force to replace it")
    folder = target.parent
    if not folder.is_dir():
        raise bad_output(f"cannot write to {out}: no folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise bad_output(f"cannot write to {out}: the folder {folder} is not writable")
    return target


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back: there is no other way)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _in_place(mode: int) -> bool:
    """A character device, a pipe or a socket: written to, never replaced."""
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def write_output(target: Path | None, content: bytes) -> None:
    """Write `content` to stdout (None) or to `target`, as the module says; a usage error if
    it cannot be written (a full disk, say), with nothing left behind."""
    if target is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise bad_output(f"cannot write to {target}: {exc.strerror or exc}") from exc
    if mode is not None and _in_place(mode):
        try:
            with target.open("wb") as sink:
                sink.write(content)
        except OSError as exc:
            raise bad_output(f"cannot write to {target}: {exc.strerror or exc}") from exc
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                               dir=target.parent or Path("."))
    try:
        # mkstemp makes the file 0600; the file written gets what the user would have got
        # (a replaced file keeps its permissions, a new one follows the umask).
        os.fchmod(fd, stat.S_IMODE(mode) if mode is not None and stat.S_ISREG(mode)
                  else 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as sink:
            sink.write(content)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise bad_output(f"cannot write to {target}: {exc.strerror or exc}") from exc


def format_for(given: str | None, target: Path | None, known: tuple[str, ...],
               default: str) -> str:
    """The format asked for, else the one the file's extension names (`list.csv`: csv), else
    `default`."""
    if given is not None:
        return given
    if target is not None and (ext := target.suffix.lower().lstrip(".")) in known:
        return ext
    return default
