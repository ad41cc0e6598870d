"""An error as a person reads it, in the language in use (--lang, a page's language): a refusal
as a sentence built from its guard and facts.

English is the refusal's own message. In another language each guard has a sentence of its
own, filled from the facts the refusal carries; a refusal whose facts do not fit one (or a
guard without one) shows the message as recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from accel666.policies import Policy

Facts = dict[str, Any]


def moment(value: object) -> str:
    """A moment a refusal's facts hold (ISO 8601), as people read it, to the second:
    2020-07-15 23:59:59 +08:00."""
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    offset = at.strftime("%z")
    return at.strftime("%Y-%m-%d %H:%M:%S") + (f" {offset[:3]}:{offset[3:]}" if offset else "")


def _window(t: Labels, f: Facts) -> str:
    if "closed_at" in f:
        return t.text(N_("the {phase} window of batch {batch} closed at {moment}")).format(
            phase=t.phase(f["phase"]), batch=f["batch"], moment=moment(f["closed_at"]))
    if "opens_at" in f:
        return t.text(N_("the {phase} window of batch {batch} opens at {moment}")).format(
            phase=t.phase(f["phase"]), batch=f["batch"], moment=moment(f["opens_at"]))
    return t.text(N_("no batch is open for docking now: name one with --batch"))


def _materials(t: Labels, f: Facts) -> str:
    return t.text(N_("the application needs {copies} paper copies and {documents} electronic "
                     "document(s); it came with {got_copies} and {got_documents}")).format(
        copies=f["min_paper_copies"], documents=f["electronic_documents"],
        got_copies=f["paper_copies"], got_documents=f["documents"])


@cache
def _programme() -> Policy:
    """The built-in programme, whose regions and categories a refusal names (read once, when
    a refusal first needs them)."""
    from accel666.policies.loader import load_default

    return load_default()


def _region(t: Labels, item: object) -> str:
    """A region a refusal names, by name (the built-in programme's); anything else as it is."""
    policy = _programme()
    return t.region(str(item), policy) if str(item) in policy.regions else str(item)


def _registration(t: Labels, f: Facts) -> str:
    return t.text(N_("enterprise {code} is registered in {region}: that region's bureau "
                     "docks it")).format(code=f["credit_code"],
                                         region=_region(t, f["registered_region"]))


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
                     "of batch {batch}")).format(
        code=f["credit_code"], category=t.category(f["category"], _programme()),
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
        expert=f["expert"], conflicts=t.text(N_(", ")).join(_region(t, c)
                                                             for c in f["conflicts"]))


def _panel_size(t: Labels, f: Facts) -> str:
    return t.text(N_("the panel holds {seated} expert(s); {adding} more would pass the "
                     "policy's panel size of {panel_size}")).format(**f)


def _quorum(t: Labels, f: Facts) -> str:
    return t.text(N_("the panel has {scored} of the {quorum} scores its quorum needs")).format(
        scored=f["scored"], quorum=f["quorum"])


def _agreement(t: Labels, f: Facts) -> str:
    return t.text(N_("a score of {score} and the verdict {verdict} disagree against the pass "
                     "mark {pass_mark}")).format(score=f["score"], verdict=t.outcome(f["verdict"]),
                                                 pass_mark=f["pass_mark"])


def _once(t: Labels, f: Facts) -> str:
    return t.text(N_("expert {expert} has scored already: a score once given stands")).format(
        expert=f["expert"])


def _panel(t: Labels, f: Facts) -> str:
    score = f["score"]
    return t.text(N_("the panel's outcome is {outcome} (score {score}, pass mark {pass_mark}): "
                     "a verdict of {verdict} against it needs --override with --reason")
                  ).format(outcome=t.outcome(f["outcome"]), verdict=t.outcome(f["verdict"]),
                           score=f"{score:g}" if isinstance(score, float) else score,
                           pass_mark=f["pass_mark"])


def _notice(t: Labels, f: Facts) -> str:
    if "open_objections" in f:
        return t.text(N_("{n} objection(s) to the project are not resolved yet")).format(
            n=f["open_objections"])
    if "closes_at" in f and f.get("event") == "object":
        return t.text(N_("its public notice runs from {start} until {closes}: objections are "
                         "received only while it is open")).format(
            start=moment(f["started_at"]), closes=moment(f["closes_at"]))
    if "closes_at" in f:
        return t.text(N_("its public notice is open until {closes}")).format(
            closes=moment(f["closes_at"]))
    if f.get("notice", "") is None and "batch" in f:
        return t.text(N_("the project has not been under public notice: the province starts "
                         "one with notice start {batch}")).format(batch=f["batch"])
    if f.get("notice", "") is None:
        return t.text(N_("the project was never under public notice: objections are received "
                         "only while it is"))
    return t.text(N_("batch {batch} has no reviewed project that no notice announced yet: "
                     "review projects first")).format(batch=f["batch"])


