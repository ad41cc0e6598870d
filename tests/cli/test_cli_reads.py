"""show, list, history, document and batches: what they print and what they refuse."""

from __future__ import annotations

import json

from tests.helpers import CODE_A, CODE_B


def test_show_text_names_state_and_next_events(run):
    pid = run.dock()
    result = run("show", str(pid))
    assert result.exit_code == 0
    assert f"#{pid}  云上工厂" in result.stdout
    assert "  region      320500 苏州市" in result.stdout
    assert "  state       docked (version 1)" in result.stdout
    assert "  docked      2020-07-01 10:00:00 +08:00" in result.stdout
    assert "  next        apply, withdraw" in result.stdout


def test_list_filters_by_region_names_and_state(run):
    run.dock()
    run.dock(code=CODE_B, region="kunshan", actor="city:kunshan")
    by_pinyin = run.json("list", "--region", "kunshan")
    by_name = run.json("list", "--region", "昆山市")
    assert [p["region"] for p in by_pinyin] == ["320583"]
    assert by_name == by_pinyin
    assert [p["id"] for p in run.json("list", "--state", "docked")] == [1, 2]
    assert run.json("list", "--state", "applied") == []
    text = run("list")
    assert text.exit_code == 0
    assert "Kunshan" in text.stdout and "Suzhou" in text.stdout  # English names by default
    chinese = run("--lang", "zh", "list")
    assert "昆山市" in chinese.stdout and "苏州市" in chinese.stdout


def test_list_rejects_unknown_state(run):
    assert run("db", "upgrade").exit_code == 0
    result = run("list", "--state", "lost")
    assert result.exit_code == 2
    assert "accel666: invalid state: use one of docked, applied" in result.stderr


def test_document_round_trips_bytes_and_refuses_to_overwrite(run, tmp_path):
    pid = run.dock()
    content = bytes(range(256)) * 10
    run("apply", str(pid), "--as", f"enterprise:{CODE_A}", "--paper-copies", "2",
        "--document", run.document(content))
    target = tmp_path / "copy.pdf"
    info = run.json("document", str(pid), "-o", str(target))
    assert target.read_bytes() == content
    assert (info["size"], info["name"]) == (2560, "application.pdf")
    again = run("document", str(pid), "-o", str(target))
    assert again.exit_code == 2
    assert "exists; pass --force to replace it" in again.stderr
    assert run("document", str(pid), "-o", str(target), "--force").exit_code == 0


def test_document_of_project_without_one_is_not_found(run, tmp_path):
    pid = run.dock()
    result = run("document", str(pid), "-o", str(tmp_path / "x"))
    assert result.exit_code == 3
    assert f"accel666: document of project {pid} not found" in result.stderr


def test_batches_json_shows_windows_in_china_time(run):
    assert run("db", "upgrade").exit_code == 0
    [batch] = run.json("batches")
    assert batch["key"] == "2020-1"
    windows = {w["phase"]: w for w in batch["windows"]}
    assert windows["application"]["closes_at"] == "2020-08-30T23:59:59.999999+08:00"
    assert windows["signing"]["opens_at"] == "2020-10-01T00:00:00+08:00"
    assert (windows["docking"]["open"], windows["signing"]["open"]) == (True, False)


def test_batch_extend_is_province_only_and_recorded(run):
    denied = run("batch", "extend", "2020-1", "--phase", "application", "--until", "2020-09-06",
                 "--reason", "材料补交", "--as", "city:suzhou")
    assert denied.exit_code == 5
    done = run.json("batch", "extend", "2020-1", "--phase", "application",
                    "--until", "2020-09-06", "--reason", "材料补交", "--as", "province")
    assert (done["until"], done["role"]) == ("2020-09-06", "province")
    windows = {w["phase"]: w for w in run.json("batches")[0]["windows"]}
    assert windows["application"]["extended"] is True
    assert windows["application"]["closes_at"] == "2020-09-06T23:59:59.999999+08:00"


def test_batch_extend_rejects_a_bad_date(run):
    result = run("batch", "extend", "2020-1", "--phase", "review", "--until", "30/09/2020",
                 "--reason", "x", "--as", "province")
    assert result.exit_code == 2
    assert "accel666: invalid until: expected a date as YYYY-MM-DD" in result.stderr


def test_history_text_shows_actor_and_payload(run):
    pid = run.dock()
    run("withdraw", str(pid), "--as", "city:suzhou", "--reason", "企业放弃")
    result = run("history", str(pid))
    assert result.exit_code == 0
    assert "withdraw" in result.stdout and "reason=企业放弃" in result.stdout
    assert "2020-07-01 10:00:00 +08:00" in result.stdout
    assert json.loads(run("history", str(pid), "--json").stdout)[1]["payload"] == {
        "reason": "企业放弃"}
