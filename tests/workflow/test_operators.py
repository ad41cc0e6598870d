"""Operators: the province grants a name a role and the operator a token, shown once; the
token finds its operator in one indexed query until the operator is revoked. Bad input
writes nothing; granting and revoking are chained in the ledger and logged, the token never."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC

import pytest
from sqlalchemy import event, select, text

from accel666 import (
    Actor,
    InvalidInput,
    IssuedToken,
    NotFound,
    Operator,
    Refused,
    Unauthenticated,
    WorkflowError,
    models,
)
from tests.helpers import CODE_A, cst, events
from tests.workflow.wf_support import snapshot

TOKEN = re.compile(r"a666_[A-Za-z0-9_-]{43}")
NOON = cst(2020, 7, 1, 12)  # the clock fixture's moment


def operator_rows(engine):
    with engine.db.connect() as conn:
        return conn.execute(select(models.operator_table).order_by(models.operator_table.c.id)
                            ).all()


def ledger_entries(engine, chain="operators"):
    L = models.ledger_table
    with engine.db.connect() as conn:
        return conn.execute(select(L).where(L.c.chain == chain).order_by(L.c.seq)).all()


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_rest):
        seen.append(statement)

    event.listen(engine.db, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.db, "before_cursor_execute", record)


# --- adding ----------------------------------------------------------------------------------

def test_an_added_operator_gets_a_token_shown_once_and_only_its_digest_is_kept(engine):
    issued = engine.add_operator("li.suzhou", "city:suzhou", by="王处长")
    assert isinstance(issued, IssuedToken)
    assert TOKEN.fullmatch(issued.token), issued.token
    assert issued.operator == Operator(
        id=1, name="li.suzhou", role="city", scope="320500", granted_at=NOON,
        granted_by="王处长", revoked_at=None, revoked_by=None, revoke_reason=None)
    (row,) = operator_rows(engine)
    assert row.token_sha256 == hashlib.sha256(issued.token.encode()).hexdigest()
    stored = json.dumps(snapshot(engine), default=str, ensure_ascii=False)
    assert issued.token not in stored
    assert issued.token[5:] not in stored
    assert issued.token not in repr(issued)


def test_every_token_is_new(engine):
    tokens = {engine.add_operator(f"op{i}", "tencent", by="prov").token for i in range(5)}
    assert len(tokens) == 5
    assert len({r.token_sha256 for r in operator_rows(engine)}) == 5


@pytest.mark.parametrize(("role", "expected"), [
    ("city:suzhou", ("city", "320500")),
    ("city:苏州市", ("city", "320500")),
    ("city:320583", ("city", "320583")),
    (" city : kunshan ", ("city", "320583")),
    (f"enterprise:{CODE_A.lower()}", ("enterprise", CODE_A)),
    ("tencent", ("tencent", None)),
    ("province", ("province", None)),
])
def test_the_role_is_checked_and_its_scope_resolved_as_any_actors(engine, role, expected):
    issued = engine.add_operator("op", role, by="prov")
    assert (issued.operator.role, issued.operator.scope) == expected
    assert (engine.operators()[0].role, engine.operators()[0].scope) == expected


@pytest.mark.parametrize("name", [
    "", "A", "Li", "-a", ".a", "_a", "a b", "a/b", "a:b", " a", "a ", "a\n", "a" * 65,
    5, None, b"ab",
    # People's names, but not with what could make one read as another or run in a terminal
    "王工\u202e", "王\u200b工", "王\x1b[31m工", "·王工", "王工 ", "ΛΙ", "王" * 65,
])
def test_a_bad_name_writes_nothing(engine, name):
    before = snapshot(engine)
    with pytest.raises(InvalidInput) as err:
        engine.add_operator(name, "tencent", by="prov")
    assert err.value.field == "name"
    assert snapshot(engine) == before


def test_names_at_the_limits_are_taken(engine):
    for name in ("a", "0", "a" * 64, "a.b_c-d", "9z"):
        assert engine.add_operator(name, "tencent", by="prov").operator.name == name


def test_people_are_named_as_they_are_in_any_script(engine, actors):
    """`operator add 王工` was refused (lower-case ASCII only), so the history said
    wang.kunshan; a name is a person's, in any script, and what the record shows."""
    tokens = {name: engine.add_operator(name, "tencent", by="prov").token
              for name in ("王工", "李处", "阿卜杜·热合曼", "王" * 64, "λι", "wang.kunshan")}
    assert [o.name for o in engine.operators()] == list(tokens)
    wang = engine.authenticate(tokens["王工"])
    project = engine.dock(wang.actor(), title="云上工厂", enterprise="苏州某某科技",
                          credit_code=CODE_A, region="suzhou", category="demo")
    assert engine.history(project.id)[0].actor == "王工"


