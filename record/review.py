"""The expert review as the record holds it: the `experts` chain (each expert added, kind
`add`, as `proofs.EXPERT` values) and the `panels` chain (seats assigned, kind `assign`, each
as `proofs.SEAT` values; a recusal, kind `recuse`, and a score, kind `score`, each naming its
seat by id). `verify` replays both (`ReviewReplay`) and names every expert or seat edited, inserted
or deleted behind the record's back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from accel666.models.stores import experts as expert_store
from accel666.models.stores import panels as panel_store
from accel666.record import chain, proofs
from accel666.record.ledger import EXPERTS, PANELS

Report = Callable[[str, str], None]  # (kind, message)
SEAT_FIELDS = proofs.SEAT + proofs.RECUSAL + proofs.SCORE


def expert_body(values: Mapping[str, Any]) -> dict[str, Any]:
    """An expert's addition, as its `add` entry holds it."""
    return chain.fields(values, proofs.EXPERT)


def assign_body(seats: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Seats assigned in one act, as its `assign` entry holds them."""
    return {"seats": [chain.fields(s, proofs.SEAT) for s in seats]}


def recuse_body(seat_id: int, values: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": seat_id, **chain.fields(values, proofs.RECUSAL)}


def score_body(seat_id: int, values: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": seat_id, **chain.fields(values, proofs.SCORE)}


class ReviewReplay:
    """The experts and seats the two chains say the tables hold, built entry by entry."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.experts: dict[int, dict[str, Any]] = {}
        self.seats: dict[int, dict[str, Any]] = {}

    def take(self, name: str, kind: str, body: Any, where: str) -> None:
        """One entry of the `experts` or `panels` chain."""
        if name == EXPERTS and kind == "add":
            self.experts[int(body["id"])] = {k: body[k] for k in proofs.EXPERT}
        elif name == PANELS and kind == "assign":
            for seat in body["seats"]:
                self.seats[int(seat["id"])] = {
                    **{k: seat[k] for k in proofs.SEAT},
                    **dict.fromkeys(proofs.RECUSAL + proofs.SCORE)}
        elif name == PANELS and kind in ("recuse", "score"):
            said = self.seats.get(int(body["id"]))
            names = proofs.RECUSAL if kind == "recuse" else proofs.SCORE
            if said is None:
                self.report("panel", f"{where} names seat {body['id']}, which the chain never "
                            "assigned")
            else:
                said.update({k: body[k] for k in names})
        else:
            self.report("ledger", f"{where}: no such kind of act")

    def check(self, conn: Connection) -> None:
        """Each expert and seat on record is what its chain records; each the chain holds is
        on record."""
        seen: set[int] = set()
        for row in expert_store.every(conn):
            seen.add(row.id)
            what = f"expert {row.id} ({row.key})"
            said = self.experts.get(row.id)
            if said is None:
                self.report("expert", f"{what} is not in the experts chain: it was inserted "
                            "behind the record's back")
                continue
            found = chain.fields(row, proofs.EXPERT)
            changed = [k for k in proofs.EXPERT if found[k] != said.get(k)]
            if changed:
                self.report("expert", f"{what}: {', '.join(changed)} differ from what the "
                            "experts chain records")
        for xid in sorted(set(self.experts) - seen):
            self.report("expert", f"expert {xid} ({self.experts[xid].get('key')}) is in the "
                        "experts chain but not on record: it was deleted")
        seen = set()
        for row in panel_store.every(conn):
            seen.add(row.id)
            what = f"panel seat {row.id} (project {row.project_id}, expert {row.expert})"
            said = self.seats.get(row.id)
            if said is None:
                self.report("panel", f"{what} is not in the panels chain: it was inserted "
                            "behind the record's back")
                continue
            found = chain.fields(row, SEAT_FIELDS)
            changed = [k for k in SEAT_FIELDS if found[k] != said.get(k)]
            if changed:
                self.report("panel", f"{what}: {', '.join(changed)} differ from what the "
                            "panels chain records")
        for sid in sorted(set(self.seats) - seen):
            said = self.seats[sid]
            self.report("panel", f"panel seat {sid} (project {said.get('project_id')}, expert "
                        f"{said.get('expert')}) is in the panels chain but not on record: it "
                        "was deleted")
