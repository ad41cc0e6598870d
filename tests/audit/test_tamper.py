"""Every kind of row edited, inserted or deleted behind the engine's back is named by `verify`;
a chain recomputed end to end, or a record cut short, by `verify` with an earlier anchor."""

from __future__ import annotations

import pytest

from accel666.record import anchoring
from tests.audit.audit_support import behind_the_back
from tests.audit.tamper_support import (
    full_history,
    rechain_docks_without,
    rechain_ledger,
    rechain_project,
)
from tests.helpers import CODE_D, cst


@pytest.fixture
def record(engine, clock, actors, tmp_path):
    ids = full_history(engine, clock, actors, tmp_path)
    report = engine.verify()
    assert report.ok, report.problems
    assert report.unproven == ()
    return ids


ESC = "accel666_escalation"
EXT = "accel666_extension"
OP = "accel666_operator"
TAMPERING = {
    # project fields: what decides who may act on it
    "region": ("identity", ["UPDATE accel666_project SET region = '320583' WHERE id = :a"]),
    "title": ("identity", ["UPDATE accel666_project SET title = 'X' WHERE id = :a"]),
    "enterprise": ("identity", ["UPDATE accel666_project SET enterprise = 'X' WHERE id = :a"]),
    "credit code": ("identity",
                    [f"UPDATE accel666_project SET credit_code = '{CODE_D}' WHERE id = :b"]),
    "category": ("identity", ["UPDATE accel666_project SET category = 'backbone' WHERE id = :b"]),
    "batch": ("identity", ["UPDATE accel666_project SET batch = '2020-2' WHERE id = :b"]),
    "paper copies": ("identity", ["UPDATE accel666_project SET paper_copies = 3 WHERE id = :a"]),
    "created at": ("identity", ["UPDATE accel666_project SET created_at = updated_at "
                                "WHERE id = :a"]),
    # the log and the documents
    "log row": ("chain", ["UPDATE accel666_transition SET actor = 'mallory' "
                          "WHERE project_id = :a AND seq = 2"]),
    "document deleted": ("document", ["DELETE FROM accel666_document WHERE project_id = :a"]),
    "document renamed": ("document", ["UPDATE accel666_document SET name = 'x.pdf'"]),
    # extensions
    "extension inserted": ("extension", [
        f"INSERT INTO {EXT} (batch, phase, until, reason, actor, role, at, override) "
        f"SELECT batch, 'application', until, reason, actor, role, at, override FROM {EXT} "
        "WHERE id = :kept"]),
    "extension moved": ("extension", [f"UPDATE {EXT} SET until = '2999-12-31' WHERE id = :kept"]),
    "extension deleted": ("extension", [f"DELETE FROM {EXT} WHERE id = :revoked"]),
    "extension revoked": ("extension", [
        f"UPDATE {EXT} SET revoked_at = at, revoked_by = 'mallory', revoked_role = 'province', "
        "revoke_reason = 'x' WHERE id = :kept"]),
    "revocation undone": ("extension", [
        f"UPDATE {EXT} SET revoked_at = NULL, revoked_by = NULL, revoked_role = NULL, "
        "revoke_reason = NULL WHERE id = :revoked"]),
    # escalations and acknowledgements
    "escalation edited": ("escalation", [f"UPDATE {ESC} SET target_scope = '320583' "
                                         "WHERE id = :b_esc"]),
    "escalation rung edited": ("escalation", [f"UPDATE {ESC} SET lapsed = NOT lapsed "
                                              "WHERE id = :b_esc"]),
    "escalation inserted": ("escalation", [
        f"INSERT INTO {ESC} (project_id, batch, phase, deadline, level, due_at, fired_at, "
        "lateness_seconds, target_role, target_scope, state_seen, idempotency_key, lapsed) "
        "SELECT project_id, batch, phase, deadline, 2, due_at, fired_at, lateness_seconds, "
        f"'province', NULL, state_seen, 'forged', lapsed FROM {ESC} WHERE id = :b_esc"]),
    "escalation deleted": ("escalation", [
        "DELETE FROM accel666_delivery WHERE escalation_id = :c_esc",
        f"DELETE FROM {ESC} WHERE id = :c_esc"]),
    "ack forged": ("escalation", [f"UPDATE {ESC} SET acked_at = fired_at, acked_by = 'mallory', "
                                  "ack_role = 'province' WHERE id = :c_esc"]),
    "ack edited": ("escalation", [f"UPDATE {ESC} SET ack_note = '无需处理' WHERE id = :b_esc"]),
    "ack erased": ("escalation", [
        f"UPDATE {ESC} SET acked_at = NULL, acked_by = NULL, ack_role = NULL, ack_scope = NULL, "
        "ack_note = NULL WHERE id = :b_esc"]),
    "resolution forged": ("escalation", [f"UPDATE {ESC} SET resolved_at = fired_at "
                                         "WHERE id = :b_esc"]),
    "resolution moved": ("escalation", [f"UPDATE {ESC} SET resolved_at = fired_at "
                                        "WHERE id = :c_esc"]),
    # policies and the ledger itself
    "policy inserted": ("policy", [
        "INSERT INTO accel666_policy (sha256, text, applied_at, actor, role, reason) "
        "SELECT sha256, text, applied_at, 'mallory', role, reason FROM accel666_policy"]),
    "policy deleted": ("policy", ["DELETE FROM accel666_policy"]),
    # operators: who may act through the service, in which role, with which token
    "operator role edited": ("operator", [f"UPDATE {OP} SET role = 'province', scope = NULL "
                                          "WHERE name = 'li.suzhou'"]),
    "operator scope edited": ("operator", [f"UPDATE {OP} SET scope = '320583' "
                                           "WHERE name = 'li.suzhou'"]),
    "operator token swapped": ("operator", [f"UPDATE {OP} SET token_sha256 = '{'ab' * 32}' "
                                            "WHERE name = 'li.suzhou'"]),
    "operator inserted": ("operator", [
        f"INSERT INTO {OP} (name, role, scope, token_sha256, granted_at, granted_by) "
        f"SELECT 'mallory', 'province', NULL, '{'cd' * 32}', granted_at, granted_by FROM {OP} "
        "WHERE name = 'li.suzhou'"]),
    "operator deleted": ("operator", [f"DELETE FROM {OP} WHERE name = 'li.suzhou'"]),
    "operator revocation undone": ("operator", [
        f"UPDATE {OP} SET revoked_at = NULL, revoked_by = NULL, revoke_reason = NULL "
        "WHERE name = 'zhang'"]),
    "operator revocation forged": ("operator", [
        f"UPDATE {OP} SET revoked_at = granted_at, revoked_by = 'mallory', revoke_reason = 'x' "
        "WHERE name = 'li.suzhou'"]),
    "ledger entry": ("ledger", ["UPDATE accel666_ledger SET actor = 'mallory' "
                                "WHERE chain = 'batch:2020-1' AND seq = 1"]),
    "ledger entry deleted": ("ledger", ["DELETE FROM accel666_ledger "
                                        "WHERE chain = 'batch:2020-1' AND seq = 2"]),
}


