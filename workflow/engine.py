"""The Engine: the library's entry point. One method per event, each one database transaction."""

from __future__ import annotations

import builtins
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine
from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError

from accel666 import lifecycle, models
from accel666.models import chain
from accel666.policies import Policy, PolicyError
from accel666.policies import load as load_policy
from accel666.policies import rules as policy_rules
from accel666.workflow import audit, batches, inputs, machine, store, transition
from accel666.workflow.actor import Actor
from accel666.workflow.deadlines import Deadlines
from accel666.workflow.errors import InvalidInput, NotFound, Refused
from accel666.workflow.guards import Step, authorise, resolve_actor
from accel666.workflow.records import (
    BatchStatus,
    Document,
    Extension,
    Project,
    Transition,
    WindowStatus,
    project_from,
    transition_from,
)
from accel666.workflow.verify import VerifyReport
from accel666.workflow.verify import verify as verify_record

Clock = Callable[[], datetime]


def _open(bind: str | os.PathLike[str]) -> SAEngine:
    """A SQLAlchemy engine for a URL or SQLite path, or InvalidInput saying what is wrong."""
    text = os.fspath(bind)
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("database", "give a database URL or a SQLite file path", None)
    try:
        return models.create(text)
    except (ArgumentError, ValueError, ModuleNotFoundError) as exc:
        raise InvalidInput("database", f"not a database URL or path: {exc}", text) from exc


def utc_now() -> datetime:
    return datetime.now(UTC)


