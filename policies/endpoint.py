"""What a webhook URL must be: one the delivery table can store and http.client can send.

Standard library only. The policy loader notes a fault as a problem of the file; the engine
refuses a URL given on the command line or by an embedder with the same words.
"""

from __future__ import annotations

import urllib.parse

MAX_ENDPOINT = 2000  # the size of the delivery table's endpoint column


def webhook_fault(url: object) -> str | None:
    """Why `url` cannot be a webhook, or None when it can.

    ASCII only, without spaces or control characters (the database could not store some
    characters, http.client cannot send the others: percent-encode them), at most MAX_ENDPOINT
    characters, with a host and a valid port.
    """
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return "expected an http:// or https:// URL"
    if any(not ch.isascii() or not ch.isprintable() or ch.isspace() for ch in url):
        return "expected a URL in printable ASCII without spaces (percent-encode other characters)"
    if len(url) > MAX_ENDPOINT:
        return f"at most {MAX_ENDPOINT} characters (got {len(url)})"
    try:  # a URL urllib cannot parse would fail every delivery, every round
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # reading it checks it
    except ValueError as exc:
        return f"not a valid URL: {exc}"
    if not parts.hostname:
        return "expected a URL with a host, e.g. https://ops.example/hook"
    return None


def shown(url: object) -> object:
    """The URL as a message quotes it: its first 40 characters when it is over the limit, and
    anything that is not text as it was given."""
    return url[:40] + "…" if isinstance(url, str) and len(url) > MAX_ENDPOINT else url
