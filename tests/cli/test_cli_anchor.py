"""`accel666 anchor` and `verify --anchor`: a digest kept outside the database proves the
record still extends it, given as the digest, the file `anchor -o` wrote, or a log of digests."""

from __future__ import annotations

import json
import re

from tests.audit.audit_support import behind_the_back
from tests.audit.tamper_support import rechain_project


def anchored(run):
    project = run.dock()
    result = run("anchor")
    assert result.exit_code == 0, result.stderr
    digest, rest = result.stdout.split("  ", 1)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    # The project's, the docks chain's, the policy's.
    assert rest.startswith("1 projects, 3 chains, at 2020-07-01T10:00:00+08:00")
    return project, digest


def test_the_digest_proves_an_honest_record_and_catches_a_rewritten_one(run, db_url, tmp_path):
    project, digest = anchored(run)
    log = tmp_path / "anchors.txt"
    log.write_text(f"{digest}  1 projects, 3 chains, at …\n", encoding="utf-8")
    for given in (digest, str(log)):
        assert run("verify", "--anchor", given).exit_code == 0
    rechain_project(db_url, project, actor="mallory")
    assert run("verify").exit_code == 0  # the rewritten chain is consistent again
    for given in (digest, str(log)):
        result = run("verify", "--anchor", given, "--json")
        assert result.exit_code == 7
        doc = json.loads(result.stdout)
        assert [p["kind"] for p in doc["problems"]] == ["anchor"]
        assert doc["anchors"] == 1


def test_the_anchor_file_holds_the_heads_and_proves_without_the_database_copy(
        run, db_url, tmp_path):
    run.dock()
    out = tmp_path / "anchor.json"
    result = run("anchor", "-o", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    kept = json.loads(out.read_text(encoding="utf-8"))
    assert kept["digest"] == shown["digest"] and kept["projects"] == shown["projects"] == 1
    assert [h[0] for h in kept["heads"]] == ["project:1", "docks", "policy"]
    assert run("anchor", "-o", str(out)).exit_code == 2  # no overwrite without --force
    behind_the_back(db_url, "DELETE FROM accel666_anchor")
    assert run("verify", "--anchor", shown["digest"]).exit_code == 7
    assert run("verify", "--anchor", str(out)).exit_code == 0


def test_an_anchor_that_is_neither_digest_nor_file_is_a_usage_error(run, tmp_path):
    run.dock()
    empty = tmp_path / "empty.txt"
    empty.write_text("nothing here\n", encoding="utf-8")
    for given in ("abc", str(tmp_path / "missing.txt"), str(empty)):
        result = run("verify", "--anchor", given)
        assert result.exit_code == 2, (given, result.stdout)
        assert "anchor" in result.stderr
