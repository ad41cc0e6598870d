"""From a sheet's rows to the values `dock` takes: which column holds what (headings in Chinese
or English, any order, extra columns ignored), and each cell checked as `dock` checks it.

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
from accel666.workflow.intake.sheets import Sheet, column_name, refuse

# Each field and the headings that name it (compared without case, spaces or underscores).
HEADINGS: dict[str, tuple[str, ...]] = {
    "title": ("title", "项目名称"),
    "enterprise": ("enterprise", "企业名称"),
    "credit_code": ("credit_code", "creditcode", "统一社会信用代码"),
    "region": ("region", "地区"),
    "category": ("category", "类别"),
}
_SQUEEZE = re.compile(r"[\s_\-]+")
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

    def to_dict(self) -> dict[str, Any]:
        """As `import --json` lists it."""
        return {"row": self.row, "column": self.column, "value": self.value,
                "reason": self.reason, "kind": self.kind}


def _squeezed(heading: str) -> str:
    return _SQUEEZE.sub("", heading.strip().lower())


def columns(sheet: Sheet) -> dict[str, int]:
    """The index of each field's column; InvalidInput naming what is missing or doubled."""
    wanted = {_squeezed(h): field for field, names in HEADINGS.items() for h in names}
    found: dict[str, int] = {}
    for index, heading in enumerate(sheet.header):
        field = wanted.get(_squeezed(heading))
        if field is None:
            continue  # a column of the bureau's own: ignored
        if field in found:
            raise refuse(f"columns {column_name(found[field])} and {column_name(index)} both "
                         f"hold {field} ({sheet.header[found[field]]!r}, {heading!r})")
        found[field] = index
    missing = [f for f in HEADINGS if f not in found]
    if missing:
        raise refuse("the header row lacks " + ", ".join(
            f"{f} ({' / '.join(HEADINGS[f])})" for f in missing))
    return found


def category_key(policy: Policy, value: str) -> str:
    """A category named by its key, its Chinese name or its English name."""
    text = value.strip()
    for c in policy.categories.values():
        if text in (c.key, c.name) or text.lower() == c.english.lower():
            return c.key
    return inputs.category(policy, text)  # InvalidInput listing the keys


def values(policy: Policy, sheet: Sheet, where: dict[str, int]
           ) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """Each row's checked values, and every cell that failed (all of them, not the first)."""
    parse: dict[str, Callable[[str], str]] = {
        "title": lambda v: inputs.text("title", v),
        "enterprise": lambda v: inputs.text("enterprise", v),
        "credit_code": inputs.code,
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
                                           shown(cell), exc.reason))
            if len(checked) == len(where):
                good.append((number, checked))
    return good, errors


def shown(cell: str) -> str:
    """A failing cell's value as it is listed: its first MAX_SHOWN characters."""
    return cell if len(cell) <= MAX_SHOWN else cell[:MAX_SHOWN] + "…"
