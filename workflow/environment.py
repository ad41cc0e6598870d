"""The environment's failures, named: a database that cannot serve now is `Unavailable`.

SQLAlchemy reports a locked, read-only or full database, or a PostgreSQL server that is gone,
as it reports a faulty statement; the public classes are wrapped here so that a caller can tell
"retry later" from a bug. Errors of any other kind pass through unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy.exc import DBAPIError

from accel666 import models
from accel666.errors import Unavailable

C = TypeVar("C", bound=type)
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def unavailable_as_error() -> Iterator[None]:
    """Turn a database error that says the database cannot serve now into Unavailable."""
    try:
        yield
    except DBAPIError as exc:
        reason = models.unavailable_reason(exc)
        if reason is None:
            raise
        first = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        raise Unavailable(reason, first[:200]) from exc


def _translating(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with unavailable_as_error():
            return fn(*args, **kwargs)

    return cast(F, wrapper)


def translating(cls: C) -> C:
    """Wrap every public method of `cls` (and its constructor) with `unavailable_as_error`."""
    for name, attr in list(vars(cls).items()):
        if (name == "__init__" or not name.startswith("_")) and callable(attr) \
                and not isinstance(attr, type | staticmethod | classmethod):
            setattr(cls, name, _translating(attr))
    return cls
