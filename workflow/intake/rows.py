"""From a sheet's rows to the values `dock` takes: which column holds what (headings in Chinese
or English as the bureaus write them, any order, extra columns ignored: `headings`), and each
cell checked as `dock` checks it, a failing one named by its row and column as the spreadsheet
shows them.

The rows stream by: only the checked values of each row are kept, and of a failing cell its
first MAX_SHOWN characters. A file with more than MAX_ERRORS failing cells is refused whole,
naming the first (the wrong file, or a column shifted)."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from accel666.errors import InvalidInput
from accel666.policies import Policy
from accel666.workflow.changes import inputs
from accel666.workflow.intake import headings
from accel666.workflow.intake.sheets import Sheet, column_name, refuse

# A number as a spreadsheet writes one too long for its digits: 9.13205E+17, 9.132e17, 1.0.
NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?[eE][+]?[0-9]+|[0-9]+\.[0-9]+")
MAX_ERRORS = 1_000  # failing cells listed; past them the file is refused whole
MAX_SHOWN = 200  # characters of a failing cell's value listed (a name is at most 200)


@dataclass(frozen=True)
class RowError:
    """Why one row cannot be docked: its spreadsheet row and column (None for the whole row),
    the value, the reason, and the kind of refusal (invalid, not_permitted or refused)."""

    row: int
    column: str | None
    value: str | None
    reason: str
    kind: str = "invalid"
    cell: str | None = None  # the failing cell as the spreadsheet names it (C5)

    def to_dict(self) -> dict[str, Any]:
        """As `import --json` lists it."""
        return {"row": self.row, "column": self.column, "cell": self.cell,
                "value": self.value, "reason": self.reason, "kind": self.kind}


def columns(sheet: Sheet) -> dict[str, int]:
    """The index of each field's column; InvalidInput naming what is missing or doubled."""
    found: dict[str, int] = {}
    for index, heading in enumerate(sheet.header):
        field = headings.field_of(heading)
        if field is None:
            continue  # a column of the bureau's own: ignored
        if field in found:
            raise refuse(f"columns {column_name(found[field])} and {column_name(index)} both "
                         f"hold {field} ({sheet.header[found[field]]!r}, {heading!r})")
        found[field] = index
    missing = [f for f in headings.HEADINGS if f not in found]
    if missing:
        raise refuse(f"the headings (row {sheet.header_row}) lack " + ", ".join(
            headings.shown(f) for f in missing) + "; the headings known are listed in "
            "`accel666 import --help`")
    return found


def category_key(policy: Policy, value: str) -> str:
    """A category named by its key, its Chinese or English name, or its usual short name
    (云基地, 骨干企业, 示范企业); InvalidInput naming each category's key and Chinese name."""
    text = value.strip()
    folded = headings.folded(text)
    for c in policy.categories.values():
        names = (c.key, c.name, c.english, *headings.CATEGORY_NAMES.get(c.key, ()))
        if folded in {headings.folded(n) for n in names}:
            return c.key
    known = ", ".join(f"{c.key} ({c.name})" for c in policy.categories.values())
    raise InvalidInput("category", f"no such category: use one of {known}", text)


def credit_code(value: str) -> str:
    """A credit code as `dock` checks it; a code a spreadsheet made a number (9.13205E+17)
    is told how to be given again."""
    if NUMBER.fullmatch(value.strip()):
        raise InvalidInput("credit code", "the cell is a number, not the code: format the "
                           "column as text and re-enter the code", value)
    return inputs.code(value)


def values(policy: Policy, sheet: Sheet, where: dict[str, int]
           ) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """Each row's checked values, and every cell that failed (all of them, not the first)."""
    parse: dict[str, Callable[[str], str]] = {
        "title": lambda v: inputs.text("title", v),
        "enterprise": lambda v: inputs.text("enterprise", v),
        "credit_code": credit_code,
        "region": lambda v: inputs.region(policy, v),
        "category": lambda v: category_key(policy, v),
    }
    good: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    with closing(sheet.rows) as numbered:
        for number, row in numbered:
            checked: dict[str, str] = {}
            for field, index in where.items():
                cell = row[index] if index < len(row) else ""
                try:
                    checked[field] = parse[field](cell)
                except InvalidInput as exc:
                    if len(errors) == MAX_ERRORS:
                        first = errors[0]
                        raise refuse(f"more than {MAX_ERRORS:,} cells fail (the first: row "
                                     f"{first.row}, column {first.column}: {first.reason}): "
                                     "is it the right file, its columns where they belong?"
                                     ) from exc
                    errors.append(RowError(number, sheet.header[index] or column_name(index),
                                           shown(cell), exc.reason,
                                           cell=f"{column_name(index)}{number}"))
            if len(checked) == len(where):
                good.append((number, checked))
    return good, errors


def shown(cell: str) -> str:
    """A failing cell's value as it is listed: its first MAX_SHOWN characters."""
    return cell if len(cell) <= MAX_SHOWN else cell[:MAX_SHOWN] + "…"
