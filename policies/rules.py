"""Pure decisions of the programme: (policy, facts, now) -> allowed, or a Denial saying why.

Nothing here reads a clock, a database or the environment; callers pass `now` (aware).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from accel666.lifecycle import PHASE_OF_EVENT, PHASES
from accel666.policies.model import IMPLIED_REACH, Batch, Policy, Region, Window

# Guard names, as they appear in refusals and logs.
WINDOW = "window"
MATERIALS = "materials"
ROLE = "role"
SCOPE = "scope"
REGISTRATION = "registration"
REOPEN = "reopen"
READS = "reads"


@dataclass(frozen=True)
class Denial:
    """Why a guard said no: the guard's name, a sentence, and the facts behind it."""

    guard: str
    message: str
    facts: dict[str, Any] = field(default_factory=dict)


class LookupFailed(ValueError):
    """A name the user typed does not name anything in the policy."""


def find_region(policy: Policy, text: str) -> Region:
    """The region named by its 6-digit code, Chinese name or pinyin key (any case)."""
    wanted = text.strip()
    for r in policy.regions.values():
        if wanted in (r.code, r.name) or wanted.lower() == r.key:
            return r
    # Accept the Chinese name without its 市/县 suffix, as people write it.
    for r in policy.regions.values():
        if wanted and r.name[:-1] == wanted:
            return r
    keys = ", ".join(r.key for r in policy.regions.values())
    raise LookupFailed(f"unknown region {text!r}; use a code, a Chinese name or one of: {keys}")


def find_batch(policy: Policy, key: str) -> Batch:
    if key not in policy.batches:
        raise LookupFailed(f"unknown batch {key!r}; batches: {', '.join(policy.batches)}")
    return policy.batches[key]


def effective_window(window: Window, extended_until: date | None) -> Window:
    """The window as extended by a recorded extension (extensions only ever lengthen it)."""
    if extended_until is None:
        return window
    return replace(window, closes=max(window.closes, extended_until))


def last_moment(window: Window) -> datetime:
    return window.closes_at - timedelta(microseconds=1)


def show_time(moment: datetime, zone: Any) -> str:
    """A moment as people read it: local wall time to the second, with the offset."""
    local = moment.astimezone(zone)
    off = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {off[:3]}:{off[3:]}"


def check_window(
    batch: Batch, event: str, now: datetime, extended_until: date | None = None
) -> Denial | None:
    """Is the phase window that guards `event` open at `now`? None for events without one."""
    phase = PHASE_OF_EVENT.get(event)
    if phase is None:
        return None
    w = effective_window(batch.windows[phase], extended_until)
    facts = {"batch": batch.key, "phase": phase, "now": now.isoformat()}
    if w.opens_at is not None and now < w.opens_at:
        facts["opens_at"] = w.opens_at.isoformat()
        return Denial(
            WINDOW,
            f"the {phase} window of batch {batch.key} opens at {show_time(w.opens_at, w.zone)}",
            facts,
        )
    if now >= w.closes_at:
        facts["closed_at"] = last_moment(w).isoformat()
        return Denial(
            WINDOW,
            f"the {phase} window of batch {batch.key} closed at "
            f"{show_time(last_moment(w), w.zone)}",
            facts,
        )
    return None


def open_batches(policy: Policy, event: str, now: datetime) -> list[Batch]:
    """Batches whose window for `event` is open at `now` (extensions not counted)."""
    return [b for b in policy.batches.values() if check_window(b, event, now) is None]


def check_materials(policy: Policy, paper_copies: int, documents: int) -> Denial | None:
    m = policy.materials
    missing = []
    if paper_copies < m.min_paper_copies:
        missing.append(f"{m.min_paper_copies} paper copies (got {paper_copies})")
    if documents < m.electronic_documents:
        missing.append(f"{m.electronic_documents} electronic document (got {documents})")
    if not missing:
        return None
    return Denial(
        MATERIALS,
        "the application needs " + " and ".join(missing),
        {"paper_copies": paper_copies, "documents": documents,
         "min_paper_copies": m.min_paper_copies,
         "electronic_documents": m.electronic_documents},
    )


def authorise(
    policy: Policy,
    role: str,
    scope: str | None,
    event: str,
    *,
    source: str | None,
    region: str,
    credit_code: str | None,
) -> Denial | None:
    """May an actor of `role` (with `scope`) fire `event` on a project in `region`?

    `source` is the project's state (None when docking a new project); `credit_code` is the
    enterprise's code, checked against an enterprise actor's scope.
    """
    facts = {"event": event, "role": role, "scope": scope, "region": region or None,
             "source": source}  # no region for an act on the programme (publish, extend)
    grants = [g for g in policy.permissions[event] if g.role == role]
    if not grants:
        allowed = ", ".join(g.role for g in policy.permissions[event]) or "nobody"
        return Denial(ROLE, f"role {role} may not {event} (allowed: {allowed})", facts)
    if source is not None and not any(g.sources is None or source in g.sources for g in grants):
        states = sorted({s for g in grants for s in (g.sources or ())})
        return Denial(
            ROLE,
            f"role {role} may {event} only a project in state {' or '.join(states)}, "
            f"not one in state {source}",
            facts,
        )
    kind = policy.roles[role].scope
    if kind != "none" and not region:  # an act on the whole programme, not on one project
        return Denial(SCOPE, f"{role}:{scope} may not {event}: it applies to the whole "
                             "programme, beyond one actor's scope", facts)
    if kind == "region" and scope != region:
        name = policy.regions[region].name
        return Denial(
            SCOPE, f"{role}:{scope} may not act on a project of region {region} ({name})", facts
        )
    if kind == "enterprise" and scope != credit_code:
        return Denial(
            SCOPE, f"enterprise {scope} may act only on its own projects", facts
        )
    return None


