"""What people read, in their language: states, phases, categories and regions by name, and
the sentences and headings of the human-facing outputs (text tables, the HTML report, the
diagram, an export's header row), through gettext catalogs (`locale/`, made with Babel).

JSON keys and values never change with the language: scripts read those.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accel666.policies import Policy

LANGS = ("en", "zh")
DOMAIN = "accel666"
LOCALE = Path(__file__).with_name("locale")


def N_(message: str) -> str:
    """Marks a message for extraction, to be translated where it is shown."""
    return message


class Labels:
    """The names and messages of one language (`en` is the source text itself)."""

    def __init__(self, lang: str = "en") -> None:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
        self.lang = lang
        self._catalog: gettext.NullTranslations = (
            gettext.NullTranslations() if lang == "en"
            else gettext.translation(DOMAIN, LOCALE, languages=[lang]))

    def text(self, message: str) -> str:
        """`message` (an English source text marked with `_`) in this language."""
        return self._catalog.gettext(message)

    def state(self, state: str) -> str:
        return self.text(STATE_NAMES.get(state, state))

    def phase(self, phase: str) -> str:
        return self.text(PHASE_NAMES.get(phase, phase))

    def region(self, code: str, policy: Policy) -> str:
        """A region by name: 苏州市 in Chinese, Suzhou in English (the code if unknown)."""
        region = policy.regions.get(code)
        if region is None:
            return code
        return region.name if self.lang == "zh" else region.key.title()

    def event(self, event: str) -> str:
        return self.text(EVENT_NAMES.get(event, event))

    def guard(self, guard: str, event: str | None = None) -> str:
        """The rule a refusal names; `event`, the act refused, picks the name where the same
        guard means another rule for another act (a duplicate operator is no duplicate
        project)."""
        return self.text(ACT_GUARD_NAMES.get((event, guard)) or GUARD_NAMES.get(guard, guard))

    def field(self, field: str) -> str:
        return self.text(FIELD_NAMES.get(field, field))

    def role(self, role: str, scope: str | None, policy: Policy) -> str:
        """Who acts, as people name it: `city:320500` in English; 苏州市工信局, 省工信厅,
        企业 9132…, 专家 wang in Chinese."""
        if self.lang == "en":
            return role if scope is None else f"{role}:{scope}"
        if role == "city" and scope is not None:
            return self.text(N_("{region} bureau")).format(region=self.region(scope, policy))
        named = self.text(ROLE_NAMES.get(role, role))
        return named if scope is None else f"{named} {scope}"

    def actor(self, name: str, role: str, scope: str | None, policy: Policy) -> str:
        """An actor with its role: 王工 (city:320583) in English, 王工（昆山市工信局）in
        Chinese; the role alone where the name says it."""
        who = self.role(role, scope, policy)
        if self.lang == "en":
            return f"{name} ({who})"
        return name if name == who else f"{name}（{who}）"

    def span(self, seconds: int) -> str:
        """A lateness as people read it: 3d 04:05:06 (3天 04:05:06 in Chinese)."""
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        days, rest = divmod(seconds, 86_400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        return self.text(N_("{sign}{days}d {hours:02}:{minutes:02}:{seconds:02}")).format(
            sign=sign, days=days, hours=hours, minutes=minutes, seconds=secs)

    def yes(self, value: bool) -> str:
        return self.text(N_("yes") if value else N_("no"))

    def delivery(self, notifier: str, status: str) -> str:
        """A notification's delivery: its notifier and status by name."""
        return self.text(N_("{notifier}:{status}")).format(
            notifier=self.text(NOTIFIER_NAMES.get(notifier, notifier)),
            status=self.text(DELIVERY_NAMES.get(status, status)))

    def aggregate(self, aggregate: str) -> str:
        """How a panel's scores make its score: the mean, the trimmed mean."""
        return self.text(AGGREGATE_NAMES.get(aggregate, aggregate))

    def outcome(self, outcome: str) -> str:
        """A verdict or a panel's outcome: pass, fail, pending."""
        return self.text(OUTCOME_NAMES.get(outcome, outcome))

    def kind(self, kind: str) -> str:
        return self.text(KIND_NAMES.get(kind, kind))

    def category(self, key: str, policy: Policy) -> str:
        category = policy.categories.get(key)
        if category is None:
            return key
        return category.name if self.lang == "zh" else category.english


