"""Reading raw TOML tables while noting every problem: the helpers the policy loader shares.

Standard library only. A problem is one line naming the source, the key path and what is wrong;
`difflib` finds the known name an unknown one was most likely meant to be.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from accel666.policies import characters


def closest(name: str, known: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1)
    return close[0] if close else None


def unknown(kind: str, name: str, known: Iterable[str]) -> str:
    """"unknown key 'x'", with the closest known name, or all of them when none is close."""
    known = list(known)
    close = closest(name, known)
    hint = f"did you mean {close!r}?" if close else f"{kind}s: {', '.join(known)}"
    return f"unknown {kind} {name!r} ({hint})"



# Dates a policy may name: every window, extension and target falls in this span.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)

class Reader:
    """Reads raw tables, noting every problem; parts it cannot read come back as None.

    A missing key that an unknown key of the same table was taken for is not reported twice:
    `timezon = "UTC"` is one problem, not two.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.misspelt: set[tuple[str, str]] = set()  # (table, known key) an unknown key suggests

    def problem(self, where: str, why: str) -> None:
        self.problems.append(f"{self.source}: {where}: {why}")

    def unknown(self, where: str, kind: str, name: str, known: tuple[str, ...]) -> None:
        """Note `name` as unknown at `where`, and remember which known name it was taken for."""
        self.problem(where, unknown(kind, name, known))
        if (close := closest(name, known)) is not None:
            self.misspelt.add((where, close))

    def keys(self, table: dict[str, Any], where: str, known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                self.unknown(where, "key", key, known)

    def get(self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str,
            *, required: bool = True) -> Any:
        """table[key] if it is a `kind`; None if it is absent or (a problem noted) of another kind."""
        if key not in table:
            if required and (where, key) not in self.misspelt:
                self.problem(where, f"missing key {key!r}")
            return None
        value = table[key]
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.problem(f"{where}.{key}", f"expected {names}, got {type(value).__name__}")
            return None
        return value

    def text(self, table: dict[str, Any], key: str, where: str, *, required: bool = True
             ) -> str | None:
        """table[key] if it is one line of text that people may read (`characters`: no
        control, bidi or invisible format character, so no terminal escape sequence either);
        None if it is absent or (a problem noted) anything else."""
        value: str | None = self.get(table, key, str, where, required=required)
        if value is not None and (ch := characters.first_refused(value, one_line=True)):
            self.problem(f"{where}.{key}", f"{characters.reason(ch)}: {value!r}")
            return None
        return value

    def day(self, table: dict[str, Any], key: str, where: str, example: str,
            *, required: bool = True) -> date | None:
        """A date (not a date-time) within FIRST_DAY … LAST_DAY."""
        value: date | None = self.get(table, key, date, where, required=required)
        if isinstance(value, datetime):
            self.problem(f"{where}.{key}", f"expected a date such as {example}")
            return None
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            self.problem(f"{where}.{key}", f"must be from {FIRST_DAY} to {LAST_DAY} "
                         f"(got {value})")
            return None
        return value  # a date, or None

    def at_most(self, value: float | None, where: str, high: float) -> None:
        """Note a problem if `value` is above `high`, infinite or not a number at all."""
        if value is not None and not value <= high:  # NaN compares false
            self.problem(where, f"must be at most {high:_} (got {value!r})")

    def entries(self, items: list[Any] | None, where: str
                ) -> Iterable[tuple[int, str, dict[str, Any]]]:
        """(index, where, table) for each table of an array; other items are problems."""
        for i, t in enumerate(items or []):
            if isinstance(t, dict):
                yield i, f"{where}[{i}]", t
            else:
                self.problem(f"{where}[{i}]", "expected a table")
