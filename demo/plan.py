"""The demo's script: who does what to which project, and when, for batch 2020-1.

`plan` casts the projects (region, category, enterprise, fate) and writes a timeline of dated acts
from the batch's calendar in the policy. Nothing here touches the engine: `workflow.demo` plays
the timeline on a virtual clock, and the engine's guards decide what actually happens.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accel666 import Actor
from accel666.demo import data as demo_data
from accel666.policies import Policy, Region

BATCH = "2020-1"
PASS_MARK = 70  # an expert score of at least this passes the review (the policy's pass_mark)
PANEL = 5  # experts on each project's panel (the policy's panel_size)
STORY_START = date(2020, 6, 1)
TENCENT = Actor("腾讯云对接团队", "tencent")
PROVINCE = Actor("省工信厅两化融合推进处", "province")
_PILOT_PARENT = {"320583": "320500", "321283": "321200", "321322": "321300"}
# (fate, share of the projects, at least): what happens to a project besides the plain path.
_FATES: tuple[tuple[str, float, int], ...] = (
    ("late_apply", 0.05, 1), ("materials", 0.04, 1), ("materials_late", 0.01, 0),
    ("withdrawn", 0.07, 1), ("declined", 0.07, 1), ("late_recommend", 0.02, 1),
    ("province_reject", 0.02, 0), ("review_fail", 0.12, 1), ("missed_signing", 0.0, 1),
    ("objection_dismissed", 0.0, 1), ("objection_upheld", 0.0, 1),
)
# Fates in which the project's bureau recommends it.
_RECOMMENDED = ("normal", "materials", "review_fail", "missed_signing", "province_reject",
                "objection_dismissed", "objection_upheld")
# The objections to the public notice: who writes, under which seal, what; and the resolution.
OBJECTIONS: dict[str, tuple[dict[str, Any], str, str]] = {
    "objection_dismissed": ({"name": "王某某", "unit": None,
                             "text": "该企业申报的上云设备数量与实际不符"},
                            "dismissed", "经核查，设备清单与现场一致，异议不成立"),
    "objection_upheld": ({"name": "李某某", "unit": "某某信息技术有限公司",
                          "text": "该项目申报材料中的平台案例系抄袭本单位成果"},
                         "upheld", "经核查，申报案例与异议单位成果雷同，取消入选资格"),
}


@dataclass
class Cast:
    """One project of the story (or the one enterprise that comes too late to be docked)."""

    region: Region
    category: str
    fate: str
    enterprise: str
    title: str
    code: str
    id: int | None = None  # given by the engine at docking
    state: str | None = None
    stopped: bool = False  # a refusal ended its story

    def actor(self) -> Actor:
        return Actor(self.enterprise, "enterprise", self.code)

    def bureau(self, region: Region | None = None) -> Actor:
        """The city bureau of the project's region, or of another `region`."""
        r = region or self.region
        return Actor(f"{r.name}工信局", "city", r.code)


@dataclass(frozen=True)
class Act:
    """One dated attempt. `may_fail`: a refusal does not end the project's story."""

    at: datetime
    order: int
    event: str
    actor: Actor
    cast: Cast | None
    args: dict[str, Any] = field(default_factory=dict)
    may_fail: bool = False


@dataclass(frozen=True)
class Calendar:
    """The story's dates, from the batch's windows in the policy."""

    zone: ZoneInfo
    dock_end: date
    apply_end: date
    rec_end: date
    extended_to: date  # the one recorded extension of the recommendation window
    review_days: tuple[date, ...]
    notice: date  # the public notice starts the day the review window closes
    ceremony: date
    publication: date
    epilogue: date

    @classmethod
    def of(cls, policy: Policy) -> Calendar:
        w = policy.batches[BATCH].windows
        rec_end = w["recommendation"].closes
        extended_to = rec_end + timedelta(days=3)
        review_days = tuple(_days(extended_to + timedelta(days=5), w["review"].closes - timedelta(days=6)))
        ceremony = (w["signing"].opens or w["review"].closes + timedelta(days=1)) + timedelta(days=15)
        return cls(policy.zone, w["docking"].closes, w["application"].closes, rec_end, extended_to,
                   review_days, w["review"].closes, ceremony, ceremony + timedelta(days=10),
                   w["signing"].closes + timedelta(days=4))

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)


