"""The library's errors: one small hierarchy, each with structured attributes.

Each class carries what the shells answer it with, in one table: `exit_code`, the command
line's exit status (`cli/errors.py`), and `http_status`, the service's (`service/problems.py`).
Anything that is not one of these is a bug: exit 1, HTTP 500.
"""

from __future__ import annotations

from typing import Any, ClassVar


class WorkflowError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict[str, Any]:
        """The structured attributes, for logs and `--json` error output."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        """The error as a JSON-ready document: its class, message and structured attributes."""
        return {"error": type(self).__name__, "message": self.message, **self.details()}


class NotFound(WorkflowError):
    """No such project, document or batch; or no database where one must already be."""

    exit_code: ClassVar[int] = 3
    http_status: ClassVar[int] = 404

    def __init__(self, kind: str, key: object, message: str | None = None) -> None:
        super().__init__(message or f"{kind} {key} not found")
        self.kind = kind
        self.key = key

    def details(self) -> dict[str, Any]:
        """The structured attributes, for logs and `--json` error output."""
        return {"kind": self.kind, "key": self.key}


class InvalidInput(WorkflowError):
    """A value the caller passed is malformed; nothing was written."""

    exit_code: ClassVar[int] = 2
    http_status: ClassVar[int] = 400

    def __init__(self, field: str, reason: str, value: object = None) -> None:
        super().__init__(f"invalid {field}: {reason}")
        self.field = field
        self.reason = reason
        self.value = value

    def details(self) -> dict[str, Any]:
        """The field, the reason and the value (as text unless it is a number or None)."""
        shown = self.value if isinstance(self.value, int | float | type(None)) else str(self.value)
        return {"field": self.field, "reason": self.reason, "value": shown}


class Refused(WorkflowError):
    """A guard of the programme said no: the project's state, a deadline, materials, a duplicate."""

    exit_code: ClassVar[int] = 4
    http_status: ClassVar[int] = 422

    def __init__(
        self,
        event: str,
        guard: str,
        reason: str,
        *,
        project_id: int | None = None,
        facts: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{event} refused: {reason}")
        self.event = event
        self.guard = guard
        self.reason = reason
        self.project_id = project_id
        self.facts = dict(facts or {})

    def details(self) -> dict[str, Any]:
        """The structured attributes, for logs and `--json` error output."""
        return {"event": self.event, "guard": self.guard, "project_id": self.project_id,
                "facts": self.facts}


class NotPermitted(WorkflowError):
    """The actor's role or scope does not allow the event on this project."""

    exit_code: ClassVar[int] = 5
    http_status: ClassVar[int] = 403

    def __init__(
        self,
        event: str,
        guard: str,
        reason: str,
        *,
        role: str,
        scope: str | None,
        project_id: int | None = None,
        facts: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{event} not permitted: {reason}")
        self.event = event
        self.guard = guard
        self.reason = reason
        self.role = role
        self.scope = scope
        self.project_id = project_id
        self.facts = dict(facts or {})

    def details(self) -> dict[str, Any]:
        """The structured attributes, for logs and `--json` error output."""
        return {"event": self.event, "guard": self.guard, "role": self.role,
                "scope": self.scope, "project_id": self.project_id, "facts": self.facts}


class Conflict(WorkflowError):
    """The project changed while this change was being made; read it again and retry."""

    exit_code: ClassVar[int] = 6
    http_status: ClassVar[int] = 409

    def __init__(self, event: str, project_id: int, expected_version: int) -> None:
        super().__init__(
            f"{event} conflict: project {project_id} changed since version {expected_version} "
            "was read; show it again and retry"
        )
        self.event = event
        self.project_id = project_id
        self.expected_version = expected_version

    def details(self) -> dict[str, Any]:
        """The structured attributes, for logs and `--json` error output."""
        return {"event": self.event, "project_id": self.project_id,
                "expected_version": self.expected_version}


class Stale(Conflict):
    """The project is not at the version the caller named: it changed since the caller read
    it. Nothing was written; read it again and decide again."""

    exit_code: ClassVar[int] = 6
    http_status: ClassVar[int] = 412

    def __init__(self, event: str, project_id: int, expected_version: int, version: int) -> None:
        super().__init__(event, project_id, expected_version)
        self.message = (f"{event} refused: project {project_id} is at version {version}, not "
                        f"{expected_version} as expected; show it again and decide again")
        self.args = (self.message,)
        self.version = version

    def details(self) -> dict[str, Any]:
        """The structured attributes, for logs and `--json` error output."""
        return {**super().details(), "version": self.version}


_UNAUTHENTICATED = {"malformed": "the token is malformed (a666_ and 43 URL-safe characters)",
                    "unknown": "no operator holds this token",
                    "revoked": "the operator holding this token was revoked",
                    "missing": "no credentials: send Authorization: Bearer TOKEN"}


class Unauthenticated(WorkflowError):
    """A token that lets no one in: malformed, held by no operator, or its operator's revoked.
    `reason` says which (malformed, unknown or revoked; missing when no token came at all); the
    message never holds the token."""

    exit_code: ClassVar[int] = 2
    http_status: ClassVar[int] = 401

    def __init__(self, reason: str) -> None:
        super().__init__(f"not authenticated: {_UNAUTHENTICATED.get(reason, reason)}")
        self.reason = reason

    def details(self) -> dict[str, Any]:
        """The structured attributes, for logs and `--json` error output."""
        return {"reason": self.reason}


class Unavailable(WorkflowError):
    """The database cannot do the work now: locked by another process past the retries,
    read-only, out of disk space, or its server unreachable or gone. The transaction under way
    was rolled back; retry later."""

    exit_code: ClassVar[int] = 9
    http_status: ClassVar[int] = 503

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"the database is unavailable: {reason}; retry later ({detail})")
        self.reason = reason
        self.detail = detail

    def details(self) -> dict[str, Any]:
        """The structured attributes, for logs and `--json` error output."""
        return {"reason": self.reason, "detail": self.detail}
