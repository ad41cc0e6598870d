"""An application's materials: paper copies, and the electronic document stored with it."""

from __future__ import annotations

import hashlib
from datetime import UTC

import pytest

from accel666 import Document, Engine, NotFound, Refused
from tests.helpers import CODE_A, panel_review, review_policy
from tests.workflow.wf_support import DOC, PROVINCE, drive, enterprise, fire, snapshot


@pytest.mark.parametrize("copies", [0, 1])
def test_apply_with_too_few_paper_copies_is_refused(engine, clock, copies):
    """Fewer than 2 paper copies: Refused by the materials guard, nothing written."""
    project = drive(engine, clock.set, "docked")
    before = snapshot(engine)
    with pytest.raises(Refused) as err:
        engine.apply(enterprise(CODE_A), project.id, paper_copies=copies, document=DOC,
                     document_name="a.pdf")
    assert err.value.message == (
        f"apply refused: the application needs 2 paper copies (got {copies})")
    assert (err.value.event, err.value.guard, err.value.project_id) == (
        "apply", "materials", project.id)
    assert err.value.facts["paper_copies"] == copies
    assert err.value.facts["min_paper_copies"] == 2
    assert snapshot(engine) == before


def test_apply_stores_document_from_a_path(engine, clock, tmp_path):
    """The file's bytes, size, sha256 and name are stored and returned by Engine.document."""
    project = drive(engine, clock.set, "docked")
    content = b"%PDF-1.4\n" + bytes(range(256)) * 10
    path = tmp_path / "申报书.pdf"
    path.write_bytes(content)
    applied = engine.apply(enterprise(CODE_A), project.id, paper_copies=3, document=path)
    assert (applied.state, applied.paper_copies, applied.version) == ("applied", 3, 2)
    doc = engine.document(project.id)
    assert isinstance(doc, Document)
    assert (doc.project_id, doc.name, doc.size, doc.content) == (
        project.id, "申报书.pdf", len(content), content)
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    assert doc.uploaded_at == clock().astimezone(UTC)
    assert len(snapshot(engine)["accel666_document"]) == 1
    (_, apply_row) = engine.history(project.id)
    assert apply_row.payload == {"paper_copies": 3, "document": "申报书.pdf",
                                 "sha256": doc.sha256, "size": len(content)}


def test_apply_stores_document_given_as_bytes_with_a_name(engine, clock):
    """Bytes are stored under the name given with them."""
    project = drive(engine, clock.set, "docked")
    engine.apply(enterprise(CODE_A), project.id, paper_copies=2, document=bytearray(DOC),
                 document_name=" application.pdf ")
    doc = engine.document(project.id)
    assert (doc.name, doc.content, doc.size) == ("application.pdf", DOC, len(DOC))


def test_document_of_project_without_one_is_not_found(engine, clock):
    """A docked project has no document yet: NotFound with kind 'document of project'."""
    project = drive(engine, clock.set, "docked")
    with pytest.raises(NotFound) as err:
        engine.document(project.id)
    assert (err.value.kind, err.value.key, err.value.message) == (
        "document of project", project.id, f"document of project {project.id} not found")


@pytest.fixture
def before_panels(db_url, clock):
    """An engine under the built-in policy without [review]: the province reviews alone, its
    score and verdict independent, as before panels existed."""
    with Engine(db_url, clock=clock, policy=review_policy(None)) as engine:
        yield engine


@pytest.mark.parametrize(("verdict", "state"), [("fail", "rejected"), ("FAIL", "rejected"),
                                                ("pass", "reviewed"), (" Pass ", "reviewed")])
def test_review_verdict_chooses_next_state(before_panels, clock, verdict, state):
    """Review with verdict pass goes to reviewed, fail to rejected; the log keeps score and
    verdict (without [review], a score of 42 may pass)."""
    engine = before_panels
    project = drive(engine, clock.set, "recommended")
    reviewed = engine.review(PROVINCE, project.id, score=42, verdict=verdict)
    assert (reviewed.state, reviewed.version) == (state, 4)
    last = engine.history(project.id)[-1]
    assert (last.event, last.from_state, last.to_state, last.payload) == (
        "review", "recommended", state, {"score": 42, "verdict": verdict.strip().lower()})


def test_failed_review_is_final(engine, clock):
    """A project rejected by review cannot be signed."""
    project = drive(engine, clock.set, "recommended")
    panel_review(engine, project.id, "fail")
    with pytest.raises(Refused) as err:
        fire(engine, "sign", project)
    assert (err.value.guard, err.value.message) == (
        "state", f"sign refused: project {project.id} is rejected; sign needs it reviewed")
