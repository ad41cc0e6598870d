"""One live project per enterprise, category and batch: refused by a guard, enforced by the database."""

from __future__ import annotations

import pytest

from accel666 import Refused
from accel666.models.stores import projects
from tests.helpers import CODE_A, CODE_B
from tests.workflow.wf_support import EARLY, TENCENT, dock, drive, fire, snapshot


def _duplicate_message(project_id: int | str, category: str = "demo") -> str:
    return (f"dock refused: enterprise {CODE_A} already holds {project_id} in category {category} "
            "of batch 2020-1")


@pytest.mark.parametrize("state", ["docked", "applied", "recommended", "reviewed", "signed",
                                   "published"])
def test_second_live_project_in_same_category_and_batch_is_refused(engine, clock, state):
    """While the first project is live in any state, a second dock is refused naming it."""
    first = drive(engine, clock.set, state)
    clock.set(EARLY)  # the docking window is open again (signed and published came later)
    before = snapshot(engine)
    with pytest.raises(Refused) as err:
        dock(engine, TENCENT, code=CODE_A, region="nanjing")
    assert err.value.message == _duplicate_message(f"live project {first.id}")
    assert (err.value.event, err.value.guard, err.value.project_id) == ("dock", "duplicate", first.id)
    assert err.value.facts == {"credit_code": CODE_A, "category": "demo", "batch": "2020-1"}
    assert snapshot(engine) == before


def test_duplicate_is_found_whatever_case_the_code_is_typed_in(engine):
    """The code is normalised before the duplicate check."""
    first = dock(engine)
    with pytest.raises(Refused) as err:
        dock(engine, code=f"  {CODE_A.lower()} ")
    assert err.value.project_id == first.id


@pytest.mark.parametrize("end", ["withdraw", "reject"])
def test_enterprise_may_dock_again_after_its_project_ended(engine, clock, end):
    """After the first project is withdrawn or rejected, the same enterprise may dock again."""
    first = drive(engine, clock.set, "applied")
    fire(engine, end, first)
    again = dock(engine)
    assert (again.state, again.id != first.id) == ("docked", True)
    with pytest.raises(Refused) as err:  # and that one is live again
        dock(engine)
    assert err.value.project_id == again.id


def test_other_category_or_other_enterprise_is_not_a_duplicate(engine):
    """The same enterprise in another category, or another enterprise, may dock."""
    dock(engine, category="demo")
    assert dock(engine, category="backbone").category == "backbone"
    assert dock(engine, code=CODE_B, category="demo").credit_code == CODE_B


def test_refusal_names_no_project_if_the_holder_cannot_be_found(engine, monkeypatch):
    """The unique index refuses the duplicate; the holder is looked up afterwards and, if it
    has ended in between, the refusal speaks of "a live project"."""
    dock(engine)
    monkeypatch.setattr(projects, "live_holder", lambda *_a, **_k: None)
    before = snapshot(engine)
    with pytest.raises(Refused) as err:
        dock(engine)
    assert err.value.message == _duplicate_message("a live project")
    assert (err.value.guard, err.value.project_id) == ("duplicate", None)
    assert snapshot(engine) == before
