"""`accel666 import` decides a CSV file's encoding for the whole file: UTF-8 when all of it is
(a BOM allowed), GB18030 when all of it is and no line is also non-ASCII UTF-8; a file mixing
the two is refused with exit 2, naming its first line in the other encoding. `--encoding`
still wins."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli_import import CODES, EN, ZH, zh_rows

# Each row's UTF-8 bytes are also valid GB18030 (other characters): a file with one GB18030 row
# among them decodes whole as GB18030, the UTF-8 rows as mojibake.
ROWS = [[f"云上工厂 {i}", f"苏州某某科技 {i}", CODES[i], "suzhou", "demo"] for i in range(3)]


def lines(*encodings: str, bom: bool = False) -> bytes:
    """The header in ASCII, then row i of ROWS in encodings[i]."""
    data = (b"\xef\xbb\xbf" if bom else b"") + ",".join(EN).encode() + b"\r\n"
    for row, encoding in zip(ROWS, encodings, strict=False):
        data += ",".join(row).encode(encoding) + b"\r\n"
    return data


def imported(run, tmp_path, data: bytes, *extra: str):
    path = tmp_path / "sheet.csv"
    path.write_bytes(data)
    return run("import", str(path), "--as", "city:suzhou", *extra)


@pytest.mark.parametrize(("encodings", "bom", "message"), [
    (("utf-8", "gb18030", "utf-8"), False,
     "line 3 is GB18030 text, but line 2 is UTF-8: a file must be in one encoding"),
    (("gb18030", "utf-8", "gb18030"), False,
     "line 3 is UTF-8 text, but line 2 is GB18030: a file must be in one encoding"),
    (("gb18030", "gb18030", "gb18030"), True,
     "line 2 is GB18030 text, but line 1 is UTF-8: a file must be in one encoding"),
], ids=["utf8-then-gb18030", "gb18030-then-utf8", "bom-then-gb18030"])
def test_a_file_mixing_utf8_and_gb18030_is_refused_naming_the_line(run, tmp_path, encodings,
                                                                   bom, message):
    """Was: decoded whole as GB18030 and stored as mojibake, hash-chained, exit 0."""
    result = imported(run, tmp_path, lines(*encodings, bom=bom))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "--encoding" in result.stderr
    assert run.json("list") == []


def test_a_named_encoding_wins(run, tmp_path):
    """--encoding is what the operator says the file is: every line is read so, even one that
    would have marked the file as mixed."""
    result = imported(run, tmp_path, lines("utf-8", "gb18030", "utf-8"), "--encoding",
                      "gb18030", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["imported"] == 3


@pytest.mark.parametrize(("encodings", "bom"), [
    (("utf-8", "utf-8", "utf-8"), False), (("utf-8", "utf-8", "utf-8"), True),
    (("gb18030", "gb18030", "gb18030"), False), (("ascii", "ascii", "ascii"), False),
], ids=["utf8", "utf8-bom", "gb18030", "ascii"])
def test_a_file_in_one_encoding_is_read_in_it(run, tmp_path, encodings, bom):
    if encodings[0] == "ascii":
        data = lines(bom=bom) + "".join(
            f"Cloud {i},Enterprise {i},{CODES[i]},suzhou,demo\r\n" for i in range(3)).encode()
    else:
        data = lines(*encodings, bom=bom)
    assert imported(run, tmp_path, data).exit_code == 0
    titles = [p["title"] for p in run.json("list")]
    assert titles == ([f"Cloud {i}" for i in range(3)] if encodings[0] == "ascii"
                      else [f"云上工厂 {i}" for i in range(3)])


def test_a_line_in_neither_encoding_is_named(run, tmp_path):
    data = lines("utf-8", "utf-8") + b"\xff\xfe,x\r\n"
    result = imported(run, tmp_path, data)
    assert result.exit_code == 2
    assert "line 4 is neither UTF-8 nor GB18030 text" in result.stderr


def test_a_named_encoding_the_file_is_not_in_names_the_line(run, tmp_path):
    result = imported(run, tmp_path, lines("utf-8", "gb18030", "utf-8"), "--encoding", "utf-8")
    assert result.exit_code == 2
    assert "line 3 is not utf-8 text" in result.stderr
    assert "--encoding" in result.stderr


def test_a_gb18030_file_of_the_chinese_headings_still_imports(run, tmp_path):
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([ZH, *zh_rows()])
    assert imported(run, tmp_path, buf.getvalue().encode("gb18030")).exit_code == 0
