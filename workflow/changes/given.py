"""What an event fired on a project is given, checked as accel666.lifecycle.TAKES says it takes
it: each value by its kind, into what the change records (its log row's payload), the verdict
that chooses its edge, and the document it files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from accel666.errors import InvalidInput
from accel666.lifecycle import DOCUMENT, FILENAME, FLAG, INTEGER, TAKES, TEXT, VERDICT
from accel666.policies import Policy
from accel666.workflow.changes import inputs


@dataclass(frozen=True)
class Given:
    """An event's values, checked: the log row's `payload` (in the definition's order), the
    `verdict` that chooses the edge, the `document` filed, and the paper copies sent."""

    payload: dict[str, Any] = field(default_factory=dict)
    verdict: str | None = None
    document: inputs.DocumentInput | None = None
    paper_copies: int = 0


def present(event: str, values: Mapping[str, object] | None = None) -> dict[str, object]:
    """`values` as `event` takes them: every input it needs present and none it does not take,
    else InvalidInput naming the first missing one ("recommend needs opinion") or the first
    extra one ("review takes no reason"). An event fired on no project (dock creates one) is
    InvalidInput too."""
    spec = TAKES.get(event) if isinstance(event, str) else None
    if spec is None:
        raise InvalidInput("event", f"use one of {', '.join(TAKES)}", event)
    given = dict(values) if values else {}
    for i in spec:
        if i.required and i.name not in given:
            needed = ", ".join(n.name for n in spec if n.required)
            raise InvalidInput(i.name, f"{event} needs {needed}", None)
    if len(given) > sum(i.name in given for i in spec):
        extra = min(set(given).difference(i.name for i in spec), key=str)
        raise InvalidInput(extra, f"{event} takes no {extra}", given[extra])
    return given


def checked(policy: Policy, event: str, values: Mapping[str, object] | None = None) -> Given:
    """`values` present as `event` takes them, then each checked as its kind says, the verdict
    first (it chooses the transition)."""
    given = present(event, values)
    spec = TAKES[event]
    verdict = next((inputs.verdict(given[i.name]) for i in spec
                    if i.kind == VERDICT and i.name in given), None)
    payload: dict[str, Any] = {}
    document: inputs.DocumentInput | None = None
    for i in spec:
        if i.name not in given:
            continue
        if i.kind == TEXT:
            payload[i.name] = inputs.text(i.label, given[i.name], inputs.MAX_TEXT)
        elif i.kind == INTEGER:
            payload[i.name] = inputs.integer(i.label, given[i.name], i.low, i.high)
        elif i.kind == VERDICT:
            payload[i.name] = verdict
        elif i.kind == FLAG:
            payload[i.name] = inputs.flag(i.label, given[i.name])
        elif i.kind == DOCUMENT:
            name = next((given[n.name] for n in spec if n.kind == FILENAME and n.name in given),
                        None)
            document = inputs.document(policy, given[i.name], name)
            payload.update({i.name: document.name, "sha256": document.sha256,
                            "size": document.size})
    return Given(payload, verdict, document, payload.get("paper_copies", 0))
