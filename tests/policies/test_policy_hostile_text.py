"""A hostile policy file: nesting far beyond any policy, and batch keys and names holding
control characters, bidirectional controls or terminal escape sequences. Each is a
PolicyError (exit 2) naming the file and key, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from accel666 import policies
from accel666.cli.main import cli
from accel666.policies import PolicyError

LATER = ('extends = "builtin"\n\n[[batches]]\nkey = {key}\nname = {name}\n\n[batches.windows]\n'
         "docking = {{ closes = 2027-06-30 }}\napplication = {{ closes = 2027-07-31 }}\n"
         "recommendation = {{ closes = 2027-08-31 }}\nreview = {{ closes = 2027-09-30 }}\n"
         "signing = {{ closes = 2027-10-31 }}\npublication = {{ closes = 2027-11-30 }}\n")
DEPTH = 5_000
NESTED = {
    "arrays": "materials = " + "[" * DEPTH + "]" * DEPTH + "\n",
    "inline-tables": "materials = " + "{ a = " * DEPTH + "1" + " }" * DEPTH + "\n",
    "in-a-known-table": '[escalation]\nwebhook = ' + "[" * DEPTH + "]" * DEPTH + "\n",
    "dotted-header": "[" + ".".join(["a"] * DEPTH) + "]\n",
}
TOO_DEEP = ("not valid TOML: nested more deeply than any policy (arrays or inline tables "
            "within one another)")


@pytest.mark.parametrize("kind", NESTED)
def test_a_policy_nested_5000_deep_is_a_policy_error(kind):
    """Was: RecursionError from tomllib, exit 1 with a traceback."""
    with pytest.raises(PolicyError) as err:
        policies.parse(NESTED[kind], source="deep.toml")
    if kind == "dotted-header":  # read without recursion: an unknown key
        assert err.value.problems[0].startswith("deep.toml: top level: unknown key 'a'")
    else:
        assert err.value.problems == [f"deep.toml: {TOO_DEEP}"]


@pytest.mark.parametrize("kind", ["arrays", "inline-tables"])
def test_the_command_line_answers_a_deep_policy_with_exit_2(tmp_path, kind):
    path = tmp_path / "deep.toml"
    path.write_text(NESTED[kind], encoding="utf-8")
    runner = CliRunner(env={"ACCEL666_POLICY": None, "ACCEL666_DB": None})
    for args in (["policy", "check", str(path)],
                 ["--policy", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}", "list"]):
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.endswith(f"{path}: {TOO_DEEP}\n"), result.stderr
    assert not (tmp_path / "x.db").exists()


HOSTILE = {
    "right-to-left-override": ("2026-2\u202e", "U+202E"),
    "left-to-right-isolate": ("\u20662026-2", "U+2066"),
    "right-to-left-mark": ("2026\u200f-2", "U+200F"),
    "terminal-escape": ("2026-2\x1b[2J", "U+001B"),
    "c1-control-sequence": ("2026-2\x9b31m", "U+009B"),
    "line-break": ("2026\n-2", "U+000A"),
    "zero-width-space": ("2026\u200b-2", "U+200B"),
}


def quoted(text: str) -> str:
    """A TOML basic string holding `text`, every character outside printable ASCII escaped."""
    return '"' + "".join(ch if " " <= ch <= "~" and ch not in '"\\' else f"\\u{ord(ch):04X}"
                         for ch in text) + '"'


@pytest.mark.parametrize("kind", HOSTILE)
@pytest.mark.parametrize("field", ["key", "name"])
def test_a_batch_key_or_name_with_a_control_or_bidi_character_is_refused(kind, field):
    """Was: accepted, so that a batch could print as another, or reset an operator's terminal."""
    text, code = HOSTILE[kind]
    key, name = (text, "第二批") if field == "key" else ("2026-2", text)
    with pytest.raises(PolicyError) as err:
        policies.parse(LATER.format(key=quoted(key), name=quoted(name)), source="p.toml")
    where = "batches[1]" if field == "key" else "batches[2026-2]"
    assert err.value.problems == [
        f"p.toml: {where}.{field}: contains the control, format or unassigned character "
        f"{code}: {text!r}"]


def test_a_batch_key_and_name_in_any_script_are_accepted():
    policy = policies.parse(LATER.format(key=quoted("2026-第二批"), name=quoted("2026年 第二批 (例)")))
    assert policy.batches["2026-第二批"].name == "2026年 第二批 (例)"


def test_the_template_is_a_valid_policy():
    """Guard against a vacuous pass: only the character makes the policies above wrong."""
    assert "2026-2" in policies.parse(LATER.format(key='"2026-2"', name='"第二批"')).batches


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_title_and_a_batch_name_refuse_the_same_characters(kind):
    """One rule (`accel666.policies.characters`): what a title refuses, a batch name does."""
    from accel666.errors import InvalidInput
    from accel666.workflow.changes import inputs

    text, code = HOSTILE[kind]
    with pytest.raises(InvalidInput) as caught:
        inputs.text("title", text)
    assert caught.value.reason == f"contains the control, format or unassigned character {code}"
