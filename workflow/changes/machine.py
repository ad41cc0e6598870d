"""The project lifecycle as one `transitions` state machine, built once per process from the
lifecycle's definition (accel666.lifecycle).

The machine is never bound to database rows: each firing runs the shared machine on a small
throw-away subject that holds only the current state, so a project costs no Machine of its own.
The engine passes an attempt (its facts and guards: `Guarded`) with each firing; the machine
calls its guards before choosing a transition, and review's verdict picks between two transitions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, Protocol, cast

from transitions import EventData, Machine, MachineError

from accel666 import lifecycle
from accel666.errors import Refused
from accel666.lifecycle import NEW, STATES, VERDICTS, Edge


class Guarded(Protocol):
    """What the machine needs from one attempted change."""

    project_id: int | None
    verdict: str | None

    def check_guards(self) -> None:
        """Raise `Refused` if a guard of the programme says no."""


class _Subject:
    """The machine's model for one firing: the current state and the step being tried."""

    __slots__ = ("state", "step")

    def __init__(self, state: str, step: Guarded) -> None:
        self.state = state
        self.step = step


def _verdict_is(verdict: str) -> Callable[[EventData], bool]:
    def condition(event: EventData) -> bool:
        return cast(_Subject, event.model).step.verdict == verdict
    return condition


def _spec(edge: Edge) -> dict[str, Any]:
    spec: dict[str, Any] = {"trigger": edge.event, "source": list(edge.sources), "dest": edge.dest}
    if edge.verdict is not None:
        spec["conditions"] = [_verdict_is(edge.verdict)]
    return spec


def _prepare(event: EventData) -> None:
    cast(_Subject, event.model).step.check_guards()


@cache
def machine() -> Machine:
    """The process's one machine, built from the lifecycle's transitions."""
    return Machine(
        model=None,
        states=[NEW, *STATES],
        transitions=[_spec(edge) for edge in lifecycle.TRANSITIONS],
        initial=NEW,
        auto_transitions=False,
        send_event=True,
        prepare_event=_prepare,
    )


def fire(event: str, state: str, step: Guarded) -> str:
    """Run `event` from `state`; return the new state or raise `Refused`."""
    subject = _Subject(state, step)
    try:
        moved = machine().events[event].trigger(subject)
    except MachineError as exc:
        allowed = lifecycle.sources(event)
        where = f"project {step.project_id}" if step.project_id is not None else "the project"
        raise Refused(
            event,
            "state",
            f"{where} is {state}; {event} needs it {' or '.join(allowed)}",
            project_id=step.project_id,
            facts={"state": state, "allowed_from": list(allowed)},
        ) from exc
    if not moved:  # no edge's condition held: a verdict outside the lifecycle's
        raise Refused(event, "verdict", f"{event} needs a verdict: {' or '.join(VERDICTS)}",
                      project_id=step.project_id, facts={"verdict": step.verdict})
    return subject.state
