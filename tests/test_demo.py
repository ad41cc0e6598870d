"""The demo simulation (`workflow.demo.run`): deterministic, complete, and true to the engine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from accel666 import STATES, Engine, InvalidInput, load_policy
from accel666.demo.story import DemoResult, run
from tests.credit_reference import reference_check, reference_org_check

CST = ZoneInfo("Asia/Shanghai")
LIFECYCLE = ["dock", "apply", "recommend", "review", "sign", "publish"]


@dataclass(frozen=True)
class Played:
    url: str
    lines: list[str]
    result: DemoResult


def play(path: Path, seed: int = 666, projects: int = 100) -> Played:
    lines: list[str] = []
    url = f"sqlite:///{path}"
    result = run(url, seed=seed, projects=projects, out=lines.append)
    return Played(url, lines, result)


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    """The default demo (seed 666, 100 projects), played once for the module."""
    return play(tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.fixture
def engine(played: Played) -> Iterator[Engine]:
    eng = Engine(played.url, clock=lambda: datetime(2020, 12, 1, tzinfo=UTC))
    try:
        yield eng
    finally:
        eng.close()


def test_same_seed_gives_the_same_lines_and_result(played: Played, tmp_path: Path) -> None:
    again = play(tmp_path / "again.db")
    assert again.lines == played.lines
    assert again.result == played.result


def test_another_seed_gives_another_story(played: Played, tmp_path: Path) -> None:
    other = play(tmp_path / "other.db", seed=667)
    assert other.lines != played.lines
    assert other.result.published != played.result.published
    assert other.result != played.result


def test_every_region_and_category_takes_part(engine: Engine) -> None:
    projects = engine.projects()
    assert {p.region for p in projects} == set(load_policy().regions)
    per_category = Counter(p.category for p in projects)
    assert set(per_category) == {"cloud-base", "backbone", "demo"}
    assert per_category["cloud-base"] < per_category["backbone"] < per_category["demo"]


def test_enterprises_have_distinct_valid_credit_codes_of_their_region(engine: Engine) -> None:
    projects = engine.projects()
    codes = [p.credit_code for p in projects]
    assert len(set(codes)) == len(codes)
    assert len({p.enterprise for p in projects}) == len(projects)
    for p in projects:
        code = p.credit_code
        assert (code[16], code[17]) == (reference_org_check(code[8:16]),
                                        reference_check(code[:17])), code
        assert p.credit_code[2:8] == p.region


def test_refusals_rejections_and_withdrawals_happen_and_are_told(played: Played) -> None:
    result, text = played.result, "\n".join(played.lines)
    assert result.refusals["window"] >= 1
    assert result.refusals["materials"] >= 1
    assert result.reached["rejected"] >= 1
    assert result.reached["withdrawn"] >= 1
    assert ("apply refused: the application window of batch 2020-1 closed at "
            "2020-08-30 23:59:59 +08:00") in text
    assert "apply refused: the application needs 2 paper copies (got 1)" in text
    told = [line for line in played.lines if " refused: " in line or " not permitted: " in line]
    assert len(told) == sum(result.refusals.values())
    assert sum("withdrawn by the enterprise" in line for line in played.lines) == result.reached["withdrawn"]


def test_output_is_a_concise_narrative_in_order(played: Played) -> None:
    assert 50 < len(played.lines) < 400
    dated = [line[:16] for line in played.lines if line[:4] == "2020"]
    assert dated == sorted(dated)


def test_every_published_project_went_the_whole_way(played: Played, engine: Engine) -> None:
    assert played.result.published
    assert played.result.published == [p.id for p in engine.projects(state="published")]
    for pid in played.result.published:
        history = engine.history(pid)
        assert [t.event for t in history] == LIFECYCLE
        assert history[-1].to_state == "published"
        assert engine.document(pid).name == f"申报书-{pid}.pdf"


def test_funnel_adds_up(played: Played, engine: Engine) -> None:
    result = played.result
    projects = engine.projects()
    assert result.projects == len(projects) == 100
    assert sum(result.states.values()) == result.projects
    assert result.states == {s: sum(p.state == s for p in projects) for s in STATES}
    reached = result.reached
    assert reached["docked"] == result.projects
    order = ["docked", "applied", "recommended", "reviewed", "signed", "published"]
    assert [reached[s] for s in order] == sorted((reached[s] for s in order), reverse=True)
    for state, n in reached.items():
        assert sum(c[state] for c in result.reached_by_category.values()) == n
    assert result.transitions == sum(len(engine.history(p.id)) for p in projects)


def test_exactly_one_extension_of_the_recommendation_window(played: Played, engine: Engine) -> None:
    assert played.result.extensions == 1
    (batch,) = engine.batches()
    extended = {w.phase: w.closes_at.astimezone(CST).date() for w in batch.windows if w.extended}
    assert extended == {"recommendation": date(2020, 9, 2)}


def test_the_story_runs_from_june_to_november_2020_on_the_virtual_clock(
    played: Played, engine: Engine, tmp_path: Path
) -> None:
    start, end = played.result.period
    assert (start.astimezone(CST).year, start.astimezone(CST).month) == (2020, 6)
    assert (end.astimezone(CST).year, end.astimezone(CST).month) == (2020, 11)
    moments = [t.at for p in engine.projects() for t in engine.history(p.id)]
    assert start <= min(moments) and max(moments) <= end
    assert play(tmp_path / "small.db", seed=1, projects=16).result.period == (start, end)


@pytest.mark.parametrize("projects", [15, 5001, True])
def test_an_impossible_number_of_projects_is_invalid_input(projects: int, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="invalid projects: the demo plays 16 to 5000 projects"):
        run(f"sqlite:///{tmp_path / 'x.db'}", projects=projects, out=lambda _line: None)
    assert not (tmp_path / "x.db").exists()


def test_escalations_fire_at_the_2020_deadlines_and_are_acknowledged(
    played: Played, engine: Engine
) -> None:
    """Overdue projects are escalated at each close and climb the ladder unless answered."""
    recorded = engine.escalations()
    assert played.result.escalations == dict(sorted(Counter(
        f"{x.phase} L{x.level}" for x in recorded).items()))
    assert {x.level for x in recorded} == {1, 2, 3}
    first = min(recorded, key=lambda x: x.fired_at)
    assert (first.phase, first.level) == ("application", 1)
    assert first.deadline == datetime(2020, 8, 31, tzinfo=CST)
    assert first.fired_at == datetime(2020, 8, 31, 8, 0, tzinfo=CST)
    acked = [x for x in recorded if x.acknowledged]
    assert played.result.acknowledged == len(acked) > 0
    climbed = {(x.project_id, x.phase) for x in recorded if x.level == 2}
    assert all((x.project_id, x.phase) not in climbed for x in acked)
    assert any("overdue sweep:" in line for line in played.lines)
    assert all(x.lapsed == (x.level == 3) for x in recorded)


def test_the_demo_runs_a_public_notice_over_national_day(played: Played, engine: Engine) -> None:
    """The notice starts when the review window closes and runs past the National Day week;
    one objection is dismissed, one upheld (its project rejected); signing waits for it."""
    notice = engine.notice("2020-1")
    assert notice.latest.started_at.astimezone(CST).date() == date(2020, 9, 30)
    assert notice.latest.closes_at.astimezone(CST).isoformat() == \
        "2020-10-14T23:59:59.999999+08:00"
    outcomes = {o.outcome: o for o in engine.objections("2020-1")}
    assert set(outcomes) == {"upheld", "dismissed"}
    assert engine.get(outcomes["upheld"].project_id).state == "rejected"
    assert engine.get(outcomes["dismissed"].project_id).state == "published"
    told = "\n".join(played.lines)
    assert "public notice (公示) of batch 2020-1" in told
    assert "upheld" in told and "dismissed" in told
    signed = [t.at for p in notice.projects for t in engine.history(p.id) if t.event == "sign"]
    assert signed and min(signed) > notice.latest.closes_at
    assert engine.verify().ok
