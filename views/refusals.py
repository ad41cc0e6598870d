"""An error as a person reads it, in the language in use (--lang, a page's language): a refusal
as a sentence built from its guard and facts.

English is the refusal's own message. In another language each guard has a sentence of its
own, filled from the facts the refusal carries; a refusal whose facts do not fit one (or a
guard without one) shows the message as recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accel666.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    Refused,
    Unauthenticated,
    Unavailable,
    WorkflowError,
)
from accel666.views.labels import N_, Labels, _, current

Facts = dict[str, Any]


def _window(t: Labels, f: Facts) -> str:
    if "closed_at" in f:
        return t.text(N_("the {phase} window of batch {batch} closed at {moment}")).format(
            phase=t.phase(f["phase"]), batch=f["batch"], moment=f["closed_at"])
    if "opens_at" in f:
        return t.text(N_("the {phase} window of batch {batch} opens at {moment}")).format(
            phase=t.phase(f["phase"]), batch=f["batch"], moment=f["opens_at"])
    return t.text(N_("no batch is open for docking now: name one with --batch"))


def _materials(t: Labels, f: Facts) -> str:
    return t.text(N_("the application needs {copies} paper copies and {documents} electronic "
                     "document(s); it came with {got_copies} and {got_documents}")).format(
        copies=f["min_paper_copies"], documents=f["electronic_documents"],
        got_copies=f["paper_copies"], got_documents=f["documents"])


def _registration(t: Labels, f: Facts) -> str:
    return t.text(N_("enterprise {code} is registered in {region}: that region's bureau "
                     "docks it")).format(code=f["credit_code"], region=f["registered_region"])


def _reopen(t: Labels, f: Facts) -> str:
    return t.text(N_("the {phase} window of batch {batch} closed {days} days ago, more than "
                     "the {limit} days within which it may be reopened; --override with a "
                     "reason does it anyway")).format(
        phase=t.phase(f["phase"]), batch=f["batch"], days=f["closed_days"],
        limit=f["reopen_within_days"])


def _state(t: Labels, f: Facts) -> str:
    return t.text(N_("the project is {state}; this needs it {allowed}")).format(
        state=t.state(f["state"]),
        allowed=t.text(N_(" or ")).join(t.state(s) for s in f["allowed_from"]))


def _duplicate(t: Labels, f: Facts) -> str:
    if "name" in f:
        return t.text(N_("an operator named {name} exists already; a name is never given "
                         "twice")).format(name=f["name"])
    return t.text(N_("enterprise {code} already holds a live project in category {category} "
                     "of batch {batch}")).format(code=f["credit_code"], category=f["category"],
                                                 batch=f["batch"])


def _acknowledged(t: Labels, f: Facts) -> str:
    return t.text(N_("escalation {id} was already acknowledged by {by}")).format(
        id=f["escalation_id"], by=f["acked_by"])


def _revoked(t: Labels, f: Facts) -> str:
    return t.text(N_("operator {name} was revoked already, by {by}")).format(
        name=f["name"], by=f["revoked_by"])


def _verdict(t: Labels, f: Facts) -> str:
    return t.text(N_("the review needs a verdict: pass or fail"))


def _avoid(t: Labels, f: Facts) -> str:
    return t.text(N_("expert {expert} must avoid {conflicts}")).format(
        expert=f["expert"], conflicts=", ".join(f["conflicts"]))


def _panel_size(t: Labels, f: Facts) -> str:
    return t.text(N_("the panel holds {seated} expert(s); {adding} more would pass the "
                     "policy's panel size of {panel_size}")).format(**f)


def _quorum(t: Labels, f: Facts) -> str:
    return t.text(N_("the panel has {scored} of the {quorum} scores its quorum needs")).format(
        scored=f["scored"], quorum=f["quorum"])


def _agreement(t: Labels, f: Facts) -> str:
    return t.text(N_("a score of {score} and the verdict {verdict} disagree against the pass "
                     "mark {pass_mark}")).format(**f)


def _once(t: Labels, f: Facts) -> str:
    return t.text(N_("expert {expert} has scored already: a score once given stands")).format(
        expert=f["expert"])


def _panel(t: Labels, f: Facts) -> str:
    return t.text(N_("the panel's outcome is {outcome} (score {score}, pass mark {pass_mark}): "
                     "a verdict of {verdict} against it needs --override with --reason")
                  ).format(**f)


SENTENCES: dict[str, Callable[[Labels, Facts], str]] = {
    "window": _window, "materials": _materials, "registration": _registration,
    "reopen": _reopen, "state": _state, "duplicate": _duplicate,
    "acknowledged": _acknowledged, "verdict": _verdict, "revoked": _revoked,
    "avoid": _avoid, "panel_size": _panel_size, "quorum": _quorum, "agreement": _agreement,
    "once": _once, "panel": _panel,
}


def sentence(labels: Labels, guard: str, facts: Facts, recorded: str) -> str:
    """The refusal in `labels`' language, or `recorded` (its message) where none fits."""
    build = SENTENCES.get(guard)
    if labels.lang == "en" or build is None:
        return recorded
    try:
        return build(labels, facts)
    except (KeyError, TypeError):
        return recorded


def described(exc: WorkflowError) -> str:
    """The error as a person reads it: in English its message; in another language (--lang, a
    page's language) what happened and which rule said no in that language, then the
    message's details."""
    shown = current()
    if shown.lang == "en":
        return exc.message
    if isinstance(exc, Refused):
        head = _("{act} was refused by {rule}").format(act=shown.event(exc.event),
                                                        rule=shown.guard(exc.guard, exc.event))
        told = sentence(shown, exc.guard, exc.facts, exc.message)
        if told != exc.message:
            return _("{head}: {sentence}").format(head=head, sentence=told)
    elif isinstance(exc, NotPermitted):
        head = _("{act} is not permitted: {rule}").format(act=shown.event(exc.event),
                                                          rule=shown.guard(exc.guard))
        who = exc.role if exc.scope is None else f"{exc.role}:{exc.scope}"
        if exc.guard in ("role", "scope", "reads"):
            why = (_("the role {who} may not do this") if exc.guard == "role"
                   else _("{who} may act only on projects of its own region or enterprise")
                   if exc.guard == "scope"
                   else _("{who} may read only the projects its role reaches: those of its "
                          "own region or enterprise"))
            return _("{head}: {sentence}").format(head=head, sentence=why.format(who=who))
    elif isinstance(exc, InvalidInput):
        head = _("invalid input: {field}").format(field=shown.field(exc.field))
    elif isinstance(exc, NotFound):
        head = _("not found: {what}").format(what=shown.kind(exc.kind))
    elif isinstance(exc, Conflict):
        head = _("the project changed meanwhile: show it again and retry")
    elif isinstance(exc, Unavailable):
        head = _("the database is unavailable: retry later")
    elif isinstance(exc, Unauthenticated):
        head = _("not authenticated: the token lets no one in")
    else:
        head = _("the command failed")
    return _("{head}. ({details})").format(head=head, details=exc.message)
