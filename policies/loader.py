"""Load and validate the programme's policy file (TOML) into `policies.model` values."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from policies.model import (
    EVENTS,
    PHASES,
    RESPONSIBLE,
    SCOPES,
    STATE_OF_PHASE,
    Batch,
    Category,
    Grant,
    Ladder,
    Level,
    Materials,
    OverdueRule,
    Policy,
    Region,
    Role,
    Window,
)

DEFAULT_POLICY = "programme.toml"


class PolicyError(ValueError):
    """The policy file is unreadable or breaks a rule; the message names the file and key."""


BUILTIN = "builtin"


def _builtin_text() -> str:
    return resources.files("policies").joinpath(DEFAULT_POLICY).read_text(encoding="utf-8")


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
    return _Reader(source).policy(raw)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, why: str) -> PolicyError:
        return PolicyError(f"{self.source}: {where}: {why}")

    def get(self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
        if key not in table:
            raise self.fail(where, f"missing key {key!r}")
        value = table[key]
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(f"{where}.{key}", f"expected {names}, got {type(value).__name__}")
        return value

    def policy(self, raw: dict[str, Any]) -> Policy:
        zone_name = self.get(raw, "timezone", str, "top level")
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise self.fail("timezone", f"unknown time zone {zone_name!r}") from exc
        regions = self.regions(self.get(raw, "regions", list, "top level"))
        roles = self.roles(self.get(raw, "roles", dict, "top level"))
        return Policy(
            zone=zone,
            targets_by=self.get(raw, "targets_by", date, "top level"),
            materials=self.materials(self.get(raw, "materials", dict, "top level")),
            categories=self.categories(self.get(raw, "categories", list, "top level")),
            regions=regions,
            roles=roles,
            permissions=self.permissions(self.get(raw, "permissions", dict, "top level"), roles),
            batches=self.batches(self.get(raw, "batches", list, "top level"), zone),
            source=self.source,
            escalation=self.escalation(raw.get("escalation"), roles),
        )

    def materials(self, t: dict[str, Any]) -> Materials:
        m = Materials(
            min_paper_copies=self.get(t, "min_paper_copies", int, "materials"),
            electronic_documents=self.get(t, "electronic_documents", int, "materials"),
            max_document_bytes=self.get(t, "max_document_bytes", int, "materials"),
        )
        for name in ("min_paper_copies", "electronic_documents"):
            if getattr(m, name) < 0:
                raise self.fail(f"materials.{name}", "must be 0 or more")
        if m.electronic_documents > 1:
            raise self.fail("materials.electronic_documents", "at most 1 is supported")
        if m.max_document_bytes < 1:
            raise self.fail("materials.max_document_bytes", "must be at least 1")
        return m

    def categories(self, items: list[Any]) -> dict[str, Category]:
        out: dict[str, Category] = {}
        for i, t in enumerate(items):
            where = f"categories[{i}]"
            if not isinstance(t, dict):
                raise self.fail(where, "expected a table")
            c = Category(
                key=self.get(t, "key", str, where),
                name=self.get(t, "name", str, where),
                english=self.get(t, "english", str, where),
                target=self.get(t, "target", int, where),
            )
            if c.key in out:
                raise self.fail(where, f"duplicate category key {c.key!r}")
            if c.target < 0:
                raise self.fail(f"{where}.target", "must be 0 or more")
            out[c.key] = c
        if not out:
            raise self.fail("categories", "at least one category is needed")
        return out

    def regions(self, items: list[Any]) -> dict[str, Region]:
        out: dict[str, Region] = {}
        seen: set[str] = set()
        for i, t in enumerate(items):
            where = f"regions[{i}]"
            if not isinstance(t, dict):
                raise self.fail(where, "expected a table")
            r = Region(
                code=self.get(t, "code", str, where),
                name=self.get(t, "name", str, where),
                key=self.get(t, "key", str, where).lower(),
            )
            if len(r.code) != 6 or not r.code.isdigit():
                raise self.fail(f"{where}.code", f"{r.code!r} is not a 6-digit division code")
            for label in (r.code, r.name, r.key):
                if label in seen:
                    raise self.fail(where, f"{label!r} names two regions")
                seen.add(label)
            out[r.code] = r
        if not out:
            raise self.fail("regions", "at least one region is needed")
        return out

    def roles(self, t: dict[str, Any]) -> dict[str, Role]:
        out: dict[str, Role] = {}
        for key, spec in t.items():
            where = f"roles.{key}"
            if not isinstance(spec, dict):
                raise self.fail(where, "expected a table")
            scope = self.get(spec, "scope", str, where)
            if scope not in SCOPES:
                raise self.fail(f"{where}.scope", f"{scope!r} is not one of {', '.join(SCOPES)}")
            out[key] = Role(key=key, scope=scope)
        return out

    def permissions(self, t: dict[str, Any], roles: dict[str, Role]) -> dict[str, tuple[Grant, ...]]:
        out: dict[str, tuple[Grant, ...]] = {}
        for event, grants in t.items():
            where = f"permissions.{event}"
            if event not in EVENTS:
                raise self.fail(where, f"unknown event {event!r} (events: {', '.join(EVENTS)})")
            if not isinstance(grants, list):
                raise self.fail(where, "expected a list of {role = ...} tables")
            parsed = []
            for i, g in enumerate(grants):
                gw = f"{where}[{i}]"
                if not isinstance(g, dict):
                    raise self.fail(gw, "expected a table")
                role = self.get(g, "role", str, gw)
                if role not in roles:
                    raise self.fail(f"{gw}.role", f"unknown role {role!r}")
                sources = g.get("from")
                if sources is not None and (
                    not isinstance(sources, list) or not all(isinstance(s, str) for s in sources)
                ):
                    raise self.fail(f"{gw}.from", "expected a list of state names")
                parsed.append(Grant(role, None if sources is None else frozenset(sources)))
            out[event] = tuple(parsed)
        for event in EVENTS:
            out.setdefault(event, ())
        return out

    def batches(self, items: list[Any], zone: ZoneInfo) -> dict[str, Batch]:
        out: dict[str, Batch] = {}
        for i, t in enumerate(items):
            where = f"batches[{i}]"
            if not isinstance(t, dict):
                raise self.fail(where, "expected a table")
            key = self.get(t, "key", str, where)
            if not key or key != key.strip():
                raise self.fail(f"{where}.key", "must be non-empty without surrounding spaces")
            if key in out:
                raise self.fail(where, f"duplicate batch key {key!r}")
            where = f"batches[{key}]"
            raw_windows = self.get(t, "windows", dict, where)
            windows = {}
            for phase in PHASES:
                ww = f"{where}.windows.{phase}"
                if phase not in raw_windows:
                    raise self.fail(ww, "missing window")
                w = raw_windows[phase]
                if not isinstance(w, dict):
                    raise self.fail(ww, "expected a table {opens = ..., closes = ...}")
                closes = self.get(w, "closes", date, ww)
                opens = w.get("opens")
                if opens is not None and (not isinstance(opens, date) or isinstance(opens, datetime)):
                    raise self.fail(f"{ww}.opens", "expected a date such as 2020-10-01")
                if isinstance(closes, datetime):
                    raise self.fail(f"{ww}.closes", "expected a date such as 2020-08-30")
                if opens is not None and opens > closes:
                    raise self.fail(ww, f"opens {opens} after it closes {closes}")
                windows[phase] = Window(phase, opens, closes, zone)
            unknown = set(raw_windows) - set(PHASES)
            if unknown:
                raise self.fail(f"{where}.windows", f"unknown phase {sorted(unknown)[0]!r}")
            out[key] = Batch(key=key, name=str(t.get("name", key)), windows=windows)
        if not out:
            raise self.fail("batches", "at least one batch is needed")
        return out

    def escalation(self, t: Any, roles: dict[str, Role]) -> Ladder:
        """The [escalation] table; without one, nothing escalates."""
        where = "escalation"
        if t is None:
            return Ladder()
        if not isinstance(t, dict):
            raise self.fail(where, "expected a table")
        known = {"ack_stops_ladder", "supervisor", "webhook", "webhook_timeout_seconds",
                 "max_attempts", "backoff_seconds", "backoff_max_seconds", "phases", "levels"}
        unknown = sorted(set(t) - known)
        if unknown:
            raise self.fail(where, f"unknown key {unknown[0]!r} (keys: {', '.join(sorted(known))})")
        d = Ladder()
        opt = {k: self.get(t, k, kind, where) if k in t else getattr(d, k) for k, kind in (
            ("ack_stops_ladder", bool), ("supervisor", str), ("webhook", str),
            ("webhook_timeout_seconds", (int, float)), ("max_attempts", int),
            ("backoff_seconds", int), ("backoff_max_seconds", int))}
        if opt["supervisor"] not in roles:
            raise self.fail(f"{where}.supervisor", f"unknown role {opt['supervisor']!r}")
        webhook = opt["webhook"] or None
        if webhook is not None and not webhook.startswith(("http://", "https://")):
            raise self.fail(f"{where}.webhook", f"{webhook!r} is not an http:// or https:// URL")
        if opt["webhook_timeout_seconds"] <= 0:
            raise self.fail(f"{where}.webhook_timeout_seconds", "must be more than 0")
        if opt["max_attempts"] < 1:
            raise self.fail(f"{where}.max_attempts", "must be at least 1")
        if opt["backoff_seconds"] < 0:
            raise self.fail(f"{where}.backoff_seconds", "must be 0 or more")
        if opt["backoff_max_seconds"] < opt["backoff_seconds"]:
            raise self.fail(f"{where}.backoff_max_seconds", "must be at least backoff_seconds")
        return Ladder(
            phases=self.overdue_rules(self.get(t, "phases", dict, where), roles),
            levels=self.levels(self.get(t, "levels", list, where), roles),
            ack_stops_ladder=opt["ack_stops_ladder"], supervisor=opt["supervisor"],
            webhook=webhook, webhook_timeout_seconds=float(opt["webhook_timeout_seconds"]),
            max_attempts=opt["max_attempts"], backoff_seconds=opt["backoff_seconds"],
            backoff_max_seconds=opt["backoff_max_seconds"],
        )

    def overdue_rules(self, t: dict[str, Any], roles: dict[str, Role]) -> dict[str, OverdueRule]:
        out: dict[str, OverdueRule] = {}
        states = frozenset(STATE_OF_PHASE.values())
        for phase, spec in t.items():
            where = f"escalation.phases.{phase}"
            if phase not in PHASES:
                raise self.fail(where, f"unknown phase {phase!r} (phases: {', '.join(PHASES)})")
            if not isinstance(spec, dict):
                raise self.fail(where, "expected a table {overdue = [...], responsible = ...}")
            overdue = self.get(spec, "overdue", list, where)
            if not overdue or not all(isinstance(s, str) for s in overdue):
                raise self.fail(f"{where}.overdue", "expected a non-empty list of state names")
            for state in overdue:
                if state not in states:
                    raise self.fail(f"{where}.overdue",
                                    f"unknown state {state!r} (states: "
                                    f"{', '.join(STATE_OF_PHASE.values())})")
            responsible = self.get(spec, "responsible", str, where)
            if responsible not in roles:
                raise self.fail(f"{where}.responsible", f"unknown role {responsible!r}")
            out[phase] = OverdueRule(phase, tuple(overdue), responsible)
        return out

    def levels(self, items: list[Any], roles: dict[str, Role]) -> tuple[Level, ...]:
        out: list[Level] = []
        for i, t in enumerate(items):
            where = f"escalation.levels[{i}]"
            if not isinstance(t, dict):
                raise self.fail(where, "expected a table")
            unknown = sorted(set(t) - {"level", "delay_days", "target", "lapses"})
            if unknown:
                raise self.fail(where, f"unknown key {unknown[0]!r}")
            level = Level(
                level=self.get(t, "level", int, where),
                delay_days=self.get(t, "delay_days", int, where),
                target=self.get(t, "target", str, where),
                lapses=self.get(t, "lapses", bool, where) if "lapses" in t else False,
            )
            if level.level != i + 1:
                raise self.fail(f"{where}.level",
                                f"expected {i + 1}: levels are numbered 1, 2, … in order")
            if level.delay_days < 0:
                raise self.fail(f"{where}.delay_days", "must be 0 or more")
            if out and level.delay_days < out[-1].delay_days:
                raise self.fail(f"{where}.delay_days",
                                f"must not be less than level {i}'s ({out[-1].delay_days})")
            if level.target != RESPONSIBLE and level.target not in roles:
                raise self.fail(f"{where}.target",
                                f"unknown role {level.target!r} (or use {RESPONSIBLE!r})")
            out.append(level)
        if not out:
            raise self.fail("escalation.levels", "at least one level is needed")
        return tuple(out)
