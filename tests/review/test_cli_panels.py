"""The expert review on the command line: expert add | list, panel assign | show, score,
recuse; exit codes as documented, nothing written on a refusal."""

from __future__ import annotations

import json

from tests.helpers import CODE_A, CODE_B


def recommended(run, code: str = CODE_A) -> int:
    pid = run.dock(code=code)
    assert run("apply", str(pid), "--paper-copies", "2", "--document", run.document(),
               "--as", f"enterprise:{code}").exit_code == 0
    assert run("recommend", str(pid), "--opinion", "同意", "--as", "city:suzhou").exit_code == 0
    return pid


def experts(run, *keys: str) -> None:
    for key in keys:
        result = run("expert", "add", key, "--name", f"专家{key}", "--unit", "东南大学",
                     "--as", "province", "--actor", "省厅")
        assert result.exit_code == 0, result.stderr


def test_the_province_adds_experts_and_lists_them(run):
    result = run("expert", "add", "wang", "--name", "王教授", "--unit", "东南大学",
                 "--avoid", "nanjing", "--avoid", CODE_B, "--as", "province", "--actor", "省厅")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "expert wang (王教授) added by 省厅\n"
    [listed] = run.json("expert", "list")
    assert (listed["key"], listed["name"], listed["unit"], listed["avoid"], listed["added_by"]) \
        == ("wang", "王教授", "东南大学", ["320100", CODE_B], "省厅")
    table = run("expert", "list").stdout
    assert "wang" in table and "王教授" in table
    assert run("expert", "add", "wang", "--name", "x", "--as", "province").exit_code == 4
    assert run("expert", "add", "Wang!", "--name", "x", "--as", "province").exit_code == 2
    assert run("expert", "add", "li", "--name", "x", "--as", "city:suzhou").exit_code == 5
    assert [x["key"] for x in run.json("expert", "list")] == ["wang"]


def test_the_registry_is_read_by_the_province_an_expert_reads_its_own_entry(run):
    for key in ("wang", "li"):
        assert run("expert", "add", key, "--name", key, "--avoid", CODE_B,
                   "--as", "province").exit_code == 0
    assert [x["key"] for x in run.json("expert", "list", "--as", "province")] == ["wang", "li"]
    assert [x["key"] for x in run.json("expert", "list", "--as", "expert:li")] == ["li"]
    for outsider in ("city:suzhou", "tencent", f"enterprise:{CODE_B}"):
        refused = run("expert", "list", "--as", outsider)
        assert refused.exit_code == 5 and CODE_B not in refused.stdout, outsider


def test_a_panel_is_assigned_scored_blind_and_shown(run):
    experts(run, "wang", "li", "zhao", "qian", "sun")
    a, b = recommended(run), recommended(run, CODE_B)
    result = run("panel", "assign", str(a), str(b), "--experts", "wang,li,zhao,qian,sun",
                 "--as", "province")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"project {a}: panel of 5 (wang, li, zhao, qian, sun)"
    result = run("score", str(a), "--score", "90", "--comment", "好", "--as", "expert:wang")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"project {a}: scored (1 of 5 on the panel)\n"
    assert run("score", str(a), "--score", "80", "--as", "expert:li").exit_code == 0
    as_li = run.json("panel", "show", str(a), "--as", "expert:li")
    assert [(e["key"], e["scored"], e["score"]) for e in as_li["experts"][:2]] == [
        ("wang", True, None), ("li", True, 80)]
    assert (as_li["outcome"], as_li["score"], as_li["quorum"], as_li["pass_mark"],
            as_li["aggregate"]) == ("pending", None, 3, 70, "trimmed_mean")
    as_province = run.json("panel", "show", str(a), "--as", "province")
    assert [e["score"] for e in as_province["experts"][:2]] == [90, 80]
    assert run("score", str(a), "--score", "40", "--as", "expert:zhao").exit_code == 0
    shown = run.json("panel", "show", str(a))
    assert (shown["outcome"], shown["score"]) == ("pass", 70.0)  # 90, 80, 40: a mean of 70
    text = run("panel", "show", str(a)).stdout
    assert "quorum 3, pass mark 70, trimmed_mean: score 70, pass" in text


