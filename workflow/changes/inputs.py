"""Checking what callers pass before anything touches the database. Raises `InvalidInput`."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from accel666.errors import InvalidInput
from accel666.lifecycle import VERDICTS
from accel666.policies import PHASES, STATES, Policy, characters, credit_code
from accel666.policies.rules import LookupFailed, find_batch, find_region

MAX_NAME = 200
MAX_TEXT = 2000
MAX_INT = 2**31 - 1  # the range of an INTEGER column on every backend
# The last day a date or moment may fall on: far beyond any programme's calendar, and far enough
# from `date.max` that a window closing then, every escalation level after it and every lease
# and backoff stay computable.
LAST_DAY = date(2999, 12, 31)


def text(field: str, value: object, limit: int = MAX_NAME, *, one_line: bool | None = None) -> str:
    """Non-empty text, stripped, at most `limit` characters, free of control characters.

    Names (one line, the default for limits up to MAX_NAME) hold no line breaks, tabs or
    invisible format characters; longer texts such as opinions and reasons may hold line
    breaks and tabs.
    """
    if not isinstance(value, str):
        raise InvalidInput(field, f"expected text, got {type(value).__name__}", value)
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(field, "must not be empty", value)
    if len(cleaned) > limit:
        raise InvalidInput(field, f"at most {limit} characters (got {len(cleaned)})",
                           cleaned[:40] + "…")
    if one_line is None:
        one_line = limit <= MAX_NAME
    if (ch := characters.first_refused(cleaned, one_line=one_line)) is not None:
        raise InvalidInput(field, characters.reason(ch), cleaned[:40])
    return cleaned


def integer(field: str, value: object, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, f"expected a whole number, got {type(value).__name__}", value)
    if value < low or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise InvalidInput(field, f"must be {span} (got {value})", value)
    if value > MAX_INT:
        raise InvalidInput(field, f"must be at most {MAX_INT} (got {value})", value)
    return value


def code(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("credit code", f"expected text, got {type(value).__name__}", value)
    try:
        return credit_code.normalise(value)
    except credit_code.CreditCodeError as exc:
        raise InvalidInput("credit code", str(exc), value) from exc


EXPERT_KEY = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")


def expert_key(value: object) -> str:
    """An expert's key: 1 to 32 of a-z, 0-9, `.`, `_` and `-`, beginning with a letter or a
    digit (it is the scope of `expert:KEY`)."""
    if not isinstance(value, str):
        raise InvalidInput("expert key", f"expected text, got {type(value).__name__}", value)
    if EXPERT_KEY.fullmatch(value) is None:
        raise InvalidInput("expert key", "1 to 32 lower-case letters, digits, '.', '_' or '-', "
                           "beginning with a letter or a digit", value[:80])
    return value


def flag(field: str, value: object) -> bool:
    """True or False, nothing else (not 1, not "yes")."""
    if not isinstance(value, bool):
        raise InvalidInput(field, f"expected true or false, got {type(value).__name__}", value)
    return value


def region(policy: Policy, value: object) -> str:
    """The 6-digit code of the region named by code, Chinese name or pinyin key."""
    if not isinstance(value, str):
        raise InvalidInput("region", f"expected text, got {type(value).__name__}", value)
    try:
        return find_region(policy, value).code
    except LookupFailed as exc:
        raise InvalidInput("region", str(exc), value) from exc


def category(policy: Policy, value: object) -> str:
    if not isinstance(value, str) or value.strip() not in policy.categories:
        raise InvalidInput("category", f"use one of {', '.join(policy.categories)}", value)
    return value.strip()


def batch(policy: Policy, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("batch", f"expected text, got {type(value).__name__}", value)
    try:
        return find_batch(policy, value.strip()).key
    except LookupFailed as exc:
        raise InvalidInput("batch", str(exc), value) from exc


def phase(value: object) -> str:
    if not isinstance(value, str) or value.strip() not in PHASES:
        raise InvalidInput("phase", f"use one of {', '.join(PHASES)}", value)
    return value.strip()


def state(value: object) -> str:
    if not isinstance(value, str) or value.strip() not in STATES:
        raise InvalidInput("state", f"use one of {', '.join(STATES)}", value)
    return value.strip()


def verdict(value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in VERDICTS:
        raise InvalidInput("verdict", "use pass or fail", value)
    return value.strip().lower()


def day(field: str, value: object) -> date:
    """A calendar day (a `date`, not a `datetime`, or text YYYY-MM-DD) up to LAST_DAY."""
    chosen: date | None = None
    if isinstance(value, date) and not isinstance(value, datetime):
        chosen = value
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            chosen = date.fromisoformat(value.strip())
    if chosen is None:
        raise InvalidInput(field, "expected a date as YYYY-MM-DD", value)
    if chosen > LAST_DAY:
        raise InvalidInput(field, f"must be {LAST_DAY} or earlier", value)
    return chosen


def moment(field: str, value: object) -> datetime:
    """An aware datetime, in UTC, no later than the end of LAST_DAY."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, "pass an aware datetime", str(value))
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # e.g. datetime.max at a negative offset
        utc = None
    if utc is None or utc.date() > LAST_DAY:
        raise InvalidInput(field, f"pass a moment before {LAST_DAY + timedelta(days=1)} UTC",
                           str(value))
    return utc


@dataclass(frozen=True)
class DocumentInput:
    name: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def document(policy: Policy, source: object, name: object = None) -> DocumentInput:
    """Read an electronic document from a path, or take bytes with a name."""
    limit = policy.materials.max_document_bytes
    if isinstance(source, bytes | bytearray):
        content = bytes(source)
        shown = text("document name", name if name is not None else "", 255, one_line=True)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise InvalidInput("document", f"{path} is not a regular file", str(path))
            if size > limit:
                raise InvalidInput("document", f"{path} has {size} bytes, over the limit of {limit}",
                                   str(path))
            content = path.read_bytes()
        except OSError as exc:
            raise InvalidInput("document", f"cannot read {path}: {exc.strerror or exc}",
                               str(path)) from exc
        except ValueError as exc:  # e.g. "embedded null byte" from os.stat
            raise InvalidInput("document", f"cannot read {path!r}: {exc}", str(path)) from exc
        shown = text("document name", name if name is not None else path.name, 255,
                     one_line=True)
    else:
        raise InvalidInput("document", f"expected a path or bytes, got {type(source).__name__}",
                           None)
    if not content:
        raise InvalidInput("document", "the document is empty", shown)
    if len(content) > limit:
        raise InvalidInput("document", f"{len(content)} bytes, over the limit of {limit}", shown)
    return DocumentInput(shown, content, hashlib.sha256(content).hexdigest())
