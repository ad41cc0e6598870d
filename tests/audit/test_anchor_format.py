"""An anchor's digest, file and parsing are a promise kept outside the database: the digest's
formula never changes (an anchor mailed in 2020 must verify in any later version), the file
has the fields its readers use, and what `verify --anchor` is given is read, or refused naming
what is wrong."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from accel666 import InvalidInput
from accel666.record import anchoring
from accel666.record.anchoring import Anchor

# A batch key or chain name may be Chinese: the digest hashes it as UTF-8, unescaped.
HEADS = (("project:1", 3, "a" * 64), ("batch:2026年二批", 2, "b" * 64), ("docks", 1, "c" * 64))
DIGEST = "d" * 64


def test_the_digest_is_sha256_over_the_documented_lines():
    lines = ("accel666-anchor-1\nprojects 1\n"
             '["project:1", 3, "' + "a" * 64 + '"]\n'
             '["batch:2026年二批", 2, "' + "b" * 64 + '"]\n'
             '["docks", 1, "' + "c" * 64 + '"]\n')
    assert anchoring.digest_of(1, HEADS) == hashlib.sha256(lines.encode("utf-8")).hexdigest()


def test_the_file_has_every_field_its_readers_use():
    at = datetime(2020, 10, 31, 4, 0, tzinfo=UTC)
    doc = Anchor(DIGEST, at, 1, HEADS, 7).to_dict()
    assert doc == {"format": "accel666-anchor-1", "digest": DIGEST,
                   "at": "2020-10-31T04:00:00+00:00", "projects": 1, "chains": 3,
                   "heads": [list(h) for h in HEADS]}
    assert Anchor(DIGEST, None, 0).to_dict()["at"] is None


def test_a_digest_alone_is_one_anchor_without_heads():
    (found,) = anchoring.parse(f"  {DIGEST}\n")
    assert (found.digest, found.at, found.projects, found.heads, found.chains) == (
        DIGEST, None, 0, None, 0)


def test_an_anchor_file_is_read_whole(tmp_path):
    path = tmp_path / "anchor.json"
    path.write_text(json.dumps(Anchor(DIGEST, None, 1, HEADS).to_dict(), ensure_ascii=False),
                    encoding="utf-8")
    (found,) = anchoring.parse(str(path))
    assert (found.digest, found.projects, found.heads) == (DIGEST, 1, HEADS)


def test_a_text_file_of_digests_gives_each_once_in_order(tmp_path):
    other = "e" * 64
    path = tmp_path / "anchors.log"
    path.write_text(f"2020-10-01 {DIGEST}\n2020-10-02 {other}\n2020-10-03 {DIGEST}\n",
                    encoding="utf-8")
    found = anchoring.parse(str(path))
    assert [a.digest for a in found] == [DIGEST, other]
    assert {(a.projects, a.heads, a.chains) for a in found} == {(0, None, 0)}  # digests alone


@pytest.mark.parametrize(("content", "reason"), [
    (None, "give a SHA-256 digest (64 hex digits) or a file that holds one: "),
    ('{"format": "accel666-anchor-1", "digest": "x"}', "is not a whole anchor file: 'heads'"),
    ("no digest here", "holds no anchor digest (64 hex digits)"),
    (b"\xff\xfe not text", "give a SHA-256 digest (64 hex digits) or a file that holds one: "),
])
def test_what_is_not_an_anchor_is_refused_naming_why(tmp_path, content, reason):
    path = tmp_path / "given.txt"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(InvalidInput) as err:
        anchoring.parse(str(path))
    assert err.value.field == "anchor"
    assert reason in err.value.reason
    assert err.value.value == str(path)


def test_a_taken_anchor_is_the_stored_one(engine, actors):
    from tests.workflow.wf_support import dock

    dock(engine)
    taken = engine.anchor()
    assert taken.id is not None and taken.at == engine.now()
    with engine.db.connect() as conn:
        kept = anchoring.stored(conn, taken.digest)
    assert kept == taken
