"""`accel666 import`: bulk docking from a bureau's spreadsheet, all rows or none."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from bench import plan
from tests.helpers import CODE_A

CODES = plan.credit_codes(7000, 4)  # registered in 苏州 (320500)
EN = ["title", "enterprise", "credit_code", "region", "category"]
ZH = ["类别", "备注", "地区", "统一社会信用代码", "企业名称", "项目名称"]  # any order, an extra column


def en_rows(n=3):
    return [[f"云上工厂 {i}", f"苏州某某科技 {i}", CODES[i], "suzhou", "demo"] for i in range(n)]


def zh_rows(n=3):
    return [["上云上平台示范企业", "无", "苏州市", CODES[i], f"苏州某某科技 {i}", f"云上工厂 {i}"]
            for i in range(n)]


def write_csv(path, header, rows, encoding="utf-8"):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return str(path)


def write_xlsx(path, header, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append(row)
    book.save(path)
    return str(path)


def docked(run):
    return [(p["title"], p["credit_code"], p["region"], p["category"], p["state"])
            for p in run.json("list")]


EXPECTED = [(f"云上工厂 {i}", CODES[i], "320500", "demo", "docked") for i in range(3)]


@pytest.mark.parametrize("make", [
    lambda t: write_csv(t / "en.csv", EN, en_rows()),
    lambda t: write_csv(t / "bom.csv", ZH, zh_rows(), "utf-8-sig"),
    lambda t: write_csv(t / "gbk.csv", ZH, zh_rows(), "gb18030"),
    lambda t: write_xlsx(t / "zh.xlsx", ZH, zh_rows()),
    lambda t: write_xlsx(t / "en.xlsx", EN, en_rows()),
], ids=["csv-utf8-en", "csv-bom-zh", "csv-gb18030-zh", "xlsx-zh", "xlsx-en"])
def test_each_kind_of_sheet_is_docked_with_its_chain(run, tmp_path, make):
    result = run("import", make(tmp_path), "--as", "city:suzhou", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["imported"], doc["dry_run"], doc["errors"]) == (3, False, [])
    assert (doc["first_id"], doc["last_id"]) == (1, 3)
    assert docked(run) == EXPECTED
    history = run.json("history", "2")
    assert [h["event"] for h in history] == ["dock"]
    assert run("verify").exit_code == 0


def test_gb18030_can_be_named_and_a_wrong_name_is_refused(run, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", ZH, zh_rows(), "gb18030")
    wrong = run("import", path, "--as", "city:suzhou", "--encoding", "utf-8")
    assert wrong.exit_code == 2 and "--encoding" in wrong.stderr
    assert run("import", path, "--as", "city:suzhou", "--encoding", "gb18030").exit_code == 0


def test_every_failing_row_is_listed_and_nothing_is_written(run, tmp_path):
    run.dock(code=CODES[3])  # already holds a live project in demo
    before = run.json("list")
    rows = [["好项目", "企业", CODES[0], "suzhou", "demo"],          # row 2: fine
            ["坏代码", "企业", "91320500MA1234567X", "suzhou", "demo"],  # row 3: check char
            ["", "企业", CODES[1], "suzhou", "demo"],               # row 4: no title
            ["重复", "企业", CODES[0], "苏州市", "上云上平台示范企业"],     # row 5: = row 2
            ["已有", "企业", CODES[3], "suzhou", "demo"],             # row 6: in the database
            ["外地", "企业", CODES[2], "beijing", "demo"]]           # row 7: no such region
    result = run("import", write_csv(tmp_path / "bad.csv", EN, rows), "--as", "city:suzhou",
                 "--json")
    assert result.exit_code == 2  # invalid rows come first
    doc = json.loads(result.stdout)
    assert doc["imported"] == 0 and doc["first_id"] is None
    assert [(e["row"], e["column"], e["kind"]) for e in doc["errors"]] == [
        (3, "credit_code", "invalid"), (4, "title", "invalid"), (5, "credit_code", "refused"),
        (6, "credit_code", "refused"), (7, "region", "invalid")]
    assert doc["errors"][3]["reason"] == "already holds live project 1 in category demo of " \
                                          "batch 2020-1"
    assert doc["errors"][2]["reason"] == "the same enterprise and category as row 2"
    assert run.json("list") == before


def test_exit_codes_follow_the_gravest_kind(run, tmp_path):
    not_permitted = write_csv(tmp_path / "np.csv", EN, [["A", "E", CODE_A, "nanjing", "demo"]])
    assert run("import", not_permitted, "--as", "city:suzhou").exit_code == 5
    refused = write_csv(tmp_path / "r.csv", EN, [["A", "E", CODES[0], "nanjing", "demo"]])
    result = run("import", refused, "--as", "city:nanjing")  # registered in 苏州: refused
    assert result.exit_code == 4, result.stdout
    assert "registered in 320500" in result.stdout
    assert run.json("list") == []


def test_a_dry_run_writes_nothing(run, tmp_path):
    path = write_csv(tmp_path / "en.csv", EN, en_rows())
    result = run("import", path, "--as", "city:suzhou", "--dry-run", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"imported": 3, "dry_run": True, "batch": "2020-1",
                                         "first_id": None, "last_id": None, "header_row": 1,
                                         "errors": []}
    assert run.json("list") == []
    text = run("import", path, "--as", "city:suzhou", "--dry-run")
    assert "3 project(s) would be docked in batch 2020-1" in text.stderr


def test_an_export_imports_again_into_a_fresh_database(run, tmp_path):
    assert run("import", write_csv(tmp_path / "en.csv", EN, en_rows()), "--as",
               "city:suzhou").exit_code == 0
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"all.{fmt}"
        assert run("export", "-o", str(out)).exit_code == 0
        fresh = f"sqlite:///{tmp_path / f'fresh-{fmt}.db'}"
        again = run("--db", fresh, "import", str(out), "--as", "city:suzhou")
        assert again.exit_code == 0, again.stdout + again.stderr
        got = json.loads(run("--db", fresh, "list", "--json").stdout)
        assert [(p["title"], p["credit_code"], p["region"], p["category"]) for p in got] == [
            e[:4] for e in EXPECTED]


HOSTILE_FILES = {
    "empty.csv": (b"", "the file is empty"),
    "header.csv": (",".join(EN).encode() + b"\r\n", "a header but no rows"),
    "binary.xlsx": (bytes(range(256)) * 4, "is not an Excel workbook"),
    "bigcell.csv": ((",".join(EN) + "\r\n" + "x" * 10_000_001 + ",E,C,suzhou,demo\r\n").encode(),
                    "characters; at most"),
    "wide.csv": ((",".join(EN) + "\r\n" + ",".join(["x"] * 100_000) + "\r\n").encode(),
                 "100,000 columns"),
    "nul.csv": (b"title,\x00\x00", "not a text file"),
}


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_hostile_files_are_refused_with_exit_2_and_nothing_written(run, tmp_path, name):
    data, message = HOSTILE_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    result = run("import", str(path), "--as", "city:suzhou")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert run.json("list") == []


def test_a_formula_cell_and_a_merged_header_are_refused(run, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(EN)
    sheet.append(["=HYPERLINK(\"http://x\")", "E", CODES[0], "suzhou", "demo"])
    book.save(tmp_path / "formula.xlsx")
    result = run("import", str(tmp_path / "formula.xlsx"), "--as", "city:suzhou")
    assert result.exit_code == 2 and "row 2, column A holds a formula" in result.stderr
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["项目名称", None, *EN[1:]])
    sheet.merge_cells("A1:B1")
    sheet.append(["T", "", "E", CODES[0], "suzhou", "demo"])
    book.save(tmp_path / "merged.xlsx")
    result = run("import", str(tmp_path / "merged.xlsx"), "--as", "city:suzhou")
    assert result.exit_code == 2 and "merged cells (A1:B1)" in result.stderr
    assert run.json("list") == []


def test_a_missing_heading_is_named(run, tmp_path):
    path = write_csv(tmp_path / "h.csv", EN[:4], [r[:4] for r in en_rows()])
    result = run("import", path, "--as", "city:suzhou")
    assert result.exit_code == 2
    assert "the headings (row 1) lack category (类别)" in result.stderr
