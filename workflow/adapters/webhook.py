"""The webhook notifier: POST an escalation as JSON to a receiver's URL, with an Idempotency-Key.

Which URLs qualify is checked before anything is queued (`check_webhook`); a POST's outcome is
None for a 2xx answer or the reason it failed, which the outbox records and retries.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from accel666.workflow.errors import InvalidInput

MAX_ENDPOINT = 2000  # the size of the delivery table's endpoint column
USER_AGENT = "accel666-escalation/1"


def check_webhook(url: str) -> str:
    """The URL, if it is one a webhook can be posted to; else InvalidInput.

    ASCII only, without spaces or control characters (the database could not store some
    characters, http.client cannot send the others: percent-encode them), and at most
    MAX_ENDPOINT characters (the column's size).
    """
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise InvalidInput("webhook", "expected an http:// or https:// URL", url)
    if any(not ch.isascii() or not ch.isprintable() or ch.isspace() for ch in url):
        raise InvalidInput("webhook", "expected a URL in printable ASCII without spaces "
                           "(percent-encode other characters)", url)
    if len(url) > MAX_ENDPOINT:
        raise InvalidInput("webhook", f"at most {MAX_ENDPOINT} characters (got {len(url)})",
                           url[:40] + "…")
    try:  # a URL urllib cannot parse would fail every delivery, every round
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # reading it checks it
    except ValueError as exc:
        raise InvalidInput("webhook", f"not a valid URL: {exc}", url) from exc
    if not parts.hostname:
        raise InvalidInput("webhook", "expected a URL with a host, e.g. https://ops.example/hook",
                           url)
    return url


def post_json(url: str, body: dict[str, Any], key: str, timeout: float) -> str | None:
    """POST `body` as JSON with an Idempotency-Key; None when the receiver answered 2xx, else
    what went wrong."""
    try:
        request = urllib.request.Request(
            url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key,
                     "User-Agent": USER_AGENT},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        exc.close()
        return f"HTTP {exc.code} {exc.reason}"
    except urllib.error.URLError as exc:
        return f"cannot reach {url}: {exc.reason}"
    except (TimeoutError, OSError, http.client.HTTPException, ValueError) as exc:
        # ValueError: a URL http.client cannot send (e.g. UnicodeEncodeError for non-ASCII);
        # a failed attempt, recorded and retried like any other, never a crash of the round.
        return f"{type(exc).__name__} posting to {url}: {exc}"
    return None
