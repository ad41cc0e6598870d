"""Load and check the programme's policy file (TOML) into `policies.model` values.

The check is strict and complete: a key the file format does not know, a state, event, role or
phase that does not exist, and windows out of phase order are problems, and every problem found
in one pass is reported together (`PolicyError.problems`), each naming the file and key.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accel666.errors import WorkflowError
from accel666.lifecycle import ACTS, PHASES, STATE_OF_PHASE, STATES
from accel666.policies.endpoint import shown, webhook_fault
from accel666.policies.model import (
    AGGREGATES,
    GATEABLE,
    IMPLIED_REACH,
    NOTICE_OFF,
    REACHES,
    RESPONSIBLE,
    SCOPES,
    Batch,
    Category,
    Grant,
    Ladder,
    Level,
    Materials,
    NoticeRule,
    OverdueRule,
    Policy,
    Region,
    Review,
    Role,
    Window,
    WorkCalendar,
)
from accel666.policies.reader import FIRST_DAY, LAST_DAY, Reader, closest, unknown

DEFAULT_POLICY = "programme.toml"
BUILTIN = "builtin"

# The keys each table of the file may hold, in the order the built-in file writes them.
# Upper bounds of the policy's numbers (README, "The policy file"): beyond them a value is a
# typo, and some would overflow the calendar or retry forever.
MAX_PAPER_COPIES = 100
MAX_DOCUMENT_BYTES = 1 << 30
MAX_TARGET = 1_000_000
MAX_DELAY_DAYS = 366
MAX_TIMEOUT_SECONDS = 300
MAX_ATTEMPTS = 100
MAX_BACKOFF_SECONDS = 86_400
MAX_BACKOFF_MAX_SECONDS = 7 * 86_400

TOP_LEVEL = ("extends", "timezone", "targets_by", "province", "regions", "materials", "categories",
             "roles", "permissions", "reads", "batches", "extensions", "escalation",
             "notice", "calendar", "review")
EXTENSIONS = ("reopen_within_days",)
MAX_REOPEN_DAYS = 366
MATERIALS = ("min_paper_copies", "electronic_documents", "max_document_bytes")
CATEGORY = ("key", "name", "english", "target")
REGION = ("code", "name", "key")
ROLE = ("scope",)
GRANT = ("role", "from")
BATCH = ("key", "name", "windows_out_of_order", "windows")
WINDOW = ("opens", "closes")
ESCALATION = ("ack_stops_ladder", "supervisor", "webhook", "webhook_timeout_seconds",
              "max_attempts", "backoff_seconds", "backoff_max_seconds", "phases", "levels")
OVERDUE_RULE = ("overdue", "responsible")
LEVEL = ("level", "delay_days", "target", "lapses")
NOTICE = ("working_days", "gates", "contact")
CALENDAR = ("holidays", "workdays")
MAX_WORKING_DAYS = 60
REVIEW = ("panel_size", "quorum", "pass_mark", "aggregate")
MAX_PANEL_SIZE = 25
MAX_MARK = 100
# The states a project can be overdue in: those a phase reaches (rejected and withdrawn are ends).
OVERDUE_STATES = tuple(STATE_OF_PHASE.values())


class PolicyError(WorkflowError, ValueError):
    """The policy file is unreadable or breaks rules; each of `problems` names the file and key.
    The message is the problems, one a line. A ValueError too, as a value that does not parse."""

    exit_code: ClassVar[int] = 2
    http_status: ClassVar[int] = 400

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems: list[str] = list(problems)

    def details(self) -> dict[str, Any]:
        """The problems, for logs and `--json` error output."""
        return {"problems": self.problems}


def _builtin_text() -> str:
    return resources.files("accel666.policies").joinpath(DEFAULT_POLICY).read_text(encoding="utf-8")


def load_default() -> Policy:
    return parse(_builtin_text(), source=f"<{BUILTIN} {DEFAULT_POLICY}>")


def load(path: str | Path | None = None) -> Policy:
    """Load the policy at `path`, or the programme's built-in policy when `path` is None."""
    if path is None:
        return load_default()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read policy file {p}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise PolicyError(f"policy file {p} is not UTF-8 text") from exc
    except ValueError as exc:  # e.g. "embedded null byte" from open()
        raise PolicyError(f"cannot read policy file {str(p)!r}: {exc}") from exc
    return parse(text, source=str(p))


