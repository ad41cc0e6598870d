"""The Engine: the library's one entry point. One method per event, each one database
transaction; reads; the record's check; and, through its `Deadlines` part, deadline
enforcement."""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine
from sqlalchemy.exc import ArgumentError, DatabaseError

from accel666 import models
from accel666.errors import InvalidInput, NotFound, Stale
from accel666.models.stores import documents as document_store
from accel666.models.stores import projects as project_store
from accel666.policies import Policy, PolicyError
from accel666.policies import load as load_policy
from accel666.record import anchoring, verify
from accel666.record.anchoring import Anchor
from accel666.record.verify import VerifyReport
from accel666.workflow import reads, report, stored_policy, worklist
from accel666.workflow.actor import Actor
from accel666.workflow.changes import audit, batches, docking, given, inputs, transition
from accel666.workflow.changes import review as review_change
from accel666.workflow.changes.guards import resolve_actor
from accel666.workflow.deadlines.notifying import Notifier, Notifiers
from accel666.workflow.deadlines.records import (
    DeliveryReport,
    Escalation,
    EscalationRun,
    OverdueProject,
    SweepResult,
)
from accel666.workflow.deadlines.service import Deadlines
from accel666.workflow.environment import translating
from accel666.workflow.experts import Expert, Experts
from accel666.workflow.intake import bulk, rows, sheets
from accel666.workflow.intake.bulk import ImportResult
from accel666.workflow.notice_records import BatchNotice, Notice, Objection, PublicBatch
from accel666.workflow.notices import Notices
from accel666.workflow.notifiers import default as default_notifiers
from accel666.workflow.operators import IssuedToken, Operator, Operators
from accel666.workflow.panels import Panel, Panels
from accel666.workflow.records import (
    BatchStatus,
    Document,
    Extension,
    Project,
    Transition,
    project_from,
    transition_from,
)
from accel666.workflow.report import ProgrammeReport
from accel666.workflow.stored_policy import StoredPolicy
from accel666.workflow.worklist import Task

Clock = Callable[[], datetime]


def _open(bind: str | os.PathLike[str]) -> SAEngine:
    """A SQLAlchemy engine for a URL or SQLite path, or InvalidInput saying what is wrong."""
    text = os.fspath(bind)
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("database", "give a database URL or a SQLite file path", None)
    try:
        return models.create(text)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] == "psycopg":
            raise InvalidInput("database", "a PostgreSQL database needs the psycopg driver: "
                               "pip install 'accel666[postgres]'", text) from exc
        raise InvalidInput("database", f"not a database URL or path: {exc}", text) from exc
    except (ArgumentError, ValueError) as exc:
        raise InvalidInput("database", f"not a database URL or path: {exc}", text) from exc


def _missing_file(db: SAEngine) -> str | None:
    """The path of a SQLite file `db` would create on first use (it does not exist yet)."""
    name = db.url.database
    if db.dialect.name != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return None if Path(name).exists() else name


def _load(path: str | os.PathLike[str]) -> Policy:
    try:
        return load_policy(os.fspath(path))
    except PolicyError as exc:
        raise InvalidInput("policy", str(exc), str(path)) from exc


def utc_now() -> datetime:
    return datetime.now(UTC)


