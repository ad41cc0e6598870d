"""Projects: dock, apply (with the document), read them, their history and their document.
The events fired with a JSON body have their routes in events.py."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Header, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from accel666 import InvalidInput, Project
from accel666.service import etags
from accel666.service.deps import ActorDep, EngineDep
from accel666.views import documents

router = APIRouter(tags=["projects"])

ProjectId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The project's id.")]
IfMatch = Annotated[str | None, Header(description="The project's ETag as read: the event "
                                                   "fires only at that version (else 412).")]


class Dock(BaseModel):
    """A new project, as `accel666 dock` takes it."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=10_000)
    enterprise: str = Field(max_length=10_000)
    credit_code: str = Field(max_length=100)
    region: str = Field(max_length=100, description="Code (320500), Chinese name or pinyin key.")
    category: str = Field(max_length=100, description="cloud-base, backbone or demo.")
    batch: str | None = Field(default=None, max_length=100)


def project_response(project: Project, request: Request, status: int = 200,
                     body: dict[str, Any] | None = None) -> JSONResponse:
    """The project's JSON document with its ETag (and Location when it was created)."""
    headers = {"ETag": etags.etag(project)}
    if status == 201:
        headers["Location"] = f"/projects/{project.id}"
    policy = request.app.state.engine.policy
    return JSONResponse(body or documents.project_dict(project, policy), status_code=status,
                        headers=headers)


@router.post("/projects", status_code=201, summary="Dock a new project")
def dock(body: Dock, engine: EngineDep, actor: ActorDep, request: Request) -> JSONResponse:
    """Register a new project (state docked), as the calling operator."""
    project = engine.dock(actor, title=body.title, enterprise=body.enterprise,
                          credit_code=body.credit_code, region=body.region,
                          category=body.category, batch=body.batch)
    return project_response(project, request, 201)


@router.post("/projects/{project_id}/apply", summary="File the application with its materials")
async def apply(project_id: ProjectId, engine: EngineDep, actor: ActorDep, request: Request,
                paper_copies: Annotated[int, Form()],
                document: Annotated[UploadFile, File(description="The electronic document.")],
                if_match: IfMatch = None) -> JSONResponse:
    """The enterprise or its city bureau files the application: paper copies sent and the
    electronic document (at most the policy's max_document_bytes)."""
    limit = engine.policy.materials.max_document_bytes
    content = await document.read(limit + 1)
    if len(content) > limit:
        raise InvalidInput("document", f"larger than the policy's {limit} bytes", document.filename)
    expected = etags.expected_version(if_match, project_id)
    project = await run_in_threadpool(
        engine.apply, actor, project_id, paper_copies=paper_copies, document=content,
        document_name=document.filename or "document", expected_version=expected)
    return project_response(project, request)


@router.get("/projects", summary="List projects")
def list_projects(
    engine: EngineDep, actor: ActorDep,
    state: str | None = None, region: str | None = None, category: str | None = None,
    batch: str | None = None, search: Annotated[str | None, Query(max_length=200)] = None,
    sort: str = "id", limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """Projects, filtered as `accel666 list` filters them, a page at a time (limit, offset):
    those the calling operator may read (403 for a region beyond a city bureau's own)."""
    found = engine.projects(state=state, region=region, category=category, batch=batch,
                            search=search, sort=sort, limit=limit, offset=offset, actor=actor)
    return [documents.project_dict(p, engine.policy) for p in found]


@router.get("/projects/{project_id}", summary="One project")
def show(project_id: ProjectId, engine: EngineDep, actor: ActorDep,
         request: Request) -> JSONResponse:
    """The project as `accel666 show --json` prints it (next events, materials, decisions),
    with its ETag; 403 if it is beyond what the calling operator may read."""
    project = engine.get(project_id, actor=actor)
    shown = documents.shown_project_dict(project, engine.history(project_id, actor=actor),
                                         engine.policy)
    return project_response(project, request, body=shown)


@router.get("/projects/{project_id}/history", summary="A project's transition log")
def history(project_id: ProjectId, engine: EngineDep, actor: ActorDep) -> list[dict[str, Any]]:
    """Every event of the project: who fired it, when, what it recorded (403 if the project is
    beyond what the calling operator may read)."""
    return [documents.transition_dict(t, engine.policy)
            for t in engine.history(project_id, actor=actor)]


@router.get("/projects/{project_id}/document", summary="A project's electronic document",
            response_class=Response)
def document(project_id: ProjectId, engine: EngineDep, actor: ActorDep) -> Response:
    """The document's bytes as filed, as an attachment under its file name (403 if the
    project is beyond what the calling operator may read)."""
    found = engine.document(project_id, actor=actor)
    return Response(found.content, media_type="application/octet-stream",
                    headers={"Content-Disposition": attachment(found.name),
                             "X-Content-SHA256": found.sha256})


def attachment(name: str) -> str:
    """A Content-Disposition for `name` that no name can break out of (RFC 6266 / 5987)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
                       for c in name)[:200] or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
