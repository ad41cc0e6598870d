"""Hostile input for the property-based tests: strategies, a fixed world to fire them at, and the
checks that every call ended as allowed and left the database consistent. Not a test module.

A call may succeed or raise one of the library's own refusals (`ALLOWED`); any other exception
is a bug. A refused call must leave every table as it was, and after every call the record must
hold: `Engine.verify()` where it exists, and always this module's own check of versions, log
sequences, states and references.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import select

from accel666 import (
    STATES,
    Actor,
    Engine,
    InvalidInput,
    NotFound,
    NotPermitted,
    Project,
    Refused,
    models,
)
from accel666.policies import PHASES
from accel666.policies.credit_code import ALPHABET, check_character, org_check_character
from tests.helpers import (
    CODE_A,
    CODE_B,
    CODE_C,
    CODE_D,
    FakeClock,
    cst,
    no_notice_policy,
    panel_review,
    reset_logging,
)

# The errors a hostile call may end with: malformed input, or well-formed input the rules refuse.
ALLOWED = (InvalidInput, NotFound, Refused, NotPermitted)

EARLY = cst(2020, 7, 1, 12, 0, 0)  # docking, application, recommendation and review open
LATE = cst(2020, 10, 10, 9, 0, 0)  # signing and publication open; escalations fell due
AFTER = cst(2020, 11, 20, 9, 0, 0)  # every window closed
MOMENTS = (EARLY, LATE, AFTER)
DOC = b"%PDF-1.4 application"
DEAD_WEBHOOK = "http://127.0.0.1:9/hook"  # the discard port: refused at once, never reached

PROVINCE = Actor("prov", "province")
TENCENT = Actor("tx", "tencent")
SUZHOU = Actor("sz", "city", "suzhou")
KUNSHAN = Actor("ks", "city", "kunshan")
CODES = (CODE_A, CODE_B, CODE_C, CODE_D)
CATEGORIES = ("demo", "backbone", "cloud-base")
PHASE_NAMES = PHASES
ROLES = ("province", "tencent", "city", "enterprise")

# -- hostile text -----------------------------------------------------------------------------

SQL = (
    "'; DROP TABLE accel666_project; --",
    "1 OR 1=1",
    '" OR ""="',
    "' OR '1'='1",
    "1; DELETE FROM accel666_transition WHERE 1=1",
    "%", "_", "\\", "\\x00", "NULL", "null", "None", "{}", "[]", "$1", ":id", "?",
)
CONTROL = ("\x00", "\x1b[31m", "\x1b]0;pwned\x07", "\r", "\n", "\r\n", "\t", "\x7f", "\x85",
           "\b", "\x0c", "\u2028", "\u2029")
ODD_UNICODE = (
    "\u202e", "\u2066", "\u200d", "\u200b", "\ufeff", "e\u0301", "a\u0300\u0301\u0302\u0303",
    "\ud800", "\udcff", "\udfff", "\U000e0001", "\uffff", "\U0010ffff", "\ue000",
    "😀", "👨\u200d👩\u200d👧", "🇨🇳", "１２３", "２０２０-０９-０６", "ｓｕｚｈｏｕ", "苏州", "苏州市",
    "工业互联网", "İ", "ß", "ﬃ", "Ω", "\u0663\u0664",  # Arabic-Indic digits
)
FRAGMENTS = ("suzhou", "320500", "demo", "2020-1", CODE_A, CODE_A.lower(), "province", "city",
             "pass", "fail", "docked", "application", "2020-09-06", "http://", " ", "  ", "a",
             "-", "--json", "-1", "0", "1")
# Text that some output format would run: console markup, spreadsheet formulas, Markdown, HTML.
MARKUP = ("[/]", "[link=https://evil.example/]x[/link]", "[bold red]", ":smile:",
          '=HYPERLINK("https://evil.example","x")', "+1", "-1+2", "@SUM(A1)", "<script>x</script>",
          "<img src=x onerror=alert(1)>", "| a |", "**b**", "`c`", "](javascript:x)", "&lt;")
ATOMS = SQL + CONTROL + ODD_UNICODE + MARKUP

# What an argv or environment cannot carry: execve takes C strings.
NO_NUL = "\x00"


def _long(pair: tuple[str, int]) -> str:
    unit, n = pair
    return (unit * (n // len(unit) + 1))[:n]


def long_text() -> st.SearchStrategy[str]:
    """10k to 1M characters (and just over the 200 and 2000 limits), with a valid core sometimes."""
    units = st.sampled_from(["a", "工", "😀", " ", "\x00", "e\u0301", "'; --", "\u202e", "\n"])
    sizes = st.sampled_from([201, 2_001, 10_000, 100_000, 1_000_000])
    plain = st.tuples(units, sizes).map(_long)
    padded = st.tuples(st.sampled_from(["suzhou", "demo", "2020-1", CODE_A, "pass"]),
                       st.sampled_from([10_000, 1_000_000])).map(
        lambda p: " " * p[1] + p[0] + " " * p[1])
    return st.one_of(plain, padded)


def hostile_text() -> st.SearchStrategy[str]:
    """SQL fragments, control characters, odd Unicode, very long text and mixtures of them."""
    pieces = st.sampled_from(ATOMS + FRAGMENTS)
    return st.one_of(
        st.sampled_from(ATOMS),
        st.lists(pieces, min_size=2, max_size=6).map("".join),
        st.text(max_size=40),
        st.text(st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Mn"]),
                min_size=1, max_size=8),
        st.builds(lambda a, b, c: a + b + c, pieces, st.sampled_from(FRAGMENTS), pieces),
        long_text(),
    )


def json_odd() -> st.SearchStrategy[Any]:
    """What a JSON-decoding host service passes where it should not: every JSON type, bytes,
    huge and negative numbers, NaN and infinities."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=5))
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from([0, -1, 1, 2**31 - 1, 2**31, 2**63, 2**64, -(2**63)]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([float("nan"), float("inf"), float("-inf"), 2.0, -0.0, 1e309]),
        st.binary(max_size=16),
        st.lists(scalars, max_size=3),
        st.dictionaries(st.text(max_size=5), scalars, max_size=3),
        st.sampled_from([date(2020, 9, 6), datetime(2020, 9, 6), object()]),
    )


