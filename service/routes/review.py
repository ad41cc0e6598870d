"""The expert review: the registry of experts, each project's panel, the experts' scores and
recusals. Registered before the event routes, whose catch-all answers any other name."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from accel666.service.deps import ActorDep, EngineDep
from accel666.service.routes.projects import ProjectId

router = APIRouter(tags=["review"])
Key = Annotated[str, Field(max_length=100)]


class Adding(BaseModel):
    """An expert, as `accel666 expert add` takes it."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(max_length=100, description="1 to 32 of a-z, 0-9, '.', '_', '-': the "
                                                 "expert acts as expert:KEY.")
    name: str = Field(max_length=10_000)
    unit: str | None = Field(default=None, max_length=10_000)
    avoid: list[Key] = Field(default_factory=list, max_length=100,
                             description="Credit codes and regions (code, name or pinyin) the "
                                         "expert must stay away from.")


class Seating(BaseModel):
    """The experts to seat on the project's panel, by key."""

    model_config = ConfigDict(extra="forbid")
    experts: list[Key] = Field(min_length=1, max_length=100)


class Scoring(BaseModel):
    """An expert's score: a JSON integer from 0 to 100 (not text, not a fraction)."""

    model_config = ConfigDict(extra="forbid")
    score: StrictInt = Field(description="A whole number from 0 to 100.")
    comment: str | None = Field(default=None, max_length=10_000)


class Recusing(BaseModel):
    """Why the expert leaves the panel."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=10_000)


@router.get("/experts", summary="The registry of experts")
def experts(engine: EngineDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Every expert, in the order they were added, as `accel666 expert list --json`: for the
    province; an expert reads its own entry; anyone else is refused (403)."""
    return [x.to_dict(engine.policy.zone) for x in engine.experts(actor=actor)]


@router.post("/experts", status_code=201, summary="Add an expert to the registry")
def add_expert(body: Adding, engine: EngineDep, actor: ActorDep) -> JSONResponse:
    """The province adds an expert, with the enterprises and regions it must avoid."""
    made = engine.add_expert(actor, body.key, name=body.name, unit=body.unit, avoid=body.avoid)
    return JSONResponse(made.to_dict(engine.policy.zone), status_code=201,
                        headers={"Location": "/experts"})


@router.get("/projects/{project_id}/panel", summary="A project's expert panel")
def panel(project_id: ProjectId, engine: EngineDep, actor: ActorDep) -> dict[str, Any]:
    """The panel as `accel666 panel show --json` prints it, as the calling operator may see
    it: an expert sees no other expert's score until the quorum has scored."""
    return engine.panel(project_id, actor=actor).to_dict(engine.policy.zone)


@router.post("/projects/{project_id}/panel", summary="Seat experts on a project's panel")
def assign(project_id: ProjectId, body: Seating, engine: EngineDep,
           actor: ActorDep) -> dict[str, Any]:
    """The province seats the experts on the panel of the recommended project (all or none):
    refused (422) for an expert who must avoid its enterprise or region, or beyond the
    policy's panel_size; 404 for an unknown expert."""
    [seated] = engine.assign_panel(actor, [project_id], body.experts)
    return seated.to_dict(engine.policy.zone)


@router.post("/projects/{project_id}/score", summary="Score a project (an expert)")
def score(project_id: ProjectId, body: Scoring, engine: EngineDep, actor: ActorDep,
          request: Request) -> dict[str, Any]:
    """An expert on the panel scores the project once, while it is recommended and its review
    window is open: the panel as the expert then sees it."""
    done = engine.score(actor, project_id, score=body.score, comment=body.comment)
    return done.to_dict(engine.policy.zone)


@router.post("/projects/{project_id}/recuse", summary="Leave a project's panel (an expert)")
def recuse(project_id: ProjectId, body: Recusing, engine: EngineDep,
           actor: ActorDep) -> dict[str, Any]:
    """An expert leaves the panel before scoring; the province seats another."""
    return engine.recuse(actor, project_id, reason=body.reason).to_dict(engine.policy.zone)