def parse(text: str, source: str = "<policy>") -> Policy:
    """Parse a policy. A file with `extends = "builtin"` adds to the built-in programme: its
    batches are added to the built-in ones and any other top-level key replaces the built-in's.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from exc
    except RecursionError as exc:  # tomllib reads nested arrays and tables recursively
        raise PolicyError(f"{source}: not valid TOML: nested more deeply than any policy "
                          "(arrays or inline tables within one another)") from exc
    base = raw.pop("extends", None)
    if base is not None:
        if base != BUILTIN:
            raise PolicyError(f"{source}: extends: only {BUILTIN!r} can be extended, not {base!r}")
        merged = tomllib.loads(_builtin_text())
        added = raw.pop("batches", [])
        if not isinstance(added, list):
            raise PolicyError(f"{source}: batches: expected a list of [[batches]] tables")
        merged.update(raw)
        merged["batches"] = [*merged["batches"], *added]
        raw = merged
    reader = _Reader(source)
    policy = reader.policy(raw)
    if policy is None:
        raise PolicyError(*reader.problems)
    return policy


class _Reader(Reader):
    """The programme's tables, as `policy` reads them.

    A role is checked against the names the [roles] table declares, so a role with a broken
    entry is still a known name elsewhere and is reported once, where it is declared.
    """

    def role(self, name: str, where: str, roles: list[str] | None, extra: tuple[str, ...] = ()
             ) -> None:
        if roles is not None and name not in roles and name not in extra:
            self.problem(where, unknown("target" if extra else "role", name, [*roles, *extra]))

    def policy(self, raw: dict[str, Any]) -> Policy | None:
        top = "top level"
        self.keys(raw, top, TOP_LEVEL)
        zone = self.zone(self.get(raw, "timezone", str, top))
        targets_by = self.day(raw, "targets_by", top, "2022-12-31")
        province = self.province(self.get(raw, "province", str, top))
        regions = self.regions(self.get(raw, "regions", list, top), province)
        materials = self.materials(self.get(raw, "materials", dict, top))
        categories = self.categories(self.get(raw, "categories", list, top))
        role_table = self.get(raw, "roles", dict, top)
        roles = self.roles(role_table)
        names = None if role_table is None else list(role_table)
        permissions = self.permissions(self.get(raw, "permissions", dict, top), names)
        reads = self.reads(self.get(raw, "reads", dict, top, required=False), role_table)
        # Windows of a file without a valid zone are still checked; the policy is not built.
        batches = self.batches(self.get(raw, "batches", list, top), zone or ZoneInfo("UTC"))
        reopen = self.extensions(self.get(raw, "extensions", dict, top, required=False))
        escalation = self.escalation(raw.get("escalation"), names)
        notice = self.notice(self.get(raw, "notice", dict, top, required=False))
        calendar = self.calendar(self.get(raw, "calendar", dict, top, required=False))
        review = self.review(raw.get("review"))
        if self.problems:
            return None
        # Every part that came back None noted a problem.
        assert zone and targets_by and province and regions and materials and categories
        assert roles is not None
        assert permissions and batches and escalation
        return Policy(zone=zone, targets_by=targets_by, province=province,
                      reopen_within_days=reopen, materials=materials,
                      categories=categories, regions=regions, roles=roles,
                      permissions=permissions, batches=batches, source=self.source,
                      escalation=escalation, reads=reads, notice=notice, calendar=calendar,
                      review=review)

    def zone(self, name: str | None) -> ZoneInfo | None:
        if name is None:
            return None
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem("timezone", f"unknown time zone {name!r}")
            return None

    def materials(self, t: dict[str, Any] | None) -> Materials | None:
        where = "materials"
        if t is None:
            return None
        self.keys(t, where, MATERIALS)
        copies = self.get(t, "min_paper_copies", int, where)
        documents = self.get(t, "electronic_documents", int, where)
        size = self.get(t, "max_document_bytes", int, where)
        if copies is not None and copies < 0:
            self.problem(f"{where}.min_paper_copies", "must be 0 or more")
        if documents is not None and documents < 0:
            self.problem(f"{where}.electronic_documents", "must be 0 or more")
        elif documents is not None and documents > 1:
            self.problem(f"{where}.electronic_documents", "at most 1 is supported")
        if size is not None and size < 1:
            self.problem(f"{where}.max_document_bytes", "must be at least 1")
        self.at_most(copies, f"{where}.min_paper_copies", MAX_PAPER_COPIES)
        self.at_most(size, f"{where}.max_document_bytes", MAX_DOCUMENT_BYTES)
        if copies is None or documents is None or size is None:
            return None
        return Materials(copies, documents, size)

    def categories(self, items: list[Any] | None) -> dict[str, Category] | None:
        if items is None:
            return None
        if not items:
            self.problem("categories", "at least one category is needed")
        out: dict[str, Category] = {}
        for _, where, t in self.entries(items, "categories"):
            self.keys(t, where, CATEGORY)
            key = self.get(t, "key", str, where)
            name = self.get(t, "name", str, where)
            english = self.get(t, "english", str, where)
            target = self.get(t, "target", int, where)
            if target is not None and target < 0:
                self.problem(f"{where}.target", "must be 0 or more")
            self.at_most(target, f"{where}.target", MAX_TARGET)
            if key is not None and key in out:
                self.problem(where, f"duplicate category key {key!r}")
            elif None not in (key, name, english, target):
                out[key] = Category(key, name, english, target)
        return out

    def province(self, code: str | None) -> str | None:
        """The province's own division code: six digits ending in 0000."""
        if code is None:
            return None
        if len(code) != 6 or not code.isdigit() or not code.endswith("0000"):
            self.problem("province", f"{code!r} is not a province's division code (e.g. "
                         "'320000', six digits ending in 0000)")
            return None
        return code

    def regions(self, items: list[Any] | None, province: str | None
                ) -> dict[str, Region] | None:
        if items is None:
            return None
        if not items:
            self.problem("regions", "at least one region is needed")
        out: dict[str, Region] = {}
        seen: set[str] = set()
        for _, where, t in self.entries(items, "regions"):
            self.keys(t, where, REGION)
            code = self.get(t, "code", str, where)
            name = self.get(t, "name", str, where)
            key = self.get(t, "key", str, where)
            if code is None or name is None or key is None:
                continue
            r = Region(code=code, name=name, key=key.lower())
            if len(r.code) != 6 or not r.code.isdigit():
                self.problem(f"{where}.code", f"{r.code!r} is not a 6-digit division code")
            elif province is not None and (r.code[:2] != province[:2] or r.code == province):
                self.problem(f"{where}.code", f"{r.code!r} is not a division inside province "
                             f"{province}")
            for label in (r.code, r.name, r.key):
                if label in seen:
                    self.problem(where, f"{label!r} names two regions")
                seen.add(label)
            out[r.code] = r
        return out

    def roles(self, t: dict[str, Any] | None) -> dict[str, Role] | None:
        if t is None:
            return None
        out: dict[str, Role] = {}
        for key, spec in t.items():
            where = f"roles.{key}"
            if not isinstance(spec, dict):
                self.problem(where, "expected a table")
                continue
            self.keys(spec, where, ROLE)
            scope = self.get(spec, "scope", str, where)
            if scope is not None and scope not in SCOPES:
                self.problem(f"{where}.scope", f"{scope!r} is not one of {', '.join(SCOPES)}")
            elif scope is not None:
                out[key] = Role(key=key, scope=scope)
        return out

    def permissions(self, t: dict[str, Any] | None, roles: list[str] | None
                    ) -> dict[str, tuple[Grant, ...]] | None:
        if t is None:
            return None
        out: dict[str, tuple[Grant, ...]] = {}
        for event, grants in t.items():
            where = f"permissions.{event}"
            if event not in ACTS:
                self.problem("permissions", unknown("event", event, ACTS))
                continue
            if not isinstance(grants, list):
                self.problem(where, "expected a list of {role = ...} tables")
                continue
            parsed = []
            for _, gw, g in self.entries(grants, where):
                self.keys(g, gw, GRANT)
                role = self.get(g, "role", str, gw)
                if role is not None:
                    self.role(role, f"{gw}.role", roles)
                sources = g.get("from")
                if sources is not None and (
                    not isinstance(sources, list) or not all(isinstance(s, str) for s in sources)
                ):
                    self.problem(f"{gw}.from", "expected a list of state names")
                    continue
                for state in sources or []:
                    if state not in STATES:
                        self.problem(f"{gw}.from", unknown("state", state, STATES))
                if role is not None:
                    parsed.append(Grant(role, None if sources is None else frozenset(sources)))
            out[event] = tuple(parsed)
        return {event: out.get(event, ()) for event in ACTS}

    def reads(self, t: dict[str, Any] | None, roles: dict[str, Any] | None) -> dict[str, str]:
        """The [reads] table: each role's reach over projects (REACHES). A role it leaves out
        (or a file without it) reads as its scope implies: an enterprise its own projects, a
        city bureau its region's, a province-wide role every project."""
        where = "reads"
        scopes = {key: spec.get("scope") for key, spec in (roles or {}).items()
                  if isinstance(spec, dict)}
        out: dict[str, str] = {}
        for role in t or {}:
            if roles is not None and role not in roles:
                self.problem(where, unknown("role", role, roles))
                continue
            kind: str | None = self.get(t or {}, role, str, where)
            if kind is None:
                continue
            if kind not in REACHES:
                close = closest(kind, REACHES)
                hint = f"did you mean {close!r}?" if close else f"reaches: {', '.join(REACHES)}"
                self.problem(f"{where}.{role}", f"unknown reach {kind!r} ({hint})")
                continue
            scope = scopes.get(role)
            needed = {"region": ("region", "a region"), "own": ("enterprise", "an enterprise"),
                      "panel": ("expert", "an expert")}
            if kind in needed and scope in SCOPES and scope != needed[kind][0]:
                self.problem(f"{where}.{role}", f"reach {kind!r} needs a role scoped to "
                             f"{needed[kind][1]} (roles.{role} has scope {scope!r})")
                continue
            out[role] = kind
        return {role: out.get(role) or IMPLIED_REACH.get(scope or "", "all")
                for role, scope in scopes.items()}

    def batches(self, items: list[Any] | None, zone: ZoneInfo) -> dict[str, Batch] | None:
        if items is None:
            return None
        if not items:
            self.problem("batches", "at least one batch is needed")
        out: dict[str, Batch] = {}
        for _, where, t in self.entries(items, "batches"):
            key = self.text(t, "key", where)
            if key is not None and (not key or key != key.strip()):
                self.problem(f"{where}.key", "must be non-empty without surrounding spaces")
                key = None
            elif key is not None and key in out:
                self.problem(where, f"duplicate batch key {key!r}")
                key = None
            elif key is not None:
                where = f"batches[{key}]"
            self.keys(t, where, BATCH)
            name = self.text(t, "name", where, required=False)
            out_of_order = self.get(t, "windows_out_of_order", bool, where, required=False)
            windows = self.windows(self.get(t, "windows", dict, where), f"{where}.windows", zone,
                                   ordered=not out_of_order)
            if key is not None and windows is not None:
                out[key] = Batch(key, key if name is None else name, windows, bool(out_of_order))
        return out

    def windows(self, t: dict[str, Any] | None, where: str, zone: ZoneInfo, *, ordered: bool
                ) -> dict[str, Window] | None:
        if t is None:
            return None
        for phase in t:
            if phase not in PHASES:
                self.unknown(where, "phase", phase, PHASES)
        out: dict[str, Window] = {}
        for phase in PHASES:
            ww = f"{where}.{phase}"
            w = t.get(phase)
            if w is None:
                if (where, phase) not in self.misspelt:
                    self.problem(ww, "missing window")
                continue
            if not isinstance(w, dict):
                self.problem(ww, "expected a table {opens = ..., closes = ...}")
                continue
            self.keys(w, ww, WINDOW)
            closes = self.day(w, "closes", ww, "2020-08-30")
            opens = self.day(w, "opens", ww, "2020-10-01", required=False)
            if closes is None:
                continue
            if opens is not None and opens > closes:
                self.problem(ww, f"opens {opens} after it closes {closes}")
            out[phase] = Window(phase, opens, closes, zone)
        if ordered:
            self.phase_order(out, where)
        return out

    def phase_order(self, windows: dict[str, Window], where: str) -> None:
        """A phase may not close before an earlier phase (in PHASES order) closes."""
        latest: Window | None = None
        for phase in PHASES:
            w = windows.get(phase)
            if w is None:
                continue
            if latest is not None and w.closes < latest.closes:
                self.problem(f"{where}.{phase}",
                             f"closes {w.closes}, before the {latest.phase} window closes "
                             f"({latest.closes}); if that is intended, set "
                             "windows_out_of_order = true in the batch")
            else:
                latest = w

    def extensions(self, t: dict[str, Any] | None) -> int:
        """The [extensions] table: how many days after a window closed it may be reopened
        without an override (default 30)."""
        if t is None:
            return Policy.reopen_within_days
        self.keys(t, "extensions", EXTENSIONS)
        days: int | None = self.get(t, "reopen_within_days", int, "extensions", required=False)
        if days is None:
            return Policy.reopen_within_days
        if days < 0:
            self.problem("extensions.reopen_within_days", "must be 0 or more")
        self.at_most(days, "extensions.reopen_within_days", MAX_REOPEN_DAYS)
        return days

    def notice(self, t: dict[str, Any] | None) -> NoticeRule:
        """The [notice] table: the public notice before signing; without one, no event waits
        for a notice. `gates` is "" (none) or event names, comma-separated."""
        if t is None:
            return NOTICE_OFF
        where = "notice"
        self.keys(t, where, NOTICE)
        d = NoticeRule()
        days = self.get(t, "working_days", int, where, required=False)
        if days is not None and not 1 <= days <= MAX_WORKING_DAYS:
            self.problem(f"{where}.working_days", f"must be from 1 to {MAX_WORKING_DAYS} "
                         f"(got {days})")
            days = None
        gates = self.get(t, "gates", str, where, required=False)
        events = d.gates if gates is None else tuple(
            dict.fromkeys(g.strip() for g in gates.split(",") if g.strip()))
        for event in events:
            if event not in GATEABLE:
                self.problem(f"{where}.gates", unknown("event", event, GATEABLE))
        contact = self.text(t, "contact", where, required=False)
        if contact is not None and not contact.strip():
            self.problem(f"{where}.contact", "must say how to object, not be empty")
        return NoticeRule(working_days=d.working_days if days is None else days, gates=events,
                      contact=contact or d.contact)

    def calendar(self, t: dict[str, Any] | None) -> WorkCalendar:
        """The [calendar] table: statutory holidays and adjusted working days for years the
        programme's calendar of China does not know yet (or corrects)."""
        if t is None:
            return WorkCalendar()
        where = "calendar"
        self.keys(t, where, CALENDAR)
        found: dict[str, frozenset[Any]] = {}
        for key in CALENDAR:
            days = self.get(t, key, list, where, required=False) or []
            for i, day in enumerate(days):
                if not isinstance(day, date) or isinstance(day, datetime) \
                        or not FIRST_DAY <= day <= LAST_DAY:
                    self.problem(f"{where}.{key}[{i}]", f"expected a date from {FIRST_DAY} to "
                                 f"{LAST_DAY} such as 2027-01-01, got {day!r}")
            found[key] = frozenset(d for d in days if isinstance(d, date)
                                   and not isinstance(d, datetime))
        for day in sorted(found["holidays"] & found["workdays"]):
            self.problem(where, f"{day} is both a holiday and a working day")
        return WorkCalendar(holidays=found["holidays"], workdays=found["workdays"])
    def review(self, t: Any) -> Review | None:
        """The [review] table: the expert panels; without one, the province reviews alone as
        before panels existed. A key left out takes its built-in value (a quorum no larger
        than the panel)."""
        where = "review"
        if t is None:
            return None
        if not isinstance(t, dict):
            self.problem(where, "expected a table")
            return None
        self.keys(t, where, REVIEW)
        d = Review()
        size = self.get(t, "panel_size", int, where, required=False)
        size = d.panel_size if size is None else size
        quorum = self.get(t, "quorum", int, where, required=False)
        quorum = min(d.quorum, max(size, 0)) if quorum is None else quorum
        mark = self.get(t, "pass_mark", int, where, required=False)
        mark = d.pass_mark if mark is None else mark
        method = self.get(t, "aggregate", str, where, required=False) or d.aggregate
        if size < 0:
            self.problem(f"{where}.panel_size", "must be 0 or more (0: the province reviews "
                         "alone)")
        self.at_most(size, f"{where}.panel_size", MAX_PANEL_SIZE)
        if size > 0 and quorum < 1:
            self.problem(f"{where}.quorum", "must be at least 1 with a panel")
        elif quorum < 0:
            self.problem(f"{where}.quorum", "must be 0 or more")
        if quorum > max(size, 0):
            self.problem(f"{where}.quorum", f"must be at most panel_size ({size}) (got "
                         f"{quorum})")
        if mark < 0:
            self.problem(f"{where}.pass_mark", "must be 0 or more")
        self.at_most(mark, f"{where}.pass_mark", MAX_MARK)
        if method not in AGGREGATES:
            close = closest(method, AGGREGATES)
            hint = f"did you mean {close!r}?" if close else f"use {' or '.join(AGGREGATES)}"
            self.problem(f"{where}.aggregate", f"unknown aggregate {method!r} ({hint})")
        return Review(size, quorum, mark, method)

    def escalation(self, t: Any, roles: list[str] | None) -> Ladder | None:
        """The [escalation] table; without one, nothing escalates."""
        where = "escalation"
        if t is None:
            return Ladder()
        if not isinstance(t, dict):
            self.problem(where, "expected a table")
            return None
        self.keys(t, where, ESCALATION)
        d = Ladder()
        opt = {k: self.get(t, k, kind, where, required=False) for k, kind in (
            ("ack_stops_ladder", bool), ("supervisor", str), ("webhook", str),
            ("webhook_timeout_seconds", (int, float)), ("max_attempts", int),
            ("backoff_seconds", int), ("backoff_max_seconds", int))}
        opt = {k: getattr(d, k) if v is None else v for k, v in opt.items()}
        self.role(opt["supervisor"], f"{where}.supervisor", roles)
        webhook = opt["webhook"] or None
        if webhook is not None and (fault := webhook_fault(webhook)) is not None:
            self.problem(f"{where}.webhook", f"{shown(webhook)!r} is not a webhook URL: {fault}")
        if opt["webhook_timeout_seconds"] <= 0:
            self.problem(f"{where}.webhook_timeout_seconds", "must be more than 0")
        if opt["max_attempts"] < 1:
            self.problem(f"{where}.max_attempts", "must be at least 1")
        if opt["backoff_seconds"] < 0:
            self.problem(f"{where}.backoff_seconds", "must be 0 or more")
        if opt["backoff_max_seconds"] < opt["backoff_seconds"]:
            self.problem(f"{where}.backoff_max_seconds", "must be at least backoff_seconds")
        for key, high in (("webhook_timeout_seconds", MAX_TIMEOUT_SECONDS),
                          ("max_attempts", MAX_ATTEMPTS), ("backoff_seconds", MAX_BACKOFF_SECONDS),
                          ("backoff_max_seconds", MAX_BACKOFF_MAX_SECONDS)):
            self.at_most(opt[key], f"{where}.{key}", high)
        phases = self.overdue_rules(self.get(t, "phases", dict, where), roles)
        levels = self.levels(self.get(t, "levels", list, where), roles)
        if phases is None or levels is None:
            return None
        return Ladder(
            phases=phases, levels=levels,
            ack_stops_ladder=opt["ack_stops_ladder"], supervisor=opt["supervisor"],
            webhook=webhook, webhook_timeout_seconds=float(opt["webhook_timeout_seconds"]),
            max_attempts=opt["max_attempts"], backoff_seconds=opt["backoff_seconds"],
            backoff_max_seconds=opt["backoff_max_seconds"],
        )

    def overdue_rules(self, t: dict[str, Any] | None, roles: list[str] | None
                      ) -> dict[str, OverdueRule] | None:
        if t is None:
            return None
        out: dict[str, OverdueRule] = {}
        for phase, spec in t.items():
            where = f"escalation.phases.{phase}"
            if phase not in PHASES:
                self.problem("escalation.phases", unknown("phase", phase, PHASES))
                continue
            if not isinstance(spec, dict):
                self.problem(where, "expected a table {overdue = [...], responsible = ...}")
                continue
            self.keys(spec, where, OVERDUE_RULE)
            overdue = self.get(spec, "overdue", list, where)
            if overdue is not None and (not overdue or not all(isinstance(s, str) for s in overdue)):
                self.problem(f"{where}.overdue", "expected a non-empty list of state names")
                overdue = None
            for state in overdue or []:
                if state not in OVERDUE_STATES:
                    self.problem(f"{where}.overdue", unknown("state", state, OVERDUE_STATES))
            responsible = self.get(spec, "responsible", str, where)
            if responsible is not None:
                self.role(responsible, f"{where}.responsible", roles)
            if overdue is not None and responsible is not None:
                out[phase] = OverdueRule(phase, tuple(overdue), responsible)
        return out

    def levels(self, items: list[Any] | None, roles: list[str] | None) -> tuple[Level, ...] | None:
        if items is None:
            return None
        if not items:
            self.problem("escalation.levels", "at least one level is needed")
        out: list[Level] = []
        for i, where, t in self.entries(items, "escalation.levels"):
            self.keys(t, where, LEVEL)
            number = self.get(t, "level", int, where)
            delay = self.get(t, "delay_days", int, where)
            target = self.get(t, "target", str, where)
            lapses = self.get(t, "lapses", bool, where, required=False)
            if number is not None and number != i + 1:
                self.problem(f"{where}.level",
                             f"expected {i + 1}: levels are numbered 1, 2, … in order")
            self.at_most(delay, f"{where}.delay_days", MAX_DELAY_DAYS)
            if delay is not None and delay < 0:
                self.problem(f"{where}.delay_days", "must be 0 or more")
            elif delay is not None and out and delay < out[-1].delay_days:
                self.problem(f"{where}.delay_days",
                             f"must not be less than level {i}'s ({out[-1].delay_days})")
            if target is not None:
                self.role(target, f"{where}.target", roles, extra=(RESPONSIBLE,))
            if number is not None and delay is not None and target is not None:
                out.append(Level(number, delay, target, bool(lapses)))
        return tuple(out)
