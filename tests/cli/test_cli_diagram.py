"""`accel666 diagram`: the lifecycle drawn from the definition the engine runs, each transition
labelled with the roles the policy lets fire it."""

from __future__ import annotations

from pathlib import Path

from accel666 import lifecycle, policies
from accel666.lifecycle import NEW, TRANSITIONS
from accel666.policies import load
from accel666.views.diagram import draw, roles
from tests.helpers import CODE_A


def test_mermaid_draws_every_transition_with_its_roles(run):
    result = run("diagram")
    assert result.exit_code == 0, result.stderr
    text = result.stdout.rstrip("\n")
    assert text.splitlines()[0] == "stateDiagram-v2"
    assert text == draw(load(None), "mermaid")
    allowed = roles(load(None))
    for edge in TRANSITIONS:
        for source in edge.sources:
            start = "[*]" if source == NEW else source
            label = edge.event if edge.verdict is None else f"{edge.event} ({edge.verdict})"
            assert f"    {start} --> {edge.dest}: {label} — {', '.join(allowed(edge.event, source))}" \
                in text.splitlines()
    for state in lifecycle.FINAL_STATES:
        assert f"    {state} --> [*]" in text.splitlines()


def test_the_roles_come_from_the_permission_table(run):
    text = run("diagram").stdout
    assert "    applied --> rejected: reject — city" in text  # from applied: the city bureau
    assert "    recommended --> rejected: reject — province" in text  # from recommended: province


def test_dot_is_a_digraph_with_one_edge_per_transition(run):
    result = run("diagram", "--format", "dot")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "digraph lifecycle {" and lines[-1] == "}"
    edges = [line for line in lines if " -> " in line]
    assert len(edges) == sum(len(e.sources) for e in TRANSITIONS)
    assert '    new -> docked [label="dock — tencent, city"];' in edges


def test_a_database_draws_its_stored_policy_and_none_is_created_without_one(run, tmp_path):
    run.without_notice = False  # without --policy nor ACCEL666_POLICY: the stored one
    source = Path(policies.__file__).with_name("programme.toml").read_text(encoding="utf-8")
    line = 'sign = [{ role = "province" }, { role = "tencent" }]'
    assert line in source
    policy = tmp_path / "p.toml"
    policy.write_text(source.replace(line, 'sign = [{ role = "province" }]'), encoding="utf-8")
    missing = tmp_path / "none.db"
    result = run("--policy", str(policy), "--db", f"sqlite:///{missing}", "diagram")
    assert result.exit_code == 0, result.stderr
    assert "    reviewed --> signed: sign — province\n" in result.stdout
    assert not missing.exists()
    # A database remembers the policy it first ran under: drawn without --policy.
    assert run("--policy", str(policy), "dock", "--as", "tencent", "--title", "T",
               "--enterprise", "E", "--credit-code", CODE_A, "--region", "suzhou",
               "--category", "demo").exit_code == 0
    assert "    reviewed --> signed: sign — province\n" in run("diagram").stdout
