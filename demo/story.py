"""The demo: batch 2020-1 of the 666 programme played from June to November 2020 on a virtual clock.

`run` opens an Engine on a fresh database, plays the timeline that `workflow.demo_plan` scripts
for a seeded mix of projects, and tells what happened through `out`: every refusal, rejection,
withdrawal and batch-wide act on its own line, routine successes as one line a day; then the
funnel against the programme's targets and the published list. The engine's guards decide each
outcome; the script only says who tries what, and when. Nothing reads the wall clock or sleeps.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from accel666 import (
    STATES,
    Actor,
    Engine,
    Escalation,
    InvalidInput,
    NotPermitted,
    Project,
    Refused,
    load_policy,
)
from accel666.demo import data as demo_data
from accel666.demo.plan import BATCH, PASS_MARK, STORY_START, Act, Calendar, plan

MIN_PROJECTS = 16  # one in each region
MAX_PROJECTS = 5000
_ROUTINE = (("dock", "docked"), ("apply", "applied"), ("recommend", "recommended"),
            ("panel", "panels seated"), ("score", "expert scores"),
            ("review", "passed review"), ("sign", "signed"))


@dataclass(frozen=True)
class DemoResult:
    """What a demo run did. The same seed and number of projects give an equal result."""

    seed: int
    projects: int  # projects docked
    states: dict[str, int]  # how many projects ended the run in each state (every state listed)
    reached: dict[str, int]  # the funnel: how many projects ever reached each state
    reached_by_category: dict[str, dict[str, int]]
    published: list[int]  # ids of the published projects, ascending
    refusals: dict[str, int]  # refused or not-permitted attempts, by guard name
    transitions: int  # state changes in the transition log
    extensions: int  # deadline extensions recorded
    escalations: dict[str, int]  # escalations recorded, by "phase L<level>"
    acknowledged: int  # escalations acknowledged by their target
    period: tuple[datetime, datetime]  # the first and the last act on the virtual clock (UTC)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (times as ISO 8601 text)."""
        data = asdict(self)
        data["period"] = [moment.isoformat() for moment in self.period]
        return data


