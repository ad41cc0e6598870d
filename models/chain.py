"""The transition log's hash chain: each row's SHA-256 covers the row and the previous hash.

The canonical encoding is JSON with sorted keys, no spaces, UTF-8, times as UTC with
microseconds. Changing it changes every stored hash: it needs a migration that rehashes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

FIELDS = ("project_id", "seq", "event", "from_state", "to_state", "actor", "role", "scope", "at",
          "payload")
GENESIS = ""  # the "previous hash" of a project's first row


def canonical(row: dict[str, Any], prev: str) -> bytes:
    """The bytes a row's hash is taken over."""
    at: datetime = row["at"]
    doc = {name: row[name] for name in FIELDS}
    doc["at"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    doc["prev"] = prev
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def row_hash(row: dict[str, Any], prev: str) -> str:
    return hashlib.sha256(canonical(row, prev)).hexdigest()
