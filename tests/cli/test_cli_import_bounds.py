"""`accel666 import` keeps what it lists bounded too: a file with more failing cells than anyone
reads is refused whole, naming the first; a failing cell is listed to 200 characters; a CSV row
whose quoted cells run on over many lines is bounded as a row. (The memory these bounds keep
is measured in test_cli_import_memory.py.)"""

from __future__ import annotations

import json

from accel666.workflow.intake import rows as intake_rows
from accel666.workflow.intake import sheets
from tests.cli.sheet_files import rows, write_csv


def test_more_than_1000_failing_cells_refuse_the_file_naming_the_first(run, tmp_path):
    body = [(title, enterprise, code, "北京", category)
            for title, enterprise, code, _, category in rows(1_001)]
    result = run("import", str(write_csv(tmp_path / "beijing.csv", body)), "--as",
                 "city:suzhou")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert ("more than 1,000 cells fail (the first: row 2, column region: unknown region "
            "'北京'") in result.stderr
    assert run.json("list") == []


def test_1000_failing_cells_are_all_listed(run, tmp_path):
    body = [(title, enterprise, code, "北京", category)
            for title, enterprise, code, _, category in rows(1_000)]
    result = run("import", str(write_csv(tmp_path / "beijing.csv", body)), "--as",
                 "city:suzhou", "--json")
    assert result.exit_code == 2
    assert len(json.loads(result.stdout)["errors"]) == intake_rows.MAX_ERRORS


def test_a_failing_cell_is_listed_to_200_characters(run, tmp_path):
    (_, *rest), = rows(1)
    path = write_csv(tmp_path / "long.csv", [("题" * 5_000, *rest)])
    result = run("import", str(path), "--as", "city:suzhou", "--json")
    assert result.exit_code == 2
    [error] = json.loads(result.stdout)["errors"]
    assert error["value"] == "题" * 200 + "…"
    assert error["reason"] == "at most 200 characters (got 5000)"


def test_a_row_running_on_over_many_lines_is_bounded_as_a_row(run, tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_ROW_CHARS", 1_000)
    cells = ",".join(['"a\r\nb"'] * 300)  # 300 cells of 4 characters over 301 lines
    path = tmp_path / "lines.csv"
    path.write_text("title,enterprise,credit_code,region,category\r\n" + cells + "\r\n",
                    encoding="utf-8")
    result = run("import", str(path), "--as", "city:suzhou")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "a row of more than 1,000 characters; at most 200 cells" in result.stderr


def test_the_row_bound_counts_the_rows_under_the_header(run, tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_ROWS", 3)
    assert run("import", str(write_csv(tmp_path / "3.csv", rows(3))), "--as", "city:suzhou",
               "--dry-run").exit_code == 0
    result = run("import", str(write_csv(tmp_path / "4.csv", rows(4))), "--as", "city:suzhou",
                 "--dry-run")
    assert result.exit_code == 2
    assert "more than 3 rows under the header: split the file" in result.stderr