class VirtualClock:
    """The engine's clock in the demo: it tells the story's time and moves only when advanced."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the virtual clock needs an aware start time")
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance_to(self, moment: datetime) -> None:
        if moment < self.moment:
            raise ValueError(f"the virtual clock cannot go back from {self.moment} to {moment}")
        self.moment = moment


def run(
    db_url: str, *, seed: int = 666, projects: int = 100, out: Callable[[str], None] = print
) -> DemoResult:
    """Play batch 2020-1 with `projects` projects drawn from `seed` on the fresh database `db_url`."""
    if isinstance(projects, bool) or not isinstance(projects, int) \
            or not MIN_PROJECTS <= projects <= MAX_PROJECTS:
        raise InvalidInput("projects", f"the demo plays {MIN_PROJECTS} to {MAX_PROJECTS} projects",
                           projects)
    policy = load_policy()
    cal, acts = plan(random.Random(seed), policy, projects)
    clock = VirtualClock(cal.at(STORY_START, 0))
    with Engine(db_url, policy=policy, clock=clock) as engine:
        windows = policy.batches[BATCH].windows.values()
        out(f"accel666 demo: batch {BATCH} ({policy.batches[BATCH].name}), seed {seed}, "
            f"{projects} projects in {len(policy.regions)} regions; China Standard Time (+08:00)")
        out("windows: " + ", ".join(f"{w.phase} {w.opens.isoformat() + '..' if w.opens else 'until '}"
                                    f"{w.closes.isoformat()}" for w in windows))
        story = _Story(engine, cal, out)
        for act in acts:
            clock.advance_to(act.at)
            story.play(act)
        story.flush()
        return _report(engine, out, seed, story, (acts[0].at.astimezone(UTC), clock().astimezone(UTC)))


def _to_the_second(at: datetime) -> str:
    """A moment to the second with its offset, as the story prints times: 2020-10-14 23:59:59
    +08:00."""
    offset = at.strftime("%z")
    return f"{at:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"


class _Story:
    """Plays acts on the engine and narrates them, a day at a time."""

    def __init__(self, engine: Engine, cal: Calendar, out: Callable[[str], None]) -> None:
        self.engine, self.cal, self.out = engine, cal, out
        self.day: date | None = None
        self.routine: Counter[tuple[str, str]] = Counter()
        self.notes: list[str] = []
        self.refusals: Counter[str] = Counter()
        self.extensions = 0
        self.escalated: Counter[str] = Counter()
        self.acknowledged = 0
        self.to_answer: list[Escalation] = []
        self.objections: dict[int, int] = {}  # project id -> its objection's id

    def play(self, act: Act) -> None:
        day = act.at.astimezone(self.cal.zone).date()
        if day != self.day:
            self.flush()
            self.day = day
        if act.cast is not None and act.cast.stopped:
            return
        try:
            outcome = self.fire(act)
        except (Refused, NotPermitted) as exc:
            self.refusals[exc.guard] += 1
            self.note(act, exc.message)
            if act.cast is not None and not act.may_fail:
                act.cast.stopped = True  # the applicant or the bureau gives up
            return
        self.tell(act, outcome)

    def fire(self, act: Act) -> Any:
        e, c, args = self.engine, act.cast, act.args
        if act.event == "extend":
            return e.extend(act.actor, BATCH, phase="recommendation", **args)
        if act.event == "publish_batch":
            return e.publish_batch(act.actor, BATCH)
        if act.event == "notice_start":
            return e.start_notice(act.actor, BATCH)
        if act.event == "escalate":
            run = e.escalate()
            new = [x for x in e.escalations() if run.sweep.recorded_id(x.id)]
            # Bureaus answer the level-1 notices of even-numbered projects; the rest climb.
            self.to_answer = [x for x in new if x.level == 1 and x.project_id % 2 == 0]
            return new
        if act.event == "experts":
            return [e.add_expert(act.actor, key, name=name, unit=unit,
                                 avoid=[] if avoid is None else [avoid])
                    for key, name, unit, avoid in demo_data.EXPERTS]
        if act.event == "ack":
            answered = [e.ack(self._target(x), x.id, "已电话催办, 督促尽快报送") for x in self.to_answer]
            self.to_answer = []
            return answered
        assert c is not None
        if act.event == "dock":
            p = e.dock(act.actor, title=c.title, enterprise=c.enterprise, credit_code=c.code,
                       region=c.region.code, category=c.category, batch=BATCH)
            c.id = p.id
            return p
        assert c.id is not None
        if act.event == "object":
            received = e.object(act.actor, c.id, **args)
            self.objections[c.id] = received.id
            return received
        if act.event == "resolve":
            return e.resolve_objection(act.actor, self.objections[c.id], **args)
        if act.event == "apply":
            content, name = demo_data.document(c.id, c.title, c.enterprise, c.code)
            return e.apply(act.actor, c.id, paper_copies=args["copies"], document=content,
                           document_name=name)
        if act.event == "panel":
            [panel] = e.assign_panel(act.actor, [c.id], args["experts"])
            return panel
        if act.event == "score":
            return e.score(act.actor, c.id, score=args["score"], comment=args["comment"])
        if act.event == "recuse":
            return e.recuse(act.actor, c.id, reason=args["reason"])
        methods: dict[str, Callable[..., Project]] = {
            "recommend": e.recommend, "review": e.review, "sign": e.sign, "reject": e.reject,
            "withdraw": e.withdraw,
        }
        return methods[act.event](act.actor, c.id, **args)

    def tell(self, act: Act, outcome: Any) -> None:
        c, args, role = act.cast, act.args, act.actor.role
        if act.event == "extend":
            self.extensions += 1
            self.note(act, f"deadline extended: the recommendation window of batch {BATCH} now closes "
                           f"at the end of {args['until']} ({args['reason']})")
        elif act.event == "publish_batch":
            self.note(act, f"batch {BATCH} published: {len(outcome)} projects on the list")
        elif act.event == "notice_start":
            closes = outcome.closes_at.astimezone(self.cal.zone)
            self.note(act, f"public notice (公示) of batch {BATCH}: {len(outcome.projects)} "
                           f"reviewed projects announced; objections in writing until "
                           f"{_to_the_second(closes)} ({self.engine.policy.notice.working_days} "
                           "working days: the National Day holiday does not count)")
        elif act.event == "escalate":
            if outcome:
                rungs = Counter(f"{x.phase} L{x.level}" for x in outcome)
                self.escalated.update(rungs)
                lapsed = sum(x.lapsed for x in outcome)
                self.note(act, f"overdue sweep: {len(outcome)} escalated ("
                          + ", ".join(f"{k} ×{n}" for k, n in sorted(rungs.items())) + ")"
                          + (f"; {lapsed} lapsed for the province to decide" if lapsed else ""))
        elif act.event == "ack":
            if outcome:
                self.acknowledged += len(outcome)
                bureaus = Counter(x.acked_by for x in outcome)
                self.note(act, f"acknowledged {len(outcome)} level-1 escalations ("
                          + ", ".join(f"{b} {n}" for b, n in sorted(bureaus.items())) + ")")
        elif act.event == "experts":
            avoiding = sum(x.avoid != () for x in outcome)
            self.note(act, f"expert registry: the province adds {len(outcome)} experts "
                           f"({', '.join(x.name for x in outcome)}); {avoiding} must avoid "
                           "the projects of their own city")
        elif c is None:
            raise AssertionError(f"{act.event} without a project")
        elif act.event == "object":
            who = args["name"] if args["unit"] is None else f"{args['name']} ({args['unit']})"
            self.note(act, f"objection {outcome.id} received from {who}: {args['text']}")
            return
        elif act.event == "resolve":
            resolved, rejected = outcome
            then = "; the project is rejected" if rejected is not None else ""
            self.note(act, f"objection {resolved.id} {resolved.outcome}: {args['reason']}{then}")
            if rejected is not None:
                c.state = rejected.state
            return
        elif act.event == "recuse":
            self.note(act, f"expert {act.actor.name} ({args['expert']}) recuses from the panel: "
                           f"{args['reason']}")
            return
        elif act.event == "panel" and "replacing" in args:
            self.note(act, f"panel: {args['experts'][0]} seated in place of "
                           f"{args['replacing']}, {len(outcome.experts)} experts again")
            return
        elif act.event in ("panel", "score"):
            self.routine[act.event, role] += 1
            return
        elif act.event == "review" and outcome.state == "rejected":
            score = self.engine.history(outcome.id)[-1].payload.get("score")
            self.note(act, f"review failed: the panel's score {score:g}, below the pass mark "
                           f"{PASS_MARK}")
        elif act.event == "reject":
            verb = f"declined by the {c.region.name} bureau" if role == "city" else "rejected by the province"
            self.note(act, f"{verb}: {args['reason']}")
        elif act.event == "withdraw":
            self.note(act, f"withdrawn by the enterprise while {c.state}: {args['reason']}")
        else:
            self.routine[act.event, role] += 1
        if c is not None:
            c.state = outcome.state

    def _target(self, x: Escalation) -> Actor:
        """Whoever an escalation is addressed to, answering it."""
        if x.target_role == "city" and x.target_scope is not None:
            region = self.engine.policy.regions[x.target_scope]
            return Actor(f"{region.name}工信局", "city", region.code)
        return Actor("省工信厅两化融合推进处", x.target_role)

    def note(self, act: Act, text: str) -> None:
        local = act.at.astimezone(self.cal.zone)
        offset = local.strftime("%z")
        c = act.cast
        who = "" if c is None else f"  (#{c.id} {c.enterprise})" if c.id else f"  ({c.enterprise})"
        self.notes.append(f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}  {text}{who}")

    def flush(self) -> None:
        """Tell the day: its routine successes in one line, then each notable act."""
        parts = []
        for event, label in _ROUTINE:
            roles = {role: n for (ev, role), n in sorted(self.routine.items()) if ev == event}
            if roles:
                split = f" ({', '.join(f'{r} {n}' for r, n in roles.items())})" \
                    if event in ("dock", "sign") else ""
                parts.append(f"{label} {sum(roles.values())}{split}")
        if parts and self.day is not None:
            self.out(f"{self.day.isoformat():<23}  {'; '.join(parts)}")
        for line in self.notes:
            self.out(line)
        self.routine.clear()
        self.notes.clear()


def _report(engine: Engine, out: Callable[[str], None], seed: int, story: _Story,
            period: tuple[datetime, datetime]) -> DemoResult:
    """Print the funnel and the published list from the database, and sum the run up."""
    policy = engine.policy
    categories = list(policy.categories)
    rows = engine.projects(batch=BATCH)
    reached = {k: Counter[str]() for k in ["all", *categories]}
    transitions = 0
    for p in rows:
        history = engine.history(p.id)
        transitions += len(history)
        for state in dict.fromkeys(t.to_state for t in history):
            reached["all"][state] += 1
            reached[p.category][state] += 1
    ended = Counter(p.state for p in rows)
    out("")
    out(f"funnel of batch {BATCH}: projects that reached each state")
    out(f"{'state':<12}" + "".join(f"{k:>12}" for k in reached))
    for state in STATES:
        out(f"{state:<12}" + "".join(f"{reached[k][state]:>12}" for k in reached))
    out(f"{'target':<12}{'':>12}" + "".join(f"{policy.categories[k].target:>12}" for k in categories)
        + f"   (all batches, by {policy.targets_by})")
    out("ended in: " + ", ".join(f"{s} {ended[s]}" for s in STATES if ended[s]) + f" ({len(rows)} projects)")
    out("refusals by guard: " + (", ".join(f"{g} {n}" for g, n in sorted(story.refusals.items())) or "none")
        + f"; transitions logged: {transitions}; deadline extensions: {story.extensions}")
    out("escalations: " + (", ".join(f"{k} {n}" for k, n in sorted(story.escalated.items()))
                           or "none") + f"; acknowledged {story.acknowledged}")
    published = [p for p in rows if p.state == "published"]
    out("")
    out(f"published list of batch {BATCH} ({len(published)} projects)")
    out(f"{'#':>5}  {_pad('enterprise', 36)}  {_pad('region', 10)}  category")
    for p in published:
        out(f"{p.id:>5}  {_pad(p.enterprise, 36)}  {_pad(policy.regions[p.region].name, 10)}  {p.category}")
    return DemoResult(
        seed=seed, projects=len(rows), states={s: ended[s] for s in STATES},
        reached={s: reached["all"][s] for s in STATES},
        reached_by_category={k: {s: reached[k][s] for s in STATES} for k in categories},
        published=[p.id for p in published], refusals=dict(sorted(story.refusals.items())),
        transitions=transitions, extensions=story.extensions, period=period,
        escalations=dict(sorted(story.escalated.items())), acknowledged=story.acknowledged,
    )


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (CJK characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)
