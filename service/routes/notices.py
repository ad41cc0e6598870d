"""The public notice (公示) and its objections (异议) over HTTP, and the public page: `GET
/public` (HTML, Chinese first) and `GET /public.json`, which need no sign-in and show public
fields only."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from accel666.service import languages
from accel666.service.deps import ActorDep, EngineDep
from accel666.views import labels, public_page

router = APIRouter(tags=["notice"])

BatchKey = Annotated[str, Path(max_length=100)]
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


class Objecting(BaseModel):
    """An objection received in writing, as `accel666 objection add` takes it."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=10_000, description="The real name it is signed with.")
    unit: str | None = Field(default=None, max_length=10_000,
                             description="The unit, when it came under a unit's seal.")
    text: str = Field(max_length=10_000)


class Resolving(BaseModel):
    """An objection's resolution: upheld (the project is rejected) or dismissed."""

    model_config = ConfigDict(extra="forbid")
    outcome: Literal["upheld", "dismissed"]
    reason: str = Field(max_length=10_000)


@router.post("/batches/{key}/notice", status_code=201, summary="Start a batch's public notice")
def start(key: BatchKey, engine: EngineDep, actor: ActorDep) -> JSONResponse:
    """Announce the batch's reviewed projects not yet announced (the province), as `accel666
    notice start` does; 422 when there is nothing to announce."""
    made = engine.start_notice(actor, key)
    return JSONResponse(made.to_dict(engine.policy.zone), status_code=201,
                        headers={"Location": f"/batches/{key}/notice"})


@router.get("/batches/{key}/notice", summary="A batch's public notice")
def show(key: BatchKey, engine: EngineDep, actor: ActorDep) -> dict[str, Any]:
    """What `accel666 notice show --json` prints: batch, started_at, closes_at, projects and
    objections; 404 if no notice of the batch was started."""
    return engine.notice(key).to_dict(engine.policy.zone)


@router.post("/projects/{project_id}/objections", status_code=201,
             summary="Record an objection to a project under notice")
def object_(project_id: Id, body: Objecting, engine: EngineDep,
            actor: ActorDep) -> JSONResponse:
    """An objection received in writing (the province), only while the project's notice is
    open: 422 before it starts or after it closes, naming its times."""
    made = engine.object(actor, project_id, name=body.name, unit=body.unit, text=body.text)
    return JSONResponse(made.to_dict(engine.policy.zone), status_code=201,
                        headers={"Location": f"/objections/{made.id}"})


@router.get("/objections", summary="The objections")
def objections(engine: EngineDep, actor: ActorDep,
               batch: Annotated[str | None, Query(max_length=100)] = None
               ) -> list[dict[str, Any]]:
    """Every objection (to `batch`'s projects), oldest first, with its resolution."""
    return [o.to_dict(engine.policy.zone) for o in engine.objections(batch)]


@router.post("/objections/{objection_id}/resolve", summary="Resolve an objection")
def resolve(objection_id: Id, body: Resolving, engine: EngineDep,
            actor: ActorDep) -> dict[str, Any]:
    """Upheld (the project is rejected in the same act) or dismissed, with the reason (the
    province); 422 for an objection resolved already."""
    found, project = engine.resolve_objection(actor, objection_id, outcome=body.outcome,
                                              reason=body.reason)
    return {**found.to_dict(engine.policy.zone),
            "project_state": None if project is None else project.state}


@router.get("/public.json", tags=["public"], summary="The public lists, as JSON")
def public_json(engine: EngineDep) -> dict[str, Any]:
    """No sign-in: each batch's projects under notice with the closing time and how to object,
    and its published projects; public fields only."""
    return public_page.document(engine.public(), engine.policy, engine.now())


@router.get("/public", tags=["public"], summary="The public lists, as a page",
            response_class=HTMLResponse)
def public(request: Request, engine: EngineDep) -> HTMLResponse:
    """No sign-in: the page of `/public.json`, in Chinese, or in English for a browser that
    prefers it (Accept-Language)."""
    lang = "en" if languages.prefers_english(request.headers.get("accept-language", "")) \
        else "zh"
    body = public_page.render(engine.public(), engine.policy, engine.now(), labels.Labels(lang))
    return HTMLResponse(body, headers={"Content-Security-Policy": public_page.CSP,
                                       "X-Content-Type-Options": "nosniff",
                                       "Content-Language": "zh-CN" if lang == "zh" else "en",
                                       "Vary": "Accept-Language"})
