"""`accel666 import` of an .xlsx whose XML holds entity tricks (an external entity, an entity
bomb) or is not well-formed: refused with exit 2 and a message naming the part, never a
traceback, nothing written."""

from __future__ import annotations

import io

import pytest

from tests.cli.sheet_files import WORKBOOK, rows, table, write_xlsx

EXTERNAL = (b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY secret SYSTEM '
            b'"file:///etc/hostname">]>\n')
BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode()
                   for i in range(8))
        + b"]>\n")
SHEET_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
DOCTYPE = "an XML document type declaration (<!DOCTYPE …>, where entities are declared)"


def with_entity(prolog: bytes, entity: str) -> bytes:
    cell = f'<row r="9"><c r="A9" t="inlineStr"><is><t>&{entity};</t></is></c></row>'
    return prolog + SHEET_NS + b"<sheetData>" + cell.encode()


@pytest.mark.parametrize(("make", "part"), [
    (lambda p: write_xlsx(p, table(rows(3)), prolog=with_entity(EXTERNAL, "secret")),
     "xl/worksheets/sheet1.xml"),
    (lambda p: write_xlsx(p, table(rows(3)), prolog=with_entity(BOMB, "i")),
     "xl/worksheets/sheet1.xml"),
    (lambda p: write_xlsx(p, table(rows(3)), strings=BOMB.replace(b"worksheet", b"sst") +
                          b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                          b'main"><si><t>&i;</t></si></sst>'), "xl/sharedStrings.xml"),
    (lambda p: write_xlsx(p, table(rows(3)), workbook=EXTERNAL.replace(
        b"worksheet", b"workbook").decode() + WORKBOOK.split("\n", 1)[1].replace(
        'name="Sheet1"', 'name="&secret;"')), "xl/workbook.xml"),
], ids=["external-entity", "entity-bomb", "bomb-in-shared-strings", "external-in-workbook"])
def test_entity_tricks_are_refused_with_exit_2(run, tmp_path, make, part):
    """Was: exit 1 with a traceback (the parser's error on an undefined or amplified entity)."""
    path = make(tmp_path / "tricks.xlsx")
    result = run("import", str(path), "--as", "city:suzhou")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"{part}: {DOCTYPE} is refused: no workbook holds one" in result.stderr
    assert run.json("list") == []


@pytest.mark.parametrize(("sheet", "message"), [
    (b"<row><c><v>1</v></row>", "xl/worksheets/sheet1.xml is not well-formed XML: mismatched "
                                "tag: line 2, column"),
    (b"<row>&undefined;</row>", "xl/worksheets/sheet1.xml is not well-formed XML: undefined "
                                "entity: line 2, column"),
], ids=["mismatched", "undefined-entity"])
def test_xml_that_is_not_well_formed_is_refused_with_exit_2(run, tmp_path, sheet, message):
    path = write_xlsx(tmp_path / "bad.xlsx", [*table(rows(3)), sheet])
    result = run("import", str(path), "--as", "city:suzhou")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr


def test_openpyxl_reads_xml_through_defusedxml():
    """defusedxml is installed with accel666, and openpyxl reads every part through it: an
    entity trick that got past the checks above would still be refused."""
    import defusedxml
    from openpyxl.xml.functions import iterparse

    with pytest.raises(defusedxml.EntitiesForbidden):
        list(iterparse(io.BytesIO(BOMB + b"<worksheet>&i;</worksheet>")))


@pytest.mark.parametrize(("sheet", "message"), [
    (b'<row r="' + b"9" * 5_000 + b'"><c><v>1</v></c></row>', "row 5 cannot be read"),
    (b'</sheetData><extLst><ext/></extLst><sheetData>', "row 5 cannot be read"),
], ids=["row-number-of-5000-digits", "extension-without-uri"])
def test_what_openpyxl_cannot_read_is_refused_with_exit_2(run, tmp_path, sheet, message):
    """Was: exit 1 with a traceback (ValueError, TypeError from openpyxl)."""
    path = write_xlsx(tmp_path / "odd.xlsx", [*table(rows(3)), sheet])
    result = run("import", str(path), "--as", "city:suzhou")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"odd.xlsx: {message}" in result.stderr


def test_a_zip_listing_more_parts_than_any_workbook_is_refused_before_it_is_opened(run,
                                                                                   tmp_path):
    import zipfile

    path = write_xlsx(tmp_path / "parts.xlsx", table(rows(3)))
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(25_000):
            archive.writestr(f"customXml/item{i:05d}.bin", b"")
    result = run("import", str(path), "--as", "city:suzhou")
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "parts.xlsx lists 25,005 parts in" in result.stderr
    assert "a workbook's list of parts is at most 1,048,576 bytes" in result.stderr
