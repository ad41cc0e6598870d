"""What every transition benchmark does: projects of batch 2020-1 through the whole lifecycle.

The engine runs and the bare-driver floors share these values, so both write the same rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from accel666.policies import Policy, parse
from accel666.policies.credit_code import check_character, org_check_character

CST = ZoneInfo("Asia/Shanghai")
BATCH = "2020-1"
REGION = "suzhou"
REGION_CODE = "320500"
CATEGORY = "demo"
DOCUMENT = (b"%PDF-1.4 accel666 bench application " * 60)[:2048]
DOCUMENT_NAME = "application.pdf"
DOCUMENT_SHA256 = hashlib.sha256(DOCUMENT).hexdigest()
OPINION = "同意推荐"
SCORE = 90


def cst(year: int, month: int, day: int, hour: int) -> datetime:
    """A moment given in China time, as the aware UTC datetime the engine stores."""
    return datetime(year, month, day, hour, tzinfo=CST).astimezone(UTC)


@dataclass(frozen=True)
class Step:
    event: str
    source: str | None
    dest: str
    at: datetime  # inside the event's window of batch 2020-1


STEPS: tuple[Step, ...] = (
    Step("dock", None, "docked", cst(2020, 7, 1, 10)),
    Step("apply", "docked", "applied", cst(2020, 7, 1, 11)),
    Step("recommend", "applied", "recommended", cst(2020, 7, 1, 12)),
    Step("review", "recommended", "reviewed", cst(2020, 9, 1, 10)),
    Step("sign", "reviewed", "signed", cst(2020, 10, 5, 10)),
    Step("publish", "signed", "published", cst(2020, 10, 5, 11)),
)
PER_PROJECT = len(STEPS)


def policy() -> Policy:
    """The built-in programme with the province reviewing alone (a panel of 0, its score of
    SCORE agreeing with its pass) and no public notice before signing: the benchmarks measure
    the lifecycle's path, and the floor writes the rows such a review writes."""
    return parse('extends = "builtin"\n\n[review]\npanel_size = 0\n\n[notice]\ngates = ""\n',
                 source="<bench: the built-in programme, the province reviewing alone>")


def payload(event: str) -> dict[str, Any]:
    """The transition-log payload the engine records for `event` in this plan."""
    if event == "apply":
        return {"paper_copies": 2, "document": DOCUMENT_NAME, "sha256": DOCUMENT_SHA256,
                "size": len(DOCUMENT)}
    if event == "recommend":
        return {"opinion": OPINION}
    if event == "review":
        return {"score": SCORE, "verdict": "pass"}
    return {}


def credit_code(n: int) -> str:
    """A valid credit code (both check characters right), distinct for each n < 10**8."""
    org8 = f"{n:08d}"
    first17 = "91" + REGION_CODE + org8 + org_check_character(org8)
    return first17 + check_character(first17)


def credit_codes(start: int, count: int) -> list[str]:
    return [credit_code(n) for n in range(start, start + count)]


def title(code: str) -> str:
    return f"加速器上云项目 {code[8:16]}"


def enterprise(code: str) -> str:
    return f"苏州某某科技有限公司 {code[8:16]}"


class Clock:
    """The engine's injectable clock, moved by the driver to each step's moment."""

    def __init__(self, moment: datetime = STEPS[0].at) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