@pytest.mark.parametrize("case", TAMPERING)
def test_each_tampering_is_named(engine, db_url, record, case):
    kind, statements = TAMPERING[case]
    params = {k: v for k, v in record.items() if any(f":{k}" in s for s in statements)}
    behind_the_back(db_url, *statements, **params)
    report = engine.verify()
    assert not report.ok
    assert kind in {p.kind for p in report.problems}, report.problems


def test_the_identity_problem_names_the_fields(engine, db_url, record):
    behind_the_back(db_url, "UPDATE accel666_project SET region = '320583', title = 'X' "
                    "WHERE id = :a", a=record["a"])
    assert [(p.kind, p.message, p.project_id) for p in engine.verify().problems] == [
        ("identity", f"project {record['a']}: title, region differ from what its dock entry "
         "records: the project row was changed", record["a"])]


def test_an_operator_problem_names_the_operator_and_its_fields(engine, db_url, record):
    behind_the_back(db_url, "UPDATE accel666_operator SET scope = '320583', token_sha256 = "
                    f"'{'ab' * 32}' WHERE name = 'li.suzhou'",
                    "DELETE FROM accel666_operator WHERE name = 'zhang'")
    assert [(p.kind, p.message) for p in engine.verify().problems] == [
        ("operator", "operator 1 (li.suzhou): scope, token_sha256 differ from what the "
         "operators chain records"),
        ("operator", "operator 2 (zhang) is in the operators chain but not on record: it was "
         "deleted")]


def test_a_revocation_in_the_operators_chain_is_no_extensions(engine, db_url, record):
    """Extension 1 is in force and extension 2 revoked, operator 1 live and operator 2
    revoked: the operators chain's `revoke` is an operator's, read as no extension's (the
    record verifies), and moved to operator 1 it is named for both operators, no extension."""
    report = engine.verify()
    assert report.ok, report.problems
    rechain_ledger(db_url, "operators", lambda body: {**body, "id": 1} if "revoked_at" in body
                   else body)
    messages = [p.message for p in engine.verify().problems]
    assert "operator 1 (li.suzhou): revoked_at, revoked_by, revoke_reason differ from what " \
           "the operators chain records" in messages
    assert "operator 2 (zhang): revoked_at, revoked_by, revoke_reason differ from what the " \
           "operators chain records" in messages
    assert not any(m.startswith("extension") for m in messages), messages


def test_an_edited_rung_column_is_named_with_its_escalation(engine, db_url, record):
    """Columns a rung shares are proved by the sweep's entry, not its digest: still named."""
    behind_the_back(db_url, "UPDATE accel666_escalation SET due_at = fired_at WHERE id = :e",
                    e=record["b_esc"])
    messages = [p.message for p in engine.verify().problems]
    assert any(m.startswith(f"escalation {record['b_esc']} (project {record['b']}, application "
                            "L1): its rung's deadline, due time, target or lapse is not what "
                            "its sweep recorded") for m in messages), messages


