"""Spreadsheets the import tests make: bureau CSVs of any length, and `.xlsx` files written part
by part, so that a sheet's XML can be streamed into the archive (huge and highly compressible)
or hold what no spreadsheet program writes (entities, a cell or a row far beyond any real
sheet). Not a test module."""

from __future__ import annotations

import csv
import itertools
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from bench import plan

HEADER = ("title", "enterprise", "credit_code", "region", "category")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '{strings}</Types>')
STRINGS_TYPE = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>{strings}</Relationships>')
STRINGS_REL = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
               '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')
SHEET_START = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b'<sheetData>')
SHEET_END = b"</sheetData></worksheet>"


def codes(n: int) -> list[str]:
    """n valid credit codes registered in 苏州 (320500)."""
    return plan.credit_codes(0, n)


def rows(n: int, distinct: int | None = None) -> Iterator[tuple[str, ...]]:
    """n rows a city:suzhou operator may dock, from `distinct` credit codes taken in turn
    (all different by default)."""
    pool = codes(min(n, distinct or n))
    for code in itertools.islice(itertools.cycle(pool), n):
        yield (plan.title(code), plan.enterprise(code), code, "suzhou", "demo")


def write_csv(path: Path, body: Iterable[Iterable[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(HEADER)
        out.writerows(body)
    return path


def cell(column: int, row: int, text: str) -> bytes:
    """An inline-string cell."""
    letter = chr(ord("A") + column)
    return (f'<c r="{letter}{row}" t="inlineStr"><is><t>{escape(text)}</t></is></c>').encode()


def xml_row(number: int, values: Iterable[str]) -> bytes:
    cells = b"".join(cell(i, number, v) for i, v in enumerate(values))
    return f'<row r="{number}">'.encode() + cells + b"</row>"


def table(body: Iterable[tuple[str, ...]]) -> Iterator[bytes]:
    """The header row and the rows `body`, as sheet XML rows numbered from 1."""
    yield xml_row(1, HEADER)
    for number, values in enumerate(body, start=2):
        yield xml_row(number, values)


def write_xlsx(path: Path, sheet: Iterable[bytes], *, prolog: bytes = SHEET_START,
               end: bytes = SHEET_END, strings: bytes | None = None,
               workbook: str = WORKBOOK) -> Path:
    """A workbook whose first sheet is `prolog`, the chunks of `sheet` and `end`, streamed into
    the archive (deflated, so a repetitive sheet is tiny on disk); with `strings`, a shared
    strings part."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(
            strings=STRINGS_TYPE if strings is not None else ""))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(
            strings=STRINGS_REL if strings is not None else ""))
        if strings is not None:
            archive.writestr("xl/sharedStrings.xml", strings)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(prolog)
            for chunk in sheet:
                out.write(chunk)
            out.write(end)
    return path


def repeated(chunk: bytes, total: int) -> Iterator[bytes]:
    """`total` bytes made of `chunk` over and over, in pieces of about a mebibyte."""
    piece = chunk * max(1, (1 << 20) // len(chunk))
    left = total
    while left > 0:
        yield piece[:left]
        left -= len(piece)
