"""The public notice on the command line: `notice start | show`, `objection add | resolve |
list`, their exit codes, and `sign` refused while the notice runs."""

from __future__ import annotations

import json

from tests.helpers import CODE_A, CODE_B, PANEL_KEYS, cst

PROVINCE = ("--as", "province", "--actor", "王处长")


def reviewed(cli, code: str = CODE_A) -> int:
    cli.moment = cst(2020, 7, 1, 10, 0, 0)
    pid = cli.dock(code=code)
    doc = cli.document()
    for args in (("apply", str(pid), "--paper-copies", "2", "--document", doc, "--as",
                  f"enterprise:{code}"),
                 ("recommend", str(pid), "--opinion", "推荐", "--as", "city:suzhou")):
        assert cli(*args).exit_code == 0
    cli.moment = cst(2020, 9, 20, 10, 0, 0)
    for key in PANEL_KEYS:  # the panel decides, as built in
        cli("expert", "add", key, "--name", f"专家{key[-1]}", *PROVINCE)  # once: again exits 4
    assert cli("panel", "assign", str(pid), "--experts", ",".join(PANEL_KEYS),
               *PROVINCE).exit_code == 0
    for key in PANEL_KEYS:
        assert cli("score", str(pid), "--score", "90", "--as", f"expert:{key}").exit_code == 0
    assert cli("review", str(pid), *PROVINCE).exit_code == 0
    return pid


def started(cli) -> list[int]:
    ids = [reviewed(cli, CODE_A), reviewed(cli, CODE_B)]
    cli.moment = cst(2020, 9, 30, 9, 0, 0)
    result = cli("notice", "start", "2020-1", *PROVINCE, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["closes_at"] == "2020-10-14T23:59:59.999999+08:00"
    assert [p["id"] for p in doc["projects"]] == ids
    return ids


def test_nothing_reviewed_exits_4(cli):
    cli.moment = cst(2020, 9, 30, 9, 0, 0)
    result = cli("notice", "start", "2020-1", *PROVINCE)
    assert result.exit_code == 4
    assert "no reviewed project" in result.stderr
    assert cli("notice", "show", "2020-1").exit_code == 3


def test_start_and_show(cli):
    ids = started(cli)
    text = cli("notice", "start", "2020-1", *PROVINCE)
    assert text.exit_code == 4
    shown = cli("notice", "show", "2020-1")
    assert shown.exit_code == 0
    assert "until 2020-10-14 23:59:59 +08:00" in shown.stdout
    assert "书面" in shown.stdout
    doc = cli.json("notice", "show", "2020-1")
    assert {"batch", "started_at", "closes_at", "projects", "objections"} <= set(doc)
    assert (doc["batch"], doc["started_at"]) == ("2020-1", "2020-09-30T09:00:00+08:00")
    assert [p["id"] for p in doc["projects"]] == ids


def test_show_for_the_website(cli):
    started(cli)
    md = cli("--lang", "zh", "notice", "show", "2020-1", "--format", "md")
    assert md.exit_code == 0, md.stderr
    assert "| 序号 | 项目名称 | 企业名称 | 统一社会信用代码 | 地区 | 类别 |" in md.stdout
    assert f"| 1 | 云上工厂 | 苏州某某科技 | {CODE_A} | 苏州市 |" in md.stdout
    assert "2020\\-10\\-14" not in md.stdout and "2020-10-14 23:59:59" in md.stdout
    csv = cli("--lang", "zh", "notice", "show", "2020-1", "--format", "csv")
    lines = csv.stdout.splitlines()
    assert lines[0] == "序号,项目名称,企业名称,统一社会信用代码,地区,类别"
    assert lines[2].startswith(f"2,云上工厂,苏州某某科技,{CODE_B},苏州市,")
    assert "90" not in csv.stdout.split(CODE_B)[1]  # never a score


def test_objections_on_the_command_line(cli):
    first, second = started(cli)
    cli.moment = cst(2020, 10, 14, 23, 59, 59)
    nameless = cli("objection", "add", str(first), "--text", "数据不实", *PROVINCE)
    assert nameless.exit_code == 2
    added = cli("objection", "add", str(first), "--name", "张三", "--unit", "某某公司",
                "--text", "数据不实", *PROVINCE)
    assert (added.exit_code, added.stdout.strip()) == (0, "1")
    cli.moment = cst(2020, 10, 15, 0, 0, 0)
    late = cli("objection", "add", str(second), "--name", "李四", "--text", "逾期", *PROVINCE)
    assert late.exit_code == 4
    assert "2020-09-30T09:00:00+08:00 to 2020-10-14T23:59:59.999999+08:00" in late.stderr
    refused = cli("sign", str(first), *PROVINCE)
    assert refused.exit_code == 4 and "not resolved" in refused.stderr
    assert cli("sign", str(second), *PROVINCE).exit_code == 0
    neither = cli("objection", "resolve", "1", "--reason", "x", *PROVINCE)
    assert neither.exit_code == 2
    upheld = cli("objection", "resolve", "1", "--upheld", "--reason", "核查属实", *PROVINCE,
                 "--json")
    assert upheld.exit_code == 0, upheld.stderr
    assert json.loads(upheld.stdout)["project_state"] == "rejected"
    again = cli("objection", "resolve", "1", "--dismissed", "--reason", "x", *PROVINCE)
    assert again.exit_code == 4
    listed = cli.json("objection", "list", "--batch", "2020-1")
    assert [(o["id"], o["name"], o["unit"], o["outcome"]) for o in listed] == [
        (1, "张三", "某某公司", "upheld")]
    assert cli("objection", "resolve", "9", "--dismissed", "--reason", "x", *PROVINCE
               ).exit_code == 3
    assert cli("verify").exit_code == 0


def test_sign_waits_for_the_notice_on_the_command_line(cli):
    first, _ = started(cli)
    cli.moment = cst(2020, 10, 14, 23, 59, 59)
    result = cli("sign", str(first), "--as", "tencent", "--json")
    assert result.exit_code == 4
    error = json.loads(result.stderr.strip().splitlines()[-1])
    assert error["guard"] == "notice"
    cli.moment = cst(2020, 10, 15, 0, 0, 0)
    assert cli("sign", str(first), "--as", "tencent").exit_code == 0


def test_only_the_province(cli):
    reviewed(cli)
    cli.moment = cst(2020, 9, 30, 9, 0, 0)
    assert cli("notice", "start", "2020-1", "--as", "tencent").exit_code == 5