def test_bad_scores_and_acts_exit_with_their_codes_and_write_nothing(run):
    experts(run, "wang", "li")
    pid = recommended(run)
    assert run("panel", "assign", str(pid), "--experts", "wang", "--as", "province").exit_code == 0
    for value in ("101", "-1", "88.5", '"88"', "x"):
        result = run("score", str(pid), "--score", value, "--as", "expert:wang")
        assert result.exit_code == 2, (value, result.stderr)
        assert "invalid score" in result.stderr
    assert run("score", str(pid), "--score", "80", "--as", "expert:li").exit_code == 5
    assert run("score", str(pid), "--score", "80", "--as", "province").exit_code == 5
    assert run("score", str(pid), "--score", "80", "--as", "expert:nobody").exit_code == 3
    assert run("score", "99", "--score", "80", "--as", "expert:wang").exit_code == 3
    assert run("panel", "assign", str(pid), "--experts", "nobody", "--as",
               "province").exit_code == 3
    assert run("panel", "show", "99").exit_code == 3
    assert run.json("panel", "show", str(pid))["experts"][0]["scored"] is False
    assert run("score", str(pid), "--score", "80", "--as", "expert:wang").exit_code == 0
    again = run("score", str(pid), "--score", "81", "--as", "expert:wang", "--json")
    assert again.exit_code == 4
    assert json.loads(again.stderr.splitlines()[-1])["guard"] == "once"
    run.moment = run.moment.replace(month=10, day=1, hour=0)
    assert run("panel", "assign", str(pid), "--experts", "li", "--as", "province").exit_code == 0
    late = run("score", str(pid), "--score", "80", "--as", "expert:li")
    assert late.exit_code == 4
    assert "the review window of batch 2020-1 closed at 2020-09-30 23:59:59 +08:00" in late.stderr


def test_an_expert_who_must_avoid_the_project_is_refused_naming_the_conflict(run):
    result = run("expert", "add", "wang", "--name", "王教授", "--avoid", "suzhou", "--as",
                 "province")
    assert result.exit_code == 0, result.stderr
    pid = recommended(run)
    refused = run("panel", "assign", str(pid), "--experts", "wang", "--as", "province")
    assert refused.exit_code == 4
    assert "expert wang must avoid region 320500 (苏州市)" in refused.stderr


def test_an_expert_recuses_and_another_is_seated(run):
    experts(run, "wang", "li")
    pid = recommended(run)
    assert run("panel", "assign", str(pid), "--experts", "wang", "--as", "province").exit_code == 0
    assert run("recuse", str(pid), "--as", "expert:wang").exit_code == 2  # --reason is required
    result = run("recuse", str(pid), "--reason", "曾任该企业顾问", "--as", "expert:wang")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"project {pid}: recused\n"
    assert run("panel", "assign", str(pid), "--experts", "li", "--as", "province").exit_code == 0
    shown = run.json("panel", "show", str(pid))
    assert [e["key"] for e in shown["experts"]] == ["li"]
    assert [(e["key"], e["recuse_reason"]) for e in shown["recused"]] == [
        ("wang", "曾任该企业顾问")]
    assert "recused: wang (专家wang)" in run("panel", "show", str(pid)).stdout
    assert run("verify").exit_code == 0


def test_an_expert_reads_only_the_projects_on_its_panels(run):
    experts(run, "wang")
    mine, other = recommended(run), recommended(run, CODE_B)
    assert run("panel", "assign", str(mine), "--experts", "wang", "--as", "province").exit_code == 0
    assert [p["id"] for p in run.json("list", "--as", "expert:wang")] == [mine]
    assert run("show", str(other), "--as", "expert:wang").exit_code == 5
    assert run("document", str(mine), "--as", "expert:wang", "-o",
               str(run.tmp_path / "out.pdf")).exit_code == 0


def test_the_refusals_read_in_chinese(run):
    experts(run, "wang")
    pid = recommended(run)
    assert run("panel", "assign", str(pid), "--experts", "wang", "--as", "province").exit_code == 0
    early = run("--lang", "zh", "review", str(pid), "--as", "province")
    assert early.exit_code == 4
    assert early.stderr.strip().splitlines()[-1] == (
        "accel666: 专家评审被拒绝：不符合专家组的法定人数：专家组已有 0 份评分，法定人数需 3 份")
    assert run("score", str(pid), "--score", "80", "--as", "expert:wang").exit_code == 0
    twice = run("--lang", "zh", "score", str(pid), "--score", "80", "--as", "expert:wang")
    assert twice.stderr.strip().splitlines()[-1] == (
        "accel666: 评分被拒绝：不符合每位专家只能评分一次：专家 wang 已评分：评分一经给出不得更改")
