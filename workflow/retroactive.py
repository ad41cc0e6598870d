"""What a policy about to be put in force would change of the past: a phase window that has
closed, decisions on record it would have refused, a category target below what is already
published. `policy apply` refuses such a policy unless overridden (workflow.stored_policy)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from accel666.models.stores import batches as batch_store
from accel666.models.stores import projects
from accel666.policies import Batch, Policy, Window
from accel666.policies import rules as policy_rules
from accel666.record import decisions

SHOWN_IDS = 10  # the projects a problem names before it counts the rest


def problems(conn: Connection, current: Policy, new: Policy, now: datetime) -> list[str]:
    """Every way `new` rewrites what is on record under `current` at `now`, one sentence
    each: closed windows it changes, then decisions it would have refused (grouped by batch,
    event and reason), then targets it sets below the projects published."""
    extended = batch_store.all_extensions(conn)
    out = [*_closed_windows(current, new, now, extended)]
    changed = [key for key, batch in current.batches.items()
               if key in new.batches and _rules_differ(current, new, batch, new.batches[key])]
    if changed:
        out += _refused_decisions(conn, current, new, changed)
    out += _targets(conn, current, new)
    return out


def _closed_windows(current: Policy, new: Policy, now: datetime,
                    extended: dict[tuple[str, str], Any]) -> Iterable[str]:
    for key, batch in current.batches.items():
        fresh = new.batches.get(key)
        if fresh is None:
            continue  # a batch dropped: refused if projects use it (`_misfits`)
        for phase, window in batch.windows.items():
            after = fresh.windows.get(phase)
            if after is not None and (after.opens, after.closes) == (window.opens,
                                                                     window.closes):
                continue
            now_ = policy_rules.effective_window(window, extended.get((key, phase)))
            if now >= now_.closes_at:
                closed = policy_rules.show_time(policy_rules.last_moment(now_), current.zone)
                yield (f"batch {key}: the {phase} window closed at {closed}; the new policy "
                       f"changes it ({_change(window, after)})")


def _change(before: Window, after: Window | None) -> str:
    if after is None:
        return "drops it"
    parts = []
    if before.opens != after.opens:
        parts.append(f"opens {before.opens or '–'} → {after.opens or '–'}")
    if before.closes != after.closes:
        parts.append(f"closes {before.closes} → {after.closes}")
    return ", ".join(parts)


def _rules_differ(current: Policy, new: Policy, before: Batch, after: Batch) -> bool:
    """Could `new` judge a decision of the batch otherwise than `current`?"""
    return (before.windows != after.windows or current.materials != new.materials
            or current.permissions != new.permissions or current.roles != new.roles
            or current.regions != new.regions or current.province != new.province)


def _refused_decisions(conn: Connection, current: Policy, new: Policy,
                       batches: list[str]) -> list[str]:
    """The decisions of `batches` that `new` would have refused and `current` would not,
    each extension counted as it stood at the decision's moment."""
    extensions = decisions.Extensions.of(batch_store.every_extension(conn))
    refused: dict[tuple[str, str, str], list[int]] = {}
    for row in projects.log_rows_of(conn, batches):
        denial = decisions.refusal(new, extensions, row, row)
        if denial is None or decisions.refusal(current, extensions, row, row) is not None:
            continue
        ids = refused.setdefault((row.batch, row.event, denial.message), [])
        if not ids or ids[-1] != row.project_id:
            ids.append(row.project_id)
    out = []
    for (batch, event, message), ids in refused.items():
        many = len(ids) != 1
        shown = ", ".join(map(str, ids[:SHOWN_IDS]))
        if len(ids) > SHOWN_IDS:
            shown += f" and {len(ids) - SHOWN_IDS} more"
        out.append(f"batch {batch}: {len(ids)} recorded {event} decision{'s' if many else ''} "
                   f"(project{'s' if many else ''} {shown}) would have been refused by the new "
                   f"policy: {message}")
    return out


def _targets(conn: Connection, current: Policy, new: Policy) -> Iterable[str]:
    published: dict[str, int] = {}
    for _region, category, state, count in projects.counts(conn, None, None):
        if state == "published":
            published[category] = published.get(category, 0) + count
    for key, category in new.categories.items():
        before = current.categories.get(key)
        done = published.get(key, 0)
        if category.target < done and (before is None or before.target != category.target):
            yield (f"category {key}: the new target {category.target} is below the {done} "
                   "projects already published")
