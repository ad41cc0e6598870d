"""Reading: list and its filters, a project's history, NotFound, and who owns the database engine."""

from __future__ import annotations

from datetime import UTC

import pytest

from accel666 import Engine, InvalidInput, NotFound, Project, Transition, models
from tests.helpers import CODE_A, CODE_B, CODE_C, CODE_D, cst
from tests.workflow.wf_support import EARLY, LATE, dock, drive, enterprise


@pytest.fixture
def listed(engine, clock):
    """Five projects across regions, categories and states."""
    return {
        "a": drive(engine, clock.set, "applied", code=CODE_A, region="suzhou", category="demo"),
        "b": drive(engine, clock.set, "docked", code=CODE_B, region="kunshan", category="demo"),
        "c": drive(engine, clock.set, "applied", code=CODE_C, region="昆山市", category="backbone"),
        "d": drive(engine, clock.set, "withdrawn", code=CODE_D, region="320100",
                   category="cloud-base"),
        "e": drive(engine, clock.set, "docked", code=CODE_A, region="suzhou", category="backbone"),
    }


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, "abcde"),
    ({"state": "applied"}, "ac"),
    ({"state": " docked "}, "be"),
    ({"region": "320583"}, "bc"),
    ({"region": "kunshan"}, "bc"),
    ({"region": "KunShan"}, "bc"),
    ({"region": "昆山市"}, "bc"),
    ({"region": "昆山"}, "bc"),
    ({"region": "suzhou"}, "ae"),
    ({"region": "南京"}, "d"),
    ({"region": "wuxi"}, ""),
    ({"category": "backbone"}, "ce"),
    ({"batch": "2020-1"}, "abcde"),
    ({"region": "suzhou", "category": "demo", "state": "applied"}, "a"),
    ({"limit": 2}, "ab"),
])
def test_list_filters(engine, listed, filters, expected):
    """list filters by state, region (code, pinyin or Chinese name), category and batch, by id."""
    found = engine.projects(**filters)
    assert [p.id for p in found] == [listed[k].id for k in expected]
    assert all(isinstance(p, Project) for p in found)


def test_list_returns_what_get_returns(engine, listed):
    """A listed project equals the one get returns, regions stored as division codes."""
    assert engine.projects() == [engine.get(p.id) for p in listed.values()]
    assert {p.region for p in engine.projects()} == {"320500", "320583", "320100"}


@pytest.mark.parametrize("filters", [{}, {"state": "docked", "sort": "-id"},
                                     {"region": "kunshan", "limit": 1, "offset": 1}])
def test_list_is_a_deprecated_name_of_projects(engine, listed, filters):
    """Engine.list still answers as Engine.projects does, with a DeprecationWarning naming
    `projects` and pointing at the caller's line."""
    with pytest.warns(DeprecationWarning, match=r"Engine\.list is deprecated; use "
                      r"Engine\.projects") as caught:
        found = engine.list(**filters)
    assert found == engine.projects(**filters)
    assert [w.filename for w in caught] == [__file__]


def test_projects_warns_of_nothing(engine, listed, recwarn):
    engine.projects(state="docked")
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]


@pytest.mark.parametrize(("filters", "field"), [
    ({"state": "lost"}, "state"),
    ({"region": "atlantis"}, "region"),
    ({"category": "food"}, "category"),
    ({"batch": "1999-1"}, "batch"),
    ({"limit": 0}, "limit"),
])
def test_list_with_bad_filter_is_invalid_input(engine, filters, field):
    """An unknown filter value names its field."""
    with pytest.raises(InvalidInput) as err:
        engine.projects(**filters)
    assert err.value.field == field


def test_history_lists_every_transition_in_order(engine, clock):
    """history gives one Transition per change, by seq, with actor, role, scope, time and payload."""
    project = drive(engine, clock.set, "published")
    history = engine.history(project.id)
    assert all(isinstance(t, Transition) for t in history)
    assert [(t.seq, t.event, t.from_state, t.to_state) for t in history] == [
        (1, "dock", None, "docked"),
        (2, "apply", "docked", "applied"),
        (3, "recommend", "applied", "recommended"),
        (4, "review", "recommended", "reviewed"),
        (5, "sign", "reviewed", "signed"),
        (6, "publish", "signed", "published"),
    ]
    assert [(t.role, t.scope) for t in history] == [
        ("city", "320500"), ("enterprise", CODE_A), ("city", "320500"), ("province", None),
        ("tencent", None), ("province", None)]
    assert [t.actor for t in history] == ["city-suzhou", "ent-8216", "city-320500", "prov", "tx",
                                          "prov"]
    assert [t.at for t in history] == [EARLY] * 4 + [LATE] * 2
    assert all(t.at.tzinfo is not None and t.at.utcoffset().total_seconds() == 0 for t in history)
    assert history[2].payload == {"opinion": "推荐"}
    assert history[3].payload == {"score": 90.0, "verdict": "pass", "panel": {
        "experts": 3, "scored": 3, "aggregate": "trimmed_mean", "pass_mark": 70,
        "outcome": "pass"}}
    assert {t.project_id for t in history} == {project.id}


def test_project_times_are_aware_utc(engine, clock):
    """created_at and updated_at come back as aware UTC datetimes, whatever was passed in."""
    clock.set(cst(2020, 7, 2, 8, 30))
    project = dock(engine)
    clock.set(cst(2020, 7, 3, 8, 30))
    engine.withdraw(enterprise(CODE_A), project.id, reason="r")
    stored = engine.get(project.id)
    assert (stored.created_at, stored.updated_at) == (cst(2020, 7, 2, 8, 30), cst(2020, 7, 3, 8, 30))
    assert stored.updated_at.tzinfo == UTC


@pytest.mark.parametrize("read", ["get", "history", "document"])
def test_unknown_project_is_not_found(engine, read):
    """get, history and document of an id that does not exist raise NotFound."""
    dock(engine)
    with pytest.raises(NotFound) as err:
        getattr(engine, read)(42)
    assert (err.value.kind, err.value.key, err.value.message) == ("project", 42, "project 42 not found")
    assert err.value.to_dict() == {"error": "NotFound", "message": "project 42 not found",
                                   "kind": "project", "key": 42}


def test_engine_does_not_dispose_an_engine_it_was_given(db_url, clock):
    """Engine.close leaves a host service's SQLAlchemy engine (and its pool) alone."""
    host = models.create(db_url)
    try:
        pool = host.pool
        with Engine(host, clock=clock) as engine:
            assert engine.db is host
            dock(engine)
            assert pool.checkedin() >= 1
        assert host.pool is pool
        assert pool.checkedin() >= 1
        with host.connect() as conn:
            assert conn.execute(models.project_table.select()).first().title == "Cloud MES"
    finally:
        host.dispose()


def test_engine_disposes_an_engine_it_created(db_url, clock):
    """Engine.close disposes the connection pool of a database it opened from a URL."""
    engine = Engine(db_url, clock=clock)
    pool = engine.db.pool
    dock(engine)
    engine.close()
    assert engine.db.pool is not pool


def test_clock_must_be_aware(db_url):
    """A clock returning naive datetimes is a programming error, refused on first use (the
    Engine records the database's policy with the time on opening a new database)."""
    from datetime import datetime

    with pytest.raises(ValueError, match=r"^the engine's clock must return an aware datetime$"):
        Engine(db_url, clock=lambda: datetime(2020, 7, 1, 12))
    with Engine(db_url) as engine:
        assert engine.projects() == []
