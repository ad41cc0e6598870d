"""Text tables: aligned by display width (Chinese is two columns wide), fitted to a terminal by
shortening names in the middle, never cut when written to a file or a pipe."""

from __future__ import annotations

import io
import os

from rich.cells import cell_len

from accel666.cli import output

HEADERS = ("id", "at", "region", "enterprise", "title")
ROWS = [(1, "2020-08-31 00:00:01 +08:00", "苏州市", "苏州某某科技有限公司工业互联网平台 0001",
         "设备预测性维护上平台项目一期工程 甲"),
        (22, "2020-09-30 23:59:59 +08:00", "连云港市", "苏州某某科技有限公司工业互联网平台 0002",
         "设备预测性维护上平台项目一期工程 乙"),
        (333, "2020-10-31 12:00:00 +08:00", "Kunshan", "[/] =cmd|' /C calc'!A0",
         "tab\there")]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def render(monkeypatch, out: io.StringIO, columns: int = 80) -> list[str]:
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("shutil.get_terminal_size", lambda *a, **k: os.terminal_size((columns, 24)))
    output.table(HEADERS, ROWS)
    return out.getvalue().splitlines()


def starts(line: str, texts: list[str]) -> list[int]:
    """The display column at which each of `texts` begins in `line`."""
    found, at = [], 0
    for text in texts:
        i = line.index(text, at)
        found.append(cell_len(line[:i]))
        at = i + len(text)
    return found


def test_columns_line_up_by_display_width_when_piped(monkeypatch):
    lines = render(monkeypatch, io.StringIO())
    assert lines[0].split() == list(HEADERS)
    columns = [starts(line, [str(r[0]), r[1], r[2]]) for line, r in zip(lines[2:], ROWS,
                                                                          strict=True)]
    assert columns[0] == columns[1] == columns[2]
    assert ROWS[0][3] in lines[2] and ROWS[1][4] in lines[3]  # nothing cut
    assert "[/] =cmd|' /C calc'!A0" in lines[4] and "tab here" in lines[4]


def test_a_terminal_gets_the_names_shortened_in_the_middle(monkeypatch):
    lines = render(monkeypatch, Terminal())
    assert all(cell_len(line) <= 80 for line in lines)
    assert ROWS[0][1] in lines[2] and ROWS[1][1] in lines[3]  # times whole, on one line
    first, second = lines[2], lines[3]
    assert "…" in first and "0001" in first and "0002" in second  # the ends that differ stay
    assert first.split("  ")[0] == "1"


def test_a_wide_terminal_shows_everything(monkeypatch):
    lines = render(monkeypatch, Terminal(), columns=300)
    assert ROWS[0][3] in lines[2] and "…" not in "".join(lines)
