"""Which cells hold a formula (and its text) or an error value: the cell-by-cell lookup agrees
with an XML parser on real workbooks and on the spellings other writers use."""

from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml.ElementTree import fromstring

from toolkit.read.ooxml import SheetPart, sheet_parts

ROOT = Path(__file__).resolve().parent.parent
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def parsed(data: bytes) -> dict[str, tuple[str | None, bool]]:
    """The reference: ElementTree over the whole part, every cell (non-shared formulas)."""
    cells = {}
    for cell in fromstring(data).iter(f"{MAIN}c"):
        formula = cell.find(f"{MAIN}f")
        text = None if formula is None else (formula.text or "")
        cells[cell.get("r", "")] = (text, cell.get("t") == "e")
    return cells


def whole_sheets(path: Path) -> dict[str, bytes]:
    """Sheet name -> its whole part, found independently of the reader (the reader itself
    unpacks a sheet only as far as its cells go)."""
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as archive:
        workbook = fromstring(archive.read("xl/workbook.xml"))
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        names = {}
        for sheet in workbook.iter(f"{MAIN}sheet"):
            target = targets[sheet.get(rel)]
            names[sheet.get("name", "")] = target[1:] if target.startswith("/") else "xl/" + target
        return {sheet: archive.read(name) for sheet, name in names.items()}


def test_the_lookup_agrees_with_an_xml_parser_on_every_shipped_workbook() -> None:
    workbooks = list((ROOT / "examples").glob("*.xlsx"))
    assert len(workbooks) >= 4
    formulas = 0
    for path in workbooks:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    data = archive.read(name)
                    part = SheetPart(data)
                    for ref, expected in parsed(data).items():
                        assert part.cell(ref) == expected, (path.name, name, ref)
                        formulas += expected[0] is not None
    assert formulas >= 100  # the shipped templates' totals and checks


def test_prefixes_attribute_order_shared_formulas_and_escapes() -> None:
    data = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:sheetData><x:row r="9">'
        b'<x:c s="1" r="D9"><x:v>2</x:v></x:c>'
        b'<x:c t="e" r="E9"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c>'
        b'<x:c r="J9"><x:f t="shared" ref="J9:J11" si="0">SUM(D9:I9)</x:f><x:v>2</x:v></x:c>'
        b'<x:c r="K9" t="str"><x:f>IF(D9&gt;0,"a&amp;b","")</x:f><x:v>a&amp;b</x:v></x:c>'
        b'<x:c r="L9"/><x:c r="M9" t="inlineStr"><x:is><x:t>&lt;f&gt;</x:t></x:is></x:c>'
        b'</x:row><x:row r="10"><x:c r="J10"><x:f t="shared" si="0"/><x:v>0</x:v></x:c>'
        b"</x:row></x:sheetData></x:worksheet>"
    )
    part = SheetPart(data)
    assert {ref: part.cell(ref) for ref in ("D9", "E9", "J9", "J10", "K9", "L9", "M9")} == {
        "D9": (None, False),
        "E9": ("1/0", True),
        "J9": ("SUM(D9:I9)", False),
        "J10": ("SUM(D10:I10)", False),  # the shared formula, translated to its cell
        "K9": ('IF(D9>0,"a&b","")', False),
        "L9": (None, False),
        "M9": (None, False),
    }


def test_a_sheet_without_formulas_is_not_searched(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = 3
    workbook.active["B1"] = "<f>"
    path = tmp_path / "plain.xlsx"
    workbook.save(path)
    part = sheet_parts(path, {"Sheet"})["Sheet"]
    assert part.empty and part.cell("A1") == (None, False) and part.cell("B1") == (None, False)


def test_the_mapped_cells_of_a_template_return_agree_with_an_xml_parser() -> None:
    """A template return is asked about its mapped cells only: same answers as a parse."""
    from tests.support import read_map

    for name in ("凤山街道2025年报.xlsx", "兰江街道2020年报.xlsx"):
        path = ROOT / "examples" / name
        fields, _ = read_map(path)
        sheets = {sheet for sheet, _ in fields.values()}
        parts = sheet_parts(path, sheets)
        whole = {sheet: parsed(data) for sheet, data in whole_sheets(path).items()}
        found = 0
        for sheet, ref in fields.values():
            expected = whole[sheet].get(ref, (None, False))
            assert parts[sheet].cell(ref) == expected, (name, sheet, ref)
            found += expected[0] is not None
        assert found >= 30  # the totals are formulas


def test_odd_spellings_rows_without_numbers_and_an_empty_formula() -> None:
    """Rows without numbers, an empty formula before a shared master in another row."""
    unnumbered = SheetPart(
        b'<worksheet><sheetData><row><c r="A1"><f>1+1</f></c><c r="B1" t="e"><v>#N/A</v></c>'
        b"</row></sheetData></worksheet>"
    )
    assert [unnumbered.cell(r) for r in ("A1", "B1", "C9")] == [
        ("1+1", False),
        (None, True),
        (None, False),
    ]
    shared = SheetPart(
        b'<worksheet><sheetData><row r="1"><c r="A1"><f></f></c>'
        b'<c r="B1"><f t="shared" ref="B1:B2" si="0">A1+1</f></c></row>'
        b'<row r="2"><c r="B2"><f t="shared" si="0"/></c></row></sheetData></worksheet>'
    )
    assert [shared.cell(r) for r in ("A1", "B1", "B2", "C9")] == [
        ("", False),
        ("A1+1", False),
        ("A2+1", False),
        (None, False),
    ]


def test_a_row_asked_about_again_is_scanned_with_the_same_answers_as_a_parse() -> None:
    """The second cell asked of a row scans the row: around its formulas and error flags in
    the usual spelling, cell by cell when a tag is spelled otherwise (a line break)."""
    rows = (
        b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><f>SUM(C2:D2)</f><v>3</v></c>'
        b'<c r="C2" t="e"><v>#DIV/0!</v></c><c r="D2"><is><t>x t="e" &lt;f&gt;</t></is></c>'
        b'<c r="E2" s="1"><f t="shared" ref="E2:E3" si="0">A2+1</f></c></row>'
        b'<row r="3"><c\nr="A3"><f>1+2</f></c><c r="B3"><v>1</v></c><c r="C3" t="e">'
        b'<v>#N/A</v></c><c r="E3"><f t="shared" si="0"/></c></row>'
    )
    data = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + rows + b"</sheetData>"
        b"<conditionalFormatting><cfRule><formula>A1&gt;0</formula></cfRule>"
        b"</conditionalFormatting></worksheet>"
    )
    expected = parsed(data)
    for order in (["A2", "B2", "C2", "D2", "E2"], ["B3", "A3", "C3", "E3"]):
        part = SheetPart(data)
        for ref in order:
            text, error = part.cell(ref)
            want_text, want_error = expected[ref]
            assert error == want_error, ref
            if ref == "E3":  # a shared formula's text is translated from its master
                assert text == "A3+1"
            else:
                assert text == want_text, ref


def test_hidden_rows_are_told_however_the_row_is_spelled() -> None:
    data = (
        b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
        b'<row spans="1:1" r="12" hidden="1" customHeight="1"><c r="A12"><v>3</v></c></row>'
        b'<x:row r="13" hidden="true"/><row r="14" rowHidden="1"/>'
        b'<row r="15" hidden="0"/></sheetData>'
    )
    assert SheetPart(data).hidden_rows() == {11, 12}