def anything() -> st.SearchStrategy[Any]:
    return st.one_of(hostile_text(), json_odd())


def as_process_sees(text: str) -> str:
    """Text as a process finds it in its argv or environment: no NUL, and any lone surrogate
    as the bytes it would be, decoded with surrogateescape (U+DC80..U+DCFF)."""
    return os.fsdecode(text.replace(NO_NUL, "").encode("utf-8", "surrogatepass"))


def argv_text() -> st.SearchStrategy[str]:
    """Hostile text as a command line can carry it (str() of the odd JSON values included)."""
    return st.one_of(hostile_text(), json_odd().map(str)).map(as_process_sees)


# -- valid but odd values -----------------------------------------------------------------------

_SHOWN = st.characters(exclude_categories=["Cc", "Cf", "Cs", "Co", "Cn"],
                       exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def odd_name() -> st.SearchStrategy[str]:
    """A name the engine accepts, however odd: SQL, Chinese, emoji, combining marks."""
    return st.one_of(
        st.sampled_from((*SQL, "苏州某某科技有限公司", "😀 Cloud", "e\u0301", "１２３", "ﬃ", "O'Brien")),
        st.text(_SHOWN, min_size=1, max_size=200).filter(lambda s: bool(s.strip())),
    )


def odd_long_text() -> st.SearchStrategy[str]:
    """An opinion, reason or note the engine accepts: up to 2000 characters, lines and tabs."""
    return st.one_of(
        odd_name(),
        st.text(st.one_of(_SHOWN, st.sampled_from("\n\t")), min_size=1, max_size=300)
        .filter(lambda s: bool(s.strip())),
        st.just("意见" * 1000),
    )


def valid_code() -> st.SearchStrategy[str]:
    """A credit code that passes both check characters (a new enterprise each time)."""
    org = st.text(ALPHABET, min_size=8, max_size=8)
    region = st.sampled_from(["320500", "320583", "320100"])

    def build(r: str, o: str) -> str:
        first17 = "91" + r + o + org_check_character(o)
        return first17 + check_character(first17)

    return st.builds(build, region, org)


def code_value() -> st.SearchStrategy[str]:
    known = st.sampled_from(CODES)
    return st.one_of(known, known.map(str.lower), known.map(lambda c: f"  {c}\t"), valid_code())


def region_value() -> st.SearchStrategy[str]:
    return st.sampled_from(["suzhou", "320500", "苏州市", "苏州", " SUZHOU ", "kunshan", "320583",
                            "nanjing"])


def valid_actor() -> st.SearchStrategy[Actor]:
    """An actor of every role, scoped to regions and enterprises the world's projects have."""
    return st.sampled_from([PROVINCE, TENCENT, SUZHOU, KUNSHAN, Actor("  李 ", "city", "苏州"),
                            *(Actor(f"ent-{c[-4:]}", "enterprise", c) for c in CODES)])


def hostile_actor() -> st.SearchStrategy[Any]:
    """An Actor with a hostile name, role or scope (any of them any type), or no Actor at all."""
    built = st.builds(
        Actor,
        name=st.one_of(odd_name(), anything()),
        role=st.one_of(st.sampled_from(ROLES), anything()),
        scope=st.one_of(st.none(), region_value(), st.sampled_from(CODES), anything()),
    )
    return st.one_of(built, json_odd(), hostile_text())


def choose(data: st.DataObject, valid: st.SearchStrategy[Any], hostile: bool,
           bad: st.SearchStrategy[Any] | None = None) -> Any:
    """A valid value, or a hostile one when this parameter is under attack."""
    return data.draw(bad if bad is not None else anything()) if hostile else data.draw(valid)


def targets(data: st.DataObject, params: tuple[str, ...]) -> frozenset[str]:
    """Which parameters of a call are attacked (none, so that odd but valid values land too)."""
    return frozenset(data.draw(st.sets(st.sampled_from(params), max_size=2)))


# -- settings -------------------------------------------------------------------------------------

# Examples per property (CLI properties run 4/5 of it): enough to meet every kind of hostile
# value each run while both backends stay within about a minute and a half. Raise it to hunt:
# ACCEL666_HOSTILE_EXAMPLES=500 pytest tests/hostile
EXAMPLES = int(os.environ.get("ACCEL666_HOSTILE_EXAMPLES", "30"))
HOSTILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
    derandomize=bool(os.environ.get("CI")),  # the same examples in CI; new ones on a desk
)


