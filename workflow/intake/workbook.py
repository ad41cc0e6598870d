"""An `.xlsx` file checked before openpyxl reads it, so that reading it takes memory bounded by
the rows kept, whatever the file holds.

An `.xlsx` is a zip of XML parts, and a zip inflates: a part of a megabyte on disk can be
gigabytes of XML. openpyxl streams a sheet's rows in read-only mode, but keeps what its XML
parser built (each row element, each element outside the rows, a whole row, every shared
string) and reads the other parts whole. So every XML part is first read here, streaming
through expat, and refused with InvalidInput (field "file") naming the part when it goes past
a bound no spreadsheet program comes near: its inflated size, a tag or a run of text, a row's
size and elements, the elements outside the rows, the rows holding a value; or when it
declares a document type (where XML entities live: an external entity reads the machine's
files, an entity bomb inflates without end); or when it is not well-formed. The same pass
finds the merged cells of each sheet's first rows (where title rows and the headings are).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from accel666.errors import InvalidInput

CHUNK = 64 << 10
MAX_DIRECTORY = 1 << 20  # bytes of the zip's directory of parts: some 10,000 parts
MAX_TOKEN = 64 << 10  # a tag, or a run of text between two tags (a cell of 10,000 characters)
MAX_ROW_BYTES = 8 << 20  # one row's XML
MAX_ROW_ELEMENTS = 4_000  # elements inside one row: its cells and their values, runs of text
MAX_OUTSIDE_BYTES = 16 << 20  # a sheet's XML outside its rows


@dataclass(frozen=True)
class Bounds:
    """What one kind of part may hold: inflated bytes, and elements (for a sheet, those
    outside its cells: the rows themselves, columns, merged ranges…)."""

    noun: str
    size: int
    elements: int


SHEET = Bounds("a sheet", 256 << 20, 400_000)
STRINGS = Bounds("a shared strings part", 64 << 20, 2_000_000)
PART = Bounds("a part", 16 << 20, 200_000)
ROOTS = {"worksheet": SHEET, "sst": STRINGS}
MERGES_WITHIN = 100  # rows from the top: title rows, the headings and some way beyond
MAX_MERGES = 1_000  # merged ranges kept of a sheet
_MERGE = re.compile(r"([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})$")
_ROW_NUMBER = re.compile(r"[0-9]{1,7}$")


def refuse(reason: str) -> InvalidInput:
    return InvalidInput("file", reason)


@dataclass(frozen=True)
class Merge:
    """A merged range of cells: its reference (A1:I1) and its first and last rows."""

    ref: str
    top: int
    bottom: int


def survey(path: Path, max_rows: int, above: int = 1) -> dict[str, list[Merge]]:
    """Check every XML part of the workbook at `path` (a sheet holds at most `max_rows` rows
    with a value under its header, and at most `above` rows with a value above them: title
    rows and the headings); the merged ranges that begin in each sheet's first
    MERGES_WITHIN rows (at most MAX_MERGES of them), by the name of its part."""
    _directory(path)
    merged: dict[str, list[Merge]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                with archive.open(info) as stream:
                    head = stream.read(CHUNK)
                    if not _is_xml(head):
                        continue  # a picture, a printer's settings: openpyxl does not parse it
                    part = _Part(info.filename, info.file_size, max_rows, above)
                    chunk = head
                    while chunk:
                        part.feed(chunk)
                        chunk = stream.read(CHUNK)
                    part.feed(b"", final=True)
                if part.merges:
                    merged[info.filename] = part.merges
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            OSError) as exc:
        raise refuse(f"{path.name} is not an Excel workbook (.xlsx): {exc}") from exc
    return merged


def _directory(path: Path) -> None:
    """Refuse a zip whose directory of parts is larger than any workbook's: zipfile reads it
    whole. A file that is no zip at all is left for zipfile to name."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            f.seek(max(0, size - 22 - 0xFFFF))  # the end record, after up to 64 KiB of comment
            tail = f.read()
    except OSError as exc:
        raise refuse(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return
    parts, directory = struct.unpack_from("<HI", tail, at + 10)
    if directory > MAX_DIRECTORY:
        raise refuse(f"{path.name} lists {parts:,} parts in {directory:,} bytes; a workbook's "
                     f"list of parts is at most {MAX_DIRECTORY:,} bytes")


def _is_xml(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, which XML may be written in
        return True
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


class _Part:
    """One XML part fed to expat piece by piece, each element counted against its bounds."""

    def __init__(self, name: str, size: int, max_rows: int, above: int) -> None:
        self.name, self.size, self.max_rows, self.above = name, size, max_rows, above
        self.bounds = PART
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.fed = self.last = self.depth = self.elements = 0
        self.merges: list[Merge] = []
        # Inside a sheet: the row being read (its depth, first byte, elements, number), the
        # bytes of every row so far and the rows with a value.
        self.row_depth = self.row_start = self.row_elements = self.row = 0
        self.row_valued = False
        self.in_rows = self.valued = 0

    def feed(self, data: bytes, *, final: bool = False) -> None:
        self.fed += len(data)
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise refuse(f"{self.name} is not well-formed XML: {exc}") from exc
        if self.fed - self.last > MAX_TOKEN:
            self._token()

    def _token(self) -> None:
        raise refuse(f"{self.name} holds a tag or text of more than {MAX_TOKEN:,} bytes (a "
                     f"cell holds at most 10,000 characters)")

    def _doctype(self, *_: object) -> None:
        raise refuse(f"{self.name}: an XML document type declaration (<!DOCTYPE …>, where "
                     "entities are declared) is refused: no workbook holds one")

    def _moved(self) -> int:
        """Where the parser is now; a problem if it went past a bound since the last tag."""
        at: int = self.parser.CurrentByteIndex
        if at - self.last > MAX_TOKEN:
            self._token()
        self.last = at
        return at

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        at = self._moved()
        self.depth += 1
        if self.row_depth:  # a cell, its value, a run of its text: most elements of a sheet
            self.row_elements += 1
            if self.row_elements > MAX_ROW_ELEMENTS:
                raise refuse(f"{self.name}: row {self.row} holds more than "
                             f"{MAX_ROW_ELEMENTS:,} XML elements")
            if not self.row_valued:
                self.row_valued = name.rpartition(":")[2] in ("v", "is")
            return
        local = name.rpartition(":")[2]
        if self.depth == 1:
            self._root(local)
        self.elements += 1
        if self.elements > self.bounds.elements:
            where = " outside its cells" if self.bounds is SHEET else ""
            raise refuse(f"{self.name} holds more than {self.bounds.elements:,} "
                         f"elements{where}: no workbook comes near")
        if self.bounds is not SHEET:
            return
        if at - self.in_rows > MAX_OUTSIDE_BYTES:
            raise refuse(f"{self.name} holds more than {MAX_OUTSIDE_BYTES:,} bytes outside "
                         "its rows")
        if local == "row":
            number = attributes.get("r", "")
            self.row = int(number) if _ROW_NUMBER.match(number) else self.row + 1
            self.row_depth, self.row_start, self.row_elements = self.depth, at, 0
            self.row_valued = False
        elif local == "mergeCell" and len(self.merges) < MAX_MERGES:
            found = _MERGE.match(attributes.get("ref", ""))
            if found is not None and int(found[2]) <= MERGES_WITHIN:
                self.merges.append(Merge(found[0], int(found[2]), int(found[4])))

    def _end(self, name: str) -> None:
        at = self._moved()
        if self.depth == self.row_depth:
            size = at - self.row_start
            if size > MAX_ROW_BYTES:
                raise refuse(f"{self.name}: row {self.row} is more than {MAX_ROW_BYTES:,} "
                             "bytes of XML")
            self.in_rows += size
            self.row_depth = 0
            self.valued += self.row_valued
            if self.valued > self.max_rows + self.above:
                raise refuse(f"{self.name}: more than {self.max_rows:,} rows under the header: "
                             "split the file")
        self.depth -= 1

    def _root(self, local: str) -> None:
        self.bounds = ROOTS.get(local, PART)
        if self.size > self.bounds.size:
            raise refuse(f"{self.name} inflates to {self.size:,} bytes; {self.bounds.noun} "
                         f"may hold at most {self.bounds.size:,}")
