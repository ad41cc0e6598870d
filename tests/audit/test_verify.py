"""`verify` catches each kind of tampering with the record, and passes an honest one."""

from __future__ import annotations

import hashlib
import json

import pytest

from accel666 import Engine
from tests.audit.audit_support import behind_the_back
from tests.helpers import CODE_A, CODE_B, cst, panel_review

DOCUMENT_A = b"%PDF application A"
# The same size as DOCUMENT_A with its last byte flipped: only the SHA-256 can tell them apart.
FLIPPED_A = DOCUMENT_A[:-1] + bytes([DOCUMENT_A[-1] ^ 1])


@pytest.fixture
def history(engine, clock, actors, tmp_path):
    """Two projects: one published (6 log rows, a document), one docked; an escalation."""
    doc = tmp_path / "a.pdf"
    doc.write_bytes(DOCUMENT_A)
    a = engine.dock(actors.suzhou, title="A", enterprise="EA", credit_code=CODE_A,
                    region="suzhou", category="demo")
    engine.apply(actors.ent_a, a.id, paper_copies=2, document=doc)
    engine.recommend(actors.suzhou, a.id, opinion="同意")
    clock.set(cst(2020, 9, 10, 10))
    panel_review(engine, a.id)
    clock.set(cst(2020, 10, 10, 10))
    engine.sign(actors.province, a.id)
    engine.publish(actors.province, a.id)
    clock.set(cst(2020, 7, 2, 10))
    b = engine.dock(actors.tencent, title="B", enterprise="EB", credit_code=CODE_B,
                    region="nanjing", category="demo")
    engine.sweep(cst(2020, 9, 1, 0, 0, 1))  # B is still docked: escalated
    return a.id, b.id


def problems(engine: Engine) -> list[tuple[str, str]]:
    return [(p.kind, p.message) for p in engine.verify().problems]


def test_an_honest_record_holds(engine, history):
    report = engine.verify()
    assert report.ok
    assert (report.projects, report.log_rows, report.documents, report.escalations) == (2, 7, 1, 1)


def test_an_edited_log_row_breaks_its_hash(engine, db_url, history):
    a, _ = history
    behind_the_back(db_url, "UPDATE accel666_transition SET actor = 'mallory' "
                    "WHERE project_id = :p AND seq = 3", p=a)
    assert problems(engine) == [("chain", f"project {a}: log row seq 3 (recommend) does not match "
                                 "its hash: the row or one before it was changed")]


def test_an_edited_payload_breaks_its_hash(engine, db_url, history):
    a, _ = history
    behind_the_back(db_url, "UPDATE accel666_transition SET payload = :p2 "
                    "WHERE project_id = :p AND seq = 4",
                    p=a, p2=json.dumps({"score": 100, "verdict": "pass"}))
    assert [k for k, _ in problems(engine)] == ["chain"]


def test_a_deleted_middle_row_is_named(engine, db_url, history):
    a, _ = history
    behind_the_back(db_url, "DELETE FROM accel666_transition WHERE project_id = :p AND seq = 3",
                    p=a)
    found = problems(engine)
    assert ("sequence", f"project {a}: log row seq 4 follows seq 2: a row is missing or out of "
            "order") in found
    assert ("state", f"project {a}: version 6 but 5 log rows") in found
    assert any(kind == "chain" for kind, _ in found)


def test_a_deleted_last_row_leaves_state_and_head_unexplained(engine, db_url, history):
    a, _ = history
    behind_the_back(db_url, "DELETE FROM accel666_transition WHERE project_id = :p AND seq = 6",
                    p=a)
    assert problems(engine) == [
        ("state", f"project {a}: version 6 but 5 log rows"),
        ("state", f"project {a}: state published but its last log row ends in signed"),
        ("head", f"project {a}: its chain head is not the hash of its last log row"),
    ]


def test_reordered_rows_are_caught(engine, db_url, history):
    a, _ = history
    behind_the_back(
        db_url,
        "UPDATE accel666_transition SET seq = 99 WHERE project_id = :p AND seq = 2",
        "UPDATE accel666_transition SET seq = 2 WHERE project_id = :p AND seq = 3",
        "UPDATE accel666_transition SET seq = 3 WHERE project_id = :p AND seq = 99", p=a)
    kinds = {k for k, _ in problems(engine)}
    assert kinds == {"sequence", "chain"}