@contextmanager
def quiet_logs() -> Iterator[None]:
    """Render the library's events as JSON (as the CLI does, so odd values are serialised)
    into nowhere."""
    from accel666.cli import logs

    with open(os.devnull, "w", encoding="utf-8") as sink:
        logs.configure("debug", as_json=True, stream=sink)
        try:
            yield
        finally:
            reset_logging()


# -- the world ------------------------------------------------------------------------------------


@dataclass
class World:
    """A database with projects in every state, escalations and failed deliveries."""

    engine: Engine
    clock: FakeClock
    tmp: Path
    ids: dict[str, list[int]] = field(default_factory=dict)
    escalation_ids: list[int] = field(default_factory=list)
    doc_path: Path | None = None

    @property
    def project_ids(self) -> list[int]:
        return sorted(i for ids in self.ids.values() for i in ids)

    def project_id(self) -> st.SearchStrategy[int]:
        return st.one_of(st.sampled_from(self.project_ids), st.integers(1, 40))

    def escalation_id(self) -> st.SearchStrategy[int]:
        known = self.escalation_ids or [1]
        return st.one_of(st.sampled_from(known), st.integers(1, 60))


# state -> (code, category, region) of each project the world holds in that state
PLAN: dict[str, list[tuple[str, str, str]]] = {
    "docked": [(CODE_A, "demo", "suzhou"), (CODE_B, "demo", "kunshan"),
               (CODE_C, "demo", "suzhou")],
    "applied": [(CODE_A, "backbone", "suzhou"), (CODE_B, "backbone", "suzhou")],
    "recommended": [(CODE_C, "backbone", "suzhou"), (CODE_A, "cloud-base", "kunshan")],
    "reviewed": [(CODE_B, "cloud-base", "suzhou")],
    "signed": [(CODE_C, "cloud-base", "suzhou")],
    "published": [(CODE_D, "demo", "suzhou")],
    "rejected": [(CODE_D, "backbone", "suzhou")],
    "withdrawn": [(CODE_D, "cloud-base", "kunshan")],
}
STEPS = {
    "docked": (), "applied": ("apply",), "recommended": ("apply", "recommend"),
    "reviewed": ("apply", "recommend", "review"), "signed": ("apply", "recommend", "review", "sign"),
    "published": ("apply", "recommend", "review", "sign", "publish"),
    "rejected": ("apply", "reject"), "withdrawn": ("withdraw",),
}


