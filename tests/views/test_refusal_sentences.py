"""Every error as a person reads it in Chinese (`views.refusals.described`): each kind of error
its own sentence, no English details where the sentence says it all; each of the public
notice's refusals from its facts; a moment as people read it."""

from __future__ import annotations

import pytest

from accel666.errors import (
    Conflict,
    NotFound,
    NotPermitted,
    Refused,
    Unauthenticated,
    Unavailable,
    WorkflowError,
)
from accel666.views import labels, refusals


@pytest.fixture
def zh():
    with labels.speaking("zh") as shown:
        yield shown


@pytest.mark.parametrize(("error", "said"), [
    (Conflict("apply", 3, 2), "项目 3 已被他人更改，请重新查看后再试"),
    (Unavailable("it is read-only", "attempt to write a readonly database"),
     "数据库暂不可用，请稍后重试：数据库为只读"),
    (Unavailable("the server cannot be reached", "connection refused"),
     "数据库暂不可用，请稍后重试：无法连接数据库服务器"),
    (Unauthenticated("unknown"), "身份验证失败：令牌无效"),
    (NotFound("project", 99), "未找到：项目：99"),
    (NotFound("project", 99, "no project 99 in batch 2021-1"),
     "未找到：项目。（no project 99 in batch 2021-1）"),
    (WorkflowError("boom"), "命令失败。（boom）"),
    (Refused("grant", "duplicate", "dup", facts={"name": "li"}),
     "新增操作员被拒绝：不符合操作员名称不得重复：已有名为 li 的操作员，名称不可重复使用"),
    (NotPermitted("read", "reads", "no", role="city", scope="320500"),
     "无权进行查阅：查阅范围：苏州市工信局 只能查阅其角色所及的项目：本地区或本企业的项目"),
    (NotPermitted("sign", "role", "no", role="tencent", scope=None),
     "无权进行签约：角色权限：角色 腾讯 无权进行此操作"),
])
def test_each_error_reads_in_chinese(zh, error, said):
    assert refusals.described(error) == said


def test_in_english_an_error_is_its_message():
    with labels.speaking("en"):
        assert refusals.described(Conflict("apply", 3, 2)) == Conflict("apply", 3, 2).message
        assert refusals.reason("must not be empty") == "must not be empty"


def test_an_unknown_database_failure_keeps_its_details(zh):
    told = refusals.described(Unavailable("the server says X (42)", "detail"))
    assert told.startswith("数据库暂不可用，请稍后重试。（") and "detail" in told


@pytest.mark.parametrize(("facts", "said"), [
    ({"open_objections": 2}, "该项目尚有 2 项异议未处理"),
    ({"notice": 1, "started_at": "2020-09-30T10:00:00+08:00",
      "closes_at": "2020-10-14T23:59:59.999999+08:00", "event": "sign"},
     "该项目仍在公示期内，公示期至 2020-10-14 23:59:59 +08:00"),
    ({"notice": 1, "started_at": "2020-09-30T10:00:00+08:00",
      "closes_at": "2020-10-14T23:59:59.999999+08:00", "event": "object"},
     "该项目公示期为 2020-09-30 10:00:00 +08:00 至 2020-10-14 23:59:59 +08:00：仅在公示期内受理"
     "异议"),
    ({"notice": None, "batch": "2020-1"}, "该项目尚未公示：请省工信厅以 notice start 2020-1 发起公示"),
    ({"notice": None}, "该项目未经公示：仅在公示期内受理异议"),
    ({"batch": "2021-1"}, "批次 2021-1 没有尚未公示的已评审项目：请先完成评审"),
])
def test_each_refusal_of_the_notice_reads_from_its_facts(zh, facts, said):
    assert refusals.sentence(zh, "notice", facts, "recorded") == said


def test_a_duplicate_project_names_its_category_by_name(zh):
    told = refusals.sentence(zh, "duplicate", {"credit_code": "914403001922038216",
                                               "category": "backbone", "batch": "2020-1"}, "r")
    assert told == "企业 914403001922038216 在 2020-1 批次的工业互联网服务骨干企业类别中已有在途项目"


@pytest.mark.parametrize(("value", "shown"), [
    ("2020-10-14T23:59:59.999999+08:00", "2020-10-14 23:59:59 +08:00"),
    ("2020-07-01T02:00:00+00:00", "2020-07-01 02:00:00 +00:00"),
    ("2020-10-14T23:59:59", "2020-10-14 23:59:59"),  # no offset: none shown
    ("not a time", "not a time"),
])
def test_a_moment_reads_to_the_second(value, shown):
    assert refusals.moment(value) == shown


def test_who_is_refused_by_name(zh):
    assert refusals.who("city", "320583") == "昆山市工信局"
    assert refusals.who("province", None) == "省工信厅"
    assert refusals.who(None, None) == "-"


def test_regions_and_verdicts_are_named_in_the_sentence(zh):
    avoid = refusals.sentence(zh, "avoid", {"expert": "wang", "conflicts": ["320500",
                                                                            CODE]}, "r")
    assert "苏州市" in avoid and CODE in avoid and "320500" not in avoid
    registered = refusals.sentence(zh, "registration", {"credit_code": CODE,
                                                        "registered_region": "320583"}, "r")
    assert "昆山市" in registered and "320583" not in registered
    panel = refusals.sentence(zh, "panel", {"outcome": "pass", "score": 85.0,
                                            "verdict": "fail", "pass_mark": 70}, "r")
    assert "通过" in panel and "不通过" in panel and "85" in panel and "85.0" not in panel


CODE = "914403001922038216"


def test_a_window_yet_to_open_names_its_opening(zh):
    told = refusals.sentence(zh, "window", {"batch": "2020-1", "phase": "signing",
                                            "opens_at": "2020-10-01T00:00:00+08:00"}, "r")
    assert told == "2020-1 批次的签约时间窗口将于 2020-10-01 00:00:00 +08:00 开始"


def test_an_english_reason_stays_as_the_library_words_it():
    with labels.speaking("en"):
        assert refusals.reason("must be from 0 to 100 (got 101)") == \
            "must be from 0 to 100 (got 101)"
    with labels.speaking("zh"):
        assert refusals.reason("must be from 0 to 100 (got 101)") == "须在 0 至 100 之间（实际为 101）"


def test_a_refusal_s_sentence_knows_the_act_refused(zh):
    facts = {"notice": 1, "started_at": "2020-09-30T10:00:00+08:00",
             "closes_at": "2020-10-14T23:59:59.999999+08:00"}
    objecting = refusals.described(Refused("object", "notice", "closed", facts=facts))
    signing = refusals.described(Refused("sign", "notice", "open", facts=facts))
    assert "仅在公示期内受理异议" in objecting and "仍在公示期内" in signing


def test_a_refusal_without_a_sentence_keeps_its_message(zh):
    told = refusals.described(Refused("apply", "no-such-guard", "the message as recorded"))
    assert told == "联合申报被拒绝：不符合no-such-guard。（apply refused: the message as recorded）"


def test_several_conflicts_are_listed_apart(zh):
    told = refusals.sentence(zh, "avoid", {"expert": "wang", "conflicts": ["320500", "320100"]},
                             "r")
    assert "苏州市，南京市" in told