_current = Labels("en")
# A language for one piece of work (a page served to one browser), over the process's own.
_speaking: ContextVar[Labels | None] = ContextVar("accel666_speaking", default=None)


def use(lang: str) -> Labels:
    """Show everything from now on in `lang` (the command line's --lang); the Labels."""
    global _current
    _current = Labels(lang)
    return _current


@contextmanager
def speaking(lang: str) -> Iterator[Labels]:
    """Show what is made inside the block in `lang`, leaving the process's language (and any
    other request's) alone: a page served in its reader's language."""
    token = _speaking.set(Labels(lang))
    try:
        yield current()
    finally:
        _speaking.reset(token)


def current() -> Labels:
    return _speaking.get() or _current


def _(message: str) -> str:
    """`message` in the language in use."""
    return current().text(message)


# The source texts of the lifecycle's names (the keys stay the same in every language).
STATE_NAMES = {"docked": N_("docked"), "applied": N_("applied"),
               "recommended": N_("recommended"), "reviewed": N_("reviewed"),
               "signed": N_("signed"), "published": N_("published"), "rejected": N_("rejected"),
               "withdrawn": N_("withdrawn")}
PHASE_NAMES = {"docking": N_("docking"), "application": N_("application"),
               "recommendation": N_("recommendation"), "review": N_("review"),
               "signing": N_("signing"), "publication": N_("publication")}
# An export's header row: the import headings first (import reads both languages).
HEADINGS = {"title": N_("title"), "enterprise": N_("enterprise"),
            "credit_code": N_("credit_code"), "region": N_("region"), "category": N_("category"),
            "id": N_("id"), "region_name": N_("region_name"), "batch": N_("batch"),
            "state": N_("state"), "updated_at": N_("updated_at")}
# Every heading of a text table (output.table translates them where it draws them).
TABLE_HEADINGS = (
    N_("phase"), N_("opens"), N_("closes (last moment)"), N_("extended"), N_("open now"),
    N_("until"), N_("by"), N_("at"), N_("reason"), N_("follows"), N_("revoked"),
    N_("project"), N_("deadline"), N_("late by"), N_("level"), N_("next"), N_("target"),
    N_("fired"), N_("late"), N_("acknowledged"), N_("resolved"), N_("deliveries"), N_("row"),
    N_("column"), N_("value"), N_("sha256"), N_("applied at"), N_("#"), N_("event"),
    N_("from → to"), N_("actor"), N_("details"), N_("projects"), N_("published"),
    N_("in pipeline"), N_("progress"), N_("due"), N_("overdue"), N_("open escalations"),
    N_("name"), N_("role"), N_("granted at"),
    N_("key"), N_("unit"), N_("avoid"), N_("added at"), N_("expert"), N_("scored"),
    N_("score"), N_("comment"), N_("cell"), N_("objector"), N_("received at"), N_("outcome"),
)
# The acts a refusal names (every event of the lifecycle, and the others).
EVENT_NAMES = {"dock": N_("docking"), "apply": N_("the application"),
               "recommend": N_("the recommendation"), "review": N_("the review"),
               "sign": N_("the signing"), "publish": N_("the publication"),
               "reject": N_("the rejection"), "withdraw": N_("the withdrawal"),
               "extend": N_("the extension"), "ack": N_("the acknowledgement"),
               "publish_batch": N_("publishing the batch"),
               "rearm": N_("the re-arming"), "policy": N_("the policy change"),
               "grant": N_("adding an operator"), "revoke": N_("revoking an operator"),
               "read": N_("reading"),
               "notice": N_("the public notice"), "object": N_("the objection"),
               "resolve": N_("resolving an objection"),
               "start_notice": N_("starting a public notice")}
