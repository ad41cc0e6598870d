"""Stored text is data in every output: rich tables show markup as written, CSV cells a
spreadsheet would run as formulas get a leading apostrophe, Markdown cells escape every
character that could become markup, a link, HTML or a column break."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accel666 import Actor
from accel666.cli import output
from tests.credit_reference import reference_check, reference_org_check
from tests.helpers import cst, panel_review

HOSTILE = (
    "[/]",
    "[link=https://evil.example/]点这里[/link]",
    "[bold red]红[/]",
    '=HYPERLINK("https://evil.example","点")',
    "+86 025 8888",
    "-2+3",
    "@SUM(A1:A9)",
    "<script>alert(1)</script>",
    "a | b",
    "**粗** _斜_ `码` # ![x](y)",
    ":thumbs_up: \\[x]",
)
FORMULA = ("=", "+", "-", "@")
EARLY, LATE = cst(2020, 7, 1, 12, 0, 0), cst(2020, 10, 10, 9, 0, 0)
SUZHOU, PROVINCE, TENCENT = Actor("sz", "city", "suzhou"), Actor("p", "province"), \
    Actor("tx", "tencent")


def code(i: int) -> str:
    """A valid credit code per index, built by the tests' own reference algorithm."""
    org = f"{i + 10:08d}"
    first17 = "91320500" + org + reference_org_check(org)
    return first17 + reference_check(first17)


@pytest.fixture
def signed(engine, clock) -> list[int]:
    """One signed project of batch 2020-1 per hostile text, as title and in its enterprise."""
    ids = []
    for i, text in enumerate(HOSTILE):
        clock.set(EARLY)
        p = engine.dock(SUZHOU, title=text, enterprise=f"{text} 有限公司", credit_code=code(i),
                        region="suzhou", category="demo", batch="2020-1")
        engine.apply(Actor("e", "enterprise", code(i)), p.id, paper_copies=2,
                     document=b"%PDF-1.4", document_name="a.pdf")
        engine.recommend(SUZHOU, p.id, opinion=text)
        panel_review(engine, p.id, province=PROVINCE)
        clock.set(LATE)
        engine.sign(TENCENT, p.id)
        ids.append(p.id)
    return ids


@pytest.mark.parametrize("command", ["list", "overdue"])
def test_rich_tables_show_stored_markup_as_written(run, signed, command):
    run.moment = cst(2020, 11, 2, 9, 0, 0)  # publication closed: every project overdue
    result = run(command)
    assert result.exit_code == 0, result.stderr
    for text in HOSTILE:
        assert text in result.stdout


def test_the_escalations_table_shows_who_acknowledged_as_written(run, signed, engine, clock):
    clock.set(cst(2020, 11, 2, 9, 0, 0))
    engine.escalate()
    escalations = engine.escalations()
    for escalation, text in zip(escalations, HOSTILE, strict=False):
        engine.ack(Actor(text, "province"), escalation.id, note=text)
    run.moment = cst(2020, 11, 2, 9, 0, 0)
    result = run("escalations")
    assert result.exit_code == 0, result.stderr
    for text in HOSTILE[:len(escalations)]:
        assert f"{text} (province)" in result.stdout


def test_show_and_history_show_stored_text_as_written(run, signed):
    for pid, text in zip(signed, HOSTILE, strict=True):
        shown = run("show", str(pid))
        assert shown.exit_code == 0, shown.stderr
        assert text in shown.stdout
        history = run("history", str(pid))
        assert history.exit_code == 0, history.stderr


def test_the_csv_list_escapes_formulas_and_keeps_the_rest(run, signed, tmp_path):
    run.moment = LATE
    out = tmp_path / "list.csv"
    result = run("publish", "--batch", "2020-1", "--as", "province", "--format", "csv",
                 "-o", str(out))
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["title"] for r in rows] == [
        "'" + t if t.startswith(FORMULA) else t for t in HOSTILE]
    assert [r["enterprise"] for r in rows] == [
        "'" + f"{t} 有限公司" if t.startswith(FORMULA) else f"{t} 有限公司" for t in HOSTILE]


def test_the_markdown_list_has_no_markup_html_or_extra_columns(run, signed):
    run.moment = LATE
    result = run("publish", "--batch", "2020-1", "--as", "province", "--format", "md")
    assert result.exit_code == 0, result.stderr
    body = result.stdout.splitlines()[2:]
    assert len(body) == len(HOSTILE)
    for line, text in zip(body, HOSTILE, strict=True):
        assert _cells(line)[1] == text
        assert not re.search(r"(?<!\\)[<>\[\]`*_]", line)


def _cells(line: str) -> list[str]:
    """A Markdown row's cells, unescaped: split on pipes that no backslash escapes."""
    inner = line.strip()[1:-1]
    parts = re.split(r"(?<!\\)\|", inner)
    return [re.sub(r"\\(.)", r"\1", p.strip()) for p in parts]


TEXT = st.text(alphabet=st.sampled_from("[]/=+-@<>|*_`:\\#!()&;\"' 红aZ1\t"), min_size=1,
               max_size=30)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_any_text_survives_every_format(text):
    """Property: a table shows the text, the CSV cell reads back to it (less the apostrophe
    added to a formula), the Markdown cell unescapes to it with one cell per column."""
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown):
        output.table(["title", "n"], [[text, 1]])
    assert text.replace("\t", " ").strip() in shown.getvalue()

    cell = output.spreadsheet_cell(text)
    assert cell == ("'" + text if text.startswith((*FORMULA, "\t", "\r")) else text)
    buf = io.StringIO()
    csv.writer(buf).writerow([cell, "x"])
    assert next(csv.reader(io.StringIO(buf.getvalue()))) == [cell, "x"]

    md = "| " + output.markdown_cell(text) + " | x |"
    assert _cells(md) == [text.strip(), "x"]


def test_the_xlsx_export_defuses_formulas_and_keeps_the_rest(run, signed, tmp_path):
    import openpyxl

    out = tmp_path / "projects.xlsx"
    assert run("export", "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [r[0] for r in rows[1:]] == ["'" + t if t.startswith(FORMULA) else t for t in HOSTILE]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


class _Elements(HTMLParser):
    """The elements of a page and its text, as a browser's parser would split them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_html_report_shows_stored_text_as_text(run, signed, tmp_path):
    """Every title and opinion is text on the page: no element comes from stored text."""
    run.moment = LATE + timedelta(days=30)  # signed past its publication window: overdue
    out = tmp_path / "report.html"
    assert run("report", "--html", str(out)).exit_code == 0
    page = _Elements()
    page.feed(out.read_text(encoding="utf-8"))
    assert not page.tags & {"script", "img", "a", "iframe", "link"}
    shown = "".join(page.text)
    for text in HOSTILE:
        assert text in shown
