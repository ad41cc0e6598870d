"""Notices, announcements, objections and resolutions are chained in the ledger's `notices`
chain: `verify` names any of them edited, inserted or deleted behind the record's back."""

from __future__ import annotations

import pytest

from tests.audit.audit_support import behind_the_back
from tests.notice.notice_support import AFTER, PROVINCE, under_notice


@pytest.fixture
def recorded(builtin, clock, db_url):
    first, second = under_notice(builtin, clock)
    upheld = builtin.object(PROVINCE, first, name="张三", unit="某某公司", text="数据不实")
    builtin.object(PROVINCE, second, name="李四", text="数据存疑")
    builtin.resolve_objection(PROVINCE, upheld.id, outcome="upheld", reason="核查属实")
    assert builtin.verify().ok
    return builtin


def problems(engine) -> list[str]:
    return [f"{p.kind}: {p.message}" for p in engine.verify().problems]


@pytest.mark.parametrize(("statements", "named"), [
    (["UPDATE accel666_notice SET closes_at = started_at"],
     "notice: notice 1: closes_at differ from what the notices chain records"),
    (["UPDATE accel666_notice SET contact = 'x'"],
     "notice: notice 1: contact differ"),
    (["UPDATE accel666_objection SET name = '王五' WHERE id = 1"],
     "notice: objection 1: name differ"),
    (["UPDATE accel666_objection SET outcome = 'dismissed' WHERE id = 1"],
     "notice: objection 1: outcome differ"),
    (["UPDATE accel666_objection SET outcome = 'dismissed', reason = 'x', resolved_by = 'x' "
      "WHERE id = 2"], "notice: objection 2: outcome, reason, resolved_by differ"),
    (["DELETE FROM accel666_objection WHERE id = 2"],
     "notice: objection 2 is in the notices chain but not on record: it was deleted"),
    (["INSERT INTO accel666_objection (id, project_id, notice_id, name, text, received_at, "
      "recorded_by) SELECT 3, project_id, notice_id, name, text, received_at, recorded_by "
      "FROM accel666_objection WHERE id = 2"],
     "notice: objection 3 is not in the notices chain: it was inserted behind"),
    (["DELETE FROM accel666_notice_project WHERE project_id = 2"],
     "notice: project 2 is in notice 1 in the notices chain but not on record"),
    (["DELETE FROM accel666_objection", "DELETE FROM accel666_notice_project",
      "DELETE FROM accel666_notice"],
     "notice: notice 1 is in the notices chain but not on record: it was deleted"),
])
def test_verify_names_what_was_changed(recorded, db_url, statements, named):
    behind_the_back(db_url, *statements)
    found = problems(recorded)
    assert any(p.startswith(named) for p in found), found


def test_an_inserted_notice_is_named(recorded, db_url, clock):
    behind_the_back(db_url, "INSERT INTO accel666_notice (id, batch, started_at, closes_at, "
                    "started_by, role, contact) SELECT 2, batch, started_at, closes_at, "
                    "started_by, role, contact FROM accel666_notice WHERE id = 1",
                    "UPDATE accel666_notice_project SET notice_id = 2 WHERE project_id = 2")
    found = problems(recorded)
    assert "notice: notice 2 is not in the notices chain: it was inserted behind the " \
           "record's back" in found
    assert "notice: project 2 is on record as announced by notice 2; the notices chain says " \
           "notice 1" in found


def test_the_chain_itself_is_checked(recorded, db_url):
    behind_the_back(db_url, "DELETE FROM accel666_ledger WHERE chain = 'notices' AND seq = 2")
    found = problems(recorded)
    assert any("ledger notices: entry 3 follows entry 1" in p for p in found), found


def test_a_signature_after_the_notice_keeps_the_record(recorded, clock):
    clock.set(AFTER)
    recorded.resolve_objection(PROVINCE, 2, outcome="dismissed", reason="属实")
    assert recorded.sign(PROVINCE, 2).state == "signed"
    assert recorded.verify().ok
