"""The programme as frozen values. Built by `policies.loader`, read by everyone else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SCOPES = ("none", "region", "enterprise", "expert")
# What a role may read ([reads]): every project, those of its region, its enterprise's own, or
# (an expert) those on its panels.
REACHES = ("all", "region", "own", "panel")
# The reach a role has when [reads] does not name it: what its scope lets it act on.
IMPLIED_REACH = {"none": "all", "region": "region", "enterprise": "own", "expert": "panel"}
# How a panel's scores make one ([review] aggregate).
AGGREGATES = ("mean", "trimmed_mean")
RESPONSIBLE = "responsible"  # a ladder target meaning: the role responsible for the phase


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    key: str


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    english: str
    target: int


@dataclass(frozen=True)
class Role:
    key: str
    scope: str  # one of SCOPES


@dataclass(frozen=True)
class Grant:
    """One line of the permission table: `role` may fire the event, from `sources` if given."""

    role: str
    sources: frozenset[str] | None = None


@dataclass(frozen=True)
class Materials:
    min_paper_copies: int
    electronic_documents: int
    max_document_bytes: int


@dataclass(frozen=True)
class Window:
    """A phase window from `opens` (inclusive) to the end of day `closes`, in `zone`."""

    phase: str
    opens: date | None
    closes: date
    zone: ZoneInfo

    @property
    def opens_at(self) -> datetime | None:
        return None if self.opens is None else start_of_day(self.opens, self.zone)

    @property
    def closes_at(self) -> datetime:
        """The first instant after the window: 00:00 of the day after `closes`."""
        return start_of_day(self.closes + timedelta(days=1), self.zone)


@dataclass(frozen=True)
class Batch:
    key: str
    name: str
    windows: dict[str, Window]
    windows_out_of_order: bool = False  # a later phase may close before an earlier one


@dataclass(frozen=True)
class Level:
    """One rung of the escalation ladder: due `delay_days` after the window closes."""

    level: int
    delay_days: int
    target: str  # a role key, or RESPONSIBLE
    lapses: bool = False

    @property
    def delay(self) -> timedelta:
        return timedelta(days=self.delay_days)


@dataclass(frozen=True)
class OverdueRule:
    """Which states are overdue once the window of `phase` closes, and who answers for them."""

    phase: str
    states: tuple[str, ...]
    responsible: str  # a role key


@dataclass(frozen=True)
class Ladder:
    """The escalation ladder: rules per phase, levels in ascending order, delivery settings."""

    phases: dict[str, OverdueRule] = field(default_factory=dict)
    levels: tuple[Level, ...] = ()
    ack_stops_ladder: bool = True
    supervisor: str = "province"
    webhook: str | None = None
    webhook_timeout_seconds: float = 10.0
    max_attempts: int = 5
    backoff_seconds: int = 60
    backoff_max_seconds: int = 21_600


# How the builtin [notice] tells the public to object (policy `[notice] contact`).
CONTACT = ("公示期内，对公示项目有异议的单位或个人，请以书面形式向江苏省工业和信息化厅两化融合推进处"
           "反映，并署真实姓名（单位须加盖公章）；匿名或逾期的异议不予受理。")
# The events a notice may hold back until it closes with no objection open.
GATEABLE = ("sign", "publish")


@dataclass(frozen=True)
class NoticeRule:
    """The public notice (公示) of a batch's reviewed projects: it runs `working_days` working
    days after the day it starts; each event of `gates` waits for it to close with no objection
    open; `contact` tells the public how to object. A policy without a [notice] table gates
    nothing (`NOTICE_OFF`)."""

    working_days: int = 5
    gates: tuple[str, ...] = ("sign",)
    contact: str = CONTACT


NOTICE_OFF = NoticeRule(gates=())


@dataclass(frozen=True)
class WorkCalendar:
    """The policy's own calendar of working days ([calendar]): statutory holidays and
    adjusted working days (调休) for the years it names; a year it names is decided by it
    alone (any other day: Monday to Friday work, weekends off)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    @property
    def years(self) -> frozenset[int]:
        return frozenset(d.year for d in self.holidays | self.workdays)


@dataclass(frozen=True)
class Review:
    """The expert review ([review]): experts per panel, how many must score before the
    province decides, the mark a project passes at, and how the scores make one. A panel of
    0 is the province reviewing alone, its score agreeing with its verdict."""

    panel_size: int = 5
    quorum: int = 3
    pass_mark: int = 70
    aggregate: str = "trimmed_mean"  # one of AGGREGATES


@dataclass(frozen=True)
class Policy:
    """The programme as loaded from its policy file: calendar, rules, regions, roles, ladder."""

    zone: ZoneInfo
    targets_by: date
    materials: Materials
    categories: dict[str, Category]
    regions: dict[str, Region]  # by code
    roles: dict[str, Role]
    permissions: dict[str, tuple[Grant, ...]]  # every act, () for one nobody may do
    batches: dict[str, Batch]
    source: str = field(default="", compare=False)
    escalation: Ladder = field(default_factory=Ladder)  # no [escalation] table: nothing escalates
    province: str = "320000"  # the province's own division code (GB/T 2260)
    # How long after a window closed an extension may still reopen it without an override.
    reopen_within_days: int = 30
    # Each role's reach over projects (one of REACHES); a role it leaves out reads as its
    # scope implies (IMPLIED_REACH).
    reads: dict[str, str] = field(default_factory=dict)
    # The public notice before signing ([notice]; none gates nothing) and the working days it
    # counts that the policy itself knows ([calendar]).
    notice: NoticeRule = NOTICE_OFF
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    # The expert review; None (no [review] table) is the province reviewing alone, as before
    # panels existed: no panel, and a score that need not agree with the verdict.
    review: Review | None = None


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)  # midnight