def _step(engine: Engine, clock: FakeClock, event: str, p: Project) -> Project:
    city = Actor(f"city-{p.region}", "city", p.region)
    if event == "apply":
        return engine.apply(Actor("ent", "enterprise", p.credit_code), p.id, paper_copies=2,
                            document=DOC, document_name="application.pdf")
    if event == "recommend":
        return engine.recommend(city, p.id, opinion="推荐")
    if event == "review":
        return panel_review(engine, p.id, province=PROVINCE)
    if event == "reject":
        return engine.reject(city, p.id, reason="材料不全")
    if event == "withdraw":
        return engine.withdraw(city, p.id, reason="撤回")
    clock.set(LATE.astimezone(UTC))
    return engine.sign(TENCENT, p.id) if event == "sign" else engine.publish(PROVINCE, p.id)


def build_world(db_url: str, tmp: Path) -> World:
    """Projects in every state, docked in July and signed in October; then at LATE a sweep
    with a dead webhook and one delivery round of one attempt, so escalations exist, some
    with failed deliveries."""
    clock = FakeClock(EARLY.astimezone(UTC))
    engine = Engine(db_url, clock=clock, policy=no_notice_policy())
    world = World(engine, clock, tmp)
    for state, projects in PLAN.items():
        for code, category, region in projects:
            clock.set(EARLY.astimezone(UTC))
            p = engine.dock(Actor(f"city-{region}", "city", region), title="云上工厂",
                            enterprise="苏州某某科技有限公司", credit_code=code, region=region,
                            category=category, batch="2020-1")
            for event in STEPS[state]:
                p = _step(engine, clock, event, p)
            assert p.state == state
            world.ids.setdefault(state, []).append(p.id)
    run = engine.escalate(LATE.astimezone(UTC), webhook=DEAD_WEBHOOK, max_attempts=1)
    world.escalation_ids = [e.id for e in engine.escalations()]
    assert world.escalation_ids and run.delivery.failed
    world.doc_path = tmp / "application.pdf"
    world.doc_path.write_bytes(DOC)
    return world


# -- outcomes and checks --------------------------------------------------------------------------


