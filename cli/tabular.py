"""Rows written as a file people open: CSV (UTF-8 with a BOM, so Excel reads Chinese right),
XLSX, JSON or Markdown. Stored text stays data in every one of them: spreadsheet formulas are
defused (output.spreadsheet_cell), Markdown punctuation escaped (output.markdown_cell)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from accel666.cli import output

FORMATS = ("csv", "xlsx", "json", "md")
# Columns of codes that are text even when all digits (a spreadsheet would make them numbers).
TEXT_CODES = frozenset({"credit_code"})
# XLSX column widths, in characters, by column; others get DEFAULT_WIDTH.
WIDTHS = {"title": 36, "enterprise": 30, "credit_code": 21, "region": 10, "category": 12,
          "id": 6, "region_name": 10, "batch": 10, "state": 12, "updated_at": 26}
DEFAULT_WIDTH = 14
BINARY = ("xlsx",)  # not for a terminal: -o FILE only


def check_target(fmt: str, target: Path | None) -> None:
    """A binary format goes to a file, never to stdout (a usage error, before any change)."""
    if fmt in BINARY and target is None:
        raise click.UsageError(f"{fmt} is a binary file: give -o FILE.{fmt}")


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str,
           headings: Sequence[str] | None = None) -> bytes:
    """`rows` (their `columns`, in that order) as the bytes of a `fmt` file; the header row
    of a table format shows `headings` (the columns' names by default)."""
    header = list(headings or columns)
    if fmt == "json":
        return (json.dumps([{k: r[k] for k in columns} for r in rows], ensure_ascii=False,
                           indent=2) + "\n").encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([_csv_cell(k, r[k]) for k in columns] for r in rows)
        return buf.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        return _xlsx(rows, columns, header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(output.markdown_cell("" if r[k] is None else r[k])
                                for k in columns) + " |" for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _cell(value: Any) -> Any:
    """A value as a spreadsheet holds it: numbers as numbers, text defused, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return output.spreadsheet_cell(value)
    return value


def _csv_cell(column: str, value: Any) -> Any:
    """A CSV cell; a credit code of digits only as `="…"`, which Excel keeps as text (it
    would show 914403001922038216 as 9.14403E+17 and keep only 15 digits), and `import`
    reads back as the code."""
    if column in TEXT_CODES and isinstance(value, str) and value.isdigit():
        return f'="{value}"'
    return _cell(value)


def _xlsx(rows: Sequence[dict[str, Any]], columns: Sequence[str], header: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("accel666")
    for index, column in enumerate(columns, start=1):  # wide enough for what they hold
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column,
                                                                              DEFAULT_WIDTH)
    sheet.freeze_panes = "A2"  # the header stays in view
    sheet.append(header)
    for r in rows:
        sheet.append([_cell(r[k]) for k in columns])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
