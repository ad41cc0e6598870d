"""One lifecycle definition (accel666.lifecycle) and everything derived from it: the state
machine, what each event takes, the policy's vocabulary, the command line's choices and the
diagram in the README.
Each test fails if its part drifts from the definition."""

from __future__ import annotations

from pathlib import Path

import pytest

import accel666
from accel666 import Refused, lifecycle
from accel666.lifecycle import NEW, STATES, TRANSITIONS
from accel666.policies import load
from accel666.workflow.changes import machine

README = Path(__file__).resolve().parents[2] / "README.md"


class _Step:
    """A step whose guards all pass, with a review verdict."""

    def __init__(self, verdict: str | None = None) -> None:
        self.project_id = 7
        self.verdict = verdict

    def check_guards(self) -> None:
        return None


def test_the_public_names_are_the_definitions():
    assert (accel666.STATES, accel666.EVENTS, accel666.FINAL_STATES) == (
        lifecycle.STATES, lifecycle.EVENTS, lifecycle.FINAL_STATES)


def test_the_machine_has_exactly_the_lifecycles_states_and_transitions():
    built = machine.machine()
    assert list(built.states) == [NEW, *STATES]
    edges = {(name, source, t.dest) for name, event in built.events.items()
             for source, ts in event.transitions.items() for t in ts}
    assert edges == {(e.event, s, e.dest) for e in TRANSITIONS for s in e.sources}


@pytest.mark.parametrize("event", lifecycle.EVENTS)
@pytest.mark.parametrize("state", [NEW, *STATES])
def test_the_machine_fires_as_the_lifecycle_says(state, event):
    """From every state, every event: the lifecycle's destination, or a refusal by state."""
    for verdict in (lifecycle.VERDICTS if event == "review" else (None,)):
        expected = [e.dest for e in TRANSITIONS
                    if e.event == event and state in e.sources and e.verdict in (None, verdict)]
        if expected:
            assert machine.fire(event, state, _Step(verdict)) == expected[0]
        else:
            with pytest.raises(Refused) as err:
                machine.fire(event, state, _Step(verdict))
            assert err.value.guard == "state"
            assert err.value.facts["allowed_from"] == list(lifecycle.sources(event))


def test_a_verdict_outside_the_lifecycle_moves_nothing():
    with pytest.raises(Refused) as err:
        machine.fire("review", "recommended", _Step("maybe"))
    assert (err.value.guard, err.value.message) == (
        "verdict", "review refused: review needs a verdict: pass or fail")


def test_events_from_a_state_and_sources_of_an_event_agree():
    for state in STATES:
        assert lifecycle.events_from(state) == tuple(
            e for e in lifecycle.EVENTS if state in lifecycle.sources(e))
    assert {s for s in STATES if not lifecycle.events_from(s)} == set(lifecycle.FINAL_STATES)


def test_what_each_event_takes_is_defined_for_every_event_fired_on_a_project():
    """Dock creates the project; every other event, in the lifecycle's order, says what it
    takes, each input once, of a kind the definition knows; a verdict is taken by exactly
    the events whose edges it chooses between, a file name only beside a document."""
    on_a_project = [e for e in lifecycle.EVENTS if NEW not in lifecycle.sources(e)]
    assert list(lifecycle.TAKES) == on_a_project
    for event, spec in lifecycle.TAKES.items():
        names = [i.name for i in spec]
        assert len(set(names)) == len(names), event
        assert {i.kind for i in spec} <= set(lifecycle.KINDS), event
        if any(i.kind == lifecycle.FILENAME for i in spec):
            assert any(i.kind == lifecycle.DOCUMENT for i in spec), event
    choosing = {e.event for e in TRANSITIONS if e.verdict is not None}
    assert {e for e, spec in lifecycle.TAKES.items()
            if any(i.kind == lifecycle.VERDICT for i in spec)} == choosing


def test_the_events_take_what_the_programme_asks_for():
    """Apply: paper copies and the document (named, if bytes); recommend: an opinion; review: a
    score from 0 to 100, a verdict, an override and its reason, each as the policy's [review]
    asks (the province alone: score and verdict; a panel: nothing, or an override); reject
    and withdraw: a reason; sign and publish: nothing."""
    Input = lifecycle.Input
    text, integer, takes = lifecycle.TEXT, lifecycle.INTEGER, lifecycle.TAKES
    assert takes == {
        "apply": (Input("paper_copies", integer, low=0), Input("document", lifecycle.DOCUMENT),
                  Input("document_name", lifecycle.FILENAME, required=False)),
        "recommend": (Input("opinion", text),),
        "review": (Input("score", integer, low=0, high=100, required=False),
                   Input("verdict", lifecycle.VERDICT, required=False),
                   Input("override", lifecycle.FLAG, required=False),
                   Input("reason", text, required=False)),
        "sign": (),
        "publish": (),
        "reject": (Input("reason", text),),
        "withdraw": (Input("reason", text),),
    }
    assert [i.label for i in takes["apply"]] == ["paper copies", "document", "document name"]


def test_the_policy_speaks_the_lifecycles_vocabulary():
    """The permission table covers every event (and extend); every batch has a window per
    phase; the ladder's overdue states are states a phase reaches."""
    policy = load()
    assert tuple(policy.permissions) == lifecycle.ACTS
    for batch in policy.batches.values():
        assert tuple(batch.windows) == lifecycle.PHASES
    for phase, rule in policy.escalation.phases.items():
        assert phase in lifecycle.PHASES
        assert set(rule.states) <= set(lifecycle.STATE_OF_PHASE.values())


def test_the_command_lines_choices_are_the_lifecycles():
    from accel666.cli.commands.batches import batch
    from accel666.cli.commands.events import review

    verdict = next(p for p in review.params if p.name == "verdict")
    phase = next(p for p in batch.commands["extend"].params if p.name == "phase")
    assert tuple(verdict.type.choices) == lifecycle.VERDICTS  # type: ignore[attr-defined]
    assert tuple(phase.type.choices) == lifecycle.PHASES  # type: ignore[attr-defined]


def test_the_readme_shows_the_lifecycles_diagram():
    """The README's state diagram is what `accel666 diagram` draws under the built-in policy."""
    from accel666.policies import load
    from accel666.views.diagram import draw

    assert f"```mermaid\n{draw(load(None))}\n```" in README.read_text(encoding="utf-8")


def test_the_diagram_names_every_transition():
    text = lifecycle.mermaid()
    for edge in TRANSITIONS[1:]:
        for source in edge.sources:
            assert f"{source} --> {edge.dest}: {edge.event}" in text