def attempt(call: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    """Run `call`: its result, or the allowed error it raised. Any other error propagates."""
    try:
        return call(), None
    except ALLOWED as exc:
        return None, exc


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the engine, ordered by primary key."""
    with engine.db.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in models.metadata.sorted_tables
        }


def own_problems(engine: Engine) -> list[str]:
    """What this module checks itself: each project's version equals its number of log rows,
    whose seq runs 1..version with each row starting where the one before ended and the last
    ending in the project's state; documents and escalations name existing projects, deliveries
    existing escalations."""
    P, T = models.project_table.c, models.transition_table.c
    D, E = models.document_table.c, models.escalation_table.c
    L = models.delivery_table.c
    problems: list[str] = []
    with engine.db.connect() as conn:
        projects = {r.id: r for r in conn.execute(select(P.id, P.state, P.version))}
        logs: dict[int, list[Any]] = {}
        for row in conn.execute(select(T.project_id, T.seq, T.from_state, T.to_state)
                                .order_by(T.project_id, T.seq)):
            logs.setdefault(row.project_id, []).append(row)
        documents = list(conn.execute(select(D.id, D.project_id)))
        escalations = list(conn.execute(select(E.id, E.project_id)))
        deliveries = list(conn.execute(select(L.id, L.escalation_id)))
    for pid, p in projects.items():
        rows = logs.get(pid, [])
        if p.state not in STATES:
            problems.append(f"project {pid}: unknown state {p.state!r}")
        if p.version != len(rows):
            problems.append(f"project {pid}: version {p.version}, {len(rows)} log rows")
        if [r.seq for r in rows] != list(range(1, len(rows) + 1)):
            problems.append(f"project {pid}: log seqs {[r.seq for r in rows]}")
        ends = [None, *(r.to_state for r in rows)]
        if [r.from_state for r in rows] != ends[:-1]:
            problems.append(f"project {pid}: a log row does not start where the last ended")
        if rows and rows[-1].to_state != p.state:
            problems.append(f"project {pid}: state {p.state}, log ends in {rows[-1].to_state}")
    problems += [f"log rows of missing project {pid}" for pid in logs if pid not in projects]
    problems += [f"document {d.id} of missing project {d.project_id}" for d in documents
                 if d.project_id not in projects]
    problems += [f"escalation {e.id} of missing project {e.project_id}" for e in escalations
                 if e.project_id not in projects]
    known = {e.id for e in escalations}
    problems += [f"delivery {d.id} of missing escalation {d.escalation_id}" for d in deliveries
                 if d.escalation_id not in known]
    return problems


def assert_consistent(engine: Engine) -> None:
    """The record holds: `Engine.verify()` if the engine has it, and this module's own check."""
    problems = own_problems(engine)
    verify = getattr(engine, "verify", None)
    if verify is not None:
        report = verify()
        problems += [f"verify {p.kind}: {p.message}" for p in report.problems]
        assert report.ok == (not report.problems)
    assert not problems, "\n".join(problems)


def check_call(engine: Engine, call: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    """Run one hostile call: it succeeds or raises an allowed error; an error changes nothing;
    afterwards the record holds."""
    before = snapshot(engine)
    result, error = attempt(call)
    if error is not None:
        assert snapshot(engine) == before, f"{type(error).__name__} after a write: {error}"
    assert_consistent(engine)
    return result, error


def aware_moments() -> st.SearchStrategy[Any]:
    """`now` as a host passes it: aware moments in and around the programme in odd zones, the
    far past and future, naive ones, and wrong types."""
    zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-12)),
                             timezone(timedelta(hours=14)), timezone(timedelta(seconds=1))])
    near = st.builds(lambda d, z: d.replace(tzinfo=z),
                     st.datetimes(datetime(2020, 6, 1), datetime(2021, 3, 1)), zones)
    edges = st.sampled_from([
        datetime.max.replace(tzinfo=timezone(timedelta(hours=-1))),
        datetime.min.replace(tzinfo=timezone(timedelta(hours=1))),
        datetime.max.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC),
        datetime(2999, 12, 31, 23, 59, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC),
        datetime(2100, 1, 1, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2020, 9, 1), datetime.now(),  # naive
    ])
    return st.one_of(st.none(), near, edges, json_odd(), hostile_text())


def days() -> st.SearchStrategy[Any]:
    """`until` for an extension: days before and after the windows, as dates and text."""
    near = st.dates(date(2020, 6, 1), date(2021, 12, 31))
    return st.one_of(near, near.map(date.isoformat), near.map(lambda d: f" {d.isoformat()} "),
                     st.sampled_from([date.max, date.min, "9999-12-31", "2999-12-31",
                                      "3000-01-01", "20200906", "2020-W37-1"]))


def webhooks() -> st.SearchStrategy[Any]:
    """Webhook URLs: none, the dead one, the dead one with a hostile tail, or anything at all.
    Never a URL that could reach a real host."""
    tail = hostile_text().map(lambda s: s.replace("/", "_"))
    return st.one_of(st.none(), st.just(DEAD_WEBHOOK), tail.map(lambda s: DEAD_WEBHOOK + s),
                     anything().filter(lambda v: not (isinstance(v, str)
                                                      and v.startswith(("http://", "https://")))))
