"""Under `--lang zh` every line a person reads is Chinese: the text output of every command that
reads (over a whole simulated batch: panels, a notice, objections, escalations, extensions),
every success line and refusal of a lifecycle walked from docking to publication, and the
signed-in pages. What may stay in Latin letters is what a person types or looks up: the data
people entered (titles, names, opinions), codes, ids, keys and file names; any other word in
Latin letters is an English word left untranslated, and fails the test, named with its line.

Chinese sentences use full-width punctuation: a half-width `,` `;` `:` `(` beside a Chinese
character fails too."""

from __future__ import annotations

import getpass
import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from accel666.cli.main import cli
from tests.helpers import CODE_A, CODE_B, Cli, cst

SEED = "666"
# Words that are names, not English: the tool, the levels of escalation, file formats.
NAMES = {"accel666", "L1", "L2", "L3", "PDF", "CSV", "XLSX", "JSON", "HTML", "TOML",
         "SHA-256", "ID", "HTTP", "URL"}
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]|[A-Za-z]")
CJK = r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]"
HALF_WIDTH = re.compile(rf"{CJK}[,;:(]|[,;:)]{CJK}|\({CJK}")
KEYS = re.compile(r"--[a-z][a-z-]+|\b[A-Z]{1,3}\d+\b"
                  r"|\b(?:[0-9A-Z]{18}|\d{4}-\d+|[\w\-]+\.(?:pdf|xlsx|csv|json|md|html|db))\b"
                  r"|https?://\S+|\b[a-z]+\.[a-z]+\b|\bv?\d+(?:\.\d+)+\b|\b[0-9a-f]{12,}\b")
# The diagram's Mermaid source: its syntax and its states' ids (the labels are scanned).
MERMAID = re.compile(r"stateDiagram-v2|state \"[^\"]*\" as \w+"
                     r"|(?:\w+|\[\*\]) --> (?:\w+|\[\*\]):?")


def policy_names() -> set[str]:
    """The programme's own names (its policy's regions, categories, batches)."""
    from accel666.policies import load

    policy = load(None)
    return {*(r.name for r in policy.regions.values()),
            *(c.name for c in policy.categories.values()),
            *(b.name for b in policy.batches.values())}


# The columns people (or the demo's people) write in: free text, names, keys they chose.
FREE = {"title", "enterprise", "credit_code", "reason", "actor", "revoked_by", "revoke_reason",
        "name", "granted_by", "started_by", "contact", "key", "unit", "added_by", "text",
        "recorded_by", "resolved_by", "expert", "assigned_by", "recuse_reason", "comment",
        "acked_by", "ack_note", "scope", "target_scope", "ack_scope", "batch"}


def stored_texts(db: Path) -> set[str]:
    """Every text people entered into the database (and the strings of the log's payloads),
    and the programme's own names: what the test leaves out of the scan. Keys the program
    writes (states, events, roles, categories, phases) are not left out: they are shown by
    name."""
    found: set[str] = policy_names()
    with sqlite3.connect(db) as conn:
        for (table,) in conn.execute("select name from sqlite_master where type = 'table'"):
            for column in [r[1] for r in conn.execute(f"pragma table_info('{table}')")]:
                if column not in FREE and column != "payload":
                    continue
                for (value,) in conn.execute(f'select "{column}" from "{table}"'):
                    if column == "payload" and isinstance(value, str):
                        found |= {v for v in json.loads(value).values() if isinstance(v, str)}
                    elif isinstance(value, str):
                        found.add(value)
    return {t for t in found if len(t) >= 2 and not t.isdigit() and len(t) < 300}


def english_words(text: str, entered: set[str]) -> list[str]:
    """The lines of `text` holding a Latin-letter word that is none of the allowed ones."""
    found = []
    for line in text.splitlines():
        if line.startswith("{"):
            continue  # a log event as JSON, for machines (stderr not a terminal)
        scanned = line
        for value in sorted(entered, key=len, reverse=True):
            scanned = scanned.replace(value, " ")
        scanned = KEYS.sub(" ", MERMAID.sub(" ", scanned))
        words = [w for w in LATIN.findall(scanned) if w not in NAMES]
        if words or HALF_WIDTH.search(scanned):
            found.append(f"{words or HALF_WIDTH.findall(scanned)}: {line.strip()}")
    return found


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    """The demo's batch (30 projects) in a SQLite file."""
    db = tmp_path_factory.mktemp("zh") / "demo.db"
    done = CliRunner().invoke(cli, ["--db", str(db), "demo", "--projects", "30", "--seed", SEED])
    assert done.exit_code == 0, done.output
    return db


READS = [
    ("batches",), ("list",), ("list", "--state", "published"), ("report",), ("overdue",),
    ("escalations",), ("todo", "--as", "province"), ("todo", "--as", "city:suzhou"),
    ("verify",), ("expert", "list"), ("operator", "list"), ("objection", "list"),
    ("notice", "show", "2020-1"), ("batch", "extensions"), ("diagram",), ("policy", "history"),
    *((command, str(pid)) for pid in (1, 2, 3, 4, 5, 6, 7, 8) for command in ("show", "history")),
    *(("panel", "show", str(pid)) for pid in (3, 4)),
]


