"""A project's version as an HTTP entity tag, and `If-Match` read back into a version."""

from __future__ import annotations

import re

from accel666 import Project

_TAG = re.compile(r'\s*"(\d+)\.(\d+)"\s*')


class Unmatched(Exception):
    """`If-Match` names no single version of the project: the precondition fails (412)."""


def etag(project: Project) -> str:
    """The strong entity tag of a project as it stands: its id and version."""
    return f'"{project.id}.{project.version}"'


def expected_version(header: str | None, project_id: int) -> int | None:
    """The version `If-Match` names for this project: None without the header or for `*` (any
    version); Unmatched when it names no version, or several, of this project (a weak tag
    never matches), so that nothing is written."""
    if header is None or header.strip() == "*":
        return None
    versions = {int(m.group(2)) for part in header.split(",")
                if (m := _TAG.fullmatch(part)) is not None and int(m.group(1)) == project_id}
    if len(versions) != 1:
        raise Unmatched(f"If-Match {header.strip()[:200]!r} names no single version of project "
                        f"{project_id}; its tag is its ETag, as GET /projects/{project_id} gives")
    return versions.pop()
