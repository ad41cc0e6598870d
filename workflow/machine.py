"""The project lifecycle as one `transitions` state machine, built once per process.

The machine is never bound to database rows: each firing runs the shared machine on a small
throw-away subject that holds only the current state, so a project costs no Machine of its own.
The engine passes a `Step` (its facts and guards) with each firing; the machine calls its guards
before choosing a transition, and review's verdict picks between two transitions.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Protocol, cast

from transitions import EventData, Machine, MachineError

from accel666.workflow.errors import Refused

NEW = "new"  # before `dock`: the project does not exist yet; never stored
STATES = ("docked", "applied", "recommended", "reviewed", "signed", "published",
          "rejected", "withdrawn")
FINAL_STATES = frozenset({"published", "rejected", "withdrawn"})
EVENTS = ("dock", "apply", "recommend", "review", "sign", "publish", "reject", "withdraw")

_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "dock", "source": NEW, "dest": "docked"},
    {"trigger": "apply", "source": "docked", "dest": "applied"},
    {"trigger": "recommend", "source": "applied", "dest": "recommended"},
    {"trigger": "review", "source": "recommended", "dest": "reviewed", "conditions": "_passes"},
    {"trigger": "review", "source": "recommended", "dest": "rejected", "unless": "_passes"},
    {"trigger": "sign", "source": "reviewed", "dest": "signed"},
    {"trigger": "publish", "source": "signed", "dest": "published"},
    {"trigger": "reject", "source": ["applied", "recommended"], "dest": "rejected"},
    {"trigger": "withdraw", "source": [s for s in STATES if s not in FINAL_STATES],
     "dest": "withdrawn"},
]


class Step(Protocol):
    """What the machine needs from one attempted change."""

    project_id: int | None
    verdict: str | None

    def check_guards(self) -> None:
        """Raise `Refused` if a guard of the programme says no."""


class _Subject:
    """The machine's model for one firing: the current state and the step being tried."""

    __slots__ = ("state", "step")

    def __init__(self, state: str, step: Step) -> None:
        self.state = state
        self.step = step

    def _passes(self, _event: EventData) -> bool:
        return self.step.verdict == "pass"


def _prepare(event: EventData) -> None:
    cast(_Subject, event.model).step.check_guards()


@cache
def machine() -> Machine:
    """The process's one machine definition."""
    return Machine(
        model=None,
        states=[NEW, *STATES],
        transitions=cast(Any, _TRANSITIONS),
        initial=NEW,
        auto_transitions=False,
        send_event=True,
        prepare_event=_prepare,
    )


def sources(event: str) -> list[str]:
    """The states `event` can be fired from."""
    return list(machine().events[event].transitions)


def events_from(state: str) -> list[str]:
    """The events that can be fired from `state`, in lifecycle order."""
    return [e for e in EVENTS if state in machine().events[e].transitions]


def fire(event: str, state: str, step: Step) -> str:
    """Run `event` from `state`; return the new state or raise `Refused`."""
    m = machine()
    subject = _Subject(state, step)
    try:
        m.events[event].trigger(subject)
    except MachineError as exc:
        allowed = " or ".join(sources(event))
        where = f"project {step.project_id}" if step.project_id is not None else "the project"
        raise Refused(
            event,
            "state",
            f"{where} is {state}; {event} needs it {allowed}",
            project_id=step.project_id,
            facts={"state": state, "allowed_from": sources(event)},
        ) from exc
    return subject.state
