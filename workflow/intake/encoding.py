"""A CSV file's encoding, decided for the whole file.

UTF-8 when all of it is UTF-8 (a BOM allowed). GB18030, as Excel saves CSV on a Chinese
Windows, when all of it is GB18030 and no line is also non-ASCII UTF-8: such a line is the sign
of a file pieced together from both, whose UTF-8 lines would be read as other characters. A
file mixing the two, or with a line in neither, is refused with InvalidInput (field "file")
naming the line. The file is read in pieces: memory does not grow with it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from accel666.errors import InvalidInput

UTF8 = "utf-8-sig"  # a BOM, if there is one, is not part of the first heading
GB18030 = "gb18030"
CHUNK = 1 << 20
# Lines end as csv reads them: CR LF, LF or CR. No byte of a multi-byte UTF-8 or GB18030
# character is a CR or LF, so a file splits into lines before it is decoded.
_END = re.compile(rb"\r\n|\r|\n")
_NAMES = {"utf-8": "UTF-8", GB18030: "GB18030"}


def refuse(reason: str) -> InvalidInput:
    return InvalidInput("file", reason)


def decide(path: Path, longest: int) -> str:
    """The codec to read `path` with: UTF8 or GB18030. A line of more than `longest` bytes is
    refused (no row of a sheet is so long)."""
    if _all_utf8(path):
        return UTF8
    first: tuple[int, str] | None = None  # the first non-ASCII line: its number, its encoding
    for number, line in lines(path, longest):
        if line.isascii():
            continue
        found = kind(line)
        if found is None:
            raise refuse(f"line {number} is neither UTF-8 nor GB18030 text: name the file's "
                         "encoding with --encoding")
        if first is None:
            first = (number, found)
        elif found != first[1]:
            raise refuse(f"line {number} is {_NAMES[found]} text, but line {first[0]} is "
                         f"{_NAMES[first[1]]}: a file must be in one encoding; save it again "
                         "in one (UTF-8 or GB18030), or name the encoding with --encoding if "
                         "the whole file is in it")
    return GB18030 if first is not None and first[1] == GB18030 else UTF8


def kind(line: bytes) -> str | None:
    """"utf-8" if `line` is UTF-8, else "gb18030" if it is GB18030, else None."""
    for name in ("utf-8", GB18030):
        try:
            line.decode(name)
        except UnicodeDecodeError:
            continue
        return name
    return None


def first_not(path: Path, encoding: str, longest: int) -> int | None:
    """The number of the first line of `path` that is not `encoding` text, if any."""
    for number, line in lines(path, longest):
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            return number
    return None


def _all_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        try:
            while chunk := f.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def lines(path: Path, longest: int) -> Iterator[tuple[int, bytes]]:
    """Each line of `path` without its end, numbered from 1; InvalidInput for a line of more
    than `longest` bytes."""
    number, rest = 0, b""
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            data = rest + chunk
            cut = len(data) - 1 if data.endswith(b"\r") else len(data)  # an LF may follow
            found = _END.split(data[:cut])
            rest = found.pop() + data[cut:]
            for line in found:
                number += 1
                _bounded(number, line, longest)
                yield number, line
            _bounded(number + 1, rest, longest)
    if rest:  # the last line, its CR kept back in case an LF followed
        yield number + 1, rest.removesuffix(b"\r")


def _bounded(number: int, line: bytes, longest: int) -> None:
    if len(line) > longest:
        raise refuse(f"line {number} has more than {longest:,} bytes: no row of a sheet is so "
                     "long")
