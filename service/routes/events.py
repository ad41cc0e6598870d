"""The events fired on a project with a JSON body, one route each (`POST
/projects/{project_id}/{event}`), made from the lifecycle's definition: an event's body is what
it takes (accel666.lifecycle.TAKES), so that the OpenAPI document shows it, and an event added
to the definition is served with no change here. Apply, whose body holds a document, has its
own route (projects.py), as has dock, which creates the project."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    create_model,
)
from pydantic.json_schema import SkipJsonSchema, WithJsonSchema
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from accel666 import Actor, Engine, lifecycle
from accel666.lifecycle import FLAG, INTEGER, TEXT, VERDICT, VERDICTS, Input
from accel666.service import etags
from accel666.service.deps import ActorDep, EngineDep
from accel666.service.routes.projects import IfMatch, ProjectId, project_response

# What a JSON body holds of each kind of input, as validated: its type and the most characters
# it may hold (the Engine then checks the value as the definition says). An integer is a JSON
# integer: not digits in a string, not a number with an exponent or a fraction (even .0), not
# true or false.
TYPES: dict[str, tuple[Any, int | None]] = {
    TEXT: (str, 10_000),
    INTEGER: (StrictInt, None),
    VERDICT: (str, 20),
    FLAG: (StrictBool, None),
}
# An input a body holds but its document does not show (one another event takes).
UNSHOWN: Any = SkipJsonSchema()  # type: ignore[type-arg]


def body_events() -> dict[str, tuple[Input, ...]]:
    """The events of the definition fired with a JSON body: those that take only what JSON
    holds (text, numbers, a verdict), in the definition's order."""
    return {event: spec for event, spec in lifecycle.TAKES.items()
            if all(i.kind in TYPES for i in spec)}


def documented(given: Input) -> dict[str, Any]:
    """The JSON schema of an input, as the OpenAPI document shows it."""
    if given.kind == INTEGER:
        high = {} if given.high is None else {"maximum": given.high}
        return {"type": "integer", "minimum": given.low, **high}
    if given.kind == VERDICT:
        return {"type": "string", "enum": list(VERDICTS)}
    if given.kind == FLAG:
        return {"type": "boolean"}
    return {"type": "string", "maxLength": TYPES[TEXT][1]}


def body_model(name: str, description: str, fields: dict[str, Input],
               shown: tuple[Input, ...]) -> type[BaseModel]:
    """A body that holds every one of `fields` (each optional, so that the Engine names what
    is missing or extra as it does for any caller) and documents only those `shown`."""
    names = {i.name for i in shown}
    definitions: dict[str, Any] = {}
    for field_name, given in fields.items():
        kind, longest = TYPES[given.kind]
        schema = WithJsonSchema({"title": given.name.replace("_", " ").capitalize(),
                                 **documented(given)}) if field_name in names else UNSHOWN
        definitions[field_name] = (Annotated[kind | None, schema],
                                   Field(default=None, max_length=longest))
    required: list[JsonValue] = [i.name for i in shown if i.required]
    config = ConfigDict(extra="forbid",
                        json_schema_extra={"required": required} if required else None)
    model: type[BaseModel] = create_model(name, __config__=config, __doc__=description,
                                          **definitions)
    return model


def _fire(event: str, project_id: int, engine: Engine, actor: Actor, request: Request,
          body: BaseModel | None, if_match: str | None) -> JSONResponse:
    """Fire `event` with what the body holds, at the version If-Match names (if it does)."""
    given = engine.takes(event, {} if body is None else body.model_dump(exclude_none=True))
    expected = etags.expected_version(if_match, project_id)
    project = engine.fire(actor, project_id, event, given, expected_version=expected)
    return project_response(project, request)


def served_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document lists at this request's path (none: it lists no such
    path), as the 405's `Allow` names them."""
    document: dict[str, Any] = request.app.openapi()
    methods: set[str] = set()
    for template, operations in document.get("paths", {}).items():
        if compile_path(template)[0].match(request.url.path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


def named_event(request: Request, name: str, names: tuple[str, ...]) -> str:
    """`name` if it is one of the events `names`; else 405 where the path is another route's
    (a read posted to), else invalid input listing the events there are."""
    try:
        return TypeAdapter(Literal[names]).validate_python(name)  # type: ignore[arg-type]
    except ValidationError as exc:
        if allowed := served_methods(request):
            raise MethodNotAllowed(allowed) from None
        raise RequestValidationError([{**e, "loc": ("path", "event")} for e in exc.errors()]
                                     ) from None


class MethodNotAllowed(HTTPException):
    """405: the path is served, with other methods (listed in `Allow`)."""

    def __init__(self, allowed: list[str]) -> None:
        super().__init__(405, f"this path is served with {', '.join(allowed)} only",
                         headers={"Allow": ", ".join(allowed)})


def _endpoint(model: type[BaseModel], event: str | None = None, names: tuple[str, ...] = ()
              ) -> Callable[..., JSONResponse]:
    """A route's function, its body a `model`: for `event`, or, without one, for the event the
    path names, one of `names`."""
    def endpoint(**params: Any) -> JSONResponse:
        fired = event or named_event(params["request"], params["event"], names)
        return _fire(fired, params["project_id"], params["engine"],
                     params["actor"], params["request"], params["body"], params["if_match"])

    def named(name: str, annotation: Any, **default: Any) -> inspect.Parameter:
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                                 **default)

    path = [named("project_id", ProjectId)]
    if event is None:
        path.append(named("event", str))
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*path, named("engine", EngineDep), named("actor", ActorDep),
         named("request", Request), named("body", model | None, default=None),
         named("if_match", IfMatch, default=None)], return_annotation=JSONResponse)
    return endpoint


def takes_text(spec: tuple[Input, ...]) -> str:
    """What an event takes, as its operation's description says it."""
    def one(given: Input) -> str:
        if given.kind == INTEGER:
            bound = " or more" if given.high is None else f" to {given.high}"
            what = f"a whole number from {given.low}{bound}"
        elif given.kind == FLAG:
            what = "true or false"
        else:
            what = " or ".join(VERDICTS) if given.kind == VERDICT else "text"
        return f"`{given.name}` ({what}{'' if given.required else ', optional'})"

    if not spec:
        return "It takes nothing: no body, or an empty object."
    shown = [one(i) for i in spec]
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    return f"It takes {listed}."


def router() -> APIRouter:
    """One route for each event of the definition fired with a JSON body. After them, and left
    out of the OpenAPI document, `POST /projects/{project_id}/{event}` answers any other name
    with the events there are (400), or 405 where the path is a read's."""
    events = body_events()
    fields: dict[str, Input] = {}  # every input a body may hold, as the first event takes it
    for spec in events.values():
        for given in spec:
            fields.setdefault(given.name, given)
    made = APIRouter(tags=["projects"])
    for event, spec in events.items():
        name = "".join(part.capitalize() for part in event.split("_"))
        model = body_model(f"{name}Body", f"What {event} takes.", fields, spec)
        needed = any(i.required for i in spec)
        made.add_api_route(
            f"/projects/{{project_id}}/{event}", _endpoint(model, event), methods=["POST"],
            name=event, summary=f"Fire {event} on a project",
            description=f"Fire {event} on the project, as the calling operator. "
                        f"{takes_text(spec)}",
            openapi_extra={"requestBody": {"required": True}} if needed else None)
    if events:
        anything = body_model("EventBody", "What an event takes.", fields, ())
        made.add_api_route("/projects/{project_id}/{event}",
                           _endpoint(anything, names=tuple(events)), methods=["POST"],
                           name="fire", include_in_schema=False)
    return made
