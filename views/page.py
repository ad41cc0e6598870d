"""The operators' view as one self-contained HTML page: the funnel, each category's progress
toward its target, the regions × states heat table, the overdue list and the state diagram.

No network is needed to open it: styles are inline, charts are inline SVG drawn here, there is
no script, and the page's Content-Security-Policy forbids loading anything. Every stored text
is escaped. Numbers carry `data-*` attributes so that a test can read them off the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from html import escape
from typing import Any

from accel666 import lifecycle
from accel666.policies import Policy
from accel666.views import diagram, documents, forms, labels
from accel666.views.labels import N_, _
from accel666.workflow.report import ProgrammeReport

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
COLOURS = {"docked": "#8aa9d6", "applied": "#6b93cf", "recommended": "#4d7cc7",
           "reviewed": "#3366b8", "signed": "#1f4f99", "published": "#2e8b57",
           "rejected": "#b94a48", "withdrawn": "#999999"}
STYLE = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:24px;
color:#222;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#666;font-size:13px}
table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:220px}
.card b{font-size:20px}
.card .bar{display:block;margin-top:8px}
.card.past-due{border-color:#c0392b}.missed{color:#c0392b;font-size:13px;margin-top:4px}
svg text{font-size:12px;fill:#222}
"""


def render(report: ProgrammeReport, policy: Policy, *, banner: str = "") -> str:
    """The page, as text (UTF-8 when written), in the language in use (labels.use).
    `banner` is HTML put above the heading as given (the service's who-is-signed-in line)."""
    zone = policy.zone
    doc = report.to_dict(zone)
    narrowed = ", ".join(f"{_(k)} {v}" for k, v in (("batch", doc["batch"]),
                                                      ("region", doc["region"])) if v)
    heading = escape(_("where the programme stands"))
    as_of = escape(_("as of {moment}").format(moment=documents.shown(report.as_of, policy)))
    overdue = escape(_("{n} overdue").format(n=doc["overdue"]))
    escalated = escape(_("{n} open escalations").format(n=doc["open_escalations"]))
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>666 工程 · {heading}</title>", f"<style>{STYLE}{forms.STYLE}</style>",
        "</head><body>", banner,
        f"<h1>江苏省工业互联网加速器工程 (666 工程): {heading}</h1>",
        f'<p class="meta" id="as-of" data-as-of="{escape(doc["as_of"])}">{as_of}'
        f'{escape(" · " + narrowed) if narrowed else ""} · '
        f'<span id="overdue" data-count="{doc["overdue"]}">{overdue}</span> · '
        f'<span id="open-escalations" data-count="{doc["open_escalations"]}">{escalated}'
        "</span></p>",
        _h2(_("Progress toward the targets")),
        _categories(doc["categories"], policy, report.as_of.astimezone(zone).date()),
        _h2(_("Projects by state")), _funnel(doc["totals"]),
        _h2(_("Regions × states")), _regions(doc["regions"], policy),
        _h2(_("Overdue projects")), _overdue(report, policy),
        _h2(_("The expert review")), _review(doc["review"]),
        _review_batches(report, policy),
        _h2(_("The lifecycle")), _diagram(),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _h2(text: str) -> str:
    return f"<h2>{escape(text)}</h2>"


def _categories(categories: list[dict[str, Any]], policy: Policy, today: date) -> str:
    """Each category's card: published against the target, the pipeline and the date due, a
    bar on a line of its own; a target whose date has passed unmet is flagged."""
    shown = labels.current()
    cards = []
    for c in categories:
        share = min(c["progress"], 1.0)
        pipeline = _("{n} in the pipeline · due {due}").format(n=c["in_pipeline"], due=c["due"])
        missed = c["published"] < c["target"] and date.fromisoformat(c["due"]) < today
        unmet = _("past due: the target was not met")
        flag = f'<div class="missed">{escape(unmet)}</div>' if missed else ""
        cards.append(
            f'<div class="card category{" past-due" if missed else ""}" '
            f'data-key="{escape(c["key"])}" '
            f'data-target="{c["target"]}" data-published="{c["published"]}" '
            f'data-in-pipeline="{c["in_pipeline"]}" data-past-due="{str(missed).lower()}">'
            f'<div>{escape(shown.category(c["key"], policy))}</div>'
            f'<b>{c["published"]} / {c["target"]}</b> ({c["progress"]:.0%})'
            f'<div class="meta">{escape(pipeline)}</div>{flag}'
            f'<svg class="bar" width="200" height="10" role="img" '
            f'aria-label="{c["progress"]:.0%}">'
            '<rect width="200" height="10" fill="#eee"/>'
            f'<rect width="{200 * share:.1f}" height="10" '
            f'fill="{"#c0392b" if missed else "#2e8b57"}"/></svg></div>')
    return f'<div class="cards">{"".join(cards)}</div>'


