"""The escalation outbox as the record holds it: the `outbox` chain of the ledger.

Each act on the deliveries is an entry: a sweep's queueing (kind `queue`: one delivery per
notifier named for each escalation it recorded, ids `first`..`last`, pending, never
attempted, to the endpoint named with the notifier), and every other act that queues a
delivery or changes its endpoint, status or attempts (kinds `adopt`, `settle`, `rearm`, and
`held` for what a database held at schema 0011), listing each delivery it left as
`proofs.DELIVERY` values. A delivery row names the entry that last wrote it (`proved_in`).

Before a delivery is posted, the outbox checks its row against that entry (`Claims`), and
the entry against its neighbours' hashes; `verify` replays the whole chain (`Replay`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from accel666.models.stores import escalations as escalation_store
from accel666.models.stores import ledger as ledger_store
from accel666.record import chain, proofs
from accel666.record.ledger import OUTBOX

Report = Callable[[str, str], None]  # (kind, message)
# What the record holds of a delivery: escalation_id, notifier, endpoint, status, attempts.
State = tuple[int, str, str | None, str, int]
FIELDS = proofs.DELIVERY[1:]  # the names of a State's values


def queue_body(first: int, last: int, notifiers: Sequence[tuple[str, str | None]],
               count: int) -> dict[str, Any]:
    """A sweep's queueing: a delivery by each of `notifiers` (name, endpoint) of each
    escalation from `first` to `last`, `count` in all."""
    return {"escalations": [first, last], "notifiers": [list(n) for n in notifiers],
            "count": count}


def rows_body(rows: Iterable[Sequence[Any]]) -> dict[str, Any]:
    """An act that left these deliveries (each as `proofs.DELIVERY` values) as they are."""
    return {"deliveries": [list(r) for r in rows]}


def values(row: Any) -> list[Any]:
    """A delivery row (or mapping) as `proofs.DELIVERY` values."""
    return [row.id, row.escalation_id, row.notifier, row.endpoint, row.status, row.attempts]


@dataclass(frozen=True)
class _Queue:
    """A sweep's queueing, as its entry says."""

    seq: int
    first: int
    last: int
    notifiers: dict[str, str | None]
    count: int

    def holds(self, escalation_id: int, notifier: str) -> State | None:
        if self.first <= escalation_id <= self.last and notifier in self.notifiers:
            return (escalation_id, notifier, self.notifiers[notifier], "pending", 0)
        return None


def _queue(seq: int, body: Mapping[str, Any]) -> _Queue:
    first, last = body["escalations"]
    return _Queue(seq, int(first), int(last),
                  {str(name): (None if target is None else str(target))
                   for name, target in body["notifiers"]}, int(body["count"]))


def _listed(body: Mapping[str, Any]) -> dict[int, State]:
    out: dict[int, State] = {}
    for item in body["deliveries"]:
        delivery_id, escalation_id, notifier, endpoint, status, attempts = item
        out[int(delivery_id)] = (int(escalation_id), str(notifier),
                                 None if endpoint is None else str(endpoint), str(status),
                                 int(attempts))
    return out


def differences(found: State, said: State) -> list[str]:
    """The names of the fields where a row differs from what the chain says."""
    return [name for name, a, b in zip(FIELDS, found, said, strict=True) if a != b]


def disagreement(changed: list[str]) -> str:
    """The fields `differences` found, as a sentence."""
    verb = "differs" if len(changed) == 1 else "differ"
    return f"{', '.join(changed)} {verb} from what the outbox chain records"


def state(row: Any) -> State:
    return (row.escalation_id, row.notifier, row.endpoint, row.status, row.attempts)


# --- before a delivery is posted --------------------------------------------------------------

