"""The record's hash chains and digests, in one canonical encoding.

Project chains: each transition-log row's SHA-256 covers the row and the previous row's hash.
Ledger chains (`accel666_ledger`): the same over a ledger entry, for the acts that are not a
project's transitions (extensions and their revocation, acknowledgements, sweeps, policies).
Digests: one SHA-256 over a sequence of rows (the escalations a sweep recorded, say), each
row encoded canonically on its own line.

The canonical encoding is JSON with sorted keys, no spaces, UTF-8, times as UTC with
microseconds, dates as ISO dates. Changing it changes every stored hash: it needs a migration
that rehashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

FIELDS = ("project_id", "seq", "event", "from_state", "to_state", "actor", "role", "scope", "at",
          "payload")
LEDGER_FIELDS = ("chain", "seq", "kind", "at", "actor", "role", "body")
GENESIS = ""  # the "previous hash" of a chain's first row
# One encoder for every row of a digest: json.dumps with options builds one per call.
_ROW = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def stamp(moment: datetime) -> str:
    """A moment as the canonical encoding writes it: UTC, microseconds, a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def plain(value: Any) -> Any:
    """`value` as JSON can hold it: moments stamped, dates as ISO dates."""
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _encode(doc: Mapping[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def canonical(row: Mapping[str, Any], prev: str) -> bytes:
    """The bytes a transition-log row's hash is taken over."""
    doc = {name: row[name] for name in FIELDS}
    doc["at"] = stamp(row["at"])
    doc["prev"] = prev
    return _encode(doc)


def row_hash(row: Mapping[str, Any], prev: str) -> str:
    return hashlib.sha256(canonical(row, prev)).hexdigest()


def entry_hash(entry: Mapping[str, Any], prev: str) -> str:
    """The hash of a ledger entry chained to the previous entry's hash."""
    doc = {name: entry[name] for name in LEDGER_FIELDS}
    doc["at"] = stamp(entry["at"])
    doc["prev"] = prev
    return hashlib.sha256(_encode(doc)).hexdigest()


def fields(row: Any, names: Iterable[str]) -> dict[str, Any]:
    """The named columns of a row (or mapping) as the canonical encoding holds them."""
    get = row.__getitem__ if isinstance(row, Mapping) else row._mapping.__getitem__
    return {name: plain(get(name)) for name in names}


class Digest:
    """One SHA-256 over rows fed in order, and how many there were."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.count = 0

    def add(self, values: Mapping[str, Any]) -> None:
        self._sha.update(_encode(values) + b"\n")
        self.count += 1

    def add_values(self, values: Iterable[Any]) -> None:
        """A row of plain JSON values (ints, strings, None) in a fixed column order: the
        cheaper form, for rows read by the thousand."""
        self._sha.update(_ROW.encode(list(values)).encode("utf-8") + b"\n")
        self.count += 1

    def summary(self) -> dict[str, Any]:
        """What a ledger entry keeps of it."""
        return {"count": self.count, "digest": self._sha.hexdigest()}
