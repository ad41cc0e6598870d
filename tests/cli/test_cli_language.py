"""--lang zh|en (ACCEL666_LANG): what people read in Chinese or English; JSON never changes.
The catalog holds a Chinese translation of every message the sources mark."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import openpyxl
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from accel666 import lifecycle
from accel666.views import labels, refusals
from tests.cli.test_zh_everywhere import english_words
from tests.helpers import CODE_A, CODE_B, cst

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "views" / "locale" / "zh" / "LC_MESSAGES" / "accel666.po"


def marked_messages() -> set[str]:
    """What `pybabel extract -F babel.cfg -k N_` finds in the sources."""
    found = set()
    for folder in ("views", "cli"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python")],
                keywords={"_": None, "N_": None}):
            found.add(message)
    return found


def test_every_marked_message_has_a_chinese_translation():
    with PO.open("rb") as f:
        catalog = read_po(f)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(m for m in marked_messages() if not translated.get(m))
    assert missing == [], f"no Chinese for {missing}: add them to {PO.name} (README, i18n)"


def test_the_compiled_catalog_is_the_po_file():
    with PO.open("rb") as f:
        catalog = read_po(f)
    compiled = gettext.translation(labels.DOMAIN, labels.LOCALE, languages=["zh"])
    for m in catalog:
        if m.id:
            assert compiled.gettext(m.id) == m.string, f"{m.id}: compile the catalog again"


def test_every_state_and_phase_has_a_name_in_both_languages():
    zh, en = labels.Labels("zh"), labels.Labels("en")
    for state in lifecycle.STATES:
        assert en.state(state) == state
        assert zh.state(state) != state
    assert {zh.phase(p) for p in lifecycle.PHASES} >= {"联合申报", "专家评审"}
    with pytest.raises(ValueError, match="unknown language"):
        labels.Labels("fr")


@pytest.fixture
def two(engine, actors):
    engine.dock(actors.suzhou, title="云上工厂", enterprise="苏州甲", credit_code=CODE_A,
                region="suzhou", category="demo")
    engine.dock(actors.tencent, title="骨干平台", enterprise="南京乙", credit_code=CODE_B,
                region="nanjing", category="backbone")
    return engine


def test_list_and_report_in_chinese_and_english(run, two):
    zh = run("--lang", "zh", "list")
    assert zh.stdout.splitlines()[0].split() == ["编号", "状态", "地区", "类别", "批次",
                                                 "企业名称", "项目名称"]
    assert "已对接" in zh.stdout and "苏州市" in zh.stdout
    assert zh.stderr.strip().endswith("2 个项目")
    en = run("--lang", "en", "list")
    assert "docked" in en.stdout and "Suzhou" in en.stdout and "2 project(s)" in en.stderr
    report = run("report", env={"ACCEL666_LANG": "zh"})
    assert "目标完成进度" in report.stdout and "南京市" in report.stdout
    assert "共 2 个项目" in report.stderr


def test_json_does_not_change_with_the_language(run, two):
    for command in (["list"], ["report"], ["show", "1"]):
        zh = json.loads(run("--lang", "zh", *command, "--json").stdout)
        en = json.loads(run("--lang", "en", *command, "--json").stdout)
        if command == ["report"]:
            zh.pop("as_of"), en.pop("as_of")
        assert zh == en


def test_a_chinese_export_imports_again(run, two, tmp_path):
    out = tmp_path / "zh.xlsx"
    assert run("--lang", "zh", "export", "-o", str(out)).exit_code == 0
    header = [c.value for c in next(openpyxl.load_workbook(out).active.iter_rows())]
    assert header[:5] == ["项目名称", "企业名称", "统一社会信用代码", "地区", "类别"]
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = run("--db", fresh, "import", str(out), "--as", "tencent")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_the_page_and_the_diagram_in_chinese(run, two, tmp_path):
    out = tmp_path / "r.html"
    assert run("--lang", "zh", "report", "--html", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "工程进展" in page and "已对接" in page and 'data-state="docked"' in page
    diagram = run("--lang", "zh", "diagram").stdout
    assert '    state "已对接" as docked' in diagram
    assert "state \"" not in run("--lang", "en", "diagram").stdout


SOURCES = [p for folder in ("workflow", "policies", "cli") for p in (ROOT / folder).rglob("*.py")]


def literals(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        found |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return found


def test_every_guard_field_kind_and_act_has_a_name():
    """What a refusal or an error can name is in the registries the Chinese comes from."""
    from accel666.policies import rules

    guards = literals(r'(?:Refused|NotPermitted|Denial)\(\s*[\w"]+,\s*"([a-z_]+)"') | \
        literals(r'Denial\(\s*"([a-z_]+)"') | {
            getattr(rules, name) for name in ("WINDOW", "MATERIALS", "ROLE", "SCOPE",
                                              "REGISTRATION", "REOPEN")}
    assert guards - set(labels.GUARD_NAMES) == set()
    fields = literals(r'InvalidInput\(\s*"([^"]+)"') | \
        literals(r'inputs\.[a-z_]+\(\s*"([^"]+)"') | \
        {i.label for spec in lifecycle.TAKES.values() for i in spec  # as Engine.fire names them
         if i.kind != lifecycle.FILENAME}  # (a file name is checked with its document)
    assert fields - set(labels.FIELD_NAMES) == set()
    assert literals(r'NotFound\(\s*"([^"]+)"') - set(labels.KIND_NAMES) == set()
    assert {*lifecycle.ACTS, "ack", "rearm", "policy"} - set(labels.EVENT_NAMES) == set()


def test_a_refusal_reads_in_chinese_and_its_json_stays(run, two):
    result = run("--lang", "zh", "dock", "--as", "city:suzhou", "--title", "T",
                 "--enterprise", "E", "--credit-code", CODE_A, "--region", "suzhou",
                 "--category", "demo")
    assert result.exit_code == 4
    line = result.stderr.strip().splitlines()[-1]
    assert line == ("accel666: 项目对接被拒绝：不符合每家企业同类同批只能有一个在途项目：企业 "
                    f"{CODE_A} 在 2020-1 批次的上云上平台示范企业类别中已有在途项目")
    english = run("dock", "--as", "city:suzhou", "--title", "T", "--enterprise", "E",
                  "--credit-code", CODE_A, "--region", "suzhou", "--category", "demo",
                  "--json")
    chinese = run("--lang", "zh", "dock", "--as", "city:suzhou", "--title", "T",
                  "--enterprise", "E", "--credit-code", CODE_A, "--region", "suzhou",
                  "--category", "demo", "--json")
    assert english.stderr.splitlines()[-1] == chinese.stderr.splitlines()[-1]
    missing = run("--lang", "zh", "show", "99")
    assert missing.exit_code == 3
    assert missing.stderr.strip().splitlines()[-1] == "accel666: 未找到：项目：99"


def test_help_lists_every_command_with_its_summary_in_chinese(run):
    from accel666.cli.main import COMMANDS

    assert set(labels.COMMAND_SUMMARIES) == set(COMMANDS)
    for given in (["--lang", "zh", "--help"], ["--help"]):
        env = {"ACCEL666_LANG": "zh"} if given == ["--help"] else None
        shown = run(*given, env=env).stdout
        assert "命令:" in shown
        assert "  dock         登记新项目（状态：已对接），输出其编号。" in shown
    english = run("--lang", "en", "--help").stdout
    assert "Commands:" in english and "登记" not in english


FACTS = {
    "window": {"batch": "2020-1", "phase": "application", "closed_at": "2020-08-30T23:59:59"},
    "materials": {"paper_copies": 1, "documents": 0, "min_paper_copies": 2,
                  "electronic_documents": 1},
    "registration": {"credit_code": CODE_A, "registered_region": "320500"},
    "reopen": {"batch": "2020-1", "phase": "review", "closed_days": 40,
               "reopen_within_days": 30},
    "state": {"state": "docked", "allowed_from": ["recommended"]},
    "duplicate": {"credit_code": CODE_A, "category": "demo", "batch": "2020-1"},
    "acknowledged": {"escalation_id": 7, "acked_by": "王工"},
    "verdict": {"verdict": "maybe"},
    "revoked": {"name": "li.suzhou", "revoked_at": "2020-07-01T02:00:00+00:00",
                "revoked_by": "王工"},
    # the expert review
    "avoid": {"expert": "wang", "conflicts": ["320500"]},
    "panel_size": {"seated": 4, "adding": 2, "panel_size": 5},
    "quorum": {"scored": 1, "quorum": 3, "awaited": ["li", "zhao"]},
    "agreement": {"score": 5, "verdict": "pass", "pass_mark": 70},
    "once": {"expert": "wang"},
    "panel": {"outcome": "pass", "score": 85.0, "verdict": "fail", "pass_mark": 70},
    # the public notice
    "notice": {"notice": 1, "started_at": "2020-09-30T10:00:00+08:00",
               "closes_at": "2020-10-14T23:59:59.999999+08:00", "event": "object"},
}


# The facts a refusal's sentence shows as they are (numbers, codes, names; not the keys it
# names in Chinese: phases, states, categories, regions).
SHOWN_AS_IS = {"batch", "paper_copies", "documents", "min_paper_copies", "electronic_documents",
               "credit_code", "closed_days", "reopen_within_days", "escalation_id", "acked_by",
               "name", "revoked_by", "expert", "seated", "adding", "panel_size", "scored",
               "quorum", "pass_mark", "open_objections"}


@pytest.mark.parametrize("guard", sorted(refusals.SENTENCES))
def test_each_refusal_has_a_chinese_sentence_from_its_facts(guard):
    zh = labels.Labels("zh")
    told = refusals.sentence(zh, guard, FACTS[guard], "recorded")
    assert told != "recorded"
    assert re.search(r"[\u4e00-\u9fff]", told), told  # Chinese, not the English source
    assert english_words(told, {"wang", "li.suzhou", "王工"}) == []  # and none of the source
    for key, value in FACTS[guard].items():  # every fact a person needs is in it
        if key in SHOWN_AS_IS:
            for item in value if isinstance(value, list) else [value]:
                assert str(item) in told, (key, item, told)
    assert refusals.sentence(labels.Labels("en"), guard, FACTS[guard], "recorded") == "recorded"
    assert refusals.sentence(zh, guard, {}, "recorded")  # facts missing: no crash


def test_a_window_refusal_names_the_phase_and_moment(run, two):
    run.moment = cst(2020, 9, 1, 10)
    result = run("--lang", "zh", "apply", "1", "--as", f"enterprise:{CODE_A}",
                 "--paper-copies", "2", "--document", __file__)
    assert result.exit_code == 4
    assert "2020-1 批次的联合申报时间窗口已于 2020-08-30 23:59:59 +08:00 截止" in \
        result.stderr


def test_a_refusal_of_permission_reads_in_chinese(run, two):
    result = run("--lang", "zh", "withdraw", "2", "--as", "city:suzhou", "--reason", "x")
    assert result.exit_code == 5
    assert result.stderr.strip().splitlines()[-1] == (
        "accel666: 无权进行撤回：辖区限制：苏州市工信局 只能处理本地区或本企业的项目")
    role = run("--lang", "zh", "sign", "1", "--as", "enterprise:" + CODE_A)
    assert role.exit_code == 5
    assert f"角色 申报企业 {CODE_A} 无权" in role.stderr and "无权进行此操作" in role.stderr


def test_success_lines_read_in_chinese(run, tmp_path):
    """`--lang zh` printed `project 1: apply → applied (version 2)`, `imported 5 project(s)`
    and `published 1 project(s)` in English."""
    pid = run.dock()
    applied = run("--lang", "zh", "apply", str(pid), "--as", "enterprise:914403001922038216",
                  "--paper-copies", "2", "--document", run.document())
    assert applied.exit_code == 0, applied.stderr
    assert applied.stdout.strip() == f"项目 {pid}：联合申报 → 已申报（第 2 版）"
    english = run("--lang", "en", "withdraw", str(pid), "--as", "city:suzhou", "--reason", "x")
    assert english.stdout.strip() == f"project {pid}: withdraw → withdrawn (version 3)"
    sheet = tmp_path / "s.csv"
    sheet.write_text("title,enterprise,credit_code,region,category\r\n"
                     "云上工厂,苏州某某,91440300708461136T,suzhou,demo\r\n", encoding="utf-8")
    imported = run("--lang", "zh", "import", str(sheet), "--as", "city:suzhou")
    assert imported.exit_code == 0, imported.stderr
    assert f"已导入 1 个项目到 2020-1 批次：编号 {pid + 1}..{pid + 1}" in imported.stderr
    dry = run("--lang", "zh", "import", str(sheet), "--as", "city:suzhou", "--dry-run")
    assert "imported" not in dry.stderr and "project(s)" not in dry.stderr
