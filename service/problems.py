"""Errors as RFC 9457 problem documents. An error of the library carries its HTTP status
(`http_status`, beside `exit_code`, in accel666/errors.py); anything else is a bug, 500.

A problem carries what the CLI's `--json` error carries (`error`, and the error's own details:
`guard` and `facts` for a refusal, `field` and `reason` for invalid input, `problems` for a
policy, …) beside the standard `type`, `title`, `status`, `detail` and `instance`.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import Message, Scope, Send

from accel666 import WorkflowError
from accel666.service import languages
from accel666.views import labels, refusals

MEDIA_TYPE = "application/problem+json"


def status_for(exc: Exception) -> int:
    """The HTTP status of a library error (500 for anything else: a bug)."""
    return exc.http_status if isinstance(exc, WorkflowError) else 500


def problem(status: int, detail: str, *, kind: str | None = None, instance: str | None = None,
            headers: dict[str, str] | None = None, extra: dict[str, Any] | None = None,
            title: str | None = None) -> JSONResponse:
    """A problem document with `status`; `kind` names its type (default: the status's phrase);
    `title` defaults to the status's phrase; `extra` adds members (never replacing the
    standard ones)."""
    phrase = HTTPStatus(status).phrase
    slug = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", kind or phrase).replace(" ", "-").lower()
    body = {**(extra or {}), "type": f"urn:accel666:problem:{slug}", "title": title or phrase,
            "status": status, "detail": detail, **({"instance": instance} if instance else {})}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def send_problem(scope: Scope, send: Send, status: int, detail: str, **options: Any
                       ) -> None:
    """Answer with a problem document from ASGI middleware, where no request is read
    (`options` as for `problem`; the instance is the request's path)."""
    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await problem(status, detail, instance=scope["path"], **options)(scope, nothing, send)


# Each status's title in Chinese, for a client whose first language is Chinese.
TITLES_ZH = {400: "输入无效", 401: "未通过身份验证", 403: "无权操作", 404: "未找到",
             405: "不支持该方法", 409: "冲突", 412: "前提条件不满足", 413: "请求内容过大",
             422: "不符合规则", 429: "请求过于频繁", 500: "内部错误", 503: "服务暂不可用"}


def from_error(exc: WorkflowError, request: Request) -> JSONResponse:
    """The problem document of a library error, with its structured details; its `title`
    and `detail` in Chinese for a client whose first language (Accept-Language) is Chinese,
    its `guard`, `facts` and the other members the same keys in every language."""
    status = status_for(exc)
    details = {k: v for k, v in exc.to_dict().items() if k != "message"}
    headers = {"WWW-Authenticate": 'Bearer realm="accel666"'} if status == 401 else {}
    if not languages.prefers_chinese(request.headers.get("accept-language", "")):
        return problem(status, exc.message, kind=details["error"], instance=request.url.path,
                       headers=headers or None, extra=details)
    with labels.speaking("zh"):
        told = refusals.described(exc)
    return problem(status, told, kind=details["error"], instance=request.url.path,
                   headers={**headers, "Content-Language": "zh-CN", "Vary": "Accept-Language"},
                   extra=details, title=TITLES_ZH.get(status))


def install(app: FastAPI) -> None:
    """Answer library errors, bad requests and HTTP errors with problem documents."""

    async def workflow_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, WorkflowError)
        return from_error(exc, request)

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [{"field": "body" if e.get("type") == "json_invalid"
                   else ".".join(str(p) for p in e.get("loc", ())[1:]) or "body",
                   "reason": str(e.get("msg", "invalid"))} for e in exc.errors()]
        first = errors[0] if errors else {"field": "body", "reason": "invalid"}
        return problem(400, f"invalid {first['field']}: {first['reason']}", kind="InvalidInput",
                       instance=request.url.path,
                       extra={"error": "InvalidInput", "field": first["field"],
                              "reason": first["reason"], "errors": errors})

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return problem(exc.status_code, str(exc.detail), instance=request.url.path,
                       headers=dict(exc.headers or {}))

    app.add_exception_handler(WorkflowError, workflow_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
