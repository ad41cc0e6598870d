"""A bureau's spreadsheet as a header and a stream of rows of text: `.xlsx` (the first sheet)
or `.csv` (UTF-8, with or without a BOM, or GB18030 as Excel saves it on a Chinese Windows; the
encoding is decided for the whole file, see `encoding`).

The rows are read one at a time as they are iterated, never the whole file at once, so an
import holds what grows with the rows it keeps, and a file past a bound is refused as soon as
the bound is passed. Anything that is not a plain table is refused with InvalidInput (field
"file"), naming the row and column where it can: an empty file, a header without rows, a file
that is not what its name says, a formula, a merged heading, more than MAX_ROWS rows, a row or
a cell far beyond any real sheet, a workbook whose parts go past their bounds (`workbook`).

Rows keep the numbers the spreadsheet shows (blank rows count, as Excel counts them; a CSV
row is a record, however many lines it spans). The headings are the first of the sheet's
first rows that names enough of the fields (`headings`), below any title rows.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import zipfile
import zlib
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from accel666.errors import InvalidInput
from accel666.workflow.intake import encoding as decoding
from accel666.workflow.intake import headings, workbook

MAX_COLUMNS = 200
MAX_CELL = 10_000  # characters; a name is at most 200
MAX_ROWS = 100_000  # under the header
# A CSV row of MAX_COLUMNS full cells, quoted and separated; its line in bytes, four a character.
MAX_ROW_CHARS = MAX_COLUMNS * (MAX_CELL + 3)
MAX_LINE_BYTES = 4 * MAX_ROW_CHARS
# What openpyxl raises on a file that is not a workbook it can read.
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ParseError,
              DefusedXmlException, ValueError, TypeError)

Rows = Generator[tuple[int, tuple[str, ...]], None, None]


@dataclass(frozen=True)
class Sheet:
    """The header (the headings, in row `header_row`) and the rows after it, each with its
    spreadsheet row number, read from the file as they are iterated (once; `rows.close()`
    lets the file go)."""

    header: tuple[str, ...]
    rows: Rows
    encoding: str | None = None  # what a CSV is read as
    header_row: int = 1


def refuse(reason: str, value: object = None) -> InvalidInput:
    return InvalidInput("file", reason, value)


def column_name(index: int) -> str:
    """A spreadsheet's name of column `index` (0: A, 26: AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def read(path: Path, encoding: str | None = None) -> Sheet:
    """The sheet in `path`, by its extension: its header read, its rows to be iterated."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        book = _Workbook(path)
        return _sheet(_limited(book.rows()), None, book.merges)
    if suffix == ".csv":
        codec = _codec(path, encoding)
        return _sheet(_limited(_csv(path, codec, encoding or codec)), codec, [])
    raise refuse(f"{path.name}: name a .csv or .xlsx file", str(path))


def _sheet(lines: Iterator[tuple[int, list[str]]], encoding: str | None,
           merges: list[workbook.Merge]) -> Sheet:
    """The headings, from the first of the first rows that names enough fields (else the
    first row that holds anything, for the message to say what it lacks), and the rows
    under them."""
    filled = ((n, row) for n, row in lines if any(cell.strip() for cell in row))
    first = list(itertools.islice(filled, headings.SEARCHED_ROWS))
    if not first:
        raise refuse("the file is empty: a header row (title, enterprise, credit_code, "
                     "region, category) and one row per project are expected")
    at = next((i for i, (_, row) in enumerate(first) if headings.is_heading_row(row)), 0)
    number, header = first[at]
    for merge in merges:  # merged title rows above are fine; merged headings are not
        if merge.top <= number <= merge.bottom:
            raise refuse(f"the heading row {number} has merged cells ({merge.ref}): give "
                         "each column its own heading")
    under = itertools.chain(first[at + 1:], filled)
    return Sheet(tuple(cell.strip() for cell in header), _numbered(under), encoding, number)


def _numbered(rows: Iterator[tuple[int, list[str]]]) -> Rows:
    # Blank rows were dropped; each row keeps the number the spreadsheet shows.
    count = 0
    for number, row in rows:
        count += 1
        if count > MAX_ROWS:
            raise refuse(f"more than {MAX_ROWS:,} rows under the header: split the file")
        yield number, tuple(row)
    if not count:
        raise refuse("the file has a header but no rows under it")


def _limited(rows: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    for count, (number, row) in enumerate(rows, start=1):
        if count > 2 * MAX_ROWS:  # blank ones too: a file of blank lines ends somewhere
            raise refuse(f"more than {2 * MAX_ROWS:,} rows, blank ones counted: split the "
                         "file")
        if len(row) > MAX_COLUMNS:
            raise refuse(f"row {number} has {len(row):,} columns; a sheet may have at most "
                         f"{MAX_COLUMNS}")
        for index, cell in enumerate(row):
            if len(cell) > MAX_CELL:
                raise refuse(f"row {number}, column {column_name(index)}: a cell of "
                             f"{len(cell):,} characters; at most {MAX_CELL:,}")
        yield number, row


# -- CSV ---------------------------------------------------------------------------------------


def _codec(path: Path, named: str | None) -> str:
    """The codec the file is read with: the one named (UTF-8 with its BOM dropped), or the one
    the whole file is in."""
    try:
        with path.open("rb") as f:
            start = f.read(4096)
    except OSError as exc:
        raise refuse(f"cannot read {path.name}: {exc.strerror or exc}", str(path)) from exc
    if b"\x00" in start:
        raise refuse("not a text file (it holds NUL bytes): is it really a .csv?")
    if named is None:
        return decoding.decide(path, MAX_LINE_BYTES)
    try:
        found = codecs.lookup(named).name
    except LookupError as exc:
        raise InvalidInput("encoding", f"no such encoding: {exc}", named) from exc
    return decoding.UTF8 if found == "utf-8" else named


def _excel_text(cell: str) -> str:
    """A CSV cell as text: `="0123"`, the form that makes Excel keep digits as text (an export
    writes a credit code of digits so), is its text, 0123; any other cell is as written."""
    if cell.startswith('="') and cell.endswith('"') and len(cell) >= 3 \
            and '"' not in cell[2:-1]:
        return cell[2:-1]
    return cell


def _csv(path: Path, codec: str, shown: str) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding=codec, newline="") as f:
        source = _Lines(f)
        try:
            for number, row in enumerate(csv.reader(source), start=1):
                source.pending = 0
                yield number, [_excel_text(cell) for cell in row]
        except csv.Error as exc:
            if "field larger" in str(exc):
                raise refuse(f"a cell of more than {csv.field_size_limit():,} characters; at "
                             f"most {MAX_CELL:,}") from exc
            raise refuse(f"not a readable CSV file: {exc}") from exc
        except UnicodeDecodeError as exc:
            line = decoding.first_not(path, codec, MAX_LINE_BYTES) or source.number + 1
            raise refuse(f"line {line} is not {shown} text: name the file's encoding with "
                         "--encoding (utf-8 or gb18030)") from exc


class _Lines:
    """The lines of a text file as csv.reader reads them, and the characters read since the
    last row ended (a quoted cell may span lines): past a row's bound, the file is refused."""

    def __init__(self, f: IO[str]) -> None:
        self.f = f
        self.number = 0
        self.pending = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.f.readline(MAX_ROW_CHARS + 1)
        if not line:
            raise StopIteration
        self.number += 1
        self.pending += len(line)
        if self.pending > MAX_ROW_CHARS:
            raise refuse(f"line {self.number}: a row of more than {MAX_ROW_CHARS:,} "
                         f"characters; at most {MAX_COLUMNS} cells of {MAX_CELL:,} characters")
        return line


