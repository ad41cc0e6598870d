"""Acting from the browser: a project's page (`GET /p/{id}`) with the forms of what the
signed-in operator may do on it, and the forms' targets: an event of the lifecycle or an
expert's score or recusal (`POST /p/{id}/act/{act}`), docking (`POST /act/dock`) and
acknowledging an escalation (`POST /act/ack/{id}`); the document (`GET /p/{id}/document`).

Each form is checked as the sign-out is (its origin and the session's CSRF token) and then
done through the Engine as the command line does it, with the same refusals, shown on the page
in its language. Done, the browser is sent on (303) to the page, which says so. The session's
operator was found before the body was read (auth.py); a form without one is sent to sign in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from accel666 import Actor, Engine, lifecycle
from accel666.errors import InvalidInput, WorkflowError
from accel666.lifecycle import DOCUMENT, FILENAME, FLAG, INTEGER
from accel666.service import languages, pages, signin
from accel666.service.deps import EngineDep
from accel666.views import labels, project_page, refusals
from accel666.views.labels import _
from accel666.workflow.operators import Operator

router = APIRouter(include_in_schema=False)

ACTS = (*lifecycle.TAKES, *pages.EXPERT_ACTS)
MOST_FIELDS = 20  # a form holds a handful; more is not from our pages
ProjectPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _values(event: str, form: FormData) -> dict[str, object]:
    """What `event` takes, from the form: a number as a number where it reads as one (else as
    sent, for the Engine to refuse), a ticked box as true; a blank optional field left out."""
    values: dict[str, object] = {}
    for given in lifecycle.TAKES[event]:
        sent = form.get(given.name)
        if given.kind == FILENAME:
            continue
        if given.kind == DOCUMENT:
            if isinstance(sent, UploadFile):
                values["document_name"] = sent.filename or "document"
            continue
        if not isinstance(sent, str) or (sent.strip() == "" and not given.required):
            continue
        if given.kind == INTEGER:
            values[given.name] = _number(sent)
        elif given.kind == FLAG:
            values[given.name] = sent == "true"
        else:
            values[given.name] = sent
    return values


def _number(sent: str) -> object:
    """A whole number as typed in a form, or the text as sent (for the Engine to refuse)."""
    return int(sent) if re.fullmatch(r"\s*[+-]?\d{1,18}\s*", sent) else sent


async def _document(engine: Engine, form: FormData) -> bytes | None:
    """The uploaded document, at most the policy's max_document_bytes."""
    sent = form.get("document")
    if not isinstance(sent, UploadFile):
        return None
    limit = engine.policy.materials.max_document_bytes
    content = await sent.read(limit + 1)
    if len(content) > limit:
        raise InvalidInput("document", f"larger than the policy's {limit} bytes", sent.filename)
    return content


def _show(request: Request, engine: Engine, operator: Operator, session: str, pid: int, *,
          done: str | None = None, problem: WorkflowError | None = None) -> Response:
    """The project's page as `operator` may see it, after the act `done` or the refusal
    `problem` (its status the error's)."""
    lang = languages.language(request)
    actor = operator.actor()
    with labels.speaking(lang):
        top = pages.banner(operator, session, lang, f"/p/{pid}", engine.policy)
        told = None if problem is None else refusals.described(problem)
        try:
            project = engine.get(pid, actor=actor)
            history = engine.history(pid, actor=actor)
            panel = engine.panel(pid, actor=actor) if engine.policy.review else None
        except WorkflowError as exc:  # beyond its reach, or no such project
            why = refusals.described(exc)
            title = _("Project {id}").format(id=pid)
            return pages.html(pages.shell(title, top + f'<p id="problem" role="alert">'
                                          f"{escape(why)}</p>"),
                              status=exc.http_status, lang=lang)
        seat = None if panel is None or actor.role != "expert" else next(
            (s for s in panel.experts if s.key == actor.scope), None)
        content = project_page.render(
            project, history, engine.policy, offered=engine.offered(actor, pid),
            csrf=signin.session_form_token(session), panel=panel,
            scoring=seat is not None and not seat.scored and project.state == "recommended",
            has_document=any(t.event == "apply" for t in history),
            done=pages.done_line(done), problem=told)
        shown = pages.html(pages.shell(f"#{pid} {project.title}", top + content),
                           status=200 if problem is None else problem.http_status, lang=lang)
    languages.remember(shown, request)
    return shown


def _reader(request: Request, engine: Engine) -> tuple[Operator, str] | Response:
    found = pages.signed_in(request, engine)
    return pages.sign_in_page(request) if found is None else found


@router.get("/p/{project_id}")
def project(project_id: ProjectPath, request: Request, engine: EngineDep,
            done: str | None = None) -> Response:
    """A project's page, with the forms of what the signed-in operator may do on it."""
    reader = _reader(request, engine)
    if isinstance(reader, Response):
        return reader
    return _show(request, engine, *reader, project_id,
                 done=done)


@router.get("/p/{project_id}/document")
def document(project_id: ProjectPath, request: Request, engine: EngineDep) -> Response:
    """The project's application document, for a signed-in operator who may read it."""
    reader = _reader(request, engine)
    if isinstance(reader, Response):
        return reader
    try:
        found = engine.document(project_id, actor=reader[0].actor())
    except WorkflowError as exc:
        return _show(request, engine, *reader, project_id, problem=exc)
    return Response(found.content, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name, safe='')}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


