"""The names a bureau's sheet gives its columns and its categories: the headings each field is
found under (in Chinese or English, as the bureaus write them), the row that holds them below
any title rows, and the usual short names of the categories.

Headings are compared folded: Unicode NFKC (full-width brackets become ASCII), no case, no
spaces, underscores or hyphens; a heading with a note in brackets (企业名称(申报单位)) is
known by its words outside the brackets or inside them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Each field and the headings that name it, the first of each language shown in messages.
HEADINGS: dict[str, tuple[str, ...]] = {
    "title": ("title", "项目名称", "project", "project name", "project title", "项目",
              "申报项目", "申报项目名称"),
    "enterprise": ("enterprise", "企业名称", "申报单位", "申报企业", "单位名称", "企业",
                   "company", "applicant", "enterprise name"),
    "credit_code": ("credit_code", "统一社会信用代码", "credit code",
                    "社会信用代码", "信用代码", "uscc", "unified social credit code"),
    "region": ("region", "地区", "所属地区", "所在地区", "所属地市", "所在地市", "地市",
               "设区市", "城市", "city"),
    "category": ("category", "类别", "项目类别", "申报类别", "类型", "项目类型", "申报方向",
                 "type"),
}
# The usual short names of the builtin categories, beside each category's key, Chinese and
# English names from the policy.
CATEGORY_NAMES: dict[str, tuple[str, ...]] = {
    "cloud-base": ("云基地", "工业互联网云基地", "省级工业互联网云服务中心", "云服务中心"),
    "backbone": ("骨干企业", "服务骨干企业", "工业互联网服务骨干企业", "骨干"),
    "demo": ("示范企业", "上云上平台示范企业", "示范", "上云企业"),
}
# Title rows a sheet may have above its headings: the headings are looked for in its first
# rows that hold anything.
SEARCHED_ROWS = 10
# A row is the heading row when it names this many of the fields.
NAMES_AT_LEAST = 3

_SQUEEZE = re.compile(r"[\s_\-]+")
_BRACKETED = re.compile(r"^(.*?)\((.*)\)$")


def folded(heading: str) -> str:
    """A heading as it is compared."""
    return _SQUEEZE.sub("", unicodedata.normalize("NFKC", heading).strip().lower())


_FIELDS = {folded(h): field for field, names in HEADINGS.items() for h in names}


def field_of(heading: str) -> str | None:
    """The field a heading names, or None (a column of the bureau's own)."""
    text = folded(heading)
    if text in _FIELDS:
        return _FIELDS[text]
    bracketed = _BRACKETED.match(text)
    if bracketed is None:
        return None
    outside, inside = bracketed.groups()
    return _FIELDS.get(outside) or _FIELDS.get(inside)


def is_heading_row(cells: Sequence[str]) -> bool:
    """Does this row name enough of the fields to be the headings?"""
    return len({f for c in cells if (f := field_of(c)) is not None}) >= NAMES_AT_LEAST


def shown(field: str) -> str:
    """A field as a message names it: its English and its first Chinese heading."""
    chinese = next(h for h in HEADINGS[field] if not h.isascii())
    return f"{field} ({chinese})"
