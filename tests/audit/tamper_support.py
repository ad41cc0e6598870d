"""A record with one act of every kind, and the intruder's tools: rewrite a chain end to end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, select, update
from sqlalchemy.engine import make_url

from accel666 import models
from accel666.record import chain
from tests.helpers import CODE_A, CODE_B, CODE_C, cst, panel_review

DOCUMENT = b"%PDF application A"


def full_history(engine: Any, clock: Any, actors: Any, tmp_path: Any) -> dict[str, int]:
    """A published with its document; B and C escalated, B's acknowledged, C withdrawn and its
    escalation resolved; an extension in force and a revoked one; the first-use policy; an
    operator who may act and a revoked one."""
    doc = tmp_path / "a.pdf"
    doc.write_bytes(DOCUMENT)
    a = engine.dock(actors.suzhou, title="A", enterprise="EA", credit_code=CODE_A,
                    region="suzhou", category="demo").id
    engine.apply(actors.ent_a, a, paper_copies=2, document=doc)
    engine.recommend(actors.suzhou, a, opinion="同意")
    b = engine.dock(actors.tencent, title="B", enterprise="EB", credit_code=CODE_B,
                    region="nanjing", category="demo").id
    c = engine.dock(actors.tencent, title="C", enterprise="EC", credit_code=CODE_C,
                    region="suzhou", category="demo").id
    engine.sweep(cst(2020, 9, 1, 0, 0, 1))  # B and C are still docked: escalated
    clock.set(cst(2020, 9, 1, 10))
    b_esc = next(e.id for e in engine.escalations() if e.project_id == b)
    c_esc = next(e.id for e in engine.escalations() if e.project_id == c)
    engine.ack(actors.province, b_esc, note="已督办")
    engine.withdraw(actors.suzhou, c, reason="企业放弃")
    engine.sweep(cst(2020, 9, 1, 11))  # C left docked: its escalation resolved
    kept = engine.extend(actors.province, "2020-1", phase="review", until="2020-10-09",
                         reason="专家评审延期").id
    revoked = engine.extend(actors.province, "2020-1", phase="review", until="2020-10-12",
                            reason="误录").id
    engine.revoke_extension(actors.province, revoked, reason="误录")
    # Operator ids 1 and 2, like the extensions': a revocation of either kind must stay its own.
    engine.add_operator("li.suzhou", "city:suzhou", by="prov")
    engine.add_operator("zhang", "province", by="prov")
    engine.revoke_operator("zhang", by="prov", reason="调岗")
    clock.set(cst(2020, 9, 10, 10))
    panel_review(engine, a)  # experts, a panel, their scores
    clock.set(cst(2020, 10, 10, 10))
    engine.sign(actors.province, a)
    engine.publish(actors.province, a)
    return {"a": a, "b": b, "c": c, "b_esc": b_esc, "c_esc": c_esc, "kept": kept,
            "revoked": revoked}


def rechain_project(url: str, project_id: int, **changes: Any) -> None:
    """Change the first log row of a project as `changes` say, then recompute every hash after
    it and the head: the chain is consistent again."""
    eng = create_engine(make_url(url))
    T, P = models.transition_table, models.project_table
    try:
        with eng.begin() as conn:
            rows = conn.execute(select(T).where(T.c.project_id == project_id)
                                .order_by(T.c.seq)).all()
            prev = chain.GENESIS
            for i, row in enumerate(rows):
                values = {**row._asdict(), **(changes if i == 0 else {})}
                prev = chain.row_hash(values, prev)
                conn.execute(update(T).where(T.c.id == row.id)
                             .values(**{k: values[k] for k in changes} if i == 0 else {},
                                     hash=prev))
            conn.execute(update(P).where(P.c.id == project_id).values(head_hash=prev))
    finally:
        eng.dispose()


def rechain_docks_without(url: str, project_id: int) -> None:
    """Take a project out of the `docks` chain (an entry left holding nothing goes with it),
    then renumber and recompute the chain: consistent again."""
    eng = create_engine(make_url(url))
    L = models.ledger_table
    try:
        with eng.begin() as conn:
            rows = conn.execute(select(L).where(L.c.chain == "docks").order_by(L.c.seq)).all()
            conn.execute(L.delete().where(L.c.chain == "docks"))
            prev, seq = chain.GENESIS, 0
            for row in rows:
                held = [p for p in row.body["projects"] if p[0] != project_id]
                if not held:
                    continue
                seq += 1
                values = {**row._asdict(), "seq": seq, "body": {**row.body, "projects": held}}
                values.pop("id")
                prev = values["hash"] = chain.entry_hash(values, prev)
                conn.execute(L.insert().values(**values))
    finally:
        eng.dispose()


def rechain_ledger(url: str, name: str, body_of: Any) -> None:
    """Rewrite every entry of ledger chain `name` with `body_of(body)` and recompute its hashes."""
    eng = create_engine(make_url(url))
    L = models.ledger_table
    try:
        with eng.begin() as conn:
            prev = chain.GENESIS
            for row in conn.execute(select(L).where(L.c.chain == name).order_by(L.c.seq)).all():
                values = {**row._asdict(), "body": body_of(row.body)}
                prev = chain.entry_hash(values, prev)
                conn.execute(update(L).where(L.c.id == row.id)
                             .values(body=values["body"], hash=prev))
    finally:
        eng.dispose()