# -- .xlsx -------------------------------------------------------------------------------------


class _Workbook:
    """The first sheet of an `.xlsx`, checked (`workbook.survey`) before openpyxl reads it;
    `merges` are its merged ranges near the top, known once its rows are being read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.merges: list[workbook.Merge] = []

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        path = self.path
        # Every part within bounds before openpyxl reads it (title rows may be above the rows).
        merged = workbook.survey(path, MAX_ROWS, above=headings.SEARCHED_ROWS)
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = load_workbook(path, read_only=True, data_only=False, keep_links=False)
        except (*UNREADABLE, InvalidFileException) as exc:
            raise refuse(f"{path.name} is not an Excel workbook (.xlsx): {exc}") from exc
        try:
            if not book.worksheets:
                raise refuse(f"{path.name} has no worksheet")
            sheet = book.worksheets[0]
            self.merges.extend(merged.get(
                str(getattr(sheet, "_worksheet_path", "")).lstrip("/"), []))
            rows = iter(sheet.iter_rows())
            for number in itertools.count(1):
                try:
                    row = next(rows, None)
                except (*UNREADABLE, InvalidFileException) as exc:
                    raise refuse(f"{path.name}: row {number} cannot be read: {exc}") from exc
                if row is None:
                    return
                yield number, _cells(number, row)
        finally:
            book.close()


def _cells(number: int, row: Iterable[Any]) -> list[str]:
    cells = []
    for index, cell in enumerate(row):
        if getattr(cell, "data_type", None) == "f":
            raise refuse(f"row {number}, column {column_name(index)} holds a formula "
                         f"({cell.value}): save the sheet with values only")
        value = getattr(cell, "value", None)
        cells.append("" if value is None else str(value))
    return cells
