"""Who may read what, as policy: the [reads] table (each role's reach: own, region or all), the
loader's refusals, and the pure rule (`policies.rules.reach`, `may_read`, `may_read_region`)."""

from __future__ import annotations

import pytest

from accel666 import policies
from accel666.policies import PolicyError, as_document
from accel666.policies.rules import READS, Reach, may_read, may_read_region, reach
from tests.policies.test_policy_loader import builtin_text, edited, problems_of

CODE_A = "914403001922038216"
CODE_B = "91440300708461136T"
BUILTIN_READS = {"enterprise": "own", "city": "region", "tencent": "all", "province": "all",
                 "expert": "panel"}


@pytest.fixture
def builtin() -> policies.Policy:
    return policies.load()


def test_the_builtin_reads_each_role_as_the_programme_says(builtin):
    assert builtin.reads == BUILTIN_READS
    assert "[reads]" in builtin_text()


@pytest.mark.parametrize(("role", "scope", "expected"), [
    ("enterprise", CODE_A, Reach("own", CODE_A)),
    ("city", "320500", Reach("region", "320500")),
    ("city", "320583", Reach("region", "320583")),
    ("tencent", None, Reach("all", None)),
    ("province", None, Reach("all", None)),
])
def test_a_reach_is_the_roles_kind_with_the_actors_scope(builtin, role, scope, expected):
    assert reach(builtin, role, scope) == expected


@pytest.mark.parametrize(("role", "scope", "region", "code", "allowed"), [
    ("enterprise", CODE_A, "320500", CODE_A, True),
    ("enterprise", CODE_A, "320100", CODE_A, True),    # its own, wherever it was docked
    ("enterprise", CODE_A, "320500", CODE_B, False),
    ("city", "320500", "320500", CODE_B, True),
    ("city", "320500", "320583", CODE_B, False),       # Kunshan is a bureau of its own
    ("city", "320583", "320500", CODE_B, False),
    ("city", "321200", "321283", CODE_A, False),       # Taixing is not Taizhou's
    ("city", "321300", "321322", CODE_A, False),       # nor Shuyang Suqian's
    ("city", "321322", "321322", CODE_A, True),
    ("tencent", None, "321322", CODE_A, True),
    ("province", None, "320100", CODE_B, True),
])
def test_may_read_a_project(builtin, role, scope, region, code, allowed):
    denial = may_read(builtin, role, scope, project_id=7, region=region, credit_code=code)
    assert (denial is None) == allowed
    if denial is not None:
        assert denial.guard == READS == "reads"
        assert denial.facts == {"project_id": 7, "role": role, "scope": scope,
                                "reach": builtin.reads[role]}


def test_a_refusal_says_whose_reach_and_which_project(builtin):
    city = may_read(builtin, "city", "320500", project_id=7, region="320583", credit_code=CODE_A)
    own = may_read(builtin, "enterprise", CODE_B, project_id=7, region="320500",
                   credit_code=CODE_A)
    assert city is not None and own is not None
    assert city.message == "city:320500 reads only the projects of region 320500 (苏州市), " \
                           "not project 7"
    assert own.message == f"enterprise:{CODE_B} reads only its own projects, not project 7"


@pytest.mark.parametrize(("role", "scope", "region", "allowed"), [
    ("city", "320500", "320500", True),
    ("city", "320500", "320583", False),
    ("city", "320500", None, True),
    ("enterprise", CODE_A, "320100", True),  # narrowed again to its own projects there
    ("province", None, "320100", True),
])
def test_may_read_a_region(builtin, role, scope, region, allowed):
    denial = may_read_region(builtin, role, scope, region)
    assert (denial is None) == allowed
    if denial is not None:
        assert denial.message == ("city:320500 reads only the projects of region 320500 "
                                  "(苏州市), not those of region 320583 (昆山市)")
        assert denial.facts == {"region": "320583", "role": "city", "scope": "320500",
                                "reach": "region"}


def test_a_policy_may_widen_a_roles_reach():
    policy = policies.parse(edited(('city = "region"  ', 'city = "all"  ')))
    assert policy.reads["city"] == "all"
    assert may_read(policy, "city", "320500", project_id=1, region="320100",
                    credit_code=CODE_A) is None


def test_a_policy_without_reads_reads_as_each_roles_scope_implies(builtin):
    start, end = builtin_text().index("[reads]"), builtin_text().index("[[batches]]")
    without = builtin_text()[:start] + builtin_text()[end:]
    assert policies.parse(without) == builtin
    assert policies.parse(edited(('tencent = "all"  ', ""))).reads == BUILTIN_READS


def test_the_canonical_document_leaves_implied_reads_out_and_spells_out_others(builtin):
    """A policy whose roles read as their scopes imply has the canonical text it had before
    [reads] existed (so a database's recorded policy keeps its digest); `complete` spells the
    table out; any other [reads] is in both, and each loads back to the same policy."""
    import tomli_w

    assert "reads" not in as_document(builtin)
    complete = as_document(builtin, complete=True)
    assert complete["reads"] == BUILTIN_READS
    assert list(complete).index("reads") == list(complete).index("permissions") + 1
    assert policies.parse(tomli_w.dumps(complete)) == builtin
    wider = policies.parse(edited(('city = "region"  ', 'city = "all"  ')))
    assert as_document(wider)["reads"] == {**BUILTIN_READS, "city": "all"}
    assert policies.parse(tomli_w.dumps(as_document(wider))) == wider


READS_FAULTS = [
    ("unknown-role", ('tencent = "all"  ', 'tencnet = "all"  '),
     ["reads: unknown role 'tencnet' (did you mean 'tencent'?)"]),
    ("unknown-reach", ('city = "region"  ', 'city = "regoin"  '),
     ["reads.city: unknown reach 'regoin' (did you mean 'region'?)"]),
    ("panel-for-a-city", ('city = "region"  ', 'city = "panel"  '),
     ["reads.city: reach 'panel' needs a role scoped to an expert (roles.city has scope "
      "'region')"]),
    ("not-text", ('province = "all"  ', 'province = 1  '),
     ["reads.province: expected str, got int"]),
    ("region-without-region-scope", ('tencent = "all"  ', 'tencent = "region"  '),
     ["reads.tencent: reach 'region' needs a role scoped to a region (roles.tencent has "
      "scope 'none')"]),
    ("own-without-enterprise-scope", ('city = "region"  ', 'city = "own"  '),
     ["reads.city: reach 'own' needs a role scoped to an enterprise (roles.city has scope "
      "'region')"]),
    ("not-a-table", ("[reads]\n", "[reads_]\n"),
     ["top level: unknown key 'reads_' (did you mean 'reads'?)",
      "top level.reads: expected dict, got int"]),
]


@pytest.mark.parametrize(("edit", "messages"),
                         [pytest.param(e, m, id=i) for i, e, m in READS_FAULTS])
def test_the_loader_refuses_a_bad_reads_table_naming_the_fault(edit, messages):
    text = edited(edit)
    if "[reads_]" in text:
        text = "reads = 1\n" + text
    assert sorted(problems_of(text)) == sorted(f"<policy>: {m}" for m in messages)


def test_reads_faults_are_reported_with_every_other_problem():
    text = edited(('city = "region"  ', 'city = "everything"  '),
                  ('tencent = "all"  ', 'tencent = "own"  '), ("target = 60", "target = -1"))
    with pytest.raises(PolicyError) as err:
        policies.parse(text)
    assert len(err.value.problems) == 3
