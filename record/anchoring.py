"""Anchors: one digest over the head of every chain in the record, to be kept outside it.

A chain recomputed end to end after an edit is consistent again and passes `verify`; it no
longer holds the head it had when an earlier anchor was taken. An anchor is recorded in the
database with its heads (so that its digest alone can be checked later) and can be written to
a file with them (so that it can be checked even if the database's copy is gone).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import InvalidInput
from accel666.models.stores import ledger as ledger_store
from accel666.models.stores import projects as project_store

VERSION = "accel666-anchor-1"
_HEX64 = re.compile(r"\b[0-9a-f]{64}\b")

Head = tuple[str, int, str]  # chain, seq of its last entry, that entry's hash


@dataclass(frozen=True)
class Anchor:
    """The digest over every chain head at `at`, and the heads. `id` is its row (None for an
    anchor read from a file or known by its digest alone)."""

    digest: str
    at: datetime | None
    projects: int
    heads: tuple[Head, ...] | None = None
    id: int | None = None

    @property
    def chains(self) -> int:
        """How many chains it holds the heads of (0 if known by its digest alone)."""
        return len(self.heads) if self.heads is not None else 0

    def to_dict(self) -> dict[str, Any]:
        """The anchor as `anchor -o` writes it (and `verify --anchor FILE` reads it)."""
        return {"format": VERSION, "digest": self.digest,
                "at": self.at.isoformat() if self.at else None, "projects": self.projects,
                "chains": self.chains, "heads": [list(h) for h in self.heads or ()]}


def project_chain(project_id: int) -> str:
    return f"project:{project_id}"


def digest_of(projects: int, heads: Iterable[Head]) -> str:
    sha = hashlib.sha256(f"{VERSION}\nprojects {projects}\n".encode())
    for head in heads:
        sha.update(json.dumps(list(head), ensure_ascii=False).encode("utf-8") + b"\n")
    return sha.hexdigest()


def current_heads(conn: Connection) -> Iterator[Head]:
    """Every project's head (by id), then every ledger chain's (by name)."""
    for pid, version, head in project_store.heads(conn):
        yield project_chain(pid), version, head
    for name, seq, head in ledger_store.heads(conn):
        yield name, seq, head


def take(db: SAEngine, now: datetime) -> Anchor:
    """Record an anchor over the record as it stands."""
    with models.writing(db) as conn:
        heads = tuple((c, int(s), h) for c, s, h in current_heads(conn))
        projects = sum(1 for c, _, _ in heads if c.startswith("project:"))
        digest = digest_of(projects, heads)
        new_id = ledger_store.add_anchor(
            conn, digest, now, projects,
            "\n".join(json.dumps(list(h), ensure_ascii=False) for h in heads))
    return Anchor(digest, now, projects, heads, new_id)


def stored(conn: Connection, digest: str) -> Anchor | None:
    """The anchor recorded with this digest, if the database still holds it."""
    row = ledger_store.anchor(conn, digest)
    if row is None:
        return None
    heads = tuple(_head(json.loads(line)) for line in row.heads.splitlines() if line)
    return Anchor(row.digest, row.at, row.projects, heads, row.id)


def _head(value: Any) -> Head:
    chain, seq, hash_ = value
    return str(chain), int(seq), str(hash_)


def parse(given: str) -> list[Anchor]:
    """What `verify --anchor` was given: a digest, a file written by `anchor -o` (the digest
    and its heads), or any text file holding digests (one per line, as `anchor` prints them,
    e.g. a log of daily anchors): each is checked."""
    text = given.strip()
    if _HEX64.fullmatch(text):
        return [Anchor(text, None, 0)]
    path = Path(given)
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("anchor", "give a SHA-256 digest (64 hex digits) or a file that "
                           f"holds one: {exc}", given) from exc
    try:
        doc = json.loads(content)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and doc.get("format") == VERSION:
        try:
            heads = tuple(_head(h) for h in doc["heads"])
            return [Anchor(str(doc["digest"]), None, int(doc["projects"]), heads)]
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput("anchor", f"{path} is not a whole anchor file: {exc}",
                               given) from exc
    found = [Anchor(d, None, 0) for d in dict.fromkeys(_HEX64.findall(content))]
    if not found:
        raise InvalidInput("anchor", f"{path} holds no anchor digest (64 hex digits)", given)
    return found