# Every guard a refusal can name (a test keeps this list whole).
GUARD_NAMES = {"window": N_("the phase window"), "materials": N_("the materials"),
               "role": N_("the role"), "scope": N_("the region"),
               "registration": N_("the registration region"),
               "reopen": N_("the reopening limit"), "state": N_("the project's state"),
               "verdict": N_("the verdict"), "projects": N_("the projects on record"),
               "duplicate": N_("one live project per enterprise"),
               "acknowledged": N_("one acknowledgement"), "revoke": N_("the revocation"),
               "revoked": N_("one revocation"), "reads": N_("what a role may read"),
               "retroactive": N_("what is already on record"),
               "notice": N_("the public notice"), "calendar": N_("the calendar of working days"),
               "resolved": N_("one resolution")}
# A guard that names another rule when another act is refused by it.
ACT_GUARD_NAMES: dict[tuple[str | None, str], str] = {
    ("grant", "duplicate"): N_("one operator per name")}
# What an invalid input or a missing thing is (a test keeps these lists whole).
FIELD_NAMES = {
    "actor": N_("actor"), "anchor": N_("anchor"), "batch": N_("batch"),
    "category": N_("category"), "credit code": N_("credit code"), "database": N_("database"),
    "document": N_("document"), "encoding": N_("encoding"), "event": N_("event"),
    "every": N_("every"),
    "file": N_("file"), "override": N_("override"), "phase": N_("phase"),
    "policy": N_("policy"), "projects": N_("projects"), "region": N_("region"),
    "role": N_("role"), "scope": N_("scope"), "sort": N_("sort"), "state": N_("state"),
    "verdict": N_("verdict"), "webhook": N_("webhook"), "actor name": N_("actor name"),
    "enterprise": N_("enterprise"), "escalation id": N_("escalation id"),
    "extension id": N_("extension id"), "limit": N_("limit"), "max attempts": N_("max attempts"),
    "note": N_("note"), "notifier": N_("notifier"), "now": N_("now"), "offset": N_("offset"),
    "opinion": N_("opinion"),
    "paper copies": N_("paper copies"), "project id": N_("project id"), "reason": N_("reason"),
    "score": N_("score"), "search": N_("search"), "title": N_("title"), "until": N_("until"),
    "name": N_("name"), "include revoked": N_("include revoked"),
    "expected version": N_("expected version"), "session lifetime": N_("session lifetime"),
    "text": N_("text"), "unit": N_("unit"), "outcome": N_("outcome"),
    "objection id": N_("objection id"),
}
OUTCOME_NAMES = {"pass": N_("pass"), "fail": N_("fail"), "pending": N_("pending"),
                 "upheld": N_("upheld"), "dismissed": N_("dismissed")}
# The events as a diagram labels its edges: a word each.
SHORT_EVENT_NAMES = {"dock": N_("dock"), "apply": N_("apply"), "recommend": N_("recommend"),
                     "review": N_("review"), "sign": N_("sign"), "publish": N_("publish"),
                     "reject": N_("reject"), "withdraw": N_("withdraw")}
AGGREGATE_NAMES = {"mean": N_("mean"), "trimmed_mean": N_("trimmed mean")}
ROLE_NAMES = {"province": N_("the province"), "city": N_("a city bureau"),
              "tencent": N_("Tencent"), "enterprise": N_("an enterprise"),
              "expert": N_("an expert"), "system": N_("the system")}
NOTIFIER_NAMES = {"log": N_("log"), "webhook": N_("webhook")}
DELIVERY_NAMES = {"pending": N_("pending"), "delivered": N_("delivered"),
                  "failed": N_("failed")}
