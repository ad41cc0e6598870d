"""An anchor's digest covers the project count and every head it holds, the last one included:
an anchor whose heads were edited to match a rewritten record no longer proves it, whichever
head was edited."""

from __future__ import annotations

import json

import pytest

from accel666.record import anchoring
from tests.audit.tamper_support import rechain_ledger, rechain_project
from tests.helpers import CODE_A, CODE_B

HEADS = (("project:1", 3, "a" * 64), ("project:2", 1, "b" * 64), ("policy", 1, "c" * 64))


def _edits(head: anchoring.Head) -> list[anchoring.Head]:
    name, seq, hash_ = head
    return [(f"{name}x", seq, hash_), (name, seq + 1, hash_), (name, seq, "d" * 64)]


@pytest.mark.parametrize("position", range(len(HEADS)), ids=["first", "middle", "last"])
def test_the_digest_changes_with_each_part_of_each_head(position):
    base = anchoring.digest_of(2, HEADS)
    for edited in _edits(HEADS[position]):
        heads = (*HEADS[:position], edited, *HEADS[position + 1:])
        assert anchoring.digest_of(2, heads) != base, edited


def test_the_digest_changes_with_the_count_and_the_set_of_heads():
    base = anchoring.digest_of(2, HEADS)
    assert anchoring.digest_of(3, HEADS) != base
    assert anchoring.digest_of(2, HEADS[:-1]) != base
    assert anchoring.digest_of(2, HEADS[1:]) != base
    assert anchoring.digest_of(2, (*HEADS, ("sweeps", 1, "e" * 64))) != base
    assert anchoring.digest_of(2, HEADS) == base  # and it is a function of them alone


def _dock_two(engine, actors) -> None:
    for code in (CODE_A, CODE_B):
        engine.dock(actors.suzhou, title="T", enterprise="E", credit_code=code,
                    region="suzhou", category="demo")


REWRITES = {
    "first": lambda url: rechain_project(url, 1, actor="mallory"),
    "last": lambda url: rechain_ledger(url, "policy",
                                       lambda body: {**body, "role": "province"}),
}


@pytest.mark.parametrize("which", REWRITES)
def test_an_anchor_file_edited_to_match_a_rewritten_record_fails(engine, db_url, actors,
                                                                  tmp_path, which):
    """The record is rewritten and the anchor file's head of that chain edited to the new
    head: the file's digest no longer belongs to its heads, and verify says so."""
    _dock_two(engine, actors)
    taken = engine.anchor()
    assert taken.heads is not None and [h[0] for h in taken.heads] == [
        "project:1", "project:2", "docks", "policy"]
    REWRITES[which](db_url)
    rewritten = engine.anchor().heads
    assert rewritten is not None
    at = 0 if which == "first" else len(taken.heads) - 1
    assert rewritten[at] != taken.heads[at]
    forged = {**taken.to_dict(), "heads": [list(h) for h in taken.heads]}
    forged["heads"][at] = list(rewritten[at])
    kept = tmp_path / "anchor.json"
    kept.write_text(json.dumps(forged), encoding="utf-8")
    report = engine.verify(anchoring.parse(str(kept)))
    anchor_problems = [p.message for p in report.problems if p.kind == "anchor"]
    assert any("do not hash to its digest" in m for m in anchor_problems), report.problems
