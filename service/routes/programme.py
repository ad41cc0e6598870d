"""The programme as a whole: the operator's worklist, batches and their extensions, the
report, what is overdue, the escalations and their acknowledgement."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from accel666.service.deps import ActorDep, EngineDep
from accel666.views import documents

router = APIRouter()

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]


class Extending(BaseModel):
    """A deadline extension, as `accel666 batch extend` takes it."""

    model_config = ConfigDict(extra="forbid")
    phase: str = Field(max_length=40)
    until: date
    reason: str = Field(max_length=10_000)
    override: bool = False


class Acknowledging(BaseModel):
    """An escalation's acknowledgement."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field(max_length=10_000)


@router.get("/todo", tags=["programme"], summary="The calling operator's worklist")
def todo(engine: EngineDep, actor: ActorDep) -> list[dict[str, Any]]:
    """What the calling operator may do next, and by when, soonest first: the projects it
    may move on while the phase's window is open (or yet to open), then the open escalations
    addressed to it; as `accel666 todo --json` prints it."""
    return [t.to_dict(engine.policy.zone) for t in engine.todo(actor)]


@router.get("/batches", tags=["batches"], summary="The batches and their windows")
def batches(engine: EngineDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Each batch with its phase windows as extended, and whether each is open now."""
    return [documents.batch_dict(b, engine.policy) for b in engine.batches()]


@router.get("/batches/{key}/extensions", tags=["batches"], summary="A batch's extensions")
def extensions(key: Annotated[str, Path(max_length=100)], engine: EngineDep,
               actor: ActorDep) -> list[dict[str, Any]]:
    """The deadline extensions of the batch: who, when, why, and any revocation."""
    return [documents.extension_dict(x, engine.policy) for x in engine.extensions(key)]


@router.post("/batches/{key}/extensions", status_code=201, tags=["batches"],
             summary="Extend a phase window of a batch")
def extend(key: Annotated[str, Path(max_length=100)], body: Extending, engine: EngineDep,
           actor: ActorDep, request: Request) -> JSONResponse:
    """Record a deadline extension (the province), as `accel666 batch extend` does."""
    made = engine.extend(actor, key, phase=body.phase, until=body.until, reason=body.reason,
                         override=body.override)
    return JSONResponse(documents.extension_dict(made, engine.policy), status_code=201,
                        headers={"Location": f"/batches/{key}/extensions"})


@router.get("/report", tags=["programme"], summary="Progress against 6 / 60 / 600")
def report(engine: EngineDep, actor: ActorDep,
           batch: Annotated[str | None, Query(max_length=100)] = None,
           region: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
    """The operators' view, as `accel666 report --json` prints it: the programme's figures,
    the same for every operator."""
    return engine.report(batch=batch, region=region, actor=actor).to_dict(engine.policy.zone)


@router.get("/overdue", tags=["deadlines"], summary="Projects past a deadline")
def overdue(engine: EngineDep, actor: ActorDep,
            region: Annotated[str | None, Query(max_length=100)] = None,
            limit: Limit = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    """What `accel666 overdue --json` lists, a page at a time: the projects the calling
    operator may read."""
    return [documents.overdue_dict(o, engine.policy)
            for o in engine.overdue(region, limit=limit, offset=offset, actor=actor)]


@router.get("/escalations", tags=["deadlines"], summary="Escalations")
def escalations(engine: EngineDep, actor: ActorDep, open: bool = False, failed: bool = False,
                project_id: Annotated[int | None, Query(ge=1)] = None,
                limit: Limit = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    """Escalations with their acknowledgements and deliveries, as `accel666 escalations --json`:
    those of the projects the calling operator may read."""
    found = engine.escalations(open_only=open, failed_only=failed, project_id=project_id,
                               limit=limit, offset=offset, actor=actor)
    return [documents.escalation_dict(e, engine.policy) for e in found]


@router.post("/escalations/{escalation_id}/ack", tags=["deadlines"],
             summary="Acknowledge an escalation")
def ack(escalation_id: Annotated[int, Path(ge=1, le=2**63 - 1)], body: Acknowledging,
        engine: EngineDep, actor: ActorDep) -> dict[str, Any]:
    """Its target (or the supervisor) acknowledges it, with a note."""
    return documents.escalation_dict(engine.ack(actor, escalation_id, body.note), engine.policy)
