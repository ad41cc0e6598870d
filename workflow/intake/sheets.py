"""A bureau's spreadsheet as a header and rows of text: `.xlsx` (the first sheet) or `.csv`
(UTF-8, with or without a BOM, or GB18030 as Excel saves it on a Chinese Windows).

Anything that is not a plain table is refused with InvalidInput (field "file"), naming the row
and column where it can: an empty file, a header without rows, a file that is not what its
name says, a formula, a merged header, a cell or a row far beyond any real sheet.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accel666.errors import InvalidInput

ENCODINGS = ("utf-8-sig", "gb18030")  # tried in this order when none is named
MAX_COLUMNS = 200
MAX_CELL = 10_000  # characters; a name is at most 200
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class Sheet:
    """The header (row 1) and every row after it, each with its spreadsheet row number."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    encoding: str | None = None  # what a CSV was read as


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
    """The sheet in `path`, by its extension."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx(path)
    if suffix == ".csv":
        return _csv(path.read_bytes(), encoding)
    raise refuse(f"{path.name}: name a .csv or .xlsx file", str(path))


def _csv(data: bytes, encoding: str | None) -> Sheet:
    text, used = _decode(data, encoding)
    try:
        lines = list(_limited(csv.reader(io.StringIO(text, newline=""))))
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise refuse(f"a cell of more than {csv.field_size_limit():,} characters; at most "
                         f"{MAX_CELL:,}") from exc
        raise refuse(f"not a readable CSV file: {exc}") from exc
    return _sheet(lines, used)


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise refuse("not a text file (it holds NUL bytes): is it really a .csv?")
    for name in (encoding,) if encoding else ENCODINGS:
        try:
            return data.decode(name), name
        except LookupError as exc:
            raise InvalidInput("encoding", f"no such encoding: {exc}", name) from exc
        except UnicodeDecodeError as exc:
            if encoding:
                raise refuse(f"not {encoding} text at byte {exc.start}: name the file's "
                             "encoding with --encoding (utf-8 or gb18030)") from exc
    raise refuse("neither UTF-8 nor GB18030 text: name the file's encoding with --encoding")


def _limited(rows: Iterable[list[str]]) -> Iterable[list[str]]:
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise refuse(f"more than {MAX_ROWS:,} rows: split the file")
        if len(row) > MAX_COLUMNS:
            raise refuse(f"row {number} has {len(row):,} columns; a sheet may have at most "
                         f"{MAX_COLUMNS}")
        for index, cell in enumerate(row):
            if len(cell) > MAX_CELL:
                raise refuse(f"row {number}, column {column_name(index)}: a cell of "
                             f"{len(cell):,} characters; at most {MAX_CELL:,}")
        yield row


def _sheet(lines: list[list[str]], encoding: str | None) -> Sheet:
    lines = [row for row in lines if any(cell.strip() for cell in row)] if lines else []
    if not lines:
        raise refuse("the file is empty: a header row (title, enterprise, credit_code, "
                     "region, category) and one row per project are expected")
    if len(lines) == 1:
        raise refuse("the file has a header but no rows under it")
    header = tuple(cell.strip() for cell in lines[0])
    return Sheet(header, tuple((n, tuple(row)) for n, row in _numbered(lines)), encoding)


def _numbered(lines: list[list[str]]) -> Iterable[tuple[int, list[str]]]:
    # Blank lines were dropped above; row numbers count only what a spreadsheet shows.
    return ((number, row) for number, row in enumerate(lines[1:], start=2))


_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise refuse(f"{path.name} is not an Excel workbook (.xlsx): {exc}") from exc
    try:
        sheet = book.worksheets[0]
        _no_merged_header(path, getattr(sheet, "_worksheet_path", None))
        lines = list(_limited(_xlsx_rows(sheet.iter_rows())))
    finally:
        book.close()
    return _sheet(lines, None)


def _xlsx_rows(rows: Iterable[Any]) -> Iterable[list[str]]:
    for number, row in enumerate(rows, start=1):
        cells = []
        for index, cell in enumerate(row):
            if getattr(cell, "data_type", None) == "f":
                raise refuse(f"row {number}, column {column_name(index)} holds a formula "
                             f"({cell.value}): save the sheet with values only")
            value = getattr(cell, "value", None)
            cells.append("" if value is None else str(value))
        yield cells


def _no_merged_header(path: Path, member: str | None) -> None:
    """A merged cell in row 1 hides which column a heading names."""
    if member is None:
        return
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(member.lstrip("/"))
    for match in _MERGE.finditer(xml):
        if int(match.group(2)) == 1:
            raise refuse(f"the header has merged cells ({match.group(1).decode()}1:"
                         f"{match.group(3).decode()}{match.group(4).decode()}): give each "
                         "column its own heading")
