"""What a running service is configured with; read from the environment for `accel666.service:app`."""

from __future__ import annotations

import os
from dataclasses import dataclass

KIB = 1024


@dataclass(frozen=True)
class ServiceConfig:
    """The database and policy the service runs on, and its limits.

    `max_json_bytes` bounds a JSON request body; an upload (apply's document) may be as large
    as the policy's max_document_bytes plus `max_json_bytes` for the rest of the form.
    `auth_failures` failed authentications within `auth_window_seconds` from one client address
    make it wait (429) until the window has moved on; each worker process counts its own.
    """

    db: str = "accel666.db"
    policy: str | None = None
    max_json_bytes: int = 64 * KIB
    auth_failures: int = 10
    auth_window_seconds: float = 60.0

    @classmethod
    def from_environment(cls) -> ServiceConfig:
        """ACCEL666_DB and ACCEL666_POLICY, as `accel666 serve` passes them to its workers."""
        return cls(db=os.environ.get("ACCEL666_DB") or cls.db,
                   policy=os.environ.get("ACCEL666_POLICY") or None)