def registered_region(policy: Policy, credit_code: str) -> str | None:
    """The region whose bureau answers for an enterprise by where it was registered: the
    division code in characters 3-8 of its credit code, matched exactly (a pilot carved out of
    its city, or a city's own office) or by its city's four digits (any district or county,
    old codes included). None when it was registered outside the province, at the province's
    own office, or under a division no region covers."""
    division = credit_code[2:8]  # regions lie in the province, below its office (the loader)
    if division in policy.regions:
        return division
    city = division[:4] + "00"
    return city if city in policy.regions else None


def check_registration(policy: Policy, role: str, scope: str | None,
                       credit_code: str) -> Denial | None:
    """May an actor of a regional role dock this enterprise? Only one registered in its own
    region, or one no region answers for (see `registered_region`)."""
    if policy.roles[role].scope != "region":
        return None
    home = registered_region(policy, credit_code)
    if home is None or home == scope:
        return None
    name = policy.regions[home].name
    return Denial(
        REGISTRATION,
        f"the enterprise {credit_code} is registered in {home} ({name}): its bureau, "
        f"{role}:{policy.regions[home].key}, docks it, not {role}:{scope}",
        {"credit_code": credit_code, "division": credit_code[2:8], "registered_region": home,
         "registered_region_name": name, "role": role, "scope": scope},
    )


def later_phases(batch: Batch, phase: str) -> list[str]:
    """The batch's phases after `phase`, in lifecycle order."""
    return [name for name in PHASES[PHASES.index(phase) + 1:] if name in batch.windows]


def check_reopen(policy: Policy, batch: Batch, window: Window, now: datetime,
                 override: bool) -> Denial | None:
    """May an extension reopen `window` (as it stands) at `now`? Not once it has been closed
    longer than the policy's reopen_within_days, unless the province overrides the limit."""
    closed_for = now - window.closes_at  # negative while the window is open
    if override or closed_for <= timedelta(days=policy.reopen_within_days):
        return None
    return Denial(
        REOPEN,
        f"the {window.phase} window of batch {batch.key} closed at "
        f"{show_time(last_moment(window), policy.zone)}, {closed_for.days} days ago; an "
        f"extension may reopen a window within {policy.reopen_within_days} days of its close "
        "(pass --override to do it anyway; the reason is recorded)",
        {"batch": batch.key, "phase": window.phase, "closed_days": closed_for.days,
         "reopen_within_days": policy.reopen_within_days},
    )


@dataclass(frozen=True)
class Reach:
    """The projects one reader may read: every one (`kind` "all"), those of the region
    `scope` ("region"), or those of the enterprise whose credit code is `scope` ("own")."""

    kind: str
    scope: str | None


def reach(policy: Policy, role: str, scope: str | None) -> Reach:
    """The reach of an actor of `role` with `scope` (checked, canonical): its role's kind from
    the policy's [reads], or the one its role's scope implies when [reads] leaves it out."""
    kind = policy.reads.get(role) or IMPLIED_REACH[policy.roles[role].scope]
    return Reach(kind, None if kind == "all" else scope)


def _reader(role: str, scope: str | None) -> str:
    return role if scope is None else f"{role}:{scope}"


def _only(policy: Policy, role: str, scope: str | None, kind: str) -> str:
    if kind == "region" and scope is not None:
        return (f"{_reader(role, scope)} reads only the projects of region {scope} "
                f"({policy.regions[scope].name})")
    if kind == "panel":
        return f"{_reader(role, scope)} reads only the projects on its panels"
    return f"{_reader(role, scope)} reads only its own projects"


def may_read(policy: Policy, role: str, scope: str | None, *, project_id: int, region: str,
             credit_code: str, on_panel: bool = False) -> Denial | None:
    """May an actor of `role` with `scope` read the project `project_id` of `region` and
    `credit_code` (its facts, its history, its document, its escalations)? `on_panel`: the
    expert `scope` sits on the project's panel. A refusal names the project by its id alone:
    nothing of a project beyond one's reach is told."""
    r = reach(policy, role, scope)
    if r.kind == "all" or (r.kind == "region" and region == r.scope) or (
            r.kind == "own" and credit_code == r.scope) or (r.kind == "panel" and on_panel):
        return None
    return Denial(READS, f"{_only(policy, role, scope, r.kind)}, not project {project_id}",
                  {"project_id": project_id, "role": role, "scope": scope, "reach": r.kind})


def may_read_region(policy: Policy, role: str, scope: str | None,
                    region: str | None) -> Denial | None:
    """May an actor of `role` with `scope` ask for the projects of `region` (None: of any)?
    A region-bound reader may ask for its own region only; any other reader is answered with
    what it may read there."""
    r = reach(policy, role, scope)
    if r.kind != "region" or region is None or region == r.scope:
        return None
    return Denial(READS, f"{_only(policy, role, scope, r.kind)}, not those of region {region} "
                         f"({policy.regions[region].name})",
                  {"region": region, "role": role, "scope": scope, "reach": r.kind})
