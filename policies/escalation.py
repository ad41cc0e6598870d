"""The escalation ladder as pure functions of (policy, extensions, now).

A window's closing moment is 00:00 (programme time) of the day after its last day, the latest
recorded extension included. Level N of the ladder falls due `delay_days` after that moment.
Nothing here reads a clock or a database: callers pass `now` and the extensions they read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from accel666.policies.model import RESPONSIBLE, Ladder, Level, OverdueRule, Policy, Window
from accel666.policies.rules import ROLE, SCOPE, Denial, effective_window

KEY_PREFIX = "accel666-escalation"
# Extensions as read from the database: (batch, phase) -> the latest `until`.
Extensions = Mapping[tuple[str, str], date]


@dataclass(frozen=True)
class Rung:
    """One level of the ladder for one phase of one batch: when it is due and to whom."""

    batch: str
    phase: str
    states: tuple[str, ...]  # a project in one of these states is overdue
    level: int
    deadline: datetime  # the window's closing moment (UTC), extensions included
    due_at: datetime  # UTC
    target_role: str
    target_kind: str  # how the target is scoped: "none", "region" or "enterprise"
    lapses: bool


def closing_moment(window: Window, extended_until: date | None = None) -> datetime:
    """The first instant after the (possibly extended) window, in UTC."""
    return effective_window(window, extended_until).closes_at.astimezone(UTC)


def due_at(deadline: datetime, level: Level) -> datetime:
    """When `level` falls due for a window closing at `deadline` (UTC)."""
    return (deadline + level.delay).astimezone(UTC)


def target_role(rule: OverdueRule, level: Level) -> str:
    return rule.responsible if level.target == RESPONSIBLE else level.target


def rungs(policy: Policy, extensions: Extensions) -> list[Rung]:
    """Every rung of every batch: level 1 of all phases first, then level 2, and so on."""
    ladder = policy.escalation
    out = []
    for level in ladder.levels:
        for batch in policy.batches.values():
            for phase, rule in ladder.phases.items():
                deadline = closing_moment(batch.windows[phase], extensions.get((batch.key, phase)))
                role = target_role(rule, level)
                out.append(Rung(
                    batch=batch.key, phase=phase, states=rule.states, level=level.level,
                    deadline=deadline, due_at=due_at(deadline, level), target_role=role,
                    target_kind=policy.roles[role].scope, lapses=level.lapses,
                ))
    return out


def due_rungs(policy: Policy, extensions: Extensions, now: datetime) -> list[Rung]:
    """The rungs due at `now` (due_at <= now), in ladder order."""
    return [r for r in rungs(policy, extensions) if r.due_at <= now]


def future_moments(policy: Policy, extensions: Extensions, now: datetime) -> list[datetime]:
    """Every closing moment and level due moment after `now`, sorted, without repeats."""
    return sorted({r.due_at for r in rungs(policy, extensions) if r.due_at > now})


def next_level(ladder: Ladder, reached: int | None) -> Level | None:
    """The level after `reached` (None: nothing fired yet), or None at the top of the ladder."""
    index = 0 if reached is None else reached
    return ladder.levels[index] if index < len(ladder.levels) else None


def backoff(ladder: Ladder, attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling, capped."""
    if attempts < 1:
        return timedelta(0)
    seconds = ladder.backoff_seconds * 2 ** min(attempts - 1, 32)
    return timedelta(seconds=min(seconds, ladder.backoff_max_seconds))


def idempotency_key(project_id: int, phase: str, level: int) -> str:
    """The key a receiver deduplicates on; the sweep builds the same text in SQL."""
    return f"{KEY_PREFIX}:{project_id}:{phase}:L{level}"


def may_acknowledge(
    ladder: Ladder, role: str, scope: str | None, target_role: str, target_scope: str | None
) -> Denial | None:
    """The escalation's target (role and scope) or the ladder's supervisor may acknowledge it."""
    facts = {"role": role, "scope": scope, "target_role": target_role,
             "target_scope": target_scope}
    if role == ladder.supervisor:
        return None
    if role != target_role:
        allowed = ", ".join(dict.fromkeys((target_role, ladder.supervisor)))  # each once
        return Denial(ROLE, f"role {role} may not acknowledge an escalation addressed to "
                            f"{target_role} (allowed: {allowed})", facts)
    if target_scope is not None and scope != target_scope:
        return Denial(SCOPE, f"{role}:{scope} may not acknowledge an escalation addressed to "
                             f"{role}:{target_scope}", facts)
    return None
