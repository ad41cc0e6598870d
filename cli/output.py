"""How records look: JSON documents for scripts, text for people. Times in China time."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

# The shapes --json prints (re-exported for the commands).
from accel666.views.documents import (
    batch_dict as batch_dict,
)
from accel666.views.documents import (
    extension_dict as extension_dict,
)
from accel666.views.documents import (
    facts as facts,
)
from accel666.views.documents import (
    local as local,
)
from accel666.views.documents import (
    project_dict as project_dict,
)
from accel666.views.documents import (
    region_name as region_name,
)
from accel666.views.documents import (
    shown as shown,
)
from accel666.views.documents import (
    shown_project_dict as shown_project_dict,
)
from accel666.views.documents import (
    transition_dict as transition_dict,
)

if TYPE_CHECKING:
    from accel666 import Policy, Project, Transition

T = TypeVar("T")


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


# Columns whose text may be shortened (in the middle, so that names sharing a beginning stay
# apart) to fit a terminal; every other column, ids and times included, is shown whole.
SHRINKABLE = frozenset({"title", "enterprise", "details", "reason", "value", "note",
                        "deliveries", "column"})
_MIN_SHRUNK = 12
_GAP = "  "


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> None:
    """A text table on stdout that keeps Chinese text aligned (by display width). On a
    terminal it fits the width, shortening name-like columns in the middle; written to a file
    or a pipe it is never cut. Stored text is shown as written (a tab or line break as a
    space): nothing in a cell is markup."""
    import shutil

    from rich.cells import cell_len

    from accel666.views.labels import _

    cells = [[_flat(_(h)) for h in headers]]
    cells += [[_flat(v) for v in row] for row in rows]
    widths = [max(cell_len(r[i]) for r in cells) for i in range(len(headers))]
    if sys.stdout.isatty():
        widths = _fitted(widths, headers, shutil.get_terminal_size().columns)
    lines = [] if title is None else [title]
    for n, row in enumerate(cells):
        lines.append(_GAP.join(_padded(cell, w, cell_len) for cell, w in zip(row, widths,
                                                                             strict=True))
                     .rstrip())
        if n == 0:
            lines.append(_GAP.join("─" * w for w in widths))
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def _flat(value: Any) -> str:
    text = "-" if value is None else str(value)
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")


def _fitted(widths: list[int], headers: Sequence[str], room: int) -> list[int]:
    """Widths that fit `room` columns, narrowing the widest shrinkable column first."""
    widths = list(widths)
    over = sum(widths) + len(_GAP) * (len(widths) - 1) - room
    shrinkable = [i for i, h in enumerate(headers) if h in SHRINKABLE]
    while over > 0 and shrinkable:
        i = max(shrinkable, key=lambda k: widths[k])
        if widths[i] <= _MIN_SHRUNK:
            break
        step = min(over, widths[i] - _MIN_SHRUNK)
        widths[i] -= step
        over -= step
    return widths


def _padded(cell: str, width: int, cell_len: Callable[[str], int]) -> str:
    size = cell_len(cell)
    if size > width:
        cell = _middle_cut(cell, width)
        size = cell_len(cell)
    return cell + " " * (width - size)


def _middle_cut(text: str, width: int) -> str:
    """`text` in at most `width` columns: its beginning and its end around an ellipsis."""
    from rich.cells import get_character_cell_size as size

    budget = width - 1
    head_room, tail_room = (budget + 1) // 2, budget // 2
    head, used = [], 0
    for ch in text:
        if used + size(ch) > head_room:
            break
        head.append(ch)
        used += size(ch)
    tail, used = [], 0
    for ch in reversed(text):
        if used + size(ch) > tail_room:
            break
        tail.append(ch)
        used += size(ch)
    return "".join(head) + "…" + "".join(reversed(tail))


def details_text(payload: dict[str, Any]) -> str:
    """What a log row records, as people read it in the language in use (the digest and the
    identity left out): each input by its name, a verdict by name, the panel as a sentence."""
    from accel666.views.labels import _, current

    shown = current()
    parts = []
    for key, value in payload.items():
        if key in ("sha256", "identity"):
            continue
        if key == "panel" and isinstance(value, dict):
            parts.append(panel_text(value))
            continue
        if key in ("verdict", "outcome") and isinstance(value, str):
            value = shown.outcome(value)
        elif isinstance(value, bool):
            value = shown.yes(value)
        elif isinstance(value, float):
            value = f"{value:g}"
        if key == "size":
            parts.append(_("{size} bytes").format(size=value))
            continue
        parts.append(_("{field} {value}").format(field=shown.field(key.replace("_", " ")),
                                                 value=value))
    return _(", ").join(parts)


def panel_text(panel: dict[str, Any]) -> str:
    """The panel a review followed, as a phrase: 5 of 5 scored, trimmed mean, pass mark 70."""
    from accel666.views.labels import _, current

    return _("panel: {scored} of {experts} scored, {aggregate}, pass mark {pass_mark}").format(
        scored=panel.get("scored"), experts=panel.get("experts"),
        aggregate=current().aggregate(str(panel.get("aggregate"))),
        pass_mark=panel.get("pass_mark"))


def project_text(p: Project, history: Sequence[Transition], policy: Policy) -> str:
    from accel666.lifecycle import events_from
    from accel666.views.labels import current

    if current().lang != "en":
        return _project_translated(p, history, policy)

    region = policy.regions.get(p.region)
    category = policy.categories.get(p.category)
    known = facts(history)
    lines = [
        f"#{p.id}  {p.title}",
        f"  enterprise  {p.enterprise} ({p.credit_code})",
        f"  region      {p.region} {region.name if region else ''}".rstrip(),
        f"  category    {p.category}{f' ({category.name})' if category else ''}",
        f"  batch       {p.batch}",
        f"  state       {p.state} (version {p.version})",
    ]
    if known["materials"] is not None:
        m = known["materials"]
        size = f" ({m['size']} bytes)" if m["size"] is not None else ""
        lines.append(f"  materials   {m['paper_copies']} paper copies; {m['document']}{size}")
    if known["opinion"] is not None:
        lines.append(f"  opinion     {known['opinion']}")
    if known["review"] is not None:
        lines.append(f"  review      {review_text(known['review'])}")
    lines += [f"  reason      {r['event']}: {r['reason']}" for r in known["reasons"]]
    lines += [
        f"  docked      {shown(p.created_at, policy)}",
        f"  updated     {shown(p.updated_at, policy)}",
        f"  next        {', '.join(events_from(p.state)) or '- (final state)'}",
    ]
    return "\n".join(lines)


def _project_translated(p: Project, history: Sequence[Transition], policy: Policy) -> str:
    """`show` in a language other than English: every label and name translated."""
    from rich.cells import cell_len

    from accel666.lifecycle import events_from
    from accel666.views.labels import N_, _, current

    names = current()
    known = facts(history)
    rows: list[tuple[str, str]] = [
        (N_("enterprise"), _("{enterprise} ({code})").format(enterprise=p.enterprise,
                                                             code=p.credit_code)),
        (N_("region"), f"{p.region} {names.region(p.region, policy)}"),
        (N_("category"), names.category(p.category, policy)), (N_("batch"), p.batch),
        (N_("state"), _("{state} (version {version})").format(state=names.state(p.state),
                                                              version=p.version)),
    ]
    if (m := known["materials"]) is not None:
        rows.append((N_("materials"), _("{copies} paper copies; {document}").format(
            copies=m["paper_copies"], document=m["document"]) + (
            _(" ({size} bytes)").format(size=m["size"]) if m["size"] is not None else "")))
    if known["opinion"] is not None:
        rows.append((N_("opinion"), known["opinion"]))
    if known["review"] is not None:
        rows.append((N_("review"), review_text(known["review"])))
    rows += [(N_("reason"), _("{act}: {reason}").format(act=names.event(r["event"]),
                                                         reason=r["reason"]))
             for r in known["reasons"]]
    rows += [(N_("docked at"), shown(p.created_at, policy)),
             (N_("updated at"), shown(p.updated_at, policy)),
             (N_("next"), _(", ").join(names.event(e) for e in events_from(p.state))
              or _("- (final state)"))]
    labelled = [(_(k), v) for k, v in rows]
    width = max(cell_len(k) for k, _v in labelled) + 2
    return "\n".join([f"#{p.id}  {p.title}",
                      *(f"  {k}{' ' * (width - cell_len(k))}{v}" for k, v in labelled)])


def review_text(review: dict[str, Any]) -> str:
    """The review as `show` prints it: its score and verdict, the panel it followed (none for
    the province alone), and an override against the panel."""
    from accel666.views.labels import _, current

    shown = current()
    score = review["score"]
    shown_score = f"{score:g}" if isinstance(score, float) else score
    if shown.lang != "en":
        text = _("score {score}, {verdict}").format(score=shown_score,
                                                    verdict=shown.outcome(review["verdict"]))
        panel = review.get("panel")
        if isinstance(panel, dict):
            text += _(" ({panel})").format(panel=panel_text(panel))
            if review.get("override"):
                text += _("; OVERRIDE: the panel's outcome was {outcome}").format(
                    outcome=shown.outcome(str(panel.get("outcome"))))
        return text
    text = f"score {shown_score}, {review['verdict']}"
    panel = review.get("panel")
    if isinstance(panel, dict):
        text += (f" (panel: {panel.get('scored')} of {panel.get('experts')} scored, "
                 f"{panel.get('aggregate')}, pass mark {panel.get('pass_mark')})")
        if review.get("override"):
            text += f"; OVERRIDE: the panel's outcome was {panel.get('outcome')}"
    return text


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