SENTENCES: dict[str, Callable[[Labels, Facts], str]] = {
    "window": _window, "materials": _materials, "registration": _registration,
    "reopen": _reopen, "state": _state, "duplicate": _duplicate,
    "acknowledged": _acknowledged, "verdict": _verdict, "revoked": _revoked,
    "avoid": _avoid, "panel_size": _panel_size, "quorum": _quorum, "agreement": _agreement,
    "once": _once, "panel": _panel, "notice": _notice,
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


# The reasons an input is refused for, as the library words them, each with its sentence in
# another language; a reason none matches is shown as worded.
REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message) for pattern, message in (
        (r"a credit code has 18 characters, this one has (?P<n>\d+)",
         N_("a credit code has 18 characters, this one has {n}")),
        (r"(?P<chars>.+) not allowed in a credit code \(alphabet \w+\)",
         N_("{chars} may not be in a credit code (digits and upper-case letters but I, O, S, "
            "V and Z)")),
        (r"positions 3-8 of a credit code are the six digits of a region code",
         N_("positions 3-8 of a credit code are the six digits of a region code")),
        (r"organisation-code check character \(position 17\) is '(?P<got>.)', expected "
         r"'(?P<want>.)'",
         N_("the organisation code's check character (position 17) is {got}, where {want} "
            "is expected: check the code")),
        (r"check character \(position 18\) is '(?P<got>.)', expected '(?P<want>.)'",
         N_("the check character (position 18) is {got}, where {want} is expected: check "
            "the code")),
        (r"the cell is a number, not the code: .*",
         N_("the cell is a number: format the column as text and re-enter the code")),
        (r"must not be empty", N_("must not be empty")),
        (r"at most (?P<limit>\d+) characters \(got (?P<n>\d+)\)",
         N_("at most {limit} characters (it has {n})")),
        (r"must be from (?P<low>-?\d+) to (?P<high>-?\d+) \(got (?P<got>.+)\)",
         N_("must be from {low} to {high} (it is {got})")),
        (r"must be (?P<low>-?\d+) or more \(got (?P<got>.+)\)",
         N_("must be {low} or more (it is {got})")),
        (r"must be at most (?P<high>\d+) \(got (?P<got>.+)\)",
         N_("must be at most {high} (it is {got})")),
        (r"expected a whole number, got \w+", N_("must be a whole number")),
        (r"expected text, got \w+", N_("must be text")),
        (r"(?:no such category: )?use one of (?P<known>.+)",
         N_("use one of {known}")),
        (r"use pass or fail", N_("use pass or fail")),
        (r"the document is empty", N_("the document is empty")),
        (r"(?P<n>\d+) bytes, over the limit of (?P<limit>\d+)",
         N_("{n} bytes, over the limit of {limit}")),
    ))


# Why the database cannot serve now (models/database.py), as people read it.
UNAVAILABLE = {
    "locked by another process past the retries": N_("another process holds it locked"),
    "it is read-only": N_("it is read-only"), "the disk is full": N_("the disk is full"),
    "the connection to the server was lost": N_("the connection to the server was lost"),
    "the server cannot be reached": N_("the server cannot be reached"),
}


def reason(text: str) -> str:
    """An input's refusal reason, as the library words it, in the language in use."""
    shown = current()
    if shown.lang == "en":
        return text
    for pattern, message in REASONS:
        if (found := pattern.fullmatch(text)) is not None:
            return shown.text(message).format(**found.groupdict())
    return text


def who(role: str | None, scope: str | None) -> str:
    """Who was refused, by name in the language in use (the built-in programme's regions)."""
    if role is None:
        return "-"
    return current().role(role, scope, _programme())


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
        told = sentence(shown, exc.guard, {**exc.facts, "event": exc.event}, exc.message)
        if told != exc.message:
            return _("{head}: {sentence}").format(head=head, sentence=told)
    elif isinstance(exc, NotPermitted):
        head = _("{act} is not permitted: {rule}").format(act=shown.event(exc.event),
                                                          rule=shown.guard(exc.guard))
        refused = who(exc.role, exc.scope)
        if exc.guard in ("role", "scope", "reads"):
            why = (_("the role {who} may not do this") if exc.guard == "role"
                   else _("{who} may act only on projects of its own region or enterprise")
                   if exc.guard == "scope"
                   else _("{who} may read only the projects its role reaches: those of its "
                          "own region or enterprise"))
            return _("{head}: {sentence}").format(head=head,
                                                  sentence=why.format(who=refused))
    elif isinstance(exc, InvalidInput):
        head = _("invalid input: {field}").format(field=shown.field(exc.field))
        told = reason(exc.reason)
        if told != exc.reason:
            return _("{head}: {sentence}").format(head=head, sentence=told)
    elif isinstance(exc, NotFound):
        head = _("not found: {what}").format(what=shown.kind(exc.kind))
        if exc.message == f"{exc.kind} {exc.key} not found":  # no more than that to say
            return _("{head}: {key}").format(head=head, key=exc.key)
    elif isinstance(exc, Conflict):
        return _("project {id} changed meanwhile: show it again and retry").format(
            id=exc.project_id)
    elif isinstance(exc, Unavailable):
        head = _("the database is unavailable: retry later")
        if exc.reason in UNAVAILABLE:
            return _("{head}: {sentence}").format(head=head, sentence=_(UNAVAILABLE[exc.reason]))
    elif isinstance(exc, Unauthenticated):
        return _("not authenticated: the token lets no one in")
    else:
        head = _("the command failed")
    return _("{head}. ({details})").format(head=head, details=exc.message)
