"""The public page (`GET /public`): each batch's list under notice, with its closing time and
how to object, and each batch's published list, in Chinese (or English). Public fields only:
title, enterprise, credit code, region, category and batch; never a score, an opinion, a
document or who objected. One self-contained page: inline style, no script, nothing loaded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

from accel666.policies import Policy
from accel666.views.labels import N_, Labels
from accel666.workflow.notice_records import Announced, PublicBatch

CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
STYLE = ('body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;'
         "margin:24px;color:#222;max-width:1100px}h1{font-size:22px}h2{font-size:18px;"
         "margin-top:28px}h3{font-size:15px}table{border-collapse:collapse;font-size:13px}"
         "th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}"
         ".meta{color:#666;font-size:13px}.contact{background:#fff8e1;padding:8px 12px;"
         "border-left:4px solid #f0b400}")
COLUMNS = (N_("No."), N_("title"), N_("enterprise"), N_("credit_code"), N_("region"),
           N_("category"))
TITLE = N_("Jiangsu Industrial Internet Accelerator Project (666): public lists")
AS_OF = N_("As of {time} (China time)")
UNDER_NOTICE = N_("Under public notice")
NOTICE_TIMES = N_("From {start} until {closes} (China time).")
PUBLISHED = N_("Published list")
NOTHING_PUBLISHED = N_("Nothing published yet.")


def document(batches: Sequence[PublicBatch], policy: Policy, now: datetime) -> dict[str, Any]:
    """`GET /public.json`: the time it was read and each batch's public lists."""
    return {"as_of": now.astimezone(policy.zone).isoformat(),
            "batches": [b.to_dict(policy.zone) for b in batches]}


def render(batches: Sequence[PublicBatch], policy: Policy, now: datetime,
           labels: Labels) -> str:
    """The page, in the language of `labels`; every stored text escaped."""
    _ = labels.text
    parts = [f"<h1>{escape(_(TITLE))}</h1>",
             '<p class="meta">' + escape(_(AS_OF).format(time=_shown(now, policy))) + "</p>"]
    for batch in batches:
        parts.append(f"<section data-batch=\"{escape(batch.batch)}\"><h2>{escape(batch.name)}</h2>")
        if batch.under_notice:
            for notice in batch.under_notice:
                parts.append("<h3>" + escape(_(UNDER_NOTICE)) + "</h3>")
                parts.append('<p class="meta" data-closes="'
                             f'{escape(notice.closes_at.astimezone(policy.zone).isoformat())}">'
                             + escape(_(NOTICE_TIMES).format(
                                 start=_shown(notice.started_at, policy),
                                 closes=_shown(notice.closes_at, policy))) + "</p>")
                parts.append(f'<p class="contact">{escape(notice.contact)}</p>')
                parts.append(_table(notice.projects, policy, labels, "notice"))
        parts.append("<h3>" + escape(_(PUBLISHED)) + "</h3>")
        if batch.published:
            parts.append(_table(batch.published, policy, labels, "published"))
        else:
            parts.append('<p class="meta">' + escape(_(NOTHING_PUBLISHED)) + "</p>")
        parts.append("</section>")
    lang = "zh-CN" if labels.lang == "zh" else "en"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(_(TITLE))}</title><style>{STYLE}</style></head>"
            f"<body>{''.join(parts)}</body></html>")


def _shown(moment: datetime, policy: Policy) -> str:
    local = moment.astimezone(policy.zone)
    return f"{local:%Y-%m-%d %H:%M:%S}"


def _table(projects: Sequence[Announced], policy: Policy, labels: Labels, kind: str) -> str:
    head = "".join(f"<th>{escape(labels.text(c))}</th>" for c in COLUMNS)
    rows = []
    for i, p in enumerate(projects, start=1):
        cells = (str(i), p.title, p.enterprise, p.credit_code, labels.region(p.region, policy),
                 labels.category(p.category, policy))
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return f'<table data-list="{kind}"><tr>{head}</tr>{"".join(rows)}</table>'