@translating
class Engine:
    """The lifecycle engine over one database.

    `bind` is a database URL (a bare path means a SQLite file) or an existing SQLAlchemy engine,
    which the Engine uses but never disposes. `policy` is a loaded `Policy`, a path to a policy
    file, or None for the programme's built-in policy. `clock` returns the current aware time.
    With `create_schema` (the default) a new database gets the latest schema; one made by an
    older accel666 is refused with InvalidInput (field "database") until `upgrade_schema()`.
    With `must_exist`, a SQLite file that does not exist is NotFound instead of created (what
    a read-only command wants).
    Deadline enforcement (sweep, escalate, ack, …) is done by its part `deadlines`
    (accel666.workflow.deadlines), whose methods the Engine offers as its own; it delivers
    escalations with `notifiers` (accel666.workflow.notifiers: by default the log, then the
    webhook), which an embedder may replace or add to.
    """

    def __init__(
        self,
        bind: str | os.PathLike[str] | SAEngine,
        *,
        policy: Policy | str | os.PathLike[str] | None = None,
        clock: Clock | None = None,
        create_schema: bool = True,
        must_exist: bool = False,
        notifiers: Iterable[Notifier] | None = None,
    ) -> None:
        self.notifiers = default_notifiers() if notifiers is None else Notifiers(notifiers)
        if isinstance(policy, Policy):
            given: Policy | None = policy
        elif policy is not None and not isinstance(policy, str | os.PathLike):
            raise InvalidInput("policy", "expected a Policy, a path to a policy file or None, "
                               f"got {type(policy).__name__}", None)
        else:
            given = None if policy is None else _load(policy)
        self._clock: Clock = clock or utc_now
        if isinstance(bind, SAEngine):
            self.db, self._owns_db = bind, False
        else:
            self.db, self._owns_db = _open(bind), True
            if must_exist and (missing := _missing_file(self.db)) is not None:
                self.close()
                raise NotFound("database", missing, f"no database at {missing}; `accel666 db "
                               "upgrade` creates one, as does any command that writes")
        try:
            self.now()  # a clock that returns naive datetimes is refused on opening
            if create_schema:
                models.create_schema(self.db)
                # The database's own policy from now on (recorded with its first change).
                self.policy = stored_policy.bind(self.db, given)
            else:  # a database that cannot be opened (a directory, a file of another kind)
                with self.db.connect():  # says so now, as with create_schema
                    pass
                self.policy = given or load_policy(None)
        except DatabaseError as exc:
            self.close()
            if models.unavailable_reason(exc) is not None:
                raise  # read-only, full, unreachable: Unavailable (see `translating`)
            raise InvalidInput("database", f"cannot open it: {exc.orig}",
                               self.db.url.render_as_string(hide_password=True)) from exc
        except (models.SchemaOutdated, models.SchemaNewer, models.SchemaUnrecorded) as exc:
            self.close()
            raise InvalidInput("database", str(exc), exc.current) from exc
        except Exception:  # InvalidInput from the policy, a naive clock, …: nothing left open
            self.close()
            raise
        self.deadlines = Deadlines(self.db, self.policy, self.now, self.notifiers)

    def close(self) -> None:
        """Release the database connections, if this Engine opened them."""
        if self._owns_db:
            self.db.dispose()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def now(self) -> datetime:
        """The engine's clock, as an aware UTC datetime."""
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
        actor = resolve_actor(self.policy, actor)
        values: dict[str, Any] = {
            "title": inputs.text("title", title),
            "enterprise": inputs.text("enterprise", enterprise),
            "credit_code": inputs.code(credit_code),
            "region": inputs.region(self.policy, region),
            "category": inputs.category(self.policy, category),
        }
        chosen = None if batch is None else inputs.batch(self.policy, batch)
        return docking.dock(self.db, self.policy, self.now(), actor, values, chosen)

    @models.retry_when_busy
    def import_projects(
        self,
        actor: Actor,
        source: str | os.PathLike[str],
        *,
        batch: str | None = None,
        dry_run: bool = False,
        encoding: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportResult:
        """Dock every project of a bureau's spreadsheet (`.xlsx`, first sheet, or `.csv` in
        UTF-8 or GB18030) in one transaction, or none: headings in Chinese or English in any
        order (项目名称/title, 企业名称/enterprise, 统一社会信用代码/credit_code, 地区/region,
        类别/category; other columns ignored), every row checked as `dock` checks it. Failing
        rows come back in `errors` (row, column, value, reason, kind) and nothing is written;
        a file that is not such a table is InvalidInput. `progress(done, total)` follows the
        writing."""
        actor = resolve_actor(self.policy, actor)
        sheet = sheets.read(Path(source), encoding)
        where = rows.columns(sheet)
        good, errors = rows.values(self.policy, sheet, where)
        chosen = None if batch is None else inputs.batch(self.policy, batch)
        headings = {f: sheet.header[i] for f, i in where.items()}
        letters = {f: sheets.column_name(i) for f, i in where.items()}
        return bulk.dock_all(self.db, self.policy, self.now(), actor, good, errors, chosen,
                             columns=headings, letters=letters, header_row=sheet.header_row,
                             dry_run=dry_run, progress=progress)

    def apply(
        self,
        actor: Actor,
        project_id: int,
        *,
        paper_copies: int,
        document: str | os.PathLike[str] | bytes,
        document_name: str | None = None,
        expected_version: int | None = None,
    ) -> Project:
        """File the application with its materials: paper copies and the electronic document
        (a path, or bytes named by `document_name`)."""
        values: dict[str, object] = {"paper_copies": paper_copies, "document": document}
        if document_name is not None:
            values["document_name"] = document_name
        return self._fire(actor, project_id, "apply", values, expected_version=expected_version)

    def recommend(self, actor: Actor, project_id: int, *, opinion: str,
                  expected_version: int | None = None) -> Project:
        """The city bureau recommends an application, with its opinion."""
        return self._fire(actor, project_id, "recommend", {"opinion": opinion},
                         expected_version=expected_version)

    def review(self, actor: Actor, project_id: int, *, score: int | None = None,
               verdict: str | None = None, override: bool = False, reason: str | None = None,
               expected_version: int | None = None) -> Project:
        """The provincial review: pass moves to `reviewed`, fail to `rejected`. As the
        policy's [review] says: the province alone gives the score and the verdict (with
        panel_size 0 they must agree against the pass mark); with an expert panel it gives
        neither, and the review follows the panel once its quorum has scored (the recorded
        score is the panel's aggregate), or gives a verdict against it with `override` and
        its `reason`, recorded as an override."""
        values: dict[str, object] = {"score": score, "verdict": verdict, "reason": reason}
        values = {k: v for k, v in values.items() if v is not None}
        if override is not False:
            values["override"] = override
        return self._fire(actor, project_id, "review", values,
                          expected_version=expected_version)

    def sign(self, actor: Actor, project_id: int, *,
             expected_version: int | None = None) -> Project:
        """Sign a reviewed project at the signing ceremony (province or Tencent)."""
        return self._fire(actor, project_id, "sign", expected_version=expected_version)

    def publish(self, actor: Actor, project_id: int, *,
                expected_version: int | None = None) -> Project:
        """Publish one signed project (the province); `publish_batch` publishes a whole batch."""
        return self._fire(actor, project_id, "publish", expected_version=expected_version)

    def reject(self, actor: Actor, project_id: int, *, reason: str,
               expected_version: int | None = None) -> Project:
        """Decline an application (city) or reject a recommended project (province)."""
        return self._fire(actor, project_id, "reject", {"reason": reason},
                         expected_version=expected_version)

    def withdraw(self, actor: Actor, project_id: int, *, reason: str,
                 expected_version: int | None = None) -> Project:
        """Withdraw a project not yet published (the enterprise or its city bureau)."""
        return self._fire(actor, project_id, "withdraw", {"reason": reason},
                         expected_version=expected_version)

    @staticmethod
    def takes(event: str, values: Mapping[str, object] | None = None) -> dict[str, object]:
        """`values` as `event` takes them (accel666.lifecycle.TAKES): every input it needs
        present and none it does not take, else InvalidInput naming the first missing one
        ("recommend needs opinion") or the first extra one ("review takes no reason"). An event
        fired on no project (dock creates one) is InvalidInput too. `fire` checks the values."""
        return given.present(event, values)

    def fire(self, actor: Actor, project_id: int, event: str,
             values: Mapping[str, object] | None = None, *,
             expected_version: int | None = None) -> Project:
        """Fire `event` on a project with `values`, what the lifecycle says it takes
        (accel666.lifecycle.TAKES; `takes` says what is missing or extra): `fire(actor, 7,
        "review", {"score": 91, "verdict": "pass"})` is `review(actor, 7, score=91,
        verdict="pass")`. Each value is checked as its kind says, the verdict first (it chooses
        the transition); the log row records them in the definition's order.

        Every event takes `expected_version`: given, the project must still be at that
        version (the one the caller read), or the event is Stale and nothing is written."""
        return self._fire(actor, project_id, event, values, expected_version=expected_version)

    def _fire(self, actor: Actor, project_id: int, event: str,
              values: Mapping[str, object] | None = None, *,
              expected_version: int | None = None) -> Project:
        """`fire`, for the named events too (one wrapper, not two, on their hot path)."""
        change = given.checked(self.policy, event, values)
        filed = change.document
        if event == "review":  # the policy's [review] says how it is decided
            actor = resolve_actor(self.policy, actor)  # who asks, before what is asked
            decide = review_change.prepare(self.policy, change.payload)  # takes out override
            return self._advance(actor, project_id, event, change.payload,
                                 verdict=change.verdict, expected_version=expected_version,
                                 decide=decide)
        if filed is None:
            return self._advance(actor, project_id, event, change.payload,
                                 paper_copies=change.paper_copies, verdict=change.verdict,
                                 expected_version=expected_version)

        def materials(conn: Connection, project: Any, now: datetime) -> dict[str, Any]:
            document_store.insert_one(conn, project.id, name=filed.name, size=filed.size,
                                      sha256=filed.sha256, content=filed.content,
                                      uploaded_at=now)
            return {"paper_copies": change.paper_copies}

        return self._advance(actor, project_id, event, change.payload, extra=materials,
                             paper_copies=change.paper_copies, documents=1,
                             verdict=change.verdict, expected_version=expected_version)

    @models.retry_when_busy
    def publish_batch(self, actor: Actor, batch: str) -> list[Project]:
        """Publish every signed project of `batch` in one transaction; return those published."""
        return batches.publish(self.db, self.policy, self.now(), resolve_actor(self.policy, actor),
                               inputs.batch(self.policy, batch))

    @models.retry_when_busy
    def extend(
        self, actor: Actor, batch: str, *, phase: str, until: date | str, reason: str,
        override: bool = False,
    ) -> Extension:
        """Record a deadline extension: the phase window of the batch closes at the end of
        `until`, and so do later phases that would close before it (listed in `carried`). A
        window closed longer than the policy's reopen_within_days is Refused unless
        `override` (the reason is recorded)."""
        if not isinstance(override, bool):
            raise InvalidInput("override", "expected True or False", override)
        return batches.extend(
            self.db, self.policy, self.now(), resolve_actor(self.policy, actor),
            inputs.batch(self.policy, batch), phase=inputs.phase(phase),
            until=inputs.day("until", until), reason=inputs.text("reason", reason, inputs.MAX_TEXT),
            override=override,
        )

    @models.retry_when_busy
    def revoke_extension(self, actor: Actor, extension_id: int, reason: str) -> Extension:
        """Undo an extension and what its act carried along (whoever may extend)."""
        return batches.revoke(
            self.db, self.policy, self.now(), resolve_actor(self.policy, actor),
            inputs.integer("extension id", extension_id, 1),
            inputs.text("reason", reason, inputs.MAX_TEXT))

    @models.retry_when_busy
    def apply_policy(self, actor: Actor, policy: Policy | str | os.PathLike[str],
                     reason: str, *, override: bool = False) -> StoredPolicy:
        """Put another policy in force for this database (who may extend deadlines: the
        province), after checking every project keeps a batch, region and category it knows,
        and that the new policy changes no window that has closed, would have refused no
        decision on record and sets no target below what is published (Refused, guard
        "retroactive", naming each problem, unless `override`: then the problems are
        recorded with the act); recorded with who, when and why. This Engine runs under it
        from now on."""
        if not isinstance(override, bool):
            raise InvalidInput("override", "expected True or False", override)
        new = policy if isinstance(policy, Policy) else _load(policy)
        stored = stored_policy.apply(self.db, self.policy, new, self.now(),
                                     resolve_actor(self.policy, actor),
                                     inputs.text("reason", reason, inputs.MAX_TEXT),
                                     override=override)
        self.policy = new
        self.deadlines = Deadlines(self.db, new, self.now, self.notifiers)
        return stored

    def policies(self) -> list[StoredPolicy]:
        """Every policy put in force on this database, oldest first (the last is in force)."""
        return stored_policy.history(self.db)

    def extensions(self, batch: str | None = None) -> list[Extension]:
        """Every deadline extension on record (of `batch`), oldest first, revoked included."""
        return batches.extensions(
            self.db, None if batch is None else inputs.batch(self.policy, batch))

    # -- reads ------------------------------------------------------------------------------
    # Given an `actor`, a read answers within the reach the policy's [reads] gives its role
    # (an enterprise its own projects, a city bureau its region's, …): a project beyond it is
    # NotPermitted (guard "reads"), a list holds only what the actor may read. Without one,
    # everything is read, as whoever holds the database may.

    def get(self, project_id: int, *, actor: Actor | None = None) -> Project:
        """One project as it stands now; NotFound if there is none with this id, NotPermitted
        if it is beyond `actor`'s reach."""
        who = reads.viewer(self.policy, actor)
        pid = inputs.integer("project id", project_id, 1)
        with models.reading(self.db) as conn:
            row = reads.readable(conn, self.policy, who, pid)
        return project_from(row)

    def projects(
        self,
        *,
        state: str | None = None,
        region: str | None = None,
        category: str | None = None,
        batch: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        sort: str = "id",
        search: str | None = None,
        actor: Actor | None = None,
    ) -> list[Project]:
        """Projects narrowed by state, region (code, name or pinyin), category, batch and
        `search` (text in the title, the enterprise or the credit code), ordered by `sort` (a
        column such as updated_at or title; a leading - for descending; ties by id), at most
        `limit` of them after skipping `offset`; only those `actor` may read (a region-bound
        actor asking for another region is NotPermitted)."""
        who = reads.viewer(self.policy, actor)
        descending = isinstance(sort, str) and sort.startswith("-")
        key = sort[1:] if descending else sort
        if key not in project_store.SORTS:
            raise InvalidInput("sort", f"use one of {', '.join(project_store.SORTS)} (a leading - "
                               "sorts descending)", sort)
        filters: dict[str, Any] = {
            "state": None if state is None else inputs.state(state),
            "region": None if region is None else inputs.region(self.policy, region),
            "category": None if category is None else inputs.category(self.policy, category),
            "batch": None if batch is None else inputs.batch(self.policy, batch),
            "limit": None if limit is None else inputs.integer("limit", limit, 1),
            "offset": inputs.integer("offset", offset, 0),
            "sort": key, "descending": descending,
            "search": None if search is None else inputs.text("search", search),
            "reach": reads.within(who),
        }
        reads.check_region(self.policy, who, filters["region"])
        with models.reading(self.db) as conn:
            return [project_from(r) for r in project_store.find(conn, **filters)]

    def history(self, project_id: int, *, actor: Actor | None = None) -> list[Transition]:
        """A project's transition log, oldest first: each event, who fired it, when (the
        project within `actor`'s reach)."""
        who = reads.viewer(self.policy, actor)
        pid = inputs.integer("project id", project_id, 1)
        with models.reading(self.db) as conn:
            reads.readable(conn, self.policy, who, pid)
            return [transition_from(r) for r in project_store.history(conn, pid)]

    def document(self, project_id: int, *, actor: Actor | None = None) -> Document:
        """The electronic document filed with the project's application (the project within
        `actor`'s reach)."""
        who = reads.viewer(self.policy, actor)
        pid = inputs.integer("project id", project_id, 1)
        with models.reading(self.db) as conn:
            reads.readable(conn, self.policy, who, pid)
            row = document_store.latest(conn, pid)
        if row is None:
            raise NotFound("document of project", pid)
        return Document(id=row.id, project_id=row.project_id, name=row.name, size=row.size,
                        sha256=row.sha256, uploaded_at=row.uploaded_at, content=bytes(row.content))

    def verify(self, anchors: Sequence[Anchor] = ()) -> VerifyReport:
        """Replay every chain and compare every row with it: each project's identity, state,
        version, head, times and materials against its log; documents against their SHA-256
        and the apply entry; extensions, escalations (recorded, acknowledged, resolved) and
        stored policies against the ledger; projects against the policy in force. With
        `anchors` (from `anchor` or `anchoring.parse`), also that the record still extends each:
        a chain recomputed end to end after an edit passes the rest, not this."""
        return verify.verify(self.db, self.policy, anchors)

    def report(self, *, batch: str | None = None, region: str | None = None,
               now: datetime | None = None, actor: Actor | None = None) -> ProgrammeReport:
        """Where the programme stands at `now` (default: the engine's clock): projects by
        state, each category's progress toward its target, the 16 regions by state with what
        is overdue and escalated there; narrowed to `batch` and `region` (code, Chinese name or
        pinyin) when given. The figures are the programme's for every `actor`; the list of
        overdue projects holds those `actor` may read."""
        who = reads.viewer(self.policy, actor)
        return report.build(
            self.db, self.policy, self.now() if now is None else inputs.moment("now", now),
            batch=None if batch is None else inputs.batch(self.policy, batch),
            region=None if region is None else inputs.region(self.policy, region),
            reach=reads.within(who))

    def anchor(self) -> Anchor:
        """Take an anchor: one digest over every chain head, recorded with the heads. Keep its
        digest outside the database; `verify(anchors=[...])` proves the record still extends
        it."""
        return anchoring.take(self.db, self.now())

    @property
    def schema_head(self) -> str:
        """The schema revision this accel666 runs: the newest migration it knows."""
        return models.schema.HEAD

    def schema_revision(self) -> str | None:
        """The database's schema revision (None for an empty database)."""
        with models.reading(self.db) as conn:
            try:
                return models.schema.current(conn)
            except models.SchemaUnrecorded as exc:
                raise InvalidInput("database", str(exc), None) from exc

    def upgrade_schema(self) -> tuple[str | None, str | None]:
        """Bring the database's schema to this version's head (Alembic); (before, after).
        A database made by a newer accel666 is refused with InvalidInput."""
        try:
            return models.upgrade(self.db)
        except (models.SchemaNewer, models.SchemaUnrecorded) as exc:
            raise InvalidInput("database", str(exc), exc.current) from exc

    def batches(self) -> list[BatchStatus]:
        """Every batch of the policy with its windows as they stand now, extensions included."""
        return batches.status(self.db, self.policy, self.now())

    # -- deadlines: the part that enforces them -------------------------------------------------

    def sweep(self, now: datetime | None = None, *, dry_run: bool = False,
              webhook: str | None = None) -> SweepResult:
        """Record, once, every escalation due at `now` (default: the clock) and queue its
        deliveries (the log, and a webhook: `webhook` or the policy's). Safe to run anywhere."""
        return self.deadlines.sweep(now, dry_run=dry_run, webhook=webhook)

    def deliver(self, now: datetime | None = None, *, max_attempts: int | None = None,
                cancel: threading.Event | None = None) -> DeliveryReport:
        """Attempt every queued delivery that is due at `now`, once. Once `cancel` is set, the
        attempt under way ends at once and the rest wait for a later round."""
        return self.deadlines.deliver(now, max_attempts=max_attempts, cancel=cancel)

    def escalate(self, now: datetime | None = None, *, dry_run: bool = False,
                 webhook: str | None = None, max_attempts: int | None = None,
                 cancel: threading.Event | None = None) -> EscalationRun:
        """One sweep, then the deliveries due: what cron and the scheduler run. Once `cancel`
        is set, the delivery under way ends at once and the rest wait for a later round."""
        return self.deadlines.escalate(now, dry_run=dry_run, webhook=webhook,
                                       max_attempts=max_attempts, cancel=cancel)

    def overdue(self, region: str | None = None, now: datetime | None = None, *,
                limit: int | None = None, offset: int = 0,
                actor: Actor | None = None) -> list[OverdueProject]:
        """Projects overdue at `now`: phase, deadline, how late, the level reached; those
        `actor` may read (a region-bound actor asking for another region is NotPermitted); at
        most `limit` after skipping `offset`."""
        who = reads.viewer(self.policy, actor)
        code = None if region is None else inputs.region(self.policy, region)
        reads.check_region(self.policy, who, code)
        return self.deadlines.overdue(code, now, limit=limit, offset=offset,
                                      reach=reads.within(who))

    def escalations(self, *, open_only: bool = False, failed_only: bool = False,
                    project_id: int | None = None, limit: int | None = None,
                    offset: int = 0, actor: Actor | None = None) -> list[Escalation]:
        """Escalations on record, oldest first, with their deliveries; those of projects
        `actor` may read (a `project_id` beyond its reach is NotPermitted); at most `limit`
        after skipping `offset`."""
        who = reads.viewer(self.policy, actor)
        if who is not None and project_id is not None:
            pid = inputs.integer("project id", project_id, 1)
            with models.reading(self.db) as conn:
                row = project_store.load(conn, pid)
                if row is not None:  # no project: no escalations, as for every reader
                    reads.check_project(self.policy, who, row, conn)
        return self.deadlines.escalations(open_only=open_only, failed_only=failed_only,
                                          project_id=project_id, limit=limit, offset=offset,
                                          reach=reads.within(who))

    def escalation(self, escalation_id: int, *, actor: Actor | None = None) -> Escalation:
        """One escalation with its deliveries (of a project within `actor`'s reach)."""
        who = reads.viewer(self.policy, actor)
        found = self.deadlines.escalation(escalation_id)
        if who is not None:
            with models.reading(self.db) as conn:
                reads.readable(conn, self.policy, who, found.project_id)
        return found

    def todo(self, actor: Actor, *, now: datetime | None = None) -> list[Task]:
        """`actor`'s worklist at `now` (default: the engine's clock): the projects it may
        move on while their window is open or yet to open, by its close, and the open
        escalations addressed to it; soonest first."""
        at = self.now() if now is None else inputs.moment("now", now)
        waiting = self.escalations(open_only=True, actor=actor)
        return worklist.tasks(self.db, self.policy, actor, at, waiting)

    def offered(self, actor: Actor, project_id: int) -> tuple[str, ...]:
        """The events `actor` may fire on the project (within its reach) as its role, scope
        and the project's state go: what a page offers it. A guard (a window, materials, the
        notice) may still refuse one when fired."""
        return worklist.offered(self.policy, actor, self.get(project_id, actor=actor))

    def ack(self, actor: Actor, escalation_id: int, note: str) -> Escalation:
        """Acknowledge an escalation (its target role and scope, or the supervisor)."""
        return self.deadlines.ack(actor, escalation_id, note)

    def rearm(self, actor: Actor, escalation_id: int, *,
              webhook: str | None = None) -> Escalation:
        """Give an escalation's failed deliveries a fresh set of attempts (the supervisor);
        with `webhook`, its webhook delivery goes to that URL from now on."""
        return self.deadlines.rearm(actor, escalation_id, webhook=webhook)

    # -- operators: who may act through the service, each with a token ----------------------

    @models.retry_when_busy
    def add_operator(self, name: str, role: str, *, by: str) -> IssuedToken:
        """Grant the operator `name` (1 to 64 of a-z, 0-9, `.`, `_`, `-`) the role `role`,
        `ROLE[:SCOPE]` as typed after --as and checked as any actor's (`city:suzhou` is kept
        as city:320500); an act of the province, recorded with `by`. Returns the operator
        and its token, which is seen this once: only its SHA-256 is kept. A name given
        before, even to an operator since revoked, is Refused (guard duplicate)."""
        return Operators(self.db, self.policy).add(name, role, by=by, now=self.now())

    def operators(self, *, include_revoked: bool = False) -> list[Operator]:
        """The operators, oldest first: those who may act, and the revoked ones too with
        `include_revoked`."""
        return Operators(self.db, self.policy).listed(include_revoked)

    @models.retry_when_busy
    def revoke_operator(self, name: str, *, by: str, reason: str) -> Operator:
        """Revoke the operator `name` (an act of the province, recorded with `by` and the
        reason): its token lets no one in from now on. NotFound for a name never given;
        Refused (guard revoked) if it was revoked already."""
        return Operators(self.db, self.policy).revoke(name, by=by, reason=reason,
                                                      now=self.now())

    def authenticate(self, token: str) -> Operator:
        """The operator holding `token`, in one indexed query; Unauthenticated if the token is
        malformed or unknown or its operator revoked (the error never holds the token).
        `operator.actor()` is who then acts."""
        return Operators(self.db, self.policy).authenticate(token)

    # -- the public notice (公示) and its objections: acts of the province ---------------------

    @models.retry_when_busy
    def start_notice(self, actor: Actor, batch: str) -> Notice:
        """Announce the batch's reviewed projects that no notice announced yet. The notice
        closes at 23:59:59.999999 China time on the policy's Nth working day ([notice]
        working_days) after today; Refused (guard "notice") when nothing is left to announce,
        (guard "calendar") when its days run into a year no calendar knows."""
        return Notices(self.db, self.policy).start(actor, batch, self.now())

    def notice(self, batch: str) -> BatchNotice:
        """The batch's notices: the latest one's times, every project announced, every
        objection; NotFound if no notice of the batch was started."""
        return Notices(self.db, self.policy).show(batch, self.now())

    @models.retry_when_busy
    def object(self, actor: Actor, project_id: int, *, name: str, text: str,
               unit: str | None = None) -> Objection:
        """Record an objection to a project, received in writing under a real `name` (and a
        `unit`'s seal), while its notice is open; Refused (guard "notice") before or after,
        naming the notice's times."""
        return Notices(self.db, self.policy).object(actor, project_id, name=name, unit=unit,
                                                    text=text, now=self.now())

    @models.retry_when_busy
    def resolve_objection(self, actor: Actor, objection_id: int, *, outcome: str,
                          reason: str) -> tuple[Objection, Project | None]:
        """Resolve an objection, `upheld` (its project is rejected in the same act; the
        project returned) or `dismissed` (None returned)."""
        return Notices(self.db, self.policy).resolve(actor, objection_id, outcome=outcome,
                                                     reason=reason, now=self.now())

    def objections(self, batch: str | None = None) -> list[Objection]:
        """Every objection on record (of `batch`), oldest first, resolved ones included."""
        return Notices(self.db, self.policy).objections(batch)

    def public(self) -> list[PublicBatch]:
        """What the public may read now, by batch: the notices open with their projects and
        how to object, and the projects published (public fields only)."""
        return Notices(self.db, self.policy).public(self.now())
    # -- the expert review: the registry, the panels, their scores --------------------------

    @models.retry_when_busy
    def add_expert(self, actor: Actor, key: str, *, name: str, unit: str | None = None,
                   avoid: Iterable[str] = ()) -> Expert:
        """Add an expert to the province's registry (the province): `key` (1 to 32 of a-z,
        0-9, `.`, `_`, `-`; it acts as `expert:KEY`), its name and unit, and the enterprises
        (credit codes) and regions (code, name or pinyin) it must avoid. A key given before
        is Refused (guard duplicate)."""
        return Experts(self.db, self.policy).add(actor, key, name=name, unit=unit,
                                                 avoid=avoid, now=self.now())

    def experts(self, *, actor: Actor | None = None) -> list[Expert]:
        """The registry of experts, in the order they were added, as `actor` may read it: the
        province all of it, an expert its own entry, anyone else NotPermitted."""
        return Experts(self.db, self.policy).listed(actor)

    @models.retry_when_busy
    def assign_panel(self, actor: Actor, project_ids: Iterable[int],
                     experts: Iterable[str]) -> list[Panel]:
        """Seat `experts` (keys) on the panel of each recommended project (the province), in
        one transaction or none: Refused for an expert who must avoid the project's
        enterprise or region (guard avoid), for a panel beyond the policy's panel_size, for an
        expert seated (or recused) before, or a project not recommended; NotFound for an
        unknown expert or project."""
        return Panels(self.db, self.policy).assign(actor, project_ids, experts, now=self.now())

    @models.retry_when_busy
    def score(self, actor: Actor, project_id: int, *, score: int,
              comment: str | None = None) -> Panel:
        """An expert on the project's panel (`expert:KEY`) scores it, an integer from 0 to
        100, once, while it is recommended and its review window is open (extensions count).
        Anyone else is NotPermitted; a second score, or one out of time, Refused. Returns the
        panel as the expert sees it (blind until the quorum has scored)."""
        return Panels(self.db, self.policy).score(actor, project_id, score, comment,
                                                  now=self.now())

    @models.retry_when_busy
    def recuse(self, actor: Actor, project_id: int, *, reason: str) -> Panel:
        """An expert leaves the project's panel before scoring it, with its reason; the
        province may seat another."""
        return Panels(self.db, self.policy).recuse(actor, project_id, reason, now=self.now())

    def panel(self, project_id: int, *, actor: Actor | None = None) -> Panel:
        """The project's panel: its experts and their scores, the quorum, pass mark and
        aggregate, the panel's score and outcome (pending until the quorum has scored). An
        expert sees no other expert's score until then; the province sees them all."""
        return Panels(self.db, self.policy).show(project_id, actor)

    # -- deprecated names: each warns, then calls the method that replaced it ------------------
    # Last in the class: below `list`, the name means the method, not the type.

    def list(self, **filters: Any) -> list[Project]:
        """Deprecated: `projects`, which takes the same arguments and gives the same list."""
        # Stack: the caller, the `translating` wrapper, this method.
        warnings.warn("Engine.list is deprecated; use Engine.projects", DeprecationWarning,
                      stacklevel=3)
        return self.projects(**filters)

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
        expected_version: int | None = None,
        decide: review_change.Decision | None = None,
    ) -> Project:
        actor = resolve_actor(self.policy, actor)
        pid = inputs.integer("project id", project_id, 1)
        expected = None if expected_version is None else \
            inputs.integer("expected version", expected_version, 1)
        now = self.now()
        with audit.attempt(event, actor, pid), models.writing(self.db) as conn:
            row = project_store.load(conn, pid)
            if row is None:
                raise NotFound("project", pid)
            if expected is not None and row.version != expected:
                raise Stale(event, pid, expected, row.version)
            if decide is not None:  # the review following its panel, read in this transaction
                payload, verdict = decide(conn, actor, row)
            record = transition.change(conn, self.policy, actor, row, event, now, payload,
                                       extra=extra, paper_copies=paper_copies,
                                       documents=documents, verdict=verdict)
        audit.transitioned(record, event, row.state, actor, payload)
        return record
