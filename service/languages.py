"""The language a page is shown in: the one its reader chose with the page's switch (`?lang=`,
kept in a cookie), else the browser's first choice (Accept-Language) when it is English, else
Chinese, the programme's own."""

from __future__ import annotations

from fastapi import Request, Response

from accel666.views.labels import LANGS

COOKIE = "accel666_lang"
YEAR = 365 * 86_400


def first_choice(header: str) -> str:
    """The first language an Accept-Language header names, in lower case ("" for none)."""
    return header.split(",", 1)[0].split(";", 1)[0].strip().lower()


def prefers_english(header: str) -> bool:
    """Does the browser's first language choice start with English? (Chinese otherwise.)"""
    return first_choice(header).startswith("en")


def prefers_chinese(header: str) -> bool:
    """Does the client's first language choice (Accept-Language) start with Chinese?"""
    return first_choice(header).startswith("zh")


def chosen(request: Request) -> str | None:
    """The language the reader chose on this request with the page's switch, if any."""
    asked = request.query_params.get("lang")
    return asked if asked in LANGS else None


def language(request: Request) -> str:
    """The language to show `request`'s page in."""
    kept = request.cookies.get(COOKIE)
    if (asked := chosen(request) or kept) in LANGS:
        return str(asked)
    return "en" if prefers_english(request.headers.get("accept-language", "")) else "zh"


def headers(lang: str) -> dict[str, str]:
    """What a page in `lang` says of its language, and that it varies with the reader's."""
    return {"Content-Language": "zh-CN" if lang == "zh" else "en",
            "Vary": "Accept-Language, Cookie"}


def remember(response: Response, request: Request) -> None:
    """Keep the language the reader chose on this request, for the pages it opens next."""
    if (asked := chosen(request)) is not None:
        response.set_cookie(COOKIE, asked, max_age=YEAR, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")


def switch(lang: str, path: str) -> str:
    """The page's link to itself in the other language."""
    other, name = ("en", "English") if lang == "zh" else ("zh", "中文")
    return f'<a id="lang" href="{path}?lang={other}" lang="{other}">{name}</a>'