def test_a_name_is_normalised_so_that_one_spelling_is_one_name(engine):
    decomposed = "e\u0301"  # é as e and a combining accent
    issued = engine.add_operator(decomposed, "tencent", by="prov")
    assert issued.operator.name == "\u00e9"
    with pytest.raises(Refused):
        engine.add_operator("\u00e9", "tencent", by="prov")


@pytest.mark.parametrize(("role", "field"), [
    ("mayor", "role"), ("", "role"), (":suzhou", "role"), ("CITY:suzhou", "role"),
    ("city", "scope"), ("city:", "scope"), ("city:atlantis", "scope"),
    ("province:suzhou", "scope"), ("tencent:x", "scope"), ("enterprise", "scope"),
    ("enterprise:123", "scope"), ("enterprise:914403001922038217", "scope"),
    (None, "role"), (["city"], "role"),
])
def test_a_bad_role_or_scope_writes_nothing(engine, role, field):
    before = snapshot(engine)
    with pytest.raises(InvalidInput) as err:
        engine.add_operator("op", role, by="prov")
    assert err.value.field == field
    assert snapshot(engine) == before


@pytest.mark.parametrize("by", ["", "  ", "a\nb", None, "x" * 201])
def test_a_bad_grantor_writes_nothing(engine, by):
    before = snapshot(engine)
    with pytest.raises(InvalidInput) as err:
        engine.add_operator("op", "tencent", by=by)
    assert err.value.field == "actor name"
    assert snapshot(engine) == before


@pytest.mark.parametrize("revoked", [False, True], ids=["live", "revoked"])
def test_a_name_is_never_given_twice(engine, revoked):
    engine.add_operator("li", "city:suzhou", by="prov")
    if revoked:
        engine.revoke_operator("li", by="prov", reason="调岗")
    before = snapshot(engine)
    with pytest.raises(Refused) as err:
        engine.add_operator("li", "province", by="prov")
    assert (err.value.event, err.value.guard) == ("grant", "duplicate")
    assert err.value.facts == {"name": "li", "revoked": revoked}
    state = "revoked" if revoked else "live"
    assert err.value.reason == (f"an operator named li exists already ({state}; a name is "
                                "never given twice)")
    assert snapshot(engine) == before


# --- listing and revoking --------------------------------------------------------------------

def test_the_list_holds_the_live_operators_and_with_revoked_all(engine, clock):
    engine.add_operator("a", "tencent", by="prov")
    clock.advance(hours=1)
    engine.add_operator("b", "province", by="prov")
    engine.add_operator("c", "city:nanjing", by="prov")
    clock.advance(hours=1)
    gone = engine.revoke_operator("b", by="王处长", reason="调岗")
    assert (gone.name, gone.revoked_at, gone.revoked_by, gone.revoke_reason) == (
        "b", cst(2020, 7, 1, 14), "王处长", "调岗")
    assert gone.revoked and not engine.operators()[0].revoked
    assert [o.name for o in engine.operators()] == ["a", "c"]
    everyone = engine.operators(include_revoked=True)
    assert [o.name for o in everyone] == ["a", "b", "c"]
    assert everyone[1] == gone
    assert everyone[0].granted_at == cst(2020, 7, 1, 12)


@pytest.mark.parametrize(("name", "reason", "value"), [
    ("a" * 100, "1 to 64 characters (got 100)", "a" * 80),
    ("王\u200b工", "letters, digits, '.', '_', '-' or '·' only: not '\\u200b' (U+200B)",
     "王\u200b工"),
    ("·王工", "begins with a letter or a digit", "·王工"),
    ("Li", "lower-case letters: 'li', not 'Li'", "Li"),
    ("e\u0301" + "A" * 90, "1 to 64 characters (got 91)", "\u00e9" + "A" * 79),
])
def test_a_refused_name_says_why_and_shows_it(engine, name, reason, value):
    """The reason names the fault, the value is the name as normalised, to 80 characters."""
    with pytest.raises(InvalidInput) as err:
        engine.add_operator(name, "tencent", by="prov")
    assert (err.value.field, err.value.reason, err.value.value) == ("name", reason, value)


def test_a_role_that_is_not_text_says_what_it_got(engine):
    with pytest.raises(InvalidInput) as err:
        engine.add_operator("li", 5, by="prov")
    assert (err.value.field, err.value.reason, err.value.value) == (
        "role", "expected ROLE[:SCOPE] as text, got int", 5)


