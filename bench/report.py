"""Figures as they are measured: one `name: value unit` line each, then the ratios."""

from __future__ import annotations

import re
import statistics
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

FIGURE = re.compile(r"^(?P<name>[\w.\-/]+): (?P<value>-?\d+(?:\.\d+)?) (?P<unit>\S+)")


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def shown(value: float) -> str:
    """Three significant figures or so, without exponents."""
    size = abs(value)
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


@dataclass(frozen=True)
class Ratio:
    name: str
    numerator: str
    denominator: str
    target: float | None  # the ratio must stay at or below this


class Report:
    """Prints each figure at once (a long run shows progress) and keeps it for the ratios."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.figures: dict[str, tuple[float, str]] = {}
        self.ratios: list[Ratio] = []

    def print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def figure(self, name: str, value: float, unit: str, target: float | None = None) -> None:
        """Print `name: value unit`; with a target (an upper bound in the same unit), say if met."""
        self.figures[name] = (value, unit)
        note = ""
        if target is not None:
            verdict = "met" if value <= target else f"missed by {shown(value - target)} {unit}"
            note = f"  (target <= {shown(target)} {unit}: {verdict})"
        self.print(f"{name}: {shown(value)} {unit}{note}")

    def line(self, text: str) -> None:
        """A line from another benchmark (the sweep's `emit`): printed, and kept if a figure."""
        for part in str(text).splitlines():
            match = FIGURE.match(part)
            if match:
                self.figures[match["name"]] = (float(match["value"]), match["unit"])
            self.print(part)

    def note(self, text: str) -> None:
        self.print(f"# {text}")

    def skipped(self, name: str, why: str) -> None:
        self.print(f"{name}: skipped ({why})")

    def ratio(self, name: str, numerator: str, denominator: str,
              target: float | None = None) -> None:
        self.ratios.append(Ratio(name, numerator, denominator, target))

    def print_ratios(self) -> None:
        """Each ratio of two figures of this run; the pairs with a figure missing are left out."""
        ready = [r for r in self.ratios
                 if r.numerator in self.figures and r.denominator in self.figures]
        if not ready:
            return
        self.note("ratios (same run)")
        for r in ready:
            top, bottom = self.figures[r.numerator][0], self.figures[r.denominator][0]
            if bottom <= 0:
                continue
            value = top / bottom
            self.figure(f"ratio.{r.name}", value, "x", target=r.target)
