"""The project lifecycle, defined once: states, events, transitions, the phase window that
guards each event, and what each event takes.

Everything else derives from this module: the `transitions` machine (accel666.workflow.changes.machine),
the database's CHECK constraints and live-project index (accel666.models), the policy loader's
validation, the Engine's checks of what an event is given (`Engine.fire`), the HTTP service's
event routes and their documents, the command line's choices and the state diagram (`mermaid`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

NEW = "new"  # before `dock`: the project does not exist yet; never stored

STATES: tuple[str, ...] = ("docked", "applied", "recommended", "reviewed", "signed", "published",
                           "rejected", "withdrawn")
FINAL_STATES: frozenset[str] = frozenset({"published", "rejected", "withdrawn"})
# A project in an ended state no longer holds its enterprise's place in its category and batch.
ENDED_STATES: tuple[str, ...] = ("rejected", "withdrawn")
VERDICTS: tuple[str, ...] = ("pass", "fail")  # the expert review's verdict


@dataclass(frozen=True)
class Phase:
    """A phase of a batch's calendar: its window guards `event`, which moves a project to
    `reaches`."""

    key: str
    event: str
    reaches: str


PHASE_LIST: tuple[Phase, ...] = (
    Phase("docking", "dock", "docked"),
    Phase("application", "apply", "applied"),
    Phase("recommendation", "recommend", "recommended"),
    Phase("review", "review", "reviewed"),
    Phase("signing", "sign", "signed"),
    Phase("publication", "publish", "published"),
)
PHASES: tuple[str, ...] = tuple(p.key for p in PHASE_LIST)
# The phase each window-guarded event completes. Reject and withdraw are decisions about a
# project rather than submissions: no window closes them.
PHASE_OF_EVENT: dict[str, str] = {p.event: p.key for p in PHASE_LIST}
STATE_OF_PHASE: dict[str, str] = {p.key: p.reaches for p in PHASE_LIST}


@dataclass(frozen=True)
class Edge:
    """One transition: `event` moves a project from any of `sources` to `dest`; `verdict`, if
    given, is the review verdict that chooses this edge."""

    event: str
    sources: tuple[str, ...]
    dest: str
    verdict: str | None = None


TRANSITIONS: tuple[Edge, ...] = (
    Edge("dock", (NEW,), "docked"),
    Edge("apply", ("docked",), "applied"),
    Edge("recommend", ("applied",), "recommended"),
    Edge("review", ("recommended",), "reviewed", verdict="pass"),
    Edge("review", ("recommended",), "rejected", verdict="fail"),
    Edge("sign", ("reviewed",), "signed"),
    Edge("publish", ("signed",), "published"),
    Edge("reject", ("applied", "recommended"), "rejected"),
    # An objection to the public notice upheld: the province rejects a reviewed project.
    Edge("reject", ("reviewed",), "rejected"),
    Edge("withdraw", tuple(s for s in STATES if s not in FINAL_STATES), "withdrawn"),
)
EVENTS: tuple[str, ...] = tuple(dict.fromkeys(e.event for e in TRANSITIONS))
# What the permission table of a policy grants: every event, and extending a batch's window.
ACTS: tuple[str, ...] = (*EVENTS, "extend")

# The kinds of value an event takes from whoever fires it.
TEXT = "text"  # free text: an opinion, a reason
INTEGER = "integer"  # a whole number from `low` to `high`
VERDICT = "verdict"  # one of VERDICTS: it chooses the event's edge (`Edge.verdict`)
DOCUMENT = "document"  # a file, kept whole; the record holds its name, digest and size
FILENAME = "filename"  # the name of the event's DOCUMENT (a path names itself)
FLAG = "flag"  # true or false: a choice the caller makes (review's override)
KINDS: tuple[str, ...] = (TEXT, INTEGER, VERDICT, DOCUMENT, FILENAME, FLAG)


@dataclass(frozen=True)
class Input:
    """A value an event takes: `name`, as the caller passes it; `kind`, one of KINDS; `low` and
    `high`, an INTEGER's bounds (no upper bound where `high` is None); `required`, whether the
    event needs it."""

    name: str
    kind: str
    low: int = 0
    high: int | None = None
    required: bool = True

    @property
    def label(self) -> str:
        """The name as messages show it: "paper copies" for paper_copies."""
        return self.name.replace("_", " ")


# What each event fired on a project takes, in the order its log row records them. Dock is
# fired on no project: it creates one from its particulars (title, enterprise, credit code,
# region, category and batch).
TAKES: dict[str, tuple[Input, ...]] = {
    "apply": (Input("paper_copies", INTEGER), Input("document", DOCUMENT),
              Input("document_name", FILENAME, required=False)),
    "recommend": (Input("opinion", TEXT),),
    # Which of these a review needs is the policy's [review]: the province alone gives the
    # score and the verdict; with an expert panel it gives neither (the panel decides), or a
    # verdict against the panel with override and its reason.
    "review": (Input("score", INTEGER, low=0, high=100, required=False),
               Input("verdict", VERDICT, required=False),
               Input("override", FLAG, required=False), Input("reason", TEXT, required=False)),
    "sign": (),
    "publish": (),
    "reject": (Input("reason", TEXT),),
    "withdraw": (Input("reason", TEXT),),
}


def sources(event: str) -> tuple[str, ...]:
    """The states `event` can be fired from, in lifecycle order."""
    found = {s for e in TRANSITIONS if e.event == event for s in e.sources}
    return tuple(s for s in (NEW, *STATES) if s in found)


def events_from(state: str) -> tuple[str, ...]:
    """The events that can be fired from `state`, in lifecycle order."""
    return tuple(e for e in EVENTS if state in sources(e))


# Who may fire an event from a state, for the diagram's labels (the policy's permission table).
Roles = Callable[[str, str], tuple[str, ...]]


def _label(edge: Edge, source: str, roles: Roles | None,
           words: Callable[[str], str] | None = None) -> str:
    word = words or (lambda key: key)
    label = word(edge.event) if edge.verdict is None else word(f"{edge.event} ({edge.verdict})")
    allowed = roles(edge.event, source) if roles is not None else ()
    return f"{label} — {word(', ').join(word(r) for r in allowed)}" if allowed else label


def mermaid(roles: Roles | None = None, names: Callable[[str], str] | None = None,
            words: Callable[[str], str] | None = None) -> str:
    """The state diagram as Mermaid text (GitHub renders it); with `roles`, each transition
    names who may fire it; with `names`, each state is shown by its name in a language, and
    with `words` each event, verdict and role."""
    lines = ["stateDiagram-v2"]
    if names is not None:
        lines += [f'    state "{names(s)}" as {s}' for s in STATES if names(s) != s]
    for edge in TRANSITIONS:
        for source in edge.sources:
            start = "[*]" if source == NEW else source
            lines.append(f"    {start} --> {edge.dest}: {_label(edge, source, roles, words)}")
    lines += [f"    {state} --> [*]" for state in STATES if state in FINAL_STATES]
    return "\n".join(lines)


def dot(roles: Roles | None = None, names: Callable[[str], str] | None = None,
        words: Callable[[str], str] | None = None) -> str:
    """The state diagram in Graphviz's dot language (`dot -Tsvg`); `names` and `words` as
    for mermaid."""
    lines = ["digraph lifecycle {", "    rankdir=LR;", '    node [shape=box, style=rounded];',
             '    new [shape=point, label=""];']
    lines += [f'    {state} [peripheries=2];' for state in STATES if state in FINAL_STATES]
    if names is not None:
        lines += [f'    {s} [label="{names(s)}"];' for s in STATES if names(s) != s]
    for edge in TRANSITIONS:
        for source in edge.sources:
            text = _label(edge, source, roles, words).replace('"', '\\"')
            lines.append(f'    {source} -> {edge.dest} [label="{text}"];')
    lines.append("}")
    return "\n".join(lines)