def test_a_name_that_is_not_text_says_what_it_got(engine):
    with pytest.raises(InvalidInput) as err:
        engine.add_operator(5, "tencent", by="prov")
    assert (err.value.field, err.value.reason, err.value.value) == (
        "name", "expected text, got int", 5)


def test_a_revocation_keeps_a_long_reason_and_a_refused_one_is_logged_as_revoke(engine,
                                                                                caplog):
    engine.add_operator("li", "tencent", by="prov")
    reason = "调岗。" * 300  # 900 characters: a reason is long text, not a name
    assert engine.revoke_operator("li", by="prov", reason=reason).revoke_reason == reason
    with caplog.at_level(logging.DEBUG, logger="accel666"), pytest.raises(Refused):
        engine.revoke_operator("li", by="prov", reason="again")
    assert [e["trigger"] for e in events(caplog.records, "refused")] == ["revoke"]
    with pytest.raises(InvalidInput) as err:
        engine.revoke_operator("li", by=" ", reason="x")
    assert err.value.field == "actor name"


def test_include_revoked_must_be_a_bool(engine):
    with pytest.raises(InvalidInput) as err:
        engine.operators(include_revoked="yes")
    assert (err.value.field, err.value.reason, err.value.value) == (
        "include revoked", "expected True or False", "yes")


def test_an_unknown_operator_is_not_found_and_a_revoked_one_refused(engine):
    engine.add_operator("li", "tencent", by="prov")
    before = snapshot(engine)
    with pytest.raises(NotFound) as missing:
        engine.revoke_operator("wang", by="prov", reason="x")
    assert (missing.value.kind, missing.value.key) == ("operator", "wang")
    with pytest.raises(InvalidInput) as bad:
        engine.revoke_operator("Wang Wu", by="prov", reason="x")
    assert bad.value.field == "name"
    with pytest.raises(InvalidInput) as no_reason:
        engine.revoke_operator("li", by="prov", reason=" ")
    assert no_reason.value.field == "reason"
    assert snapshot(engine) == before
    engine.revoke_operator("li", by="prov", reason="调岗")
    before = snapshot(engine)
    with pytest.raises(Refused) as again:
        engine.revoke_operator("li", by="other", reason="again")
    assert (again.value.event, again.value.guard) == ("revoke", "revoked")
    at = engine.operators(include_revoked=True)[0].revoked_at
    assert again.value.facts == {"name": "li", "revoked_at": at.isoformat(),
                                 "revoked_by": "prov"}
    assert again.value.reason == f"operator li was revoked already, at {at.isoformat()} by prov"
    assert snapshot(engine) == before


# --- authenticating --------------------------------------------------------------------------

def test_the_token_finds_its_operator_who_acts_in_its_role(engine):
    issued = engine.add_operator("li.suzhou", "city:suzhou", by="prov")
    engine.add_operator("other", "tencent", by="prov")
    found = engine.authenticate(issued.token)
    assert found == issued.operator
    assert found.actor() == Actor(name="li.suzhou", role="city", scope="320500")


def refused_token(engine, token, reason):
    with pytest.raises(Unauthenticated) as err:
        engine.authenticate(token)
    assert isinstance(err.value, WorkflowError)
    assert err.value.reason == reason
    assert err.value.details() == {"reason": reason}
    if isinstance(token, str) and len(token) > len("a666_"):
        assert token not in str(err.value) and token not in json.dumps(err.value.to_dict())
    return err.value


def test_a_malformed_token_is_refused_before_any_query(engine):
    token = engine.add_operator("li", "tencent", by="prov").token
    with statements(engine) as ran:
        messages = {refused_token(engine, bad, "malformed").message for bad in (
            token[:-1], token + "x", token.replace("a666_", "b666_"), token.upper(),
            token[:-1] + "=", token[:-1] + "\n", " " + token[1:], "", "a666_",
            "x" * 100_000, None, 1234, token.encode())}
    assert ran == []
    assert messages == {"not authenticated: the token is malformed (a666_ and 43 URL-safe "
                        "characters)"}  # the same whatever was given: nothing of it shown


def test_an_unknown_token_is_refused(engine):
    engine.add_operator("li", "tencent", by="prov")
    error = refused_token(engine, "a666_" + "A" * 43, "unknown")
    assert error.message == "not authenticated: no operator holds this token"


def test_a_revoked_operators_token_is_refused(engine):
    token = engine.add_operator("li", "province", by="prov").token
    assert engine.authenticate(token).name == "li"
    engine.revoke_operator("li", by="prov", reason="离职")
    error = refused_token(engine, token, "revoked")
    assert error.message == "not authenticated: the operator holding this token was revoked"


