"""The formulas and error values of an .ods, which python-calamine does not give: read from
its content.xml, in the syntax the evaluator reads, at the cells python-calamine puts its
values in (repeated rows and columns, covered cells and row groups counted)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from toolkit.read.odf import excel_formula, ods_sheets

_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content
 xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0">
<office:body><office:spreadsheet>
<table:table table:name="表一">
 <table:table-column table:number-columns-repeated="4"/>
 <table:table-header-rows>
  <table:table-row><table:table-cell table:number-columns-spanned="3"><text:p>标题</text:p>
  </table:table-cell><table:covered-table-cell table:number-columns-repeated="2"/>
  <table:table-cell table:formula="of:=1/0" office:value-type="string"
   calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell></table:table-row>
 </table:table-header-rows>
 <table:table-row table:number-rows-repeated="2"><table:table-cell
  table:number-columns-repeated="2" office:value-type="float" office:value="1"/>
  <table:table-cell table:formula="of:=SUM([.A2:.B2])" office:value-type="float"
   office:value="999"/></table:table-row>
 <table:table-row-group>
  <table:table-row table:visibility="collapse"><table:table-cell/>
   <table:table-cell table:formula="of:=[$'其他 表'.C3]+ROUND([.A2];0)"
    office:value-type="float" office:value="5"/>
   <table:table-cell table:formula="msoxl:=#REF!+1" office:value-type="string">
   <text:p>#REF!</text:p></table:table-cell></table:table-row>
 </table:table-row-group>
 <table:table-row table:number-rows-repeated="1048572"><table:table-cell/></table:table-row>
</table:table>
<table:table table:name="其他 表"><table:table-row><table:table-cell/></table:table-row>
</table:table>
</office:spreadsheet></office:body></office:document-content>
"""


@pytest.fixture
def ods(tmp_path: Path) -> Path:
    path = tmp_path / "手工.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", _CONTENT)
    return path


def test_formulas_and_errors_are_found_at_the_cells_a_spreadsheet_shows_them_in(
    ods: Path,
) -> None:
    sheets = ods_sheets(ods, {"表一", "其他 表", "不在文件里"})
    first = sheets["表一"]
    assert first.cell("D1") == ("1/0", True)  # after a merge over A1:C1
    assert first.cell("C2") == ("SUM(A2:B2)", False)  # its saved 999 is no evidence
    # a repeated row repeats its cells as written (an address in OpenFormula is where it
    # points, not an offset)
    assert first.cell("C3") == ("SUM(A2:B2)", False)
    assert first.cell("B4") == ("'其他 表'!C3+ROUND(A2,0)", False)  # inside a row group
    assert first.cell("C4") == ("#REF!+1", True)  # another writer's error, shown as text
    assert first.cell("A2") == (None, False)  # a plain value
    assert first.hidden_rows() == frozenset({3})
    assert first.may_hold_errors
    assert sheets["不在文件里"].cell("A1") == (None, False)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("of:=SUM([.B2:.B5])", "SUM(B2:B5)"),
        ("of:=[.$B$2]+[.C3]", "$B$2+C3"),
        ("of:=SUM([Sheet2.B2:.B5];[$Sheet2.C3])", "SUM(Sheet2!B2:B5,Sheet2!C3)"),
        ("of:=SUBTOTAL(9;[.B2:.B5])", "SUBTOTAL(9,B2:B5)"),
        ('of:=IF([.A1]="a;b";1;2)', 'IF(A1="a;b",1,2)'),  # a literal keeps its ";"
        ("=A1+B1", "A1+B1"),
        ("of:=['file:///x.ods'#$Sheet1.A1]", ""),  # another file: not ours to follow
        ("of:=SUM([.A1:Sheet2.B2])", ""),  # a range across sheets
    ],
)
def test_opendocument_formulas_are_put_in_a_spreadsheets_cell_syntax(
    written: str, read: str
) -> None:
    assert excel_formula(written) == read


def _ods_of(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "x.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return path


def test_a_content_xml_we_cannot_parse_gives_no_formulas_not_an_error(tmp_path: Path) -> None:
    """python-calamine reads some files our XML parser refuses (an unbound prefix): their
    values are read as saved, and the return stays readable."""
    broken = _CONTENT.replace("<office:body>", "<office:body><oops:x/>")
    sheets = ods_sheets(_ods_of(tmp_path, broken), {"表一"})
    assert sheets["表一"].cell("C2") == (None, False)


def test_a_sheet_of_a_million_repeated_formulas_is_given_up_quickly(tmp_path: Path) -> None:
    """A 50 KB file can repeat one formula over 1,000 columns of 1,000 rows: past 100,000
    formula cells a sheet is a bomb, not a report, and its formulas are not kept."""
    bomb = _CONTENT.replace(
        '<table:table-row table:number-rows-repeated="1048572">',
        '<table:table-row table:number-rows-repeated="1000"><table:table-cell'
        ' table:formula="of:=SUM([.A1])" table:number-columns-repeated="1000"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1047572">',
    )
    sheets = ods_sheets(_ods_of(tmp_path, bomb), {"表一"})
    assert sheets["表一"].cell("C2") == (None, False)  # the whole sheet given up
