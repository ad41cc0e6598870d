"""The environment's failures, named: a database that cannot serve now is `Unavailable`.

SQLAlchemy reports a locked, read-only or full database, or a PostgreSQL server that is gone,
as it reports a faulty statement; the public classes are wrapped here so that a caller can tell
"retry later" from a bug. Errors of any other kind pass through unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy.exc import DBAPIError

from accel666 import models
from accel666.errors import Unavailable

C = TypeVar("C", bound=type)
F = TypeVar("F", bound=Callable[..., Any])


def unavailable(exc: DBAPIError) -> Unavailable | None:
    """The Unavailable a database error means, if it says the database cannot serve now."""
    reason = models.unavailable_reason(exc)
    if reason is None:
        return None
    first = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    return Unavailable(reason, first[:200])


def _translating(fn: F) -> F:
    # A try statement rather than a context manager: every call of the Engine takes this path,
    # and a generator-based context manager costs several times as much.
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DBAPIError as exc:
            if (error := unavailable(exc)) is None:
                raise
            raise error from exc

    return cast(F, wrapper)


def translating(cls: C) -> C:
    """Wrap every public method of `cls` (and its constructor) so that a database error that
    says the database cannot serve now is raised as Unavailable."""
    for name, attr in list(vars(cls).items()):
        if (name == "__init__" or not name.startswith("_")) and callable(attr) \
                and not isinstance(attr, type | staticmethod | classmethod):
            setattr(cls, name, _translating(attr))
    return cls