def test_a_forged_adoption_cannot_exempt_rows_from_their_acts(engine, db_url, record):
    """An `adopted` entry claiming everything was held before the ledger began (so that an
    edited extension would be proved only by a digest the intruder recomputes) is named."""
    from sqlalchemy import create_engine, func, insert, select

    from accel666 import models
    from accel666.record import chain, proofs

    behind_the_back(db_url, "UPDATE accel666_extension SET until = '2999-12-31' WHERE id = :k",
                    k=record["kept"])
    eng = create_engine(db_url)
    with eng.begin() as conn:
        through = {key: conn.execute(select(func.max(t.c.id))).scalar_one() for key, t in (
            ("projects", models.project_table), ("extensions", models.extension_table),
            ("escalations", models.escalation_table), ("policies", models.policy_table))}
        entry = {"chain": "adopted", "seq": 1, "kind": "adopt", "at": engine.now(),
                 "actor": "accel666", "role": "system",
                 "body": {"schema": "0007", **proofs.adoption(conn, through)}}
        conn.execute(insert(models.ledger_table).values(
            **entry, hash=chain.entry_hash(entry, chain.GENESIS)))
    eng.dispose()
    kinds = {p.kind for p in engine.verify().problems}
    assert "adopted" in kinds


# Rewritten so that every chain is consistent again: only an earlier anchor tells.
REWRITES = {
    "chain recomputed": lambda url, ids: rechain_project(url, ids["b"], actor="mallory"),
    "ledger recomputed": lambda url, ids: (
        behind_the_back(url, "UPDATE accel666_extension SET reason = '伪造' WHERE id = :k",
                        k=ids["kept"]),
        rechain_ledger(url, "batch:2020-1", lambda body: {**body, "extensions": [
            {**e, "reason": "伪造"} if e["id"] == ids["kept"] else e
            for e in body.get("extensions", [])]} if "extensions" in body else body)),
    "operators recomputed": lambda url, ids: (
        behind_the_back(url, "UPDATE accel666_operator SET role = 'province', scope = NULL "
                        "WHERE name = 'li.suzhou'"),
        rechain_ledger(url, "operators", lambda body: {**body, "role": "province", "scope": None}
                       if body.get("name") == "li.suzhou" and "role" in body else body)),
    # With its dock taken out of the `docks` chain, which names a project deleted alone
    # (tests/audit/test_docks_chain.py).
    "project deleted": lambda url, ids: (behind_the_back(
        url, "DELETE FROM accel666_document WHERE project_id = :a",
        # its panel's seats and the panels chain (A's panel is the only one) go with it
        "DELETE FROM accel666_panel_seat WHERE project_id = :a",
        "DELETE FROM accel666_ledger WHERE chain = 'panels'",
        "DELETE FROM accel666_transition WHERE project_id = :a",
        "DELETE FROM accel666_project WHERE id = :a", a=ids["a"]),
        rechain_docks_without(url, ids["a"])),
    "log cut short": lambda url, ids: behind_the_back(
        url, "DELETE FROM accel666_transition WHERE project_id = :a AND seq > 3",
        "UPDATE accel666_project SET state = 'recommended', version = 3, updated_at = "
        "(SELECT at FROM accel666_transition WHERE project_id = :a AND seq = 3), head_hash = "
        "(SELECT hash FROM accel666_transition WHERE project_id = :a AND seq = 3) "
        "WHERE id = :a", a=ids["a"]),
}


@pytest.mark.parametrize("case", REWRITES)
def test_a_rewritten_record_passes_alone_and_fails_against_an_earlier_anchor(
        engine, db_url, record, case):
    taken = engine.anchor()
    assert engine.verify([taken]).ok
    REWRITES[case](db_url, record)
    assert engine.verify().ok  # consistent again: nothing inside the database tells
    for anchor in (taken, *anchoring.parse(taken.digest)):  # its file, or its digest alone
        report = engine.verify([anchor])
        assert [p.kind for p in report.problems] != []
        assert {p.kind for p in report.problems} == {"anchor"}, report.problems


def test_a_digest_whose_record_was_deleted_fails_closed(engine, db_url, record):
    taken = engine.anchor()
    behind_the_back(db_url, "DELETE FROM accel666_anchor")
    report = engine.verify(anchoring.parse(taken.digest))
    assert [p.kind for p in report.problems] == ["anchor"]
    assert "no anchor with this digest is on record here" in report.problems[0].message
    assert engine.verify([taken]).ok  # the file kept outside still proves it


def test_stored_heads_that_no_longer_hash_to_the_digest_fail(engine, db_url, record):
    taken = engine.anchor()
    behind_the_back(db_url, "UPDATE accel666_anchor SET projects = projects + 1")
    report = engine.verify(anchoring.parse(taken.digest))
    assert [p.kind for p in report.problems] == ["anchor"]


def test_the_record_grown_after_an_anchor_still_extends_it(engine, clock, actors, record):
    taken = engine.anchor()
    engine.withdraw(actors.nanjing, record["b"], reason="企业放弃")
    engine.sweep(cst(2020, 10, 11))
    engine.extend(actors.province, "2020-1", phase="publication", until="2020-11-30",
                  reason="名单复核")
    later = engine.anchor()
    assert later.digest != taken.digest
    assert engine.verify([taken, later]).ok