def _days(start: date, end: date, workdays: bool = True) -> list[date]:
    """The days from start to end inclusive; only Monday to Friday if there are any."""
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    work = [d for d in days if d.weekday() < 5]
    return work if workdays and work else days


def _pick(rng: random.Random, start: date, end: date, workdays: bool = True) -> date:
    return rng.choice(_days(start, max(start, end), workdays))


class _Script:
    def __init__(self, rng: random.Random, cal: Calendar) -> None:
        self.rng, self.cal = rng, cal
        self.acts: list[Act] = []
        self.last: dict[int, datetime] = {}  # the latest act of each project, by id(cast)
        self.recused = False  # the story's one recusal has been scripted

    def when(self, day: date) -> datetime:
        """A moment in office hours on `day`."""
        minute = self.rng.randint(9 * 60, 17 * 60 + 30)
        return self.cal.at(day, minute // 60, minute % 60)

    def add(self, at: datetime, event: str, actor: Actor, cast: Cast | None, *,
            may_fail: bool = False, **args: Any) -> datetime:
        if cast is not None:
            if at <= self.last.get(id(cast), at - timedelta(seconds=1)):
                raise AssertionError(f"the script has {event} at {at} before an earlier act")
            self.last[id(cast)] = at
        self.acts.append(Act(at, len(self.acts), event, actor, cast, args, may_fail))
        return at

    def panel(self, cast: Cast, recommended: datetime, reviewed: datetime, fail: bool) -> None:
        """The province seats five experts who may review the project three days before its
        review; each scores it the day before, the panel's trimmed mean on the side of the
        pass mark its fate says. The story's first panel has one recusal and a replacement."""
        rng, cal = self.rng, self.cal
        eligible = [e for e in demo_data.EXPERTS if e[3] != cast.region.code]
        chosen = rng.sample(eligible, PANEL)
        seated = self.when(max(recommended.date() + timedelta(days=1),
                               reviewed.date() - timedelta(days=3)))
        self.add(seated, "panel", PROVINCE, cast, experts=[e[0] for e in chosen])
        spare = [e for e in eligible if e not in chosen]
        if not self.recused and spare:
            self.recused = True
            gone, other = chosen[-1], spare[0]
            self.add(cal.at(seated.date(), 17, 45), "recuse", expert_actor(gone), cast,
                     reason=demo_data.RECUSAL_REASON, expert=gone[0])
            self.add(cal.at(seated.date() + timedelta(days=1), 9, 15), "panel", PROVINCE, cast,
                     experts=[other[0]], replacing=gone[0])
            chosen = [*chosen[:-1], other]
        scores = _scores(rng, fail)
        day = reviewed.date() - timedelta(days=1)
        minutes = sorted(rng.sample(range(9 * 60, 18 * 60), PANEL))
        for expert, score, minute in zip(chosen, scores, minutes, strict=True):
            self.add(cal.at(day, minute // 60, minute % 60), "score", expert_actor(expert), cast,
                     score=score, comment=rng.choice(demo_data.COMMENTS))

    def withdraw(self, cast: Cast, after: datetime, lo: int, hi: int) -> None:
        day = _pick(self.rng, after.date() + timedelta(days=lo), after.date() + timedelta(days=hi))
        self.add(self.when(day), "withdraw", cast.actor(), cast,
                 reason=self.rng.choice(demo_data.WITHDRAW_REASONS))

    def project(self, cast: Cast, docked: datetime, late_region: str, intruder: Region | None) -> None:
        """The acts of one project after its docking, as its fate has it.

        `late_region`'s bureau recommends during the extension; `intruder`, if given, is another
        region whose bureau tries to recommend this project first.
        """
        rng, cal, fate = self.rng, self.cal, cast.fate
        stage = rng.choice(("docked", "applied", "recommended", "reviewed")) if fate == "withdrawn" else ""
        if fate == "withdrawn" and stage == "docked":
            self.withdraw(cast, docked, 3, 30)
            return
        day0 = max(docked.date() + timedelta(days=5), cal.dock_end - timedelta(days=14))
        if fate == "late_apply":
            late = _pick(rng, cal.apply_end + timedelta(days=1), cal.apply_end + timedelta(days=5))
            self.add(self.when(late), "apply", cast.actor(), cast, copies=2)
            return
        if fate in ("materials", "materials_late"):
            first = (_pick(rng, day0, cal.apply_end - timedelta(days=10)) if fate == "materials"
                     else _pick(rng, cal.apply_end - timedelta(days=3), cal.apply_end - timedelta(days=1)))
            self.add(self.when(first), "apply", cast.actor(), cast, may_fail=True, copies=1)
            if fate == "materials_late":  # refiled with two copies, but too late
                self.add(self.when(cal.apply_end + timedelta(days=1)), "apply", cast.actor(), cast, copies=2)
                return
            day0 = first + timedelta(days=rng.randint(3, 7))
        applied = self.add(self.when(_pick(rng, day0, max(day0, cal.apply_end - timedelta(days=1)))),
                           "apply", cast.actor(), cast, copies=2)
        if fate == "withdrawn" and stage == "applied":
            self.withdraw(cast, applied, 2, 8)
            return
        if fate == "declined":
            day = _pick(rng, applied.date() + timedelta(days=2), cal.rec_end)
            self.add(self.when(day), "reject", cast.bureau(), cast,
                     reason=rng.choice(demo_data.DECLINE_REASONS))
            return
        if fate == "late_recommend":
            day = _pick(rng, cal.extended_to + timedelta(days=1), cal.extended_to + timedelta(days=3))
        elif cast.region.code == late_region:
            day = _pick(rng, cal.rec_end + timedelta(days=1), cal.extended_to, workdays=False)
        else:
            start = applied.date() + timedelta(days=1)
            day = _pick(rng, start, min(start + timedelta(days=12), cal.rec_end))
        recommended = self.when(day)
        if intruder is not None:
            self.add(recommended - timedelta(hours=2), "recommend", cast.bureau(intruder), cast,
                     may_fail=True, opinion="同意推荐")
        self.add(recommended, "recommend", cast.bureau(), cast,
                 opinion=rng.choice(demo_data.OPINIONS))
        if fate == "withdrawn" and stage == "recommended":
            self.withdraw(cast, recommended, 1, 4)
            return
        days = cal.review_days  # expert panels: cloud bases first, then backbone, then the rest
        panel = {"cloud-base": days[:1], "backbone": days[:3]}.get(cast.category, days[2:])
        reviewed = self.when(rng.choice(panel))
        if fate == "province_reject":
            self.add(reviewed, "reject", PROVINCE, cast,
                     reason=rng.choice(demo_data.PROVINCE_REJECT_REASONS))
            return
        fail = fate == "review_fail"
        self.panel(cast, recommended, reviewed, fail)
        self.add(reviewed, "review", PROVINCE, cast)
        if fail:
            return
        if fate == "withdrawn":
            self.withdraw(cast, reviewed, 3, 15)
            return
        if fate in OBJECTIONS:  # received during the notice, resolved before it closes
            said, outcome, reason = OBJECTIONS[fate]
            self.add(cal.at(cal.notice + timedelta(days=9), 15), "object", PROVINCE, cast, **said)
            self.add(cal.at(cal.notice + timedelta(days=13), 16), "resolve", PROVINCE, cast,
                     outcome=outcome, reason=reason)
            if outcome == "upheld":
                return
        if fate == "missed_signing":
            self.add(cal.at(cal.epilogue, 10, 30), "sign", TENCENT, cast)
            return
        signer = TENCENT if cast.category == "demo" else PROVINCE
        self.add(cal.at(cal.ceremony, 10) + timedelta(minutes=rng.randint(0, 150)), "sign", signer, cast)


def expert_actor(expert: tuple[str, str, str, str | None]) -> Actor:
    """An expert of the registry acting: its name, as `expert:KEY`."""
    return Actor(expert[1], "expert", expert[0])


def _scores(rng: random.Random, fail: bool) -> list[int]:
    """Five scores whose trimmed mean (one highest and one lowest dropped) is below the pass
    mark when the project is to fail, at or above it otherwise."""
    centre = rng.randint(50, PASS_MARK - 3) if fail else rng.randint(PASS_MARK + 2, 92)
    scores = [max(0, min(100, centre + rng.randint(-8, 8))) for _ in range(PANEL)]
    while (sum(sorted(scores)[1:-1]) / (PANEL - 2) >= PASS_MARK) != (not fail):
        scores = [max(0, min(100, s + (-1 if fail else 1))) for s in scores]
    return scores


def _cast(rng: random.Random, policy: Policy, n: int) -> list[Cast]:
    """`n` projects over all regions and categories, each with its own enterprise and fate."""
    regions = list(policy.regions.values())
    order = [r.code for r in regions]
    rng.shuffle(order)
    weights = [demo_data.REGION_WEIGHTS.get(r.code, 1) for r in regions]
    order += [r.code for r in rng.choices(regions, weights, k=n - len(regions))]
    cloud, backbone = max(1, round(n * 0.03)), max(1, round(n * 0.2))
    categories = ["cloud-base"] * cloud + ["backbone"] * backbone + ["demo"] * (n - cloud - backbone)
    must = [f for f, _, least in _FATES for _ in range(least)]
    more = [f for f, share, least in _FATES
            for _ in range(sum(rng.random() < share for _ in range(n)) - least)]
    fates = must + more[:max(0, n * 6 // 10 - len(must))]  # at least 40% take the plain way
    fates += ["normal"] * (n - len(fates))
    rng.shuffle(categories)
    rng.shuffle(fates)
    names: set[str] = set()
    codes: set[str] = set()
    cast = []
    for code, category, fate in zip(order, categories, fates, strict=True):
        region = policy.regions[code]
        name = demo_data.enterprise_name(rng, region.name, category)
        while name in names:
            name = demo_data.enterprise_name(rng, region.name, category)
        credit = demo_data.credit_code(rng, code)
        while credit in codes:
            credit = demo_data.credit_code(rng, code)
        names.add(name)
        codes.add(credit)
        cast.append(Cast(region, category, fate, name, demo_data.project_title(rng, region.name, category),
                         credit))
    return cast


def plan(rng: random.Random, policy: Policy, n: int) -> tuple[Calendar, list[Act]]:
    """The calendar, and every act of the story about `n` projects in the order they happen."""
    cal = Calendar.of(policy)
    cast = _cast(rng, policy, n)
    script = _Script(rng, cal)
    script.add(cal.at(STORY_START, 8, 30), "experts", PROVINCE, None)  # the registry first
    late_region = rng.choice([c for c in policy.regions if c not in _PILOT_PARENT])
    pilots = [c for c in cast if c.region.code in _PILOT_PARENT and c.fate in _RECOMMENDED]
    for i, c in enumerate(cast):
        day = STORY_START if i == 0 else _pick(rng, STORY_START, cal.dock_end)
        docked = cal.at(day, 9) if i == 0 else script.when(day)  # the story opens at 09:00
        by = TENCENT if i == 0 or rng.random() < 0.5 else c.bureau()
        script.add(docked, "dock", by, c)
        intruder = policy.regions[_PILOT_PARENT[c.region.code]] if pilots and c is pilots[0] else None
        script.project(c, docked, late_region, intruder)
    region = policy.regions[late_region]
    script.add(cal.at(cal.rec_end - timedelta(days=3), 16), "extend", PROVINCE, None,
               until=cal.extended_to,
               reason=f"应{region.name}工信局申请(汛期防汛任务重),推荐意见报送截止顺延至{cal.extended_to}")
    script.add(cal.at(cal.notice, 10), "notice_start", PROVINCE, None)
    script.add(cal.at(cal.publication, 10), "publish_batch", PROVINCE, None)
    # A cron job sweeps for overdue projects every morning from the first closed deadline on;
    # later each morning the bureaus answer the level-1 notices they choose to answer.
    for day in _days(cal.apply_end + timedelta(days=1), cal.epilogue + timedelta(days=8),
                     workdays=False):
        script.add(cal.at(day, 8), "escalate", PROVINCE, None)
        script.add(cal.at(day, 11), "ack", PROVINCE, None)
    latecomer = policy.regions[rng.choice(list(policy.regions))]
    extra = Cast(latecomer, "demo", "late_dock", demo_data.enterprise_name(rng, latecomer.name, "demo"),
                 demo_data.project_title(rng, latecomer.name, "demo"),
                 demo_data.credit_code(rng, latecomer.code))
    script.add(cal.at(cal.dock_end + timedelta(days=1), 10, 30), "dock", extra.bureau(), extra)
    keeper = next(c for c in cast if c.fate == "normal")
    script.add(cal.at(cal.epilogue + timedelta(days=8), 15), "withdraw", keeper.actor(), keeper,
               may_fail=True, reason="企业被并购,申请撤回")
    return cal, sorted(script.acts, key=lambda a: (a.at, a.order))
