"""publish --batch: all signed projects at once, and the published list in each format."""

from __future__ import annotations

import csv
import io
import json

from tests.helpers import CODE_A, CODE_B, cli_panel_review, cst


def signed_pair(run) -> list[int]:
    ids = []
    for code, region in ((CODE_A, "suzhou"), (CODE_B, "kunshan")):
        pid = run.dock(code=code, region=region, actor=f"city:{region}")
        run("apply", str(pid), "--as", f"city:{region}", "--paper-copies", "2",
            "--document", run.document())
        run("recommend", str(pid), "--as", f"city:{region}", "--opinion", "同意")
        ids.append(pid)
    run.moment = cst(2020, 9, 20, 9, 0, 0)
    for pid in ids:
        cli_panel_review(run, pid)
    run.moment = cst(2020, 10, 20, 9, 0, 0)
    for pid in ids:
        assert run("sign", str(pid), "--as", "province").exit_code == 0
    return ids


def test_publish_batch_writes_csv_list(run, tmp_path):
    ids = signed_pair(run)
    out = tmp_path / "list.csv"
    result = run("publish", "--batch", "2020-1", "--as", "province", "--format", "csv",
                 "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,")  # a BOM: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [int(r["id"]) for r in rows] == ids
    assert [r["region_name"] for r in rows] == ["苏州市", "昆山市"]
    assert "published 2 project(s) of batch 2020-1" in result.stderr
    assert all(p["state"] == "published" for p in run.json("list"))


def test_publish_batch_json_and_markdown(run):
    signed_pair(run)
    data = json.loads(run("publish", "--batch", "2020-1", "--as", "province", "--json").stdout)
    assert [d["credit_code"] for d in data] == [CODE_A, CODE_B]
    md = run("publish", "--batch", "2020-1", "--as", "province", "--format", "md")
    assert md.exit_code == 0
    assert md.stdout.splitlines()[0] == (
        "| id | title | enterprise | credit_code | region | region_name | category |")
    assert "published 0 project(s) of batch 2020-1; 2 on the list" in md.stderr


def test_publish_batch_after_the_window_changes_nothing(run):
    signed_pair(run)
    run.moment = cst(2020, 11, 1, 0, 0, 0)
    result = run("publish", "--batch", "2020-1", "--as", "province")
    assert result.exit_code == 4
    assert "publication window of batch 2020-1 closed at 2020-10-31 23:59:59 +08:00" \
        in result.stderr
    assert {p["state"] for p in run.json("list")} == {"signed"}


def test_publish_needs_exactly_one_of_id_and_batch(run):
    assert run("publish", "--as", "province").exit_code == 2
    both = run("publish", "1", "--batch", "2020-1", "--as", "province")
    assert both.exit_code == 2
    assert "give either a project ID or --batch KEY" in both.stderr


def test_publish_batch_refuses_unwritable_output_before_publishing(run, tmp_path):
    signed_pair(run)
    result = run("publish", "--batch", "2020-1", "--as", "province", "-o",
                 str(tmp_path / "missing-dir" / "x.csv"))
    assert result.exit_code == 2
    assert {p["state"] for p in run.json("list")} == {"signed"}
