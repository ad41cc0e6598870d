"""How records look: JSON documents for scripts, text for people. Times in China time."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from accel666 import BatchStatus, Extension, Policy, Project, Transition

T = TypeVar("T")


def local(moment: datetime | None, policy: Policy) -> str | None:
    """ISO 8601 in the programme's zone, with its offset."""
    return None if moment is None else moment.astimezone(policy.zone).isoformat()


def shown(moment: datetime | None, policy: Policy) -> str:
    if moment is None:
        return "-"
    local_time = moment.astimezone(policy.zone)
    off = local_time.strftime("%z")
    return f"{local_time:%Y-%m-%d %H:%M:%S} {off[:3]}:{off[3:]}"


def project_dict(p: Project, policy: Policy) -> dict[str, Any]:
    region = policy.regions.get(p.region)
    return {
        "id": p.id, "title": p.title, "enterprise": p.enterprise, "credit_code": p.credit_code,
        "region": p.region, "region_name": region.name if region else None,
        "category": p.category, "batch": p.batch, "state": p.state, "version": p.version,
        "paper_copies": p.paper_copies, "created_at": local(p.created_at, policy),
        "updated_at": local(p.updated_at, policy),
    }


def transition_dict(t: Transition, policy: Policy) -> dict[str, Any]:
    return {"seq": t.seq, "event": t.event, "from_state": t.from_state, "to_state": t.to_state,
            "actor": t.actor, "role": t.role, "scope": t.scope, "at": local(t.at, policy),
            "payload": t.payload}


def batch_dict(b: BatchStatus, policy: Policy) -> dict[str, Any]:
    return {"key": b.key, "name": b.name, "windows": [
        {"phase": w.phase, "opens_at": local(w.opens_at, policy),
         "closes_at": local(w.closes_at, policy), "extended": w.extended, "open": w.open}
        for w in b.windows]}


def extension_dict(x: Extension, policy: Policy) -> dict[str, Any]:
    return {"id": x.id, "batch": x.batch, "phase": x.phase, "until": x.until.isoformat(),
            "reason": x.reason, "actor": x.actor, "role": x.role, "at": local(x.at, policy),
            "follows": x.follows, "override": x.override, "carried": list(x.carried),
            "revoked_at": local(x.revoked_at, policy), "revoked_by": x.revoked_by,
            "revoked_role": x.revoked_role, "revoke_reason": x.revoke_reason}


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def render(result: T, policy: Policy, as_json: bool, *, to_json: Callable[[T, Policy], Any],
           to_text: Callable[[T, Policy], str | None]) -> None:
    """Print `result` as the JSON document `to_json` makes, or as the text `to_text` returns
    (a `to_text` that prints itself, a table say, returns None)."""
    if as_json:
        emit_json(to_json(result, policy))
        return
    text = to_text(result, policy)
    if text is not None:
        click.echo(text)


def each(to_dict: Callable[[T, Policy], dict[str, Any]]
         ) -> Callable[[Iterable[T], Policy], list[dict[str, Any]]]:
    """A list's JSON document from its records' own: `each(project_dict)`."""
    return lambda rows, policy: [to_dict(row, policy) for row in rows]


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> None:
    """A text table on stdout that keeps Chinese text aligned; full width when not a terminal."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Every cell is a Text, never markup: a stored title such as "[/]" or "[link=…]" is shown
    # as it was written (a tab, which a cell cannot show, as a space).
    t = Table(*headers, box=box.SIMPLE_HEAD,
              title=None if title is None else Text(title), title_justify="left")
    for row in rows:
        t.add_row(*(Text("-" if v is None else str(v).replace("\t", " ")) for v in row))
    terminal = sys.stdout.isatty()
    console = Console(file=sys.stdout, width=None if terminal else 400, highlight=False,
                      soft_wrap=not terminal)
    # rich ends the process with exit 1 when the reader has gone; the command line ends such
    # a command quietly with 0, as for any other output (errors.ends_quietly).
    console.on_broken_pipe = _reader_left  # type: ignore[method-assign]
    console.print(t)


def _reader_left() -> None:
    raise BrokenPipeError


def project_text(p: Project, policy: Policy, next_events: Sequence[str]) -> str:
    region = policy.regions.get(p.region)
    category = policy.categories.get(p.category)
    lines = [
        f"#{p.id}  {p.title}",
        f"  enterprise  {p.enterprise} ({p.credit_code})",
        f"  region      {p.region} {region.name if region else ''}".rstrip(),
        f"  category    {p.category}{f' ({category.name})' if category else ''}",
        f"  batch       {p.batch}",
        f"  state       {p.state} (version {p.version})",
    ]
    if p.paper_copies is not None:
        lines.append(f"  materials   {p.paper_copies} paper copies, electronic document filed")
    lines += [
        f"  docked      {shown(p.created_at, policy)}",
        f"  updated     {shown(p.updated_at, policy)}",
        f"  next        {', '.join(next_events) or '- (final state)'}",
    ]
    return "\n".join(lines)


def region_name(code: str, policy: Policy) -> str:
    region = policy.regions.get(code)
    return region.name if region else code


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def spreadsheet_cell(value: Any) -> str:
    """A cell for CSV or a spreadsheet: text a spreadsheet would run as a formula (it begins
    with = + - @, a tab or a carriage return) gets a leading apostrophe."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def markdown_cell(value: Any) -> str:
    """A Markdown table cell that shows `value` as written: every ASCII punctuation character
    backslash-escaped (so no markup, link, HTML or column break), line breaks as spaces."""
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