KIND_NAMES = {"database": N_("database"), "document of project": N_("document of project"),
              "escalation": N_("escalation"), "extension": N_("extension"),
              "project": N_("project"), "operator": N_("operator"), "notifier": N_("notifier"),
              "notice of batch": N_("notice of batch"), "objection": N_("objection")}
# The expert review: its acts, the rules that refuse them, what they take and find.
EVENT_NAMES.update({"expert": N_("adding an expert"), "panel": N_("assigning a panel"),
                    "score": N_("the score"), "recuse": N_("the recusal")})
GUARD_NAMES.update({"avoid": N_("whom an expert must avoid"),
                    "panel_size": N_("the size of a panel"), "panel": N_("the panel"),
                    "quorum": N_("the panel's quorum"),
                    "agreement": N_("the score against the pass mark"),
                    "once": N_("one score per expert")})
ACT_GUARD_NAMES.update({("expert", "duplicate"): N_("one expert per key"),
                        ("panel", "duplicate"): N_("one seat per expert")})
FIELD_NAMES.update({"expert key": N_("expert key"), "experts": N_("experts"),
                    "avoid": N_("avoid"), "unit": N_("unit"), "comment": N_("comment")})
KIND_NAMES.update({"expert": N_("expert")})

# Each command as `accel666 --help` lists it in another language than English (a test keeps
# this list equal to the commands).
COMMAND_SUMMARIES = {
    "dock": N_("Register a new project (state: docked) and print its id."),
    "apply": N_("File the joint application of a docked project, with its materials."),
    "recommend": N_("Recommend an application to the province (the city bureau)."),
    "review": N_("Record the provincial expert review of a recommended project."),
    "sign": N_("Sign a reviewed project at the signing ceremony."),
    "publish": N_("Publish a signed project, or every signed project of a batch."),
    "reject": N_("Decline an application or reject a recommended project."),
    "withdraw": N_("Withdraw a project that is not yet published."),
    "show": N_("Show one project: its facts, state, materials and what can happen next."),
    "list": N_("List projects: filter, search, sort, page."),
    "history": N_("Show a project's transition log."),
    "document": N_("Write the electronic document filed with a project's application."),
    "report": N_("Where the programme stands against its targets."),
    "import": N_("Dock every project of a spreadsheet, all rows or none."),
    "export": N_("Write the projects to a spreadsheet, JSON or Markdown file."),
    "diagram": N_("Print the project lifecycle as a state diagram."),
    "batches": N_("List every batch and its phase windows as they stand now."),
    "batch": N_("Acts on a whole batch: extend a window, list or revoke extensions."),
    "policy": N_("The policy: check a file, show, apply, history."),
    "verify": N_("Check that the record holds (against anchors too)."),
    "anchor": N_("Print one digest over every chain head, to keep outside."),
    "db": N_("The database's schema."),
    "operator": N_("Operators of the service: add one with its token, list, revoke."),
    "notice": N_("The public notice of a batch's reviewed projects: start, show."),
    "objection": N_("Objections to projects under notice: add, resolve, list."),
    "serve": N_("Serve the engine over HTTP: the API, its docs and the dashboard."),
    "demo": N_("Simulate batch 2020-1 on a fresh database."),
    "escalate": N_("Record every escalation that is due now, and deliver them."),
    "scheduler": N_("Run the escalation sweep as a resident service."),
    "todo": N_("What a role may do next, and by when."),
    "overdue": N_("List the projects overdue now."),
    "escalations": N_("List the escalations on record."),
    "ack": N_("Acknowledge an escalation."),
    "rearm": N_("Give the failed deliveries of an escalation a fresh set of attempts."),
    "expert": N_("The registry of experts: add one, list them."),
    "panel": N_("The expert panel of a project: assign experts, show it."),
    "score": N_("Score a project on your panel (an expert), once."),
    "recuse": N_("Leave a project's panel before scoring it (an expert)."),
}