class Engine(Deadlines):
    """The lifecycle engine over one database.

    `bind` is a database URL (a bare path means a SQLite file) or an existing SQLAlchemy engine,
    which the Engine uses but never disposes. `policy` is a loaded `Policy`, a path to a policy
    file, or None for the programme's built-in policy. `clock` returns the current aware time.
    With `create_schema` (the default) a new database gets the latest schema; one made by an
    older accel666 is refused with InvalidInput (field "database") until `upgrade_schema()`.
    Deadline enforcement (sweep, escalate, ack, …) comes from `workflow.deadlines`.
    """

    def __init__(
        self,
        bind: str | os.PathLike[str] | SAEngine,
        *,
        policy: Policy | str | os.PathLike[str] | None = None,
        clock: Clock | None = None,
        create_schema: bool = True,
    ) -> None:
        if isinstance(policy, Policy):
            self.policy = policy
        elif policy is not None and not isinstance(policy, str | os.PathLike):
            raise InvalidInput("policy", "expected a Policy, a path to a policy file or None, "
                               f"got {type(policy).__name__}", None)
        else:
            try:
                self.policy = load_policy(None if policy is None else os.fspath(policy))
            except PolicyError as exc:
                raise InvalidInput("policy", str(exc), str(policy)) from exc
        self._clock: Clock = clock or utc_now
        if isinstance(bind, SAEngine):
            self.db, self._owns_db = bind, False
        else:
            self.db, self._owns_db = _open(bind), True
        try:
            if create_schema:
                models.create_schema(self.db)
            else:  # a database that cannot be opened (a directory, a file of another kind)
                with self.db.connect():  # says so now, as with create_schema
                    pass
        except DatabaseError as exc:
            self.close()
            raise InvalidInput("database", f"cannot open it: {exc.orig}",
                               self.db.url.render_as_string(hide_password=True)) from exc
        except models.SchemaOutdated as exc:
            self.close()
            raise InvalidInput("database", str(exc), exc.current) from exc

    def close(self) -> None:
        """Release the database connections, if this Engine opened them."""
        if self._owns_db:
            self.db.dispose()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def now(self) -> datetime:
        moment = self._clock()
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("the engine's clock must return an aware datetime")
        return moment.astimezone(UTC)

    # -- events -----------------------------------------------------------------------------

    @models.retry_when_busy
    def dock(
        self,
        actor: Actor,
        *,
        title: str,
        enterprise: str,
        credit_code: str,
        region: str,
        category: str,
        batch: str | None = None,
    ) -> Project:
        """Register a new project (it starts `docked`). The batch defaults to the one open for docking."""
        event = "dock"
        actor = resolve_actor(self.policy, actor)
        values: dict[str, Any] = {
            "title": inputs.text("title", title),
            "enterprise": inputs.text("enterprise", enterprise),
            "credit_code": inputs.code(credit_code),
            "region": inputs.region(self.policy, region),
            "category": inputs.category(self.policy, category),
        }
        chosen = None if batch is None else inputs.batch(self.policy, batch)
        now = self.now()
        with audit.attempt(event, actor, None):
            authorise(self.policy, actor, event, source=None, region=values["region"],
                      credit_code=values["credit_code"])
            key = chosen
            try:
                with models.writing(self.db) as conn:
                    key = chosen or self._open_batch_for_docking(conn, now)
                    step = Step(self.policy, event, self.policy.batches[key], now,
                                extension=lambda: store.extended_until(conn, key, "docking"))
                    state = machine.fire(event, lifecycle.NEW, step)
                    row = {**values, "batch": key, "state": state, "version": 1,
                           "created_at": now, "updated_at": now, "head_hash": ""}
                    # The live-project key is the duplicate check: no read before the insert.
                    project_id = store.insert_project(conn, row)
                    entry = audit.log_row(project_id, 1, event, None, state, actor, now, {},
                                          chain.GENESIS)
                    store.log(conn, entry)
                    store.set_head(conn, project_id, entry["hash"])
            except IntegrityError as exc:
                if key is None or not store.is_live_key_violation(exc):
                    raise
                raise self._duplicate(values, key, self._live_holder(values, key)) from exc
            record = Project(id=project_id, paper_copies=None,
                             **{**row, "head_hash": entry["hash"]})
        audit.transitioned(record, event, None, actor, {})
        return record

    def apply(
        self,
        actor: Actor,
        project_id: int,
        *,
        paper_copies: int,
        document: str | os.PathLike[str] | bytes,
        document_name: str | None = None,
    ) -> Project:
        """File the application with its materials: paper copies and the electronic document."""
        copies = inputs.integer("paper copies", paper_copies, 0)
        doc = inputs.document(self.policy, document, document_name)
        payload = {"paper_copies": copies, "document": doc.name, "sha256": doc.sha256,
                   "size": doc.size}

        def extra(conn: Connection, project: Any, now: datetime) -> dict[str, Any]:
            store.insert_document(conn, project.id, doc, now)
            return {"paper_copies": copies}

        return self._advance(actor, project_id, "apply", payload, extra=extra,
                             paper_copies=copies, documents=1)

    def recommend(self, actor: Actor, project_id: int, *, opinion: str) -> Project:
        """The city bureau recommends an application, with its opinion."""
        return self._advance(actor, project_id, "recommend",
                             {"opinion": inputs.text("opinion", opinion, inputs.MAX_TEXT)})

    def review(self, actor: Actor, project_id: int, *, score: int, verdict: str) -> Project:
        """The provincial expert review: pass moves to `reviewed`, fail to `rejected`."""
        checked = inputs.verdict(verdict)
        payload = {"score": inputs.integer("score", score, 0, 100), "verdict": checked}
        return self._advance(actor, project_id, "review", payload, verdict=checked)

    def sign(self, actor: Actor, project_id: int) -> Project:
        return self._advance(actor, project_id, "sign", {})

    def publish(self, actor: Actor, project_id: int) -> Project:
        return self._advance(actor, project_id, "publish", {})

    def reject(self, actor: Actor, project_id: int, *, reason: str) -> Project:
        """Decline an application (city) or reject a recommended project (province)."""
        return self._advance(actor, project_id, "reject",
                             {"reason": inputs.text("reason", reason, inputs.MAX_TEXT)})

    def withdraw(self, actor: Actor, project_id: int, *, reason: str) -> Project:
        return self._advance(actor, project_id, "withdraw",
                             {"reason": inputs.text("reason", reason, inputs.MAX_TEXT)})

    @models.retry_when_busy
    def publish_batch(self, actor: Actor, batch: str) -> list[Project]:
        """Publish every signed project of `batch` in one transaction; return those published."""
        return batches.publish(self.db, self.policy, self.now(), resolve_actor(self.policy, actor),
                               inputs.batch(self.policy, batch))

    @models.retry_when_busy
    def extend(
        self, actor: Actor, batch: str, *, phase: str, until: date | str, reason: str
    ) -> Extension:
        """Record a deadline extension: the phase window of the batch closes at the end of `until`."""
        return batches.extend(
            self.db, self.policy, self.now(), resolve_actor(self.policy, actor),
            inputs.batch(self.policy, batch), phase=inputs.phase(phase),
            until=inputs.day("until", until), reason=inputs.text("reason", reason, inputs.MAX_TEXT),
        )

    # -- reads ------------------------------------------------------------------------------

    def get(self, project_id: int) -> Project:
        pid = inputs.integer("project id", project_id, 1)
        with models.reading(self.db) as conn:
            row = store.load_project(conn, pid)
        if row is None:
            raise NotFound("project", pid)
        return project_from(row)

    def list(
        self,
        *,
        state: str | None = None,
        region: str | None = None,
        category: str | None = None,
        batch: str | None = None,
        limit: int | None = None,
    ) -> builtins.list[Project]:
        filters: dict[str, Any] = {
            "state": None if state is None else inputs.state(state),
            "region": None if region is None else inputs.region(self.policy, region),
            "category": None if category is None else inputs.category(self.policy, category),
            "batch": None if batch is None else inputs.batch(self.policy, batch),
            "limit": None if limit is None else inputs.integer("limit", limit, 1),
        }
        with models.reading(self.db) as conn:
            return [project_from(r) for r in store.projects(conn, **filters)]

    def history(self, project_id: int) -> builtins.list[Transition]:
        pid = inputs.integer("project id", project_id, 1)
        with models.reading(self.db) as conn:
            if store.load_project(conn, pid) is None:
                raise NotFound("project", pid)
            return [transition_from(r) for r in store.history(conn, pid)]

    def document(self, project_id: int) -> Document:
        """The electronic document filed with the project's application."""
        pid = inputs.integer("project id", project_id, 1)
        with models.reading(self.db) as conn:
            if store.load_project(conn, pid) is None:
                raise NotFound("project", pid)
            row = store.latest_document(conn, pid)
        if row is None:
            raise NotFound("document of project", pid)
        return Document(id=row.id, project_id=row.project_id, name=row.name, size=row.size,
                        sha256=row.sha256, uploaded_at=row.uploaded_at, content=bytes(row.content))

    def verify(self) -> VerifyReport:
        """Check every hash chain, each project's state and version against its log, and that
        documents and escalations reference existing projects and recorded hashes."""
        return verify_record(self.db)

    def schema_revision(self) -> str | None:
        """The database's schema revision (None for an empty database)."""
        with models.reading(self.db) as conn:
            return models.schema.current(conn)

    def upgrade_schema(self) -> tuple[str | None, str | None]:
        """Bring the database's schema to this version's head (Alembic); (before, after)."""
        return models.upgrade(self.db)

    def batches(self) -> builtins.list[BatchStatus]:
        """Every batch of the policy with its windows as they stand now, extensions included."""
        now = self.now()
        with models.reading(self.db) as conn:
            extended = store.all_extensions(conn)
        out = []
        for b in self.policy.batches.values():
            windows = []
            for phase, w in b.windows.items():
                until = extended.get((b.key, phase))
                eff = policy_rules.effective_window(w, until)
                windows.append(WindowStatus(
                    phase=phase, opens_at=eff.opens_at, closes_at=policy_rules.last_moment(eff),
                    extended=eff is not w,
                    open=(eff.opens_at is None or now >= eff.opens_at) and now < eff.closes_at,
                ))
            out.append(BatchStatus(b.key, b.name, tuple(windows)))
        return out

    # -- the shared path of one state change --------------------------------------------------

    @models.retry_when_busy
    def _advance(
        self,
        actor: Actor,
        project_id: int,
        event: str,
        payload: dict[str, Any],
        *,
        extra: transition.Extra | None = None,
        paper_copies: int = 0,
        documents: int = 0,
        verdict: str | None = None,
    ) -> Project:
        actor = resolve_actor(self.policy, actor)
        pid = inputs.integer("project id", project_id, 1)
        now = self.now()
        with audit.attempt(event, actor, pid), models.writing(self.db) as conn:
            row = store.load_project(conn, pid)
            if row is None:
                raise NotFound("project", pid)
            record = transition.change(conn, self.policy, actor, row, event, now, payload,
                                       extra=extra, paper_copies=paper_copies,
                                       documents=documents, verdict=verdict)
        audit.transitioned(record, event, row.state, actor, payload)
        return record

    def _open_batch_for_docking(self, conn: Connection, now: datetime) -> str:
        batches = self.policy.batches.values()
        closed = [b for b in batches if now >= b.windows["docking"].closes_at]
        # Only an extension can reopen a closed window: read them only if one has closed.
        extended = store.all_extensions(conn) if closed else {}
        open_now = [b.key for b in batches if policy_rules.check_window(
            b, "dock", now, extended.get((b.key, "docking"))) is None]
        if len(open_now) == 1:
            return open_now[0]
        if not open_now:
            raise Refused("dock", "window", "no batch is open for docking now; name one "
                          f"(batches: {', '.join(self.policy.batches)})", facts={"now": str(now)})
        raise InvalidInput("batch", f"several batches are open for docking ({', '.join(open_now)});"
                           " name one", None)

    def _live_holder(self, values: dict[str, Any], batch: str) -> int | None:
        """The project that holds the live key a dock ran into (None if it has since ended)."""
        with models.reading(self.db) as conn:
            return store.live_duplicate(conn, values["credit_code"], values["category"], batch)

    def _duplicate(self, values: dict[str, Any], batch: str, other: int | None) -> Refused:
        held = f"live project {other}" if other is not None else "a live project"
        return Refused(
            "dock", "duplicate",
            f"enterprise {values['credit_code']} already holds {held} in category "
            f"{values['category']} of batch {batch}",
            project_id=other,
            facts={"credit_code": values["credit_code"], "category": values["category"],
                   "batch": batch},
        )
