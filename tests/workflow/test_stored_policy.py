"""The database holds its policy: the one of its first use is recorded and used by every later
Engine, with or without a policy; a different one is refused until applied, an audited act."""

from __future__ import annotations

from pathlib import Path

import pytest

from accel666 import Engine, InvalidInput, NotPermitted, Refused
from accel666.policies import load
from tests.helpers import cst
from tests.workflow.wf_support import PROVINCE, TENCENT, city, later_publication_policy

ROOT = Path(__file__).resolve().parents[2]
LATER = ROOT / "examples" / "later-batch.toml"  # adds batch 2026-2


def test_a_later_run_without_the_file_keeps_the_batches_it_added(db_url):
    """Was: batches added by a policy file were skipped by escalate and overdue when a later
    run (the README's cron line) did not pass the file: 0 overdue."""
    with Engine(db_url, policy=LATER, clock=lambda: cst(2026, 9, 2, 10)) as first:
        project = first.dock(city("suzhou"), title="云上工厂", enterprise="某某科技",
                             credit_code="914403001922038216", region="suzhou",
                             category="demo", batch="2026-2")
    after_application = load(LATER).batches["2026-2"].windows["application"].closes_at
    with Engine(db_url, clock=lambda: after_application) as cron:
        assert "2026-2" in cron.policy.batches
        assert [o.project_id for o in cron.overdue()] == [project.id]
        assert cron.escalate().sweep.total == 1


def test_a_different_policy_is_refused_naming_both(db_url, clock):
    # The built-in policy, recorded with the first change (opening the database records
    # nothing: tests/audit/test_first_write.py).
    with Engine(db_url, clock=clock) as first:
        first.dock(city("suzhou"), title="云上工厂", enterprise="某某科技",
                   credit_code="914403001922038216", region="suzhou", category="demo")
    with pytest.raises(InvalidInput) as caught:
        Engine(db_url, policy=later_publication_policy(), clock=clock)
    assert caught.value.field == "policy"
    assert "this database runs under policy" in caught.value.reason
    assert "accel666 policy apply FILE --as province" in caught.value.reason
    Engine(db_url, policy=load(None), clock=clock).close()  # the same one: fine


def test_applying_a_policy_is_an_audited_act(db_url, clock):
    with Engine(db_url, clock=clock) as engine:
        with pytest.raises(NotPermitted):
            engine.apply_policy(TENCENT, later_publication_policy(), reason="x")
        stored = engine.apply_policy(PROVINCE, later_publication_policy(), reason="公示期延长")
        assert (stored.actor, stored.role, stored.reason) == ("prov", "province", "公示期延长")
        assert [p.reason for p in engine.policies()][-1] == "公示期延长"
        assert len(engine.policies()) == 2  # the first use, and this one
    with Engine(db_url, clock=clock) as later:
        assert later.policy.batches["2020-1"].windows["publication"].closes.day == 7


def test_a_policy_that_would_orphan_projects_is_refused(db_url):
    with Engine(db_url, policy=LATER, clock=lambda: cst(2026, 9, 2, 10)) as engine:
        engine.dock(city("suzhou"), title="云上工厂", enterprise="某某科技",
                    credit_code="914403001922038216", region="suzhou", category="demo",
                    batch="2026-2")
        with pytest.raises(Refused) as caught:
            engine.apply_policy(PROVINCE, load(None), reason="回到内置")
        assert caught.value.facts == {"batch": ["2026-2"]}
        assert len(engine.policies()) == 1


def test_the_cli_applies_and_lists(run, tmp_path):
    run.dock()  # the first use that writes records the built-in policy
    refused = run("--policy", str(LATER), "list")
    assert refused.exit_code == 2 and "policy apply" in refused.stderr
    applied = run.json("policy", "apply", str(LATER), "--reason", "第二批", "--as", "province")
    assert applied["reason"] == "第二批"
    assert run("--policy", str(LATER), "list").exit_code == 0
    assert [p["reason"] for p in run.json("policy", "history")][-1] == "第二批"
    batches = run.json("batches")  # no --policy: the stored one
    assert "2026-2" in [b["key"] for b in batches]
