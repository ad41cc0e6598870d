"""Regions of a document written from the code: the lines between a pair of marker comments
(`<!-- begin: NAME -->` … `<!-- end: NAME -->`), replaced by a tool or compared with what it
would write."""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Mapping
from pathlib import Path


class MissingRegion(Exception):
    """The document has no region of this name, or more than one."""


def begin(name: str) -> str:
    """The comment that opens region `name`."""
    return f"<!-- begin: {name} (generated: edit the code, not this region) -->"


def end(name: str) -> str:
    """The comment that closes region `name`."""
    return f"<!-- end: {name} -->"


def replace(text: str, name: str, body: str) -> str:
    """`text` with its region `name` holding `body` (its lines between the two markers)."""
    pattern = re.compile(rf"^{re.escape(begin(name))}\n.*?^{re.escape(end(name))}$",
                         re.M | re.S)
    found = pattern.findall(text)
    if len(found) != 1:
        raise MissingRegion(f"expected one region {name!r} between {begin(name)!r} and "
                            f"{end(name)!r}, found {len(found)}")
    block = f"{begin(name)}\n{body.rstrip(chr(10))}\n{end(name)}"
    return pattern.sub(lambda _: block, text)


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def difference(path: Path, bodies: Mapping[str, str], root: Path) -> list[str]:
    """The unified diff from the document at `path` to the document with its regions holding
    `bodies` (empty when it holds them already); paths shown relative to `root`."""
    text = path.read_text(encoding="utf-8")
    wanted = text
    for name, body in bodies.items():
        wanted = replace(wanted, name, body)
    shown = _shown(path, root)
    return list(difflib.unified_diff(text.splitlines(keepends=True),
                                     wanted.splitlines(keepends=True),
                                     f"{shown} (as it is)", f"{shown} (from the code)"))


def write(path: Path, bodies: Mapping[str, str]) -> bool:
    """Rewrite the regions of the document at `path`; whether anything changed."""
    text = path.read_text(encoding="utf-8")
    wanted = text
    for name, body in bodies.items():
        wanted = replace(wanted, name, body)
    if wanted == text:
        return False
    path.write_text(wanted, encoding="utf-8")
    return True


def run(documents: Mapping[Path, Mapping[str, str]], command: str, *, check: bool,
        root: Path) -> int:
    """`command`'s work on `documents` (each path and its regions' bodies): with `check`, print
    the difference of each stale document and return 1 (0 when all are current); else rewrite
    them. A document without one of its regions is an error (1) either way."""
    stale = 0
    for path, bodies in documents.items():
        shown = _shown(path, root)
        try:
            if check:
                diff = difference(path, bodies, root)
                if diff:
                    stale += 1
                    sys.stdout.writelines(diff)
                    sys.stderr.write(f"{shown} is stale: run `{command}` to rewrite it\n")
            elif write(path, bodies):
                sys.stderr.write(f"rewrote {shown}\n")
        except MissingRegion as exc:
            sys.stderr.write(f"{shown}: {exc}\n")
            return 1
    return 1 if stale else 0
