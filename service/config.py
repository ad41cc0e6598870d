"""What a running service is configured with; read from the environment for `accel666.service:app`."""

from __future__ import annotations

import os
from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class ServiceConfig:
    """The database and policy the service runs on, and its limits.

    `max_json_bytes` bounds a JSON request body; an upload (apply's document) may be as large
    as the policy's max_document_bytes plus `max_json_bytes` for the rest of the form.
    `body_idle_seconds` is the longest a client may pause while sending a body (else 408).
    A request answered before its body was read (413, 401, 429) has up to `discard_bytes` of
    its body read and thrown away first, so that a client that sends its whole body before it
    reads reads the answer; past that the connection is closed.
    `spool_bytes` of a body kept for an Idempotency-Key are held in memory, the rest on disk.
    `auth_failures` failed authentications within `auth_window_seconds` from one client address
    make it wait (429) until the window has moved on, unless the token is valid; each worker
    process counts its own, for the `auth_clients` addresses that failed most recently.
    `session_seconds` is how long a dashboard sign-in lasts.
    """

    db: str = "accel666.db"
    policy: str | None = None
    max_json_bytes: int = 64 * KIB
    body_idle_seconds: float = 30.0
    discard_bytes: int = 64 * MIB
    spool_bytes: int = 1 * MIB
    auth_failures: int = 10
    auth_window_seconds: float = 60.0
    auth_clients: int = 10_000
    session_seconds: int = 12 * 3600

    @classmethod
    def from_environment(cls) -> ServiceConfig:
        """ACCEL666_DB and ACCEL666_POLICY, as `accel666 serve` passes them to its workers."""
        return cls(db=os.environ.get("ACCEL666_DB") or cls.db,
                   policy=os.environ.get("ACCEL666_POLICY") or None)
