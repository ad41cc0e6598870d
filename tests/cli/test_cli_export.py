"""`accel666 export`: the projects as CSV (UTF-8 with BOM), XLSX, JSON or Markdown, narrowed as
`list` narrows them; stored text stays data; nothing changes."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from tests.helpers import CODE_A, CODE_B, CODE_C

HEADER = ["title", "enterprise", "credit_code", "region", "category", "id", "region_name",
          "batch", "state", "updated_at"]
HOSTILE = ("=HYPERLINK(\"http://evil.example\",\"点击\")", "+1+1", "-2", "@SUM(A1)")


@pytest.fixture
def three(engine, actors):
    """Three docked projects whose titles a spreadsheet would run as formulas."""
    for title, code, region in zip(HOSTILE[:3], (CODE_A, CODE_B, CODE_C),
                                   ("suzhou", "nanjing", "kunshan"), strict=True):
        engine.dock(actors.tencent, title=title, enterprise=HOSTILE[3], credit_code=code,
                    region=region, category="demo")
    return engine


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel opens the Chinese right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_the_import_headers_first_and_defuses_formulas(run, three, tmp_path):
    out = tmp_path / "projects.csv"
    result = run("export", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    rows = csv_rows(out.read_bytes())
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE[:3]]
    assert {r[1] for r in rows[1:]} == {"'@SUM(A1)"}
    assert [(r[3], r[6], r[8]) for r in rows[1:]] == [
        ("320500", "苏州市", "docked"), ("320100", "南京市", "docked"),
        ("320583", "昆山市", "docked")]
    assert "3 project(s) written to" in result.stderr


def test_xlsx_holds_the_same_cells_as_text_never_formulas(run, three, tmp_path):
    out = tmp_path / "projects.xlsx"
    assert run("export", "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE[:3]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert [r[5] for r in rows[1:]] == [1, 2, 3]  # ids stay numbers


def test_filters_json_and_markdown(run, three):
    doc = json.loads(run("export", "--region", "nanjing", "--format", "json", "-o", "-").stdout)
    assert [(d["credit_code"], d["region"]) for d in doc] == [(CODE_B, "320100")]
    assert list(doc[0]) == HEADER
    md = run("export", "--format", "md", "-o", "-", "--region", "kunshan").stdout.splitlines()
    assert md[0] == "| " + " | ".join(HEADER) + " |"
    assert md[2].startswith("| \\-2 | \\@SUM\\(A1\\) |")


def test_xlsx_to_stdout_and_no_database_are_refused(run, three, tmp_path):
    refused = run("export", "--format", "xlsx", "-o", "-")
    assert refused.exit_code == 2 and "give -o FILE.xlsx" in refused.stderr
    missing = tmp_path / "none.db"
    result = run("--db", f"sqlite:///{missing}", "export", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 3
    assert not missing.exists() and not (tmp_path / "x.csv").exists()


def test_export_changes_nothing(run, three, tmp_path):
    before = run.json("list")
    run("export", "-o", str(tmp_path / "a.csv"))
    assert run.json("list") == before
    assert three.verify().ok


def test_a_credit_code_of_digits_stays_text_in_excel(run, three, tmp_path):
    """Excel turned 914403001922038216 into 9.14403E+17 (and kept 15 digits): a code of digits
    is written as ="…", which Excel keeps as text; a code with a letter as it is."""
    out = tmp_path / "projects.csv"
    assert run("export", "-o", str(out)).exit_code == 0
    codes = [r[2] for r in csv_rows(out.read_bytes())[1:]]
    assert codes == [f'="{CODE_A}"', CODE_B, CODE_C]


def test_a_csv_with_codes_of_digits_imports_again(run, three, tmp_path):
    out = tmp_path / "projects.csv"
    assert run("export", "-o", str(out)).exit_code == 0
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    again = run("--db", fresh, "import", str(out), "--as", "tencent", "--batch", "2020-1")
    assert again.exit_code == 0, again.stdout + again.stderr
    got = json.loads(run("--db", fresh, "list", "--json").stdout)
    assert [p["credit_code"] for p in got] == [CODE_A, CODE_B, CODE_C]


def test_xlsx_has_column_widths_and_a_frozen_header(run, three, tmp_path):
    out = tmp_path / "projects.xlsx"
    assert run("export", "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet.freeze_panes == "A2"
    widths = {sheet.cell(1, i).value: sheet.column_dimensions[letter].width
              for i, letter in enumerate("ABCDEFGHIJ", start=1)}
    assert widths["title"] >= 30 and widths["credit_code"] >= 18  # 18 characters, whole
    assert all(w > 0 for w in widths.values())
    assert sheet.cell(2, 3).value == CODE_A and sheet.cell(2, 3).data_type == "s"