def test_a_forged_state_is_caught(engine, db_url, history):
    _, b = history
    behind_the_back(db_url, "UPDATE accel666_project SET state = 'reviewed' WHERE id = :p", p=b)
    assert problems(engine) == [
        ("state", f"project {b}: state reviewed but its last log row ends in docked")]


@pytest.mark.parametrize("forged", [
    pytest.param(b"%PDF forged", id="another-size"),
    pytest.param(FLIPPED_A, id="one-byte-flipped-same-size"),
])
def test_a_changed_document_is_caught(engine, db_url, history, forged):
    """Content of another size, and content of the same size with one byte changed (so the
    SHA-256 comparison, not the size, must decide)."""
    a, _ = history
    behind_the_back(db_url, "UPDATE accel666_document SET content = :c WHERE project_id = :p",
                    c=forged, p=a)
    assert problems(engine) == [
        ("document", f"document 1 of project {a}: its bytes do not match their SHA-256 and "
         "size: the content was changed")]


def test_a_document_replaced_with_its_own_hash_is_still_caught(engine, db_url, history):
    """Changing the bytes and their stored hash together does not match the log's record."""
    a, _ = history
    forged = b"%PDF forged"
    behind_the_back(db_url, "UPDATE accel666_document SET content = :c, sha256 = :h, size = :s "
                    "WHERE project_id = :p", c=forged, h=hashlib.sha256(forged).hexdigest(),
                    s=len(forged), p=a)
    filed = hashlib.sha256(DOCUMENT_A).hexdigest()
    assert problems(engine) == [
        ("document", f"document 1 of project {a}: its SHA-256 is not the one the project's log "
         "recorded when it was filed"),
        ("document", f"project {a}: the document its apply entry records (SHA-256 "
         f"{filed[:16]}…) is not on record: it was deleted")]


def test_an_escalation_claiming_a_state_never_held_is_caught(engine, db_url, history):
    _, b = history
    behind_the_back(db_url, "UPDATE accel666_escalation SET state_seen = 'signed'")
    assert problems(engine) == [
        ("escalation", f"escalation 1: project {b} was never signed, as the escalation says it "
         "saw"),
        ("escalation", "sweep 1 at 2020-08-31T16:00:01.000000Z: the escalations it recorded are "
         "not those it chained (a row was changed, inserted or deleted)")]


def test_cli_verify_exits_7_naming_each_problem(run, db_url, history):
    a, _ = history
    assert run("verify").exit_code == 0
    behind_the_back(db_url, "UPDATE accel666_transition SET role = 'province' "
                    "WHERE project_id = :p AND seq = 1", p=a)
    result = run("verify")
    assert result.exit_code == 7
    assert result.stdout.splitlines() == [
        f"chain: project {a}: log row seq 1 (dock) does not match its hash: the row or one "
        "before it was changed",
        "checked 2 projects, 7 log rows, 1 documents, 1 escalations, 12 ledger rows, 0 anchors: "
        "1 problem(s)"]
    data = json.loads(run("verify", "--json").stdout)
    assert data["ok"] is False
    assert data["problems"] == [{"kind": "chain", "project_id": a, "message": (
        f"project {a}: log row seq 1 (dock) does not match its hash: the row or one before it "
        "was changed")}]


def test_a_project_moved_out_of_the_policy_is_named(engine, db_url, history):
    """A batch, region or category no rule covers is a problem, never a project the sweeps
    silently pass over."""
    a, b = history
    behind_the_back(db_url, "UPDATE accel666_project SET batch = '2099-9' WHERE id = :a",
                    "UPDATE accel666_project SET region = '110000' WHERE id = :b", a=a, b=b)
    found = [(p.kind, p.project_id) for p in engine.verify().problems]
    assert ("policy", a) in found and ("policy", b) in found
    messages = [p.message for p in engine.verify().problems if p.kind == "policy"]
    assert f"project {a}: batch '2099-9' is not in the policy in force: no rule applies to it" \
        in messages


def test_an_edited_stored_policy_is_named(engine, db_url, history):
    behind_the_back(db_url, "UPDATE accel666_policy SET text = text || '\n# edited'")
    assert [(p.kind, p.message) for p in engine.verify().problems] == [
        ("policy", "stored policy 1: its text does not match its SHA-256: it was changed")]