def _funnel(totals: dict[str, int]) -> str:
    top = max(totals.values(), default=0) or 1
    rows = []
    for i, (state, n) in enumerate(totals.items()):
        y = i * 24
        width = 520 * n / top
        rows.append(
            f'<g class="state" data-state="{state}" data-count="{n}">'
            f'<text x="0" y="{y + 15}">{escape(labels.current().state(state))}</text>'
            f'<rect x="110" y="{y + 3}" width="{width:.1f}" height="16" '
            f'fill="{COLOURS[state]}"/>'
            f'<text x="{116 + width:.1f}" y="{y + 15}">{n}</text></g>')
    height = 24 * len(totals)
    return (f'<svg id="funnel" width="720" height="{height}" role="img" '
            f'aria-label="projects by state">{"".join(rows)}</svg>')


def _regions(regions: list[dict[str, Any]], policy: Policy) -> str:
    shown = labels.current()
    states = list(lifecycle.STATES)
    top = max((n for r in regions for n in r["states"].values()), default=0) or 1
    head = "".join(f"<th>{escape(shown.state(s))}</th>" for s in states)
    body = []
    for r in regions:
        cells = "".join(
            f'<td data-state="{s}" style="background:rgba(51,102,184,'
            f'{0.08 + 0.6 * r["states"][s] / top if r["states"][s] else 0:.2f})">'
            f'{r["states"][s]}</td>' for s in states)
        body.append(f'<tr class="region" data-code="{escape(r["code"])}" '
                    f'data-overdue="{r["overdue"]}" '
                    f'data-open-escalations="{r["open_escalations"]}">'
                    f'<td>{escape(r["code"])} {escape(shown.region(r["code"], policy))}</td>'
                    f'{cells}'
                    f'<td>{r["overdue"]}</td><td>{r["open_escalations"]}</td></tr>')
    return (f'<table id="regions"><thead><tr>{_th("region")}{head}{_th("overdue")}'
            f'{_th("open escalations")}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def _th(heading: str) -> str:
    return f"<th>{escape(_(heading))}</th>"


def _overdue(report: ProgrammeReport, policy: Policy) -> str:
    if not report.overdue_projects:
        nothing = escape(_("Nothing is overdue."))
        return f'<p id="overdue-list">{nothing}</p>'
    shown = labels.current()
    days = _("{n} d")
    acknowledged = escape(_(" (acknowledged)"))
    rows = "".join(
        f'<tr class="overdue" data-project="{o.project_id}"><td>{o.project_id}</td>'
        f'<td>{escape(o.title)}</td><td>{escape(o.enterprise)}</td>'
        f'<td>{escape(shown.region(o.region, policy))}</td><td>{escape(o.batch)}</td>'
        f'<td>{escape(shown.phase(o.phase))}</td><td>{escape(shown.state(o.state))}</td>'
        f'<td>{o.deadline.astimezone(policy.zone):%Y-%m-%d %H:%M}</td>'
        f'<td>{escape(days.format(n=o.late_by.days))}</td>'
        f'<td>{"L" + str(o.level) if o.level else "-"}'
        f'{acknowledged if o.acknowledged else ""}</td></tr>'
        for o in report.overdue_projects)
    head = "".join(_th(h) for h in ("project", "title", "enterprise", "region", "batch",
                                     "phase", "state", "deadline", "late by", "level"))
    return (f'<table id="overdue-list"><thead><tr>{head}</tr></thead><tbody>{rows}'
            '</tbody></table>')


def _review(review: dict[str, Any]) -> str:
    """The review's figures, and the scores each expert still owes."""
    figures = [(_("under review"), review["under_review"]),
               (_("panels at quorum"), review["panels_at_quorum"]),
               (_("passed"), review["passed"]), (_("failed"), review["failed"]),
               (_("overridden"), review["overridden"])]
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{n}</td></tr>" for k, n in figures)
    owed = _("scores awaited: {expert}")
    awaited = "".join(f"<tr><td>{escape(owed.format(expert=k))}</td><td>{n}</td></tr>"
                      for k, n in review["awaited"].items())
    return f'<table id="review"><tbody>{rows}{awaited}</tbody></table>'


def _review_batches(report: ProgrammeReport, policy: Policy) -> str:
    """Each batch's review, its public notice and the objections open."""
    shown = [b for b in report.review_batches
             if b.figures.under_review or b.figures.passed or b.figures.failed
             or b.notice_closes_at is not None]
    if not shown:
        return ""
    named = (N_("batch"), N_("under review"), N_("panels at quorum"), N_("passed"),
             N_("failed"), N_("overridden"), N_("public notice until"), N_("open objections"))
    head = "".join(f"<th>{escape(_(h))}</th>" for h in named)
    opened, closed = _("accepting objections"), _("closed")
    rows = []
    for b in shown:
        f = b.figures
        notice = "-" if b.notice_closes_at is None else \
            f"{documents.shown(b.notice_closes_at, policy)} ({opened if b.notice_open else closed})"
        rows.append(f'<tr class="review-batch" data-batch="{escape(b.batch)}">'
                    f"<td>{escape(b.batch)}</td><td>{f.under_review}</td>"
                    f"<td>{f.panels_at_quorum}</td><td>{f.passed}</td><td>{f.failed}</td>"
                    f"<td>{f.overridden}</td><td>{escape(notice)}</td>"
                    f'<td data-open-objections="{b.open_objections}">{b.open_objections}</td>'
                    "</tr>")
    return (f'<table id="review-batches"><thead><tr>{head}</tr></thead><tbody>'
            f'{"".join(rows)}</tbody></table>')


def _diagram() -> str:
    """The lifecycle (accel666.lifecycle.TRANSITIONS): the main path left to right, the
    ended states below; every edge drawn, labelled with its event."""
    main = [s for s in lifecycle.STATES if s not in lifecycle.ENDED_STATES]
    ended = list(lifecycle.ENDED_STATES)
    at: dict[str, tuple[float, float]] = {lifecycle.NEW: (20.0, 40.0)}
    at.update({s: (110.0 + 185 * i, 40.0) for i, s in enumerate(main)})
    at.update({s: (370.0 + 370 * i, 200.0) for i, s in enumerate(ended)})
    shapes = []
    for state, (x, y) in at.items():
        if state == lifecycle.NEW:
            shapes.append(f'<circle cx="{x}" cy="{y}" r="6" fill="#222"/>')
            continue
        final = state in lifecycle.FINAL_STATES
        shapes.append(
            f'<g class="node" data-state="{state}"><rect x="{x - 50}" y="{y - 15}" width="100" '
            f'height="30" rx="8" fill="#fff" stroke="{COLOURS[state]}" '
            f'stroke-width="{3 if final else 1.5}"/>'
            f'<text x="{x}" y="{y + 4}" text-anchor="middle">'
            f'{escape(labels.current().state(state))}</text></g>')
    return (f'<svg id="diagram" width="1100" height="240" role="img" aria-label="lifecycle">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
            'markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
            'fill="#555"/></marker></defs>'
            f'{"".join(_edges(at))}{"".join(shapes)}</svg>')


def _edges(at: dict[str, tuple[float, float]]) -> Iterable[str]:
    down: dict[str, int] = {}  # edges already drawn down from each state: labels staggered
    for edge in lifecycle.TRANSITIONS:
        for source in edge.sources:
            (x1, y1), (x2, y2) = at[source], at[edge.dest]
            if y1 == y2:  # along the main path
                start, end = x1 + (6 if source == lifecycle.NEW else 50), x2 - 50
                path = f"M{start},{y1}L{end},{y2}"
                lx, ly = (start + end) / 2, y1 - 6
            else:  # down to an ended state: labelled near its source, where edges part
                path = f"M{x1},{y1 + 15}L{x2},{y2 - 15}"
                t = 0.25 + 0.3 * down.get(source, 0)
                down[source] = down.get(source, 0) + 1
                lx, ly = x1 + (x2 - x1) * t, y1 + 15 + (y2 - y1 - 30) * t
            label = escape(diagram.word(edge.event) if edge.verdict is None else
                           diagram.word(f"{edge.event} ({edge.verdict})"))
            yield (f'<g class="edge" data-event="{edge.event}" data-from="{source}" '
                   f'data-to="{edge.dest}"><path d="{path}" stroke="#888" fill="none" '
                   'marker-end="url(#arrow)"/>'
                   f'<text x="{lx:.0f}" y="{ly:.0f}" text-anchor="middle">{label}</text></g>')
