"""A bureau's own spreadsheet imports on the first try, or fails naming exactly what to fix:
a title row (merged or not) above the headings, the headings bureaus write, the categories'
usual short names, problems named by the row and cell Excel shows, and a credit code Excel
made a number."""

from __future__ import annotations

import json

import openpyxl
import pytest

from accel666.workflow.intake import headings
from tests.cli.test_cli_import import CODES, write_csv

TITLE = "苏州市2020年工业互联网加速器工程（666工程）项目申报汇总表"
# As a bureau's sheet has them: a number column, the enterprise with a note, the region and
# category as its clerks name them, a contact column of its own.
BUREAU = ["序号", "申报单位（企业名称）", "统一社会信用代码", "所属地区", "项目类别",
          "项目名称", "联系人"]


def bureau_rows(n: int = 3) -> list[list[object]]:
    kinds = ["骨干企业", "云基地", "示范企业"]
    return [[i + 1, f"苏州某某科技 {i}", CODES[i], "苏州市", kinds[i % 3], f"云上工厂 {i}",
             "王工"] for i in range(n)]


def bureau_xlsx(path, rows, *, merged=True, blank_after_title=True, number_code=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([TITLE])
    if merged:
        sheet.merge_cells("A1:G1")
    if blank_after_title:
        sheet.append([])
    sheet.append(BUREAU)
    for row in rows:
        sheet.append(row)
    if number_code is not None:  # the code column formatted as a number, as Excel does
        sheet.cell(sheet.max_row, 3).value = number_code
    book.save(path)
    return str(path)


def test_a_bureau_workbook_with_a_merged_title_row_imports_first_time(run, tmp_path):
    result = run("import", bureau_xlsx(tmp_path / "苏州.xlsx", bureau_rows()), "--as",
                 "city:suzhou", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert (doc["imported"], doc["header_row"]) == (3, 3)
    assert [(p["title"], p["category"]) for p in run.json("list")] == [
        ("云上工厂 0", "backbone"), ("云上工厂 1", "cloud-base"), ("云上工厂 2", "demo")]


def test_the_text_output_says_which_row_held_the_headings(run, tmp_path):
    result = run("import", bureau_xlsx(tmp_path / "t.xlsx", bureau_rows()), "--as",
                 "city:suzhou", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "the headings are in row 3; the rows above were taken for titles" in result.stderr


def test_a_gb18030_csv_with_a_title_row_imports_first_time(run, tmp_path):
    rows = [[str(c) for c in r] for r in bureau_rows()]
    path = write_csv(tmp_path / "苏州.csv", [TITLE], [[], BUREAU, *rows], "gb18030")
    result = run("import", path, "--as", "city:suzhou", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["header_row"] == 3


def test_a_merged_heading_row_is_still_refused_naming_its_row(run, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([TITLE])
    sheet.append(BUREAU)
    sheet.merge_cells("A2:B2")
    sheet.append(bureau_rows(1)[0])
    book.save(tmp_path / "m.xlsx")
    result = run("import", str(tmp_path / "m.xlsx"), "--as", "city:suzhou")
    assert result.exit_code == 2
    assert "the heading row 2 has merged cells (A2:B2)" in result.stderr


@pytest.mark.parametrize(("field", "heading"), [
    (field, heading) for field, names in headings.HEADINGS.items() for heading in names])
def test_each_heading_form_names_its_field(field, heading):
    assert headings.field_of(heading) == field
    assert headings.field_of(heading.upper()) == field  # any case
    assert headings.field_of(f"{heading}（备注）") == field  # a note in brackets


@pytest.mark.parametrize("heading", ["企业名称(申报单位)", "申报单位（企业名称）", "Credit Code",
                                     "统一社会信用代码（18位）", "所属地区", "项目类别"])
def test_headings_as_bureaus_write_them(heading):
    assert headings.field_of(heading) is not None


def test_blank_rows_inside_keep_the_numbers_excel_shows(run, tmp_path):
    """With blank rows inside, row 6 was reported as row 4."""
    rows = bureau_rows(2)
    rows[1][5] = ""  # no title: the sheet's row 6 (title, blank, headings, row, blank, row)
    book = openpyxl.Workbook()
    sheet = book.active
    for row in ([TITLE], [], BUREAU, rows[0], [], rows[1]):
        sheet.append(row)
    book.save(tmp_path / "b.xlsx")
    result = run("import", str(tmp_path / "b.xlsx"), "--as", "city:suzhou", "--json")
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["errors"]
    assert [(e["row"], e["cell"], e["column"]) for e in errors] == [(6, "F6", "项目名称")]


def test_a_csvs_blank_lines_count_as_rows(run, tmp_path):
    """A CSV's line 5 was reported as row 3."""
    rows = [[str(c) for c in r] for r in bureau_rows(2)]
    rows[1][3] = "北京市"
    path = write_csv(tmp_path / "b.csv", BUREAU, [rows[0], [], [], rows[1]])
    result = run("import", path, "--as", "city:suzhou", "--json")
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["errors"]
    assert [(e["row"], e["cell"]) for e in errors] == [(5, "D5")]


def test_a_refusal_of_the_whole_row_names_its_cell_too(run, tmp_path):
    rows = [[str(c) for c in r] for r in bureau_rows(2)]
    rows[1][1:3] = rows[0][1:3]  # the same enterprise twice
    rows[1][4] = rows[0][4]  # in the same category
    path = write_csv(tmp_path / "d.csv", BUREAU, rows)
    result = run("import", path, "--as", "city:suzhou")
    assert result.exit_code == 4
    assert "C3" in result.stdout and "the same enterprise and category as row 2" in \
        result.stdout


def test_a_credit_code_excel_made_a_number_says_how_to_fix_it(run, tmp_path):
    path = bureau_xlsx(tmp_path / "n.xlsx", bureau_rows(1), number_code=9.132058371234568e17)
    result = run("import", path, "--as", "city:suzhou", "--json")
    assert result.exit_code == 2
    (error,) = json.loads(result.stdout)["errors"]
    assert (error["cell"], error["reason"]) == (
        "C4", "the cell is a number, not the code: format the column as text and re-enter "
              "the code")


@pytest.mark.parametrize("value", ["9.13206E+17", "9.132058371234568e+17", "913205837.0"])
def test_a_code_as_a_csv_of_excels_writes_it_is_told_too(run, tmp_path, value):
    rows = [[str(c) for c in r] for r in bureau_rows(1)]
    rows[0][2] = value
    result = run("import", write_csv(tmp_path / "n.csv", BUREAU, rows), "--as",
                 "city:suzhou", "--json")
    assert result.exit_code == 2
    assert "format the column as text" in json.loads(result.stdout)["errors"][0]["reason"]


@pytest.mark.parametrize(("name", "key"), [
    ("云基地", "cloud-base"), ("骨干企业", "backbone"), ("示范企业", "demo"),
    ("上云上平台示范企业", "demo"), ("工业互联网服务骨干企业", "backbone"), ("backbone", "backbone"),
    ("BACKBONE", "backbone"), ("省级工业互联网云服务中心(云基地)", "cloud-base")])
def test_categories_by_key_chinese_name_or_usual_short_name(run, tmp_path, name, key):
    rows = [[str(c) for c in r] for r in bureau_rows(1)]
    rows[0][4] = name
    result = run("import", write_csv(tmp_path / "c.csv", BUREAU, rows), "--as",
                 "city:suzhou")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert [p["category"] for p in run.json("list")] == [key]


def test_an_unknown_category_is_refused_with_the_chinese_names_shown(run, tmp_path):
    rows = [[str(c) for c in r] for r in bureau_rows(1)]
    rows[0][4] = "平台企业"
    result = run("import", write_csv(tmp_path / "c.csv", BUREAU, rows), "--as",
                 "city:suzhou", "--json")
    assert result.exit_code == 2
    reason = json.loads(result.stdout)["errors"][0]["reason"]
    assert "backbone (工业互联网服务骨干企业)" in reason and "demo (上云上平台示范企业)" in reason


def test_import_help_lists_every_heading_known(run):
    shown = run("import", "--help").stdout
    for field, names in headings.HEADINGS.items():
        for name in names:
            assert name in shown, (field, name)
    for names in headings.CATEGORY_NAMES.values():
        assert names[0] in shown