def test_authenticating_is_one_query_through_the_tokens_unique_index(engine):
    token = engine.add_operator("li", "tencent", by="prov").token
    with statements(engine) as ran:
        engine.authenticate(token)
    assert len(ran) == 1, ran
    assert "accel666_operator" in ran[0] and "token_sha256" in ran[0]
    query = select(models.operator_table).where(
        models.operator_table.c.token_sha256 == hashlib.sha256(token.encode()).hexdigest())
    with engine.db.connect() as conn:
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        if conn.dialect.name == "sqlite":
            plan = " ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "USING INDEX" in plan, plan
        else:  # a handful of rows would be scanned: ask whether the index can serve
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(r[0] for r in conn.execute(text(f"EXPLAIN {sql}")))
            assert "uq_accel666_operator_token_sha256" in plan, plan


# --- the record -----------------------------------------------------------------------------

def test_granting_and_revoking_are_chained_in_the_ledger(engine, clock):
    issued = engine.add_operator("li", "city:suzhou", by="王处长")
    clock.advance(minutes=5)
    engine.revoke_operator("li", by="prov", reason="调岗")
    grant, revoke = ledger_entries(engine)
    assert (grant.kind, grant.actor, grant.role) == ("grant", "王处长", "province")
    assert grant.body == {
        "id": 1, "name": "li", "role": "city", "scope": "320500",
        "token_sha256": hashlib.sha256(issued.token.encode()).hexdigest(),
        "granted_at": "2020-07-01T04:00:00.000000Z", "granted_by": "王处长"}
    assert (revoke.kind, revoke.actor, revoke.role) == ("revoke", "prov", "province")
    assert revoke.body == {"id": 1, "name": "li", "revoked_at": "2020-07-01T04:05:00.000000Z",
                           "revoked_by": "prov", "revoke_reason": "调岗"}
    assert issued.token not in json.dumps([grant.body, revoke.body])
    assert engine.verify().ok


def test_the_document_holds_the_operator_and_never_its_token(engine):
    issued = engine.add_operator("li", "city:suzhou", by="prov")
    doc = issued.operator.to_dict()
    assert doc == {"id": 1, "name": "li", "role": "city", "scope": "320500",
                   "granted_at": "2020-07-01T04:00:00+00:00", "granted_by": "prov",
                   "revoked_at": None, "revoked_by": None, "revoke_reason": None}
    assert json.loads(json.dumps(doc)) == doc
    assert issued.token not in json.dumps(doc) and "token" not in " ".join(doc)
    local = engine.revoke_operator("li", by="prov", reason="x").to_dict(engine.policy.zone)
    assert local["granted_at"] == "2020-07-01T12:00:00+08:00"
    assert local["revoked_at"] == "2020-07-01T12:00:00+08:00"
    assert issued.operator.granted_at.tzinfo is not None
    assert issued.operator.granted_at.astimezone(UTC) == NOON


def test_each_act_is_logged_and_no_log_holds_the_token(engine, caplog):
    with caplog.at_level(logging.DEBUG, logger="accel666"):
        issued = engine.add_operator("li", "city:suzhou", by="王处长")
        engine.authenticate(issued.token)
        with pytest.raises(Refused):
            engine.add_operator("li", "tencent", by="prov")
        engine.revoke_operator("li", by="prov", reason="调岗")
        with pytest.raises(Unauthenticated):
            engine.authenticate(issued.token)
        with pytest.raises(Unauthenticated):
            engine.authenticate(issued.token[:-1])
    (granted,) = events(caplog.records, "operator_granted")
    assert {k: granted[k] for k in ("name", "role", "scope", "actor", "at")} == {
        "name": "li", "role": "city", "scope": "320500", "actor": "王处长",
        "at": engine.now().isoformat()}
    (revoked,) = events(caplog.records, "operator_revoked")
    assert {k: revoked[k] for k in ("name", "role", "scope", "actor", "reason",
                                    "sessions_ended", "at")} == {
        "name": "li", "role": "city", "scope": "320500", "actor": "prov", "reason": "调岗",
        "sessions_ended": 0, "at": engine.now().isoformat()}
    assert [(e["reason"], e["operator"]) for e in events(caplog.records, "unauthenticated")] \
        == [("revoked", "li"), ("malformed", None)]
    assert [e["trigger"] for e in events(caplog.records, "refused")] == ["grant"]
    digest = hashlib.sha256(issued.token.encode()).hexdigest()
    logged = caplog.text + json.dumps([r.accel666 for r in caplog.records], default=str,
                                      ensure_ascii=False)
    assert len(caplog.records) >= 5
    assert issued.token not in logged and issued.token[:-1] not in logged
    assert digest not in logged
