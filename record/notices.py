"""The `notices` chain of the ledger, replayed: each public notice started (its times, who
started it, how to object, the projects it announced), each objection received and each
resolution; then every notice, announcement and objection on record compared with it, so that
`verify` names any of them edited, inserted or deleted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from accel666.models.stores import notices as notice_store
from accel666.record import chain

Report = Callable[[str, str], None]  # (kind, message)
KIND = "notice"  # the kind of problem verify names

# A notice as its `start` entry records it, with the ids of the projects it announced.
NOTICE = notice_store.NOTICE
# An objection as its `object` entry records it, and its resolution as `resolve` records it.
OBJECTION = ("id", "project_id", "notice_id", "name", "unit", "text", "received_at",
             "recorded_by")
RESOLUTION = ("outcome", "reason", "resolved_at", "resolved_by")


def start_body(values: Mapping[str, Any], projects: list[int]) -> dict[str, Any]:
    """The body of a notice's `start` entry."""
    return {**chain.fields(values, NOTICE), "projects": list(projects)}


def object_body(values: Mapping[str, Any]) -> dict[str, Any]:
    return chain.fields(values, OBJECTION)


def resolve_body(objection_id: int, values: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": objection_id, **chain.fields(values, RESOLUTION)}


@dataclass
class NoticesReplay:
    """What the `notices` chain says the tables hold (entries handed over by the ledger's
    read), then the check of every row against it."""

    report: Report
    notices: dict[int, dict[str, Any]] = field(default_factory=dict)
    announced: dict[int, int] = field(default_factory=dict)  # project id -> notice id
    objections: dict[int, dict[str, Any]] = field(default_factory=dict)

    def take(self, seq: int, kind: str, body: Mapping[str, Any]) -> None:
        """One entry of the chain (KeyError, TypeError or ValueError if its body is not what
        such an act records)."""
        if kind == "start":
            notice_id = int(body["id"])
            self.notices[notice_id] = {k: body[k] for k in NOTICE}
            for pid in body["projects"]:
                self.announced[int(pid)] = notice_id
        elif kind == "object":
            self.objections[int(body["id"])] = {**{k: body[k] for k in OBJECTION},
                                                **dict.fromkeys(RESOLUTION)}
        elif kind == "resolve":
            said = self.objections.get(int(body["id"]))
            if said is None:
                self.report(KIND, f"notices entry {seq} resolves objection {body['id']}, which "
                            "the chain never received")
            else:
                said.update({k: body[k] for k in RESOLUTION})
        else:
            raise ValueError(f"no such kind of act: {kind}")

    def check(self, conn: Connection) -> None:
        self._rows("notice", notice_store.every_notice(conn), self.notices, NOTICE)
        self._rows("objection", notice_store.every_objection(conn), self.objections,
                   OBJECTION + RESOLUTION)
        said = dict(self.announced)
        for row in notice_store.every_announcement(conn):
            notice_id = said.pop(row.project_id, None)
            if notice_id is None:
                self.report(KIND, f"project {row.project_id} is on record as announced by "
                            f"notice {row.notice_id}, which the notices chain does not record: "
                            "it was inserted behind the record's back")
            elif notice_id != row.notice_id:
                self.report(KIND, f"project {row.project_id} is on record as announced by "
                            f"notice {row.notice_id}; the notices chain says notice {notice_id}")
        for pid, notice_id in sorted(said.items()):
            self.report(KIND, f"project {pid} is in notice {notice_id} in the notices chain "
                        "but not on record: its announcement was deleted")

    def _rows(self, what: str, rows: Any, said_by_id: dict[int, dict[str, Any]],
              names: tuple[str, ...]) -> None:
        seen: set[int] = set()
        for row in rows:
            seen.add(row.id)
            said = said_by_id.get(row.id)
            if said is None:
                self.report(KIND, f"{what} {row.id} is not in the notices chain: it was "
                            "inserted behind the record's back")
                continue
            found = chain.fields(row, names)
            changed = [k for k in names if found[k] != said.get(k)]
            if changed:
                self.report(KIND, f"{what} {row.id}: {', '.join(changed)} differ from what the "
                            "notices chain records")
        for missing in sorted(set(said_by_id) - seen):
            self.report(KIND, f"{what} {missing} is in the notices chain but not on record: "
                        "it was deleted")
