"""The policy file: the built-in programme, and a precise message for every way a file can be wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from accel666 import policies
from accel666.policies import Grant, PolicyError
from accel666.policies.rules import last_moment

CST = ZoneInfo("Asia/Shanghai")

# The 16 recommending bureaus of domain.md: code, Chinese name, pinyin key.
REGIONS = [
    ("320100", "南京市", "nanjing"), ("320200", "无锡市", "wuxi"), ("320300", "徐州市", "xuzhou"),
    ("320400", "常州市", "changzhou"), ("320500", "苏州市", "suzhou"), ("320600", "南通市", "nantong"),
    ("320700", "连云港市", "lianyungang"), ("320800", "淮安市", "huaian"),
    ("320900", "盐城市", "yancheng"), ("321000", "扬州市", "yangzhou"),
    ("321100", "镇江市", "zhenjiang"), ("321200", "泰州市", "taizhou"),
    ("321300", "宿迁市", "suqian"), ("320583", "昆山市", "kunshan"),
    ("321283", "泰兴市", "taixing"), ("321322", "沭阳县", "shuyang"),
]
# phase -> (opens, last day) of batch 2020-1
CALENDAR = {
    "docking": (None, date(2020, 7, 15)),
    "application": (None, date(2020, 8, 30)),
    "recommendation": (None, date(2020, 8, 30)),
    "review": (None, date(2020, 9, 30)),
    "signing": (date(2020, 10, 1), date(2020, 10, 31)),
    "publication": (date(2020, 10, 1), date(2020, 10, 31)),
}


def builtin_text() -> str:
    return resources.files("accel666.policies").joinpath("programme.toml").read_text(encoding="utf-8")


def edited(*replacements: tuple[str, str]) -> str:
    text = builtin_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


@pytest.fixture
def builtin() -> policies.Policy:
    """Loaded for each test (a few milliseconds), so that a mutation tool's per-test coverage
    links every test that reads it to the loader."""
    return policies.load()


def test_builtin_policy_has_the_16_regions(builtin):
    """Regions: the 13 cities and 3 pilots, with their division codes, names and pinyin keys."""
    assert [(r.code, r.name, r.key) for r in builtin.regions.values()] == REGIONS
    assert list(builtin.regions) == [code for code, _, _ in REGIONS]


def test_builtin_policy_has_three_categories_with_targets(builtin):
    """cloud-base, backbone and demo with targets 6, 60 and 600, due by 2022-12-31."""
    assert {k: c.target for k, c in builtin.categories.items()} == {
        "cloud-base": 6, "backbone": 60, "demo": 600}
    assert builtin.targets_by == date(2022, 12, 31)
    assert builtin.categories["demo"].name == "上云上平台示范企业"


def test_builtin_policy_materials_and_zone(builtin):
    """2 paper copies, 1 electronic document, 20 MiB per document, China time."""
    assert (builtin.materials.min_paper_copies, builtin.materials.electronic_documents,
            builtin.materials.max_document_bytes) == (2, 1, 20 * 1024 * 1024)
    assert builtin.zone == ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("phase", list(CALENDAR))
def test_builtin_batch_windows(builtin, phase):
    """Each window of batch 2020-1 closes at 23:59:59.999999 China time on its last day."""
    opens, last_day = CALENDAR[phase]
    window = builtin.batches["2020-1"].windows[phase]
    assert (window.opens, window.closes) == (opens, last_day)
    end = datetime(last_day.year, last_day.month, last_day.day, 23, 59, 59, 999_999, tzinfo=CST)
    assert last_moment(window) == end
    assert last_moment(window).astimezone(UTC) == end.astimezone(UTC)
    assert end.astimezone(UTC).time().isoformat() == "15:59:59.999999"
    assert window.closes_at == end + timedelta(microseconds=1)
    assert window.opens_at == (None if opens is None else
                               datetime(2020, 10, 1, tzinfo=CST))


def test_builtin_policy_is_the_only_batch_and_loads_from_a_copy(builtin, tmp_path):
    """load(path) of a copy of the built-in file gives an equal policy, naming its source."""
    assert list(builtin.batches) == ["2020-1"]
    assert builtin.batches["2020-1"].name == "2020年第一批"
    path = tmp_path / "programme.toml"
    path.write_text(builtin_text(), encoding="utf-8")
    copy = policies.load(path)
    assert copy == builtin
    assert copy.source == str(path)
    assert policies.parse(builtin_text()) == builtin


def test_builtin_permissions(builtin):
    """The permission table as written in programme.toml."""
    assert builtin.permissions == {
        "dock": (Grant("tencent"), Grant("city")),
        "apply": (Grant("enterprise"), Grant("city")),
        "recommend": (Grant("city"),),
        "review": (Grant("province"),),
        "sign": (Grant("province"), Grant("tencent")),
        "publish": (Grant("province"),),
        "reject": (Grant("city", frozenset({"applied"})),
                   Grant("province", frozenset({"recommended", "reviewed"}))),
        "withdraw": (Grant("enterprise"), Grant("city")),
        "extend": (Grant("province"),),
    }
    assert {k: r.scope for k, r in builtin.roles.items()} == {
        "enterprise": "enterprise", "tencent": "none", "city": "region", "province": "none",
        "expert": "expert"}


R = "regions = [\n"
EVENTS = "dock, apply, recommend, review, sign, publish, reject, withdraw, extend"
ROLES = "enterprise, tencent, city, province, expert"
PHASES = "docking, application, recommendation, review, signing, publication"
MATERIAL_KEYS = "min_paper_copies, electronic_documents, max_document_bytes"
BAD_FILES = [
    ("invalid-toml", "programme = ", "not valid TOML: Invalid value (at end of document)"),
    ("duplicate-table", "[a]\nb = 1\n[a]\nb = 2\n",
     "not valid TOML: Cannot declare ('a',) twice (at line 3, column 3)"),
    ("missing-timezone", edited(('timezone = "Asia/Shanghai"\n', "")),
     "top level: missing key 'timezone'"),
    ("missing-batches", builtin_text().split("[[batches]]")[0],
     "top level: missing key 'batches'"),
    ("batches-is-table", edited(("[[batches]]", "[[old_batches]]")),
     ["top level: unknown key 'old_batches' (did you mean 'batches'?)",
      "top level.batches: expected list, got dict"]),
    ("missing-material", edited(("min_paper_copies = 2", "paper = 2")),
     [f"materials: unknown key 'paper' (keys: {MATERIAL_KEYS})",
      "materials: missing key 'min_paper_copies'"]),
    ("missing-region-key", edited(('{ code = "320100", name = "南京市", key = "nanjing" }',
                                   '{ code = "320100", name = "南京市" }')),
     "regions[0]: missing key 'key'"),
    ("target-is-text", edited(("target = 6", 'target = "six"')),
     "categories[0].target: expected int, got str"),
    ("copies-is-bool", edited(("min_paper_copies = 2", "min_paper_copies = true")),
     "materials.min_paper_copies: expected int, got bool"),
    ("targets-by-is-text", edited(("targets_by = 2022-12-31", 'targets_by = "2022"')),
     "top level.targets_by: expected date, got str"),
    ("regions-is-table", edited((R, "regions_old = [\n")).replace("[materials]", "[regions]\n[materials]"),
     ["top level: unknown key 'regions_old' (did you mean 'regions'?)",
      "top level.regions: expected list, got dict"]),
    ("closes-is-datetime", edited(("docking = { closes = 2020-07-15 }",
                                   "docking = { closes = 2020-07-15T18:00:00 }")),
     "batches[2020-1].windows.docking.closes: expected a date such as 2020-08-30"),
    ("unknown-time-zone", edited(('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"')),
     "timezone: unknown time zone 'Mars/Olympus'"),
    ("time-zone-path", edited(('timezone = "Asia/Shanghai"', 'timezone = "../etc/passwd"')),
     "timezone: unknown time zone '../etc/passwd'"),
    ("five-digit-region", edited(('code = "320100"', 'code = "32010"')),
     "regions[0].code: '32010' is not a 6-digit division code"),
    ("letters-in-region", edited(('code = "320100"', 'code = "32O100"')),
     "regions[0].code: '32O100' is not a 6-digit division code"),
    ("duplicate-region-code", edited(('code = "320200"', 'code = "320100"')),
     "regions[1]: '320100' names two regions"),
    ("duplicate-region-name", edited(('name = "无锡市"', 'name = "南京市"')),
     "regions[1]: '南京市' names two regions"),
    ("duplicate-region-key", edited(('key = "wuxi"', 'key = "Nanjing"')),
     "regions[1]: 'nanjing' names two regions"),
    ("no-regions", "".join(line for line in builtin_text().splitlines(keepends=True)
                           if not line.startswith("    { code =")),
     "regions: at least one region is needed"),
    ("duplicate-category", edited(('key = "backbone"', 'key = "demo"')),
     "categories[2]: duplicate category key 'demo'"),
    ("unknown-role-in-permissions", edited(('recommend = [{ role = "city" }]',
                                            'recommend = [{ role = "mayor" }]')),
     f"permissions.recommend[0].role: unknown role 'mayor' (roles: {ROLES})"),
    ("unknown-role-scope", edited(('city = { scope = "region"', 'city = { scope = "county"')),
     "roles.city.scope: 'county' is not one of none, region, enterprise, expert"),
    ("unknown-event", edited(('extend = [{ role = "province" }]',
                              'extend = [{ role = "province" }]\nfly = [{ role = "city" }]')),
     f"permissions: unknown event 'fly' (events: {EVENTS})"),
    ("from-not-a-list", edited(('{ role = "city", from = ["applied"] }',
                                '{ role = "city", from = "applied" }')),
     "permissions.reject[0].from: expected a list of state names"),
    ("window-opens-after-close", edited(("signing = { opens = 2020-10-01",
                                         "signing = { opens = 2020-11-01")),
     "batches[2020-1].windows.signing: opens 2020-11-01 after it closes 2020-10-31"),
    ("missing-phase-window", edited(("review = { closes = 2020-09-30 }\n", "")),
     "batches[2020-1].windows.review: missing window"),
    ("unknown-phase-window", edited(("review = { closes = 2020-09-30 }",
                                     "review = { closes = 2020-09-30 }\nlunch = { closes = 2020-09-30 }")),
     f"batches[2020-1].windows: unknown phase 'lunch' (phases: {PHASES})"),
    ("negative-copies", edited(("min_paper_copies = 2", "min_paper_copies = -1")),
     "materials.min_paper_copies: must be 0 or more"),
    ("zero-document-limit", edited(("max_document_bytes = 20_971_520", "max_document_bytes = 0")),
     "materials.max_document_bytes: must be at least 1"),
    ("two-documents", edited(("electronic_documents = 1", "electronic_documents = 2")),
     "materials.electronic_documents: at most 1 is supported"),
    ("negative-target", edited(("target = 6", "target = -6")),
     "categories[0].target: must be 0 or more"),
    ("blank-batch-key", edited(('key = "2020-1"', 'key = " 2020-1"')),
     "batches[0].key: must be non-empty without surrounding spaces"),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(t, m, id=i) for i, t, m in BAD_FILES])
def test_parse_refuses_bad_policy_with_precise_message(text, message):
    """parse raises PolicyError naming the source, the key and the rule broken, for each problem."""
    with pytest.raises(PolicyError) as err:
        policies.parse(text)
    problems = [f"<policy>: {m}" for m in ([message] if isinstance(message, str) else message)]
    assert err.value.problems == problems
    assert str(err.value) == "\n".join(problems)


def test_parse_names_the_source():
    """The message starts with the source it is given."""
    with pytest.raises(PolicyError, match=r"^custom\.toml: timezone: unknown time zone 'X/Y'$"):
        policies.parse(edited(('"Asia/Shanghai"', '"X/Y"')), source="custom.toml")


def test_load_names_the_file_of_a_bad_policy(tmp_path):
    """load(path) reports errors against the file's path."""
    path = tmp_path / "p.toml"
    path.write_text(edited(('code = "320100"', 'code = "1"')), encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        policies.load(path)
    assert str(err.value) == f"{path}: regions[0].code: '1' is not a 6-digit division code"


@pytest.mark.parametrize(("name", "why"), [
    ("missing.toml", "No such file or directory"),
    ("", "Is a directory"),
])
def test_load_of_unreadable_path(tmp_path, name, why):
    """A path that cannot be read gives PolicyError naming it and the reason."""
    path = tmp_path / name if name else tmp_path
    with pytest.raises(PolicyError) as err:
        policies.load(path)
    assert str(err.value) == f"cannot read policy file {path}: {why}"


def test_load_of_non_utf8_file(tmp_path):
    """A file that is not UTF-8 text gives PolicyError naming it."""
    path = tmp_path / "latin1.toml"
    path.write_bytes('programme = "caf\xe9"'.encode("latin-1"))
    with pytest.raises(PolicyError) as err:
        policies.load(str(path))
    assert str(err.value) == f"policy file {path} is not UTF-8 text"


def problems_of(text: str, source: str = "<policy>") -> list[str]:
    with pytest.raises(PolicyError) as err:
        policies.parse(text, source=source)
    assert str(err.value) == "\n".join(err.value.problems)
    return err.value.problems


TOP_KEYS = ("extends, timezone, targets_by, province, regions, materials, categories, roles, "
            "permissions, reads, batches, extensions, escalation, notice, calendar, review")
TYPOS = [
    ("unknown-top-level-key", ('targets_by = 2022-12-31', 'targets_by = 2022-12-31\ncolour = "red"'),
     f"top level: unknown key 'colour' (keys: {TOP_KEYS})"),
    ("timezon", ('timezone = "Asia/Shanghai"', 'timezon = "UTC"'),
     "top level: unknown key 'timezon' (did you mean 'timezone'?)"),
    ("min_paper_copy", ("min_paper_copies = 2", "min_paper_copy = 3"),
     "materials: unknown key 'min_paper_copy' (did you mean 'min_paper_copies'?)"),
    ("aplied", ('{ role = "city", from = ["applied"] }', '{ role = "city", from = ["aplied"] }'),
     "permissions.reject[0].from: unknown state 'aplied' (did you mean 'applied'?)"),
]


@pytest.mark.parametrize(("edit", "message"), [pytest.param(e, m, id=i) for i, e, m in TYPOS])
def test_a_typo_is_one_problem_naming_the_closest_key(edit, message):
    """A misspelt key or state is refused with the key path and the name it was meant to be."""
    assert problems_of(edited(edit)) == [f"<policy>: {message}"]


def test_typos_in_several_tables_are_reported_together(tmp_path):
    """One load lists every typo of a file, each prefixed with the file's path, in file order."""
    path = tmp_path / "later.toml"
    path.write_text(
        'extends = "builtin"\ntimezon = "UTC"\n\n'
        "[materials]\nmin_paper_copy = 3\nelectronic_documents = 1\nmax_document_bytes = 1024\n\n"
        '[permissions]\nreject = [{ role = "city", from = ["aplied"] }]\n\n'
        '[[batches]]\nkey = "2026-2"\nnmae = "2026年第二批"\n\n[batches.windows]\n'
        + "".join(f"{phase} = {{ closes = 2027-06-30 }}\n" for phase in CALENDAR),
        encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        policies.load(path)
    assert err.value.problems == [
        f"{path}: top level: unknown key 'timezon' (did you mean 'timezone'?)",
        f"{path}: materials: unknown key 'min_paper_copy' (did you mean 'min_paper_copies'?)",
        f"{path}: permissions.reject[0].from: unknown state 'aplied' (did you mean 'applied'?)",
        f"{path}: batches[2026-2]: unknown key 'nmae' (did you mean 'name'?)",
    ]
    assert str(err.value) == "\n".join(err.value.problems)


KEYS_OF = [
    ("category", ("target = 60", "target = 60\nenglsh = 'x'"),
     "categories[1]: unknown key 'englsh' (did you mean 'english'?)"),
    ("region", ('key = "wuxi" }', 'key = "wuxi", pinyin = "wuxi" }'),
     "regions[1]: unknown key 'pinyin' (keys: code, name, key)"),
    ("role", ('city = { scope = "region" }', 'city = { scope = "region", scoep = "x" }'),
     "roles.city: unknown key 'scoep' (did you mean 'scope'?)"),
    ("grant", ('publish = [{ role = "province" }]', 'publish = [{ role = "province", form = [] }]'),
     "permissions.publish[0]: unknown key 'form' (did you mean 'from'?)"),
    ("batch", ('name = "2020年第一批"', 'name = "2020年第一批"\nwindows_out_of_ordre = true'),
     "batches[2020-1]: unknown key 'windows_out_of_ordre' (did you mean 'windows_out_of_order'?)"),
    ("window", ("review = { closes = 2020-09-30 }", "review = { close = 2020-09-30 }"),
     "batches[2020-1].windows.review: unknown key 'close' (did you mean 'closes'?)"),
    ("escalation", ("max_attempts = 5", "max_attempts = 5\nwebhok = ''"),
     "escalation: unknown key 'webhok' (did you mean 'webhook'?)"),
    ("overdue-rule", ('responsible = "province" }', 'responsible = "province", late = 1 }'),
     "escalation.phases.review: unknown key 'late' (keys: overdue, responsible)"),
    ("level", ("\nlapses = true", "\nlapse = true"),
     "escalation.levels[2]: unknown key 'lapse' (did you mean 'lapses'?)"),
    ("removed-programme", ('timezone = "Asia/Shanghai"', 'programme = "666"\ntimezone = "Asia/Shanghai"'),
     f"top level: unknown key 'programme' (keys: {TOP_KEYS})"),
]


@pytest.mark.parametrize(("edit", "message"), [pytest.param(e, m, id=i) for i, e, m in KEYS_OF])
def test_every_table_refuses_unknown_keys(edit, message):
    """Regions, categories, roles, grants, batches, windows and the ladder know their keys."""
    assert problems_of(edited(edit)) == [f"<policy>: {message}"]


NAMES = [
    ("from-state", ('{ role = "province", from = ["recommended", "reviewed"] }',
                    '{ role = "province", from = ["recommended", "closed"] }'),
     "permissions.reject[1].from: unknown state 'closed' (states: docked, applied, recommended, "
     "reviewed, signed, published, rejected, withdrawn)"),
    ("event", ('extend = [{ role = "province" }]', 'extnd = [{ role = "province" }]'),
     "permissions: unknown event 'extnd' (did you mean 'extend'?)"),
    ("role", ('recommend = [{ role = "city" }]', 'recommend = [{ role = "cty" }]'),
     "permissions.recommend[0].role: unknown role 'cty' (did you mean 'city'?)"),
    ("responsible", ('responsible = "city" }', 'responsible = "citi" }'),
     "escalation.phases.application.responsible: unknown role 'citi' (did you mean 'city'?)"),
    ("overdue-state", ('overdue = ["signed"]', 'overdue = ["withdrawn"]'),
     "escalation.phases.publication.overdue: unknown state 'withdrawn' (states: docked, applied, "
     "recommended, reviewed, signed, published)"),
    ("window-phase", ("review = { closes = 2020-09-30 }", "revue = { closes = 2020-09-30 }"),
     "batches[2020-1].windows: unknown phase 'revue' (did you mean 'review'?)"),
]


@pytest.mark.parametrize(("edit", "message"), [pytest.param(e, m, id=i) for i, e, m in NAMES])
def test_every_name_must_exist(edit, message):
    """Each state, event, role and phase a policy names is one the programme has."""
    assert problems_of(edited(edit)) == [f"<policy>: {message}"]


def test_a_from_state_may_be_any_lifecycle_state():
    """`from` takes the eight lifecycle states, final ones included."""
    policy = policies.parse(edited(('{ role = "city", from = ["applied"] }',
                                    '{ role = "city", from = ["applied", "withdrawn"] }')))
    assert policy.permissions["reject"][0] == Grant("city", frozenset({"applied", "withdrawn"}))


OUT_OF_ORDER = ("application = { closes = 2020-08-30 }", "application = { closes = 2020-07-10 }")


def test_a_phase_may_not_close_before_an_earlier_one():
    """Application closing before docking is refused, naming both days and the way out."""
    assert problems_of(edited(OUT_OF_ORDER)) == [
        "<policy>: batches[2020-1].windows.application: closes 2020-07-10, before the docking "
        "window closes (2020-07-15); if that is intended, set windows_out_of_order = true in the "
        "batch"]


def test_each_phase_is_compared_with_the_latest_earlier_close():
    """Recommendation closing before docking is refused even when application closes in order."""
    problems = problems_of(edited(("recommendation = { closes = 2020-08-30 }",
                                   "recommendation = { closes = 2020-07-14 }")))
    assert problems == [
        "<policy>: batches[2020-1].windows.recommendation: closes 2020-07-14, before the "
        "application window closes (2020-08-30); if that is intended, set windows_out_of_order "
        "= true in the batch"]


def test_windows_out_of_order_when_the_batch_says_so():
    """`windows_out_of_order = true` on the batch lets a later phase close first."""
    policy = policies.parse(edited(OUT_OF_ORDER, ('name = "2020年第一批"',
                                                  'name = "2020年第一批"\nwindows_out_of_order = true')))
    batch = policy.batches["2020-1"]
    assert batch.windows_out_of_order is True
    assert batch.windows["application"].closes == date(2020, 7, 10)


def test_windows_out_of_order_must_be_a_boolean():
    assert problems_of(edited(('name = "2020年第一批"',
                               'name = "2020年第一批"\nwindows_out_of_order = "yes"'))) == [
        "<policy>: batches[2020-1].windows_out_of_order: expected bool, got str"]


def test_phases_may_close_on_the_same_day(builtin):
    """Equal closing days are in order: the built-in batch closes three pairs of phases together."""
    windows = builtin.batches["2020-1"].windows
    assert windows["application"].closes == windows["recommendation"].closes
    assert builtin.batches["2020-1"].windows_out_of_order is False
    every_day = edited(*((f"{p} = {{ closes = 2020-", f"{p} = {{ closes = 2020-07-15 }} # ")
                         for p in ("application", "recommendation", "review")))
    assert policies.parse(every_day).batches["2020-1"].windows["review"].closes == date(2020, 7, 15)


def test_the_example_later_batch_loads():
    """examples/later-batch.toml adds batch 2026-2 to the built-in one."""
    policy = policies.load(Path(__file__).parents[2] / "examples" / "later-batch.toml")
    assert list(policy.batches) == ["2020-1", "2026-2"]


def test_a_structural_problem_stops_the_check():
    """A file that extends something unknown is one problem: nothing else can be checked."""
    assert problems_of('extends = "other"\ntimezon = "UTC"\n') == [
        "<policy>: extends: only 'builtin' can be extended, not 'other'"]


@pytest.mark.parametrize(("line", "problem"), [
    ('province = "320500"', "province: '320500' is not a province's division code"),
    ('province = "32"', "province: '32' is not a province's division code"),
    ('province = "440000"', "regions[0].code: '320100' is not a division inside province 440000"),
])
def test_the_province_is_a_province_and_holds_every_region(tmp_path, line, problem):
    text = resources.files("accel666.policies").joinpath("programme.toml").read_text(
        encoding="utf-8")
    path = tmp_path / "p.toml"
    path.write_text(text.replace('province = "320000"', line), encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        policies.load(path)
    assert any(problem in p for p in err.value.problems), err.value.problems


@pytest.mark.parametrize(("old", "new", "problem"), [
    ("closes = 2020-08-30", "closes = 9999-12-31",
     "must be from 2000-01-01 to 2099-12-31 (got 9999-12-31)"),
    ("targets_by = 2022-12-31", "targets_by = 1900-01-01",
     "targets_by: must be from 2000-01-01 to 2099-12-31 (got 1900-01-01)"),
    ("delay_days = 3", "delay_days = 99999999999", "delay_days: must be at most 366"),
    ("webhook_timeout_seconds = 10", "webhook_timeout_seconds = inf",
     "webhook_timeout_seconds: must be at most 300 (got inf)"),
    ("webhook_timeout_seconds = 10", "webhook_timeout_seconds = nan",
     "webhook_timeout_seconds: must be at most 300 (got nan)"),
    ("backoff_seconds = 60", "backoff_seconds = 100000000000000",
     "backoff_seconds: must be at most 86_400"),
    ("max_attempts = 5", "max_attempts = 1000000", "max_attempts: must be at most 100"),
    ("min_paper_copies = 2", "min_paper_copies = 100000", "min_paper_copies: must be at most 100"),
])
def test_unbounded_values_are_refused_with_their_range(tmp_path, old, new, problem):
    """Each of these used to load; the first made every command exit 1, the timeouts and
    backoffs retried for ever."""
    text = resources.files("accel666.policies").joinpath("programme.toml").read_text(
        encoding="utf-8")
    assert old in text
    path = tmp_path / "p.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        policies.load(path)
    assert any(problem in p for p in err.value.problems), err.value.problems


ESCALATION_HEAD = "backoff_max_seconds = 21_600  # at most six hours between attempts\n"
LADDER_PHASES = "docking, application, recommendation, review, signing, publication"
TARGETS = "enterprise, tencent, city, province, expert, responsible"


def without_levels(text: str) -> str:
    """`text` with its [[escalation.levels]] tables replaced by an empty list."""
    head = text.split("[[escalation.levels]]")[0]
    return head.replace(ESCALATION_HEAD, ESCALATION_HEAD + "levels = []\n", 1)


def without_tables(name: str, before: str) -> str:
    """The built-in text with every [[`name`]] table replaced by `name = []`, set `before`."""
    kept, skipping = [], False
    for line in builtin_text().splitlines(keepends=True):
        if line.startswith("["):
            skipping = line.strip() == f"[[{name}]]" or line.startswith(f"[{name}.")
        if not skipping:
            kept.append(line)
    return "".join(kept).replace(before, f"{name} = []\n{before}", 1)


# Each way a section can be wrong, with every message it gives, in order: several faults of one
# kind are all named (the check goes on past the first).
SECTION_FAULTS = [
    ("ladder-phases-unknown",
     edited(('review = { overdue = ["recommended"]',
             'lunch = { overdue = ["recommended"], responsible = "city" }\n'
             'tea = { overdue = ["recommended"], responsible = "city" }\n'
             'review = { overdue = ["recommended"]')),
     [f"escalation.phases: unknown phase 'lunch' (phases: {LADDER_PHASES})",
      f"escalation.phases: unknown phase 'tea' (phases: {LADDER_PHASES})"]),
    ("ladder-phase-not-a-table",
     edited(('review = { overdue = ["recommended"], responsible = "province" }',
             'review = "province"'),
            ('signing = { overdue = ["reviewed"], responsible = "province" }',
             'signing = ["reviewed"]')),
     ["escalation.phases.review: expected a table {overdue = [...], responsible = ...}",
      "escalation.phases.signing: expected a table {overdue = [...], responsible = ...}"]),
    ("ladder-overdue-empty", edited(('overdue = ["reviewed"]', "overdue = []")),
     ["escalation.phases.signing.overdue: expected a non-empty list of state names"]),
    ("no-levels", without_levels(builtin_text()),
     ["escalation.levels: at least one level is needed"]),
    ("levels-out-of-order", edited(("level = 2", "level = 3")),
     ["escalation.levels[1].level: expected 2: levels are numbered 1, 2, … in order"]),
    ("negative-delay", edited(("delay_days = 0", "delay_days = -1")),
     ["escalation.levels[0].delay_days: must be 0 or more"]),
    ("delay-goes-back", edited(("delay_days = 7", "delay_days = 2")),
     ["escalation.levels[2].delay_days: must not be less than level 2's (3)"]),
    ("lapses-not-a-boolean", edited(("\nlapses = true", '\nlapses = "yes"')),
     ["escalation.levels[2].lapses: expected bool, got str"]),
    ("unknown-targets",
     edited(('target = "province"       # 省工信厅两化融合推进处', 'target = "mayor"'),
            ('target = "province"       # 省工信厅\n', 'target = "governor"\n')),
     [f"escalation.levels[1].target: unknown target 'mayor' (targets: {TARGETS})",
      f"escalation.levels[2].target: unknown target 'governor' (targets: {TARGETS})"]),
    ("level-not-a-table",
     without_levels(builtin_text()).replace("levels = []", 'levels = ["now", "later"]'),
     ["escalation.levels[0]: expected a table", "escalation.levels[1]: expected a table"]),
    ("reopen-negative", edited(("reopen_within_days = 30", "reopen_within_days = -1")),
     ["extensions.reopen_within_days: must be 0 or more"]),
    ("reopen-text", edited(("reopen_within_days = 30", 'reopen_within_days = "30"')),
     ["extensions.reopen_within_days: expected int, got str"]),
    ("no-categories", without_tables("categories", "[materials]"),
     ["categories: at least one category is needed"]),
    ("no-batches", without_tables("batches", "[materials]"),
     ["batches: at least one batch is needed"]),
    ("duplicate-batch",
     builtin_text() + "\n" + builtin_text()[builtin_text().index("[[batches]]"):
                                            builtin_text().index("# Deadline extensions")],
     ["batches[1]: duplicate batch key '2020-1'"]),
    ("windows-not-tables",
     edited(("docking = { closes = 2020-07-15 }", "docking = 2020-07-15"),
            ("review = { closes = 2020-09-30 }", 'review = "2020-09-30"')),
     ["batches[2020-1].windows.docking: expected a table {opens = ..., closes = ...}",
      "batches[2020-1].windows.review: expected a table {opens = ..., closes = ...}"]),
    ("opens-a-date-time", edited(("signing = { opens = 2020-10-01,",
                                  "signing = { opens = 2020-10-01T09:00:00,")),
     ["batches[2020-1].windows.signing.opens: expected a date such as 2020-10-01"]),
    ("targets-by-a-date-time", edited(("targets_by = 2022-12-31", "targets_by = 2022-12-31T12:00:00")),
     ["top level.targets_by: expected a date such as 2022-12-31"]),
    ("negative-documents", edited(("electronic_documents = 1", "electronic_documents = -1")),
     ["materials.electronic_documents: must be 0 or more"]),
    ("grants-not-a-list", edited(('review = [{ role = "province" }]', 'review = { role = "province" }')),
     ["permissions.review: expected a list of {role = ...} tables"]),
    ("grant-not-a-table", edited(('review = [{ role = "province" }]', 'review = ["province"]')),
     ["permissions.review[0]: expected a table"]),
    ("not-a-province", edited(('province = "320000"', 'province = "320100"')),
     ["province: '320100' is not a province's division code (e.g. '320000', six digits ending "
      "in 0000)"]),
]


@pytest.mark.parametrize(("text", "messages"),
                         [pytest.param(t, m, id=i) for i, t, m in SECTION_FAULTS])
def test_each_section_names_each_of_its_faults(text, messages):
    assert problems_of(text) == [f"<policy>: {m}" for m in messages]


def test_a_window_may_open_and_close_on_one_day():
    policy = policies.parse(edited(("signing = { opens = 2020-10-01, closes = 2020-10-31 }",
                                    "signing = { opens = 2020-10-31, closes = 2020-10-31 }")))
    window = policy.batches["2020-1"].windows["signing"]
    assert (window.opens, window.closes) == (date(2020, 10, 31), date(2020, 10, 31))
    assert (window.opens_at, window.closes_at) == (datetime(2020, 10, 31, tzinfo=CST),
                                                  datetime(2020, 11, 1, tzinfo=CST))


def test_a_batch_without_a_name_is_named_by_its_key_and_keeps_its_windows_in_order(builtin):
    policy = policies.parse(edited(('name = "2020年第一批"\n', "")))
    batch = policy.batches["2020-1"]
    assert (batch.key, batch.name, batch.windows_out_of_order) == ("2020-1", "2020-1", False)
    assert batch.windows == builtin.batches["2020-1"].windows
    assert policy.reopen_within_days == builtin.reopen_within_days == 30


def test_builtin_ladder_roles_materials_and_categories_are_read_in_full(builtin):
    """Every value of the sections the engine reads, as programme.toml states it."""
    from accel666.policies.model import Category, Ladder, Level, Materials, OverdueRule, Role

    assert builtin.escalation == Ladder(
        phases={
            "application": OverdueRule("application", ("docked",), "city"),
            "recommendation": OverdueRule("recommendation", ("applied",), "city"),
            "review": OverdueRule("review", ("recommended",), "province"),
            "signing": OverdueRule("signing", ("reviewed",), "province"),
            "publication": OverdueRule("publication", ("signed",), "province"),
        },
        levels=(Level(1, 0, "responsible", False), Level(2, 3, "province", False),
                Level(3, 7, "province", True)),
        ack_stops_ladder=True, supervisor="province", webhook=None,
        webhook_timeout_seconds=10.0, max_attempts=5, backoff_seconds=60,
        backoff_max_seconds=21_600)
    assert builtin.roles == {"enterprise": Role("enterprise", "enterprise"),
                             "tencent": Role("tencent", "none"), "city": Role("city", "region"),
                             "province": Role("province", "none"),
                             "expert": Role("expert", "expert")}
    assert builtin.materials == Materials(2, 1, 20_971_520)
    assert builtin.categories["backbone"] == Category(
        "backbone", "工业互联网服务骨干企业", "industrial-internet backbone service enterprise", 60)
    assert builtin.province == "320000"


def test_ladder_options_left_out_take_their_defaults():
    options = ("ack_stops_ladder = true", 'supervisor = "province"', 'webhook = ""',
               "webhook_timeout_seconds = 10", "max_attempts = 5", "backoff_seconds = 60",
               "backoff_max_seconds = 21_600")
    text = edited(*((f"\n{o}", "\n") for o in options))
    given = policies.parse(edited(("ack_stops_ladder = true", "ack_stops_ladder = false"),
                                  ('webhook = ""', 'webhook = "https://hooks.example/666"'),
                                  ("webhook_timeout_seconds = 10", "webhook_timeout_seconds = 2.5"),
                                  ("max_attempts = 5", "max_attempts = 9"),
                                  ("backoff_seconds = 60", "backoff_seconds = 30"),
                                  ("backoff_max_seconds = 21_600", "backoff_max_seconds = 600")))
    defaults = policies.parse(text).escalation
    assert (defaults.ack_stops_ladder, defaults.supervisor, defaults.webhook,
            defaults.webhook_timeout_seconds, defaults.max_attempts, defaults.backoff_seconds,
            defaults.backoff_max_seconds) == (True, "province", None, 10.0, 5, 60, 21_600)
    ladder = given.escalation
    assert (ladder.ack_stops_ladder, ladder.webhook, ladder.webhook_timeout_seconds,
            ladder.max_attempts, ladder.backoff_seconds, ladder.backoff_max_seconds) == (
        False, "https://hooks.example/666", 2.5, 9, 30, 600)


LADDER_FAULTS = [
    ("webhook-not-http", ('webhook = ""', 'webhook = "ftp://hooks.example"'),
     ["escalation.webhook: 'ftp://hooks.example' is not a webhook URL: expected an http:// or "
      "https:// URL"]),
    # The checks a webhook given on the command line meets: a sweep would refuse each of these.
    ("webhook-without-host", ('webhook = ""', 'webhook = "http:///hook"'),
     ["escalation.webhook: 'http:///hook' is not a webhook URL: expected a URL with a host, e.g. "
      "https://ops.example/hook"]),
    ("webhook-with-space", ('webhook = ""', 'webhook = "https://ops.example/my hook"'),
     ["escalation.webhook: 'https://ops.example/my hook' is not a webhook URL: expected a URL in "
      "printable ASCII without spaces (percent-encode other characters)"]),
    ("webhook-bad-port", ('webhook = ""', 'webhook = "http://ops.example:99999/hook"'),
     ["escalation.webhook: 'http://ops.example:99999/hook' is not a webhook URL: not a valid "
      "URL: Port out of range 0-65535"]),
    ("webhook-too-long", ('webhook = ""', f'webhook = "https://ops.example/{"a" * 2000}"'),
     ["escalation.webhook: 'https://ops.example/aaaaaaaaaaaaaaaaaaaa…' is not a webhook URL: at "
      "most 2000 characters (got 2020)"]),
    ("timeout-zero", ("webhook_timeout_seconds = 10", "webhook_timeout_seconds = 0"),
     ["escalation.webhook_timeout_seconds: must be more than 0"]),
    ("no-attempts", ("max_attempts = 5", "max_attempts = 0"),
     ["escalation.max_attempts: must be at least 1"]),
    ("negative-backoff", ("backoff_seconds = 60", "backoff_seconds = -1"),
     ["escalation.backoff_seconds: must be 0 or more"]),
    ("backoff-cap-below", ("backoff_max_seconds = 21_600", "backoff_max_seconds = 59"),
     ["escalation.backoff_max_seconds: must be at least backoff_seconds"]),
    ("unknown-supervisor", ('supervisor = "province"', 'supervisor = "mayor"'),
     [f"escalation.supervisor: unknown role 'mayor' (roles: {ROLES})"]),
    ("reopen-above-bound", ("reopen_within_days = 30", "reopen_within_days = 367"),
     ["extensions.reopen_within_days: must be at most 366 (got 367)"]),
    ("role-not-a-table", ('tencent = { scope = "none" }', 'tencent = "none"'),
     ["roles.tencent: expected a table"]),
]


@pytest.mark.parametrize(("edit", "messages"),
                         [pytest.param(e, m, id=i) for i, e, m in LADDER_FAULTS])
def test_each_ladder_option_and_role_is_checked(edit, messages):
    assert problems_of(edited(edit)) == [f"<policy>: {m}" for m in messages]


def test_an_option_at_its_bound_is_accepted():
    policy = policies.parse(edited(("backoff_seconds = 60", "backoff_seconds = 0"),
                                   ("max_attempts = 5", "max_attempts = 1"),
                                   ("backoff_max_seconds = 21_600", "backoff_max_seconds = 0"),
                                   ("reopen_within_days = 30", "reopen_within_days = 0"),
                                   ("min_paper_copies = 2", "min_paper_copies = 0"),
                                   ("electronic_documents = 1", "electronic_documents = 0"),
                                   ("max_document_bytes = 20_971_520", "max_document_bytes = 1"),
                                   ("target = 6", "target = 0")))
    ladder = policy.escalation
    assert (ladder.backoff_seconds, ladder.max_attempts, ladder.backoff_max_seconds) == (0, 1, 0)
    assert policy.reopen_within_days == 0
    assert policy.materials.min_paper_copies == 0
    assert (policy.materials.electronic_documents, policy.materials.max_document_bytes) == (0, 1)
    assert policy.categories["cloud-base"].target == 0


def cut(start: str, end: str) -> str:
    """The built-in text without the part from `start` up to (not including) `end`."""
    text = builtin_text()
    i, j = text.index(start), text.index(end)
    assert i < j, (start, end)
    return text[:i] + text[j:]


# Each key missing, or of the wrong type, is reported at its own place in the file. A file that
# extends the built-in one replaces a top-level key with its own value.
EXTENDS = 'extends = "builtin"\n'
MISPLACED = [
    ("timezone-type", EXTENDS + "timezone = 8", ["top level.timezone: expected str, got int"]),
    ("province-type", EXTENDS + "province = 320000", ["top level.province: expected str, got int"]),
    ("regions-type", EXTENDS + 'regions = "all"', ["top level.regions: expected list, got str"]),
    ("materials-type", EXTENDS + "materials = 2", ["top level.materials: expected dict, got int"]),
    ("categories-type", EXTENDS + "categories = {}",
     ["top level.categories: expected list, got dict"]),
    ("roles-type", EXTENDS + 'roles = ["city"]', ["top level.roles: expected dict, got list"]),
    ("permissions-type", EXTENDS + "permissions = []",
     ["top level.permissions: expected dict, got list"]),
    ("extensions-type", EXTENDS + "extensions = 30",
     ["top level.extensions: expected dict, got int"]),
    ("escalation-type", EXTENDS + 'escalation = ["province"]', ["escalation: expected a table"]),
    ("extended-batches-type", EXTENDS + 'batches = { key = "2026-2" }',
     ["batches: expected a list of [[batches]] tables"]),
    ("province-missing", edited(('province = "320000"\n', "")), ["top level: missing key 'province'"]),
    ("regions-missing", cut("regions = [", "[materials]"), ["top level: missing key 'regions'"]),
    ("materials-missing", cut("[materials]", "[[categories]]"),
     ["top level: missing key 'materials'"]),
    ("categories-missing", cut("[[categories]]", "# Who may fire"),
     ["top level: missing key 'categories'"]),
    ("roles-missing", cut("[roles]", "[permissions]"), ["top level: missing key 'roles'"]),
    ("permissions-missing", cut("[permissions]", "# A batch has"),
     ["top level: missing key 'permissions'"]),
    ("category-key-missing", edited(('key = "cloud-base"\n', "")),
     ["categories[0]: missing key 'key'"]),
    ("category-name-type", edited(('name = "工业互联网服务骨干企业"', "name = 60")),
     ["categories[1].name: expected str, got int"]),
    ("category-english-missing", edited(('english = "enterprise on cloud / on platform demonstration '
                                         'enterprise"\n', "")),
     ["categories[2]: missing key 'english'"]),
    ("documents-missing", edited(("electronic_documents = 1 ", "# ")),
     ["materials: missing key 'electronic_documents'"]),
    ("document-bytes-type", edited(("max_document_bytes = 20_971_520", 'max_document_bytes = "20M"')),
     ["materials.max_document_bytes: expected int, got str"]),
    ("region-code-missing", edited(('{ code = "320200", name = "无锡市", key = "wuxi" }',
                                    '{ name = "无锡市", key = "wuxi" }')),
     ["regions[1]: missing key 'code'"]),
    ("region-name-type", edited(('name = "南通市"', "name = 6")),
     ["regions[5].name: expected str, got int"]),
    ("level-number-missing", edited(("level = 3\n", "")),
     ["escalation.levels[2]: missing key 'level'"]),
    ("level-target-type", edited(('target = "responsible"', "target = 1")),
     ["escalation.levels[0].target: expected str, got int"]),
    ("role-scope-missing", edited(('city = { scope = "region" }', "city = {}")),
     ["roles.city: missing key 'scope'"]),
    ("grant-role-missing", edited(('review = [{ role = "province" }]',
                                   'review = [{ from = ["recommended"] }]')),
     ["permissions.review[0]: missing key 'role'"]),
    ("batch-key-missing", edited(('key = "2020-1"\n', "")), ["batches[0]: missing key 'key'"]),
    ("batch-name-type", edited(('name = "2020年第一批"', "name = 2020")),
     ["batches[2020-1].name: expected str, got int"]),
    ("batch-windows-missing", cut("[batches.windows]", "# Deadline extensions"),
     ["batches[2020-1]: missing key 'windows'"]),
    ("batch-windows-type", cut("[batches.windows]", "# Deadline extensions").replace(
        'name = "2020年第一批"', 'name = "2020年第一批"\nwindows = "2020"'),
     ["batches[2020-1].windows: expected dict, got str"]),
    ("window-closes-missing", edited(("review = { closes = 2020-09-30 }", "review = {}")),
     ["batches[2020-1].windows.review: missing key 'closes'"]),
    ("ladder-phases-missing", cut("[escalation.phases]", "[[escalation.levels]]"),
     ["escalation: missing key 'phases'"]),
    ("ladder-levels-missing", builtin_text().split("[[escalation.levels]]")[0],
     ["escalation: missing key 'levels'"]),
    ("ladder-overdue-missing", edited(('review = { overdue = ["recommended"], ', "review = { ")),
     ["escalation.phases.review: missing key 'overdue'"]),
    ("ladder-responsible-missing", edited((', responsible = "province" }', " }")),
     ["escalation.phases.review: missing key 'responsible'"]),
    ("ladder-overdue-type", edited(('overdue = ["recommended"]', 'overdue = "recommended"')),
     ["escalation.phases.review.overdue: expected list, got str"]),
    ("level-delay-missing", edited(("delay_days = 3\n", "")),
     ["escalation.levels[1]: missing key 'delay_days'"]),
    *((f"ladder-{key}-type", edited((f"\n{key} = ", f"\n{key} = {wrong}  # ")),
       [f"escalation.{key}: expected {kind}, got {got}"])
      for key, wrong, kind, got in (
          ("ack_stops_ladder", "1", "bool", "int"), ("supervisor", "1", "str", "int"),
          ("webhook", "false", "str", "bool"),
          ("webhook_timeout_seconds", '"10"', "int or float", "str"),
          ("max_attempts", "5.0", "int", "float"), ("backoff_seconds", "true", "int", "bool"),
          ("backoff_max_seconds", "[]", "int", "list"))),
]


@pytest.mark.parametrize(("text", "messages"), [pytest.param(t, m, id=i) for i, t, m in MISPLACED])
def test_a_missing_or_mistyped_key_is_reported_where_it_belongs(text, messages):
    assert problems_of(text) == [f"<policy>: {m}" for m in messages]


# Faults of one kind, twice in one section: the check goes on past the first.
TWICE = [
    ("two-missing-windows", edited(("review = { closes = 2020-09-30 }\n", ""),
                                   ("publication = { opens = 2020-10-01, closes = 2020-10-31 }\n",
                                    "")),
     ["batches[2020-1].windows.review: missing window",
      "batches[2020-1].windows.publication: missing window"]),
    ("a-window-without-its-close-then-one-that-opens-late",
     edited(("review = { closes = 2020-09-30 }", "review = { opens = 2020-09-01 }"),
            ("signing = { opens = 2020-10-01", "signing = { opens = 2020-11-01")),
     ["batches[2020-1].windows.review: missing key 'closes'",
      "batches[2020-1].windows.signing: opens 2020-11-01 after it closes 2020-10-31"]),
    ("a-missing-window-then-one-out-of-order",
     edited(("application = { closes = 2020-08-30 }\n", ""),
            ("recommendation = { closes = 2020-08-30 }", "recommendation = { closes = 2020-07-10 }")),
     ["batches[2020-1].windows.application: missing window",
      "batches[2020-1].windows.recommendation: closes 2020-07-10, before the docking window "
      "closes (2020-07-15); if that is intended, set windows_out_of_order = true in the batch"]),
    ("two-phases-out-of-order",
     edited(OUT_OF_ORDER, ("review = { closes = 2020-09-30 }", "review = { closes = 2020-08-01 }")),
     ["batches[2020-1].windows.application: closes 2020-07-10, before the docking window closes "
      "(2020-07-15); if that is intended, set windows_out_of_order = true in the batch",
      "batches[2020-1].windows.review: closes 2020-08-01, before the recommendation window "
      "closes (2020-08-30); if that is intended, set windows_out_of_order = true in the batch"]),
    ("two-unknown-events", edited(('extend = [{ role = "province" }]',
                                   'fly = [{ role = "city" }]\nswim = [{ role = "city" }]\n'
                                   'extend = [{ role = "province" }]')),
     [f"permissions: unknown event 'fly' (events: {EVENTS})",
      f"permissions: unknown event 'swim' (events: {EVENTS})"]),
    ("two-grants-not-lists", edited(('review = [{ role = "province" }]', 'review = { role = "province" }'),
                                    ('publish = [{ role = "province" }]',
                                     'publish = { role = "province" }')),
     ["permissions.review: expected a list of {role = ...} tables",
      "permissions.publish: expected a list of {role = ...} tables"]),
    ("two-from-not-lists", edited(('from = ["applied"]', 'from = "applied"'),
                                  ('from = ["recommended", "reviewed"]',
                                   'from = ["recommended", 3]')),
     ["permissions.reject[0].from: expected a list of state names",
      "permissions.reject[1].from: expected a list of state names"]),
    ("two-regions-without-a-key",
     edited(('{ code = "320300", name = "徐州市", key = "xuzhou" }',
             '{ code = "320300", name = "徐州市" }'),
            ('{ code = "320400", name = "常州市", key = "changzhou" }',
             '{ code = "320400", key = "changzhou" }')),
     ["regions[2]: missing key 'key'", "regions[3]: missing key 'name'"]),
    ("two-roles-not-tables", edited(('tencent = { scope = "none" }', 'tencent = "none"'),
                                    ('province = { scope = "none" }', 'province = "none"')),
     ["roles.tencent: expected a table", "roles.province: expected a table"]),
]


@pytest.mark.parametrize(("text", "messages"), [pytest.param(t, m, id=i) for i, t, m in TWICE])
def test_a_second_fault_of_one_kind_is_named_too(text, messages):
    assert problems_of(text) == [f"<policy>: {m}" for m in messages]


def test_an_unknown_key_in_extensions_is_named():
    assert problems_of(edited(("reopen_within_days = 30", "reopen_within_day = 30"))) == [
        "<policy>: extensions: unknown key 'reopen_within_day' (did you mean "
        "'reopen_within_days'?)"]


@pytest.mark.parametrize("text", [
    pytest.param(edited(("reopen_within_days = 30\n", "")), id="empty-table"),
    pytest.param(cut("[extensions]", "# The escalation ladder"), id="no-table"),
])
def test_extensions_left_out_reopen_within_30_days(text):
    assert policies.parse(text).reopen_within_days == 30


def test_a_ladder_may_name_any_role_supervisor_post_to_http_and_wait_one_second():
    ladder = policies.parse(edited(('supervisor = "province"', 'supervisor = "city"'),
                                   ('webhook = ""', 'webhook = "http://127.0.0.1:8080/666"'),
                                   ("webhook_timeout_seconds = 10", "webhook_timeout_seconds = 1"))
                            ).escalation
    assert (ladder.supervisor, ladder.webhook, ladder.webhook_timeout_seconds) == (
        "city", "http://127.0.0.1:8080/666", 1.0)
    assert policies.parse(edited(("webhook_timeout_seconds = 10",
                                  "webhook_timeout_seconds = 0.5"))
                          ).escalation.webhook_timeout_seconds == 0.5


def test_load_of_a_path_with_a_nul_byte_names_it_quoted():
    with pytest.raises(PolicyError) as err:
        policies.load("bad\0name.toml")
    assert err.value.problems == [
        "cannot read policy file 'bad\\x00name.toml': embedded null byte"]


@pytest.mark.parametrize(("old", "new", "problem"), [
    ("max_document_bytes = 20_971_520", "max_document_bytes = 1_073_741_825",
     "materials.max_document_bytes: must be at most 1_073_741_824 (got 1073741825)"),
    ("target = 600", "target = 1_000_001", "categories[2].target: must be at most 1_000_000 (got 1000001)"),
    ('province = "320000"', 'province = "3200000"',
     "province: '3200000' is not a province's division code (e.g. '320000', six digits ending in 0000)"),
    ('province = "320000"', 'province = "JS0000"',
     "province: 'JS0000' is not a province's division code (e.g. '320000', six digits ending in 0000)"),
])
def test_a_value_beyond_its_rule_is_refused_alone(old, new, problem):
    assert problems_of(edited((old, new))) == [f"<policy>: {problem}"]


def test_every_bound_is_accepted_at_its_value():
    """The upper bounds are inclusive, and so are the first and last days a policy may name."""
    policy = policies.parse(edited(
        ("min_paper_copies = 2", "min_paper_copies = 100"),
        ("max_document_bytes = 20_971_520", "max_document_bytes = 1_073_741_824"),
        ("target = 600", "target = 1_000_000"),
        ("targets_by = 2022-12-31", "targets_by = 2000-01-01"),
        ("publication = { opens = 2020-10-01, closes = 2020-10-31 }",
         "publication = { opens = 2020-10-01, closes = 2099-12-31 }"),
        ("reopen_within_days = 30", "reopen_within_days = 366"),
        ("webhook_timeout_seconds = 10", "webhook_timeout_seconds = 300"),
        ("max_attempts = 5", "max_attempts = 100"),
        ("backoff_seconds = 60", "backoff_seconds = 86_400"),
        ("backoff_max_seconds = 21_600", "backoff_max_seconds = 604_800"),
        ("delay_days = 7", "delay_days = 366")))
    ladder = policy.escalation
    assert (policy.materials.min_paper_copies, policy.materials.max_document_bytes) == (100, 1 << 30)
    assert policy.categories["demo"].target == 1_000_000
    assert policy.targets_by == date(2000, 1, 1)
    assert policy.batches["2020-1"].windows["publication"].closes == date(2099, 12, 31)
    assert policy.reopen_within_days == 366
    assert (ladder.webhook_timeout_seconds, ladder.max_attempts, ladder.backoff_seconds,
            ladder.backoff_max_seconds, ladder.levels[2].delay_days) == (
        300.0, 100, 86_400, 604_800, 366)


def test_two_levels_may_fire_together_but_not_go_back():
    """A level may wait as long as the one below it; waiting less is refused, naming that level."""
    same = policies.parse(edited(("delay_days = 7", "delay_days = 3")))
    assert [level.delay_days for level in same.escalation.levels] == [0, 3, 3]
    assert problems_of(edited(("delay_days = 0", "delay_days = 5"))) == [
        "<policy>: escalation.levels[1].delay_days: must not be less than level 1's (5)"]


def test_an_act_no_grant_names_is_permitted_to_nobody():
    policy = policies.parse(edited(('extend = [{ role = "province" }]\n', "")))
    assert policy.permissions["extend"] == ()
    assert list(policy.permissions) == EVENTS.split(", ")


def test_the_builtin_policy_names_itself():
    assert policies.load().source == "<builtin programme.toml>"


def test_a_policy_for_another_province_keeps_its_code_and_regions():
    policy = policies.parse(EXTENDS + 'province = "440000"\n'
                            'regions = [{ code = "440100", name = "广州市", key = "guangzhou" }]\n')
    assert policy.province == "440000"
    assert [(r.code, r.name, r.key) for r in policy.regions.values()] == [
        ("440100", "广州市", "guangzhou")]


def test_a_webhook_of_the_longest_length_is_accepted_and_quoted_in_full():
    """2,000 characters is the limit: such a URL loads, and one with another fault is quoted
    whole (only a longer one is cut to its first 40 characters)."""
    longest = "https://ops.example/" + "a" * 1980
    assert policies.parse(edited(('webhook = ""', f'webhook = "{longest}"'))).escalation.webhook \
        == longest
    spaced = "https://ops.example/ " + "a" * 1979
    assert problems_of(edited(('webhook = ""', f'webhook = "{spaced}"'))) == [
        f"<policy>: escalation.webhook: {spaced!r} is not a webhook URL: expected a URL in "
        "printable ASCII without spaces (percent-encode other characters)"]


@pytest.mark.parametrize("url", ["https://ops.example/café", "https://ops.example/\\u0007"])
def test_a_webhook_outside_printable_ascii_is_refused(url):
    (problem,) = problems_of(edited(('webhook = ""', f'webhook = "{url}"')))
    assert problem.endswith("is not a webhook URL: expected a URL in printable ASCII without "
                            "spaces (percent-encode other characters)")
