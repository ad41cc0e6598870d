"""The OpenAPI document as the service answers: FastAPI's description of the routes, completed
with what the middleware and the error hierarchy add to every call — each status an operation
can return, as a problem document (`application/problem+json`), the bearer scheme, and the
`Idempotency-Key` header a `POST` may carry.

The statuses come from where they are decided, so that the document cannot say less than the
service does: a library error's status from its class (accel666/errors.py), the others from the
middleware that answers them (auth.py, limits.py, idempotency.py, connections.py).
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from accel666.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    Refused,
    Stale,
    Unauthenticated,
    Unavailable,
)
from accel666.service import problems
from accel666.service.auth import PUBLIC

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document. Beside the standard members it carries the "
                   "error's own: `error` (its class), `guard` and `facts` for a refusal, "
                   "`field` and `reason` for invalid input, `problems` for a policy.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "example": "urn:accel666:problem:refused"},
        "title": {"type": "string", "example": "Unprocessable Entity"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "example": 422},
        "detail": {"type": "string",
                   "example": "sign refused: project 1 is applied; sign needs it reviewed"},
        "instance": {"type": "string", "example": "/projects/1/sign"},
        "error": {"type": "string", "example": "Refused"},
        "guard": {"type": "string", "example": "state"},
        "facts": {"type": "object", "example": {"state": "applied",
                                                  "allowed_from": ["reviewed"]}},
        "field": {"type": "string"},
        "reason": {"type": "string"},
    },
    "additionalProperties": True,
}
BEARER = {"type": "http", "scheme": "bearer",
          "description": "A token printed by `accel666 operator add NAME --as ROLE`; the call "
                         "acts as that operator's role and scope."}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "1 to 255 visible characters. A retry with a key this operator already "
                   "used gets the first answer again and changes nothing (a 5xx is never "
                   "kept); the same key with another request is 422, and a retry while "
                   "the first is still served 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}

# Why each status is answered, as the document says it.
WHY: dict[int, str] = {
    InvalidInput.http_status: "Invalid input: a parameter, header or body the service cannot "
                              "take (the problem names the field).",
    Unauthenticated.http_status: "No valid bearer token.",
    NotPermitted.http_status: "The operator's role or reach may not do or read this.",
    NotFound.http_status: "No such project, escalation or batch.",
    408: "The body stopped coming before it was whole.",
    Conflict.http_status: "The project changed concurrently (read it again and retry), or "
                          "the request with this Idempotency-Key is still being served "
                          "(retry after `Retry-After`).",
    Stale.http_status: "If-Match names a version the project is no longer at.",
    413: "The body is larger than the service takes.",
    Refused.http_status: "Refused by a guard of the programme (a window, the state, the "
                         "materials…): `guard` and `facts` say which; or the Idempotency-Key "
                         "was used for another request.",
    429: "Too many failed sign-ins from this address: retry after `Retry-After` seconds.",
    Unavailable.http_status: "The database is unavailable, or the worker holds all the "
                             "connections it may: retry later.",
}


def statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses `method path` can answer, beside its own success."""
    public = path in PUBLIC
    found = {Unavailable.http_status}  # every call: the database, the connection cap
    if not public:
        # The token, the failed sign-in limit, the operator's role and reach; a malformed
        # header (two Authorization headers, a bad Idempotency-Key) or parameter.
        found |= {InvalidInput.http_status, Unauthenticated.http_status, 429,
                  NotPermitted.http_status}
    if "{" in path:
        found |= {NotFound.http_status, InvalidInput.http_status}
    if operation.get("parameters"):
        found.add(InvalidInput.http_status)
    if method == "post" and not public:
        # A body: bounded in size and time; a change: guarded, and raced.
        found |= {InvalidInput.http_status, 408, 413, Refused.http_status,
                  Conflict.http_status}
    if any(p.get("name", "").lower() == "if-match" for p in operation.get("parameters", [])):
        found.add(Stale.http_status)
    return sorted(found)


def _problem_response(status: int) -> dict[str, Any]:
    return {"description": WHY[status],
            "content": {problems.MEDIA_TYPE: {"schema": PROBLEM_REF}}}


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """`document` (FastAPI's) with every status each operation answers, the problem schema in
    place of FastAPI's validation error, the bearer scheme and the Idempotency-Key header."""
    done = copy.deepcopy(document)
    components = done.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)  # invalid input is a problem document (400), never this
    schemas["Problem"] = PROBLEM_SCHEMA
    components["securitySchemes"] = {"bearer": BEARER}
    for path, operations in done.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # FastAPI's own; put back below where it is a refusal
            for status in statuses(path, method, operation):
                responses[str(status)] = _problem_response(status)
            if path not in PUBLIC:
                operation["security"] = [{"bearer": []}]
                if method == "post":
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            else:
                operation["security"] = []
    return done


def install(app: FastAPI) -> None:
    """Serve the completed document at /openapi.json (made once, on first use)."""
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes, tags=app.openapi_tags))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