@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a))
def test_what_each_command_prints_is_chinese(simulated, args):
    done = CliRunner().invoke(cli, ["--db", str(simulated), "--lang", "zh", *args])
    assert done.exit_code in (0, 3, 5), done.output  # a project a command may not find
    shown = done.stdout + done.stderr
    assert shown.strip(), args
    assert english_words(shown, stored_texts(simulated)) == []


def test_a_lifecycle_walked_in_chinese_says_everything_in_chinese(run: Cli, tmp_path):
    """Docking to publication with the expert review, the notice and an objection; each
    success line and each refusal (window, state, role, region, invalid input)."""
    said: list[str] = []

    def zh(*args: str, code: int = 0) -> None:
        done = run("--lang", "zh", *args)
        assert done.exit_code == code, (args, done.output)
        said.append(done.stdout + done.stderr)

    doc = run.document()
    zh("dock", "--as", "city:suzhou", "--title", "云上工厂", "--enterprise", "苏州某某科技",
       "--credit-code", CODE_A, "--region", "suzhou", "--category", "demo")
    zh("dock", "--as", "city:suzhou", "--title", "云上工厂", "--enterprise", "苏州某某科技",
       "--credit-code", "91320500123456789X", "--region", "suzhou", "--category", "demo",
       code=2)  # its checksum is wrong
    zh("dock", "--as", "city:nanjing", "--title", "平台", "--enterprise", "南京某某",
       "--credit-code", CODE_B, "--region", "suzhou", "--category", "demo", code=5)
    zh("apply", "1", "--as", "tencent", "--paper-copies", "2", "--document", doc, code=5)
    zh("apply", "1", "--as", f"enterprise:{CODE_A}", "--paper-copies", "2", "--document", doc)
    zh("apply", "1", "--as", f"enterprise:{CODE_A}", "--paper-copies", "2", "--document", doc,
       code=4)  # not docked any more
    zh("recommend", "1", "--as", "city:suzhou", "--opinion", "同意推荐")
    for key, name in (("wang", "王教授"), ("li", "李研究员"), ("zhao", "赵工")):
        zh("expert", "add", key, "--name", name, "--unit", "东南大学", "--as", "province")
    zh("panel", "assign", "1", "--experts", "wang,li,zhao", "--as", "province")
    zh("review", "1", "--as", "province", code=4)  # the quorum has not scored
    for key, score in (("wang", "90"), ("li", "85"), ("zhao", "80")):
        zh("score", "1", "--score", score, "--comment", "可行", "--as", f"expert:{key}")
    zh("score", "1", "--score", "70", "--as", "expert:wang", code=4)
    zh("panel", "show", "1", "--as", "province")
    zh("review", "1", "--as", "province")
    run.moment = cst(2020, 9, 30, 10)
    zh("notice", "start", "2020-1", "--as", "province")
    zh("objection", "add", "1", "--name", "张三", "--text", "数据不实", "--as", "province")
    zh("objection", "resolve", "1", "--dismissed", "--reason", "经核实无误", "--as", "province")
    zh("sign", "1", "--as", "province", code=4)  # the notice is still open
    run.moment = cst(2020, 10, 15, 10)
    zh("sign", "1", "--as", "province")
    zh("publish", "1", "--as", "province")
    zh("withdraw", "1", "--as", "city:suzhou", "--reason", "x", code=4)
    run.moment = cst(2020, 11, 2, 10)
    zh("dock", "--as", "city:suzhou", "--title", "云上工厂", "--enterprise", "苏州某某科技",
       "--credit-code", CODE_B, "--region", "suzhou", "--category", "demo", code=4)  # closed
    zh("show", "1")
    zh("history", "1")
    zh("verify")
    db = Path(run.db_url.removeprefix("sqlite:///")) if run.db_url.startswith("sqlite") \
        else None
    entered = {getpass.getuser(), "云上工厂", "苏州某某科技", "同意推荐", "王教授", "李研究员",
               "赵工", "东南大学", "可行", "张三", "数据不实", "经核实无误", "wang", "li", "zhao",
               "application.pdf", str(tmp_path)}
    if db is not None:
        entered |= stored_texts(db)
    problems = [p for text in said for p in english_words(text, entered)]
    assert problems == []


def test_an_export_in_chinese_names_states_and_categories(simulated, tmp_path):
    out = tmp_path / "export.csv"
    done = CliRunner().invoke(cli, ["--db", str(simulated), "--lang", "zh", "export", "-o",
                                    str(out)])
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8-sig")
    assert "已发布" in text and ",published," not in text
    assert english_words(done.stderr, {str(out)}) == []


def test_an_import_s_reasons_are_chinese(run: Cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("项目名称,企业名称,统一社会信用代码,地区,类别\n"
                   "云上工厂,苏州某某,91320500123456789X,苏州市,示范企业\n"
                   "云上平台,苏州某某,9132050012345678,苏州市,示范企业\n", encoding="utf-8")
    refused = run("--lang", "zh", "import", str(bad), "--as", "city:suzhou", "--dry-run")
    assert refused.exit_code == 2, refused.output
    shown = refused.stdout + refused.stderr
    assert "校验码" in shown and "18 位" in shown
    assert english_words(shown, {"云上工厂", "云上平台", "苏州某某", str(bad)}) == []