async def _form(request: Request, reader: tuple[Operator, str]) -> FormData | None:
    """The form, if sent from this site's page with the session's CSRF token; else None."""
    if not signin.from_this_site(request):
        return None
    form = await request.form(max_files=1, max_fields=MOST_FIELDS)
    token = form.get("csrf")
    if not isinstance(token, str) or not signin.same_token(
            token, signin.session_form_token(reader[1])):
        return None
    return form


@router.post("/p/{project_id}/act/{act}")
async def act(project_id: ProjectPath, act: str, request: Request, engine: EngineDep
              ) -> Response:
    """Do `act` on the project as the signed-in operator: an event of the lifecycle with what
    it takes, or an expert's score or recusal."""
    reader = _reader(request, engine)
    if isinstance(reader, Response):
        return reader
    form = await _form(request, reader)
    if form is None:
        return pages.elsewhere(request)
    actor = reader[0].actor()
    try:
        if act not in ACTS:
            raise InvalidInput("event", f"unknown act {act!r}: use one of {', '.join(ACTS)}",
                               act)
        doing = await _doing(engine, actor, project_id, act, form)
        await run_in_threadpool(doing)
    except WorkflowError as exc:
        return _show(request, engine, *reader, project_id, problem=exc)
    # A recused expert no longer reads the project: its worklist says it is done.
    to = "/" if act == "recuse" else f"/p/{project_id}"
    return RedirectResponse(f"{to}?done={act}", status_code=303)


async def _doing(engine: Engine, actor: Actor, pid: int, act: str, form: FormData
                 ) -> Callable[[], Any]:
    """The call that does `act` with what the form holds."""
    if act == "score":
        value = _number(_text(form, "score"))
        comment = _text(form, "comment").strip() or None
        return lambda: engine.score(actor, pid, score=value,  # type: ignore[arg-type]
                                    comment=comment)
    if act == "recuse":
        return lambda: engine.recuse(actor, pid, reason=_text(form, "reason"))
    values = _values(act, form)
    if any(i.kind == DOCUMENT for i in lifecycle.TAKES[act]):
        content = await _document(engine, form)
        if content is not None:
            values["document"] = content
    return lambda: engine.fire(actor, pid, act, values)


DOCKING = ("title", "enterprise", "credit_code", "region", "category")  # the form's fields


def _text(form: FormData, name: str) -> str:
    """A text field of the form ("" when it is missing or a file)."""
    sent = form.get(name)
    return sent if isinstance(sent, str) else ""


async def _from_dashboard(request: Request, engine: Engine,
                          doing: Callable[[Actor, FormData], Any],
                          then: Callable[[Any], str]) -> Response:
    """A dashboard form, checked as every form is, done as `doing` says (in the threadpool);
    then the browser is sent to `then(outcome)`, or shown the refusal."""
    reader = _reader(request, engine)
    if isinstance(reader, Response):
        return reader
    form = await _form(request, reader)
    if form is None:
        return pages.elsewhere(request)
    try:
        outcome = await run_in_threadpool(doing, reader[0].actor(), form)
    except WorkflowError as exc:
        return _dashboard_refusal(request, engine, reader, exc)
    return RedirectResponse(then(outcome), status_code=303)


@router.post("/act/dock")
async def dock(request: Request, engine: EngineDep) -> Response:
    """Dock a new project from the dashboard's form; then its page."""
    return await _from_dashboard(
        request, engine,
        lambda actor, form: engine.dock(actor, **{k: _text(form, k) for k in DOCKING}),
        lambda made: f"/p/{made.id}?done=dock")


@router.post("/act/ack/{escalation_id}")
async def ack(escalation_id: ProjectPath, request: Request, engine: EngineDep) -> Response:
    """Acknowledge an escalation from the worklist's form; then the worklist."""
    return await _from_dashboard(
        request, engine,
        lambda actor, form: engine.ack(actor, escalation_id, _text(form, "note")),
        lambda _done: "/?done=ack")


@router.post("/act/extend/{batch}")
async def extend(batch: str, request: Request, engine: EngineDep) -> Response:
    """Extend a window of the batch from the dashboard's form; then the dashboard."""
    return await _from_dashboard(
        request, engine,
        lambda actor, form: engine.extend(actor, batch, phase=_text(form, "phase"),
                                          until=_text(form, "until"),
                                          reason=_text(form, "reason")),
        lambda _done: "/?done=extend")


@router.post("/act/publish/{batch}")
async def publish(batch: str, request: Request, engine: EngineDep) -> Response:
    """Publish every signed project of the batch from the dashboard's form."""
    return await _from_dashboard(request, engine,
                                 lambda actor, _form: engine.publish_batch(actor, batch),
                                 lambda _done: "/?done=publish_batch")


def _dashboard_refusal(request: Request, engine: Engine, reader: tuple[Operator, str],
                       exc: WorkflowError) -> Response:
    """The refusal of a dashboard form, on a page of its own with the way back."""
    lang = languages.language(request)
    with labels.speaking(lang):
        top = pages.banner(*reader, lang, "/", engine.policy)
        back, title = _("Back to the worklist"), _("Refused")
        body = (top + f'<p id="problem" role="alert">{escape(refusals.described(exc))}'
                f'</p><p><a href="/">{escape(back)}</a></p>')
        return pages.html(pages.shell(title, body), status=exc.http_status, lang=lang)
