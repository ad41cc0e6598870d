"""Who may read what, on the command line: `--as` (or ACCEL666_AS) makes show, list, history,
document, export, overdue, escalations and report read as that role — its own projects only,
another's refused with exit 5 — and without one everything is read, as before."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.helpers import CODE_B
from tests.workflow.reach_support import CLOSE, EVERY, READERS, Record, populate

NAMES = sorted(READERS)


@pytest.fixture
def record(engine, clock, run) -> Record:
    found = populate(engine, clock)
    run.moment = CLOSE
    return found


def as_(name: str) -> tuple[str, str]:
    return ("--as", READERS[name][0])


@pytest.mark.parametrize("name", NAMES)
def test_list_and_export_as_a_role_hold_exactly_what_it_may_read(run, record, name):
    mine = READERS[name][1]
    assert record.keys(p["id"] for p in run.json("list", *as_(name))) == mine
    exported = run("export", *as_(name), "-o", "-", "--format", "json")
    assert exported.exit_code == 0, exported.stderr
    assert record.keys(p["id"] for p in json.loads(exported.stdout)) == mine
    as_csv = run("export", "-o", "-", env={"ACCEL666_AS": READERS[name][0]})
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout.lstrip("\ufeff"))))
    assert record.keys(int(r["id"]) for r in rows) == mine


@pytest.mark.parametrize("name", NAMES)
def test_overdue_and_escalations_as_a_role_hold_what_it_may_read(run, record, name):
    mine = READERS[name][1]
    assert record.keys(o["project_id"] for o in run.json("overdue", *as_(name))) == mine
    listed = run.json("escalations", *as_(name))
    assert {record.escalations[e["id"]] for e in listed} == mine


@pytest.mark.parametrize("name", NAMES)
def test_report_figures_are_the_same_for_every_role(run, record, name):
    assert run.json("report", *as_(name)) == run.json("report")


def test_report_html_as_a_role_lists_only_the_overdue_projects_it_may_read(run, record,
                                                                           tmp_path):
    page = tmp_path / "r.html"
    assert run("report", "--as", "city:kunshan", "--html", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    listed = {int(part.split('"')[0]) for part in html.split('data-project="')[1:]}
    assert listed == {record.ids["p2"]}
    assert 'data-count="4"' in html  # the programme's overdue figure stays


def test_show_history_and_document_of_its_own_and_exit_5_for_another(run, record, tmp_path):
    own, other = record.ids["p2"], record.ids["p1"]
    who = ("--as", f"enterprise:{CODE_B}")
    assert run.json("show", str(own), *who)["id"] == own
    assert [t["event"] for t in run.json("history", str(own), *who)] == ["dock", "apply"]
    copy = tmp_path / "own.pdf"
    assert run("document", str(own), "-o", str(copy), *who).exit_code == 0
    assert copy.read_bytes().endswith(b"p2")
    for args in (("show", str(other)), ("history", str(other)),
                 ("document", str(other), "-o", str(tmp_path / "other.pdf")),
                 ("escalations", "--project", str(other))):
        refused = run(*args, *who)
        assert refused.exit_code == 5, (args, refused.stderr)
        assert refused.stdout == ""
        assert refused.stderr.strip().splitlines()[-1] == (
            f"accel666: read not permitted: enterprise:{CODE_B} reads only its own projects, "
            f"not project {other}")
    assert not (tmp_path / "other.pdf").exists()


def test_a_refusal_in_json_names_the_guard_and_its_facts(run, record):
    result = run("show", str(record.ids["p2"]), "--as", "city:suzhou", "--json")
    assert result.exit_code == 5
    error = json.loads(result.stderr.strip().splitlines()[-1])
    assert (error["error"], error["event"], error["guard"], error["exit_code"]) == (
        "NotPermitted", "read", "reads", 5)
    assert error["facts"] == {"project_id": record.ids["p2"], "role": "city",
                              "scope": "320500", "reach": "region"}


def test_a_refusal_reads_in_chinese(run, record):
    result = run("--lang", "zh", "show", str(record.ids["p2"]), "--as", "city:suzhou")
    assert result.exit_code == 5
    assert result.stderr.strip().splitlines()[-1] == (
        "accel666: 无权进行查阅：查阅范围：苏州市工信局 只能查阅其角色所及的项目：本地区或本企业的项目")


def test_a_city_listing_another_region_is_refused(run, record):
    result = run("list", "--region", "kunshan", "--as", "city:suzhou")
    assert result.exit_code == 5
    assert "reads only the projects of region 320500 (苏州市), not those of region 320583 " \
           "(昆山市)" in result.stderr
    assert run("overdue", "--region", "nanjing", "--as", "city:suzhou").exit_code == 5
    assert run("export", "--region", "nanjing", "-o", "-", "--as", "city:suzhou").exit_code == 5


def test_the_environment_names_the_reader_and_the_option_wins(run, record):
    env = {"ACCEL666_AS": "city:nanjing"}
    assert record.keys(p["id"] for p in json.loads(run("list", "--json", env=env).stdout)) == \
        {"p3"}
    assert record.keys(p["id"] for p in json.loads(
        run("list", "--json", "--as", "province", env=env).stdout)) == EVERY
    assert run("show", str(record.ids["p1"]), env=env).exit_code == 5


def test_without_a_role_everything_is_read(run, record):
    assert record.keys(p["id"] for p in run.json("list")) == EVERY
    assert record.keys(o["project_id"] for o in run.json("overdue")) == EVERY
    for pid in record.ids.values():
        assert run.json("show", str(pid))["id"] == pid


@pytest.mark.parametrize(("spec", "message"), [
    ("mayor", "accel666: invalid role: unknown role 'mayor'; roles: enterprise, tencent, "
              "city, province, expert"),
    ("expert", "accel666: invalid scope: role expert needs an expert's key (expert:wang) as "
               "its scope"),
    ("city:beijing", "accel666: invalid scope: city scope 'beijing': unknown region "),
])
def test_a_role_the_policy_does_not_know_is_invalid_input(run, record, spec, message):
    result = run("list", "--as", spec)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith(message)


def test_policy_check_names_each_fault_of_reads(run, tmp_path):
    bad = tmp_path / "reads.toml"
    bad.write_text('extends = "builtin"\n\n[reads]\ncity = "everything"\ntencent = "own"\n'
                   'mayor = "panel"\n', encoding="utf-8")
    result = run("policy", "check", str(bad))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert sorted(result.stderr.strip().splitlines()) == sorted([
        f"{bad}: reads.city: unknown reach 'everything' (reaches: all, region, own, panel)",
        f"{bad}: reads.tencent: reach 'own' needs a role scoped to an enterprise "
        "(roles.tencent has scope 'none')",
        f"{bad}: reads: unknown role 'mayor' (roles: enterprise, tencent, city, province, "
        "expert)",
    ])


def test_policy_check_spells_out_the_reads_it_holds(run, tmp_path):
    wider = tmp_path / "wider.toml"
    wider.write_text('extends = "builtin"\n\n[reads]\ncity = "all"\n', encoding="utf-8")
    doc = run.json("policy", "check", str(wider))
    assert doc["reads"] == {"enterprise": "own", "tencent": "all", "city": "all",
                            "province": "all", "expert": "panel"}