class Claims:
    """Checks claimed deliveries against the entries that last wrote them, each entry read
    once (with its neighbours, whose hashes must link to it) and kept for the round."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[_Queue | dict[int, State] | None, str | None]] = {}

    def check(self, conn: Connection, rows: Sequence[Any]) -> dict[int, str]:
        """Why each claimed row that is not what the record holds may not be posted, by
        delivery id (the rows that are, absent)."""
        wanted = {r.proved_in for r in rows if r.proved_in is not None} - set(self._entries)
        if wanted:
            self._load(conn, wanted)
        out: dict[int, str] = {}
        for row in rows:
            reason = self._reason(row)
            if reason is not None:
                out[row.id] = reason
        return out

    def _load(self, conn: Connection, seqs: set[int]) -> None:
        around = {s + d for s in seqs for d in (-1, 0, 1) if s + d > 0}
        found = {e.seq: e for e in ledger_store.some(conn, OUTBOX, sorted(around))}
        for seq in seqs:
            entry = found.get(seq)
            if entry is None:
                self._entries[seq] = (None, f"outbox entry {seq}, which it names as its proof, "
                                      "is not on record")
                continue
            before = found.get(seq - 1)
            prev = chain.GENESIS if seq == 1 else (before.hash if before else None)
            after = found.get(seq + 1)
            if prev is None or chain.entry_hash(entry._mapping, prev) != entry.hash or (
                    after is not None and chain.entry_hash(after._mapping, entry.hash)
                    != after.hash):
                self._entries[seq] = (None, f"outbox entry {seq}, which it names as its proof, "
                                      "does not match the hashes of its chain")
                continue
            try:
                said: _Queue | dict[int, State] = (
                    _queue(seq, entry.body) if entry.kind == "queue" else _listed(entry.body))
            except (KeyError, TypeError, ValueError) as exc:
                self._entries[seq] = (None, f"outbox entry {seq} is not what such an act "
                                      f"records ({exc})")
                continue
            self._entries[seq] = (said, None)

    def _reason(self, row: Any) -> str | None:
        if row.proved_in is None:
            return "the outbox chain holds no act that wrote it"
        said, fault = self._entries[row.proved_in]
        if fault is not None:
            return fault
        expected = (said.holds(row.escalation_id, row.notifier) if isinstance(said, _Queue)
                    else said.get(row.id) if said is not None else None)
        if expected is None:
            return (f"outbox entry {row.proved_in}, which it names as its proof, does not "
                    "record it")
        changed = differences(state(row), expected)
        return disagreement(changed) if changed else None


# --- verify -----------------------------------------------------------------------------------

@dataclass
class Replay:
    """The `outbox` chain replayed (its entries handed over by the ledger's read), then every
    delivery on record compared with what it says."""

    report: Report
    queues: list[_Queue] = field(default_factory=list)
    # delivery id -> (the seq of the entry that last listed it, its state as listed)
    listed: dict[int, tuple[int, State]] = field(default_factory=dict)

    def take(self, seq: int, kind: str, body: Mapping[str, Any]) -> None:
        """One entry of the chain (KeyError, TypeError or ValueError if its body is not what
        such an act records)."""
        if kind == "queue":
            self.queues.append(_queue(seq, body))
        elif kind in ("adopt", "settle", "rearm", "held"):
            for delivery_id, said in _listed(body).items():
                self.listed[delivery_id] = (seq, said)
        else:
            raise ValueError(f"no such kind of act: {kind}")

    def check(self, conn: Connection) -> None:
        queues = sorted(self.queues, key=lambda q: q.first)
        firsts = [q.first for q in queues]
        tally: dict[int, int] = {}
        listed = dict(self.listed)
        for row in escalation_store.every_delivery(conn):
            what = f"delivery {row.id} (escalation {row.escalation_id}, {row.notifier})"
            i = bisect.bisect_right(firsts, row.escalation_id) - 1
            initial = queues[i].holds(row.escalation_id, row.notifier) if i >= 0 else None
            if initial is not None:
                tally[queues[i].seq] = tally.get(queues[i].seq, 0) + 1
            if row.id in listed:
                seq, said = listed.pop(row.id)
            elif initial is not None:
                seq, said = queues[i].seq, initial
            else:
                self.report("delivery", f"{what} is not in the outbox chain: it was inserted "
                            "behind the record's back")
                continue
            changed = differences(state(row), said)
            if changed:
                self.report("delivery", f"{what}: {disagreement(changed)}")
            elif row.proved_in != seq:
                self.report("delivery", f"{what} names outbox entry {row.proved_in} as the act "
                            f"that last wrote it; the chain says entry {seq}")
        for delivery_id, (_seq, said) in sorted(listed.items()):
            self.report("delivery", f"delivery {delivery_id} (escalation {said[0]}, {said[1]}) "
                        "is in the outbox chain but not on record: it was deleted")
        for queue in self.queues:
            if tally.get(queue.seq, 0) == queue.count:
                continue
            for notifier in queue.notifiers:
                for escalation_id in escalation_store.without_delivery(
                        conn, queue.first, queue.last, notifier):
                    self.report("delivery", f"the {notifier} delivery of escalation "
                                f"{escalation_id} is in the outbox chain (entry {queue.seq}) "
                                "but not on record: it was deleted")
            if tally.get(queue.seq, 0) > queue.count:
                self.report("delivery", f"outbox entry {queue.seq} queued {queue.count} "
                            f"deliveries; {tally[queue.seq]} on record claim it")
