"""`accel666 policy check` and `policy show`: the effective policy out, every problem on stderr."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from accel666 import policies
from accel666.cli.main import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "later-batch.toml"
BUILTIN_HEADER = "# The effective policy of <builtin programme.toml>, every default spelled out.\n"
BAD = """\
extends = "builtin"
timezon = "UTC"

[materials]
min_paper_copy = 3
electronic_documents = 1
max_document_bytes = 1024

[permissions]
reject = [{ role = "city", from = ["aplied"] }]
"""
BAD_PROBLEMS = [
    "bad.toml: top level: unknown key 'timezon' (did you mean 'timezone'?)",
    "bad.toml: materials: unknown key 'min_paper_copy' (did you mean 'min_paper_copies'?)",
    "bad.toml: permissions.reject[0].from: unknown state 'aplied' (did you mean 'applied'?)",
]


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Run accel666 in an empty directory, without policy or database from the environment;
    afterwards the directory holds only the files the test wrote (no database was created)."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"ACCEL666_POLICY": None, "ACCEL666_DB": None})
    written: set[str] = set()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        written.update(p.name for p in tmp_path.iterdir())
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)

    yield invoke
    assert {p.name for p in tmp_path.iterdir()} == written


def write(name: str, text: str) -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


def test_show_prints_the_builtin_policy_as_toml_that_loads_back(run):
    result = run("policy", "show")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(BUILTIN_HEADER)
    assert policies.parse(result.stdout) == policies.load()


def test_show_ignores_the_policy_option(run):
    """`policy show` is always the built-in programme, whatever --policy names."""
    result = run("--policy", str(EXAMPLE), "policy", "show")
    assert result.exit_code == 0
    assert list(policies.parse(result.stdout).batches) == ["2020-1"]


def test_show_json_spells_out_every_part_with_iso_dates(run):
    result = run("policy", "show", "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert list(doc) == ["timezone", "targets_by", "province", "regions", "materials",
                         "categories", "roles", "permissions", "reads", "batches",
                         "extensions", "escalation", "notice", "review"]
    assert doc["notice"]["working_days"] == 5 and doc["notice"]["gates"] == "sign"
    assert doc["reads"] == {"enterprise": "own", "tencent": "all", "city": "region",
                            "province": "all", "expert": "panel"}
    assert doc["review"] == {"panel_size": 5, "quorum": 3, "pass_mark": 70,
                             "aggregate": "trimmed_mean"}
    assert doc["extensions"] == {"reopen_within_days": 30}
    assert doc["province"] == "320000"
    assert doc["targets_by"] == "2022-12-31"
    assert doc["categories"][2] == {
        "key": "demo", "name": "上云上平台示范企业",
        "english": "enterprise on cloud / on platform demonstration enterprise", "target": 600}
    assert doc["permissions"]["reject"] == [{"role": "city", "from": ["applied"]},
                                            {"role": "province", "from": ["recommended", "reviewed"]}]
    assert doc["batches"] == [{
        "key": "2020-1", "name": "2020年第一批", "windows_out_of_order": False,
        "windows": {"docking": {"closes": "2020-07-15"}, "application": {"closes": "2020-08-30"},
                    "recommendation": {"closes": "2020-08-30"}, "review": {"closes": "2020-09-30"},
                    "signing": {"opens": "2020-10-01", "closes": "2020-10-31"},
                    "publication": {"opens": "2020-10-01", "closes": "2020-10-31"}}}]
    assert doc["escalation"]["levels"][2] == {"level": 3, "delay_days": 7, "target": "province",
                                              "lapses": True}


def test_check_of_the_example_prints_the_merged_policy(run):
    """The example extends the built-in programme: both batches are in the effective policy."""
    result = run("policy", "check", str(EXAMPLE))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(
        f"# The effective policy of {EXAMPLE}, every default spelled out.\n")
    effective = policies.parse(result.stdout)
    assert effective == policies.load(EXAMPLE)
    assert list(effective.batches) == ["2020-1", "2026-2"]


def test_check_json_parses(run):
    result = run("policy", "check", str(EXAMPLE), "--json")
    assert result.exit_code == 0
    assert [b["key"] for b in json.loads(result.stdout)["batches"]] == ["2020-1", "2026-2"]


@pytest.mark.parametrize(("args", "env", "batches"), [
    ((), None, ["2020-1"]),
    (("--policy", str(EXAMPLE)), None, ["2020-1", "2026-2"]),
    ((), {"ACCEL666_POLICY": str(EXAMPLE)}, ["2020-1", "2026-2"]),
])
def test_check_without_file_checks_the_chosen_policy(run, args, env, batches):
    """No FILE: the policy --policy or ACCEL666_POLICY names, else the built-in one."""
    result = run(*args, "policy", "check", env=env)
    assert result.exit_code == 0, result.stderr
    assert [b["key"] for b in tomllib.loads(result.stdout)["batches"]] == batches


def test_check_of_a_bad_file_lists_every_problem_and_exits_2(run):
    result = run("policy", "check", write("bad.toml", BAD))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "".join(f"{p}\n" for p in BAD_PROBLEMS)


def test_check_of_a_bad_file_with_json(run):
    """--json: the problems as a list in a JSON document on stderr."""
    result = run("policy", "check", write("bad.toml", BAD), "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert json.loads(result.stderr) == {
        "error": "PolicyError", "message": "\n".join(BAD_PROBLEMS), "problems": BAD_PROBLEMS,
        "exit_code": 2}


def test_check_of_a_bad_policy_option(run):
    """The policy named by --policy is checked when no FILE is given."""
    result = run("--policy", write("bad.toml", BAD), "policy", "check")
    assert result.exit_code == 2
    assert result.stderr == "".join(f"{p}\n" for p in BAD_PROBLEMS)


def test_check_of_windows_out_of_order(run):
    """A later batch whose application closes before docking is refused until it says so."""
    batch = ('extends = "builtin"\n\n[[batches]]\nkey = "2027-1"\n{flag}\n[batches.windows]\n'
             "docking = { closes = 2027-07-31 }\napplication = { closes = 2027-07-01 }\n"
             "recommendation = { closes = 2027-08-31 }\nreview = { closes = 2027-09-30 }\n"
             "signing = { closes = 2027-10-31 }\npublication = { closes = 2027-10-31 }\n")
    refused = run("policy", "check", write("late.toml", batch.replace("{flag}", "")))
    assert refused.exit_code == 2
    assert refused.stderr == (
        "late.toml: batches[2027-1].windows.application: closes 2027-07-01, before the docking "
        "window closes (2027-07-31); if that is intended, set windows_out_of_order = true in the "
        "batch\n")
    accepted = run("policy", "check", write("late.toml",
                                            batch.replace("{flag}", "windows_out_of_order = true")))
    assert accepted.exit_code == 0, accepted.stderr
    assert 'key = "2027-1"\nname = "2027-1"\nwindows_out_of_order = true\n' in accepted.stdout


def test_check_of_a_missing_file_exits_2(run):
    result = run("policy", "check", "missing.toml")
    assert result.exit_code == 2
    assert result.stderr == "cannot read policy file missing.toml: No such file or directory\n"
