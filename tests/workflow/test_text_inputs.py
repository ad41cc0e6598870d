"""Text rules: names are one visible line; opinions and reasons may span lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accel666 import InvalidInput
from accel666.policies import characters
from accel666.workflow.changes import inputs
from tests.helpers import CODE_A
from tests.workflow.wf_support import dock


@pytest.mark.parametrize(("title", "code_point"), [
    ("Cloud\nMES", "U+000A"),
    ("Cloud\tMES", "U+0009"),
    ("Cloud\u200bMES", "U+200B"),   # zero-width space
    ("Cloud\u202eSEM", "U+202E"),   # right-to-left override
    ("Cloud\u2028MES", "U+2028"),   # line separator
])
def test_names_refuse_line_breaks_and_invisible_characters(engine, title, code_point):
    with pytest.raises(InvalidInput) as err:
        dock(engine, title=title)
    assert err.value.field == "title"
    assert err.value.reason == (
        f"contains the control, format or unassigned character {code_point}")


def test_reasons_may_span_lines_but_not_reorder_text(engine, actors):
    project = dock(engine)
    with pytest.raises(InvalidInput) as err:
        engine.withdraw(actors.ent_a, project.id, reason="撤回\u202e原因")
    assert err.value.field == "reason"
    done = engine.withdraw(actors.ent_a, project.id, reason="第一行\n第二行\t备注")
    assert done.state == "withdrawn"
    assert engine.history(project.id)[-1].payload == {"reason": "第一行\n第二行\t备注"}
    assert project.credit_code == CODE_A


def test_document_names_are_one_line(engine, actors):
    project = dock(engine)
    with pytest.raises(InvalidInput) as err:
        engine.apply(actors.ent_a, project.id, paper_copies=2, document=b"%PDF",
                     document_name="申报书\n.pdf")
    assert (err.value.field, err.value.reason) == (
        "document name", "contains the control, format or unassigned character U+000A")



@given(st.text(max_size=40), st.booleans())
def test_the_printable_fast_path_agrees_with_the_character_rule(value: str, one_line: bool) -> None:
    """Text is accepted exactly when no character of it is refused, whichever path decides."""
    ok = bool(value.strip()) and not any(characters.refused(ch, one_line) for ch in value.strip())
    try:
        got = inputs.text("f", value, 10_000, one_line=one_line)
    except InvalidInput:
        assert not ok
    else:
        assert ok and got == value.strip()
