"""The panels: the experts the province puts on a recommended project's panel, their scores
and recusals, and the panel as each reader may see it.

A panel holds at most the policy's `panel_size` experts ([review]); an expert who must avoid
the project's enterprise or region is refused a seat. Each expert on it scores once, an
integer from 0 to 100, while the project is recommended and its review window (extensions
counted) is open; or recuses itself before scoring, and the province assigns another. Scoring
is blind: until the quorum has scored, an expert sees no other expert's score. Every act is an
entry of the ledger's `panels` chain, which `verify` replays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine

from accel666 import models
from accel666.errors import InvalidInput, NotFound, NotPermitted, Refused
from accel666.models.stores import batches as batch_store
from accel666.models.stores import experts as expert_store
from accel666.models.stores import panels as panel_store
from accel666.models.stores import projects as project_store
from accel666.policies import Policy, Review
from accel666.policies import review as rules
from accel666.policies.rules import check_window
from accel666.record import ledger, review
from accel666.workflow import logs, reads
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit, inputs
from accel666.workflow.changes.guards import refuse, resolve_actor
from accel666.workflow.experts import KEEPER, keeper

log = logs.get_logger("accel666.panels")
EXPERT_ROLE = "expert"
UNDER_REVIEW = "recommended"  # the state a project is reviewed, and scored, in
MAX_PROJECTS = 1000  # projects one assignment names


@dataclass(frozen=True)
class Seat:
    """An expert's seat on a panel: the expert, whether and what it scored (None where the
    reader may not see it yet), and its recusal."""

    key: str
    name: str | None
    scored: bool
    score: int | None
    comment: str | None
    scored_at: datetime | None
    assigned_at: datetime
    assigned_by: str
    recused_at: datetime | None = None
    recuse_reason: str | None = None

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, Any]:
        def moment(value: datetime | None) -> str | None:
            return None if value is None else value.astimezone(zone or UTC).isoformat()

        doc: dict[str, Any] = {"key": self.key, "name": self.name, "scored": self.scored,
                               "score": self.score, "comment": self.comment,
                               "scored_at": moment(self.scored_at),
                               "assigned_at": moment(self.assigned_at),
                               "assigned_by": self.assigned_by}
        if self.recused_at is not None:
            doc.update(recused_at=moment(self.recused_at), recuse_reason=self.recuse_reason)
        return doc


@dataclass(frozen=True)
class Panel:
    """A project's panel as one reader sees it: its experts (`experts`; those who recused in
    `recused`), the policy's quorum, pass mark and aggregate, the panel's score (None until
    the quorum has scored) and its outcome (pending, pass or fail)."""

    project: int
    experts: tuple[Seat, ...]
    recused: tuple[Seat, ...]
    panel_size: int
    quorum: int
    pass_mark: int | None
    aggregate: str | None
    score: float | None
    outcome: str

    @property
    def scored(self) -> int:
        """How many experts on it have scored."""
        return sum(s.scored for s in self.experts)

    @property
    def awaited(self) -> tuple[str, ...]:
        """The keys of the experts on it who have not scored."""
        return tuple(s.key for s in self.experts if not s.scored)

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, Any]:
        """The panel as `panel show --json` prints it."""
        return {"project": self.project,
                "experts": [s.to_dict(zone) for s in self.experts],
                "recused": [s.to_dict(zone) for s in self.recused],
                "panel_size": self.panel_size, "quorum": self.quorum,
                "pass_mark": self.pass_mark, "aggregate": self.aggregate,
                "score": self.score, "outcome": self.outcome}


def _seat(row: Any) -> Seat:
    return Seat(key=row.expert, name=row.expert_name, scored=row.score is not None,
                score=row.score, comment=row.comment, scored_at=row.scored_at,
                assigned_at=row.assigned_at, assigned_by=row.assigned_by,
                recused_at=row.recused_at, recuse_reason=row.recuse_reason)


def panel_of(policy: Policy, project_id: int, rows: Sequence[Any],
             viewer: Actor | None = None) -> Panel:
    """The panel of these seat rows; as `viewer` sees it: an expert sees no other expert's
    score or comment until the quorum has scored; a bureau, Tencent or an enterprise sees no
    expert's score or comment, only the panel's score and outcome (None, or the province:
    every one)."""
    setting = policy.review or Review(panel_size=0, quorum=0)
    seats = [_seat(r) for r in rows]
    live = tuple(s for s in seats if s.recused_at is None)
    gone = tuple(s for s in seats if s.recused_at is not None)
    scores = [s.score for s in live if s.score is not None]
    outcome, value = rules.outcome(setting, scores) if live else (rules.PENDING, None)
    if viewer is not None and viewer.role != KEEPER:
        expert = viewer.role == EXPERT_ROLE
        if not expert or outcome == rules.PENDING:
            live = tuple(s if expert and s.key == viewer.scope
                         else replace(s, score=None, comment=None) for s in live)
    return Panel(project=project_id, experts=live, recused=gone,
                 panel_size=setting.panel_size, quorum=setting.quorum,
                 pass_mark=None if policy.review is None else setting.pass_mark,
                 aggregate=None if policy.review is None else setting.aggregate,
                 score=rules.shown(value), outcome=outcome)


def _keys(keys: object) -> list[str]:
    if isinstance(keys, str) or not isinstance(keys, Iterable):
        raise InvalidInput("experts", "expected a list of expert keys", keys)
    out = [inputs.expert_key(k) for k in keys]
    if not out:
        raise InvalidInput("experts", "name at least one expert", None)
    if len(set(out)) != len(out):
        twice = next(k for k in out if out.count(k) > 1)
        raise InvalidInput("experts", f"expert {twice} is named twice", twice)
    return out


def _ids(project_ids: object) -> list[int]:
    if isinstance(project_ids, str) or not isinstance(project_ids, Iterable):
        raise InvalidInput("project id", "expected a list of project ids", project_ids)
    out = list(dict.fromkeys(inputs.integer("project id", p, 1) for p in project_ids))
    if not out:
        raise InvalidInput("project id", "name at least one project", None)
    if len(out) > MAX_PROJECTS:
        raise InvalidInput("project id", f"at most {MAX_PROJECTS} projects at once", len(out))
    return out


def _expert(policy: Policy, actor: Actor, act: str, project_id: object) -> Actor:
    """`actor`, checked, if it is an expert; NotPermitted otherwise."""
    who = resolve_actor(policy, actor)
    if who.role != EXPERT_ROLE:
        pid = project_id if isinstance(project_id, int) else None
        raise NotPermitted(act, "role", f"role {who.role} may not {act}: only an expert on "
                           "the project's panel may", role=who.role, scope=who.scope,
                           project_id=pid)
    return who


def _under_review(act: str, row: Any) -> None:
    if row.state != UNDER_REVIEW:
        raise Refused(act, "state", f"project {row.id} is {row.state}: a panel acts only on a "
                      f"project that is {UNDER_REVIEW}", project_id=row.id,
                      facts={"state": row.state})


def _load(conn: Connection, project_id: int) -> Any:
    row = project_store.load(conn, project_id)
    if row is None:
        raise NotFound("project", project_id)
    return row


class Panels:
    """The Engine's part that seats experts, takes their scores and recusals, and shows a
    panel."""

    def __init__(self, db: SAEngine, policy: Policy) -> None:
        self.db = db
        self.policy = policy

    def assign(self, actor: Actor, project_ids: object, keys: object, *,
               now: datetime) -> list[Panel]:
        """Seat the experts `keys` on the panel of each project (the province), all or none."""
        who = keeper(self.policy, actor, "panel", "assign a panel")
        pids, wanted = _ids(project_ids), _keys(keys)
        setting = self.policy.review
        if setting is None or setting.panel_size == 0:
            raise Refused("panel", rules.NO_PANEL, "the policy in force has no expert panels "
                          "([review] panel_size is 0 or missing): the province reviews alone",
                          facts={"panel_size": 0})
        with audit.attempt("panel", who, pids[0]), models.writing(self.db) as conn:
            ledger.lock(conn, ledger.PANELS)
            found = expert_store.by_keys(conn, wanted)
            for key in wanted:
                if key not in found:
                    raise NotFound("expert", key)
            rows: list[dict[str, Any]] = []
            for pid in pids:
                project = _load(conn, pid)
                _under_review("panel", project)
                held = {s.expert: s for s in panel_store.seats(conn, pid)}
                for key in wanted:
                    self._seatable(project, found[key], held.get(key))
                live = sum(s.recused_at is None for s in held.values())
                if live + len(wanted) > setting.panel_size:
                    raise Refused("panel", rules.PANEL_SIZE, f"project {pid}'s panel holds "
                                  f"{live} expert(s); {len(wanted)} more would pass the "
                                  f"policy's panel_size ({setting.panel_size})", project_id=pid,
                                  facts={"seated": live, "adding": len(wanted),
                                         "panel_size": setting.panel_size})
                rows += [{"project_id": pid, "expert": key, "assigned_at": now,
                          "assigned_by": who.name} for key in wanted]
            ids = panel_store.insert_all(conn, rows)
            seated = [{"id": i, **r} for i, r in zip(ids, rows, strict=True)]
            ledger.append(conn, ledger.PANELS, "assign", now, who.name, who.role,
                          review.assign_body(seated), locked=True)
            panels = [panel_of(self.policy, pid, panel_store.seats(conn, pid)) for pid in pids]
        log.info("panel_assigned", projects=pids, experts=wanted, actor=who.name,
                 at=now.isoformat())
        return panels

    def _seatable(self, project: Any, expert: Any, held: Any) -> None:
        pid, key = project.id, expert.key
        if held is not None:
            why = "recused from it" if held.recused_at is not None else "sits on it already"
            raise Refused("panel", "duplicate", f"expert {key} {why}: project {pid}'s panel "
                          "seats an expert once", project_id=pid,
                          facts={"expert": key, "recused": held.recused_at is not None})
        clash = rules.conflicts(expert.avoid or (), credit_code=project.credit_code,
                                region=project.region)
        if clash:
            named = ", ".join(
                f"region {c} ({self.policy.regions[c].name})" if c in self.policy.regions
                else f"enterprise {c}" for c in clash)
            raise Refused("panel", rules.AVOID, f"expert {key} must avoid {named}: project "
                          f"{pid} ({project.enterprise}) is theirs", project_id=pid,
                          facts={"expert": key, "conflicts": clash})

    def score(self, actor: Actor, project_id: int, value: object, comment: object, *,
              now: datetime) -> Panel:
        """The expert `actor` scores the project, once."""
        who = _expert(self.policy, actor, "score", project_id)
        pid = inputs.integer("project id", project_id, 1)
        given = inputs.integer("score", value, 0, 100)
        note = None if comment is None else inputs.text("comment", comment, inputs.MAX_TEXT)
        assert who.scope is not None
        with audit.attempt("score", who, pid), models.writing(self.db) as conn:
            ledger.lock(conn, ledger.PANELS)
            seat = self._seat_of(conn, who, pid, "score")
            project = _load(conn, pid)
            if seat.score is not None:
                raise Refused("score", "once", f"expert {who.scope} scored project {pid} "
                              f"already ({seat.score}): a score once given stands",
                              project_id=pid, facts={"expert": who.scope})
            _under_review("score", project)
            self._window_open(conn, project, now)
            values = {"score": given, "comment": note, "scored_at": now}
            panel_store.set_fields(conn, seat.id, values)
            ledger.append(conn, ledger.PANELS, "score", now, who.name, who.role,
                          review.score_body(seat.id, values), locked=True)
            shown = panel_of(self.policy, pid, panel_store.seats(conn, pid), who)
        log.info("scored", project=pid, expert=who.scope, actor=who.name, at=now.isoformat())
        return shown

    def recuse(self, actor: Actor, project_id: int, reason: object, *,
               now: datetime) -> Panel:
        """The expert `actor` leaves the project's panel before scoring it."""
        who = _expert(self.policy, actor, "recuse", project_id)
        pid = inputs.integer("project id", project_id, 1)
        why = inputs.text("reason", reason, inputs.MAX_TEXT)
        with audit.attempt("recuse", who, pid), models.writing(self.db) as conn:
            ledger.lock(conn, ledger.PANELS)
            seat = self._seat_of(conn, who, pid, "recuse")
            project = _load(conn, pid)
            if seat.score is not None:
                raise Refused("recuse", "once", f"expert {who.scope} scored project {pid} "
                              "already: a score once given stands, and its expert stays",
                              project_id=pid, facts={"expert": who.scope})
            _under_review("recuse", project)
            values = {"recused_at": now, "recuse_reason": why}
            panel_store.set_fields(conn, seat.id, values)
            ledger.append(conn, ledger.PANELS, "recuse", now, who.name, who.role,
                          review.recuse_body(seat.id, values), locked=True)
            shown = panel_of(self.policy, pid, panel_store.seats(conn, pid), who)
        log.info("recused", project=pid, expert=who.scope, actor=who.name, reason=why,
                 at=now.isoformat())
        return shown

    def _seat_of(self, conn: Connection, who: Actor, pid: int, act: str) -> Any:
        """The expert's live seat on the project's panel: NotFound for an unknown expert or
        project, NotPermitted for one not on the panel."""
        assert who.scope is not None
        if expert_store.by_key(conn, who.scope) is None:
            raise NotFound("expert", who.scope)
        if project_store.load(conn, pid) is None:
            raise NotFound("project", pid)
        seat = panel_store.seat(conn, pid, who.scope)
        if seat is None or seat.recused_at is not None:
            gone = seat is not None
            raise NotPermitted(act, "panel", f"expert {who.scope} "
                               f"{'recused from' if gone else 'does not sit on'} the panel of "
                               f"project {pid}", role=who.role, scope=who.scope,
                               project_id=pid, facts={"expert": who.scope, "recused": gone})
        return seat

    def _window_open(self, conn: Connection, project: Any, now: datetime) -> None:
        batch = self.policy.batches[project.batch]
        denial = check_window(batch, "review", now)
        if denial is not None:
            denial = check_window(batch, "review", now,
                                  batch_store.extended_until(conn, project.batch, "review"))
        if denial is not None:
            raise refuse("score", denial, project.id)

    def show(self, project_id: int, actor: Actor | None) -> Panel:
        """The project's panel as `actor` may see it (the project within its reach)."""
        who = reads.viewer(self.policy, actor)
        pid = inputs.integer("project id", project_id, 1)
        with models.reading(self.db) as conn:
            reads.readable(conn, self.policy, who, pid)
            rows = panel_store.seats(conn, pid)
        return panel_of(self.policy, pid, rows, None if who is None else who.actor)
