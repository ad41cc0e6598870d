"""`accel666 operator add | list | revoke`: the token alone on stdout, shown once; the role
the new operator acts in from --as only; exit codes from the one table."""

from __future__ import annotations

import json
import re

import pytest

from accel666 import Engine, Unauthenticated
from accel666.cli import errors

TOKEN = re.compile(r"a666_[A-Za-z0-9_-]{43}")


def token_of(run, name, role, *extra, env=None):
    result = run("operator", "add", name, "--as", role, *extra, env=env)
    assert result.exit_code == 0, result.stderr
    return result


def test_add_prints_the_token_alone_and_says_once_on_stderr(run, db_url):
    result = token_of(run, "li.suzhou", "city:suzhou", "--actor", "王处长")
    token = result.stdout.removesuffix("\n")
    assert result.stdout == token + "\n" and TOKEN.fullmatch(token)
    told = result.stderr.strip().splitlines()[-1]
    assert told == ("operator li.suzhou added by 王处长, acting as city:320500: its token, on "
                    "stdout, is shown this once only")
    assert token not in result.stderr
    with Engine(db_url) as engine:
        found = engine.authenticate(token)
    assert (found.name, found.role, found.scope, found.granted_by) == (
        "li.suzhou", "city", "320500", "王处长")


def test_add_json_has_the_name_role_scope_and_token(run):
    result = run("operator", "add", "qa", "--as", f"enterprise:{'914403001922038216'}", "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"name", "role", "scope", "token"}
    assert (doc["name"], doc["role"], doc["scope"]) == ("qa", "enterprise", "914403001922038216")
    assert TOKEN.fullmatch(doc["token"])
    assert doc["token"] not in result.stderr


def test_the_new_operators_role_is_never_read_from_the_environment(run):
    result = run("operator", "add", "li", env={"ACCEL666_AS": "province"})
    assert result.exit_code == 2
    assert "Missing option '--as'" in result.stderr
    granted = token_of(run, "li", "tencent", env={"ACCEL666_AS": "province",
                                                  "ACCEL666_ACTOR": "王处长"})
    assert "acting as tencent" in granted.stderr and "added by 王处长" in granted.stderr


def test_list_shows_who_may_act_and_with_all_the_revoked_too(run):
    token_of(run, "li.suzhou", "city:suzhou", "--actor", "王处长")
    token_of(run, "zhang", "province", "--actor", "王处长")
    revoked = run("operator", "revoke", "zhang", "--reason", "调岗", "--actor", "李")
    assert revoked.exit_code == 0, revoked.stderr
    assert revoked.stdout == "operator zhang (province) revoked by 李: its token lets no one in\n"
    live = run("operator", "list")
    assert live.exit_code == 0, live.stderr
    lines = live.stdout.splitlines()
    assert lines[0].split() == ["name", "role", "granted", "at", "by", "revoked"]
    assert lines[2].split() == ["li.suzhou", "city:320500", "2020-07-01", "10:00:00", "+08:00",
                                "王处长", "-"]
    assert len(lines) == 3 and live.stderr.strip().endswith("1 operator(s)")
    everyone = run("operator", "list", "--all").stdout.splitlines()
    assert len(everyone) == 4
    assert everyone[3].split()[:2] == ["zhang", "province"]
    assert everyone[3].endswith("2020-07-01 10:00:00 +08:00 by 李: 调岗")
    docs = run.json("operator", "list", "--all")
    assert [d["name"] for d in docs] == ["li.suzhou", "zhang"]
    assert docs[1] == {"id": 2, "name": "zhang", "role": "province", "scope": None,
                       "granted_at": "2020-07-01T10:00:00+08:00", "granted_by": "王处长",
                       "revoked_at": "2020-07-01T10:00:00+08:00", "revoked_by": "李",
                       "revoke_reason": "调岗"}
    assert [d["name"] for d in run.json("operator", "list")] == ["li.suzhou"]


def test_revoke_json_is_the_operator(run):
    token_of(run, "li", "tencent")
    doc = run.json("operator", "revoke", "li", "--reason", "离职", "--actor", "prov")
    assert (doc["name"], doc["revoked_by"], doc["revoke_reason"]) == ("li", "prov", "离职")
    assert "token" not in json.dumps(doc)


@pytest.mark.parametrize(("args", "code"), [
    (("add", "Li", "--as", "tencent"), 2),          # a bad name
    (("add", "li", "--as", "mayor"), 2),            # no such role
    (("add", "li", "--as", "city:atlantis"), 2),    # no such region
    (("add", "li", "--as", "province:suzhou"), 2),  # a scope where none is taken
    (("add", "li", "--as", "enterprise:123"), 2),   # not a credit code
    (("add", "li"), 2),                             # --as missing
    (("add", "taken", "--as", "tencent"), 4),       # a name given already
    (("add", "gone", "--as", "tencent"), 4),        # given already, then revoked
    (("revoke", "nobody", "--reason", "x"), 3),
    (("revoke", "gone", "--reason", "x"), 4),       # revoked already
    (("revoke", "taken"), 2),                       # --reason missing
    (("revoke", "taken", "--reason", " "), 2),
])
def test_exit_codes(run, args, code):
    token_of(run, "taken", "tencent")
    token_of(run, "gone", "tencent")
    assert run("operator", "revoke", "gone", "--reason", "x").exit_code == 0
    before = run.json("operator", "list", "--all")
    result = run("operator", *args)
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    assert run.json("operator", "list", "--all") == before


def test_errors_in_json_name_the_guard(run):
    token_of(run, "li", "tencent")
    result = run("operator", "add", "li", "--as", "province", "--json")
    assert result.exit_code == 4
    doc = json.loads(result.stderr.strip().splitlines()[-1])
    assert (doc["error"], doc["event"], doc["guard"], doc["facts"]) == (
        "Refused", "grant", "duplicate", {"name": "li", "revoked": False})


def test_refusals_read_in_chinese_as_an_operators(run):
    token_of(run, "li", "tencent")
    dup = run("--lang", "zh", "operator", "add", "li", "--as", "province")
    assert dup.stderr.strip().splitlines()[-1] == (
        "accel666: 新增操作员被拒绝：不符合操作员名称不得重复：已有名为 li 的操作员，名称不可重复使用")
    assert run("operator", "revoke", "li", "--reason", "x", "--actor", "王工").exit_code == 0
    again = run("--lang", "zh", "operator", "revoke", "li", "--reason", "x")
    assert again.stderr.strip().splitlines()[-1] == (
        "accel666: 撤销操作员被拒绝：不符合只能撤销一次：操作员 li 已由 王工 撤销")


def test_an_unauthenticated_token_is_a_usage_error(capsys):
    error = Unauthenticated("unknown")
    assert errors.exit_code_for(error) == errors.USAGE == 2
    assert errors.report(error, as_json=True) == 2
    doc = json.loads(capsys.readouterr().err)
    assert doc == {"error": "Unauthenticated", "message": "not authenticated: no operator holds "
                   "this token", "reason": "unknown", "exit_code": 2}


def test_the_record_with_operators_verifies(run):
    token_of(run, "li", "city:nanjing")
    assert run("operator", "revoke", "li", "--reason", "x").exit_code == 0
    result = run("verify")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "3 ledger rows" in result.stdout  # the first-use policy, the grant, the revocation


def test_an_operator_is_named_as_people_are(run):
    """`operator add 王工` was refused; the name is listed as given (NFC), and a name with a
    character that could make it read as another is refused with exit 2, naming it."""
    result = token_of(run, "王工", "city:kunshan")
    assert "operator 王工 added by" in result.stderr
    assert [d["name"] for d in run.json("operator", "list")] == ["王工"]
    refused = run("operator", "add", "王\u202e工", "--as", "city:kunshan")
    assert refused.exit_code == 2
    assert "U+202E" in refused.stderr
    assert [d["name"] for d in run.json("operator", "list")] == ["王工"]
